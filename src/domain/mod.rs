//! Pure rules of the product: no database, no web. Values that exist are valid.

pub mod email;
pub mod password;
pub mod person;
pub mod photo;
pub mod role;
pub mod status;
pub mod token;
pub mod username;

pub use email::EmailAddress;
pub use password::Password;
pub use person::{AreaRole, Salutation, UserType};
pub use role::AdminRole;
pub use status::{StatusAction, TransitionError, UserStatus};
pub use token::PlainToken;
pub use username::Username;

/// Why a single field value was refused; translated by the web layer and shown
/// next to its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    Required,
    TooLong,
    InvalidEmail,
    EmailTaken,
    EmailLocked,
    InvalidUsername,
    UsernameTaken,
    PersonnelNumberTaken,
    InvalidChoice,
    PasswordTooShort,
    PasswordTooLong,
    PasswordMismatch,
    PasswordWrong,
    NameTaken,
    InvalidColour,
    InvalidUrl,
    InvalidTimeZone,
    OutOfRange,
    RoleTooHigh,
    InvalidCharacters,
    InvalidImage,
    ImageTooLarge,
}

/// Rejects control characters (CR/LF included) in single-line text fields.
pub fn single_line(value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().any(char::is_control) {
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

/// Case- and accent-insensitive key for unique names (groups, areas).
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
    fn single_line_refuses_line_breaks() {
        assert_eq!(
            single_line("a\r\nb", 10),
            Err(FieldError::InvalidCharacters)
        );
        assert_eq!(single_line("  Anna ", 10), Ok("Anna".into()));
        assert_eq!(single_line("ääää", 3), Err(FieldError::TooLong));
        assert_eq!(required_line("  ", 3), Err(FieldError::Required));
        assert_eq!(optional_line(" ", 3), Ok(None));
    }

    #[test]
    fn name_key_ignores_case_and_spacing() {
        assert_eq!(name_key(" Lager  Nord "), name_key("lager nord"));
    }
}
