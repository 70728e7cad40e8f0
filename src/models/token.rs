//! One-time tokens, stored by hash. Consuming one is a single conditional
//! UPDATE, so of two simultaneous redeems exactly one wins.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::one_time_tokens as t;
use crate::domain::UserId;
use crate::domain::token::TokenPurpose;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct OneTimeToken {
    pub id: i64,
    pub purpose: TokenPurpose,
    pub user_id: Option<UserId>,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub consumed_at: Option<PrimitiveDateTime>,
    /// Handed over by hand (a QR code), not sent to the address.
    pub handed_over: bool,
}

#[derive(Insertable)]
#[diesel(table_name = t)]
pub struct NewToken<'a> {
    pub purpose: TokenPurpose,
    pub user_id: Option<UserId>,
    pub token_hash: &'a str,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub handed_over: bool,
}

pub fn insert(conn: &mut DbConn, row: &NewToken<'_>) -> QueryResult<usize> {
    diesel::insert_into(t::table).values(row).execute(conn)
}

/// A live token of this purpose with this hash.
pub fn find_live(
    conn: &mut DbConn,
    purpose: TokenPurpose,
    hash: &str,
    now: PrimitiveDateTime,
) -> QueryResult<Option<OneTimeToken>> {
    t::table
        .filter(t::token_hash.eq(hash))
        .filter(t::purpose.eq(purpose))
        .filter(t::consumed_at.is_null())
        .filter(t::expires_at.gt(now))
        .select(OneTimeToken::as_select())
        .first(conn)
        .optional()
}

/// Marks the token used if it still is live; true for the one caller that won.
pub fn consume(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::consumed_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::consumed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Kills every outstanding token of a purpose.
pub fn expire_all_of_purpose(
    conn: &mut DbConn,
    purpose: TokenPurpose,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::table
            .filter(t::purpose.eq(purpose))
            .filter(t::consumed_at.is_null()),
    )
    .set(t::expires_at.eq(now))
    .execute(conn)
}

/// Kills every outstanding token of a user, whatever its purpose.
pub fn expire_all_of_user(
    conn: &mut DbConn,
    user: UserId,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::table
            .filter(t::user_id.eq(user))
            .filter(t::consumed_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::expires_at.eq(now))
    .execute(conn)
}

/// Many tokens at once (inviting thousands): multi-row inserts in chunks.
pub fn insert_many(conn: &mut DbConn, rows: &[NewToken<'_>]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(2000) {
        n += match conn {
            DbConn::Postgres(c) => diesel::insert_into(t::table).values(chunk).execute(c)?,
            // Row by row: diesel wraps an SQLite batch insert in a
            // transaction of its own, and ours is already open. One cached
            // prepared statement in one immediate transaction is fast.
            DbConn::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(t::table).values(row).execute(c)?;
                }
                n
            }
        };
    }
    Ok(n)
}

/// Whether the user holds a live token of this purpose.
pub fn has_live(
    conn: &mut DbConn,
    user: UserId,
    purpose: TokenPurpose,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    Ok(t::table
        .filter(t::user_id.eq(user))
        .filter(t::purpose.eq(purpose))
        .filter(t::consumed_at.is_null())
        .filter(t::expires_at.gt(now))
        .select(t::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Kills the user's outstanding tokens of one purpose.
pub fn expire_of_user(
    conn: &mut DbConn,
    user: UserId,
    purpose: TokenPurpose,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::table
            .filter(t::user_id.eq(user))
            .filter(t::purpose.eq(purpose))
            .filter(t::consumed_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::expires_at.eq(now))
    .execute(conn)
}

/// Kills the outstanding tokens of one purpose of all these users.
pub fn expire_of_users(
    conn: &mut DbConn,
    users: &[UserId],
    purpose: TokenPurpose,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in users.chunks(5000) {
        n += diesel::update(
            t::table
                .filter(t::user_id.eq_any(chunk.iter().map(|u| Some(*u)).collect::<Vec<_>>()))
                .filter(t::purpose.eq(purpose))
                .filter(t::consumed_at.is_null())
                .filter(t::expires_at.gt(now)),
        )
        .set(t::expires_at.eq(now))
        .execute(conn)?;
    }
    Ok(n)
}

/// The live tokens handed over by hand of one purpose among these hashes:
/// (user, hash, expiry).
pub fn live_handed_over(
    conn: &mut DbConn,
    purpose: TokenPurpose,
    hashes: &[String],
    now: PrimitiveDateTime,
) -> QueryResult<Vec<(Option<UserId>, String, PrimitiveDateTime)>> {
    let mut out = Vec::with_capacity(hashes.len());
    for chunk in hashes.chunks(5000) {
        out.extend(
            t::table
                .filter(t::token_hash.eq_any(chunk))
                .filter(t::purpose.eq(purpose))
                .filter(t::handed_over.eq(true))
                .filter(t::consumed_at.is_null())
                .filter(t::expires_at.gt(now))
                .select((t::user_id, t::token_hash, t::expires_at))
                .load::<(Option<UserId>, String, PrimitiveDateTime)>(conn)?,
        );
    }
    Ok(out)
}

/// A token of this purpose by hash, whatever its state (to tell a used
/// link from a dead one).
pub fn find_any(
    conn: &mut DbConn,
    purpose: TokenPurpose,
    hash: &str,
) -> QueryResult<Option<OneTimeToken>> {
    t::table
        .filter(t::token_hash.eq(hash))
        .filter(t::purpose.eq(purpose))
        .select(OneTimeToken::as_select())
        .first(conn)
        .optional()
}
