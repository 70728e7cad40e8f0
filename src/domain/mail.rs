//! Mail without I/O: the kinds of message, their delivery states, the texts
//! (subject and body per kind and language, with placeholders), the branded
//! HTML frame, how the server's answers are classified, the retry schedule,
//! and how the token of a link is sealed while a message waits.
//!
//! A message is rendered when it is queued, with [`LINK_MARK`] where its link
//! goes: the stored copy never holds the link. The worker puts the real link
//! in when it sends; the log shows a masked one.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::token::PlainToken;
use super::{UserId, UserStatus};

/// Stands for the link in a stored message. User data cannot contain it:
/// control characters are refused in every field (`domain::text`).
pub const LINK_MARK: &str = "\u{7}link\u{7}";

/// What a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailKind {
    Invitation,
    /// "Erinnerung": a fresh link shortly before an invitation expires.
    Reminder,
    PasswordReset,
    EmailConfirmation,
    /// An access request was approved / declined.
    AccessApproved,
    AccessRejected,
    Test,
}

impl MailKind {
    pub const ALL: [MailKind; 7] = [
        MailKind::Invitation,
        MailKind::Reminder,
        MailKind::PasswordReset,
        MailKind::EmailConfirmation,
        MailKind::AccessApproved,
        MailKind::AccessRejected,
        MailKind::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
            MailKind::PasswordReset => "password_reset",
            MailKind::EmailConfirmation => "email_confirmation",
            MailKind::AccessApproved => "access_approved",
            MailKind::AccessRejected => "access_rejected",
            MailKind::Test => "test",
        }
    }
}

impl std::str::FromStr for MailKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// Where a message is on its way out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// An invitation waiting for its send time; its link and text are made
    /// when the time comes.
    Geplant,
    /// Queued, or being retried.
    Wartend,
    Gesendet,
    /// Refused for good, or given up after retrying.
    Fehlgeschlagen,
    /// Not sent: the address is blocked after an earlier permanent failure.
    Blockiert,
    /// Not sent: the link it carried died first (renewed, revoked).
    Abgebrochen,
}

impl Delivery {
    pub const ALL: [Delivery; 6] = [
        Delivery::Geplant,
        Delivery::Wartend,
        Delivery::Gesendet,
        Delivery::Fehlgeschlagen,
        Delivery::Blockiert,
        Delivery::Abgebrochen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Geplant => "geplant",
            Delivery::Wartend => "wartend",
            Delivery::Gesendet => "gesendet",
            Delivery::Fehlgeschlagen => "fehlgeschlagen",
            Delivery::Blockiert => "blockiert",
            Delivery::Abgebrochen => "abgebrochen",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl std::str::FromStr for Delivery {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::parse(s).ok_or(())
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a message failed, so the admin gets advice, not just a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The server refused this message or address for good (5xx).
    Rejected,
    /// The server refused our credentials: a configuration problem.
    Auth,
    /// TLS failed (certificate, handshake): a configuration problem.
    Tls,
    /// Temporary failures went on past the give-up time.
    GaveUp,
    /// The address was blocked before this message went out.
    Blocked,
}

impl FailureKind {
    pub const ALL: [FailureKind; 5] = [
        FailureKind::Rejected,
        FailureKind::Auth,
        FailureKind::Tls,
        FailureKind::GaveUp,
        FailureKind::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Rejected => "rejected",
            FailureKind::Auth => "auth",
            FailureKind::Tls => "tls",
            FailureKind::GaveUp => "gave_up",
            FailureKind::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the fault is the instance's configuration, not the address.
    pub fn is_configuration(self) -> bool {
        matches!(self, FailureKind::Auth | FailureKind::Tls)
    }
}

/// What one attempt to send came to, as the worker classifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The server took the message (its answer, e.g. "250 2.0.0 Ok: queued").
    Sent(String),
    /// Try again later: 4xx, connection refused, timeout.
    Transient(String),
    /// Failed for good.
    Permanent(FailureKind, String),
}

/// Classifies an SMTP reply code (and whether it came in answer to AUTH).
pub fn classify_code(code: u16, answer: String) -> Attempt {
    match code {
        200..=399 => Attempt::Sent(answer),
        // 530 auth required, 534/535/538 credentials refused.
        530 | 534 | 535 | 538 => Attempt::Permanent(FailureKind::Auth, answer),
        400..=499 => Attempt::Transient(answer),
        _ => Attempt::Permanent(FailureKind::Rejected, answer),
    }
}

/// When the next attempt is due after `attempts` failed ones: 30 s, 1 min,
/// 2 min, … doubling, at most one hour apart.
pub fn retry_delay(attempts: i32, base: time::Duration) -> time::Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    let delay = base * 2i32.saturating_pow(doublings as u32).min(1 << 20);
    delay.min(time::Duration::hours(1))
}

/// Seals a token with the instance key for the time its message waits: the
/// database holds no token in clear. Each message has its own key stream
/// (HMAC-SHA256 of the message key and a block counter), so equal tokens
/// never look alike.
pub fn seal_token(key: &[u8], message_key: &str, token: &PlainToken) -> String {
    hex::encode(xor_stream(key, message_key, token.expose().as_bytes()))
}

/// The token back from [`seal_token`]; `None` for anything not sealed so.
pub fn unseal_token(key: &[u8], message_key: &str, sealed: &str) -> Option<PlainToken> {
    let bytes = hex::decode(sealed).ok()?;
    let plain = String::from_utf8(xor_stream(key, message_key, &bytes)).ok()?;
    Some(PlainToken::from_untrusted(&plain))
}

fn xor_stream(key: &[u8], message_key: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (block, chunk) in data.chunks(32).enumerate() {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
            return Vec::new();
        };
        mac.update(b"einlass-outbox-seal\0");
        mac.update(message_key.as_bytes());
        mac.update(&(block as u32).to_be_bytes());
        let pad = mac.finalize().into_bytes();
        out.extend(chunk.iter().zip(pad.iter()).map(|(d, p)| d ^ p));
    }
    out
}

/// The messages to one user, for his page: kind, status, times, answer.
#[derive(Clone, Debug, PartialEq)]
pub struct SentMail {
    pub id: i64,
    pub kind: MailKind,
    pub status: Delivery,
    pub created_at: time::PrimitiveDateTime,
    pub sent_at: Option<time::PrimitiveDateTime>,
    pub attempts: i32,
    pub answer: Option<String>,
    pub failure: Option<FailureKind>,
}

/// A message of the in-app mailbox, with its working link.
pub struct MailboxEntry {
    pub id: i64,
    pub kind: MailKind,
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub link: Option<String>,
    /// The message has a link this reader may not use (shown masked).
    pub link_hidden: bool,
    pub sent_at: Option<time::PrimitiveDateTime>,
}

/// The answer recorded for a message delivered to the in-app mailbox (the
/// pages show it in the reader's language).
pub const LOCAL_ANSWER: &str = "delivered to the in-app mailbox";

/// What the email log shows of a message (one row of the list).
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub id: i64,
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub status: Delivery,
    pub attempts: i32,
    pub created_at: time::PrimitiveDateTime,
    pub sent_at: Option<time::PrimitiveDateTime>,
    pub last_answer: Option<String>,
}

/// One message in full, as the log's "Info" shows it: the link masked.
#[derive(Clone, Debug)]
pub struct LogMessage {
    pub entry: LogEntry,
    pub to_name: String,
    pub message_id: String,
    pub from: String,
    pub text: String,
    pub html: String,
    pub transport: Option<String>,
    pub failure_kind: Option<FailureKind>,
}

/// What "Erneut senden" can do with a message now, and if not, why and what
/// to do instead. Decided by [`resend_check`] from the facts of the moment,
/// for the Info page before the click and again in the transaction of the
/// click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResendCheck {
    /// A fresh copy goes out to this address; `fresh_link`: with a fresh
    /// link, and the old one dies.
    Possible { to: String, fresh_link: bool },
    /// Sent again already, as this message (which can be sent again).
    AlreadyResent(i64),
    /// Not sent yet: a scheduled invitation goes out at its time (revoking
    /// it cancels it).
    Scheduled(UserId),
    /// The invitation ran out unused: a new invitation renews it.
    InvitationExpired(UserId),
    /// The invitation was revoked: a new invitation is the way back.
    InvitationRevoked(UserId),
    /// The person has activated his account: nothing to do.
    AlreadyActive(UserId),
    /// The person's account is deactivated: nothing goes out.
    Deactivated(UserId),
    /// The person was deleted.
    UserGone,
    /// The person has no address now.
    NoAddress(UserId),
    /// What the message was for is over (the address was confirmed or
    /// changed; the account cannot use a new password).
    NoLongerApplies,
    /// The address the copy would go to is blocked: unblock it first.
    Blocked(String),
    /// Sent again [`RESEND_PER_HOUR`] times to this address in the last hour.
    TooMany,
}

/// At most this many copies per recipient and hour ("Erneut senden").
pub const RESEND_PER_HOUR: i64 = 3;

impl ResendCheck {
    pub fn is_possible(&self) -> bool {
        matches!(self, ResendCheck::Possible { .. })
    }
}

/// The person a message went to, as he is now.
#[derive(Clone, Debug)]
pub struct ResendPerson {
    pub id: UserId,
    pub status: UserStatus,
    pub email: Option<String>,
    pub email_confirmed: bool,
    pub invitation_expires_at: Option<time::PrimitiveDateTime>,
    /// His current invitation is scheduled, not sent yet.
    pub invitation_scheduled: bool,
}

/// The facts "Erneut senden" is decided on.
pub struct ResendFacts<'a> {
    pub kind: MailKind,
    pub recipient: &'a str,
    /// The message was to a person (`Some(None)`: who has been deleted).
    pub person: Option<Option<ResendPerson>>,
    pub copy: Option<i64>,
    /// The message is a scheduled invitation not sent yet.
    pub scheduled: bool,
    /// Whether the address a copy would go to ([`copy_address`]) is blocked.
    pub blocked: bool,
    /// Copies sent to that address in the last hour.
    pub sent_lately: i64,
    pub now: time::PrimitiveDateTime,
}

/// Where a copy would go: the person's address as it is now; a test mail
/// (or a message to nobody's account) to its recipient.
pub fn copy_address(
    kind: MailKind,
    person: &Option<Option<ResendPerson>>,
    recipient: &str,
) -> Option<String> {
    match (kind, person) {
        (_, Some(None)) => None,
        (MailKind::Test, _) | (_, None) => Some(recipient.to_owned()),
        (_, Some(Some(p))) => p.email.clone(),
    }
}

/// Decides what "Erneut senden" can do (see [`ResendCheck`]). A copy goes
/// to the person's address as it is now; a test mail to its recipient.
pub fn resend_check(f: &ResendFacts<'_>) -> ResendCheck {
    use UserStatus as S;
    if let Some(copy) = f.copy {
        return ResendCheck::AlreadyResent(copy);
    }
    if f.scheduled
        && let Some(Some(p)) = &f.person
    {
        return ResendCheck::Scheduled(p.id);
    }
    let (to, fresh_link) = match (f.kind, &f.person) {
        (_, Some(None)) => return ResendCheck::UserGone,
        (MailKind::Test, _) | (_, None) => (f.recipient.to_owned(), false),
        (kind, Some(Some(p))) => {
            let verdict = match kind {
                MailKind::Invitation | MailKind::Reminder if p.invitation_scheduled => {
                    Some(ResendCheck::Scheduled(p.id))
                }
                MailKind::Invitation | MailKind::Reminder => match p.status {
                    S::Eingeladen if p.invitation_expires_at.is_some_and(|e| e > f.now) => None,
                    S::Eingeladen | S::Inaktiv => Some(ResendCheck::InvitationExpired(p.id)),
                    S::Widerrufen => Some(ResendCheck::InvitationRevoked(p.id)),
                    S::Aktiv => Some(ResendCheck::AlreadyActive(p.id)),
                    S::Deaktiviert => Some(ResendCheck::Deactivated(p.id)),
                    S::Angelegt | S::Ausstehend | S::Abgelehnt => {
                        Some(ResendCheck::NoLongerApplies)
                    }
                },
                MailKind::PasswordReset => match p.status {
                    S::Aktiv | S::Inaktiv => None,
                    S::Deaktiviert => Some(ResendCheck::Deactivated(p.id)),
                    _ => Some(ResendCheck::NoLongerApplies),
                },
                MailKind::EmailConfirmation => {
                    let same = p
                        .email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase() == f.recipient.to_lowercase());
                    (!same || p.email_confirmed).then_some(ResendCheck::NoLongerApplies)
                }
                MailKind::AccessApproved | MailKind::AccessRejected | MailKind::Test => None,
            };
            if let Some(v) = verdict {
                return v;
            }
            match &p.email {
                // A copy of a message without a link carries none either.
                Some(e) => (e.clone(), kind.carries_link()),
                None => return ResendCheck::NoAddress(p.id),
            }
        }
    };
    if f.blocked {
        ResendCheck::Blocked(to.to_lowercase())
    } else if f.sent_lately >= RESEND_PER_HOUR {
        ResendCheck::TooMany
    } else {
        ResendCheck::Possible { to, fresh_link }
    }
}

/// An address blocked after a permanent failure, as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockedEntry {
    pub address: String,
    pub reason: String,
    pub answer: String,
    pub blocked_at: time::PrimitiveDateTime,
}

/// The state of mail for the dashboard.
pub struct MailHealth {
    pub local_only: bool,
    pub waiting: i64,
    pub failed_recently: i64,
    /// The newest authentication or TLS failure since the last success.
    pub configuration_failure: Option<(FailureKind, String, time::PrimitiveDateTime)>,
}

/// An address blocked after a permanent failure, as the user page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressBlock {
    pub answer: String,
    pub blocked_at: time::PrimitiveDateTime,
}

pub use super::templates::{Frame, MailVars, Rendered, escape_html, render};

/// The link as the log shows it: the token masked.
pub fn masked_link(base: &str, path: &str) -> String {
    format!("{base}{path}••••••••")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::token::TokenPurpose;

    #[test]
    fn sealed_tokens_come_back_only_with_the_same_key_and_message() {
        let token = PlainToken::generate(TokenPurpose::Invitation);
        let sealed = seal_token(b"key", "m1", &token);
        assert!(!sealed.contains(token.expose()));
        assert_ne!(sealed, seal_token(b"key", "m2", &token));
        let back = unseal_token(b"key", "m1", &sealed).map(|t| t.expose().to_owned());
        assert_eq!(back.as_deref(), Some(token.expose()));
        let wrong = unseal_token(b"other", "m1", &sealed).map(|t| t.expose().to_owned());
        assert_ne!(wrong.as_deref(), Some(token.expose()));
        assert!(unseal_token(b"key", "m1", "zz").is_none());
    }

    fn person(status: UserStatus, expires_in_days: i64) -> Option<Option<ResendPerson>> {
        let now = time::macros::datetime!(2026-12-01 10:00);
        Some(Some(ResendPerson {
            id: UserId::new(7),
            status,
            email: Some("Anna@Example.com".into()),
            email_confirmed: false,
            invitation_expires_at: Some(now + time::Duration::days(expires_in_days)),
            invitation_scheduled: false,
        }))
    }

    fn check(kind: MailKind, person: Option<Option<ResendPerson>>) -> ResendCheck {
        resend_check(&ResendFacts {
            kind,
            recipient: "anna@example.com",
            person,
            copy: None,
            scheduled: false,
            blocked: false,
            sent_lately: 0,
            now: time::macros::datetime!(2026-12-01 10:00),
        })
    }

    #[test]
    fn an_invitation_is_resent_only_while_it_is_live() {
        use UserStatus::*;
        let possible = ResendCheck::Possible {
            to: "Anna@Example.com".into(),
            fresh_link: true,
        };
        assert_eq!(check(MailKind::Invitation, person(Eingeladen, 3)), possible);
        let u = UserId::new(7);
        assert_eq!(
            check(MailKind::Invitation, person(Eingeladen, -1)),
            ResendCheck::InvitationExpired(u)
        );
        assert_eq!(
            check(MailKind::Invitation, person(Inaktiv, 3)),
            ResendCheck::InvitationExpired(u)
        );
        assert_eq!(
            check(MailKind::Invitation, person(Widerrufen, 3)),
            ResendCheck::InvitationRevoked(u)
        );
        assert_eq!(
            check(MailKind::Invitation, person(Aktiv, 3)),
            ResendCheck::AlreadyActive(u)
        );
        assert_eq!(
            check(MailKind::Invitation, person(Deaktiviert, 3)),
            ResendCheck::Deactivated(u)
        );
        assert_eq!(
            check(MailKind::Invitation, Some(None)),
            ResendCheck::UserGone
        );
        assert_eq!(
            check(MailKind::PasswordReset, person(Eingeladen, 3)),
            ResendCheck::NoLongerApplies
        );
        assert!(check(MailKind::EmailConfirmation, person(Aktiv, 3)).is_possible());
    }

    #[test]
    fn an_earlier_copy_a_block_and_the_hourly_limit_come_first() {
        let now = time::macros::datetime!(2026-12-01 10:00);
        let facts = |copy, blocked, sent_lately| {
            resend_check(&ResendFacts {
                kind: MailKind::Invitation,
                recipient: "anna@example.com",
                person: person(UserStatus::Eingeladen, 3),
                copy,
                scheduled: false,
                blocked,
                sent_lately,
                now,
            })
        };
        assert_eq!(facts(Some(9), true, 9), ResendCheck::AlreadyResent(9));
        assert_eq!(
            facts(None, true, 0),
            ResendCheck::Blocked("anna@example.com".into())
        );
        assert_eq!(facts(None, false, RESEND_PER_HOUR), ResendCheck::TooMany);
        assert!(facts(None, false, RESEND_PER_HOUR - 1).is_possible());
    }

    #[test]
    fn answers_are_classified_by_code() {
        assert!(matches!(classify_code(250, "ok".into()), Attempt::Sent(_)));
        assert!(matches!(
            classify_code(451, "try later".into()),
            Attempt::Transient(_)
        ));
        assert!(matches!(
            classify_code(421, "closing".into()),
            Attempt::Transient(_)
        ));
        assert_eq!(
            classify_code(550, "no such user".into()),
            Attempt::Permanent(FailureKind::Rejected, "no such user".into())
        );
        assert_eq!(
            classify_code(535, "bad credentials".into()),
            Attempt::Permanent(FailureKind::Auth, "bad credentials".into())
        );
    }

    #[test]
    fn retries_back_off_and_stay_within_an_hour() {
        let base = time::Duration::seconds(30);
        assert_eq!(retry_delay(1, base), time::Duration::seconds(30));
        assert_eq!(retry_delay(2, base), time::Duration::seconds(60));
        assert_eq!(retry_delay(3, base), time::Duration::seconds(120));
        assert_eq!(retry_delay(30, base), time::Duration::hours(1));
        assert_eq!(retry_delay(0, base), time::Duration::seconds(30));
    }
}
