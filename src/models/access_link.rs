//! Zugangslinks: sets of one-time links (`access_link_sets`) and the links
//! (`access_links`), stored by hash. Using a link is one conditional UPDATE,
//! so of two registrations at the same instant exactly one wins, and a
//! revocation and a registration at the same instant end one way only.

use diesel::dsl::count;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{access_link_sets as s, access_links as l};
use crate::domain::{AreaRole, UnitId, UserId, UserType};

#[derive(Insertable)]
#[diesel(table_name = s)]
pub struct NewLinkSet<'a> {
    pub created_by: Option<UserId>,
    pub created_by_label: &'a str,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub label: &'a str,
    pub links: i32,
    pub user_type: UserType,
    pub group_id: Option<UnitId>,
    pub area_id: Option<UnitId>,
    pub area_role: Option<AreaRole>,
    pub form_key_hash: &'a str,
    pub shown_id_hash: Option<&'a str>,
    pub shown_session_hash: Option<&'a str>,
    pub shown_until: Option<PrimitiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = s)]
pub struct LinkSetRow {
    pub id: i64,
    pub created_by_label: String,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub label: String,
    pub links: i32,
    pub user_type: UserType,
    pub group_id: Option<UnitId>,
    pub area_id: Option<UnitId>,
    pub area_role: Option<AreaRole>,
    pub shown_until: Option<PrimitiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = l)]
pub struct LinkRow {
    pub id: i64,
    pub set_id: i64,
    pub number: i32,
    pub used_at: Option<PrimitiveDateTime>,
    pub used_by: Option<UserId>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub revoked_by_label: Option<String>,
}

pub fn insert_set(conn: &mut DbConn, row: &NewLinkSet<'_>) -> QueryResult<i64> {
    diesel::insert_into(s::table)
        .values(row)
        .returning(s::id)
        .get_result(conn)
}

/// The links of a new set, numbered from 1 in the order of `hashes`:
/// multi-row inserts on PostgreSQL, one cached prepared statement in the
/// open immediate transaction on SQLite.
pub fn insert_links(conn: &mut DbConn, set: i64, hashes: &[String]) -> QueryResult<usize> {
    let rows: Vec<_> = hashes
        .iter()
        .enumerate()
        .map(|(i, hash)| {
            (
                l::set_id.eq(set),
                l::number.eq(i as i32 + 1),
                l::token_hash.eq(hash.as_str()),
            )
        })
        .collect();
    let mut n = 0;
    for chunk in rows.chunks(1000) {
        n += match conn {
            DbConn::Postgres(c) => diesel::insert_into(l::table).values(chunk).execute(c)?,
            DbConn::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(l::table).values(*row).execute(c)?;
                }
                n
            }
        };
    }
    Ok(n)
}

/// The set a form with this key made already.
pub fn set_by_form_key(conn: &mut DbConn, form_key_hash: &str) -> QueryResult<Option<i64>> {
    s::table
        .filter(s::form_key_hash.eq(form_key_hash))
        .select(s::id)
        .first(conn)
        .optional()
}

pub fn find_set(conn: &mut DbConn, id: i64) -> QueryResult<Option<LinkSetRow>> {
    s::table
        .find(id)
        .select(LinkSetRow::as_select())
        .first(conn)
        .optional()
}

/// Whether the browser holding `id_hash` in `session_hash` may still show
/// the set's links.
pub fn shown_to(
    conn: &mut DbConn,
    id: i64,
    id_hash: &str,
    session_hash: &str,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    Ok(s::table
        .filter(s::id.eq(id))
        .filter(s::shown_id_hash.eq(id_hash))
        .filter(s::shown_session_hash.eq(session_hash))
        .filter(s::shown_until.gt(now))
        .select(s::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Sets, newest first.
pub fn sets_page(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<Vec<LinkSetRow>> {
    s::table
        .order((s::created_at.desc(), s::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(LinkSetRow::as_select())
        .load(conn)
}

pub fn count_sets(conn: &mut DbConn) -> QueryResult<i64> {
    s::table.count().get_result(conn)
}

/// (set, used, revoked) for each of these sets.
pub fn tallies(conn: &mut DbConn, sets: &[i64]) -> QueryResult<Vec<(i64, i64, i64)>> {
    l::table
        .filter(l::set_id.eq_any(sets))
        .group_by(l::set_id)
        .select((l::set_id, count(l::used_at), count(l::revoked_at)))
        .load(conn)
}

pub fn links_of_set(conn: &mut DbConn, set: i64) -> QueryResult<Vec<LinkRow>> {
    l::table
        .filter(l::set_id.eq(set))
        .order(l::number.asc())
        .select(LinkRow::as_select())
        .load(conn)
}

/// The link with this hash and its set.
pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<(LinkRow, LinkSetRow)>> {
    l::table
        .inner_join(s::table)
        .filter(l::token_hash.eq(hash))
        .select((LinkRow::as_select(), LinkSetRow::as_select()))
        .first(conn)
        .optional()
}

/// The numbers of these links that are still open (neither used nor
/// revoked; expiry is the set's).
pub fn open_numbers(conn: &mut DbConn, set: i64) -> QueryResult<Vec<i32>> {
    l::table
        .filter(l::set_id.eq(set))
        .filter(l::used_at.is_null())
        .filter(l::revoked_at.is_null())
        .order(l::number.asc())
        .select(l::number)
        .load(conn)
}

/// Uses the link if nobody used or revoked it meanwhile; true for the one
/// caller that won. The person it made is recorded by [`set_used_by`].
pub fn claim(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        l::table
            .find(id)
            .filter(l::used_at.is_null())
            .filter(l::revoked_at.is_null()),
    )
    .set(l::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn set_used_by(conn: &mut DbConn, id: i64, user: UserId) -> QueryResult<usize> {
    diesel::update(l::table.find(id))
        .set(l::used_by.eq(user))
        .execute(conn)
}

/// Revokes the set's links that are still open (all, or the one numbered
/// `number`); how many it revoked.
pub fn revoke(
    conn: &mut DbConn,
    set: i64,
    number: Option<i32>,
    by: &str,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    let mut q = diesel::update(l::table)
        .filter(l::set_id.eq(set))
        .filter(l::used_at.is_null())
        .filter(l::revoked_at.is_null())
        .into_boxed();
    if let Some(n) = number {
        q = q.filter(l::number.eq(n));
    }
    q.set((l::revoked_at.eq(now), l::revoked_by_label.eq(by)))
        .execute(conn)
}

/// Forgets, for sets no longer shown, which browser could show them.
pub fn sweep_shown(conn: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<usize> {
    diesel::update(s::table.filter(s::shown_until.le(now)))
        .set((
            s::shown_id_hash.eq(None::<String>),
            s::shown_session_hash.eq(None::<String>),
            s::shown_until.eq(None::<PrimitiveDateTime>),
        ))
        .execute(conn)
}
