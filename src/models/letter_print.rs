//! Printed QR letters for many people (`letter_prints`): whose letters a
//! browser may show, until when. No token is stored (see the migration).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::letter_prints as l;
use crate::domain::UserId;

#[derive(Insertable)]
#[diesel(table_name = l)]
pub struct NewLetterPrint<'a> {
    pub id_hash: &'a str,
    pub session_hash: &'a str,
    pub people: &'a str,
    pub form_key_hash: &'a str,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = l)]
pub struct LetterPrint {
    pub id: i64,
    pub people: String,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

impl LetterPrint {
    /// The people, in print order.
    pub fn people(&self) -> Vec<UserId> {
        self.people
            .split(',')
            .filter_map(|id| id.parse::<i64>().ok())
            .map(UserId::new)
            .collect()
    }
}

/// The ids joined for the `people` column.
pub fn encode_people(ids: &[UserId]) -> String {
    ids.iter()
        .map(|id| id.get().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn insert(conn: &mut DbConn, row: &NewLetterPrint<'_>) -> QueryResult<i64> {
    diesel::insert_into(l::table)
        .values(row)
        .returning(l::id)
        .get_result(conn)
}

/// The live print `id` of the browser holding `id_hash` in `session_hash`.
pub fn find_live(
    conn: &mut DbConn,
    id: i64,
    id_hash: &str,
    session_hash: &str,
    now: PrimitiveDateTime,
) -> QueryResult<Option<LetterPrint>> {
    l::table
        .filter(l::id.eq(id))
        .filter(l::id_hash.eq(id_hash))
        .filter(l::session_hash.eq(session_hash))
        .filter(l::expires_at.gt(now))
        .select(LetterPrint::as_select())
        .first(conn)
        .optional()
}

/// The print a confirmation with this key made already.
pub fn by_form_key(conn: &mut DbConn, form_key_hash: &str) -> QueryResult<Option<i64>> {
    l::table
        .filter(l::form_key_hash.eq(form_key_hash))
        .select(l::id)
        .first(conn)
        .optional()
}

/// Housekeeping: prints that can no longer be shown.
pub fn sweep(conn: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<usize> {
    diesel::delete(l::table.filter(l::expires_at.le(now))).execute(conn)
}
