//! Rate-limit hits: one row per counted event, by scope and key, shared by
//! every instance on the database. Keys are stored as SHA-256 hashes (what
//! someone typed into a sign-in form is nobody's business, and a hash is
//! plain hex whatever was typed).

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::rate_limit_hits as h;

pub fn record(
    conn: &mut DbConn,
    scope: &str,
    key_hash: &str,
    at: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(h::table)
        .values((
            h::scope.eq(scope),
            h::key_hash.eq(key_hash),
            h::hit_at.eq(at),
        ))
        .execute(conn)
}

pub fn count_since(
    conn: &mut DbConn,
    scope: &str,
    key_hash: &str,
    since: PrimitiveDateTime,
) -> QueryResult<i64> {
    h::table
        .filter(h::scope.eq(scope))
        .filter(h::key_hash.eq(key_hash))
        .filter(h::hit_at.ge(since))
        .select(count_star())
        .first(conn)
}

/// Holds the key until the transaction ends, so that counting and recording
/// an attempt are one step: PostgreSQL takes an advisory lock on it; SQLite's
/// write transaction holds the whole database already.
pub fn lock(conn: &mut DbConn, scope: &str, key_hash: &str) -> QueryResult<()> {
    if let DbConn::Postgres(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(format!("{scope}:{key_hash}"))
            .execute(c)?;
    }
    Ok(())
}

/// Forgets the newest hit of the key.
pub fn remove_newest(conn: &mut DbConn, scope: &str, key_hash: &str) -> QueryResult<usize> {
    let newest: Option<i64> = h::table
        .filter(h::scope.eq(scope))
        .filter(h::key_hash.eq(key_hash))
        .select(diesel::dsl::max(h::id))
        .first(conn)?;
    match newest {
        Some(id) => diesel::delete(h::table.find(id)).execute(conn),
        None => Ok(0),
    }
}

pub fn clear(conn: &mut DbConn, scope: &str, key_hash: &str) -> QueryResult<usize> {
    diesel::delete(
        h::table
            .filter(h::scope.eq(scope))
            .filter(h::key_hash.eq(key_hash)),
    )
    .execute(conn)
}

pub fn delete_before(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<usize> {
    diesel::delete(h::table.filter(h::hit_at.lt(cutoff))).execute(conn)
}
