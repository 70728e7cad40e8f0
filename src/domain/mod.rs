//! Pure rules of the product: no database, no web. Values that exist are
//! valid. Also the plain structs that services hand out for showing (no row
//! with a password hash ever leaves the services).

pub mod access;
pub mod audit;
pub mod dashboard;
pub mod dates;
pub mod email;
pub mod errors;
pub mod ids;
pub mod import;
pub mod mail;
pub mod page;
pub mod password;
pub mod people;
pub mod person;
pub mod photo;
pub mod qr;
pub mod registration;
pub mod role;
pub mod settings;
pub mod status;
pub mod tasks;
pub mod templates;
pub mod text;
pub mod token;
pub mod units;
pub mod username;

pub use email::EmailAddress;
pub use errors::{FieldError, FieldErrors, Refusal};
pub use ids::{UnitId, UserId};
pub use page::Page;
pub use password::Password;
pub use person::{AreaRole, PersonName, PersonnelNumber, Salutation, UserType};
pub use role::AdminRole;
pub use settings::{Language, Settings, TimeZone};
pub use status::{StatusAction, TransitionError, UserStatus};
pub use text::{name_key, optional_line, required_line, single_line};
pub use token::PlainToken;
pub use username::Username;

/// A stored text that is not one of the values its column allows (a CHECK
/// constraint should make this impossible; it is reported, not guessed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} value {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}
