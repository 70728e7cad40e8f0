//! The outbox: every message, written in the transaction of the change that
//! causes it, claimed by a worker with a lease, and its outcome recorded.
//!
//! A waiting message is due when `next_attempt_at <= now`. Claiming sets
//! `next_attempt_at` to the end of the lease and `leased_by` to the worker,
//! so a worker that dies leaves its messages to be claimed again when the
//! lease runs out, never before. PostgreSQL claims with `FOR UPDATE SKIP
//! LOCKED` (several instances take disjoint sets); SQLite has one writer,
//! and the claim is a conditional UPDATE in an immediate transaction.
//! Outcomes are recorded only by the worker that still holds the lease.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{blocked_addresses as b, outbox_bodies as ob, outbox_messages as o};
use crate::db::{Db, DbConn};
use crate::domain::UserId;
use crate::domain::mail::{Delivery, MailKind};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = o)]
pub struct OutboxMessage {
    pub id: i64,
    pub message_key: String,
    pub kind: MailKind,
    pub user_id: Option<UserId>,
    pub recipient: String,
    pub recipient_name: String,
    pub language: String,
    pub subject: String,
    pub sealed_token: Option<String>,
    pub link_path: Option<String>,
    pub status: Delivery,
    pub next_attempt_at: PrimitiveDateTime,
    pub attempts: i32,
    pub give_up_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
    pub sent_at: Option<PrimitiveDateTime>,
    pub transport: Option<String>,
    pub last_answer: Option<String>,
    pub failure_kind: Option<String>,
    /// The message this one is a copy of ("Erneut senden").
    pub resent_from: Option<i64>,
}

#[derive(Clone, Insertable)]
#[diesel(table_name = o)]
pub struct NewMessage {
    pub message_key: String,
    pub kind: MailKind,
    pub user_id: Option<UserId>,
    pub recipient: String,
    pub recipient_lower: String,
    pub recipient_name: String,
    pub language: String,
    pub subject: String,
    /// Written to `outbox_bodies`.
    #[diesel(skip_insertion)]
    pub body_text: String,
    #[diesel(skip_insertion)]
    pub body_html: String,
    pub sealed_token: Option<String>,
    pub link_path: Option<String>,
    pub status: Delivery,
    pub next_attempt_at: PrimitiveDateTime,
    pub attempts: i32,
    pub give_up_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
    pub last_answer: Option<String>,
    pub failure_kind: Option<String>,
    /// The user's current invitation (an older one of his loses the flag
    /// when this one is written).
    pub current_invitation: bool,
}

/// The parts of a message: written once, read when it is sent or shown.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ob)]
pub struct Body {
    pub message_id: i64,
    pub body_text: String,
    pub body_html: String,
}

impl NewMessage {
    fn body(&self, message_id: i64) -> Body {
        Body {
            message_id,
            body_text: self.body_text.clone(),
            body_html: self.body_html.clone(),
        }
    }
}

/// The user's older invitations are no longer his current one.
fn supersede(conn: &mut DbConn, rows: &[NewMessage]) -> QueryResult<()> {
    let users: Vec<UserId> = rows
        .iter()
        .filter(|r| r.current_invitation)
        .filter_map(|r| r.user_id)
        .collect();
    for chunk in users.chunks(5000) {
        diesel::update(
            o::table
                .filter(o::user_id.eq_any(chunk))
                .filter(o::current_invitation),
        )
        .set(o::current_invitation.eq(false))
        .execute(conn)?;
    }
    Ok(())
}

/// A deleted user has no current invitation any more (the list's delivery
/// filter counts live users only).
pub fn release_current_invitation(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    diesel::update(
        o::table
            .filter(o::user_id.eq(user))
            .filter(o::current_invitation),
    )
    .set(o::current_invitation.eq(false))
    .execute(conn)
}

/// Removed people have no current invitation any more (many at once).
pub fn release_current_invitations(conn: &mut DbConn, users: &[UserId]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in users.chunks(5000) {
        n += diesel::update(
            o::table
                .filter(o::user_id.eq_any(chunk.iter().map(|u| Some(*u)).collect::<Vec<_>>()))
                .filter(o::current_invitation),
        )
        .set(o::current_invitation.eq(false))
        .execute(conn)?;
    }
    Ok(n)
}

/// How many live users' current invitation is in this state (an index-only
/// count). The flag is tested as itself, not compared with a bound value:
/// only then does SQLite see that the partial index applies.
pub fn count_current_invitations(conn: &mut DbConn, status: Delivery) -> QueryResult<i64> {
    o::table
        .filter(o::current_invitation)
        .filter(o::status.eq(status))
        .count()
        .get_result(conn)
}

/// The users whose current invitation is in this state, at most `limit`.
pub fn users_with_current_invitation(
    conn: &mut DbConn,
    status: Delivery,
    limit: i64,
) -> QueryResult<Vec<UserId>> {
    Ok(o::table
        .filter(o::current_invitation)
        .filter(o::status.eq(status))
        .select(o::user_id)
        .limit(limit)
        .load::<Option<UserId>>(conn)?
        .into_iter()
        .flatten()
        .collect())
}

pub fn insert(conn: &mut DbConn, row: &NewMessage) -> QueryResult<i64> {
    supersede(conn, std::slice::from_ref(row))?;
    let id = diesel::insert_into(o::table)
        .values(row)
        .returning(o::id)
        .get_result(conn)?;
    diesel::insert_into(ob::table)
        .values(&row.body(id))
        .execute(conn)?;
    Ok(id)
}

/// Scheduled messages whose send time has come, oldest first.
pub fn due_scheduled(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    o::table
        .filter(o::status.eq(Delivery::Geplant))
        .filter(o::next_attempt_at.le(now))
        .order((o::next_attempt_at.asc(), o::id.asc()))
        .limit(limit)
        .select(OutboxMessage::as_select())
        .load(conn)
}

/// Takes a scheduled message out of the schedule (`geplant` → `status`);
/// `false` if another instance did first.
pub fn take_scheduled(
    conn: &mut DbConn,
    id: i64,
    status: Delivery,
    answer: Option<&str>,
) -> QueryResult<bool> {
    let n = diesel::update(
        o::table
            .filter(o::id.eq(id))
            .filter(o::status.eq(Delivery::Geplant)),
    )
    .set((o::status.eq(status), o::last_answer.eq(answer)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Fills in a released scheduled message as it goes out now: its text,
/// its sealed link, its times (the row was taken with [`take_scheduled`]).
pub fn fill_released(conn: &mut DbConn, id: i64, row: &NewMessage) -> QueryResult<()> {
    diesel::update(o::table.find(id))
        .set((
            o::status.eq(row.status),
            o::subject.eq(&row.subject),
            o::sealed_token.eq(&row.sealed_token),
            o::message_key.eq(&row.message_key),
            o::next_attempt_at.eq(row.next_attempt_at),
            o::give_up_at.eq(row.give_up_at),
            o::failure_kind.eq(&row.failure_kind),
        ))
        .execute(conn)?;
    diesel::update(ob::table.find(id))
        .set((
            ob::body_text.eq(&row.body_text),
            ob::body_html.eq(&row.body_html),
        ))
        .execute(conn)?;
    Ok(())
}

/// Many messages at once (inviting thousands): multi-row inserts in chunks
/// that stay below PostgreSQL's bind-parameter limit. Returns the ids, in
/// the order of `rows`.
pub fn insert_many(conn: &mut DbConn, rows: &[NewMessage]) -> QueryResult<Vec<i64>> {
    supersede(conn, rows)?;
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1000) {
        match conn {
            DbConn::Postgres(c) => {
                // A multi-row INSERT … RETURNING gives the rows back in the
                // order of its VALUES.
                let new: Vec<i64> = diesel::insert_into(o::table)
                    .values(chunk)
                    .returning(o::id)
                    .get_results(c)?;
                let bodies: Vec<Body> = chunk.iter().zip(&new).map(|(r, id)| r.body(*id)).collect();
                diesel::insert_into(ob::table).values(&bodies).execute(c)?;
                ids.extend(new);
            }
            // Row by row: diesel wraps an SQLite batch insert in a
            // transaction of its own, and ours is already open. One cached
            // prepared statement in one immediate transaction is fast.
            DbConn::Sqlite(c) => {
                for row in chunk {
                    let id = diesel::insert_into(o::table)
                        .values(row)
                        .returning(o::id)
                        .get_result(c)?;
                    diesel::insert_into(ob::table)
                        .values(&row.body(id))
                        .execute(c)?;
                    ids.push(id);
                }
            }
        }
    }
    Ok(ids)
}

/// The parts of these messages.
pub fn bodies(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<Body>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        out.extend(
            ob::table
                .filter(ob::message_id.eq_any(chunk))
                .select(Body::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Lets the current transaction commit without waiting for the disk
/// (PostgreSQL; SQLite in WAL mode does not wait per commit anyway).
pub fn relaxed_commit(conn: &mut DbConn) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConn::Postgres(c) => c.batch_execute("SET LOCAL synchronous_commit = off"),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Whether a message is due: read before [`claim`], so that a worker with
/// nothing to send never queues for SQLite's write lock (an import's commit
/// holds it for seconds).
pub fn any_due(conn: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        o::table
            .filter(o::status.eq(Delivery::Wartend))
            .filter(o::next_attempt_at.le(now)),
    ))
    .get_result(conn)
}

/// Claims up to `limit` due messages for `worker` until `lease_until`.
pub fn claim(
    conn: &mut DbConn,
    worker: &str,
    now: PrimitiveDateTime,
    lease_until: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    let due = o::table
        .filter(o::status.eq(Delivery::Wartend))
        .filter(o::next_attempt_at.le(now))
        .order((o::next_attempt_at.asc(), o::id.asc()))
        .limit(limit)
        .select(o::id);
    let ids: Vec<i64> = match conn {
        DbConn::Postgres(c) => due.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let claimed: Vec<i64> = diesel::update(
        o::table
            .filter(o::id.eq_any(&ids))
            .filter(o::status.eq(Delivery::Wartend))
            .filter(o::next_attempt_at.le(now)),
    )
    .set((
        o::next_attempt_at.eq(lease_until),
        o::leased_by.eq(worker),
        o::attempts.eq(o::attempts + 1),
    ))
    .returning(o::id)
    .get_results(conn)?;
    o::table
        .filter(o::id.eq_any(&claimed))
        .order(o::id.asc())
        .select(OutboxMessage::as_select())
        .load(conn)
}

/// The outcome of one attempt, as the worker records it.
pub struct Outcome<'a> {
    pub status: Delivery,
    /// When to try again (status `Wartend`).
    pub next_attempt_at: Option<PrimitiveDateTime>,
    pub sent_at: Option<PrimitiveDateTime>,
    pub transport: Option<&'a str>,
    pub answer: &'a str,
    pub failure_kind: Option<&'a str>,
    /// Sent through SMTP: the sealed token is no longer needed.
    pub forget_token: bool,
}

/// Records an outcome if `worker` still holds the lease; true if it did.
pub fn record(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    outcome: &Outcome<'_>,
) -> QueryResult<bool> {
    let target = o::table
        .filter(o::id.eq(id))
        .filter(o::status.eq(Delivery::Wartend))
        .filter(o::leased_by.eq(worker));
    let n = if let Some(next) = outcome.next_attempt_at {
        diesel::update(target)
            .set((
                o::next_attempt_at.eq(next),
                o::leased_by.eq(None::<String>),
                o::last_answer.eq(outcome.answer),
            ))
            .execute(conn)?
    } else {
        let changes = (
            o::status.eq(outcome.status),
            o::leased_by.eq(None::<String>),
            o::sent_at.eq(outcome.sent_at),
            o::transport.eq(outcome.transport),
            o::last_answer.eq(outcome.answer),
            o::failure_kind.eq(outcome.failure_kind),
        );
        if outcome.forget_token {
            diesel::update(target)
                .set((changes, o::sealed_token.eq(None::<String>)))
                .execute(conn)?
        } else {
            diesel::update(target).set(changes).execute(conn)?
        }
    };
    Ok(n == 1)
}

/// Records many messages of `worker` as sent, in one statement (the answers
/// of a group of sends); returns the ids it recorded: those whose lease was
/// still this worker's. Sent through SMTP, the sealed token goes.
pub fn record_sent_many(
    conn: &mut DbConn,
    worker: &str,
    now: PrimitiveDateTime,
    transport: &str,
    sent: &[(i64, String)],
) -> QueryResult<Vec<i64>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    #[derive(QueryableByName)]
    struct Recorded {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    if sent.is_empty() {
        return Ok(Vec::new());
    }
    let pg = matches!(conn, DbConn::Postgres(_));
    let p = |i: usize| if pg { format!("${i}") } else { format!("?{i}") };
    let values: Vec<String> = (0..sent.len())
        .map(|k| format!("({}, {})", p(4 + 2 * k), p(5 + 2 * k)))
        .collect();
    let forget = if transport == "smtp" {
        ", sealed_token = NULL"
    } else {
        ""
    };
    // VALUES names its columns column1, column2 on both backends. SQLite
    // would walk the index of waiting messages for each row of the VALUES
    // (the status term matches it); NOT INDEXED leaves it the primary key.
    let target = if pg {
        "outbox_messages"
    } else {
        "outbox_messages NOT INDEXED"
    };
    let sql = format!(
        "UPDATE {target} SET status = 'gesendet', leased_by = NULL, sent_at = {}, \
         transport = {}, last_answer = v.column2{forget} FROM (VALUES {}) AS v \
         WHERE outbox_messages.id = v.column1 AND outbox_messages.status = 'wartend' \
         AND outbox_messages.leased_by = {} RETURNING outbox_messages.id",
        p(1),
        p(2),
        values.join(", "),
        p(3),
    );
    macro_rules! run {
        ($c:expr, $backend:ty) => {{
            let mut q = diesel::sql_query(sql)
                .into_boxed::<$backend>()
                .bind::<Timestamp, _>(now)
                .bind::<Text, _>(transport)
                .bind::<Text, _>(worker);
            for (id, answer) in sent {
                q = q.bind::<BigInt, _>(*id).bind::<Text, _>(answer.as_str());
            }
            q.load::<Recorded>($c)?
        }};
    }
    let rows = match conn {
        DbConn::Postgres(c) => run!(c, diesel::pg::Pg),
        DbConn::Sqlite(c) => run!(c, diesel::sqlite::Sqlite),
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The id of the user's newest message of a kind.
pub fn latest_of_user(conn: &mut DbConn, user: UserId, kind: MailKind) -> QueryResult<Option<i64>> {
    o::table
        .filter(o::user_id.eq(user))
        .filter(o::kind.eq(kind))
        .select(diesel::dsl::max(o::id))
        .first(conn)
}

/// Cancels every waiting message of the user that carries a link (his
/// links died: password change, deactivation, deletion).
pub fn cancel_waiting_links(conn: &mut DbConn, user: UserId, answer: &str) -> QueryResult<usize> {
    diesel::update(
        o::table
            .filter(o::user_id.eq(user))
            .filter(o::link_path.is_not_null())
            .filter(o::status.eq_any([Delivery::Wartend, Delivery::Geplant])),
    )
    .set((
        o::status.eq(Delivery::Abgebrochen),
        o::sealed_token.eq(None::<String>),
        o::last_answer.eq(answer),
    ))
    .execute(conn)
}

/// Cancels the user's waiting and scheduled messages of these kinds (a
/// renewed or revoked invitation: its older mail must not go out any more).
pub fn cancel_waiting(
    conn: &mut DbConn,
    user: UserId,
    kinds: &[MailKind],
    answer: &str,
) -> QueryResult<usize> {
    diesel::update(
        o::table
            .filter(o::user_id.eq(user))
            .filter(o::kind.eq_any(kinds.to_vec()))
            .filter(o::status.eq_any([Delivery::Wartend, Delivery::Geplant])),
    )
    .set((
        o::status.eq(Delivery::Abgebrochen),
        o::sealed_token.eq(None::<String>),
        o::last_answer.eq(answer),
    ))
    .execute(conn)
}

/// Cancels the waiting and scheduled messages of all these users: of these
/// kinds (new links for many at once: their older mail must not go out), or
/// of every kind (`None`: an undone import, its people are going).
pub fn cancel_waiting_of_users(
    conn: &mut DbConn,
    users: &[UserId],
    kinds: Option<&[MailKind]>,
    answer: &str,
) -> QueryResult<usize> {
    let kinds = kinds.unwrap_or(&MailKind::ALL).to_vec();
    let mut n = 0;
    for chunk in users.chunks(5000) {
        n += diesel::update(
            o::table
                .filter(o::user_id.eq_any(chunk.iter().map(|u| Some(*u)).collect::<Vec<_>>()))
                .filter(o::kind.eq_any(kinds.clone()))
                .filter(o::status.eq_any([Delivery::Wartend, Delivery::Geplant])),
        )
        .set((
            o::status.eq(Delivery::Abgebrochen),
            o::sealed_token.eq(None::<String>),
            o::last_answer.eq(answer),
        ))
        .execute(conn)?;
    }
    Ok(n)
}

/// The key an address is blocked by: its mailbox's ([`address_key`]), so
/// that `anna@xn--mller-kva.de` and `Anna@müller.de` are one block.
///
/// [`address_key`]: crate::domain::email::address_key
pub fn block_key(address: &str) -> String {
    crate::domain::email::address_key(address)
}

/// Every block's key, for start-up to key those of an older form anew (a
/// domain written `xn--…`, or lower-cased where IDNA maps otherwise: `ẞ`).
/// Blocks are few: one per address that ever failed for good.
pub fn block_keys(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    b::table.select(b::address_lower).load(conn)
}

/// Keys a block anew; where the new key is blocked already, the old block
/// goes (the block under the new key stays, with its answer and time).
pub fn rekey_block(conn: &mut DbConn, old: &str, new: &str) -> QueryResult<()> {
    if find_block(conn, new)?.is_some() {
        diesel::delete(b::table.find(old)).execute(conn)?;
    } else {
        diesel::update(b::table.find(old))
            .set(b::address_lower.eq(new))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether an address is blocked (after a permanent failure), by its
/// [`block_key`].
pub fn is_blocked(conn: &mut DbConn, address_lower: &str) -> QueryResult<bool> {
    Ok(b::table
        .find(address_lower)
        .select(b::address_lower)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Which of these addresses are blocked.
pub fn blocked_among(conn: &mut DbConn, addresses: &[String]) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in addresses.chunks(5000) {
        out.extend(
            b::table
                .filter(b::address_lower.eq_any(chunk))
                .select(b::address_lower)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// Blocks an address; a second block of the same address keeps the first.
pub fn block(
    conn: &mut DbConn,
    address_lower: &str,
    reason: &str,
    answer: &str,
    message: i64,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    macro_rules! insert {
        () => {
            diesel::insert_into(b::table)
                .values((
                    b::address_lower.eq(address_lower),
                    b::reason.eq(reason),
                    b::smtp_answer.eq(answer),
                    b::message_id.eq(message),
                    b::blocked_at.eq(now),
                ))
                .on_conflict(b::address_lower)
                .do_nothing()
        };
    }
    match conn {
        DbConn::Postgres(c) => insert!().execute(c),
        DbConn::Sqlite(c) => insert!().execute(c),
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = b)]
pub struct BlockedAddress {
    pub address_lower: String,
    pub reason: String,
    pub smtp_answer: Option<String>,
    pub blocked_at: PrimitiveDateTime,
}

/// Lifts the block of an address ("Entsperren"); what the block was, if
/// there was one.
pub fn unblock(conn: &mut DbConn, address_lower: &str) -> QueryResult<Option<BlockedAddress>> {
    let found = find_block(conn, address_lower)?;
    if found.is_some() {
        diesel::delete(b::table.find(address_lower)).execute(conn)?;
    }
    Ok(found)
}

/// A page of blocked addresses, newest first, optionally only those with
/// `pattern` (LIKE, escaped) in them; keyset on (blocked_at, address).
pub fn blocked_page(
    conn: &mut DbConn,
    pattern: Option<&str>,
    older_than: Option<(PrimitiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<BlockedAddress>> {
    let mut q = b::table.into_boxed::<Db>();
    if let Some(p) = pattern {
        q = q.filter(b::address_lower.like(p.to_owned()).escape('\\'));
    }
    if let Some((at, address)) = older_than {
        q = q
            .filter(b::blocked_at.le(at))
            .filter(b::blocked_at.lt(at).or(b::address_lower.lt(address)));
    }
    q.order((b::blocked_at.desc(), b::address_lower.desc()))
        .limit(limit)
        .select(BlockedAddress::as_select())
        .load(conn)
}

/// The copy "Erneut senden" made of a message, if it made one.
pub fn copy_of(conn: &mut DbConn, id: i64) -> QueryResult<Option<i64>> {
    o::table
        .filter(o::resent_from.eq(id))
        .select(o::id)
        .first(conn)
        .optional()
}

/// Marks `copy` as the one copy of `original` (a second copy of the same
/// message is a unique violation, `UniqueKey::Resent`).
pub fn mark_resent(conn: &mut DbConn, copy: i64, original: i64) -> QueryResult<()> {
    diesel::update(o::table.find(copy))
        .set(o::resent_from.eq(Some(original)))
        .execute(conn)
        .map(|_| ())
}

pub fn find_block(conn: &mut DbConn, address_lower: &str) -> QueryResult<Option<BlockedAddress>> {
    b::table
        .find(address_lower)
        .select(BlockedAddress::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<OutboxMessage>> {
    o::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()
}

/// The message, its row locked until the transaction ends (PostgreSQL; on
/// SQLite the write transaction holds the database): two resends of one
/// message go one after the other, and the second finds the first's copy.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<Option<OutboxMessage>> {
    match conn {
        DbConn::Postgres(c) => o::table
            .find(id)
            .select(OutboxMessage::as_select())
            .for_update()
            .first(c)
            .optional(),
        DbConn::Sqlite(_) => find(conn, id),
    }
}

fn newest_first() -> o::BoxedQuery<'static, Db> {
    o::table.order((o::id.desc(),)).into_boxed()
}

/// The in-app mailbox: messages delivered locally, newest first.
pub fn mailbox(
    conn: &mut DbConn,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    let mut q = newest_first().filter(o::transport.eq("local"));
    if let Some(id) = before {
        q = q.filter(o::id.lt(id));
    }
    q.limit(limit).select(OutboxMessage::as_select()).load(conn)
}

/// How the log matches part of an address, decided once per request.
#[derive(Clone, Debug)]
pub enum RecipientMatch {
    /// SQLite, few trigram hits: the matching messages themselves.
    Ids(Vec<i64>),
    /// A LIKE pattern on the lower-cased address (escaped), tested while the
    /// time index is walked (many hits soon fill a page), or served by
    /// pg_trgm on PostgreSQL.
    Like(String),
}

/// Up to this many trigram hits are passed to the log as ids.
const FEW_RECIPIENT_HITS: i64 = 2000;
/// How many of the newest messages are tried with the plain pattern, and
/// how many hits among them make the part common enough to walk the time
/// index instead (about a page per 4,000 messages walked).
const PROBE_NEWEST: i64 = 2000;
const COMMON_AMONG_NEWEST: i64 = 25;

/// Resolves part of an address (lower-cased, not yet a pattern).
pub fn recipient_match(conn: &mut DbConn, needle: &str) -> QueryResult<RecipientMatch> {
    use crate::db::schema::outbox_search as fts;
    let like = crate::models::contains_pattern(needle);
    let trigram = needle.chars().count() >= 3 && !needle.contains(['%', '_', '\\']);
    if !(matches!(conn, DbConn::Sqlite(_)) && trigram) {
        return Ok(RecipientMatch::Like(like));
    }
    // A part many addresses share (the organisation's domain) soon fills a
    // page while the time index is walked; the trigram index would first
    // merge posting lists as long as the log. The newest messages tell.
    let newest: Option<i64> = o::table.select(diesel::dsl::max(o::id)).first(conn)?;
    let common: i64 = o::table
        .filter(o::id.gt(newest.unwrap_or(0) - PROBE_NEWEST))
        .filter(o::recipient_lower.like(&like).escape('\\'))
        .count()
        .get_result(conn)?;
    if common >= COMMON_AMONG_NEWEST {
        return Ok(RecipientMatch::Like(like));
    }
    let few: Vec<i64> = fts::table
        .filter(fts::recipient_lower.like(format!("%{needle}%")))
        .select(fts::rowid)
        .limit(FEW_RECIPIENT_HITS + 1)
        .load(conn)?;
    Ok(if few.len() as i64 <= FEW_RECIPIENT_HITS {
        RecipientMatch::Ids(few)
    } else {
        RecipientMatch::Like(like)
    })
}

/// Bounds of the email log's query (times already in UTC).
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    pub status: Option<Delivery>,
    pub kind: Option<MailKind>,
    pub recipient: Option<RecipientMatch>,
    pub created_from: Option<PrimitiveDateTime>,
    pub created_before: Option<PrimitiveDateTime>,
    /// Keyset: strictly older than this message (created_at, id).
    pub older_than: Option<(PrimitiveDateTime, i64)>,
    /// Keyset the other way: strictly newer (the page before).
    pub newer_than: Option<(PrimitiveDateTime, i64)>,
    /// Without a cursor: the oldest messages (the first page of the log
    /// sorted oldest first).
    pub oldest: bool,
}

/// A page of the email log, newest first (`newer_than`: the page before,
/// still returned newest first).
pub fn log(conn: &mut DbConn, q: &LogQuery, limit: i64) -> QueryResult<Vec<OutboxMessage>> {
    let mut query = o::table.into_boxed::<Db>();
    if let Some(status) = q.status {
        query = query.filter(o::status.eq(status));
    }
    if let Some(kind) = q.kind {
        query = query.filter(o::kind.eq(kind));
    }
    match &q.recipient {
        None => {}
        Some(RecipientMatch::Ids(ids)) => query = query.filter(o::id.eq_any(ids.clone())),
        Some(RecipientMatch::Like(pattern)) => {
            query = query.filter(o::recipient_lower.like(pattern.clone()).escape('\\'))
        }
    }
    if let Some(from) = q.created_from {
        query = query.filter(o::created_at.ge(from));
    }
    if let Some(before) = q.created_before {
        query = query.filter(o::created_at.lt(before));
    }
    if let Some((at, id)) = q.older_than {
        // The plain range first, so both planners seek on the index.
        query = query
            .filter(o::created_at.le(at))
            .filter(o::created_at.lt(at).or(o::id.lt(id)));
    }
    let mut rows: Vec<OutboxMessage> =
        if q.oldest && q.newer_than.is_none() && q.older_than.is_none() {
            query
                .order((o::created_at.asc(), o::id.asc()))
                .limit(limit)
                .select(OutboxMessage::as_select())
                .load(conn)?
        } else if let Some((at, id)) = q.newer_than {
            query
                .filter(o::created_at.ge(at))
                .filter(o::created_at.gt(at).or(o::id.gt(id)))
                .order((o::created_at.asc(), o::id.asc()))
                .limit(limit)
                .select(OutboxMessage::as_select())
                .load(conn)?
        } else {
            query
                .order((o::created_at.desc(), o::id.desc()))
                .limit(limit)
                .select(OutboxMessage::as_select())
                .load(conn)?
        };
    if q.newer_than.is_some() || (q.oldest && q.older_than.is_none()) {
        rows.reverse();
    }
    Ok(rows)
}

/// The messages to one user, newest first (the user page).
pub fn of_user(conn: &mut DbConn, user: UserId, limit: i64) -> QueryResult<Vec<OutboxMessage>> {
    newest_first()
        .filter(o::user_id.eq(user))
        .limit(limit)
        .select(OutboxMessage::as_select())
        .load(conn)
}

/// Counts for the dashboard: waiting, failed in the last day.
pub fn counts(conn: &mut DbConn, since: PrimitiveDateTime) -> QueryResult<(i64, i64)> {
    let waiting = o::table
        .filter(o::status.eq(Delivery::Wartend))
        .count()
        .get_result(conn)?;
    let failed = o::table
        .filter(o::status.eq(Delivery::Fehlgeschlagen))
        .filter(o::created_at.ge(since))
        .count()
        .get_result(conn)?;
    Ok((waiting, failed))
}

/// The newest configuration failure (auth, TLS) after the newest success:
/// while there is one, sending is broken for every message.
pub fn configuration_failure(conn: &mut DbConn) -> QueryResult<Option<OutboxMessage>> {
    let last_sent: Option<i64> = o::table
        .filter(o::status.eq(Delivery::Gesendet))
        .filter(o::transport.eq("smtp"))
        .select(diesel::dsl::max(o::id))
        .first(conn)?;
    let mut q = newest_first()
        .filter(o::status.eq(Delivery::Fehlgeschlagen))
        .filter(o::failure_kind.eq_any(["auth", "tls"]));
    if let Some(id) = last_sent {
        q = q.filter(o::id.gt(id));
    }
    q.select(OutboxMessage::as_select()).first(conn).optional()
}
