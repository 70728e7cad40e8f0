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
            return Err(FieldError::TooLong(MAX_LEN));
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

/// The Latin spelling of a lowercase letter with diacritics (German style:
/// `ä` → `ae`), or `None` for letters that stay as they are.
pub(crate) fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' | 'æ' => "ae",
        'ö' | 'œ' => "oe",
        'ü' => "ue",
        'ß' => "ss",
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// German-aware transliteration to `a-z0-9-`; spaces become `-`.
fn transliterate(input: &str) -> String {
    let mut out = String::new();
    for c in input.trim().to_lowercase().chars() {
        if let Some(latin) = latin(c) {
            out.push_str(latin);
            continue;
        }
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            ' ' | '-' | '\'' | '_' if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            // Other Latin letters with marks (`ễ`, `ņ`, `ǎ`): their base
            // letter. Letters of other scripts have none and are left out.
            c if !c.is_ascii() => {
                use unicode_normalization::UnicodeNormalization;
                out.extend(
                    std::iter::once(c)
                        .nfd()
                        .filter(|d| d.is_ascii_alphanumeric()),
                );
            }
            _ => {}
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A key that sorts names the way a German reader expects with a plain byte
/// comparison on every database: lowercase, `Müller` as `mueller`, other
/// characters kept.
pub fn sort_key(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.trim().to_lowercase().chars() {
        match latin(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_compare_bytewise_like_a_phone_book() {
        assert_eq!(sort_key("Müller Anna"), "mueller anna");
        assert!(sort_key("Müller") < sort_key("Myer"));
        assert!(sort_key("Öztürk") < sort_key("Peters"));
        assert_eq!(sort_key("李 王"), "李 王");
    }

    #[test]
    fn proposes_from_names() {
        assert_eq!(Username::proposal_base("Anna", "Müller"), "anna.mueller");
        assert_eq!(
            Username::proposal_base("José", "García López"),
            "jose.garcia-lopez"
        );
        assert_eq!(Username::proposal_base("Jürgen", "Groß"), "juergen.gross");
        assert_eq!(Username::proposal_base("", "Öztürk"), "oeztuerk");
        assert_eq!(Username::proposal_base("Thị", "Nguyễn"), "thi.nguyen");
        assert_eq!(Username::proposal_base("Mārtiņš", "Ǎvila"), "martins.avila");
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
        assert_eq!(
            Username::parse(&"a".repeat(65)),
            Err(FieldError::TooLong(MAX_LEN))
        );
    }
}
