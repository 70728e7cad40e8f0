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
        // An invisible character would make a second address look like
        // the first (names refuse them the same way); the joiners too,
        // which no address needs.
        if let Some(c) = value
            .chars()
            .find(|c| super::text::is_forbidden(*c) || matches!(c, '\u{200C}' | '\u{200D}'))
        {
            return Err(super::text::forbidden_character(c));
        }
        let (local, domain) = value.rsplit_once('@').ok_or(FieldError::InvalidEmail)?;
        // A domain no mail server could be asked for (a broken `xn--`
        // label, characters IDNA does not allow) is refused here, not at
        // the first send.
        if !valid_local(local)
            || !valid_domain(domain)
            || !dns_name(domain)
            || !decodes_valid(domain)
        {
            return Err(FieldError::InvalidEmail);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes addresses unique regardless of case and of the
    /// form the domain is written in ([`address_key`]).
    pub fn key(&self) -> String {
        address_key(&self.0)
    }
}

/// The key of an address: lower case, and an internationalised domain in
/// its Unicode form whether it was written so (`müller.de`) or in its ASCII
/// form (`xn--mller-kva.de`): one mailbox, one key, one account. A domain
/// that does not decode keeps its lower-case form.
pub fn address_key(address: &str) -> String {
    match address.rsplit_once('@') {
        // IDNA maps the domain as written (its mapping folds case itself,
        // and differently from `to_lowercase` for `ẞ` or a final `Σ`): the
        // key's domain is the one mail goes to.
        Some((local, domain))
            if !domain.is_ascii() || domain.to_ascii_lowercase().contains("xn--") =>
        {
            match idna::domain_to_unicode(domain) {
                (unicode, Ok(())) => format!("{}@{unicode}", local.to_lowercase()),
                (_, Err(_)) => address.to_lowercase(),
            }
        }
        _ => address.to_lowercase(),
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a domain written with `xn--` labels is valid as what they stand
/// for: `xn--e28h.de` is `😀.de`, no address in either form.
fn decodes_valid(domain: &str) -> bool {
    if !domain.to_ascii_lowercase().contains("xn--") {
        return true;
    }
    match idna::domain_to_unicode(domain) {
        (unicode, Ok(())) => valid_domain(&unicode),
        (_, Err(_)) => false,
    }
}

/// Whether the domain has an ASCII form DNS can look up, by IDNA's strict
/// rules, the same for either form it is written in: letters IDNA allows,
/// hyphens not in the third and fourth place (but `xn--`), labels of at
/// most 63 bytes and 253 in all *as punycode*.
fn dns_name(domain: &str) -> bool {
    idna::domain_to_ascii_strict(domain).is_ok()
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
    // Beyond ASCII, IDNA judges the letters ([`dns_name`]): scripts need
    // their marks (Thai vowels, a Devanagari virama, a dot above).
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| {
                c.is_alphanumeric() || c == '-' || unicode_normalization::char::is_combining_mark(c)
            })
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
            // Letters with marks no composed form has.
            "t@ตัวอย่าง.ไทย",
            "h@हिन्दी.भारत",
            "i@i\u{307}stanbul.tr",
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
        // A header injection is refused for its line break.
        assert_eq!(
            EmailAddress::parse("anna@example.de\r\nBcc: x@y.de"),
            Err(FieldError::InvalidCharacters)
        );
    }

    #[test]
    fn one_mailbox_has_one_key_in_either_form_of_its_domain() {
        let unicode = EmailAddress::parse("Jörg@Müller.de").unwrap();
        let ascii = EmailAddress::parse("jörg@XN--MLLER-KVA.DE").unwrap();
        assert_eq!(unicode.key(), "jörg@müller.de");
        assert_eq!(ascii.key(), unicode.key());
        // As typed, for the mail and the pages.
        assert_eq!(ascii.as_str(), "jörg@XN--MLLER-KVA.DE");
        assert_eq!(address_key("anna@example.de"), "anna@example.de");
        // Not a mailbox anyone has: left as it is.
        assert_eq!(address_key("anna@xn--zz.de"), "anna@xn--zz.de");
        // Full-width letters and look-alikes of a domain map to it.
        for alike in [
            "anna@ｅｘａｍｐｌｅ.com",
            "ANNA@ℯxample.com",
            "anna@example.ⅽom",
            "anna@EXAMPLE.COM",
        ] {
            assert_eq!(
                EmailAddress::parse(alike).unwrap().key(),
                "anna@example.com",
                "{alike}"
            );
        }
        // A key's domain is the one mail goes to (IDNA folds `ẞ` and a
        // final `Σ` otherwise than `to_lowercase`).
        for address in [
            "a@STRAẞE.de",
            "a@ΑΣ.gr",
            "a@Müller.DE",
            "a@xn--mller-kva.de",
        ] {
            let key = address_key(address);
            let ascii = |a: &str| idna::domain_to_ascii(a.rsplit_once('@').unwrap().1).unwrap();
            assert_eq!(ascii(&key), ascii(address), "{address} → {key}");
        }
        // Labels too long once written in punycode.
        let long = format!("anna@{}ü.de", "a".repeat(61));
        assert!(long.len() < 254);
        for bad in [
            "anna@xn--zz.de",
            long.as_str(),
            "anna@ab--cd.de",
            "anna@exa«mple.de",
            "anna@😀.de",
            "anna@xn--e28h.de",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(FieldError::InvalidEmail),
                "{bad}"
            );
        }
    }

    #[test]
    fn invisible_characters_are_named_not_taken() {
        for (input, c) in [
            ("anna@example.com\u{3164}", '\u{3164}'),
            ("anna\u{3164}@example.com", '\u{3164}'),
            ("\u{3164}anna@example.com", '\u{3164}'),
            ("anna@exam\u{3164}ple.com", '\u{3164}'),
            ("an\u{200b}na@example.com", '\u{200b}'),
            ("an\u{200d}na@example.com", '\u{200d}'),
            ("anna@exa\u{ad}mple.com", '\u{ad}'),
            ("anna@example.com\u{ffa0}", '\u{ffa0}'),
        ] {
            assert_eq!(
                EmailAddress::parse(input),
                Err(FieldError::HiddenCharacter(c)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn key_is_case_insensitive() {
        let a = EmailAddress::parse("Anna@Example.DE").unwrap();
        assert_eq!(a.key(), "anna@example.de");
        assert_eq!(a.as_str(), "Anna@Example.DE");
    }
}
