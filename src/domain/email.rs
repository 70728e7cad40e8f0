//! An email address as the product accepts it: one `@`, a sane local part, a
//! domain with a dot, nothing that could break a mail header.

use std::fmt;

use super::FieldError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        // Composed form: an umlaut pasted as two code points is one letter.
        let value = &super::text::nfc(input.trim());
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        if value.len() > 254 {
            return Err(FieldError::TooLong(254));
        }
        let (local, domain) = value.rsplit_once('@').ok_or(FieldError::InvalidEmail)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(FieldError::InvalidEmail);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes addresses unique regardless of case.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if domain.len() > 253 || labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(label_ok)
        && tld.chars().count() >= 2
        && !tld.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "anna.mueller@example.de",
            "A.B+tag@mail.example.com",
            "jörg@müller.de",
            "x@y.co",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_broken_addresses() {
        for bad in [
            "anna",
            "anna@",
            "@example.de",
            "anna@example",
            "anna@@example.de",
            "an na@example.de",
            "anna@exa mple.de",
            "anna..b@example.de",
            ".anna@example.de",
            "anna@-example.de",
            "anna@example.1",
            "anna@example.de\r\nBcc: x@y.de",
            "\"anna\"@example.de",
            "anna@example..de",
            "<anna@example.de>",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(FieldError::InvalidEmail),
                "{bad}"
            );
        }
        assert_eq!(EmailAddress::parse("  "), Err(FieldError::Required));
    }

    #[test]
    fn key_is_case_insensitive() {
        let a = EmailAddress::parse("Anna@Example.DE").unwrap();
        assert_eq!(a.key(), "anna@example.de");
        assert_eq!(a.as_str(), "Anna@Example.DE");
    }
}
