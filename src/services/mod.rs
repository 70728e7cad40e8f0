//! Use cases: the only door to the data, for writes and for reads. Each
//! takes the `Context` and a typed command, checks permissions, applies the
//! domain rules and writes in one short transaction (with its audit record).
//! CPU-heavy steps (bcrypt, image decoding) run before or after, on the
//! blocking pool, without holding a connection or a turn of the queue.
//! Reads return plain structs made for showing (`domain::people` and
//! friends), never a row with a password hash.

pub mod access_links;
pub mod access_requests;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod export;
pub mod imports;
pub mod invitations;
pub mod letters;
pub mod mail;
pub mod maintenance;
pub mod rate_limit;
pub mod registration;
pub mod resend;
pub mod rules;
pub mod seed;
pub mod self_registration;
pub mod self_service;
pub mod settings;
pub mod setup;
pub mod tasks;
pub mod templates;
pub mod units;
pub mod users;

use crate::context::{DatabaseFailure, QueueError};
use crate::domain::people::SignedInAdmin;
use crate::domain::{AdminRole, FieldError, FieldErrors, Refusal, UserId};
use crate::models::conflict::{UniqueKey, unique_violation};

/// Who is acting: the signed-in admin, or the system (CLI, jobs, setup).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub label: String,
    pub role: AdminRole,
}

impl Actor {
    pub fn admin(admin: &SignedInAdmin) -> Self {
        Self {
            user_id: Some(admin.id),
            label: admin.label(),
            role: admin.role,
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

    /// A person acting on his own account (activation, profile, reset).
    /// He has no admin rights: the services he reaches check his id only,
    /// and no admin page lets a session without an admin role in.
    pub fn person(id: UserId, label: String) -> Self {
        Self {
            user_id: Some(id),
            label,
            role: AdminRole::Lesezugriff,
        }
    }

    fn is(&self, id: UserId) -> bool {
        self.user_id == Some(id)
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
    /// A write ran into a unique key (usually: someone else was faster).
    #[error("unique key taken: {0:?}")]
    Conflict(UniqueKey),
    /// A row the write refers to was removed, or a row it removes was taken
    /// into use, by someone else at the same instant (a foreign key refused
    /// it). Nothing was written.
    #[error("changed meanwhile: a reference no longer holds")]
    Changed,
    /// The database or the CPU queue is overloaded or unreachable.
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("database: {0}")]
    Database(diesel::result::Error),
    #[error("password hashing failed: {0}")]
    Hashing(#[from] bcrypt::BcryptError),
    /// A spreadsheet Einlass makes could not be written.
    #[error("spreadsheet: {0}")]
    Spreadsheet(String),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match unique_violation(&err) {
            Some(key) => ServiceError::Conflict(key),
            // A foreign key someone else's change broke, or PostgreSQL
            // ending one of two transactions that waited for each other:
            // rolled back, nothing written.
            None if matches!(
                &err,
                Error::DatabaseError(
                    DatabaseErrorKind::ForeignKeyViolation
                        | DatabaseErrorKind::SerializationFailure,
                    _
                )
            ) || matches!(&err, Error::DatabaseError(_, info) if info.message().starts_with("deadlock detected")) =>
            {
                ServiceError::Changed
            }
            None => ServiceError::Database(err),
        }
    }
}

impl DatabaseFailure for ServiceError {
    fn database_error(&self) -> Option<&diesel::result::Error> {
        match self {
            ServiceError::Database(e) => Some(e),
            _ => None,
        }
    }
}

impl ServiceError {
    /// A lost race on a unique key, told as the same field error the check
    /// before the write would have given.
    pub(crate) fn conflict_as_field_error(self) -> Self {
        let field = match self {
            ServiceError::Conflict(UniqueKey::Username) => ("username", FieldError::UsernameTaken),
            ServiceError::Conflict(UniqueKey::Email) => ("email", FieldError::EmailTaken),
            ServiceError::Conflict(UniqueKey::PersonnelNumber) => {
                ("personnel_number", FieldError::PersonnelNumberTaken)
            }
            ServiceError::Conflict(UniqueKey::GroupName | UniqueKey::AreaName) => {
                ("name", FieldError::NameTaken)
            }
            other => return other,
        };
        ServiceError::Invalid(FieldErrors::single(field.0, field.1))
    }
}

/// A status change the person's status does not allow refuses the action.
impl From<crate::domain::TransitionError> for ServiceError {
    fn from(_: crate::domain::TransitionError) -> Self {
        ServiceError::Refused(crate::domain::Refusal::StatusDoesNotAllow)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Refuses unless the actor may change users, groups and areas.
pub(crate) fn require_user_management(actor: &Actor) -> ServiceResult<()> {
    if actor.role.may_manage_users() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}
