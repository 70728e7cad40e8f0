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
