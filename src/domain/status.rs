//! The user status model. Every change of status goes through one of the
//! transition functions below; nothing else produces a new status.
//!
//! ```text
//! angelegt ──invite──▶ eingeladen ──activate──▶ aktiv ──mark_inactive──▶ inaktiv
//!    │                  │  ▲ renew      ▲                                 │
//!    │                  │  └────────────┘ reactivate (self or admin) ◀────┘
//!    │                  ├─revoke──▶ widerrufen ──invite──▶ eingeladen
//!    │                  └─expire──▶ inaktiv ──invite──▶ eingeladen
//!    └─set_start_password──▶ aktiv
//! ausstehend ──approve──▶ aktiv      ausstehend ──reject──▶ abgelehnt
//! (any but ausstehend/abgelehnt) ──deactivate──▶ deaktiviert ──unblock──▶ aktiv | angelegt
//! ```

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserStatus {
    Angelegt,
    Eingeladen,
    Aktiv,
    Inaktiv,
    Widerrufen,
    Ausstehend,
    Abgelehnt,
    Deaktiviert,
}

/// The things that can happen to a user's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusAction {
    Invite,
    Renew,
    Revoke,
    Expire,
    Activate,
    SetStartPassword,
    MarkInactive,
    Reactivate,
    Approve,
    Reject,
    Deactivate,
    Unblock,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a user in status {from} cannot be changed by {action:?}")]
pub struct TransitionError {
    pub from: UserStatus,
    pub action: StatusAction,
}

use UserStatus::*;

impl UserStatus {
    pub const ALL: [UserStatus; 8] = [
        Angelegt,
        Eingeladen,
        Aktiv,
        Inaktiv,
        Widerrufen,
        Ausstehend,
        Abgelehnt,
        Deaktiviert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Angelegt => "angelegt",
            Eingeladen => "eingeladen",
            Aktiv => "aktiv",
            Inaktiv => "inaktiv",
            Widerrufen => "widerrufen",
            Ausstehend => "ausstehend",
            Abgelehnt => "abgelehnt",
            Deaktiviert => "deaktiviert",
        }
    }

    fn go(
        self,
        action: StatusAction,
        allowed: &[UserStatus],
        to: UserStatus,
    ) -> Result<Self, TransitionError> {
        if allowed.contains(&self) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, action })
        }
    }

    /// First invitation, or a new one after revocation or expiry.
    pub fn invite(self) -> Result<Self, TransitionError> {
        self.go(
            StatusAction::Invite,
            &[Angelegt, Widerrufen, Inaktiv],
            Eingeladen,
        )
    }

    /// A new link for a live invitation.
    pub fn renew(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Renew, &[Eingeladen], Eingeladen)
    }

    pub fn revoke(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Revoke, &[Eingeladen], Widerrufen)
    }

    /// The invitation link ran out unused.
    pub fn expire(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Expire, &[Eingeladen], Inaktiv)
    }

    /// The invitee redeemed the invitation.
    pub fn activate(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Activate, &[Eingeladen], Aktiv)
    }

    /// An admin gave the user a start password (at creation, or a new one
    /// later): he can sign in with it, and any invitation is over.
    pub fn set_start_password(self) -> Result<Self, TransitionError> {
        self.go(
            StatusAction::SetStartPassword,
            &[Angelegt, Eingeladen, Aktiv, Inaktiv, Widerrufen],
            Aktiv,
        )
    }

    /// The nightly rule: a by-hand reactivation that was not followed by a login.
    pub fn mark_inactive(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::MarkInactive, &[Aktiv], Inaktiv)
    }

    /// Back from `inaktiv`: the user through "Passwort vergessen", or an admin by hand.
    pub fn reactivate(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Reactivate, &[Inaktiv], Aktiv)
    }

    /// An admin approves a self-registration.
    pub fn approve(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Approve, &[Ausstehend], Aktiv)
    }

    pub fn reject(self) -> Result<Self, TransitionError> {
        self.go(StatusAction::Reject, &[Ausstehend], Abgelehnt)
    }

    /// An admin blocks the account.
    pub fn deactivate(self) -> Result<Self, TransitionError> {
        self.go(
            StatusAction::Deactivate,
            &[Angelegt, Eingeladen, Aktiv, Inaktiv, Widerrufen],
            Deaktiviert,
        )
    }

    /// An admin lifts the block: an account that had a password is `aktiv`
    /// again, one that never had one starts over as `angelegt`.
    pub fn unblock(self, has_password: bool) -> Result<Self, TransitionError> {
        let to = if has_password { Aktiv } else { Angelegt };
        self.go(StatusAction::Unblock, &[Deaktiviert], to)
    }

    /// The status a self-registered account starts in: `aktiv` when what
    /// he registered with admits him (an access link, a whitelist entry),
    /// `ausstehend` while an admin has to approve him (open registration).
    pub fn registered(needs_approval: bool) -> Self {
        if needs_approval { Ausstehend } else { Aktiv }
    }

    /// Whether someone in this status may sign in with a password.
    pub fn may_sign_in(self) -> bool {
        matches!(self, Aktiv)
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Transition = fn(UserStatus) -> Result<UserStatus, TransitionError>;
    type Row = (StatusAction, Transition, Vec<(UserStatus, UserStatus)>);

    /// Every action with the exact set of statuses it is allowed from and where it leads.
    fn table() -> Vec<Row> {
        vec![
            (
                StatusAction::Invite,
                UserStatus::invite,
                vec![
                    (Angelegt, Eingeladen),
                    (Widerrufen, Eingeladen),
                    (Inaktiv, Eingeladen),
                ],
            ),
            (
                StatusAction::Renew,
                UserStatus::renew,
                vec![(Eingeladen, Eingeladen)],
            ),
            (
                StatusAction::Revoke,
                UserStatus::revoke,
                vec![(Eingeladen, Widerrufen)],
            ),
            (
                StatusAction::Expire,
                UserStatus::expire,
                vec![(Eingeladen, Inaktiv)],
            ),
            (
                StatusAction::Activate,
                UserStatus::activate,
                vec![(Eingeladen, Aktiv)],
            ),
            (
                StatusAction::SetStartPassword,
                UserStatus::set_start_password,
                vec![
                    (Angelegt, Aktiv),
                    (Eingeladen, Aktiv),
                    (Aktiv, Aktiv),
                    (Inaktiv, Aktiv),
                    (Widerrufen, Aktiv),
                ],
            ),
            (
                StatusAction::MarkInactive,
                UserStatus::mark_inactive,
                vec![(Aktiv, Inaktiv)],
            ),
            (
                StatusAction::Reactivate,
                UserStatus::reactivate,
                vec![(Inaktiv, Aktiv)],
            ),
            (
                StatusAction::Approve,
                UserStatus::approve,
                vec![(Ausstehend, Aktiv)],
            ),
            (
                StatusAction::Reject,
                UserStatus::reject,
                vec![(Ausstehend, Abgelehnt)],
            ),
            (
                StatusAction::Deactivate,
                UserStatus::deactivate,
                vec![
                    (Angelegt, Deaktiviert),
                    (Eingeladen, Deaktiviert),
                    (Aktiv, Deaktiviert),
                    (Inaktiv, Deaktiviert),
                    (Widerrufen, Deaktiviert),
                ],
            ),
            (
                StatusAction::Unblock,
                |s| s.unblock(true),
                vec![(Deaktiviert, Aktiv)],
            ),
            (
                StatusAction::Unblock,
                |s| s.unblock(false),
                vec![(Deaktiviert, Angelegt)],
            ),
        ]
    }

    #[test]
    fn every_allowed_transition_leads_where_documented() {
        for (action, transition, allowed) in table() {
            for (from, to) in &allowed {
                assert_eq!(transition(*from), Ok(*to), "{action:?} from {from}");
            }
        }
    }

    #[test]
    fn every_other_transition_is_refused() {
        for (action, transition, allowed) in table() {
            for from in UserStatus::ALL {
                if allowed.iter().any(|(f, _)| *f == from) {
                    continue;
                }
                assert_eq!(
                    transition(from),
                    Err(TransitionError { from, action }),
                    "{action:?} from {from}"
                );
            }
        }
    }

    #[test]
    fn only_active_users_sign_in() {
        for s in UserStatus::ALL {
            assert_eq!(s.may_sign_in(), s == Aktiv, "{s}");
        }
    }

    #[test]
    fn round_trips_through_text() {
        for s in UserStatus::ALL {
            assert_eq!(s.as_str().parse::<UserStatus>(), Ok(s));
        }
        assert!("deleted".parse::<UserStatus>().is_err());
    }
}
