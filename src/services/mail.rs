//! Mail as use cases: queueing a message inside the caller's transaction,
//! the worker's claim and record steps, the in-app mailbox, the dashboard's
//! view of mail health. Sending itself (SMTP) is `crate::mailer`; the loop
//! that ties them together is the `mail` job.

use std::sync::Arc;

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::mail::{
    self, AddressBlock, Attempt, Delivery, FailureKind, Frame, LINK_MARK, MailHealth, MailKind,
    MailVars, MailboxEntry, SentMail,
};
use crate::domain::people::display_name;
use crate::domain::settings::accessible_shade;
use crate::domain::token::random_secret;
use crate::domain::{Language, PlainToken, Salutation, Settings, UserId};
use crate::i18n::{Catalogue, format_datetime};
use crate::models::outbox::{self, NewMessage, OutboxMessage, Outcome};
use crate::services::{ServiceError, ServiceResult};

/// What queueing needs from the `Context`, owned, so it can go into a
/// database closure.
#[derive(Clone)]
pub struct MailEnv {
    key: Arc<Vec<u8>>,
    pub settings: Arc<Settings>,
    give_up: Duration,
    /// The readable shade of the brand colour (computed once, not per message).
    shade: Arc<str>,
    /// The texts in use (edited or shipped).
    texts: Arc<crate::domain::templates::MailTexts>,
}

impl MailEnv {
    pub fn of(ctx: &Context) -> Self {
        let settings = ctx.settings();
        Self {
            key: Arc::new(ctx.secrets().csrf_key.clone()),
            shade: accessible_shade(&settings.brand_colour).into(),
            texts: ctx.mail_texts(),
            settings,
            give_up: Duration::hours(ctx.config().mail.mail_give_up_hours.clamp(1, 24 * 60)),
        }
    }
}

/// The person a message goes to.
pub struct Recipient<'a> {
    pub user: Option<UserId>,
    pub address: &'a str,
    pub salutation: Option<Salutation>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub username: &'a str,
    pub language: Language,
}

/// One message to queue: its kind, recipient, and the link it carries.
pub struct Letter<'a> {
    pub kind: MailKind,
    pub to: Recipient<'a>,
    /// The token and the path it goes after ("/i/"), with the link's expiry.
    pub link: Option<(&'a PlainToken, &'static str, PrimitiveDateTime)>,
    /// Why an access request was rejected ("" for every other message).
    pub reason: &'a str,
}

fn salutation_line(to: &Recipient<'_>) -> String {
    let name = display_name(to.first_name, to.last_name);
    match (to.language, to.salutation) {
        (Language::De, Some(Salutation::Frau)) => format!("Guten Tag Frau {},", to.last_name),
        (Language::De, Some(Salutation::Herr)) => format!("Guten Tag Herr {},", to.last_name),
        (Language::De, _) => format!("Guten Tag {name},"),
        (Language::En, _) => format!("Hello {name},"),
    }
}

/// Renders a letter into an outbox row (not yet written).
pub fn prepare(env: &MailEnv, letter: &Letter<'_>, now: PrimitiveDateTime) -> NewMessage {
    let s = &env.settings;
    let t = letter.to.language.texts();
    let expires = letter
        .link
        .map(|(_, _, at)| format_datetime(&at, s.time_zone, letter.to.language))
        .unwrap_or_default();
    let vars = MailVars {
        salutation_line: salutation_line(&letter.to),
        first_name: letter.to.first_name.to_owned(),
        last_name: letter.to.last_name.to_owned(),
        username: letter.to.username.to_owned(),
        organisation: s.organisation_name.clone(),
        expires,
        app_name: s.app_name.clone(),
        app_url: s.app_url.clone(),
        reason: letter.reason.to_owned(),
    };
    let footer = format!("{} · {}", s.organisation_name, t.mail_footer);
    let rendered = mail::render(
        letter.kind,
        letter.to.language,
        &env.texts.get(letter.kind, letter.to.language),
        &vars,
        &Frame {
            organisation: &s.organisation_name,
            colour: &env.shade,
            footer: &footer,
        },
    );
    let message_key = random_secret()[..32].to_owned();
    let sealed = letter
        .link
        .map(|(token, _, _)| mail::seal_token(&env.key, &message_key, token));
    NewMessage {
        message_key,
        kind: letter.kind,
        user_id: letter.to.user,
        recipient: letter.to.address.to_owned(),
        recipient_lower: letter.to.address.to_lowercase(),
        recipient_name: display_name(letter.to.first_name, letter.to.last_name),
        language: letter.to.language.code().to_owned(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
        sealed_token: sealed,
        link_path: letter.link.map(|(_, path, _)| path.to_owned()),
        status: Delivery::Wartend,
        next_attempt_at: now,
        attempts: 0,
        give_up_at: now + env.give_up,
        created_at: now,
        last_answer: None,
        failure_kind: None,
        current_invitation: letter.kind == MailKind::Invitation && letter.to.user.is_some(),
    }
}

/// Queues one message in the caller's transaction. A blocked address gets
/// its row (so the log shows it) but the message is not sent.
pub fn queue(
    conn: &mut DbConn,
    env: &MailEnv,
    letter: &Letter<'_>,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<(i64, Delivery)> {
    let mut row = prepare(env, letter, now);
    if outbox::is_blocked(conn, &outbox::block_key(&row.recipient))? {
        row.status = Delivery::Blockiert;
        row.sealed_token = None;
        row.failure_kind = Some(FailureKind::Blocked.as_str().into());
    }
    let status = row.status;
    Ok((outbox::insert(conn, &row)?, status))
}

/// A claimed message, ready for the transport: the link filled in.
pub struct Claimed {
    pub id: i64,
    pub kind: MailKind,
    /// What recording the outcome needs, so it reads nothing back.
    pub facts: Facts,
    pub message_id: String,
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The Message-ID of a message: stable across attempts.
pub fn message_id(settings: &Settings, message_key: &str) -> String {
    let host = url::Url::parse(&settings.public_base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "einlass.invalid".into());
    format!("<{message_key}@{}>", host.trim_matches(['[', ']']))
}

fn fill_link(body: &str, link: &str) -> String {
    body.replace(LINK_MARK, link)
}

/// Lease of a claim: longer than a batch can take (its sends time out
/// after `EINLASS_SMTP_TIMEOUT_SECS`, and the worker stops a batch when the
/// server is unreachable).
pub const LEASE: Duration = Duration::minutes(10);

/// Claims up to `limit` due messages for this worker. Messages to an
/// address blocked meanwhile are marked `blockiert` and not handed out.
pub async fn claim(ctx: &Context, worker: &str, limit: i64) -> ServiceResult<Vec<Claimed>> {
    let env = MailEnv::of(ctx);
    let now = ctx.now();
    let worker = worker.to_owned();
    let due = ctx
        .db()
        .run(move |conn| -> ServiceResult<bool> { Ok(outbox::any_due(conn, now)?) })
        .await?;
    if !due {
        return Ok(Vec::new());
    }
    let rows = ctx
        .db()
        .run(move |conn| {
            write_tx(
                conn,
                |conn| -> ServiceResult<Vec<(OutboxMessage, outbox::Body)>> {
                    let rows = outbox::claim(conn, &worker, now, now + LEASE, limit)?;
                    let addresses: Vec<String> = rows
                        .iter()
                        .map(|r| outbox::block_key(&r.recipient))
                        .collect();
                    let blocked = outbox::blocked_among(conn, &addresses)?;
                    let mut out = Vec::with_capacity(rows.len());
                    for row in rows {
                        if blocked.contains(&outbox::block_key(&row.recipient)) {
                            apply(
                                conn,
                                &Facts::of(&row),
                                &worker,
                                &Attempt::Permanent(FailureKind::Blocked, String::new()),
                                None,
                                now,
                                "",
                            )?;
                        } else {
                            out.push(row);
                        }
                    }
                    let ids: Vec<i64> = out.iter().map(|r| r.id).collect();
                    let mut bodies: std::collections::HashMap<i64, outbox::Body> =
                        outbox::bodies(conn, &ids)?
                            .into_iter()
                            .map(|b| (b.message_id, b))
                            .collect();
                    Ok(out
                        .into_iter()
                        .filter_map(|row| bodies.remove(&row.id).map(|b| (row, b)))
                        .collect())
                },
            )
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(row, body)| {
            let link = match (&row.sealed_token, &row.link_path) {
                (Some(sealed), Some(path)) => {
                    mail::unseal_token(&env.key, &row.message_key, sealed)
                        .map(|t| env.settings.link(&format!("{path}{}", t.expose())))
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            Claimed {
                id: row.id,
                kind: row.kind,
                facts: Facts::of(&row),
                message_id: message_id(&env.settings, &row.message_key),
                to: row.recipient,
                to_name: row.recipient_name,
                text: fill_link(&body.body_text, &link),
                html: fill_link(&body.body_html, &crate::domain::mail::escape_html(&link)),
                subject: row.subject,
            }
        })
        .collect())
}

/// What recording an outcome needs to know of a claimed message.
#[derive(Clone, Debug)]
pub struct Facts {
    pub id: i64,
    pub kind: MailKind,
    pub user_id: Option<UserId>,
    /// The recipient's [`outbox::block_key`].
    pub block_key: String,
    /// Counting this attempt.
    pub attempts: i32,
    pub give_up_at: PrimitiveDateTime,
}

impl Facts {
    fn of(row: &OutboxMessage) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            user_id: row.user_id,
            block_key: outbox::block_key(&row.recipient),
            attempts: row.attempts,
            give_up_at: row.give_up_at,
        }
    }
}

/// Records what the attempts came to, in one transaction; outcomes of
/// messages whose lease this worker lost are dropped.
pub async fn record(
    ctx: &Context,
    worker: &str,
    transport: &'static str,
    results: Vec<(Facts, Attempt)>,
) -> ServiceResult<usize> {
    let now = ctx.now();
    let worker = worker.to_owned();
    let base = ctx.config().mail.retry_base();
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<usize> {
                // An outcome lost in a database crash is sent again, with
                // the same Message-ID: as after a worker crash.
                outbox::relaxed_commit(conn)?;
                // The common case, sent, in one statement for the group.
                let sent: Vec<(i64, String)> = results
                    .iter()
                    .filter_map(|(row, attempt)| match attempt {
                        Attempt::Sent(answer) => Some((row.id, answer.clone())),
                        _ => None,
                    })
                    .collect();
                let mut n = outbox::record_sent_many(conn, &worker, now, transport, &sent)?.len();
                for (row, attempt) in &results {
                    let (attempt, retry_at) = match attempt {
                        Attempt::Sent(_) => continue,
                        Attempt::Transient(answer) => {
                            let next = now + mail::retry_delay(row.attempts, base);
                            if next > row.give_up_at {
                                (
                                    Attempt::Permanent(FailureKind::GaveUp, answer.clone()),
                                    None,
                                )
                            } else {
                                (attempt.clone(), Some(next))
                            }
                        }
                        other => (other.clone(), None),
                    };
                    if apply(conn, row, &worker, &attempt, retry_at, now, transport)? {
                        n += 1;
                    }
                }
                Ok(n)
            })
        })
        .await
}

/// Writes one outcome (if the lease is still ours) and blocks the address
/// after a refusal. (The user's invitation delivery state is his current
/// invitation message's status: nothing to write on him.)
fn apply(
    conn: &mut DbConn,
    row: &Facts,
    worker: &str,
    attempt: &Attempt,
    retry_at: Option<PrimitiveDateTime>,
    now: PrimitiveDateTime,
    transport: &str,
) -> diesel::QueryResult<bool> {
    let (status, next, answer, failure) = match attempt {
        Attempt::Sent(answer) => (Delivery::Gesendet, None, answer.as_str(), None),
        Attempt::Transient(answer) => (
            Delivery::Wartend,
            Some(retry_at.unwrap_or(now)),
            answer.as_str(),
            None,
        ),
        Attempt::Permanent(FailureKind::Blocked, answer) => (
            Delivery::Blockiert,
            None,
            answer.as_str(),
            Some(FailureKind::Blocked),
        ),
        Attempt::Permanent(kind, answer) => {
            (Delivery::Fehlgeschlagen, None, answer.as_str(), Some(*kind))
        }
    };
    let sent = status == Delivery::Gesendet;
    let recorded = outbox::record(
        conn,
        row.id,
        worker,
        &Outcome {
            status,
            next_attempt_at: next,
            sent_at: sent.then_some(now),
            transport: sent.then_some(transport),
            answer,
            failure_kind: failure.map(FailureKind::as_str),
            forget_token: sent && transport == "smtp"
                || matches!(status, Delivery::Fehlgeschlagen | Delivery::Blockiert),
        },
    )?;
    if recorded && failure == Some(FailureKind::Rejected) {
        outbox::block(
            conn,
            &row.block_key,
            FailureKind::Rejected.as_str(),
            answer,
            row.id,
            now,
        )?;
    }
    Ok(recorded)
}

/// A mailbox message as this reader may see it: the working link only when
/// he may act on the person it belongs to (a reset link of an account above
/// his role would hand him that account); masked otherwise.
fn entry(env: &MailEnv, row: OutboxMessage, body_text: &str, may_use_link: bool) -> MailboxEntry {
    let sealed = row.sealed_token.as_ref().filter(|_| may_use_link);
    let link = match (sealed, &row.link_path) {
        (Some(sealed), Some(path)) => mail::unseal_token(&env.key, &row.message_key, sealed)
            .map(|t| env.settings.link(&format!("{path}{}", t.expose()))),
        _ => None,
    };
    let masked = row
        .link_path
        .as_deref()
        .map(|p| mail::masked_link(&env.settings.public_base_url, p))
        .unwrap_or_default();
    MailboxEntry {
        id: row.id,
        kind: row.kind,
        text: fill_link(body_text, link.as_deref().unwrap_or(&masked)),
        to: row.recipient,
        to_name: row.recipient_name,
        subject: row.subject,
        link_hidden: !may_use_link && row.sealed_token.is_some(),
        link,
        sent_at: row.sent_at,
    }
}

/// The in-app mailbox (no SMTP configured): newest first. It holds working
/// links, so only admins who may invite read it.
pub async fn mailbox(
    ctx: &Context,
    actor: &crate::services::Actor,
    before: Option<i64>,
) -> ServiceResult<Vec<MailboxEntry>> {
    crate::services::require_user_management(actor)?;
    let env = MailEnv::of(ctx);
    let rows = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let rows = outbox::mailbox(conn, before, 50)?;
            Ok(with_texts(conn, rows)?)
        })
        .await?;
    // The list shows no link; the message page decides per message.
    Ok(rows
        .into_iter()
        .map(|(r, text)| entry(&env, r, &text, false))
        .collect())
}

pub async fn mailbox_message(
    ctx: &Context,
    actor: &crate::services::Actor,
    id: i64,
) -> ServiceResult<MailboxEntry> {
    crate::services::require_user_management(actor)?;
    let env = MailEnv::of(ctx);
    let role = actor.role;
    let (row, may_use_link) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let Some(row) =
                outbox::find(conn, id)?.and_then(|r| with_texts(conn, vec![r]).ok()?.pop())
            else {
                return Ok((None, false));
            };
            let owner = match row.0.user_id {
                Some(user) => crate::models::user::find(conn, user)?,
                None => None,
            };
            let may = owner.is_some_and(|u| role.may_change_account_of(u.role()));
            Ok((Some(row), may))
        })
        .await?;
    let (row, text) = row
        .filter(|(r, _)| r.transport.as_deref() == Some("local"))
        .ok_or(ServiceError::NotFound)?;
    Ok(entry(&env, row, &text, may_use_link))
}

/// The messages with their text parts.
fn with_texts(
    conn: &mut DbConn,
    rows: Vec<OutboxMessage>,
) -> diesel::QueryResult<Vec<(OutboxMessage, String)>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut texts: std::collections::HashMap<i64, String> = outbox::bodies(conn, &ids)?
        .into_iter()
        .map(|b| (b.message_id, b.body_text))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let text = texts.remove(&r.id).unwrap_or_default();
            (r, text)
        })
        .collect())
}

pub async fn health(ctx: &Context) -> ServiceResult<MailHealth> {
    let since = ctx.now() - Duration::days(1);
    let local_only = ctx.mailer().is_local();
    ctx.db()
        .run(move |conn| -> ServiceResult<MailHealth> {
            let (waiting, failed_recently) = outbox::counts(conn, since)?;
            let configuration_failure = outbox::configuration_failure(conn)?.and_then(|m| {
                let kind = FailureKind::parse(m.failure_kind.as_deref()?)?;
                Some((kind, m.last_answer.unwrap_or_default(), m.created_at))
            });
            Ok(MailHealth {
                local_only,
                waiting,
                failed_recently,
                configuration_failure,
            })
        })
        .await
}

/// The newest messages to one user, for his page.
pub fn of_user(conn: &mut DbConn, user: UserId) -> diesel::QueryResult<Vec<SentMail>> {
    Ok(outbox::of_user(conn, user, 10)?
        .into_iter()
        .map(|m| SentMail {
            id: m.id,
            kind: m.kind,
            status: m.status,
            created_at: m.created_at,
            sent_at: m.sent_at,
            attempts: m.attempts,
            failure: m.failure_kind.as_deref().and_then(FailureKind::parse),
            answer: m.last_answer,
        })
        .collect())
}

/// The block of an address, if any.
pub fn block_of(conn: &mut DbConn, address: &str) -> diesel::QueryResult<Option<AddressBlock>> {
    Ok(
        outbox::find_block(conn, &outbox::block_key(address))?.map(|b| AddressBlock {
            answer: b.smtp_answer.unwrap_or_default(),
            blocked_at: b.blocked_at,
        }),
    )
}

/// The email log's request as the page sends it (text, checked here).
#[derive(Clone, Debug, Default)]
pub struct LogRequest {
    pub status: String,
    pub kind: String,
    pub recipient: String,
    pub from: String,
    pub until: String,
    /// Keyset, in the order shown: the next page (after this message) /
    /// the previous one (before it).
    pub before: Option<i64>,
    pub after: Option<i64>,
    /// Oldest first (else newest first).
    pub oldest_first: bool,
}

/// A page of the email log.
pub struct LogPage {
    pub entries: Vec<crate::domain::mail::LogEntry>,
    pub errors: crate::domain::FieldErrors,
    /// Message ids to page on from, when there is more that way: the next
    /// page (`before=`) and the previous one (`after=`), in the order shown.
    pub older: Option<i64>,
    pub newer: Option<i64>,
}

/// Messages per page of the log.
pub const LOG_PAGE: i64 = 50;

fn log_entry(row: OutboxMessage) -> crate::domain::mail::LogEntry {
    crate::domain::mail::LogEntry {
        id: row.id,
        kind: row.kind,
        to: row.recipient,
        subject: row.subject,
        status: row.status,
        attempts: row.attempts,
        created_at: row.created_at,
        sent_at: row.sent_at,
        last_answer: row.last_answer,
    }
}

/// The email log: every message, newest first, filtered. Any admin may read
/// it: links are never shown in it.
pub async fn log(
    ctx: &Context,
    _actor: &crate::services::Actor,
    req: LogRequest,
) -> ServiceResult<LogPage> {
    use crate::domain::{FieldError, FieldErrors, dates, text::search_term};
    let mut errors = FieldErrors::default();
    let status = req.status.trim();
    let kind = req.kind.trim();
    let recipient = errors
        .take("recipient", search_term(&req.recipient))
        .flatten();
    let from = errors.take("from", dates::parse_day(&req.from)).flatten();
    let until = errors.take("until", dates::parse_day(&req.until)).flatten();
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        errors.add("until", FieldError::UntilBeforeFrom);
    }
    let wanted_status = Delivery::parse(status);
    let wanted_kind: Option<MailKind> = kind.parse().ok();
    // A value that names no status or kind (a hand-made URL) and a field
    // that cannot be used list nothing, rather than everything.
    let matches_nothing = (!status.is_empty() && wanted_status.is_none())
        || (!kind.is_empty() && wanted_kind.is_none())
        || !errors.is_empty();
    if matches_nothing {
        return Ok(LogPage {
            entries: Vec::new(),
            errors,
            older: None,
            newer: None,
        });
    }
    let (created_from, created_before) =
        dates::day_range_utc(from, until, ctx.settings().time_zone);
    let mut query = outbox::LogQuery {
        status: wanted_status,
        kind: wanted_kind,

        created_from,
        created_before,
        ..Default::default()
    };
    let (before, after, oldest_first) = (req.before, req.after, req.oldest_first);
    let (rows, more_that_way, came_back, went_on) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let key = |conn: &mut DbConn,
                       id: i64|
             -> diesel::QueryResult<Option<(PrimitiveDateTime, i64)>> {
                Ok(outbox::find(conn, id)?.map(|m| (m.created_at, m.id)))
            };
            if let Some(needle) = &recipient {
                query.recipient = Some(outbox::recipient_match(conn, &needle.to_lowercase())?);
            }
            // "Next" goes towards older messages when the newest come first,
            // towards newer ones when the oldest do.
            query.oldest = oldest_first;
            let (next, previous) = (before, after);
            let (toward_older, toward_newer) = if oldest_first {
                (previous, next)
            } else {
                (next, previous)
            };
            if let Some(id) = toward_older {
                query.older_than = key(conn, id)?;
            } else if let Some(id) = toward_newer {
                query.newer_than = key(conn, id)?;
            }
            // A cursor naming no message is the first page (and says so).
            let moved_newer = query.newer_than.is_some();
            let moved_older = query.older_than.is_some();
            let mut rows = outbox::log(conn, &query, LOG_PAGE + 1)?;
            let more = rows.len() as i64 > LOG_PAGE;
            // Rows come newest first; the extra one lies beyond the page in
            // the direction of travel.
            if more {
                let newest_end = moved_newer || (oldest_first && !moved_older);
                if newest_end {
                    rows.remove(0);
                } else {
                    rows.pop();
                }
            }
            if oldest_first {
                rows.reverse();
            }
            // In the order shown: did this request go back (to the previous
            // page), or on (to the next one)?
            let (came_back, went_on) = if oldest_first {
                (moved_older, moved_newer)
            } else {
                (moved_newer, moved_older)
            };
            Ok((rows, more, came_back, went_on))
        })
        .await?;
    let (first, last) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id));
    // Going older, more that way means an older page; coming back, there is
    // always the one we came from (and the other way round for newer).
    let (older, newer) = if came_back {
        (last, first.filter(|_| more_that_way))
    } else {
        (last.filter(|_| more_that_way), first.filter(|_| went_on))
    };
    Ok(LogPage {
        entries: rows.into_iter().map(log_entry).collect(),
        errors,
        older,
        newer,
    })
}

/// One message in full for the log's "Info": subject, both parts and the
/// headers that matter; the link masked (its token is never shown here).
pub async fn log_message(
    ctx: &Context,
    _actor: &crate::services::Actor,
    id: i64,
) -> ServiceResult<crate::domain::mail::LogMessage> {
    let env = MailEnv::of(ctx);
    let config = ctx.config().mail.clone();
    let (row, body) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let row = outbox::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let body = outbox::bodies(conn, &[id])?.pop();
            Ok((row, body))
        })
        .await?;
    let masked = row
        .link_path
        .as_deref()
        .map(|p| mail::masked_link(&env.settings.public_base_url, p))
        .unwrap_or_default();
    let (text, html) = body.map(|b| (b.body_text, b.body_html)).unwrap_or_default();
    let from = crate::mailer::sender_address(&config, &env.settings.public_base_url)
        .map(|a| a.to_string())
        .unwrap_or_default();
    Ok(crate::domain::mail::LogMessage {
        message_id: message_id(&env.settings, &row.message_key),
        to_name: row.recipient_name.clone(),
        from,
        text: fill_link(&text, &masked),
        html: fill_link(&html, &crate::domain::mail::escape_html(&masked)),
        transport: row.transport.clone(),
        failure_kind: row.failure_kind.as_deref().and_then(FailureKind::parse),
        entry: log_entry(row),
    })
}
