//! Import batches, their staged rows and what an update changed.
//!
//! The commit is set-based: people, their groups and their areas go from the
//! staged rows into the user tables in a few `INSERT … SELECT` statements,
//! so 100,000 rows cost a handful of statements, not 100,000 round trips
//! (and SQLite's FTS5 index flushes once, not once per statement).

use diesel::dsl::exists;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{
    area_assignments as aa, group_memberships as gm, import_batches as b, import_changes as ic,
    import_rows as r, users as u,
};
use crate::db::{Db, DbConn};
use crate::domain::{Salutation, UserId, UserStatus, UserType};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = b)]
pub struct Batch {
    pub id: i64,
    pub state: String,
    pub mode: String,
    pub file_name: String,
    pub format: String,
    pub sheet_name: Option<String>,
    pub header_line: Option<i32>,
    pub mapping: String,
    pub create_missing_units: bool,
    pub actor_id: Option<UserId>,
    pub actor_label: String,
    pub created_at: PrimitiveDateTime,
    pub committed_at: Option<PrimitiveDateTime>,
    pub undone_at: Option<PrimitiveDateTime>,
    pub undone_by: Option<String>,
    pub preview_version: i32,
    pub rows_new: i32,
    pub rows_update: i32,
    pub rows_unchanged: i32,
    pub rows_error: i32,
    pub created_count: i32,
    pub updated_count: i32,
    pub removed_count: i32,
    pub kept_count: i32,
    pub missing_units: String,
    pub restored_count: i32,
    pub unrestored_count: i32,
    /// Lines of the chosen sheet the file hides, as ranges ("7-9,12").
    pub hidden_lines: String,
    /// Hidden lines are left out of the import.
    pub skip_hidden: bool,
    /// Who committed it (the uploader is `actor_label`).
    pub committed_by: Option<String>,
    /// The file itself is kept: another of its sheets can be chosen.
    #[diesel(select_expression = b::upload.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<b::upload>)]
    pub upload_kept: bool,
}

#[derive(Insertable)]
#[diesel(table_name = b)]
pub struct NewBatch<'a> {
    pub state: &'a str,
    pub mode: &'a str,
    pub file_name: &'a str,
    pub format: &'a str,
    pub actor_id: Option<UserId>,
    pub actor_label: &'a str,
    pub created_at: PrimitiveDateTime,
}

/// Changes of a batch row (`None` leaves a column alone).
#[derive(AsChangeset, Clone, Default)]
#[diesel(table_name = b)]
pub struct BatchChanges {
    pub state: Option<String>,
    pub format: Option<String>,
    pub sheet_name: Option<Option<String>>,
    pub header_line: Option<Option<i32>>,
    pub mapping: Option<String>,
    pub create_missing_units: Option<bool>,
    pub committed_at: Option<Option<PrimitiveDateTime>>,
    pub undone_at: Option<Option<PrimitiveDateTime>>,
    pub undone_by: Option<Option<String>>,
    pub preview_version: Option<i32>,
    pub rows_new: Option<i32>,
    pub rows_update: Option<i32>,
    pub rows_unchanged: Option<i32>,
    pub rows_error: Option<i32>,
    pub created_count: Option<i32>,
    pub updated_count: Option<i32>,
    pub removed_count: Option<i32>,
    pub kept_count: Option<i32>,
    pub upload: Option<Option<Vec<u8>>>,
    pub grid: Option<Option<Vec<u8>>>,
    pub missing_units: Option<String>,
    pub restored_count: Option<i32>,
    pub unrestored_count: Option<i32>,
    pub hidden_lines: Option<String>,
    pub skip_hidden: Option<bool>,
    pub committed_by: Option<Option<String>>,
}

pub fn insert_batch(conn: &mut DbConn, new: &NewBatch<'_>) -> QueryResult<i64> {
    diesel::insert_into(b::table)
        .values(new)
        .returning(b::id)
        .get_result(conn)
}

pub fn find_batch(conn: &mut DbConn, id: i64) -> QueryResult<Option<Batch>> {
    b::table
        .find(id)
        .select(Batch::as_select())
        .first(conn)
        .optional()
}

/// The batch, its row locked until the transaction ends (PostgreSQL; on
/// SQLite the write transaction holds the database).
pub fn lock_batch(conn: &mut DbConn, id: i64) -> QueryResult<Option<Batch>> {
    match conn {
        DbConn::Postgres(c) => b::table
            .find(id)
            .select(Batch::as_select())
            .for_update()
            .first(c)
            .optional(),
        DbConn::Sqlite(_) => find_batch(conn, id),
    }
}

pub fn update_batch(conn: &mut DbConn, id: i64, changes: &BatchChanges) -> QueryResult<usize> {
    diesel::update(b::table.find(id)).set(changes).execute(conn)
}

/// A batch's stored upload (kept while another sheet can be chosen);
/// `None` for no batch.
pub fn batch_upload(conn: &mut DbConn, id: i64) -> QueryResult<Option<Option<Vec<u8>>>> {
    b::table.find(id).select(b::upload).first(conn).optional()
}

diesel::define_sql_function! {
    /// `len` bytes of a blob from byte `start` (from 1): SQLite and
    /// PostgreSQL both know it.
    fn substr(
        x: diesel::sql_types::Nullable<diesel::sql_types::Binary>,
        start: diesel::sql_types::Integer,
        len: diesel::sql_types::Integer,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Binary>;
}

/// The first `len` bytes of a batch's rows as read (its sheets' heads come
/// first); `None` for no batch.
pub fn batch_grid_start(
    conn: &mut DbConn,
    id: i64,
    len: i32,
) -> QueryResult<Option<Option<Vec<u8>>>> {
    b::table
        .find(id)
        .select(substr(b::grid, 1, len))
        .first(conn)
        .optional()
}

/// A batch's rows as read; `None` for no batch.
pub fn batch_grid(conn: &mut DbConn, id: i64) -> QueryResult<Option<Option<Vec<u8>>>> {
    b::table.find(id).select(b::grid).first(conn).optional()
}

/// Committed batches (undone ones too) that still keep staged rows other
/// than their refused ones, oldest first.
pub fn settled_with_staged(
    conn: &mut DbConn,
    states: &[&str],
    limit: i64,
) -> QueryResult<Vec<i64>> {
    b::table
        .filter(b::state.eq_any(states))
        .filter(exists(
            r::table
                .filter(r::batch_id.eq(b::id))
                .filter(r::outcome.ne("fehler")),
        ))
        .select(b::id)
        .order(b::id.asc())
        .limit(limit)
        .load(conn)
}

/// Drops a batch's staged rows but the refused ones (the error list's).
pub fn drop_staged_but_refused(conn: &mut DbConn, batch: i64) -> QueryResult<usize> {
    diesel::delete(
        r::table
            .filter(r::batch_id.eq(batch))
            .filter(r::outcome.ne("fehler")),
    )
    .execute(conn)
}

/// Batches still open (a sheet, a mapping or a preview waiting for the
/// admin) made before `before`, oldest first.
pub fn open_batches_before(
    conn: &mut DbConn,
    before: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    b::table
        .filter(b::state.eq_any(["datei", "zuordnung", "vorschau"]))
        .filter(b::created_at.lt(before))
        .order(b::id.asc())
        .select(b::id)
        .limit(limit)
        .load(conn)
}

/// Batches newest first, older than `before`.
pub fn list_batches(conn: &mut DbConn, before: Option<i64>, limit: i64) -> QueryResult<Vec<Batch>> {
    let mut q = b::table
        .filter(b::state.ne("verworfen"))
        .order(b::id.desc())
        .select(Batch::as_select())
        .into_boxed::<Db>();
    if let Some(id) = before {
        q = q.filter(b::id.lt(id));
    }
    q.limit(limit).load(conn)
}

// ---------------------------------------------------------------- staged rows

/// A staged row. `None` is written as NULL (not DEFAULT), which lets SQLite
/// take many rows in one statement.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = r, treat_none_as_default_value = false)]
pub struct StagedRow {
    pub batch_id: i64,
    pub line: i32,
    pub outcome: String,
    pub problems: String,
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub personnel_number: Option<String>,
    pub user_type: UserType,
    pub groups: String,
    pub areas: String,
    pub sort_name: String,
    pub search_text: String,
    pub target_user_id: Option<UserId>,
    /// The groups and areas the row adds (`domain::import::encode_units`).
    pub units: String,
    /// A refused row's cells as the file had them (`domain::import::
    /// encode_cells`); empty for other rows and where the values read are
    /// the cells.
    pub cells: String,
}

/// Removes the batch's staged rows.
pub fn clear_staged(conn: &mut DbConn, batch: i64) -> QueryResult<()> {
    diesel::delete(r::table.filter(r::batch_id.eq(batch))).execute(conn)?;
    Ok(())
}

/// Adds staged rows.
pub fn stage(conn: &mut DbConn, rows: &[StagedRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        // PostgreSQL's fast path: COPY (binary).
        DbConn::Postgres(c) => {
            diesel::copy_from(r::table)
                .from_insertable(rows)
                .execute(c)?;
        }
        // SQLite's: one prepared statement (cached) for a fixed number of
        // rows, in the caller's transaction.
        DbConn::Sqlite(c) => {
            let (chunks, rest) = rows.as_chunks::<STAGE_ROWS_A_STATEMENT>();
            for fixed in chunks {
                diesel::insert_into(r::table).values(fixed).execute(c)?;
            }
            for row in rest {
                diesel::insert_into(r::table).values(row).execute(c)?;
            }
        }
    }
    Ok(())
}

/// SQLite: staged rows a statement. A fixed number keeps the statement the
/// same, so it is prepared once (a statement for any number of rows is
/// parsed anew each time).
const STAGE_ROWS_A_STATEMENT: usize = 32;

/// A page of staged rows in file order, after `after_line`; `outcome`
/// narrows it (`None`: all).
pub fn rows_page(
    conn: &mut DbConn,
    batch: i64,
    outcome: Option<&str>,
    after_line: i32,
    limit: i64,
) -> QueryResult<Vec<StagedRow>> {
    let mut q = r::table
        .filter(r::batch_id.eq(batch))
        .filter(r::line.gt(after_line))
        .order(r::line.asc())
        .select(StagedRow::as_select())
        .into_boxed::<Db>();
    if let Some(o) = outcome {
        q = q.filter(r::outcome.eq(o.to_owned()));
    }
    q.limit(limit).load(conn)
}

/// How many staged rows come before `line` (for "Zeilen 51–100 von …").
pub fn rows_before(
    conn: &mut DbConn,
    batch: i64,
    outcome: Option<&str>,
    line: i32,
) -> QueryResult<i64> {
    let mut q = r::table
        .filter(r::batch_id.eq(batch))
        .filter(r::line.le(line))
        .into_boxed::<Db>();
    if let Some(o) = outcome {
        q = q.filter(r::outcome.eq(o.to_owned()));
    }
    q.count().get_result(conn)
}

/// Whether a row to be imported has a personnel number of digits only
/// (see [`super::number_of_digits_only`]).
pub fn has_plain_numbers(conn: &mut DbConn, batch: i64) -> QueryResult<bool> {
    let digits_only = super::number_of_digits_only(conn);
    diesel::select(exists(
        r::table
            .filter(r::batch_id.eq(batch))
            .filter(r::outcome.ne("fehler"))
            .filter(r::personnel_number.is_not_null())
            .filter(digits_only),
    ))
    .get_result(conn)
}

/// The rows of an update that change someone, in file order.
pub fn change_rows(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<StagedRow>> {
    rows_page(conn, batch, Some("aenderung"), 0, i64::MAX)
}

/// Every staged row's line with its outcome and reasons, in line order (to
/// tell which rows a new preview changed).
pub fn outcomes(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<(i32, String, String)>> {
    r::table
        .filter(r::batch_id.eq(batch))
        .order(r::line.asc())
        .select((r::line, r::outcome, r::problems))
        .load(conn)
}

/// The groups and areas the staged new and changed rows add: line, kind
/// (`group` or `area`) and name key.
pub fn staged_units(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<(i32, String, String)>> {
    Ok(staged_unit_names(conn, batch)?
        .into_iter()
        .map(|(line, kind, name)| (line, kind, crate::domain::text::name_key(&name)))
        .collect())
}

/// The groups and areas the staged rows add, by name as the file gives it.
fn staged_unit_names(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<(i32, String, String)>> {
    let rows: Vec<(i32, String)> = r::table
        .filter(r::batch_id.eq(batch))
        .filter(r::units.ne(""))
        .select((r::line, r::units))
        .load(conn)?;
    let mut all = Vec::with_capacity(rows.len() * 2);
    for (line, units) in &rows {
        for (kind, name) in crate::domain::import::decode_units(units) {
            all.push((*line, kind.to_owned(), name.to_owned()));
        }
    }
    Ok(all)
}

// ---------------------------------------------------------------- commit

/// Lines of new rows whose email, username or personnel number a live
/// account holds by now (the preview is stale for them).
pub fn taken_since_preview(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<i32>> {
    let new_rows = || {
        r::table
            .filter(r::batch_id.eq(batch))
            .filter(r::outcome.eq("neu"))
    };
    let mut lines: Vec<i32> = new_rows()
        .filter(exists(
            u::table
                .filter(u::deleted_at.is_null())
                .filter(u::username.eq(r::username)),
        ))
        .select(r::line)
        .load(conn)?;
    lines.extend(
        new_rows()
            .filter(r::email_lower.is_not_null())
            .filter(exists(
                u::table
                    .filter(u::deleted_at.is_null())
                    .filter(u::email_lower.eq(r::email_lower)),
            ))
            .select(r::line)
            .load::<i32>(conn)?,
    );
    lines.extend(
        new_rows()
            .filter(r::personnel_number.is_not_null())
            .filter(exists(
                u::table
                    .filter(u::deleted_at.is_null())
                    .filter(u::personnel_number.eq(r::personnel_number)),
            ))
            .select(r::line)
            .load::<i32>(conn)?,
    );
    lines.sort_unstable();
    lines.dedup();
    Ok(lines)
}

/// Names of staged groups or areas that do not exist (any more), each once
/// in file order — once also where the file spells one name two ways
/// (`Strasse`, `Straße`: the first spelling is made, the rows with the
/// other join it; see `domain::text::spelled_key`).
pub fn missing_units(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<(String, String)>> {
    use std::collections::HashSet;
    let catalog = crate::models::unit::catalog(conn)?;
    let key = crate::domain::text::name_key;
    let groups: HashSet<String> = catalog.groups.iter().map(|g| key(&g.name)).collect();
    let areas_known: HashSet<String> = catalog.areas.iter().map(|a| key(&a.name)).collect();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut missing = Vec::new();
    for (_, kind, name) in staged_unit_names(conn, batch)? {
        let known = if kind == "group" {
            &groups
        } else {
            &areas_known
        };
        if !known.contains(&key(&name))
            && seen.insert((kind.clone(), crate::domain::text::spelled_key(&name)))
        {
            missing.push((kind, name));
        }
    }
    Ok(missing)
}

/// The new rows as people: one statement. Returns how many.
pub fn insert_new_people(
    conn: &mut DbConn,
    batch: i64,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    use diesel::sql_types::{Bool, Nullable, Text, Timestamp};
    let rows = r::table
        .filter(r::batch_id.eq(batch))
        .filter(r::outcome.eq("neu"))
        .order(r::line.asc())
        .select((
            r::salutation,
            r::first_name,
            r::last_name,
            r::username,
            r::email,
            r::email_lower,
            false.into_sql::<Bool>(),
            r::personnel_number,
            r::user_type,
            false.into_sql::<Bool>(),
            UserStatus::Angelegt.as_str().into_sql::<Text>(),
            false.into_sql::<Bool>(),
            r::sort_name,
            r::search_text,
            now.into_sql::<Timestamp>(),
            now.into_sql::<Timestamp>(),
            Some(batch).into_sql::<Nullable<diesel::sql_types::BigInt>>(),
        ));
    let n = diesel::insert_into(u::table)
        .values(rows)
        .into_columns((
            u::salutation,
            u::first_name,
            u::last_name,
            u::username,
            u::email,
            u::email_lower,
            u::email_confirmed,
            u::personnel_number,
            u::user_type,
            u::is_staff,
            u::status,
            u::must_change_password,
            u::sort_name,
            u::search_text,
            u::created_at,
            u::updated_at,
            u::import_batch_id,
        ))
        .execute(conn)?;
    // SQLite's per-person counter trigger leaves an import's people out
    // (migration 2026-12-06-000014): they are counted here, once.
    if let DbConn::Sqlite(c) = conn {
        use crate::db::schema::user_status_counts as k;
        diesel::update(k::table.filter(k::status.eq(UserStatus::Angelegt.as_str())))
            .set(k::live.eq(k::live + n as i64))
            .execute(c)?;
    }
    Ok(n)
}

/// Of the groups and areas a commit created (`names`: kind and name, as
/// the batch lists them; made at `created_at`), those nothing uses any more
/// (no membership, no access link set, no whitelist entry or staged row)
/// are deleted. Returns the (kind, name) deleted and how many stay.
pub fn remove_unused_created_units(
    conn: &mut DbConn,
    names: &[(String, String)],
    created_at: PrimitiveDateTime,
) -> QueryResult<(Vec<(String, String)>, usize)> {
    use crate::db::schema::{
        access_link_sets as ls, registration_entries as re, registration_import_rows as rr,
    };
    use crate::domain::units::UnitKind;
    let (mut removed, mut kept) = (Vec::new(), 0);
    for (kind, name) in names {
        let unit_kind = if kind == "group" {
            UnitKind::Group
        } else {
            UnitKind::Area
        };
        let key = crate::domain::text::name_key(name);
        let Some(found) = crate::models::unit::find_by_key(conn, unit_kind, &key)? else {
            continue;
        };
        // Locked before it is checked: a membership added at the same
        // instant is seen, or waits and finds the unit gone.
        let Some(unit) = crate::models::unit::lock(conn, unit_kind, found.id)? else {
            continue;
        };
        // Made by this commit, not one of the same name made since.
        if unit.created_at != created_at {
            continue;
        }
        let id = unit.id.get();
        let used = match unit_kind {
            UnitKind::Group => {
                diesel::select(exists(gm::table.filter(gm::group_id.eq(id)))).get_result(conn)?
                    || diesel::select(exists(ls::table.filter(ls::group_id.eq(Some(id)))))
                        .get_result(conn)?
                    || diesel::select(exists(re::table.filter(re::group_id.eq(Some(id)))))
                        .get_result(conn)?
                    || diesel::select(exists(rr::table.filter(rr::group_id.eq(Some(id)))))
                        .get_result(conn)?
            }
            UnitKind::Area => {
                diesel::select(exists(aa::table.filter(aa::area_id.eq(id)))).get_result(conn)?
                    || diesel::select(exists(ls::table.filter(ls::area_id.eq(Some(id)))))
                        .get_result(conn)?
            }
        };
        if used {
            kept += 1;
        } else {
            crate::models::unit::delete(conn, unit_kind, unit.id)?;
            removed.push((kind.clone(), unit.name));
        }
    }
    Ok((removed, kept))
}

/// Groups and areas the file names but the instance lacks, created.
pub fn create_missing_units(
    conn: &mut DbConn,
    batch: i64,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<(String, String)>> {
    let missing = missing_units(conn, batch)?;
    for (kind, name) in &missing {
        let key = crate::domain::text::name_key(name);
        let unit_kind = if kind == "group" {
            crate::domain::units::UnitKind::Group
        } else {
            crate::domain::units::UnitKind::Area
        };
        crate::models::unit::insert(conn, unit_kind, name, &key, now)?;
    }
    Ok(missing)
}

#[derive(Insertable)]
#[diesel(table_name = gm, treat_none_as_default_value = false)]
struct NewMembership {
    user_id: UserId,
    group_id: crate::domain::UnitId,
}

#[derive(Insertable)]
#[diesel(table_name = aa, treat_none_as_default_value = false)]
struct NewAssignment {
    user_id: UserId,
    area_id: crate::domain::UnitId,
    area_role: crate::domain::AreaRole,
}

/// The memberships of the new people: who is who is read once (the batch's
/// people by username, the new rows' usernames by line), the pairs are made
/// here and written in bulk (COPY on PostgreSQL, multi-row statements on
/// SQLite) — a join per membership cost seconds at 100,000.
pub fn insert_new_memberships(conn: &mut DbConn, batch: i64) -> QueryResult<usize> {
    use std::collections::HashMap;
    let people: HashMap<String, UserId> = u::table
        .filter(u::import_batch_id.eq(Some(batch)))
        .filter(u::deleted_at.is_null())
        .select((u::username, u::id))
        .load::<(String, UserId)>(conn)?
        .into_iter()
        .collect();
    let by_line: HashMap<i32, UserId> = r::table
        .filter(r::batch_id.eq(batch))
        .filter(r::outcome.eq("neu"))
        .select((r::line, r::username))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .filter_map(|(line, name)| people.get(&name).map(|id| (line, *id)))
        .collect();
    drop(people);
    let catalog = crate::models::unit::catalog(conn)?;
    // By name key; a spelling the file used beside the one the commit made
    // (`Straße` beside a new `Strasse`) by its spelled key, where one unit
    // has it.
    let index = |units: &[crate::domain::units::Unit]| {
        use crate::domain::text::{name_key, note_spelled, spelled_key};
        let mut by_key: HashMap<String, crate::domain::UnitId> = HashMap::new();
        let mut by_spelling: HashMap<String, Option<crate::domain::UnitId>> = HashMap::new();
        for u in units {
            by_key.insert(name_key(&u.name), u.id);
            note_spelled(&mut by_spelling, &u.name, u.id);
        }
        move |unit_key: &str| {
            by_key
                .get(unit_key)
                .copied()
                .or_else(|| by_spelling.get(&spelled_key(unit_key)).copied().flatten())
        }
    };
    let (group_of, area_of) = (index(&catalog.groups), index(&catalog.areas));
    let (mut memberships, mut assignments) = (Vec::new(), Vec::new());
    for (line, kind, unit_key) in staged_units(conn, batch)? {
        let Some(user_id) = by_line.get(&line).copied() else {
            continue;
        };
        match kind.as_str() {
            "group" => {
                if let Some(group_id) = group_of(&unit_key) {
                    memberships.push(NewMembership { user_id, group_id });
                }
            }
            _ => {
                if let Some(area_id) = area_of(&unit_key) {
                    assignments.push(NewAssignment {
                        user_id,
                        area_id,
                        area_role: crate::domain::AreaRole::Mitglied,
                    });
                }
            }
        }
    }
    let n = memberships.len() + assignments.len();
    match conn {
        DbConn::Postgres(c) => {
            if !memberships.is_empty() {
                diesel::copy_from(gm::table)
                    .from_insertable(&memberships)
                    .execute(c)?;
            }
            if !assignments.is_empty() {
                diesel::copy_from(aa::table)
                    .from_insertable(&assignments)
                    .execute(c)?;
            }
        }
        DbConn::Sqlite(c) => {
            for chunk in memberships.chunks(10_000) {
                diesel::insert_into(gm::table).values(chunk).execute(c)?;
            }
            for chunk in assignments.chunks(10_000) {
                diesel::insert_into(aa::table).values(chunk).execute(c)?;
            }
        }
    }
    Ok(n)
}

/// What an update changed, for its undo.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ic)]
pub struct Change {
    pub batch_id: i64,
    pub user_id: UserId,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Written in a few statements on PostgreSQL (an update of thousands of
/// people notes a change or more each), row by row through one cached
/// statement on SQLite (inside the caller's immediate transaction).
pub fn record_changes(conn: &mut DbConn, changes: &[Change]) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => {
            for chunk in changes.chunks(2000) {
                diesel::insert_into(ic::table).values(chunk).execute(c)?;
            }
        }
        DbConn::Sqlite(c) => {
            for change in changes {
                diesel::insert_into(ic::table).values(change).execute(c)?;
            }
        }
    }
    Ok(())
}

pub fn changes_of(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<Change>> {
    ic::table
        .filter(ic::batch_id.eq(batch))
        .order((ic::user_id.asc(), ic::field.asc()))
        .select(Change::as_select())
        .load(conn)
}

// ---------------------------------------------------------------- undo

/// People a batch created who have taken their account (activated: they set
/// a password, signed in, or confirmed their address), by id.
pub fn created_and_in(conn: &mut DbConn, batch: i64) -> QueryResult<Vec<UserId>> {
    created(batch)
        .filter(
            u::password_hash
                .is_not_null()
                .or(u::activated_at.is_not_null())
                .or(u::last_login_at.is_not_null())
                .or(u::email_confirmed.eq(true))
                .or(u::status.eq(UserStatus::Aktiv)),
        )
        .order(u::id.asc())
        .select(u::id)
        .load(conn)
}

/// `query` narrowed to the live people `batch` created who have not taken
/// their account (no password, never signed in, address unconfirmed, not
/// `aktiv`): those an undo removes.
macro_rules! not_taken {
    ($query:expr, $batch:expr) => {
        $query
            .filter(u::import_batch_id.eq(Some($batch)))
            .filter(u::deleted_at.is_null())
            .filter(u::password_hash.is_null())
            .filter(u::activated_at.is_null())
            .filter(u::last_login_at.is_null())
            .filter(u::email_confirmed.eq(false))
            .filter(u::status.ne(UserStatus::Aktiv))
    };
}

/// The audited changes of a person's values: details, areas, photo, an
/// update import or another import's undo.
const PERSON_EDITS: [&str; 6] = [
    "user.update",
    "user.areas",
    "user.photo_set",
    "user.photo_remove",
    "user.import_update",
    "user.import_restore",
];

/// Memberships changed from a group's or area's page: audited on the unit,
/// not on the people.
const UNIT_MEMBER_EDITS: [&str; 4] = [
    "group.member_add",
    "group.member_remove",
    "area.member_add",
    "area.member_remove",
];

/// Of the people a batch created who have not taken their account (those
/// an undo removes), how many were changed since `since` by hand or by a
/// later import ([`PERSON_EDITS`]).
pub fn created_changed_since(
    conn: &mut DbConn,
    batch: i64,
    since: PrimitiveDateTime,
) -> QueryResult<i64> {
    use crate::db::schema::audit_events as a;
    let people = not_taken!(u::table, batch).select(u::id.nullable());
    a::table
        .filter(a::action.eq_any(PERSON_EDITS))
        .filter(a::occurred_at.ge(since))
        .filter(a::target_kind.eq("user"))
        .filter(a::target_id.eq_any(people))
        .select(diesel::dsl::count(a::target_id).aggregate_distinct())
        .get_result(conn)
}

/// The newest change ([`PERSON_EDITS`], by its audit entry's id; 0 for
/// none) since `since` to anyone an undo of the batch would remove or put
/// back — or any membership changed from a unit's page, which names no
/// person in its audit target: what the undo page was shown with, so that
/// the undo can tell whether someone was changed after the admin looked.
pub fn last_change_since(
    conn: &mut DbConn,
    batch: i64,
    since: PrimitiveDateTime,
) -> QueryResult<i64> {
    use crate::db::schema::audit_events as a;
    let created = not_taken!(u::table, batch).select(u::id.nullable());
    let changed = ic::table
        .filter(ic::batch_id.eq(batch))
        .select(ic::user_id.nullable());
    let of_people = a::action
        .eq_any(PERSON_EDITS)
        .and(a::target_kind.eq("user"))
        .and(
            a::target_id
                .eq_any(created)
                .or(a::target_id.eq_any(changed)),
        );
    let newest: Option<i64> = a::table
        .filter(a::occurred_at.ge(since))
        .filter(of_people.or(a::action.eq_any(UNIT_MEMBER_EDITS)))
        .select(diesel::dsl::max(a::id))
        .get_result(conn)?;
    Ok(newest.unwrap_or(0))
}

/// People a batch created who hold an admin role above `role` (given them
/// since): an admin of that role may not remove them, so his undo keeps them.
pub fn created_above_role(
    conn: &mut DbConn,
    batch: i64,
    role: crate::domain::AdminRole,
) -> QueryResult<Vec<UserId>> {
    Ok(created(batch)
        .filter(u::is_staff.eq(true))
        .filter(u::admin_role.is_not_null())
        .order(u::id.asc())
        .select((u::id, u::admin_role))
        .load::<(UserId, Option<crate::domain::AdminRole>)>(conn)?
        .into_iter()
        .filter(|(_, r)| !role.may_change_account_of(*r))
        .map(|(id, _)| id)
        .collect())
}

/// How many people a batch created are still `angelegt` (not invited).
pub fn created_not_invited(conn: &mut DbConn, batch: i64) -> QueryResult<i64> {
    created(batch)
        .filter(u::status.eq(UserStatus::Angelegt))
        .count()
        .get_result(conn)
}

fn created(batch: i64) -> u::BoxedQuery<'static, Db> {
    u::table
        .filter(u::import_batch_id.eq(Some(batch)))
        .filter(u::deleted_at.is_null())
        .into_boxed()
}

/// How many people of a batch have not taken their account, but for
/// `except` (for showing: nothing locked).
pub fn count_created_not_in(conn: &mut DbConn, batch: i64, except: &[UserId]) -> QueryResult<i64> {
    not_taken!(u::table, batch)
        .filter(diesel::dsl::not(u::id.eq_any(except)))
        .count()
        .get_result(conn)
}

/// The people of a batch who have not taken their account. Locked before
/// (rows of the PostgreSQL backend; SQLite's write transaction holds the
/// database): every live person the batch created and the `changed` ones
/// (sorted ids), in one statement and in id order, so an undo takes its
/// people in the order every other write of many people takes them.
pub fn lock_created_not_in(
    conn: &mut DbConn,
    batch: i64,
    changed: &[UserId],
) -> QueryResult<Vec<UserId>> {
    if let DbConn::Postgres(c) = conn {
        u::table
            .filter(u::deleted_at.is_null())
            .filter(u::import_batch_id.eq(Some(batch)).or(u::id.eq_any(changed)))
            .order(u::id.asc())
            .select(u::id)
            // Not FOR UPDATE: an admin among them still writes audit entries
            // (their key share on his row) while the undo waits or runs.
            .for_no_key_update()
            .load::<UserId>(c)?;
    }
    // Read after the locks: what a transaction that held one wrote is seen.
    not_taken!(u::table, batch)
        .order(u::id.asc())
        .select(u::id)
        .load(conn)
}

/// Removes these people as deleting a person does (they are `deleted`:
/// username, address and number free again; groups, areas, sessions and
/// links gone; unsent mail cancelled), set-based. The update itself checks
/// again that none has taken his account meanwhile. Returns how many went.
pub fn remove_people(
    conn: &mut DbConn,
    batch: i64,
    ids: &[UserId],
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    use crate::db::schema::{admin_sessions as s, one_time_tokens as t};
    let mut n = 0;
    for chunk in ids.chunks(5000) {
        n += diesel::update(not_taken!(u::table.filter(u::id.eq_any(chunk)), batch))
            .set((u::deleted_at.eq(Some(now)), u::updated_at.eq(now)))
            .execute(conn)?;
        diesel::delete(gm::table.filter(gm::user_id.eq_any(chunk))).execute(conn)?;
        diesel::delete(aa::table.filter(aa::user_id.eq_any(chunk))).execute(conn)?;
        diesel::delete(s::table.filter(s::user_id.eq_any(chunk))).execute(conn)?;
        diesel::update(
            t::table
                .filter(t::user_id.eq_any(chunk.iter().map(|u| Some(*u)).collect::<Vec<_>>()))
                .filter(t::consumed_at.is_null())
                .filter(t::expires_at.gt(now)),
        )
        .set(t::expires_at.eq(now))
        .execute(conn)?;
    }
    tracing::debug!("import undo: people marked, memberships and links gone");
    crate::models::outbox::cancel_waiting_of_users(conn, ids, None, "import undone")?;
    crate::models::outbox::release_current_invitations(conn, ids)?;
    Ok(n)
}

/// A staged row's address: batch, line, the address and its key.
pub type StagedAddress = (i64, i32, String, Option<String>);

/// The addresses of every preview not yet committed (start-up brings their
/// keys to the current form, as the commit copies them).
pub fn staged_addresses(conn: &mut DbConn) -> QueryResult<Vec<StagedAddress>> {
    r::table
        .inner_join(b::table.on(b::id.eq(r::batch_id)))
        .filter(b::state.eq(crate::domain::import::BatchState::Vorschau.as_str()))
        .filter(r::email.is_not_null())
        .select((
            r::batch_id,
            r::line,
            r::email.assume_not_null(),
            r::email_lower,
        ))
        .load(conn)
}

pub fn set_staged_email_key(
    conn: &mut DbConn,
    batch: i64,
    line: i32,
    key: &str,
) -> QueryResult<usize> {
    diesel::update(r::table.find((batch, line)))
        .set(r::email_lower.eq(key))
        .execute(conn)
}
