//! Free text at the boundary, decided once for each kind of input:
//!
//! - **Stored text** (names, usernames, numbers, settings): control
//!   characters (NUL, CR/LF, tabs, …) are refused with a field error.
//! - **Lookups** (sign-in identifier, "add member by username or email"): a
//!   value with control characters cannot name anything, so it is treated as
//!   not found and never reaches the database.
//! - **Search terms** (user search, audit search): control characters are
//!   refused with a field error at the search box; the list then matches nothing.
//!
//! "Control characters" here include the invisible formatting characters
//! that can hide or reverse text (zero-width space, bidi overrides and
//! isolates, BOM): a group named U+202E "evil" would show as "live".
//! Accepted text is stored in Unicode NFC, so a name typed or pasted in
//! decomposed form (macOS, iOS: "u" + combining diaeresis) is the same name,
//! is found by the same search and gets the same username proposal.
//!
//! PostgreSQL refuses NUL in text outright, so anything that skipped these
//! rules would fail there; the integration tests send NUL and CR/LF in every
//! form field and query parameter on both databases.

use super::FieldError;

/// Longest lookup key accepted (an email address is at most 254).
pub const MAX_LOOKUP_CHARS: usize = 320;
/// Longest search term accepted.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Control characters, line and paragraph separators, and the invisible
/// characters that hide, split or reverse text (soft hyphen, Hangul fillers
/// that look like a blank, the combining grapheme joiner, tag characters),
/// Unicode's noncharacters (U+FFFE, U+FDD0…) and the replacement character
/// U+FFFD, which stands for something lost, never for a letter. (Zero-width
/// joiner and non-joiner stay allowed: Persian and Indic names and emoji
/// need them.)
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{061C}' | '\u{180E}' | '\u{FFF9}'..='\u{FFFB}'
                | '\u{2028}' | '\u{2029}' | '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}'
                | '\u{3164}' | '\u{FFA0}'
                // Blanks that are no space: the braille pattern blank, the
                // Khmer inherent vowels.
                | '\u{2800}' | '\u{17B4}' | '\u{17B5}'
                // Tag characters (invisible) and noncharacters.
                | '\u{E0000}'..='\u{E007F}' | '\u{FDD0}'..='\u{FDEF}'
                // The replacement character: what a broken decoding, or a
                // list of refused rows, put where one of these stood.
                | '\u{FFFD}'
        )
        || (c as u32) & 0xFFFE == 0xFFFE
}

pub fn has_control(value: &str) -> bool {
    value.chars().any(is_forbidden)
}

/// Why a forbidden character is refused: a line break or control code as
/// such, an invisible one by its code point (the admin cannot see it).
pub fn forbidden_character(c: char) -> FieldError {
    // The replacement character is seen: a file read in the wrong encoding.
    if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FFFD}') {
        FieldError::InvalidCharacters
    } else {
        FieldError::HiddenCharacter(c)
    }
}

/// Text in Unicode NFC (composed: "ü" as one character).
pub fn nfc(value: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    // Most text is composed already (and all ASCII is): no rebuilding.
    if value.is_ascii() || is_nfc_quick(value.chars()) == IsNormalized::Yes {
        return value.to_owned();
    }
    value.nfc().collect()
}

/// Rejects control characters (CR/LF included) in single-line text fields;
/// the accepted value is trimmed and in NFC.
pub fn single_line(value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if let Some(c) = value.chars().find(|c| is_forbidden(*c)) {
        return Err(forbidden_character(c));
    }
    let value = nfc(value);
    if value.chars().count() > max_chars {
        return Err(FieldError::TooLong(max_chars));
    }
    Ok(value)
}

/// Like [`single_line`] but empty is an error.
pub fn required_line(value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = single_line(value, max_chars)?;
    if value.is_empty() {
        return Err(FieldError::Required);
    }
    Ok(value)
}

/// Like [`single_line`] but empty becomes `None`.
pub fn optional_line(value: &str, max_chars: usize) -> Result<Option<String>, FieldError> {
    let value = single_line(value, max_chars)?;
    Ok((!value.is_empty()).then_some(value))
}

/// The key a lookup searches by: trimmed and lowercased; `None` when the
/// value cannot name anything (empty, control characters, absurdly long).
pub fn lookup_key(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || has_control(value) || value.chars().count() > MAX_LOOKUP_CHARS {
        return None;
    }
    let key = nfc(value).to_lowercase();
    // An address is found in either form of its domain.
    Some(if key.contains('@') {
        super::email::address_key(&key)
    } else {
        key
    })
}

/// A search term: `Ok(None)` for an empty box, an error for control characters.
/// Overlong terms are cut (a search box has a maxlength; the rest cannot matter).
pub fn search_term(value: &str) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if has_control(value) {
        return Err(FieldError::InvalidCharacters);
    }
    let value: String = nfc(value).chars().take(MAX_SEARCH_CHARS).collect();
    Ok((!value.is_empty()).then_some(value))
}

/// Text as search compares it, the same on every database: lower case,
/// German letters spelled out (`Müller` is `mueller`, `Straße` is
/// `strasse`), other accents dropped (`José` is `jose`), commas and
/// semicolons as spaces, runs of spaces as one. Typed search terms and the
/// stored search texts both go through it.
pub fn search_fold(value: &str) -> String {
    fold_with(value, super::username::latin)
}

/// Like [`search_fold`], but umlauts lose their dots instead (`Müller` is
/// `muller`): stored beside it, so a search for "Muller" finds Müller too.
pub fn search_fold_plain(value: &str) -> String {
    fold_with(value, |c| match c {
        'ä' => Some("a"),
        'ö' => Some("o"),
        'ü' => Some("u"),
        c => super::username::latin(c),
    })
}

fn fold_with(value: &str, latin: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(value.len());
    for c in nfc(value).to_lowercase().chars() {
        let c = if matches!(c, ',' | ';') || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        match latin(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The stored text a search looks through: each part in both folds (when
/// they differ), parts kept apart by " | " so that no match spans two.
pub fn search_text(parts: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        let (german, plain) = (search_fold(part), search_fold_plain(part));
        if german.is_empty() {
            continue;
        }
        if plain != german {
            out.push(plain);
        }
        out.push(german);
    }
    out.join(" | ")
}

/// Case- and space-insensitive key for unique names (groups, areas).
pub fn name_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A group's or area's name as [`name_key`] with the German letters
/// written out (`ä` as `ae`, `ß` as `ss`) and compatibility forms folded
/// (NFKC: full-width `Ｖｅｒｔｒｉｅｂ` is `Vertrieb`): "Kueche" in a file
/// from a system without umlauts is the group "Küche". Nothing else is
/// folded ("C++" is not "C", "Lager-Nord" not "Lager Nord").
pub fn spelled_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name.nfkc().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for c in name_key(&folded).chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

/// Notes `value` (a group's or area's) under the [`spelled_key`] of its
/// `name`; two with one key cancel each other out (which one a file means
/// is not for us to guess).
pub fn note_spelled<T>(
    map: &mut std::collections::HashMap<String, Option<T>>,
    name: &str,
    value: T,
) {
    map.entry(spelled_key(name))
        .and_modify(|found| *found = None)
        .or_insert(Some(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_keys_write_out_the_german_letters_only() {
        assert_eq!(spelled_key(" KÜCHE  Nord"), "kueche nord");
        assert_eq!(spelled_key("Kueche nord"), "kueche nord");
        assert_eq!(spelled_key("Straße"), spelled_key("STRASSE"));
        assert_ne!(spelled_key("C++"), spelled_key("C"));
        assert_ne!(spelled_key("Lager-Nord"), spelled_key("Lager Nord"));
        assert_ne!(spelled_key("Café"), spelled_key("Cafe"));
    }

    #[test]
    fn decomposed_text_is_the_same_text() {
        let nfd = "Ju\u{308}rgen";
        assert_eq!(single_line(nfd, 20), Ok("Jürgen".to_owned()));
        assert_eq!(search_fold(nfd), "juergen");
        assert_eq!(search_fold("Mu\u{308}ller, Anna"), "mueller anna");
        assert_eq!(
            lookup_key("ANNA.Mu\u{308}LLER@x.de").as_deref(),
            Some("anna.müller@x.de")
        );
    }

    #[test]
    fn invisible_characters_that_hide_or_reverse_text_are_refused() {
        for bad in [
            "\u{200B}",
            "\u{202E}evil",
            "a\u{2066}b",
            "\u{FEFF}x",
            "x\u{200F}",
        ] {
            // Named by its code point: nobody can see it.
            let hidden = bad.chars().find(|c| !c.is_alphanumeric()).unwrap();
            assert_eq!(
                single_line(bad, 20),
                Err(FieldError::HiddenCharacter(hidden)),
                "{bad:?}"
            );
            assert_eq!(lookup_key(bad), None);
        }
        assert_eq!(single_line("a\nb", 20), Err(FieldError::InvalidCharacters));
        assert_eq!(
            single_line("Gast\u{FFFD}", 20),
            Err(FieldError::InvalidCharacters)
        );
        // Joiners are part of some scripts and of emoji.
        assert!(single_line("می\u{200C}خواهم", 20).is_ok());
    }

    #[test]
    fn search_folds_case_and_german_spellings() {
        assert_eq!(search_fold("Müller, Anna"), "mueller anna");
        assert_eq!(search_fold("  MÜLLER   anna "), "mueller anna");
        assert_eq!(search_fold("Özdemir"), "oezdemir");
        assert_eq!(search_fold("ÖZDEMIR"), "oezdemir");
        assert_eq!(search_fold("Straße"), "strasse");
        assert_eq!(search_fold("José García"), "jose garcia");
        assert_eq!(search_fold_plain("Müller"), "muller");
        assert_eq!(search_fold("Mueller"), "mueller");
        assert_eq!(search_fold("50%_x"), "50%_x");
    }

    #[test]
    fn single_line_refuses_line_breaks_and_nul() {
        assert_eq!(
            single_line("a\r\nb", 10),
            Err(FieldError::InvalidCharacters)
        );
        assert_eq!(single_line("a\0b", 10), Err(FieldError::InvalidCharacters));
        assert_eq!(single_line("  Anna ", 10), Ok("Anna".into()));
        assert_eq!(single_line("ääää", 3), Err(FieldError::TooLong(3)));
        assert_eq!(required_line("  ", 3), Err(FieldError::Required));
        assert_eq!(optional_line(" ", 3), Ok(None));
    }

    #[test]
    fn lookups_with_control_characters_find_nothing() {
        assert_eq!(lookup_key(" Anna@X.de "), Some("anna@x.de".into()));
        assert_eq!(lookup_key("anna\0"), None);
        assert_eq!(lookup_key("   "), None);
        assert_eq!(lookup_key(&"a".repeat(400)), None);
    }

    #[test]
    fn search_terms_refuse_control_characters() {
        assert_eq!(search_term("  müller "), Ok(Some("müller".into())));
        assert_eq!(search_term(""), Ok(None));
        assert_eq!(search_term("a\0"), Err(FieldError::InvalidCharacters));
        assert_eq!(
            search_term(&"x".repeat(500)).unwrap().unwrap().len(),
            MAX_SEARCH_CHARS
        );
    }

    #[test]
    fn name_key_ignores_case_and_spacing() {
        assert_eq!(name_key(" Lager  Nord "), name_key("lager nord"));
    }
}
