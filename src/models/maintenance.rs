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

/// Records that `name` reached `version` (delete and insert: both backends,
/// no upsert branch; the caller holds a write transaction).
pub fn set_version(conn: &mut DbConn, name: &str, version: i32) -> QueryResult<()> {
    diesel::delete(m::table.find(name)).execute(conn)?;
    diesel::insert_into(m::table)
        .values((m::name.eq(name), m::version.eq(version)))
        .execute(conn)
        .map(|_| ())
}
