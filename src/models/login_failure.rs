//! Failed logins, counted per account key and per client address, shared by
//! every instance on the same database.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::login_failures as f;

pub fn record(
    conn: &mut DbConn,
    account_key: &str,
    client_ip: &str,
    at: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(f::table)
        .values((
            f::account_key.eq(account_key),
            f::client_ip.eq(client_ip),
            f::failed_at.eq(at),
        ))
        .execute(conn)
}

pub fn count_for_account(
    conn: &mut DbConn,
    account_key: &str,
    since: PrimitiveDateTime,
) -> QueryResult<i64> {
    f::table
        .filter(f::account_key.eq(account_key).and(f::failed_at.ge(since)))
        .select(count_star())
        .first(conn)
}

pub fn count_for_ip(
    conn: &mut DbConn,
    client_ip: &str,
    since: PrimitiveDateTime,
) -> QueryResult<i64> {
    f::table
        .filter(f::client_ip.eq(client_ip).and(f::failed_at.ge(since)))
        .select(count_star())
        .first(conn)
}

pub fn clear_account(conn: &mut DbConn, account_key: &str) -> QueryResult<usize> {
    diesel::delete(f::table.filter(f::account_key.eq(account_key))).execute(conn)
}

pub fn delete_before(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<usize> {
    diesel::delete(f::table.filter(f::failed_at.lt(cutoff))).execute(conn)
}
