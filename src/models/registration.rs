//! Registrierung: whitelist entries (`registration_entries`), their
//! imports (`registration_imports`) and the staged rows of an import's
//! preview (`registration_import_rows`). Using an entry is one conditional
//! UPDATE: of two registrations at the same instant exactly one wins.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{
    registration_entries as e, registration_import_rows as r, registration_imports as i,
};
use crate::domain::registration::Probe;
use crate::domain::{UnitId, UserId, UserType};

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = e)]
pub struct NewEntry<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub first_key: String,
    pub last_key: String,
    pub personnel_number: Option<&'a str>,
    pub birth_date: Option<String>,
    pub user_type: UserType,
    pub group_id: Option<UnitId>,
    pub created_at: PrimitiveDateTime,
    pub created_by_label: &'a str,
    pub import_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = e)]
pub struct EntryRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: Option<String>,
    pub birth_date: Option<String>,
    pub user_type: UserType,
    pub group_id: Option<UnitId>,
    pub created_at: PrimitiveDateTime,
    pub created_by_label: String,
    pub import_id: Option<i64>,
    pub used_at: Option<PrimitiveDateTime>,
    pub used_by: Option<UserId>,
}

pub fn insert_entry(conn: &mut DbConn, row: &NewEntry<'_>) -> QueryResult<i64> {
    diesel::insert_into(e::table)
        .values(row)
        .returning(e::id)
        .get_result(conn)
}

/// Whether an open entry has this personnel number.
pub fn open_number_exists(conn: &mut DbConn, number: &str) -> QueryResult<bool> {
    Ok(e::table
        .filter(e::personnel_number.eq(number))
        .filter(e::used_at.is_null())
        .select(e::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Up to `limit` open entries these typed values match (by the criteria
/// the probe holds), oldest first.
pub fn find_matches(conn: &mut DbConn, probe: &Probe, limit: i64) -> QueryResult<Vec<EntryRow>> {
    let mut q = e::table
        .filter(e::used_at.is_null())
        .select(EntryRow::as_select())
        .order(e::id.asc())
        .into_boxed();
    if let Some(v) = &probe.first_name {
        q = q.filter(e::first_key.eq(v.clone()));
    }
    if let Some(v) = &probe.last_name {
        q = q.filter(e::last_key.eq(v.clone()));
    }
    if let Some(v) = &probe.personnel_number {
        q = q.filter(e::personnel_number.eq(v.clone()));
    }
    if let Some(v) = &probe.birth_date {
        q = q.filter(e::birth_date.eq(v.clone()));
    }
    q.limit(limit).load(conn)
}

/// Uses the entry if it is still open; true for the one caller that won.
pub fn claim(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(e::table.find(id).filter(e::used_at.is_null()))
        .set(e::used_at.eq(now))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn set_used_by(conn: &mut DbConn, id: i64, user: UserId) -> QueryResult<usize> {
    diesel::update(e::table.find(id))
        .set(e::used_by.eq(user))
        .execute(conn)
}

/// Deletes an entry nobody used yet; how many (0 or 1).
pub fn delete_open(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(e::table.find(id).filter(e::used_at.is_null())).execute(conn)
}

pub fn find_entry(conn: &mut DbConn, id: i64) -> QueryResult<Option<EntryRow>> {
    e::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

/// Entries, open ones first, then by name; `search` (folded) in names or
/// the personnel number.
pub fn entries_page(
    conn: &mut DbConn,
    search: Option<(&str, &str)>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<EntryRow>, i64)> {
    let filter = |search: Option<(&str, &str)>| {
        let mut q = e::table.into_boxed();
        if let Some((names, raw)) = search {
            let (pattern, number) = (super::contains_pattern(names), super::contains_pattern(raw));
            q = q.filter(
                e::last_key
                    .like(pattern.clone())
                    .escape('\\')
                    .or(e::first_key.like(pattern).escape('\\'))
                    .or(e::personnel_number.like(number).escape('\\')),
            );
        }
        q
    };
    let total = filter(search).count().get_result(conn)?;
    let rows = filter(search)
        .order((
            e::used_at.is_not_null(),
            e::last_key.asc(),
            e::first_key.asc(),
            e::id.asc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The entries with these ids (a page's worth), in no particular order.
pub fn entries_by_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<EntryRow>> {
    e::table
        .filter(e::id.eq_any(ids))
        .select(EntryRow::as_select())
        .load(conn)
}

/// Every open entry's id with its compared values.
pub fn open_match_values_by_id(conn: &mut DbConn) -> QueryResult<Vec<(i64, MatchValues)>> {
    e::table
        .filter(e::used_at.is_null())
        .select((
            e::id,
            (
                e::first_key,
                e::last_key,
                e::personnel_number,
                e::birth_date,
            ),
        ))
        .load(conn)
}

/// Whether any entry is open (the sign-in page's link to the registration).
pub fn any_open(conn: &mut DbConn) -> QueryResult<bool> {
    Ok(e::table
        .filter(e::used_at.is_null())
        .select(e::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// (open, used) entries.
pub fn tally(conn: &mut DbConn) -> QueryResult<(i64, i64)> {
    let open = e::table
        .filter(e::used_at.is_null())
        .count()
        .get_result(conn)?;
    let used = e::table
        .filter(e::used_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((open, used))
}

/// Open entries that lack a value a criterion needs (they cannot match).
pub fn open_missing(conn: &mut DbConn, number: bool, birth: bool) -> QueryResult<i64> {
    if !number && !birth {
        return Ok(0);
    }
    let mut q = e::table.filter(e::used_at.is_null()).into_boxed();
    q = match (number, birth) {
        (true, true) => q.filter(e::personnel_number.is_null().or(e::birth_date.is_null())),
        (true, false) => q.filter(e::personnel_number.is_null()),
        _ => q.filter(e::birth_date.is_null()),
    };
    q.count().get_result(conn)
}

/// Open entries whose personnel number a live account holds: a
/// registration with them is refused (the account is there already, made
/// by hand or by an import since the entry).
pub fn open_held(conn: &mut DbConn) -> QueryResult<i64> {
    use crate::db::schema::users as u;
    e::table
        .filter(e::used_at.is_null())
        .filter(diesel::dsl::exists(
            u::table
                .filter(u::deleted_at.is_null())
                .filter(u::personnel_number.eq(e::personnel_number)),
        ))
        .count()
        .get_result(conn)
}

// ------------------------------------------------------------- imports

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = i)]
pub struct ImportRow {
    pub id: i64,
    pub file_name: String,
    pub actor_label: String,
    pub created_at: PrimitiveDateTime,
    pub state: String,
    pub rows_new: i32,
    pub rows_refused: i32,
    pub finished_at: Option<PrimitiveDateTime>,
    /// The file's format (`xlsx`, `xls`, …; empty before it was kept).
    pub format: String,
}

/// A new import: which file, read by whom, when.
pub struct NewImport<'a> {
    pub file_name: &'a str,
    /// The file's format as read (`xlsx`, `xls`, …).
    pub format: &'a str,
    pub actor_label: &'a str,
    pub created_at: PrimitiveDateTime,
}

pub fn insert_import(
    conn: &mut DbConn,
    new: &NewImport<'_>,
    rows_new: i32,
    rows_refused: i32,
) -> QueryResult<i64> {
    diesel::insert_into(i::table)
        .values((
            i::file_name.eq(new.file_name),
            i::format.eq(new.format),
            i::actor_label.eq(new.actor_label),
            i::created_at.eq(new.created_at),
            i::state.eq("vorschau"),
            i::rows_new.eq(rows_new),
            i::rows_refused.eq(rows_refused),
        ))
        .returning(i::id)
        .get_result(conn)
}

/// An import whose columns the admin maps first: the rows as read are kept.
pub fn insert_import_to_map(
    conn: &mut DbConn,
    new: &NewImport<'_>,
    header_line: Option<i32>,
    mapping: &str,
    grid: &[u8],
) -> QueryResult<i64> {
    diesel::insert_into(i::table)
        .values((
            i::file_name.eq(new.file_name),
            i::format.eq(new.format),
            i::actor_label.eq(new.actor_label),
            i::created_at.eq(new.created_at),
            i::state.eq("zuordnung"),
            i::rows_new.eq(0),
            i::rows_refused.eq(0),
            i::header_line.eq(header_line),
            i::mapping.eq(mapping),
            i::grid.eq(grid),
        ))
        .returning(i::id)
        .get_result(conn)
}

/// What an import waiting for its mapping keeps: (header line, mapping,
/// the rows as read).
pub type ToMap = (Option<i32>, String, Vec<u8>);

/// An import waiting for its mapping.
pub fn to_map(conn: &mut DbConn, id: i64) -> QueryResult<Option<ToMap>> {
    Ok(i::table
        .find(id)
        .filter(i::state.eq("zuordnung"))
        .select((i::header_line, i::mapping, i::grid))
        .first::<(Option<i32>, String, Option<Vec<u8>>)>(conn)
        .optional()?
        .and_then(|(h, m, g)| g.map(|g| (h, m, g))))
}

/// The mapped import's preview is staged: on to `vorschau`, the rows as
/// read forgotten. False if it was mapped meanwhile (a second tab).
pub fn mapped(
    conn: &mut DbConn,
    id: i64,
    mapping: &str,
    rows_new: i32,
    rows_refused: i32,
) -> QueryResult<bool> {
    let n = diesel::update(i::table.find(id).filter(i::state.eq("zuordnung")))
        .set((
            i::state.eq("vorschau"),
            i::mapping.eq(mapping),
            i::rows_new.eq(rows_new),
            i::rows_refused.eq(rows_refused),
            i::grid.eq(None::<Vec<u8>>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn find_import(conn: &mut DbConn, id: i64) -> QueryResult<Option<ImportRow>> {
    i::table
        .find(id)
        .select(ImportRow::as_select())
        .first(conn)
        .optional()
}

/// Moves an import from `from` to `to`; true if it was in `from` (of two
/// commits at the same instant, one does it).
pub fn move_import(
    conn: &mut DbConn,
    id: i64,
    from: &str,
    to: &str,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(i::table.find(id).filter(i::state.eq(from)))
        .set((i::state.eq(to), i::finished_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn recent_imports(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<ImportRow>> {
    i::table
        .order(i::id.desc())
        .limit(limit)
        .select(ImportRow::as_select())
        .load(conn)
}

/// One staged row of an import's preview.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = r)]
pub struct StagedRow {
    pub import_id: i64,
    pub line: i32,
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: Option<String>,
    pub birth_date: Option<String>,
    pub user_type: UserType,
    pub group_id: Option<UnitId>,
    pub problem: Option<String>,
    pub other_line: Option<i32>,
}

pub fn stage(conn: &mut DbConn, rows: &[StagedRow]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(1000) {
        n += match conn {
            DbConn::Postgres(c) => diesel::insert_into(r::table).values(chunk).execute(c)?,
            DbConn::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(r::table).values(row).execute(c)?;
                }
                n
            }
        };
    }
    Ok(n)
}

/// The staged rows of an import: refused ones (`refused`) or new ones,
/// in line order.
pub fn staged(
    conn: &mut DbConn,
    import: i64,
    refused: bool,
    limit: i64,
) -> QueryResult<Vec<StagedRow>> {
    let q = r::table
        .filter(r::import_id.eq(import))
        .order(r::line.asc())
        .limit(limit)
        .select(StagedRow::as_select())
        .into_boxed();
    if refused {
        q.filter(r::problem.is_not_null()).load(conn)
    } else {
        q.filter(r::problem.is_null()).load(conn)
    }
}

/// Whether a new row of an import has a personnel number of digits only
/// (see [`super::number_of_digits_only`]).
pub fn has_plain_numbers(conn: &mut DbConn, import: i64) -> QueryResult<bool> {
    let digits_only = super::number_of_digits_only(conn);
    diesel::select(diesel::dsl::exists(
        r::table
            .filter(r::import_id.eq(import))
            .filter(r::problem.is_null())
            .filter(r::personnel_number.is_not_null())
            .filter(digits_only),
    ))
    .get_result(conn)
}

/// Every new row of an import (to commit).
pub fn all_new(conn: &mut DbConn, import: i64) -> QueryResult<Vec<StagedRow>> {
    r::table
        .filter(r::import_id.eq(import))
        .filter(r::problem.is_null())
        .order(r::line.asc())
        .select(StagedRow::as_select())
        .load(conn)
}

pub fn delete_staged(conn: &mut DbConn, import: i64) -> QueryResult<usize> {
    diesel::delete(r::table.filter(r::import_id.eq(import))).execute(conn)
}

/// Many entries at once (an import's commit).
pub fn insert_entries(conn: &mut DbConn, rows: &[NewEntry<'_>]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(1000) {
        n += match conn {
            DbConn::Postgres(c) => diesel::insert_into(e::table).values(chunk).execute(c)?,
            DbConn::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(e::table).values(row).execute(c)?;
                }
                n
            }
        };
    }
    Ok(n)
}

/// Removes the import's entries nobody used; (removed, used and kept).
pub fn undo_import(conn: &mut DbConn, import: i64) -> QueryResult<(usize, i64)> {
    let removed = diesel::delete(
        e::table
            .filter(e::import_id.eq(import))
            .filter(e::used_at.is_null()),
    )
    .execute(conn)?;
    let kept = e::table
        .filter(e::import_id.eq(import))
        .count()
        .get_result(conn)?;
    Ok((removed, kept))
}

/// Personnel numbers of all open entries (an import checks against them).
pub fn open_numbers(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    e::table
        .filter(e::used_at.is_null())
        .filter(e::personnel_number.is_not_null())
        .select(e::personnel_number.assume_not_null())
        .load(conn)
}

/// An entry's compared values: (first, last, number, birth).
pub type MatchValues = (String, String, Option<String>, Option<String>);

/// The compared values of every open entry.
pub fn open_match_values(conn: &mut DbConn) -> QueryResult<Vec<MatchValues>> {
    e::table
        .filter(e::used_at.is_null())
        .select((
            e::first_key,
            e::last_key,
            e::personnel_number,
            e::birth_date,
        ))
        .load(conn)
}

/// Up to `limit` entries' personnel numbers after the id `after`, in id
/// order: id, the number, and whether the entry is open.
pub fn number_sources(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String, bool)>> {
    e::table
        .filter(e::id.gt(after))
        .filter(e::personnel_number.is_not_null())
        .order(e::id)
        .limit(limit)
        .select((
            e::id,
            e::personnel_number.assume_not_null(),
            e::used_at.is_null(),
        ))
        .load(conn)
}

/// Whether an open entry other than `except` has this number.
pub fn open_number_taken(conn: &mut DbConn, number: &str, except: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        e::table
            .filter(e::personnel_number.eq(number))
            .filter(e::used_at.is_null())
            .filter(e::id.ne(except)),
    ))
    .get_result(conn)
}

pub fn set_personnel_number(conn: &mut DbConn, id: i64, number: &str) -> QueryResult<usize> {
    diesel::update(e::table.find(id))
        .set(e::personnel_number.eq(number))
        .execute(conn)
}
