//! Registrierung: the whitelist. The instance's criteria (a setting of
//! Administrators), entries added one by one or imported from a
//! spreadsheet (read by the import's reader child, with its limits; a
//! preview staged, then every new row at once, or none), and the public
//! registration: a match admits one person, once; a mismatch gets one
//! neutral answer and counts against two rate limits.

use std::collections::HashMap;

use time::PrimitiveDateTime;

use crate::context::Context;
use crate::db::{DbConn, bulk_write_tx, write_tx};
use crate::domain::access::Account;
use crate::domain::audit::Change;
use crate::domain::import::{
    Mapping, Row, WHITELIST, error_value, formula_start, parse_user_type, parse_word, unneutralise,
};
use crate::domain::registration::{
    Criteria, Criterion, EntryData, EntryInput, Probe, ProbeInput, date_key, name_match_key,
    number_match_key,
};
use crate::domain::text::{name_key, note_spelled, spelled_key};
use crate::domain::{FieldError, FieldErrors, Page, UnitId, UserId, UserStatus, UserType};
use crate::models::registration::{self as model, NewEntry, StagedRow};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::auth::{NewSession, start_session};
use crate::services::imports::{check_row_count, clean_file_name};
use crate::services::mail::MailEnv;
use crate::services::rate_limit::{REGISTER_MISMATCH_PER_ADDRESS, REGISTER_MISMATCH_PER_KEY, take};
use crate::services::self_registration::{self, NewRegistered};
use crate::services::users::PROPOSAL_ATTEMPTS;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};
use crate::spreadsheet::{ReadError, runner};

/// Entries on one page of the list.
pub const ENTRIES_PER_PAGE: i64 = 50;
/// Rows of each kind an import's preview shows.
pub const PREVIEW_ROWS: i64 = 200;

fn today(ctx: &Context) -> time::Date {
    crate::domain::dates::local_today(ctx.now(), ctx.settings().time_zone)
}

// ------------------------------------------------------------ the list

/// An entry as the list shows it.
#[derive(Clone, Debug)]
pub struct EntryView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: Option<String>,
    pub birth_date: Option<String>,
    pub user_type: UserType,
    pub group: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub created_by: String,
    pub used_at: Option<PrimitiveDateTime>,
    pub used_by: Option<crate::domain::people::UserSummary>,
    /// An open entry: the account that holds its personnel number, if any
    /// (nobody can register with the entry).
    pub held_by: Option<crate::domain::people::UserSummary>,
    /// An open entry the criteria cannot tell from another open one.
    pub ambiguous: bool,
}

/// An import as the page lists it.
#[derive(Clone, Debug)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    pub actor: String,
    pub created_at: PrimitiveDateTime,
    pub state: String,
    pub rows_new: i64,
    pub rows_refused: i64,
    /// A preview whose file (.xls) may have lost leading zeros of the
    /// personnel numbers on it.
    pub zeros_hint: bool,
    /// The hint is about a CSV (else an .xls or .xlsb).
    pub zeros_from_csv: bool,
}

fn import_view(r: model::ImportRow) -> ImportView {
    ImportView {
        id: r.id,
        file_name: r.file_name,
        actor: r.actor_label,
        created_at: r.created_at,
        state: r.state,
        rows_new: r.rows_new.into(),
        rows_refused: r.rows_refused.into(),
        zeros_hint: false,
        zeros_from_csv: false,
    }
}

/// The whitelist page.
#[derive(Clone, Debug)]
pub struct Whitelist {
    pub criteria: Criteria,
    pub open: i64,
    pub used: i64,
    /// Open entries without a value a chosen criterion needs.
    pub unmatchable: i64,
    /// Open entries another open entry shares every compared value with.
    pub ambiguous: i64,
    /// The page lists only those (`?show=ambiguous`).
    pub only_ambiguous: bool,
    /// Open entries whose personnel number an account holds (nobody can
    /// register with them).
    pub held: i64,
    pub entries: Page<EntryView>,
    pub imports: Vec<ImportView>,
}

/// The whitelist page: a page of entries (found by `search`, or only those
/// the criteria cannot tell apart), with the list's counts.
pub async fn whitelist(
    ctx: &Context,
    search: &str,
    page: i64,
    only_ambiguous: bool,
) -> ServiceResult<Whitelist> {
    let criteria = ctx.settings().registration_criteria.clone();
    // Names as registrations compare them, a personnel number as typed.
    let search = crate::domain::text::search_term(search)
        .map_err(|e| ServiceError::Invalid(FieldErrors::single("q", e)))?
        .map(|s| (name_match_key(&s), s.trim().to_owned()));
    let page = page.max(1);
    let groups: HashMap<UnitId, String> = ctx
        .units()
        .groups
        .iter()
        .map(|g| (g.id, g.name.clone()))
        .collect();
    ctx.db()
        .run(move |conn| -> ServiceResult<Whitelist> {
            let (open, used) = model::tally(conn)?;
            let unmatchable = model::open_missing(
                conn,
                criteria.has(Criterion::PersonnelNumber),
                criteria.has(Criterion::BirthDate),
            )?;
            let mut shared: HashMap<Probe, Vec<(String, String, i64)>> = HashMap::new();
            for (id, (f, l, n, b)) in model::open_match_values_by_id(conn)? {
                // Entries that cannot match at all are counted above.
                if (criteria.has(Criterion::PersonnelNumber) && n.is_none())
                    || (criteria.has(Criterion::BirthDate) && b.is_none())
                {
                    continue;
                }
                shared
                    .entry(criteria.probe_of(&f, &l, n.as_deref(), b.as_deref()))
                    .or_default()
                    .push((l, f, id));
            }
            // In the list's order: by name, then as entered.
            let mut unclear: Vec<(String, String, i64)> = shared
                .into_values()
                .filter(|same| same.len() > 1)
                .flatten()
                .collect();
            unclear.sort_unstable();
            let ambiguous = unclear.len() as i64;
            let held = model::open_held(conn)?;
            let offset = (page - 1) * ENTRIES_PER_PAGE;
            let (rows, total) = if only_ambiguous {
                let ids: Vec<i64> = unclear
                    .iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(ENTRIES_PER_PAGE as usize)
                    .map(|(_, _, id)| *id)
                    .collect();
                let mut rows = model::entries_by_ids(conn, &ids)?;
                rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
                (rows, ambiguous)
            } else {
                model::entries_page(
                    conn,
                    search.as_ref().map(|(n, raw)| (n.as_str(), raw.as_str())),
                    offset,
                    ENTRIES_PER_PAGE,
                )?
            };
            let unclear: std::collections::HashSet<i64> =
                unclear.into_iter().map(|(_, _, id)| id).collect();
            let users: Vec<UserId> = rows.iter().filter_map(|r| r.used_by).collect();
            // Someone deleted since is not linked (the entry stays used).
            let mut people: HashMap<UserId, _> = user::live_summaries_of(conn, &users)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            // Open entries whose number an account holds: that account.
            let numbers: Vec<String> = rows
                .iter()
                .filter(|r| r.used_at.is_none())
                .filter_map(|r| r.personnel_number.clone())
                .collect();
            let holding = user::holders_of(conn, user::UniqueField::PersonnelNumber, &numbers)?;
            let holder_ids: Vec<UserId> = holding.iter().map(|(_, id)| *id).collect();
            let summaries: HashMap<UserId, _> = user::live_summaries_of(conn, &holder_ids)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            let held_by: HashMap<String, crate::domain::people::UserSummary> = holding
                .into_iter()
                .filter_map(|(n, id)| Some((n, summaries.get(&id)?.clone())))
                .collect();
            let items = rows
                .into_iter()
                .map(|r| EntryView {
                    held_by: r
                        .personnel_number
                        .as_ref()
                        .filter(|_| r.used_at.is_none())
                        .and_then(|n| held_by.get(n).cloned()),
                    ambiguous: r.used_at.is_none() && unclear.contains(&r.id),
                    id: r.id,
                    group: r.group_id.and_then(|g| groups.get(&g).cloned()),
                    first_name: r.first_name,
                    last_name: r.last_name,
                    personnel_number: r.personnel_number,
                    birth_date: r.birth_date,
                    user_type: r.user_type,
                    created_at: r.created_at,
                    created_by: r.created_by_label,
                    used_at: r.used_at,
                    used_by: r.used_by.and_then(|u| people.remove(&u)),
                })
                .collect();
            Ok(Whitelist {
                criteria,
                open,
                used,
                unmatchable,
                ambiguous,
                only_ambiguous,
                held,
                entries: Page {
                    items,
                    total,
                    page,
                    per_page: ENTRIES_PER_PAGE,
                },
                imports: model::recent_imports(conn, 10)?
                    .into_iter()
                    .map(import_view)
                    .collect(),
            })
        })
        .await
}

/// The criteria registrations must match (Administrators).
pub async fn set_criteria(
    ctx: &Context,
    actor: &Actor,
    chosen: Vec<Criterion>,
) -> ServiceResult<()> {
    if !actor.role.may_manage_settings() {
        return Err(ServiceError::Forbidden);
    }
    let criteria = Criteria::new(chosen)
        .map_err(|e| ServiceError::Invalid(FieldErrors::single("criteria", e)))?;
    let (actor, now) = (actor.clone(), ctx.now());
    let row = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut row = crate::models::settings::load(conn)?.ok_or(ServiceError::NotFound)?;
                let before = std::mem::replace(&mut row.registration_criteria, criteria.encode());
                row.updated_at = now;
                crate::models::settings::update(conn, &row)?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "settings.update",
                    Some(Target {
                        kind: "settings",
                        id: None,
                        label: row.organisation_name.clone(),
                    }),
                    &[Change::new(
                        "registration_criteria",
                        before,
                        row.registration_criteria.clone(),
                    )],
                )?;
                Ok::<_, ServiceError>(row)
            })
        })
        .await?;
    ctx.set_settings(row.snapshot());
    Ok(())
}

/// Why an entry cannot go on the list (beside field errors).
fn conflicts(conn: &mut DbConn, e: &EntryData, criteria: &Criteria) -> ServiceResult<FieldErrors> {
    let mut errors = FieldErrors::default();
    if let Some(n) = &e.personnel_number {
        if model::open_number_exists(conn, n.as_str())? {
            errors.add("personnel_number", FieldError::NumberOnTheList);
        } else if user::personnel_number_taken(conn, n.as_str(), None)? {
            errors.add("personnel_number", FieldError::PersonnelNumberTaken);
        }
    }
    // An open entry the criteria cannot tell apart from this one: a
    // registration could not know whose it is.
    let probe = criteria.probe_of(
        &name_match_key(e.first_name.as_str()),
        &name_match_key(e.last_name.as_str()),
        e.personnel_number.as_ref().map(|n| n.as_str()),
        e.birth_date.map(date_key).as_deref(),
    );
    if errors.is_empty() && !model::find_matches(conn, &probe, 1)?.is_empty() {
        errors.add(criteria.first_field(), FieldError::OnTheList);
    }
    Ok(errors)
}

fn new_entry<'a>(
    e: &'a EntryData,
    actor: &'a Actor,
    now: PrimitiveDateTime,
    import: Option<i64>,
) -> NewEntry<'a> {
    NewEntry {
        first_name: e.first_name.as_str(),
        last_name: e.last_name.as_str(),
        first_key: name_match_key(e.first_name.as_str()),
        last_key: name_match_key(e.last_name.as_str()),
        personnel_number: e.personnel_number.as_ref().map(|n| n.as_str()),
        birth_date: e.birth_date.map(date_key),
        user_type: e.user_type,
        group_id: e.group,
        created_at: now,
        created_by_label: &actor.label,
        import_id: import,
    }
}

/// Adds one entry (the form).
pub async fn add_entry(ctx: &Context, actor: &Actor, input: EntryInput) -> ServiceResult<i64> {
    require_user_management(actor)?;
    let criteria = ctx.settings().registration_criteria.clone();
    let entry = input
        .parse(&criteria, today(ctx))
        .map_err(ServiceError::Invalid)?;
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<i64> {
                if let Some(g) = entry.group
                    && crate::models::unit::group::find(conn, g)?.is_none()
                {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "group",
                        FieldError::InvalidChoice,
                    )));
                }
                let errors = conflicts(conn, &entry, &criteria)?;
                if !errors.is_empty() {
                    return Err(ServiceError::Invalid(errors));
                }
                let id = model::insert_entry(conn, &new_entry(&entry, &actor, now, None))?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "whitelist.add",
                    Some(Target::new(
                        "whitelist",
                        id,
                        format!("{} {}", entry.first_name.as_str(), entry.last_name.as_str()),
                    )),
                    &[],
                )?;
                Ok(id)
            })
        })
        .await
        .map_err(|e| match e {
            // Two admins adding the same number at the same instant.
            ServiceError::Conflict(crate::models::conflict::UniqueKey::WhitelistNumber) => {
                ServiceError::Invalid(FieldErrors::single(
                    "personnel_number",
                    FieldError::NumberOnTheList,
                ))
            }
            other => other,
        })
}

/// Removes an entry nobody used yet.
pub async fn delete_entry(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<bool> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<bool> {
                let Some(entry) = model::find_entry(conn, id)? else {
                    return Err(ServiceError::NotFound);
                };
                if model::delete_open(conn, id)? == 0 {
                    return Ok(false);
                }
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "whitelist.delete",
                    Some(Target::new(
                        "whitelist",
                        id,
                        format!("{} {}", entry.first_name, entry.last_name),
                    )),
                    &[],
                )?;
                Ok(true)
            })
        })
        .await
}

// ------------------------------------------------------------ importing

/// An import's preview (or, while its columns are mapped, the mapping).
#[derive(Clone, Debug)]
pub struct ImportPreview {
    pub import: ImportView,
    pub new_rows: Vec<StagedRow>,
    pub refused_rows: Vec<StagedRow>,
    pub mapping: Option<MappingForm>,
}

/// The mapping step: each column of the file with its title, first values
/// and the field it feeds, and the fields the criteria need.
#[derive(Clone, Debug)]
pub struct MappingForm {
    pub columns: Vec<MappedColumn>,
    pub needed: Vec<&'static str>,
}

#[derive(Clone, Debug)]
pub struct MappedColumn {
    pub title: String,
    pub samples: Vec<String>,
    pub field: Option<&'static str>,
}

/// What reading an upload came to.
pub enum ImportStart {
    /// The preview is staged, or the columns wait for their mapping.
    Staged(i64),
    /// The file could not be read.
    Unreadable(ReadError),
}

/// The fields an import must have a column for: the names (an account is
/// named after its entry) and every chosen criterion.
fn needed_fields(criteria: &Criteria) -> Vec<&'static str> {
    let mut needed = vec!["first_name", "last_name"];
    for c in criteria.iter() {
        if !needed.contains(&c.key()) {
            needed.push(c.key());
        }
    }
    needed
}

/// What a mapping lacks: fields without a column, fields with two.
fn mapping_problems(mapping: &Mapping, criteria: &Criteria) -> Vec<&'static str> {
    let mut problems: Vec<&'static str> = needed_fields(criteria)
        .into_iter()
        .filter(|k| mapping.column_of(k).is_none())
        .collect();
    for f in WHITELIST.fields {
        if mapping
            .columns
            .iter()
            .filter(|c| **c == Some(f.key))
            .count()
            > 1
            && !problems.contains(&f.key)
        {
            problems.push(f.key);
        }
    }
    problems
}

/// What every row is checked against, loaded once.
struct Checks {
    criteria: Criteria,
    today: time::Date,
    groups: HashMap<String, UnitId>,
    /// Groups by `spelled_key` ("Kueche" for "Küche"); `None` where two
    /// share the key.
    spelled_groups: HashMap<String, Option<UnitId>>,
    on_list: std::collections::HashSet<String>,
    taken: std::collections::HashSet<String>,
    listed: std::collections::HashSet<Probe>,
}

async fn load_checks(ctx: &Context) -> ServiceResult<Checks> {
    let criteria = ctx.settings().registration_criteria.clone();
    let units = ctx.units();
    let groups = units
        .groups
        .iter()
        .map(|g| (name_key(&g.name), g.id))
        .collect();
    let mut spelled_groups: HashMap<String, Option<UnitId>> = HashMap::new();
    for g in &units.groups {
        note_spelled(&mut spelled_groups, &g.name, g.id);
    }
    drop(units);
    let (on_list, taken, listed) = ctx
        .db()
        .run(|conn| -> ServiceResult<_> {
            Ok((
                model::open_numbers(conn)?,
                user::all_personnel_numbers(conn)?,
                model::open_match_values(conn)?,
            ))
        })
        .await?;
    let listed = listed
        .iter()
        .map(|(f, l, n, b)| criteria.probe_of(f, l, n.as_deref(), b.as_deref()))
        .collect();
    Ok(Checks {
        today: today(ctx),
        criteria,
        groups,
        spelled_groups,
        on_list: on_list.into_iter().collect(),
        taken: taken.into_iter().collect(),
        listed,
    })
}

/// Every data row with its outcome, checked in memory: in-file duplicates
/// by personnel number and by the compared values, the list and the
/// accounts by the sets loaded once.
/// Checks the rows below the title row. A row the file hides (by hand, by a
/// filter) is refused: the list decides who may register, and a filtered
/// list's hidden rows are most likely people left out on purpose.
fn check_rows(rows: &[Row], hidden: &[u32], mapping: &Mapping, checks: &Checks) -> Vec<StagedRow> {
    let hidden = crate::domain::import::HiddenLines::of(hidden);
    let column = |key: &str| mapping.column_of(key);
    const FIELDS: [&str; 6] = [
        "first_name",
        "last_name",
        "personnel_number",
        "birth_date",
        "user_type",
        "group",
    ];
    let cols: Vec<Option<usize>> = FIELDS.into_iter().map(column).collect();
    // As the user import reads a cell: the apostrophe Einlass's exports
    // put before formula-like text taken off (that text is meant as typed);
    // other text that starts like a formula is refused, not stored — it may
    // be a formula whose result the file does not hold.
    let cell = |row: &Row, i: usize| {
        cols[i]
            .map(|c| unneutralise(row.cell(c)).to_owned())
            .unwrap_or_default()
    };
    let formula = |row: &Row, i: usize| {
        cols[i].is_some_and(|c| {
            let raw = row.cell(c);
            let value = unneutralise(raw);
            value.len() == raw.len() && formula_start(value.trim())
        })
    };
    let header = mapping.header_line.unwrap_or(0);
    let mut staged = Vec::new();
    let mut seen_numbers: HashMap<String, i32> = HashMap::new();
    // Rows the criteria cannot tell apart: from each other, and from the
    // open entries.
    let mut seen_values: HashMap<Probe, i32> = HashMap::new();
    let criteria = &checks.criteria;
    for row in rows.iter().filter(|r| r.line > header) {
        let line = row.line as i32;
        let type_text = cell(row, 4);
        let group_text = cell(row, 5);
        let user_type = parse_word(&type_text, parse_user_type);
        let group = if group_text.trim().is_empty() {
            Ok(None)
        } else {
            checks
                .groups
                .get(&name_key(&group_text))
                .copied()
                .or_else(|| {
                    checks
                        .spelled_groups
                        .get(&spelled_key(&group_text))
                        .copied()
                        .flatten()
                })
                .map(Some)
                .ok_or(())
        };
        let input = EntryInput {
            first_name: cell(row, 0),
            last_name: cell(row, 1),
            personnel_number: cell(row, 2),
            birth_date: cell(row, 3),
            user_type: user_type.as_ref().ok().copied(),
            group: group.ok().flatten(),
        };
        let mut stage = StagedRow {
            import_id: 0,
            line,
            first_name: input.first_name.chars().take(200).collect(),
            last_name: input.last_name.chars().take(200).collect(),
            personnel_number: Some(input.personnel_number.chars().take(100).collect::<String>())
                .filter(|s| !s.trim().is_empty()),
            birth_date: Some(input.birth_date.chars().take(40).collect::<String>())
                .filter(|s| !s.trim().is_empty()),
            user_type: input.user_type.unwrap_or(UserType::Mitarbeiter),
            group_id: input.group,
            problem: None,
            other_line: None,
        };
        let formula_in = [(0, "first_name"), (1, "last_name"), (2, "personnel_number")]
            .into_iter()
            .find(|(i, _)| formula(row, *i));
        // A formula's error value (`#NV`) is no value to register with.
        let failed_in = FIELDS
            .into_iter()
            .enumerate()
            .find(|(i, _)| error_value(cell(row, *i).trim()));
        let problem: Option<String> = match input.parse(criteria, checks.today) {
            _ if hidden.contains(row.line) => Some("row:hidden".into()),
            _ if crate::domain::import::shortened_number(input.personnel_number.trim()) => {
                Some("personnel_number:shortened".into())
            }
            _ if crate::domain::import::converted_value(input.personnel_number.trim()) => {
                Some("personnel_number:converted".into())
            }
            // Named in the reason, as the user import does (at most 16
            // characters: `error_value` knows no longer one).
            _ if failed_in.is_some() => {
                failed_in.map(|(i, field)| format!("{field}:error_value:{}", cell(row, i).trim()))
            }
            _ if formula_in.is_some() => formula_in.map(|(_, field)| format!("{field}:formula")),
            Err(errors) => errors.iter().next().map(|(field, e)| match e {
                // Named by code point, as the forms and the user import
                // name them.
                FieldError::HiddenCharacter(c) => format!("{field}:hidden:{:x}", c as u32),
                FieldError::ForeignDigit(c) => format!("{field}:digit:{:x}", c as u32),
                e => format!("{field}:{}", field_error_code(e)),
            }),
            Ok(_) if user_type.is_err() => Some("user_type:invalid".into()),
            // Named, as the user import names an unknown group.
            Ok(_) if group.is_err() => Some(format!(
                "group:unknown:{}",
                group_text
                    .trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect::<String>()
            )),
            Ok(entry) => {
                stage.first_name = entry.first_name.as_str().to_owned();
                stage.last_name = entry.last_name.as_str().to_owned();
                stage.personnel_number = entry
                    .personnel_number
                    .as_ref()
                    .map(|n| n.as_str().to_owned());
                stage.birth_date = entry.birth_date.map(date_key);
                let number = stage.personnel_number.clone();
                let values = criteria.probe_of(
                    &name_match_key(&stage.first_name),
                    &name_match_key(&stage.last_name),
                    number.as_deref(),
                    stage.birth_date.as_deref(),
                );
                if let Some(n) = &number
                    && let Some(other) = seen_numbers.get(n)
                {
                    stage.other_line = Some(*other);
                    Some("personnel_number:twice".into())
                } else if let Some(other) = seen_values.get(&values) {
                    stage.other_line = Some(*other);
                    Some(format!("{}:twice", criteria.first_field()))
                } else if number.as_ref().is_some_and(|n| checks.on_list.contains(n)) {
                    Some("personnel_number:on_list".into())
                } else if checks.listed.contains(&values) {
                    Some(format!("{}:on_list", criteria.first_field()))
                } else if number.as_ref().is_some_and(|n| checks.taken.contains(n)) {
                    Some("personnel_number:account".into())
                } else {
                    if let Some(n) = number {
                        seen_numbers.insert(n, line);
                    }
                    seen_values.insert(values, line);
                    None
                }
            }
        };
        stage.problem = problem;
        staged.push(stage);
    }
    // A value twice in the file is on the list for neither row (which one
    // is meant is the admin's call), as in the user import: the first row
    // names the later one too.
    let mut line_index: HashMap<i32, usize> = HashMap::new();
    for (i, row) in staged.iter().enumerate() {
        line_index.insert(row.line, i);
    }
    let twice: Vec<(usize, String, i32)> = staged
        .iter()
        .filter(|r| r.problem.as_deref().is_some_and(|p| p.ends_with(":twice")))
        .filter_map(|r| {
            let first = *line_index.get(&r.other_line?)?;
            Some((first, r.problem.clone()?, r.line))
        })
        .collect();
    for (first, problem, later) in twice {
        let row = &mut staged[first];
        if row.problem.is_none() {
            row.problem = Some(problem);
            row.other_line = Some(later);
        }
    }
    staged
}

fn counts(staged: &[StagedRow]) -> (i32, i32) {
    let refused = staged.iter().filter(|r| r.problem.is_some()).count() as i32;
    (staged.len() as i32 - refused, refused)
}

/// Reads an upload with the import's reader child and limits. A header the
/// titles name completely is checked row by row and staged as a preview;
/// otherwise the columns wait for the admin to map them. Nothing goes on
/// the list yet.
pub async fn import_upload(
    ctx: &Context,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<ImportStart> {
    require_user_management(actor)?;
    let config = ctx.config().import.clone();
    if bytes.is_empty() {
        return Ok(ImportStart::Unreadable(ReadError::Empty));
    }
    if bytes.len() as u64 > config.max_bytes() {
        return Ok(ImportStart::Unreadable(ReadError::TooLarge(
            config.max_bytes(),
        )));
    }
    let _turn = ctx.import_turn().await?;
    let settings = config.reader_settings();
    let (book, grid) = match ctx
        .read_spreadsheet(move || runner::run(&settings, bytes, WHITELIST.name, None))
        .await?
    {
        Ok(read) => read,
        Err(e) => return Ok(ImportStart::Unreadable(e)),
    };
    // One sheet is read: a second sheet of entries would be left out.
    let listed: Vec<&str> = book
        .sheets
        .iter()
        .filter(|s| WHITELIST.recognises(&s.head))
        .map(|s| s.name.as_str())
        .collect();
    if listed.len() > 1 {
        return Ok(ImportStart::Unreadable(ReadError::SeveralSheets(
            listed.join(", "),
        )));
    }
    let mut mapping = Mapping::recognise(&WHITELIST, &book.sheets[book.chosen].head);
    let format = book.format.as_str();
    if let Err(e) = check_row_count(&book, 0, &mapping, config.max_rows) {
        return Ok(ImportStart::Unreadable(e));
    }
    let Some(first) = book.rows.first() else {
        return Ok(ImportStart::Unreadable(ReadError::Empty));
    };
    let (actor, now, name) = (actor.clone(), ctx.now(), clean_file_name(file_name));
    let criteria = ctx.settings().registration_criteria.clone();
    let titles = crate::domain::import::titles(&book.sheets[book.chosen].head, mapping.header_line);
    // Two columns named like one field: which one is meant is the admin's
    // call, as is a field without a column.
    if !mapping_problems(&mapping, &criteria).is_empty() || !WHITELIST.doubled(&titles).is_empty() {
        // Without a recognised header the first row holds the titles.
        if mapping.header_line.is_none() {
            mapping.header_line = Some(first.line);
        }
        let header = mapping.header_line.map(|l| l as i32);
        let encoded = mapping.encode();
        let id = ctx
            .db()
            .run(move |conn| {
                write_tx(conn, |conn| -> ServiceResult<i64> {
                    let new = model::NewImport {
                        file_name: &name,
                        format,
                        actor_label: &actor.label,
                        created_at: now,
                    };
                    Ok(model::insert_import_to_map(
                        conn, &new, header, &encoded, &grid,
                    )?)
                })
            })
            .await?;
        return Ok(ImportStart::Staged(id));
    }
    let checks = load_checks(ctx).await?;
    let mut staged = ctx
        .cpu(move || check_rows(&book.rows, &book.hidden, &mapping, &checks))
        .await?;
    let (fresh, refused) = counts(&staged);
    let id = ctx
        .db()
        .run(move |conn| {
            bulk_write_tx(conn, |conn| -> ServiceResult<i64> {
                let new = model::NewImport {
                    file_name: &name,
                    format,
                    actor_label: &actor.label,
                    created_at: now,
                };
                let id = model::insert_import(conn, &new, fresh, refused)?;
                for r in &mut staged {
                    r.import_id = id;
                }
                model::stage(conn, &staged)?;
                Ok(id)
            })
        })
        .await;
    ctx.checkpoint_soon();
    Ok(ImportStart::Staged(id?))
}

/// The rows as read of an import waiting for its mapping.
/// The title row, the mapping, the rows as read and the lines the file
/// hides.
type ToMap = (Option<u32>, String, Vec<Row>, Vec<u32>);

async fn rows_to_map(ctx: &Context, id: i64) -> ServiceResult<Option<ToMap>> {
    let Some((header, mapping, grid)) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::to_map(conn, id)?) })
        .await?
    else {
        return Ok(None);
    };
    let book = ctx
        .cpu(move || crate::spreadsheet::wire::decode(&grid))
        .await?
        .ok()
        .and_then(Result::ok)
        .ok_or(ServiceError::NotFound)?;
    Ok(Some((
        header.and_then(|h| u32::try_from(h).ok()),
        mapping,
        book.rows,
        book.hidden,
    )))
}

fn mapping_form(
    header: Option<u32>,
    mapping: &str,
    rows: &[Row],
    criteria: &Criteria,
) -> MappingForm {
    let titles = crate::domain::import::titles(rows, header);
    let mapping = Mapping::decode(&WHITELIST, header, mapping);
    let data: Vec<&Row> = rows
        .iter()
        .filter(|r| header.is_none_or(|h| r.line > h))
        .take(3)
        .collect();
    let width = rows
        .iter()
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .min(200);
    // A password column shows no examples, whatever the header.
    let secret = crate::domain::import::secret_columns(rows, width);
    MappingForm {
        columns: (0..width)
            .map(|c| MappedColumn {
                title: crate::domain::import::shown_title(&titles, &secret, c),
                samples: if secret.contains(&c) {
                    Vec::new()
                } else {
                    data.iter().map(|r| r.cell(c).to_owned()).collect()
                },
                field: mapping.columns.get(c).copied().flatten(),
            })
            .collect(),
        needed: needed_fields(criteria),
    }
}

/// The admin's mapping: the field each column feeds (by position; empty
/// for none). Then the rows are checked and staged as the preview; a
/// mapping that lacks a needed field or feeds one twice is refused with
/// those fields.
pub async fn map_import(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    chosen: Vec<String>,
) -> ServiceResult<Result<(), Vec<&'static str>>> {
    require_user_management(actor)?;
    let Some((header, _, rows, hidden)) = rows_to_map(ctx, id).await? else {
        // Mapped already (another tab), discarded, or never waiting.
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportStageDoesNotAllow,
        ));
    };
    let mut columns = Vec::with_capacity(chosen.len());
    for key in chosen.iter().take(200) {
        match key.trim() {
            "" => columns.push(None),
            k => match WHITELIST.field(k) {
                Some(f) => columns.push(Some(f.key)),
                None => {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "mapping",
                        FieldError::InvalidChoice,
                    )));
                }
            },
        }
    }
    // A column titled like a password feeds nothing, whatever was chosen.
    for c in crate::domain::import::secret_columns(&rows, columns.len()) {
        columns[c] = None;
    }
    let mapping = Mapping {
        header_line: header,
        columns,
    };
    let checks = load_checks(ctx).await?;
    let problems = mapping_problems(&mapping, &checks.criteria);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let encoded = mapping.encode();
    let mut staged = ctx
        .cpu(move || check_rows(&rows, &hidden, &mapping, &checks))
        .await?;
    let (fresh, refused) = counts(&staged);
    let written = ctx
        .db()
        .run(move |conn| {
            bulk_write_tx(conn, |conn| -> ServiceResult<()> {
                if !model::mapped(conn, id, &encoded, fresh, refused)? {
                    return Err(ServiceError::Refused(
                        crate::domain::Refusal::ImportStageDoesNotAllow,
                    ));
                }
                for r in &mut staged {
                    r.import_id = id;
                }
                model::stage(conn, &staged)?;
                Ok(())
            })
        })
        .await;
    ctx.checkpoint_soon();
    written?;
    Ok(Ok(()))
}

fn field_error_code(e: FieldError) -> &'static str {
    match e {
        FieldError::Required => "required",
        FieldError::TooLong(_) => "too_long",
        FieldError::InvalidCharacters | FieldError::HiddenCharacter(_) => "characters",
        FieldError::NameWithoutLetter => "no_letter",
        FieldError::ForeignDigit(_) => "digit",
        FieldError::InvalidBirthDate => "date",
        FieldError::BirthDateRange => "date_range",
        _ => "invalid",
    }
}

pub async fn import_preview(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<ImportPreview> {
    require_user_management(actor)?;
    let mut preview = staged_preview(ctx, id).await?;
    if preview.import.state == "zuordnung"
        && let Some((header, mapping, rows, _)) = rows_to_map(ctx, id).await?
    {
        let criteria = ctx.settings().registration_criteria.clone();
        preview.mapping = Some(mapping_form(header, &mapping, &rows, &criteria));
    }
    Ok(preview)
}

async fn staged_preview(ctx: &Context, id: i64) -> ServiceResult<ImportPreview> {
    ctx.db()
        .run(move |conn| -> ServiceResult<ImportPreview> {
            let import = model::find_import(conn, id)?.ok_or(ServiceError::NotFound)?;
            // A CSV holds what it holds, but Excel drops the zeros of
            // every number when it saves one.
            let is_csv = import.format == crate::spreadsheet::Format::Csv.as_str();
            let zeros_hint = import.state == "vorschau"
                && (is_csv || crate::services::imports::format_loses_zeros(&import.format))
                && model::has_plain_numbers(conn, id)?;

            Ok(ImportPreview {
                new_rows: model::staged(conn, id, false, PREVIEW_ROWS)?,
                refused_rows: model::staged(conn, id, true, PREVIEW_ROWS)?,
                import: ImportView {
                    zeros_hint,
                    zeros_from_csv: is_csv,
                    ..import_view(import)
                },
                mapping: None,
            })
        })
        .await
}

/// Puts every new row of the preview on the list, in one transaction, or
/// none: a row that meanwhile conflicts with the list or an account
/// refuses the whole import (a fresh upload checks again).
/// What "Übernehmen" on a list import did.
#[derive(Debug, PartialEq, Eq)]
pub enum ListCommitted {
    /// The entries are on the list now (how many).
    Done(usize),
    /// Taken over already (the button pressed twice, a second tab).
    Earlier,
}

pub async fn import_commit(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<ListCommitted> {
    let result = commit_import(ctx, actor, id).await;
    // The list or the accounts changed since the preview: its "Übernehmen"
    // could only fail again. The preview is discarded, and the page says
    // to upload the file again.
    if matches!(
        result,
        Err(ServiceError::Refused(
            crate::domain::Refusal::SelectionChanged
        ))
    ) {
        import_discard(ctx, actor, id).await?;
    }
    result
}

async fn commit_import(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<ListCommitted> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    let criteria = ctx.settings().registration_criteria.clone();
    let committed = ctx
        .db()
        .run(move |conn| {
            bulk_write_tx(conn, |conn| -> ServiceResult<ListCommitted> {
                if !model::move_import(conn, id, "vorschau", "importiert", now)? {
                    // Taken over already is what the admin wanted; discarded
                    // or undone since is not.
                    return match model::find_import(conn, id)? {
                        None => Err(ServiceError::NotFound),
                        Some(i) if i.state == "importiert" => Ok(ListCommitted::Earlier),
                        Some(_) => Err(ServiceError::Refused(
                            crate::domain::Refusal::ImportStageDoesNotAllow,
                        )),
                    };
                }
                let rows = model::all_new(conn, id)?;
                let data: Vec<EntryData> = rows
                    .iter()
                    .filter_map(|r| {
                        Some(EntryData {
                            first_name: crate::domain::PersonName::parse(&r.first_name).ok()?,
                            last_name: crate::domain::PersonName::parse(&r.last_name).ok()?,
                            personnel_number: r
                                .personnel_number
                                .as_deref()
                                .and_then(|n| crate::domain::PersonnelNumber::parse(n).ok())
                                .flatten(),
                            birth_date: r.birth_date.as_deref().and_then(|d| {
                                time::Date::parse(
                                    d,
                                    time::macros::format_description!("[year]-[month]-[day]"),
                                )
                                .ok()
                            }),
                            user_type: r.user_type,
                            group: r.group_id,
                        })
                    })
                    .collect();
                // The list and the accounts as they are now, each read
                // once (not a query per entry): an entry or an account
                // added since the preview refuses the commit, as does a row
                // the criteria cannot tell apart from an open entry or from
                // another row.
                let on_list: std::collections::HashSet<String> =
                    model::open_numbers(conn)?.into_iter().collect();
                let taken: std::collections::HashSet<String> =
                    user::all_personnel_numbers(conn)?.into_iter().collect();
                let mut probes: std::collections::HashSet<Probe> = model::open_match_values(conn)?
                    .iter()
                    .map(|(f, l, n, b)| criteria.probe_of(f, l, n.as_deref(), b.as_deref()))
                    .collect();
                for e in &data {
                    let number = e.personnel_number.as_ref().map(|n| n.as_str());
                    let probe = criteria.probe_of(
                        &name_match_key(e.first_name.as_str()),
                        &name_match_key(e.last_name.as_str()),
                        number,
                        e.birth_date.map(date_key).as_deref(),
                    );
                    // A value the criteria ask for and the entry lacks: the
                    // preview was checked under other criteria.
                    let incomplete = (criteria.has(Criterion::PersonnelNumber) && number.is_none())
                        || (criteria.has(Criterion::BirthDate) && e.birth_date.is_none());
                    if incomplete
                        || number.is_some_and(|n| on_list.contains(n) || taken.contains(n))
                        || !probes.insert(probe)
                    {
                        return Err(ServiceError::Refused(
                            crate::domain::Refusal::SelectionChanged,
                        ));
                    }
                }
                let entries: Vec<NewEntry<'_>> = data
                    .iter()
                    .map(|e| new_entry(e, &actor, now, Some(id)))
                    .collect();
                let n = model::insert_entries(conn, &entries)?;
                model::delete_staged(conn, id)?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "whitelist.import",
                    Some(Target::new("whitelist_import", id, format!("#{id}"))),
                    &[Change::new("entries", "", n.to_string())],
                )?;
                Ok(ListCommitted::Done(n))
            })
        })
        .await;
    ctx.checkpoint_soon();
    committed.map_err(|e| match e {
        ServiceError::Conflict(crate::models::conflict::UniqueKey::WhitelistNumber) => {
            ServiceError::Refused(crate::domain::Refusal::SelectionChanged)
        }
        other => other,
    })
}

/// Drops a preview.
pub async fn import_discard(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<()> {
    require_user_management(actor)?;
    let now = ctx.now();
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                if model::move_import(conn, id, "vorschau", "verworfen", now)?
                    || model::move_import(conn, id, "zuordnung", "verworfen", now)?
                {
                    model::delete_staged(conn, id)?;
                }
                Ok(())
            })
        })
        .await
}

/// Takes an import's entries off the list again, those nobody used yet;
/// (removed, used and kept).
pub async fn import_undo(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<(usize, i64)> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    let undone = ctx
        .db()
        .run(move |conn| {
            bulk_write_tx(conn, |conn| -> ServiceResult<(usize, i64)> {
                if !model::move_import(conn, id, "importiert", "rueckgaengig", now)? {
                    return Err(ServiceError::Refused(
                        crate::domain::Refusal::ImportStageDoesNotAllow,
                    ));
                }
                let (removed, kept) = model::undo_import(conn, id)?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "whitelist.import_undo",
                    Some(Target::new("whitelist_import", id, format!("#{id}"))),
                    &[
                        Change::new("removed", "", removed.to_string()),
                        Change::new("kept", "", kept.to_string()),
                    ],
                )?;
                Ok((removed, kept))
            })
        })
        .await;
    ctx.checkpoint_soon();
    undone
}

// ------------------------------------------------------------ registering

/// What a registration through the whitelist came to.
pub enum Registered {
    In(UserId, NewSession),
    /// The data matched no open entry: one answer for every way it can
    /// fail, so it tells nothing about the list.
    NoMatch,
    /// Too many attempts from this address, or for this data.
    Throttled,
}

/// The registration: the criteria fields must match exactly one open
/// entry; then in one transaction the entry is used (of two at the same
/// instant one wins; the other gets "no match"), the account made `aktiv`
/// with the entry's names, personnel number, user type and group.
///
/// Nothing but a username the person chose himself is told apart: an
/// address with an account, an ambiguous match, an entry whose personnel
/// number an account has meanwhile — all get the mismatch answer and
/// count as one, so the page confirms nobody's data.
pub async fn register(
    ctx: &Context,
    probe: &ProbeInput,
    account: Account,
    client: &str,
) -> ServiceResult<Registered> {
    let criteria = ctx.settings().registration_criteria.clone();
    let probe = probe
        .parse(&criteria, today(ctx))
        .map_err(ServiceError::Invalid)?;
    let (client, now) = (client.to_owned(), ctx.now());
    let keys = probe_keys(&probe);
    enum Found {
        Throttled,
        No,
        Entry,
    }
    let found = {
        let (client, keys, probe, account) =
            (client.clone(), keys.clone(), probe.clone(), account.clone());
        ctx.db()
            .run(move |conn| {
                write_tx(conn, |conn| -> ServiceResult<Found> {
                    // Counted as a mismatch before anything is compared, with
                    // the keys locked: attempts sent at the same instant get
                    // no more comparisons than the limits allow. What turns
                    // out to be no mismatch is given back.
                    let mut limits = vec![(&REGISTER_MISMATCH_PER_ADDRESS, client.as_str())];
                    limits.extend(
                        keys.iter()
                            .map(|k| (&REGISTER_MISMATCH_PER_KEY, k.as_str())),
                    );
                    if !take(conn, &limits, now)? {
                        return Ok(Found::Throttled);
                    }
                    if model::find_matches(conn, &probe, 2)?.len() != 1 {
                        return Ok(Found::No);
                    }
                    // A taken username is never told (register_in_tx makes
                    // one from the name instead): before the match it would
                    // tell anyone which names (`anna.mueller`) have
                    // accounts, after it it would confirm guessed data.
                    if let Some(e) = &account.email
                        && user::email_taken(conn, &e.key(), None)?
                    {
                        return Ok(Found::No);
                    }
                    Ok(Found::Entry)
                })
            })
            .await?
    };
    match found {
        Found::Throttled => return Ok(Registered::Throttled),
        Found::No => return Ok(Registered::NoMatch),
        Found::Entry => {}
    }
    let cost = ctx.config().bcrypt_cost;
    let password = account.password.clone();
    let hash = ctx.cpu(move || password.hash(cost)).await??;
    let env = MailEnv::of(ctx);
    let result = ctx
        .db()
        .run(move |conn| {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let result = write_tx(conn, |conn| {
                    register_in_tx(conn, &env, &probe, &account, &hash, now)
                });
                match result {
                    Err(ServiceError::Conflict(crate::models::conflict::UniqueKey::Username))
                        if account.username.is_none() && attempt < PROPOSAL_ATTEMPTS => {}
                    // Taken at the same instant: as if it had been before.
                    Err(ServiceError::Conflict(crate::models::conflict::UniqueKey::Email))
                    | Err(ServiceError::Conflict(
                        crate::models::conflict::UniqueKey::PersonnelNumber,
                    )) => return Ok(None),
                    other => return other.map_err(ServiceError::conflict_as_field_error),
                }
            }
        })
        .await?;
    match result {
        Some((id, session)) => {
            give_back(ctx, &client, &keys).await?;
            Ok(Registered::In(id, session))
        }
        // Taken at the same instant: a mismatch, counted already.
        None => Ok(Registered::NoMatch),
    }
}

/// What the per-person limit counts a mismatch against: the names typed
/// (the part a guesser knows), the personnel number, and — when no name
/// is asked — the birth date. Whatever field is guessed, one of the keys
/// stays the same from guess to guess.
fn probe_keys(p: &Probe) -> Vec<String> {
    let mut keys = Vec::new();
    let named = p.first_name.is_some() || p.last_name.is_some();
    if named {
        keys.push(format!(
            "names:{}|{}",
            p.first_name.as_deref().unwrap_or(""),
            p.last_name.as_deref().unwrap_or("")
        ));
    }
    if let Some(n) = &p.personnel_number {
        keys.push(format!("number:{n}"));
    }
    if !named && let Some(d) = &p.birth_date {
        keys.push(format!("birth:{d}"));
    }
    keys
}

/// A registration that matched gives back the attempt counted up front.
async fn give_back(ctx: &Context, client: &str, keys: &[String]) -> ServiceResult<()> {
    let (client, keys) = (client.to_owned(), keys.to_vec());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                REGISTER_MISMATCH_PER_ADDRESS.give_back(conn, &client)?;
                for key in &keys {
                    REGISTER_MISMATCH_PER_KEY.give_back(conn, key)?;
                }
                Ok(())
            })
        })
        .await
}

fn register_in_tx(
    conn: &mut DbConn,
    env: &MailEnv,
    probe: &Probe,
    account: &Account,
    hash: &str,
    now: PrimitiveDateTime,
) -> ServiceResult<Option<(UserId, NewSession)>> {
    let mut found = model::find_matches(conn, probe, 2)?;
    if found.len() != 1 {
        return Ok(None);
    }
    let Some(entry) = found.pop() else {
        return Ok(None);
    };
    if !model::claim(conn, entry.id, now)? {
        return Ok(None);
    }
    let (Ok(first), Ok(last)) = (
        crate::domain::PersonName::parse(&entry.first_name),
        crate::domain::PersonName::parse(&entry.last_name),
    ) else {
        return Ok(None);
    };
    if let Some(n) = &entry.personnel_number
        && user::personnel_number_taken(conn, &number_match_key(n), None)?
    {
        // An admin gave an account this number meanwhile: no match (the
        // entry stays open; the list and the account show the number).
        return Ok(None);
    }
    // A chosen username somebody has: one made from the entry's name (the
    // welcome page names it), never an answer that would confirm the data.
    let mut account = account.clone();
    if let Some(name) = &account.username
        && user::username_taken(conn, name.as_str(), None)?
    {
        account.username = None;
    }
    let account = &account;
    let (id, _) = self_registration::create(
        conn,
        env,
        &NewRegistered {
            first_name: &first,
            last_name: &last,
            personnel_number: entry.personnel_number.as_deref(),
            user_type: entry.user_type,
            group: entry.group_id,
            area: None,
            account,
            password_hash: hash,
            status: UserStatus::registered(false),
        },
        "user.register_whitelist",
        Change::new("whitelist_entry", "", entry.id.to_string()),
        now,
    )?;
    model::set_used_by(conn, entry.id, id)?;
    Ok(Some((id, start_session(conn, id, now)?)))
}

/// Whether the public page should be offered (the sign-in page links to
/// it while open entries exist).
pub async fn has_open_entries(ctx: &Context) -> ServiceResult<bool> {
    ctx.db()
        .run(|conn| -> ServiceResult<bool> { Ok(model::any_open(conn)?) })
        .await
}
