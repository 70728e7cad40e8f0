//! Zugangslinks (one-time access links) and self-registration: the state a
//! link is in, what a set of links grants, and the registration form as it
//! parses. Whoever holds a live link registers once and is `aktiv` at once.

use time::PrimitiveDateTime;

use super::people::UserSummary;
use super::{
    AreaRole, EmailAddress, FieldError, FieldErrors, Password, PersonName, UnitId, UserType,
    Username,
};

/// Links one set holds at most (and that one form makes at once).
pub const MAX_LINKS_PER_SET: i64 = 5_000;
/// How long a set of links may be valid, in days.
pub const MAX_VALID_DAYS: i64 = 365;

/// The state of one access link, as the list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    Offen,
    Benutzt,
    Abgelaufen,
    Widerrufen,
}

impl LinkStatus {
    pub const ALL: [LinkStatus; 4] = [
        LinkStatus::Offen,
        LinkStatus::Benutzt,
        LinkStatus::Abgelaufen,
        LinkStatus::Widerrufen,
    ];

    /// Used wins over everything (it happened); a revocation over expiry
    /// (an admin acted before time did).
    pub fn of(
        used: Option<PrimitiveDateTime>,
        revoked: Option<PrimitiveDateTime>,
        expires_at: PrimitiveDateTime,
        now: PrimitiveDateTime,
    ) -> Self {
        match (used, revoked) {
            (Some(_), _) => LinkStatus::Benutzt,
            (None, Some(_)) => LinkStatus::Widerrufen,
            (None, None) if expires_at <= now => LinkStatus::Abgelaufen,
            (None, None) => LinkStatus::Offen,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Offen => "offen",
            LinkStatus::Benutzt => "benutzt",
            LinkStatus::Abgelaufen => "abgelaufen",
            LinkStatus::Widerrufen => "widerrufen",
        }
    }
}

/// What a registration through a link of the set gives the new account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub user_type: UserType,
    pub group: Option<UnitId>,
    /// The area and the role in it.
    pub area: Option<(UnitId, AreaRole)>,
}

/// A set of links as the list and its page show it.
#[derive(Clone, Debug)]
pub struct LinkSet {
    pub id: i64,
    pub label: String,
    pub created_at: PrimitiveDateTime,
    pub created_by: String,
    pub expires_at: PrimitiveDateTime,
    pub user_type: UserType,
    pub group: Option<String>,
    pub area: Option<(String, AreaRole)>,
    pub links: i64,
    pub used: i64,
    pub revoked: i64,
    /// Not used nor revoked, and the set not expired.
    pub open: i64,
}

impl LinkSet {
    pub fn expired(&self, now: PrimitiveDateTime) -> bool {
        self.expires_at <= now
    }

    /// Open links a revocation would end.
    pub fn unused(&self) -> i64 {
        self.links - self.used - self.revoked
    }
}

/// One link of a set, as its page lists it.
#[derive(Clone, Debug)]
pub struct LinkRow {
    pub number: i32,
    pub status: LinkStatus,
    pub used_at: Option<PrimitiveDateTime>,
    pub used_by: Option<UserSummary>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub revoked_by: Option<String>,
}

/// One set with each of its links, as its page shows them.
#[derive(Clone, Debug)]
pub struct SetDetail {
    pub set: LinkSet,
    pub links: Vec<LinkRow>,
    /// Until when the browser that made the set may show its addresses.
    pub shown_until: Option<PrimitiveDateTime>,
}

/// An open link as the browser that made it sees it: its address.
#[derive(Clone, Debug)]
pub struct ShownLink {
    pub number: i32,
    pub url: String,
    /// The side of its PNG on a letter (pixels).
    pub code_px: u32,
}

/// What an access link is, as its public page tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessState {
    Live {
        expires_at: PrimitiveDateTime,
    },
    /// Somebody registered with it already.
    Used,
    /// Expired, revoked, never issued or malformed: one answer.
    Dead,
}

/// How a self-registered person will sign in, as typed: an address, a
/// username, or both, and a password twice.
#[derive(Clone, Debug, Default)]
pub struct AccountInput {
    pub email: String,
    pub username: String,
    pub password: String,
    pub password_repeat: String,
}

/// The sign-in of a self-registered account, parsed: an address or a
/// username of his choice (a proposed one he could not know) or both.
#[derive(Clone, Debug)]
pub struct Account {
    pub email: Option<EmailAddress>,
    pub username: Option<Username>,
    pub password: Password,
}

impl AccountInput {
    /// The account's fields, their errors added to `errors`.
    pub fn parse_into(&self, errors: &mut FieldErrors) -> Option<Account> {
        let email = if self.email.trim().is_empty() {
            None
        } else {
            errors.take("email", EmailAddress::parse(&self.email))
        };
        let username = if self.username.trim().is_empty() {
            None
        } else {
            errors.take("username", Username::parse(&self.username))
        };
        if self.email.trim().is_empty() && self.username.trim().is_empty() {
            errors.add("email", FieldError::EmailOrUsernameNeeded);
        }
        let password = errors.take("password", Password::parse(&self.password));
        if password.is_some() && !super::password::same(&self.password, &self.password_repeat) {
            errors.add("password_repeat", FieldError::PasswordMismatch);
        }
        Some(Account {
            email,
            username,
            password: password?,
        })
    }
}

/// The registration form of an access link, as the person filled it in.
#[derive(Clone, Debug, Default)]
pub struct RegistrationForm {
    pub first_name: String,
    pub last_name: String,
    pub account: AccountInput,
}

/// A registration through an access link that parsed.
#[derive(Clone, Debug)]
pub struct Registration {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub account: Account,
}

impl RegistrationForm {
    /// Every field's error at once.
    pub fn parse(&self) -> Result<Registration, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = errors.take("first_name", PersonName::parse(&self.first_name));
        let last_name = errors.take("last_name", PersonName::parse(&self.last_name));
        let account = self.account.parse_into(&mut errors);
        match (first_name, last_name, account) {
            (Some(first_name), Some(last_name), Some(account)) if errors.is_empty() => {
                Ok(Registration {
                    first_name,
                    last_name,
                    account,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_link_is_used_revoked_expired_or_open_in_that_order() {
        let (now, later, earlier) = (
            datetime!(2026-12-06 10:00),
            datetime!(2026-12-07 10:00),
            datetime!(2026-12-05 10:00),
        );
        assert_eq!(
            LinkStatus::of(Some(earlier), Some(now), earlier, now),
            LinkStatus::Benutzt
        );
        assert_eq!(
            LinkStatus::of(None, Some(earlier), earlier, now),
            LinkStatus::Widerrufen
        );
        assert_eq!(LinkStatus::of(None, None, now, now), LinkStatus::Abgelaufen);
        assert_eq!(LinkStatus::of(None, None, later, now), LinkStatus::Offen);
    }

    fn form() -> RegistrationForm {
        RegistrationForm {
            first_name: " Anna ".into(),
            last_name: "Müller".into(),
            account: AccountInput {
                email: String::new(),
                username: "anna.m".into(),
                password: "lang genug und gut".into(),
                password_repeat: "lang genug und gut".into(),
            },
        }
    }

    #[test]
    fn a_registration_needs_an_address_or_a_username() {
        let r = form().parse().unwrap();
        assert_eq!(r.first_name.as_str(), "Anna");
        assert!(r.account.email.is_none());
        assert_eq!(r.account.username.unwrap().as_str(), "anna.m");
        let mut f = form();
        f.account.username = " ".into();
        assert_eq!(
            f.parse().unwrap_err().get("email"),
            Some(FieldError::EmailOrUsernameNeeded)
        );
        f.account.email = "Anna@Example.org".into();
        assert!(f.parse().is_ok());
    }

    #[test]
    fn every_error_of_a_registration_shows_at_once() {
        let f = RegistrationForm {
            first_name: String::new(),
            last_name: "x\0y".into(),
            account: AccountInput {
                email: "kein-at".into(),
                username: "a b".into(),
                password: "kurz".into(),
                password_repeat: "anders".into(),
            },
        };
        let errors = f.parse().unwrap_err();
        for field in ["first_name", "last_name", "email", "username", "password"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let mut f = form();
        f.account.password_repeat = "anders als oben".into();
        assert_eq!(
            f.parse().unwrap_err().get("password_repeat"),
            Some(FieldError::PasswordMismatch)
        );
    }
}
