//! Server-side admin sessions. The cookie holds a random id; the table holds
//! only its hash, so a database leak does not hand out sessions.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{admin_sessions as s, users};
use crate::domain::UserId;
use crate::models::user::User;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = s)]
pub struct AdminSession {
    pub id_hash: String,
    pub user_id: UserId,
    pub created_at: PrimitiveDateTime,
    pub last_seen_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &AdminSession) -> QueryResult<usize> {
    diesel::insert_into(s::table).values(row).execute(conn)
}

/// The session and its live user in one query (runs on every admin request).
pub fn find_with_user(
    conn: &mut DbConn,
    id_hash: &str,
) -> QueryResult<Option<(AdminSession, Option<User>)>> {
    s::table
        .left_join(users::table.on(users::id.eq(s::user_id).and(users::deleted_at.is_null())))
        .filter(s::id_hash.eq(id_hash))
        .select((AdminSession::as_select(), Option::<User>::as_select()))
        .first(conn)
        .optional()
}

/// Records activity if the last record is older than `stale_before`. Many
/// requests of one session may race here: the condition lets one of them
/// write. Losing this write in a crash is harmless, so on PostgreSQL it does
/// not wait for the disk (`synchronous_commit = off`).
pub fn touch(
    conn: &mut DbConn,
    id_hash: &str,
    now: PrimitiveDateTime,
    stale_before: PrimitiveDateTime,
) -> QueryResult<usize> {
    let update = diesel::update(
        s::table
            .find(id_hash)
            .filter(s::last_seen_at.lt(stale_before)),
    )
    .set(s::last_seen_at.eq(now));
    match conn {
        DbConn::Postgres(_) => conn.transaction(|conn| {
            conn.batch_execute("SET LOCAL synchronous_commit = off")?;
            update.execute(conn)
        }),
        DbConn::Sqlite(_) => update.execute(conn),
    }
}

pub fn delete(conn: &mut DbConn, id_hash: &str) -> QueryResult<usize> {
    diesel::delete(s::table.find(id_hash)).execute(conn)
}

/// Ends every session of a user (deactivation, password change, deletion).
pub fn delete_for_user(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    diesel::delete(s::table.filter(s::user_id.eq(user))).execute(conn)
}

/// Removes sessions idle since before `idle_cutoff` or older than `absolute_cutoff`.
pub fn delete_expired(
    conn: &mut DbConn,
    idle_cutoff: PrimitiveDateTime,
    absolute_cutoff: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        s::table.filter(
            s::last_seen_at
                .lt(idle_cutoff)
                .or(s::created_at.lt(absolute_cutoff)),
        ),
    )
    .execute(conn)
}
