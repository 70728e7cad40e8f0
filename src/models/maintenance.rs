//! Marks of data changes Einlass makes itself after a migration (for
//! example recomputing search texts when their folding changes).

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::maintenance_marks as m;

/// The version a mark has reached (0 if never).
pub fn version(conn: &mut DbConn, name: &str) -> QueryResult<i32> {
    m::table
        .find(name)
        .select(m::version)
        .first(conn)
        .optional()
        .map(Option::unwrap_or_default)
}

/// Records that `name` reached `version`. An upsert: two instances
/// starting at once both record it, neither fails on the key.
pub fn set_version(conn: &mut DbConn, name: &str, version: i32) -> QueryResult<()> {
    let row = (m::name.eq(name), m::version.eq(version));
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(m::table)
            .values(row)
            .on_conflict(m::name)
            .do_update()
            .set(m::version.eq(version))
            .execute(c),
        DbConn::Sqlite(c) => diesel::insert_into(m::table)
            .values(row)
            .on_conflict(m::name)
            .do_update()
            .set(m::version.eq(version))
            .execute(c),
    }
    .map(|_| ())
}
