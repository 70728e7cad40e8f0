//! Zugangsanfragen (`access_requests`): what a person wrote with his
//! request, and the decision. Deciding is one conditional UPDATE: of two
//! admins deciding at the same instant, one does.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{access_requests as r, users as u};
use crate::domain::UserId;
use crate::models::user::SummaryRow;

pub fn insert(
    conn: &mut DbConn,
    user: UserId,
    message: &str,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(r::table)
        .values((
            r::user_id.eq(user),
            r::message.eq(message),
            r::requested_at.eq(now),
        ))
        .execute(conn)
}

/// The undecided requests of live accounts, oldest first: (the person,
/// his message, when).
pub fn pending(
    conn: &mut DbConn,
    limit: i64,
) -> QueryResult<Vec<(SummaryRow, String, PrimitiveDateTime)>> {
    r::table
        .inner_join(u::table)
        .filter(r::decided_at.is_null())
        .filter(u::deleted_at.is_null())
        .order((r::requested_at.asc(), r::user_id.asc()))
        .limit(limit)
        .select((SummaryRow::as_select(), r::message, r::requested_at))
        .load(conn)
}

pub fn count_pending(conn: &mut DbConn) -> QueryResult<i64> {
    r::table
        .inner_join(u::table)
        .filter(r::decided_at.is_null())
        .filter(u::deleted_at.is_null())
        .count()
        .get_result(conn)
}

/// Records the decision if none was made yet; true for the one that did.
pub fn decide(
    conn: &mut DbConn,
    user: UserId,
    decision: &str,
    reason: &str,
    by: &str,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        r::table
            .filter(r::user_id.eq(user))
            .filter(r::decided_at.is_null()),
    )
    .set((
        r::decided_at.eq(now),
        r::decision.eq(decision),
        r::reason.eq(reason),
        r::decided_by_label.eq(by),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The reason given when the person's request was rejected ("" if none).
pub fn reason_of(conn: &mut DbConn, user: UserId) -> QueryResult<String> {
    Ok(r::table
        .filter(r::user_id.eq(user))
        .select(r::reason)
        .first::<String>(conn)
        .optional()?
        .unwrap_or_default())
}
