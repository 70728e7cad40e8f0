//! Invitations: send, renew, revoke, "alle neu angelegten einladen" (admin
//! side), and the invitee's side: reading a link and activating with it.
//!
//! A link is a one-time token (purpose `invitation`, bound to the user),
//! stored as a hash; its expiry is fixed when it is issued. Issuing one kills
//! every older invitation link of the user and cancels his invitation mail
//! that has not left yet, in the same transaction that queues the new mail.

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::audit::Change;
use crate::domain::dates;
use crate::domain::mail::{Delivery, MailKind};
use crate::domain::password::Password;
use crate::domain::people::display_name;
use crate::domain::people::{Invitee, LinkState};
use crate::domain::tasks::{TaskKind, TaskState};
use crate::domain::token::{PlainToken, TokenPurpose};
use crate::domain::{
    EmailAddress, FieldError, FieldErrors, PersonName, Refusal, UserId, UserStatus,
};
use crate::models::token::{self, NewToken};
use crate::models::user::{self, User, UserChanges};
use crate::models::{outbox, task};
use crate::services::audit::{self, Target};
use crate::services::auth::{NewSession, start_session};
use crate::services::mail::{self, Letter, MailEnv, Recipient};
use crate::services::users::changeable;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// The mails that carry an invitation link (they die with it).
pub const INVITATION_MAILS: [MailKind; 2] = [MailKind::Invitation, MailKind::Reminder];

/// Where invitation links point: `/i/<token>`.
pub const INVITATION_PATH: &str = "/i/";

pub(crate) fn validity(env: &MailEnv) -> Duration {
    Duration::days(env.settings.invitation_validity_days.clamp(1, 365).into())
}

fn letter<'a>(
    env: &MailEnv,
    u: &'a User,
    address: &'a str,
    token: &'a PlainToken,
    expires: PrimitiveDateTime,
) -> Letter<'a> {
    Letter {
        link: Some((token, INVITATION_PATH, expires)),
        reason: "",
        ..letter_to(env, u, address)
    }
}

/// An invitation to `u` without its link.
fn letter_to<'a>(env: &MailEnv, u: &'a User, address: &'a str) -> Letter<'a> {
    Letter {
        kind: MailKind::Invitation,
        to: Recipient {
            user: Some(u.id),
            address,
            salutation: u.salutation,
            first_name: &u.first_name,
            last_name: &u.last_name,
            username: &u.username,
            language: env.settings.default_language,
        },
        link: None,
        reason: "",
    }
}

/// Invites (or re-invites) one user in the caller's transaction: a new
/// link, the older ones dead, the mail queued, the status moved on, audited.
/// Refused without an email address (a field error on `email`).
pub(crate) fn invite_in_tx(
    conn: &mut DbConn,
    env: &MailEnv,
    actor: &Actor,
    target: &User,
    now: PrimitiveDateTime,
    send_at: Option<PrimitiveDateTime>,
) -> ServiceResult<(i64, Delivery)> {
    let renew = target.status == UserStatus::Eingeladen;
    let next = if renew {
        target.status.renew()?
    } else {
        target.status.invite()?
    };
    let Some(address) = target.email.clone() else {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "email",
            FieldError::EmailNeededToInvite,
        )));
    };
    token::expire_of_user(conn, target.id, TokenPurpose::Invitation, now)?;
    outbox::cancel_waiting(
        conn,
        target.id,
        &INVITATION_MAILS,
        "replaced by a newer invitation",
    )?;
    let scheduled = send_at.filter(|at| *at > now);
    let (message, delivery, expires) = match scheduled {
        None => {
            let expires = now + validity(env);
            let plain = issue_link(conn, target.id, now, expires)?;
            let (message, delivery) = mail::queue(
                conn,
                env,
                &letter(env, target, &address, &plain, expires),
                now,
            )?;
            (message, delivery, expires)
        }
        // The link and the text are made when the time comes, so the link
        // is valid from then on.
        Some(at) => {
            // Rendered with a stand-in link (never stored, never sent) so the
            // stored copy says until when the real one will be valid; the
            // real text is made when the time comes.
            let stand_in = PlainToken::generate(TokenPurpose::Invitation);
            let expires = at + validity(env);
            let mut row =
                mail::prepare(env, &letter(env, target, &address, &stand_in, expires), now);
            row.sealed_token = None;
            row.link_path = Some(INVITATION_PATH.to_owned());
            row.status = Delivery::Geplant;
            row.next_attempt_at = at;
            row.give_up_at = at + (row.give_up_at - now);
            (
                outbox::insert(conn, &row)?,
                Delivery::Geplant,
                at + validity(env),
            )
        }
    };
    user::set_status(conn, target.id, next, now)?;
    user::update(
        conn,
        target.id,
        &UserChanges {
            invitation_expires_at: Some(Some(expires)),
            invitation_message_id: Some(Some(message)),
            invitation_reminded_at: Some(None),
            sign_in_deadline: Some(None),
            ..Default::default()
        },
    )?;
    let mut changes = vec![
        Change::new("status", target.status.as_str(), next.as_str()),
        Change::new("email", "", &address),
    ];
    if let Some(at) = scheduled {
        changes.push(Change::new("scheduled_for", "", dates::iso_utc(&at)));
    }
    audit::record_changes(
        conn,
        now,
        actor,
        if renew {
            "user.invite_renew"
        } else {
            "user.invite"
        },
        Some(Target::user(target.id, target.label())),
        &changes,
    )?;
    Ok((message, delivery))
}

/// A fresh invitation link for the user (his older ones die), valid until
/// `expires`.
fn issue_link(
    conn: &mut DbConn,
    user: UserId,
    now: PrimitiveDateTime,
    expires: PrimitiveDateTime,
) -> diesel::QueryResult<PlainToken> {
    token::expire_of_user(conn, user, TokenPurpose::Invitation, now)?;
    let plain = PlainToken::generate(TokenPurpose::Invitation);
    let hash = plain.hashed();
    token::insert(
        conn,
        &NewToken {
            purpose: TokenPurpose::Invitation,
            user_id: Some(user),
            token_hash: &hash,
            created_at: now,
            expires_at: expires,
            handed_over: false,
        },
    )?;
    Ok(plain)
}

/// Reminders per transaction.
pub const REMINDER_CHUNK: i64 = 500;

/// Sends the reminders that are due (setting "Erinnerung vor Ablauf"): to
/// each invited person whose unused invitation expires within that many
/// days, once per invitation, a reminder with a fresh link valid until the
/// invitation's own expiry (the older link dies). Returns how many went
/// out in this call (at most [`REMINDER_CHUNK`]).
pub async fn send_reminders(ctx: &Context) -> ServiceResult<usize> {
    let (now, env) = (ctx.now(), MailEnv::of(ctx));
    let days = env.settings.reminder_days_before;
    if days <= 0 {
        return Ok(0);
    }
    let until = now + Duration::days(days.into());
    let actor = Actor::system("reminders");
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<usize> {
                let due = user::due_for_reminder(conn, now, until, REMINDER_CHUNK)?;
                for u in &due {
                    let (Some(address), Some(expires)) = (&u.email, u.invitation_expires_at) else {
                        continue;
                    };
                    let plain = issue_link(conn, u.id, now, expires)?;
                    let letter = Letter {
                        kind: MailKind::Reminder,
                        ..letter(&env, u, address, &plain, expires)
                    };
                    mail::queue(conn, &env, &letter, now)?;
                    user::update(
                        conn,
                        u.id,
                        &UserChanges {
                            invitation_reminded_at: Some(Some(now)),
                            ..Default::default()
                        },
                    )?;
                    audit::record_changes(
                        conn,
                        now,
                        &actor,
                        "user.invite_reminder",
                        Some(Target::user(u.id, u.label())),
                        &[Change::new("email", "", address)],
                    )?;
                }
                Ok(due.len())
            })
        })
        .await
}

/// Scheduled invitations released per transaction.
pub const RELEASE_CHUNK: i64 = 200;

/// Sends the scheduled invitations whose time has come: each gets its link
/// now (valid from now), the text as the template reads now, and waits for
/// the worker like any other message. One that no longer applies (the
/// person was invited anew, revoked, deleted) is cancelled. Returns how many
/// were taken.
pub async fn release_scheduled(ctx: &Context) -> ServiceResult<usize> {
    let (now, env) = (ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<usize> {
                let due = outbox::due_scheduled(conn, now, RELEASE_CHUNK)?;
                for m in &due {
                    let person = match m.user_id {
                        Some(id) => user::find(conn, id)?,
                        None => None,
                    };
                    let live = person.filter(|u| {
                        u.status == UserStatus::Eingeladen
                            && u.invitation_message_id == Some(m.id)
                            && u.email.is_some()
                    });
                    let Some(u) = live else {
                        outbox::take_scheduled(
                            conn,
                            m.id,
                            Delivery::Abgebrochen,
                            Some("the invitation no longer applies"),
                        )?;
                        continue;
                    };
                    if !outbox::take_scheduled(conn, m.id, Delivery::Wartend, None)? {
                        continue;
                    }
                    let expires = now + validity(&env);
                    let plain = issue_link(conn, u.id, now, expires)?;
                    let mut row =
                        mail::prepare(&env, &letter(&env, &u, &m.recipient, &plain, expires), now);
                    if outbox::is_blocked(conn, &outbox::block_key(&row.recipient))? {
                        row.status = Delivery::Blockiert;
                        row.sealed_token = None;
                        row.failure_kind = Some("blocked".into());
                    }
                    outbox::fill_released(conn, m.id, &row)?;
                    user::update(
                        conn,
                        u.id,
                        &UserChanges {
                            invitation_expires_at: Some(Some(expires)),
                            ..Default::default()
                        },
                    )?;
                }
                Ok(due.len())
            })
        })
        .await
}

/// "Einladen → senden" or "→ erneuern" from the user page. `email` is the
/// address asked for when the user has none yet; `send_at` a send time
/// ahead (the invitation is then `geplant` until it comes).
pub async fn invite(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    email: Option<EmailAddress>,
    send_at: Option<PrimitiveDateTime>,
) -> ServiceResult<Delivery> {
    let (actor, now, env) = (actor.clone(), ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut target = changeable(conn, &actor, id)?;
                if let (None, Some(email)) = (&target.email, &email) {
                    if user::email_taken(conn, &email.key(), Some(id))? {
                        return Err(ServiceError::Invalid(FieldErrors::single(
                            "email",
                            FieldError::EmailTaken,
                        )));
                    }
                    user::update(
                        conn,
                        id,
                        &UserChanges {
                            email: Some(Some(email.as_str().to_owned())),
                            email_lower: Some(Some(email.key())),
                            email_confirmed: Some(false),
                            search_text: Some(user::search_text(
                                &target.first_name,
                                &target.last_name,
                                &target.username,
                                Some(email.as_str()),
                                target.personnel_number.as_deref(),
                            )),
                            updated_at: Some(now),
                            ..Default::default()
                        },
                    )?;
                    target.email = Some(email.as_str().to_owned());
                }
                invite_in_tx(conn, &env, &actor, &target, now, send_at).map(|(_, d)| d)
            })
        })
        .await
        .map_err(ServiceError::conflict_as_field_error)
}

/// How long the admin who made a QR code can show it again (its page, the
/// PNG and SVG, the letter). The link itself is valid as long as any
/// invitation.
pub const QR_MINUTES: i64 = 30;

/// "QR-Code erzeugen": a fresh invitation link, handed over by hand instead
/// of by mail. The token is derived from the hand-over id that only the
/// admin's browser holds (see [`PlainToken::derive`]), so the code can be
/// drawn again for that browser without the token being stored. Every older
/// link of the person dies and an invitation mail not sent yet is
/// cancelled; no mail goes out. An address is not needed.
pub async fn hand_over_link(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    handover: crate::services::users::Handover,
) -> ServiceResult<()> {
    let (actor, now, env) = (actor.clone(), ctx.now(), MailEnv::of(ctx));
    let key = ctx.secrets().csrf_key.clone();
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                changeable(conn, &actor, id)?;
                let target = user::lock(conn, id)?.ok_or(ServiceError::NotFound)?;
                let renew = target.status == UserStatus::Eingeladen;
                let next = if renew {
                    target.status.renew()?
                } else {
                    target.status.invite()?
                };
                token::expire_of_user(conn, id, TokenPurpose::Invitation, now)?;
                outbox::cancel_waiting(
                    conn,
                    id,
                    &INVITATION_MAILS,
                    "replaced by a link handed over as a QR code",
                )?;
                let expires = now + validity(&env);
                let plain = PlainToken::derive(TokenPurpose::Invitation, &key, &handover.id);
                token::insert(
                    conn,
                    &NewToken {
                        purpose: TokenPurpose::Invitation,
                        user_id: Some(id),
                        token_hash: &plain.hashed(),
                        created_at: now,
                        expires_at: expires,
                        handed_over: true,
                    },
                )?;
                crate::models::handover::insert(
                    conn,
                    &crate::models::handover::SecretHandover {
                        id_hash: crate::domain::token::hash_secret(&handover.id),
                        session_hash: crate::domain::token::hash_secret(&handover.session),
                        user_id: id,
                        then_page: handover.then_page.clone(),
                        expires_at: now + Duration::minutes(QR_MINUTES),
                    },
                )?;
                user::set_status(conn, id, next, now)?;
                user::update(
                    conn,
                    id,
                    &UserChanges {
                        invitation_expires_at: Some(Some(expires)),
                        invitation_message_id: Some(None),
                        invitation_reminded_at: Some(None),
                        sign_in_deadline: Some(None),
                        ..Default::default()
                    },
                )?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "user.invite_qr",
                    Some(Target::user(id, target.label())),
                    &[
                        Change::new("status", target.status.as_str(), next.as_str()),
                        Change::new("invitation_expires_at", "", dates::iso_utc(&expires)),
                    ],
                )?;
                Ok(())
            })
        })
        .await
}

/// A QR code's link as its page, images and letter show it.
#[derive(Clone, Debug)]
pub struct HandedOverLink {
    pub user: crate::domain::people::UserSummary,
    /// The whole activation link (public base URL, `/i/`, token).
    pub url: String,
    pub expires_at: PrimitiveDateTime,
    /// Until when this browser may show it again.
    pub shown_until: PrimitiveDateTime,
    /// The side of its PNG on the page (pixels).
    pub code_px: u32,
}

/// The link handed over through `handover_id` (this browser's cookie) in
/// `session`, while the hand-over lasts and the link is still the person's
/// live one; `None` otherwise (made elsewhere, shown too long ago, renewed,
/// revoked, used).
pub async fn handed_over_link(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    handover_id: &str,
    session: &str,
) -> ServiceResult<Option<HandedOverLink>> {
    let (actor, now) = (actor.clone(), ctx.now());
    let plain = PlainToken::derive(
        TokenPurpose::Invitation,
        &ctx.secrets().csrf_key,
        handover_id,
    );
    let (id_hash, session_hash) = (
        crate::domain::token::hash_secret(handover_id),
        crate::domain::token::hash_secret(session),
    );
    let base = ctx.settings().public_base_url.clone();
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let target = changeable(conn, &actor, id)?;
            let Some(h) =
                crate::models::handover::find_live(conn, &id_hash, &session_hash, id, true, now)?
            else {
                return Ok(None);
            };
            let live = token::find_live(conn, TokenPurpose::Invitation, &plain.hashed(), now)?
                .filter(|t| t.user_id == Some(id) && t.handed_over);
            let Some(t) = live else {
                return Ok(None);
            };
            if target.status != UserStatus::Eingeladen {
                return Ok(None);
            }
            let url = format!(
                "{}{INVITATION_PATH}{}",
                base.trim_end_matches('/'),
                plain.expose()
            );
            Ok(Some(HandedOverLink {
                user: target.summary(),
                code_px: crate::domain::qr::png_side(&url, crate::domain::qr::PNG_SCALE)
                    .unwrap_or(0),
                url,
                expires_at: t.expires_at,
                shown_until: h.expires_at,
            }))
        })
        .await
}

/// "Fertig": the QR code is not shown again in this browser (the link stays
/// valid).
pub async fn end_hand_over(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    handover_id: &str,
) -> ServiceResult<()> {
    let actor = actor.clone();
    let id_hash = crate::domain::token::hash_secret(handover_id);
    ctx.db()
        .run(move |conn| {
            changeable(conn, &actor, id)?;
            crate::models::handover::delete(conn, &id_hash)?;
            Ok(())
        })
        .await
}

/// "Einladen → widerrufen": the link dies at once, the mail not yet sent
/// stays unsent, the status is `widerrufen`.
pub async fn revoke(ctx: &Context, actor: &Actor, id: UserId) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| write_tx(conn, |conn| revoke_user_in_tx(conn, &actor, id, now)))
        .await
}

/// Revokes one user's invitation in the caller's transaction (audited).
pub(crate) fn revoke_user_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    id: UserId,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    let target = changeable(conn, actor, id)?;
    revoke_target_in_tx(conn, actor, &target, now)
}

/// Revokes the invitation of a user already loaded (and checked) in the
/// caller's transaction: links dead, unsent mail cancelled, status
/// `widerrufen`, audited.
pub(crate) fn revoke_target_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    target: &User,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    let next = target.status.revoke()?;
    revoke_in_tx(conn, target.id, now)?;
    user::set_status(conn, target.id, next, now)?;
    audit::record_changes(
        conn,
        now,
        actor,
        "user.invite_revoke",
        Some(Target::user(target.id, target.label())),
        &[Change::new("status", target.status.as_str(), next.as_str())],
    )?;
    Ok(())
}

/// Kills the user's invitation links and cancels his unsent invitation mail.
pub(crate) fn revoke_in_tx(
    conn: &mut DbConn,
    id: UserId,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<()> {
    token::expire_of_user(conn, id, TokenPurpose::Invitation, now)?;
    outbox::cancel_waiting(conn, id, &INVITATION_MAILS, "invitation revoked")?;
    Ok(())
}

/// What "Alle neu angelegten Benutzer einladen" did (a finished task).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkInvitation {
    pub queued: i64,
    /// Invited, but the address is blocked: the mail is not sent.
    pub blocked: i64,
    pub skipped_no_email: i64,
    /// Above the actor's role: not his to invite.
    pub skipped_role: i64,
    /// Changed between the start and their turn (no longer `angelegt`).
    pub skipped_changed: i64,
}

/// What starting it did: the task that invites them (none when nobody is
/// left to invite), or the one already running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkStart {
    pub task: Option<i64>,
    pub already_running: bool,
    pub planned: i64,
    pub skipped_no_email: i64,
    pub skipped_role: i64,
}

/// "Alle neu angelegten Benutzer einladen": fixes who is invited (every
/// `angelegt` user with an email address the actor may change) as a
/// background task and returns at once; the task runner invites them in
/// chunks (`invite_chunk`). While one such task runs, starting again
/// returns that one (a double click starts one task).
pub async fn start_invite_all_created(ctx: &Context, actor: &Actor) -> ServiceResult<BulkStart> {
    start_invite_all_created_at(ctx, actor, None).await
}

/// The same, the invitations scheduled for `send_at` (`geplant` until
/// then; see [`invite_in_tx`]).
pub async fn start_invite_all_created_at(
    ctx: &Context,
    actor: &Actor,
    send_at: Option<PrimitiveDateTime>,
) -> ServiceResult<BulkStart> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    let kind = TaskKind::InviteCreated.as_str();
    let started = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<BulkStart> {
                if let Some(id) = task::running_of_kind(conn, kind)? {
                    return Ok(BulkStart {
                        task: Some(id),
                        already_running: true,
                        ..Default::default()
                    });
                }
                let mut start = BulkStart::default();
                let mut chosen = Vec::new();
                for u in user::with_status(conn, UserStatus::Angelegt)? {
                    if !actor.role.may_change_account_of(u.role()) {
                        start.skipped_role += 1;
                    } else if u.email.is_none() {
                        start.skipped_no_email += 1;
                    } else {
                        chosen.push(u.id);
                    }
                }
                start.planned = chosen.len() as i64;
                // Nobody left, and a task of this kind has just ended (a
                // double click that came after it): its page says what it did.
                if chosen.is_empty()
                    && let Some(id) =
                        task::recently_ended_of_kind(conn, kind, now - Duration::minutes(10))?
                {
                    return Ok(BulkStart {
                        task: Some(id),
                        already_running: true,
                        ..Default::default()
                    });
                }
                if !chosen.is_empty() {
                    let new = task::NewTask {
                        kind,
                        actor_id: actor.user_id,
                        actor_label: &actor.label,
                        state: TaskState::Laufend.as_str(),
                        planned: start.planned,
                        skipped_no_email: start.skipped_no_email,
                        skipped_role: start.skipped_role,
                        skipped_status: 0,
                        skipped_self: 0,
                        form_key: None,
                        scheduled_for: send_at,
                        created_at: now,
                    };
                    start.task = Some(task::insert(conn, &new, &chosen)?);
                }
                Ok(start)
            })
        })
        .await;
    match started {
        // Another admin started one at the same instant (PostgreSQL: the
        // unique index on the running task): that one is it.
        Err(ServiceError::Conflict(crate::models::conflict::UniqueKey::RunningTask)) => {
            let id = ctx
                .db()
                .run(move |conn| Ok::<_, ServiceError>(task::running_of_kind(conn, kind)?))
                .await?;
            Ok(BulkStart {
                task: id,
                already_running: true,
                ..Default::default()
            })
        }
        other => other,
    }
}

/// Invites every `angelegt` user with an email address and waits until the
/// task is done (the command line, tests, benchmarks).
pub async fn invite_all_created(ctx: &Context, actor: &Actor) -> ServiceResult<BulkInvitation> {
    let start = start_invite_all_created(ctx, actor).await?;
    let Some(id) = start.task else {
        return Ok(BulkInvitation {
            skipped_no_email: start.skipped_no_email,
            skipped_role: start.skipped_role,
            ..Default::default()
        });
    };
    let view = crate::services::tasks::run_until_done(ctx, id).await?;
    Ok(BulkInvitation {
        queued: view.done - view.blocked,
        blocked: view.blocked,
        skipped_no_email: view.skipped_no_email,
        skipped_role: view.skipped_role,
        skipped_changed: view.skipped_changed,
    })
}

/// What one chunk of a bulk invitation came to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkOutcome {
    pub done: i64,
    pub blocked: i64,
    pub changed: i64,
}

/// Invites these users in the caller's transaction, set-wise: tokens,
/// messages and audit entries in a few statements. A user who is no longer
/// `angelegt`, has lost his address or is now above the actor's role is
/// left out (counted as changed).
pub(crate) fn invite_chunk(
    conn: &mut DbConn,
    env: &MailEnv,
    actor: &Actor,
    ids: &[UserId],
    now: PrimitiveDateTime,
) -> ServiceResult<ChunkOutcome> {
    let next = UserStatus::Angelegt.invite()?;
    let chosen: Vec<User> = user::lock_with_status(conn, ids, UserStatus::Angelegt)?
        .into_iter()
        .filter(|u| u.email.is_some() && actor.role.may_change_account_of(u.role()))
        .collect();
    let mut outcome = ChunkOutcome {
        changed: (ids.len() - chosen.len()) as i64,
        ..Default::default()
    };
    if chosen.is_empty() {
        return Ok(outcome);
    }
    let expires = now + validity(env);
    let plains: Vec<PlainToken> = chosen
        .iter()
        .map(|_| PlainToken::generate(TokenPurpose::Invitation))
        .collect();
    let hashes: Vec<String> = plains.iter().map(PlainToken::hashed).collect();
    let tokens: Vec<NewToken<'_>> = chosen
        .iter()
        .zip(&hashes)
        .map(|(u, hash)| NewToken {
            purpose: TokenPurpose::Invitation,
            user_id: Some(u.id),
            token_hash: hash,
            created_at: now,
            expires_at: expires,
            handed_over: false,
        })
        .collect();
    token::insert_many(conn, &tokens)?;
    let addresses: Vec<String> = chosen
        .iter()
        .filter_map(|u| u.email.as_deref().map(outbox::block_key))
        .collect();
    let blocked = outbox::blocked_among(conn, &addresses)?;
    let mut rows = Vec::with_capacity(chosen.len());
    for (u, plain) in chosen.iter().zip(&plains) {
        let address = u.email.as_deref().unwrap_or_default();
        let mut row = mail::prepare(env, &letter(env, u, address, plain, expires), now);
        if blocked.contains(&outbox::block_key(&row.recipient)) {
            row.status = Delivery::Blockiert;
            row.sealed_token = None;
            row.failure_kind = Some("blocked".into());
            outcome.blocked += 1;
        }
        rows.push(row);
    }
    let messages = outbox::insert_many(conn, &rows)?;
    for (u, message) in chosen.iter().zip(&messages) {
        user::mark_invited(conn, u.id, next, expires, *message, now)?;
    }
    let entries: Vec<(UserId, String)> = chosen.iter().map(|u| (u.id, u.label())).collect();
    audit::record_many_user_changes(
        conn,
        now,
        actor,
        "user.invite",
        &entries,
        &[Change::new(
            "status",
            UserStatus::Angelegt.as_str(),
            next.as_str(),
        )],
    )?;
    outcome.done = chosen.len() as i64;
    Ok(outcome)
}

/// Looks a link up without changing anything (GET and HEAD of the page).
pub async fn link_state(ctx: &Context, plain: &PlainToken) -> ServiceResult<LinkState> {
    if !plain.is_shaped_for(TokenPurpose::Invitation) {
        return Ok(LinkState::Dead);
    }
    let (hash, now) = (plain.hashed(), ctx.now());
    ctx.db()
        .run(move |conn| -> ServiceResult<LinkState> {
            let Some(t) = token::find_any(conn, TokenPurpose::Invitation, &hash)? else {
                return Ok(LinkState::Dead);
            };
            let owner = match t.user_id {
                Some(id) => user::find(conn, id)?,
                None => None,
            };
            let Some(u) = owner else {
                return Ok(LinkState::Dead);
            };
            if t.consumed_at.is_some() {
                return Ok(LinkState::Used);
            }
            if t.expires_at <= now || u.status != UserStatus::Eingeladen {
                return Ok(LinkState::Dead);
            }
            Ok(LinkState::Live(Invitee {
                first_name: u.first_name,
                last_name: u.last_name,
                username: u.username,
                email: u.email,
                expires_at: t.expires_at,
            }))
        })
        .await
}

/// The activation form as submitted.
pub struct Activation {
    pub password: String,
    pub repeat: String,
    /// Name as the invitee checked it (empty: keep).
    pub first_name: String,
    pub last_name: String,
    /// Only when the account has no address yet (empty: none).
    pub email: String,
}

/// Activates with the link: in one transaction the token is used (of two
/// at the same instant exactly one wins), the status is `aktiv`, the email
/// confirmed, every other link of the person dead, a session started.
pub async fn activate(
    ctx: &Context,
    plain: &PlainToken,
    form: Activation,
) -> ServiceResult<(UserId, NewSession)> {
    if !plain.is_shaped_for(TokenPurpose::Invitation) {
        return Err(ServiceError::Refused(Refusal::LinkDead));
    }
    let mut errors = FieldErrors::default();
    let first = errors.take("first_name", PersonName::parse(&form.first_name));
    let last = errors.take("last_name", PersonName::parse(&form.last_name));
    let email = if form.email.trim().is_empty() {
        None
    } else {
        errors.take("email", EmailAddress::parse(&form.email))
    };
    let cost = ctx.config().bcrypt_cost;
    let hash = ctx
        .cpu(move || -> Result<Option<String>, FieldErrors> {
            let password = errors.take("password", Password::parse(&form.password));
            if password.is_some() && !crate::domain::password::same(&form.password, &form.repeat) {
                errors.add("password_repeat", FieldError::PasswordMismatch);
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            Ok(password.and_then(|p| p.hash(cost).ok()))
        })
        .await?
        .map_err(ServiceError::Invalid)?
        .ok_or_else(|| {
            ServiceError::Invalid(FieldErrors::single("password", FieldError::Required))
        })?;
    let (token_hash, now, env) = (plain.hashed(), ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<(UserId, NewSession)> {
                let live = token::find_live(conn, TokenPurpose::Invitation, &token_hash, now)?;
                let Some(t) = live else {
                    return Err(ServiceError::Refused(Refusal::LinkDead));
                };
                let target = match t.user_id {
                    Some(id) => user::lock(conn, id)?,
                    None => None,
                }
                .ok_or(ServiceError::Refused(Refusal::LinkDead))?;
                user::mark_activated(conn, target.id, now)?;
                let next = target
                    .status
                    .activate()
                    .map_err(|_| ServiceError::Refused(Refusal::LinkDead))?;
                if !token::consume(conn, t.id, now)? {
                    return Err(ServiceError::Refused(Refusal::LinkDead));
                }
                // A reminder not sent yet would carry a dead link.
                outbox::cancel_waiting(
                    conn,
                    target.id,
                    &[MailKind::Reminder],
                    "the invitation was used",
                )?;
                let mut changes = UserChanges {
                    password_hash: Some(Some(hash)),
                    must_change_password: Some(false),
                    email_confirmed: Some(true),
                    last_login_at: Some(Some(now)),
                    sign_in_deadline: Some(None),
                    // The invitation is over: no "abgelaufen" later.
                    invitation_expires_at: Some(None),
                    updated_at: Some(now),
                    ..Default::default()
                };
                let mut audit_changes =
                    vec![Change::new("status", target.status.as_str(), next.as_str())];
                let (first, last) = (
                    first
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or(target.first_name.clone()),
                    last.map(|n| n.as_str().to_owned())
                        .unwrap_or(target.last_name.clone()),
                );
                let mut address = target.email.clone();
                let mut added_email = None;
                if address.is_none()
                    && let Some(e) = &email
                {
                    if user::email_taken(conn, &e.key(), Some(target.id))? {
                        return Err(ServiceError::Invalid(FieldErrors::single(
                            "email",
                            FieldError::EmailTaken,
                        )));
                    }
                    changes.email = Some(Some(e.as_str().to_owned()));
                    changes.email_lower = Some(Some(e.key()));
                    audit_changes.push(Change::new("email", "", e.as_str()));
                    address = Some(e.as_str().to_owned());
                    added_email = Some(e.as_str().to_owned());
                }
                // The invitation reached his address: it is confirmed. One he
                // typed here is not, until its own link is opened.
                if address.is_none() || added_email.is_some() || t.handed_over {
                    changes.email_confirmed = Some(false);
                }
                if first != target.first_name || last != target.last_name {
                    audit_changes.push(Change::new("first_name", &target.first_name, &first));
                    audit_changes.push(Change::new("last_name", &target.last_name, &last));
                    changes.sort_name = Some(user::sort_name(&first, &last));
                    changes.first_name = Some(first.clone());
                    changes.last_name = Some(last.clone());
                }
                changes.search_text = Some(user::search_text(
                    &first,
                    &last,
                    &target.username,
                    address.as_deref(),
                    target.personnel_number.as_deref(),
                ));
                user::update(conn, target.id, &changes)?;
                user::set_status(conn, target.id, next, now)?;
                crate::services::auth::end_all_sessions_and_tokens(conn, target.id, now)?;
                // An address he typed, or the one on file when the link came
                // by hand: its own link confirms it.
                let to_confirm = added_email
                    .clone()
                    .or_else(|| address.clone().filter(|_| t.handed_over));
                if let Some(address) = &to_confirm
                    && let Some(me) = user::find(conn, target.id)?
                {
                    crate::services::self_service::send_confirmation_in_tx(
                        conn, &env, &me, address, now,
                    )?;
                }
                let me = Actor::person(
                    target.id,
                    format!("{} ({})", display_name(&first, &last), target.username),
                );
                audit::record_changes(
                    conn,
                    now,
                    &me,
                    "user.activate",
                    Some(Target::user(target.id, me.label.clone())),
                    &audit_changes,
                )?;
                Ok((target.id, start_session(conn, target.id, now)?))
            })
        })
        .await
        .map_err(ServiceError::conflict_as_field_error)
}
