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

/// A first or last name: one line, 1 to 100 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    /// One line with at least one letter in it: not only marks, accents,
    /// punctuation, emoji or digits (a date or number a spreadsheet put
    /// where the name belongs, `31.12.9999`, is no name).
    pub fn parse(input: &str) -> Result<Self, super::FieldError> {
        let name = super::required_line(input, Self::MAX_CHARS)?;
        if !name.chars().any(char::is_alphabetic) {
            return Err(super::FieldError::NameWithoutLetter);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A personnel number as the organisation writes it (kept as text: `00123`
/// stays `00123`): one line, at most 50 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonnelNumber(String);

impl PersonnelNumber {
    pub const MAX_CHARS: usize = 50;

    /// Empty input is no number. Numbers are compared character by
    /// character, so what only looks different is written one way:
    /// full-width or superscript digits and letters as their plain forms
    /// (Unicode NFKC: `７７７` is `777`), and digits of other scripts
    /// (`٧٧٧`) are refused rather than kept beside their `777`.
    pub fn parse(input: &str) -> Result<Option<Self>, super::FieldError> {
        use unicode_normalization::UnicodeNormalization;
        let Some(line) = super::optional_line(input, Self::MAX_CHARS)? else {
            return Ok(None);
        };
        let plain: String = if line.is_ascii() {
            line
        } else {
            line.nfkc().collect()
        };
        if let Some(c) = plain
            .chars()
            .find(|c| c.is_numeric() && !c.is_ascii_digit())
        {
            return Err(super::FieldError::ForeignDigit(c));
        }
        // NFKC may make a longer text (`㍱` is `hPa`).
        if plain.chars().count() > Self::MAX_CHARS {
            return Err(super::FieldError::TooLong(Self::MAX_CHARS));
        }
        Ok(Some(Self(plain)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

    #[test]
    fn names_and_numbers_are_single_lines() {
        assert_eq!(PersonName::parse(" Anna ").unwrap().as_str(), "Anna");
        assert!(PersonName::parse("").is_err());
        assert!(PersonName::parse("A\0").is_err());
        // Invisible or line-breaking characters, and names without a letter.
        for hidden in [
            "a\u{2028}b",
            "Mül\u{00AD}ler",
            "\u{3164}",
            "An\u{2029}na",
            "Ab\u{E0041}",
            "A\u{FFFE}b",
            "A\u{FDD0}b",
            "A\u{10FFFF}b",
            "Ab\u{2800}c",
            "Ab\u{17B4}c",
        ] {
            assert!(
                matches!(
                    PersonName::parse(hidden),
                    Err(crate::domain::FieldError::InvalidCharacters
                        | crate::domain::FieldError::HiddenCharacter(_))
                ),
                "{hidden:?}"
            );
        }
        for marks in [
            "\u{0301}\u{0301}",
            "...",
            "-",
            "😀",
            "31.12.9999",
            "12345.678",
        ] {
            assert_eq!(
                PersonName::parse(marks),
                Err(crate::domain::FieldError::NameWithoutLetter),
                "{marks:?}"
            );
        }
        assert_eq!(PersonName::parse("Anna 2").unwrap().as_str(), "Anna 2");
        assert_eq!(PersonName::parse("Øyvind").unwrap().as_str(), "Øyvind");
        assert_eq!(PersonName::parse("李").unwrap().as_str(), "李");
        assert_eq!(
            PersonnelNumber::parse(" 00123 ").unwrap().unwrap().as_str(),
            "00123"
        );
        assert_eq!(PersonnelNumber::parse("  "), Ok(None));
        // One way to write what looks the same.
        for (input, plain) in [
            ("７７７", "777"),
            ("Ａ－１７", "A-17"),
            ("P²", "P2"),
            ("①2", "12"),
        ] {
            assert_eq!(
                PersonnelNumber::parse(input).unwrap().unwrap().as_str(),
                plain,
                "{input}"
            );
        }
        for (input, digit) in [("٧٧٧", '٧'), ("12३", '३'), ("P-١", '١')] {
            assert_eq!(
                PersonnelNumber::parse(input),
                Err(crate::domain::FieldError::ForeignDigit(digit)),
                "{input}"
            );
        }
    }
}
