//! Use cases, one transaction each. They check permissions, apply the domain
//! rules, write through the models and record the audit trail.

pub mod audit;
pub mod auth;
pub mod seed;
pub mod settings;
pub mod setup;
pub mod units;
pub mod users;

use crate::domain::{AdminRole, FieldError};
use crate::models::user::User;

/// Who is acting: the logged-in admin (or the system for CLI and jobs).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
    pub role: AdminRole,
}

impl Actor {
    pub fn admin(user: &User, role: AdminRole) -> Self {
        Self {
            user_id: Some(user.id),
            label: user.label(),
            role,
        }
    }

    /// The command line or a background job, acting with full rights.
    pub fn system(label: &str) -> Self {
        Self {
            user_id: None,
            label: label.to_owned(),
            role: AdminRole::Administrator,
        }
    }
}

/// Field-level validation errors, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, FieldError)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, error: FieldError) {
        if self.get(field).is_none() {
            self.0.push((field, error));
        }
    }

    pub fn get(&self, field: &str) -> Option<FieldError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| *e)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the value of a parse result, remembering its error under `field`.
    pub fn take<T>(&mut self, field: &'static str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    pub fn single(field: &'static str, error: FieldError) -> Self {
        Self(vec![(field, error)])
    }
}

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    #[error("not permitted")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A rule of the product forbids it; the reason is shown to the admin.
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error("password hashing failed: {0}")]
    Hashing(#[from] bcrypt::BcryptError),
}

/// Product rules that refuse an action as a whole (not one field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    LastAdministrator,
    NotOnYourself,
    StatusDoesNotAllow,
    UnitInUse(i64),
    SetupDone,
}

pub type ServiceResult<T> = Result<T, ServiceError>;
