//! Usernames: lowercase `a-z 0-9 . _ -`, 2 to 64 characters, proposed from the
//! person's name (`anna.mueller`, then `anna.mueller2`, ...).

use std::fmt;

use super::FieldError;

pub const MAX_LEN: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        if value.chars().count() > MAX_LEN {
            return Err(FieldError::TooLong);
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if value.chars().count() < 2
            || !value.chars().all(allowed)
            || !value.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            return Err(FieldError::InvalidUsername);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The base proposal for a person: `vorname.nachname`, transliterated.
    /// Never empty: falls back to `benutzer`.
    pub fn proposal_base(first_name: &str, last_name: &str) -> String {
        let parts: Vec<String> = [first_name, last_name]
            .iter()
            .map(|p| transliterate(p))
            .filter(|p| !p.is_empty())
            .collect();
        let mut base = parts.join(".");
        base.truncate(MAX_LEN - 6);
        let base = base.trim_matches(|c| c == '.' || c == '-').to_owned();
        if base.len() < 2 {
            "benutzer".to_owned()
        } else {
            base
        }
    }

    /// The n-th proposal (1 = the base itself, 2 = base + "2", ...).
    pub fn proposal(base: &str, n: u32) -> Self {
        if n <= 1 {
            Self(base.to_owned())
        } else {
            Self(format!("{base}{n}"))
        }
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// German-aware transliteration to `a-z0-9-`; spaces become `-`.
fn transliterate(input: &str) -> String {
    let mut out = String::new();
    for c in input.trim().to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => out.push('a'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'ď' | 'đ' => out.push('d'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => out.push('i'),
            'ł' | 'ľ' | 'ĺ' => out.push('l'),
            'ñ' | 'ń' | 'ň' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => out.push('o'),
            'ř' | 'ŕ' => out.push('r'),
            'ś' | 'š' | 'ş' | 'ș' => out.push('s'),
            'ť' | 'ţ' | 'ț' => out.push('t'),
            'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            ' ' | '-' | '\'' | '_' if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            _ => {}
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposes_from_names() {
        assert_eq!(Username::proposal_base("Anna", "Müller"), "anna.mueller");
        assert_eq!(
            Username::proposal_base("José", "García López"),
            "jose.garcia-lopez"
        );
        assert_eq!(Username::proposal_base("Jürgen", "Groß"), "juergen.gross");
        assert_eq!(Username::proposal_base("", "Öztürk"), "oeztuerk");
        assert_eq!(Username::proposal_base("李", "王"), "benutzer");
        assert_eq!(
            Username::proposal("anna.mueller", 2).as_str(),
            "anna.mueller2"
        );
        assert_eq!(
            Username::proposal("anna.mueller", 1).as_str(),
            "anna.mueller"
        );
    }

    #[test]
    fn proposals_are_valid_usernames() {
        let base = Username::proposal_base(&"x".repeat(200), &"y".repeat(200));
        assert!(Username::parse(&Username::proposal(&base, 999).0).is_ok());
    }

    #[test]
    fn parses_and_normalises() {
        assert_eq!(
            Username::parse(" Anna.Mueller ").unwrap().as_str(),
            "anna.mueller"
        );
        assert_eq!(Username::parse("a b"), Err(FieldError::InvalidUsername));
        assert_eq!(Username::parse(".anna"), Err(FieldError::InvalidUsername));
        assert_eq!(Username::parse("a"), Err(FieldError::InvalidUsername));
        assert_eq!(
            Username::parse("anna@x.de"),
            Err(FieldError::InvalidUsername)
        );
        assert_eq!(Username::parse(""), Err(FieldError::Required));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(FieldError::TooLong));
    }
}
