//! Typed ids, so that a user id cannot be passed where a group's is meant.
//! The database stores them as BIGINT (see `models::sql_types`).

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl AsRef<i64> for $name {
            fn as_ref(&self) -> &i64 {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A user (admins included).
    UserId
);
id_type!(
    /// A group or an area; which one is always said by a `UnitKind` beside it.
    UnitId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_and_parse_as_numbers() {
        let id = UserId::new(42);
        assert_eq!(id.to_string(), "42");
        assert_eq!(" 42 ".parse::<UserId>(), Ok(id));
        assert!("4x".parse::<UnitId>().is_err());
    }
}
