//! Background tasks and the users they still have to do.
//!
//! A runner takes a running task whose lease is free (or ran out) and
//! renews the lease with every chunk, in the chunk's transaction; a runner
//! that died leaves the task to the next one once the lease has run out.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{bulk_task_items as i, bulk_tasks as t};
use crate::domain::UserId;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct TaskRow {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<UserId>,
    pub actor_label: String,
    pub state: String,
    pub planned: i64,
    pub done: i64,
    pub blocked: i64,
    pub skipped_no_email: i64,
    pub skipped_role: i64,
    pub skipped_changed: i64,
    pub stop_reason: Option<String>,
    pub skipped_status: i64,
    pub skipped_self: i64,
    pub created_at: PrimitiveDateTime,
    pub finished_at: Option<PrimitiveDateTime>,
    pub scheduled_for: Option<PrimitiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = t)]
pub struct NewTask<'a> {
    pub kind: &'a str,
    pub actor_id: Option<UserId>,
    pub actor_label: &'a str,
    pub state: &'a str,
    pub planned: i64,
    pub skipped_no_email: i64,
    pub skipped_role: i64,
    pub skipped_status: i64,
    pub skipped_self: i64,
    pub form_key: Option<&'a str>,
    pub scheduled_for: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
}

/// A task and its items, in the caller's transaction.
pub fn insert(conn: &mut DbConn, task: &NewTask<'_>, users: &[UserId]) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(t::table)
        .values(task)
        .returning(t::id)
        .get_result(conn)?;
    for chunk in users.chunks(5000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|u| (i::task_id.eq(id), i::user_id.eq(*u)))
            .collect();
        match conn {
            DbConn::Postgres(c) => {
                diesel::insert_into(i::table).values(&rows).execute(c)?;
            }
            // One cached statement per row inside the open transaction
            // (diesel would wrap a batch in a transaction of its own).
            DbConn::Sqlite(c) => {
                for row in &rows {
                    diesel::insert_into(i::table).values(row).execute(c)?;
                }
            }
        }
    }
    Ok(id)
}

/// The task a confirmation form (by its hashed key) started.
pub fn by_form_key(conn: &mut DbConn, key_hash: &str) -> QueryResult<Option<i64>> {
    t::table
        .filter(t::form_key.eq(key_hash))
        .select(t::id)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<TaskRow>> {
    t::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()
}

/// The running task of this kind, if one is running.
pub fn running_of_kind(conn: &mut DbConn, kind: &str) -> QueryResult<Option<i64>> {
    t::table
        .filter(t::state.eq("laufend"))
        .filter(t::kind.eq(kind))
        .select(t::id)
        .order(t::id.asc())
        .first(conn)
        .optional()
}

/// The newest task of this kind that ended at or after `since`.
pub fn recently_ended_of_kind(
    conn: &mut DbConn,
    kind: &str,
    since: PrimitiveDateTime,
) -> QueryResult<Option<i64>> {
    t::table
        .filter(t::kind.eq(kind))
        .filter(t::finished_at.ge(since))
        .select(t::id)
        .order(t::id.desc())
        .first(conn)
        .optional()
}

/// Whether a running task's lease is free: read before [`take`], so that a
/// runner with nothing to do never queues for SQLite's write lock (an
/// import's commit holds it for seconds).
pub fn any_free(conn: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        t::table
            .filter(t::state.eq("laufend"))
            .filter(t::lease_until.is_null().or(t::lease_until.lt(now))),
    ))
    .get_result(conn)
}

/// Takes the oldest running task whose lease is free for `runner`.
pub fn take(
    conn: &mut DbConn,
    runner: &str,
    now: PrimitiveDateTime,
    lease_until: PrimitiveDateTime,
) -> QueryResult<Option<i64>> {
    let free = t::lease_until.is_null().or(t::lease_until.lt(now));
    let candidates: Vec<i64> = t::table
        .filter(t::state.eq("laufend"))
        .filter(free)
        .order(t::id.asc())
        .select(t::id)
        .limit(5)
        .load(conn)?;
    for id in candidates {
        let taken = diesel::update(
            t::table
                .find(id)
                .filter(t::state.eq("laufend"))
                .filter(t::lease_until.is_null().or(t::lease_until.lt(now))),
        )
        .set((t::leased_by.eq(runner), t::lease_until.eq(lease_until)))
        .execute(conn)?;
        if taken == 1 {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Renews the lease if `runner` still holds it (first statement of each
/// chunk's transaction: on PostgreSQL it also locks the task row, so two
/// runners never work on one task at once).
pub fn renew(
    conn: &mut DbConn,
    id: i64,
    runner: &str,
    lease_until: PrimitiveDateTime,
) -> QueryResult<bool> {
    Ok(diesel::update(
        t::table
            .find(id)
            .filter(t::state.eq("laufend"))
            .filter(t::leased_by.eq(runner)),
    )
    .set(t::lease_until.eq(lease_until))
    .execute(conn)?
        == 1)
}

/// The next users of a task, in id order.
pub fn next_items(conn: &mut DbConn, id: i64, limit: i64) -> QueryResult<Vec<UserId>> {
    i::table
        .filter(i::task_id.eq(id))
        .order(i::user_id.asc())
        .select(i::user_id)
        .limit(limit)
        .load(conn)
}

/// Removes done items and counts what they came to.
pub fn complete_items(
    conn: &mut DbConn,
    id: i64,
    users: &[UserId],
    done: i64,
    blocked: i64,
    changed: i64,
) -> QueryResult<()> {
    diesel::delete(
        i::table
            .filter(i::task_id.eq(id))
            .filter(i::user_id.eq_any(users)),
    )
    .execute(conn)?;
    diesel::update(t::table.find(id))
        .set((
            t::done.eq(t::done + done),
            t::blocked.eq(t::blocked + blocked),
            t::skipped_changed.eq(t::skipped_changed + changed),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends a task: `fertig`, or `abgebrochen` with a reason; its remaining
/// items go.
pub fn finish(
    conn: &mut DbConn,
    id: i64,
    stop_reason: Option<&str>,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::delete(i::table.filter(i::task_id.eq(id))).execute(conn)?;
    diesel::update(t::table.find(id))
        .set((
            t::state.eq(if stop_reason.is_some() {
                "abgebrochen"
            } else {
                "fertig"
            }),
            t::stop_reason.eq(stop_reason),
            t::finished_at.eq(Some(now)),
            t::leased_by.eq(None::<String>),
            t::lease_until.eq(None::<PrimitiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}
