//! "Erneut senden" from the email log, and the blocked addresses
//! ("Gesperrte Adressen" with "Entsperren").
//!
//! A copy is made from the facts of the moment, not from the old message: an
//! invitation gets a fresh link (the old one dies) with the current expiry
//! rules, to the person's address as it is now; a password or confirmation
//! mail likewise, while it still makes sense. What cannot be sent again
//! says why and what to do instead ([`ResendCheck`]). Each message is sent
//! again at most once (a unique index: a double click, or two admins at the
//! same instant, make one copy), and at most [`RESEND_PER_HOUR`] copies go to
//! one address per hour.

use time::PrimitiveDateTime;

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::audit::Change;
use crate::domain::mail::{
    BlockedEntry, Delivery, MailKind, RESEND_PER_HOUR, ResendCheck, ResendFacts, ResendPerson,
    copy_address, resend_check,
};
use crate::models::conflict::UniqueKey;
use crate::models::outbox::{self, OutboxMessage};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::mail::{self, Letter, MailEnv, Recipient};
use crate::services::rate_limit::Limit;
use crate::services::users::changeable;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// Copies per recipient address ("Erneut senden").
pub const RESEND_PER_RECIPIENT: Limit = Limit {
    scope: "resend_recipient",
    max: RESEND_PER_HOUR,
    window: time::Duration::hours(1),
};

/// What a click on "Erneut senden" did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resent {
    /// The copy is queued (or, to a blocked address, recorded as blockiert).
    Queued { copy: i64, delivery: Delivery },
    /// Nothing was sent, for this reason.
    Refused(ResendCheck),
}

/// The check for one message, in the caller's transaction.
pub(crate) fn check_in_tx(
    conn: &mut DbConn,
    message: &OutboxMessage,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<ResendCheck> {
    let person = match message.user_id {
        None => None,
        Some(id) => match user::find(conn, id)? {
            None => Some(None),
            Some(u) => {
                let scheduled = match u.invitation_message_id {
                    Some(m) => outbox::find(conn, m)?
                        .is_some_and(|m| m.status == crate::domain::mail::Delivery::Geplant),
                    None => false,
                };
                Some(Some(ResendPerson {
                    id: u.id,
                    status: u.status,
                    email: u.email,
                    email_confirmed: u.email_confirmed,
                    invitation_expires_at: u.invitation_expires_at,
                    invitation_scheduled: scheduled,
                }))
            }
        },
    };
    let to = copy_address(message.kind, &person, &message.recipient);
    let (blocked, sent_lately) = match &to {
        Some(address) => {
            let key = outbox::block_key(address);
            (
                outbox::is_blocked(conn, &key)?,
                RESEND_PER_RECIPIENT.count(conn, &key, now)?,
            )
        }
        None => (false, 0),
    };
    Ok(resend_check(&ResendFacts {
        kind: message.kind,
        recipient: &message.recipient,
        person,
        copy: outbox::copy_of(conn, message.id)?,
        scheduled: message.status == crate::domain::mail::Delivery::Geplant,
        blocked,
        sent_lately,
        now,
    }))
}

/// What "Erneut senden" would do with message `id` now (the Info page).
pub async fn check(ctx: &Context, _actor: &Actor, id: i64) -> ServiceResult<ResendCheck> {
    let now = ctx.now();
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let message = outbox::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            Ok(check_in_tx(conn, &message, now)?)
        })
        .await
}

/// "Erneut senden": checks again in the transaction and queues the copy,
/// marks it as the copy of `id`, counts it against the recipient's hourly
/// allowance and audits it.
pub async fn resend(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<Resent> {
    require_user_management(actor)?;
    let (actor, now, env) = (actor.clone(), ctx.now(), MailEnv::of(ctx));
    let result = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                // The person first, then the message (the order activation
                // and invitation take them in): concurrent resends of one
                // message wait for each other, the later finds the copy.
                let seen = outbox::find(conn, id)?.ok_or(ServiceError::NotFound)?;
                if let Some(uid) = seen.user_id {
                    user::lock(conn, uid)?;
                }
                let message = outbox::lock(conn, id)?.ok_or(ServiceError::NotFound)?;
                let check = check_in_tx(conn, &message, now)?;
                let ResendCheck::Possible { to, .. } = &check else {
                    return Ok(Resent::Refused(check));
                };
                let target = match message.user_id {
                    Some(uid) => Some(changeable(conn, &actor, uid)?),
                    None => None,
                };
                let (copy, delivery) = match (&target, message.kind) {
                    (Some(u), MailKind::Invitation | MailKind::Reminder) => {
                        crate::services::invitations::invite_in_tx(
                            conn, &env, &actor, u, now, None,
                        )?
                    }
                    (Some(u), MailKind::PasswordReset) => {
                        crate::services::self_service::send_reset_in_tx(conn, &env, u, now)?
                    }
                    (Some(u), MailKind::EmailConfirmation) => {
                        crate::services::self_service::send_confirmation_in_tx(
                            conn, &env, u, to, now,
                        )?
                    }
                    _ => {
                        // A rejection carries its reason again.
                        let reason = match (message.kind, message.user_id) {
                            (MailKind::AccessRejected, Some(uid)) => {
                                crate::models::access_request::reason_of(conn, uid)?
                            }
                            _ => String::new(),
                        };
                        mail::queue(
                            conn,
                            &env,
                            &Letter {
                                kind: message.kind,
                                to: Recipient {
                                    user: message.user_id,
                                    address: to,
                                    salutation: target.as_ref().and_then(|u| u.salutation),
                                    first_name: target.as_ref().map_or("", |u| &u.first_name),
                                    last_name: target.as_ref().map_or("", |u| &u.last_name),
                                    username: target.as_ref().map_or("", |u| &u.username),
                                    language: env.settings.default_language,
                                },
                                link: None,
                                reason: &reason,
                            },
                            now,
                        )?
                    }
                };
                outbox::mark_resent(conn, copy, id)?;
                RESEND_PER_RECIPIENT.hit(conn, &outbox::block_key(to), now)?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "mail.resend",
                    Some(match &target {
                        Some(u) => Target::user(u.id, u.label()),
                        None => address_target(to),
                    }),
                    &[
                        Change::new("kind", "", message.kind.as_str()),
                        Change::new("message", id.to_string(), copy.to_string()),
                        Change::new("email", &message.recipient, to),
                    ],
                )?;
                Ok(Resent::Queued { copy, delivery })
            })
        })
        .await;
    match result {
        // The other click of a double click made the copy.
        Err(ServiceError::Conflict(UniqueKey::Resent)) => {
            let copy = ctx
                .db()
                .run(move |conn| -> ServiceResult<_> { Ok(outbox::copy_of(conn, id)?) })
                .await?;
            Ok(match copy {
                Some(copy) => Resent::Refused(ResendCheck::AlreadyResent(copy)),
                None => Resent::Refused(ResendCheck::NoLongerApplies),
            })
        }
        other => other,
    }
}

/// An address as the audit log's subject.
fn address_target(address: &str) -> Target {
    Target {
        kind: "address",
        id: None,
        label: address.to_owned(),
    }
}

/// Blocked addresses per page.
pub const BLOCKED_PAGE: i64 = 50;

/// A page of the blocked addresses, newest first.
pub struct BlockedPage {
    pub entries: Vec<BlockedEntry>,
    /// The cursor of the next (older) page, if there is one.
    pub older: Option<String>,
}

/// The blocked addresses, newest first, optionally those containing part
/// of an address. The cursor is "<unix seconds>:<address>" of the last row.
pub async fn blocked(
    ctx: &Context,
    _actor: &Actor,
    part: Option<String>,
    cursor: Option<&str>,
) -> ServiceResult<BlockedPage> {
    let older_than = cursor.and_then(|c| {
        let (at, address) = c.split_once(':')?;
        let at = time::OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
        Some((
            PrimitiveDateTime::new(at.date(), at.time()),
            address.to_owned(),
        ))
    });
    let pattern = part.map(|p| crate::models::contains_pattern(&p.to_lowercase()));
    let mut rows = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            Ok(outbox::blocked_page(
                conn,
                pattern.as_deref(),
                older_than,
                BLOCKED_PAGE + 1,
            )?)
        })
        .await?;
    let more = rows.len() as i64 > BLOCKED_PAGE;
    rows.truncate(BLOCKED_PAGE as usize);
    let older = rows.last().filter(|_| more).map(|r| {
        format!(
            "{}:{}",
            r.blocked_at.assume_utc().unix_timestamp(),
            r.address_lower
        )
    });
    Ok(BlockedPage {
        entries: rows
            .into_iter()
            .map(|r| BlockedEntry {
                address: r.address_lower,
                reason: r.reason,
                answer: r.smtp_answer.unwrap_or_default(),
                blocked_at: r.blocked_at,
            })
            .collect(),
        older,
    })
}

/// "Entsperren": the address may receive mail again (audited). `false` if
/// it was not blocked (any more).
pub async fn unblock(ctx: &Context, actor: &Actor, address: &str) -> ServiceResult<bool> {
    require_user_management(actor)?;
    let (actor, now, key) = (actor.clone(), ctx.now(), outbox::block_key(address.trim()));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let Some(was) = outbox::unblock(conn, &key)? else {
                    return Ok(false);
                };
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "mail.unblock",
                    Some(address_target(&was.address_lower)),
                    &[
                        Change::new("email", &was.address_lower, ""),
                        Change::new("answer", was.smtp_answer.as_deref().unwrap_or(""), ""),
                    ],
                )?;
                Ok(true)
            })
        })
        .await
}
