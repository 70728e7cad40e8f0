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
    /// When the live invitation's link runs out (fixed when it was issued).
    pub invitation_expires_at: Option<PrimitiveDateTime>,
    /// Delivery of the last invitation mail.
    pub invite_delivery: Option<crate::domain::mail::Delivery>,
    /// When his scheduled invitation goes out (while it is `geplant`).
    pub invite_scheduled_for: Option<PrimitiveDateTime>,
    /// Reactivated by hand: must sign in before this instant.
    pub sign_in_deadline: Option<PrimitiveDateTime>,
}

/// The invitation at a glance, as the list and the user page show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationState {
    NotInvited,
    /// Scheduled: the mail and its link go out at the given instant.
    Scheduled(PrimitiveDateTime),
    /// Live until the given instant.
    Invited(PrimitiveDateTime),
    Expired,
    Revoked,
    Activated,
    /// Not an invitation matter (pending, rejected, deactivated).
    None,
}

impl UserSummary {
    /// A fingerprint of what the edit form changes (and the groups it
    /// shows): the form carries the one it was made from, and a save made
    /// from a form older than the person's last change is refused rather
    /// than writing its older values back.
    pub fn edit_version(&self, groups: &[super::UnitId]) -> String {
        use sha2::{Digest, Sha256};
        let mut groups: Vec<i64> = groups.iter().map(|g| g.get()).collect();
        groups.sort_unstable();
        let mut h = Sha256::new();
        for part in [
            self.salutation.map(|s| s.as_str()).unwrap_or(""),
            &self.first_name,
            &self.last_name,
            &self.username,
            self.email.as_deref().unwrap_or(""),
            self.personnel_number.as_deref().unwrap_or(""),
            self.user_type.as_str(),
            self.admin_role.map(|r| r.as_str()).unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        for g in groups {
            h.update(g.to_le_bytes());
        }
        hex::encode(&h.finalize()[..12])
    }

    /// The invitation's state at `now` (an expired link before the nightly
    /// rule ran is shown as expired already).
    pub fn invitation_state(&self, now: PrimitiveDateTime) -> InvitationState {
        match self.status {
            UserStatus::Angelegt => InvitationState::NotInvited,
            UserStatus::Eingeladen if self.invite_scheduled_for.is_some() => {
                InvitationState::Scheduled(self.invite_scheduled_for.unwrap_or(now))
            }
            UserStatus::Eingeladen => match self.invitation_expires_at {
                Some(at) if at > now => InvitationState::Invited(at),
                _ => InvitationState::Expired,
            },
            UserStatus::Inaktiv if self.invitation_expires_at.is_some() => InvitationState::Expired,
            UserStatus::Widerrufen => InvitationState::Revoked,
            UserStatus::Aktiv | UserStatus::Inaktiv => InvitationState::Activated,
            _ => InvitationState::None,
        }
    }

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
    /// His address is blocked (after a permanent delivery failure).
    pub address_blocked: bool,
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
    /// The newest messages to him (invitations, resets), newest first.
    pub mails: Vec<crate::domain::mail::SentMail>,
    /// His address is blocked after a permanent failure.
    pub address_block: Option<crate::domain::mail::AddressBlock>,
    /// When the page was made (the invitation state depends on it).
    pub now: PrimitiveDateTime,
}

/// What an invitation link is, as its page tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Usable: the invitee, as the activation form shows him.
    Live(Invitee),
    /// Used already: the account is set up; sign in (or reset the password).
    Used,
    /// Expired, revoked, replaced by a newer one, never issued or malformed:
    /// one answer, so the page does not tell which.
    Dead,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub expires_at: PrimitiveDateTime,
}

/// The signed-in person's own data, as his profile shows it.
pub struct Profile {
    pub display_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_confirmed: bool,
    pub is_admin: bool,
    pub has_photo: bool,
    /// Changes with every new photo, so browsers do not show an old one.
    pub photo_version: i64,
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
