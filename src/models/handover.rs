//! One-time secrets on their way to the admin who made them (a generated
//! start password), and the keys of create forms already submitted.
//! Neither table holds a secret: see the migration `handovers`.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{form_submissions as f, secret_handovers as h};
use crate::domain::UserId;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = h)]
pub struct SecretHandover {
    pub id_hash: String,
    pub session_hash: String,
    pub user_id: UserId,
    pub then_page: String,
    pub expires_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &SecretHandover) -> QueryResult<usize> {
    diesel::insert_into(h::table).values(row).execute(conn)
}

/// What a QR code's hand-over has as `then_page`: a start password's names
/// a page after the sheet, never this.
pub const QR_HANDOVER: &str = "qr";

/// The live hand-over with this id for this session and person; `qr`: a QR
/// code's (else a start password's: one kind never opens the other).
pub fn find_live(
    conn: &mut DbConn,
    id_hash: &str,
    session_hash: &str,
    user_id: UserId,
    qr: bool,
    now: PrimitiveDateTime,
) -> QueryResult<Option<SecretHandover>> {
    let q = h::table
        .filter(h::id_hash.eq(id_hash))
        .filter(h::session_hash.eq(session_hash))
        .filter(h::user_id.eq(user_id))
        .filter(h::expires_at.gt(now))
        .select(SecretHandover::as_select())
        .into_boxed();
    if qr {
        q.filter(h::then_page.eq(QR_HANDOVER))
            .first(conn)
            .optional()
    } else {
        q.filter(h::then_page.ne(QR_HANDOVER))
            .first(conn)
            .optional()
    }
}

pub fn delete(conn: &mut DbConn, id_hash: &str) -> QueryResult<usize> {
    diesel::delete(h::table.find(id_hash)).execute(conn)
}

/// Every hand-over of a person ends when his password changes again.
pub fn delete_for_user(conn: &mut DbConn, user_id: UserId) -> QueryResult<usize> {
    diesel::delete(h::table.filter(h::user_id.eq(user_id))).execute(conn)
}

/// Housekeeping: expired hand-overs and form keys older than `keys_before`.
pub fn sweep(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    keys_before: PrimitiveDateTime,
) -> QueryResult<usize> {
    let a = diesel::delete(h::table.filter(h::expires_at.le(now))).execute(conn)?;
    let b = diesel::delete(f::table.filter(f::created_at.lt(keys_before))).execute(conn)?;
    Ok(a + b)
}

/// Records a submitted form key; a key seen before is a unique violation
/// (`UniqueKey::FormKey`), which the caller turns into "already done".
pub fn claim_form_key(
    conn: &mut DbConn,
    key_hash: &str,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(f::table)
        .values((f::key_hash.eq(key_hash), f::created_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn set_form_result(conn: &mut DbConn, key_hash: &str, user_id: UserId) -> QueryResult<()> {
    diesel::update(f::table.find(key_hash))
        .set(f::user_id.eq(Some(user_id)))
        .execute(conn)
        .map(|_| ())
}

/// What the first submit of this form key created (`None` if nothing, or
/// the key is unknown).
pub fn form_result(conn: &mut DbConn, key_hash: &str) -> QueryResult<Option<UserId>> {
    f::table
        .find(key_hash)
        .select(f::user_id)
        .first::<Option<UserId>>(conn)
        .optional()
        .map(Option::flatten)
}
