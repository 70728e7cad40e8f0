//! People as the admin pages show them: plain structs built by the services
//! from the database, without password hashes or other secrets.

use time::PrimitiveDateTime;

use super::audit::AuditEntry;
use super::units::Unit;
use super::{AdminRole, AreaRole, Salutation, UserId, UserStatus, UserType};

/// A user as lists and pages show him.
#[derive(Clone, Debug, PartialEq)]
pub struct UserSummary {
    pub id: UserId,
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_confirmed: bool,
    pub personnel_number: Option<String>,
    pub user_type: UserType,
    /// Set for accounts with access to the admin area.
    pub admin_role: Option<AdminRole>,
    pub status: UserStatus,
    pub must_change_password: bool,
    pub last_login_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl UserSummary {
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name)
    }

    /// "Vorname Nachname (benutzername)", as the audit log records people.
    pub fn label(&self) -> String {
        format!("{} ({})", self.display_name(), self.username)
    }

    pub fn is_staff(&self) -> bool {
        self.admin_role.is_some()
    }
}

pub fn display_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// How the user list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Name,
    Username,
    Email,
    Status,
    Created,
}

impl UserSort {
    pub const ALL: [UserSort; 5] = [
        Self::Name,
        Self::Username,
        Self::Email,
        Self::Status,
        Self::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Username => "username",
            Self::Email => "email",
            Self::Status => "status",
            Self::Created => "created",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }
}

/// One line of the user list: the user and the names of his groups.
#[derive(Clone, Debug)]
pub struct UserListRow {
    pub user: UserSummary,
    pub groups: Vec<String>,
}

/// Everything the user page shows.
#[derive(Clone, Debug)]
pub struct UserDetail {
    pub user: UserSummary,
    pub groups: Vec<Unit>,
    pub areas: Vec<(Unit, AreaRole)>,
    pub history: Vec<AuditEntry>,
    pub has_photo: bool,
    /// Whether the viewing admin may change this person.
    pub may_change: bool,
    pub is_self: bool,
}

/// An area as the "assign areas" form offers it, with the user's role there.
#[derive(Clone, Debug)]
pub struct AreaChoice {
    pub area: Unit,
    pub role: Option<AreaRole>,
}

/// A stored photo, ready to serve.
pub struct Photo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The signed-in admin, as every admin request knows him.
#[derive(Clone, Debug)]
pub struct SignedInAdmin {
    pub id: UserId,
    pub display_name: String,
    pub username: String,
    pub role: AdminRole,
    pub must_change_password: bool,
}

impl SignedInAdmin {
    pub fn label(&self) -> String {
        format!("{} ({})", self.display_name, self.username)
    }
}
