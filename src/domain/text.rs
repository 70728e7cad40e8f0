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
//! PostgreSQL refuses NUL in text outright, so anything that skipped these
//! rules would fail there; the integration tests send NUL and CR/LF in every
//! form field and query parameter on both databases.

use super::FieldError;

/// Longest lookup key accepted (an email address is at most 254).
pub const MAX_LOOKUP_CHARS: usize = 320;
/// Longest search term accepted.
pub const MAX_SEARCH_CHARS: usize = 200;

pub fn has_control(value: &str) -> bool {
    value.chars().any(char::is_control)
}

/// Rejects control characters (CR/LF included) in single-line text fields.
pub fn single_line(value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if has_control(value) {
        return Err(FieldError::InvalidCharacters);
    }
    if value.chars().count() > max_chars {
        return Err(FieldError::TooLong);
    }
    Ok(value.to_owned())
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
    Some(value.to_lowercase())
}

/// A search term: `Ok(None)` for an empty box, an error for control characters.
/// Overlong terms are cut (a search box has a maxlength; the rest cannot matter).
pub fn search_term(value: &str) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if has_control(value) {
        return Err(FieldError::InvalidCharacters);
    }
    let value: String = value.chars().take(MAX_SEARCH_CHARS).collect();
    Ok((!value.is_empty()).then_some(value))
}

/// Case- and space-insensitive key for unique names (groups, areas).
pub fn name_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_refuses_line_breaks_and_nul() {
        assert_eq!(
            single_line("a\r\nb", 10),
            Err(FieldError::InvalidCharacters)
        );
        assert_eq!(single_line("a\0b", 10), Err(FieldError::InvalidCharacters));
        assert_eq!(single_line("  Anna ", 10), Ok("Anna".into()));
        assert_eq!(single_line("ääää", 3), Err(FieldError::TooLong));
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
