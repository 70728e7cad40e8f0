//! Small closed vocabularies of a user record.

use std::str::FromStr;

macro_rules! text_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(())
            }
        }
    };
}

text_enum!(Salutation { Frau => "frau", Herr => "herr", Divers => "divers" });
text_enum!(UserType { Mitarbeiter => "mitarbeiter", Extern => "extern", Gast => "gast" });
text_enum!(AreaRole { Mitglied => "mitglied", Redaktion => "redaktion", Leitung => "leitung" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip() {
        for s in Salutation::ALL {
            assert_eq!(s.as_str().parse::<Salutation>(), Ok(*s));
        }
        for t in UserType::ALL {
            assert_eq!(t.as_str().parse::<UserType>(), Ok(*t));
        }
        for r in AreaRole::ALL {
            assert_eq!(r.as_str().parse::<AreaRole>(), Ok(*r));
        }
        assert!("Frau".parse::<Salutation>().is_err());
    }
}
