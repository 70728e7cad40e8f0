//! The spreadsheet import: upload, sheet choice, column mapping, preview,
//! commit (one batch: every importable row or none), undo; the import
//! history; and the files around it (the template, the refused rows).
//!
//! A file is read once, by the reader child (`spreadsheet::runner`); what it
//! read is kept with the batch, so a new mapping needs no second read, and
//! the preview's rows are staged in `import_rows`, so the commit writes
//! exactly what the preview showed. The checks are set-based: the keys of
//! every live account are loaded once, never a query per row.

use std::collections::{HashMap, HashSet};

use time::PrimitiveDateTime;

use crate::context::{Context, ImportTurn};
use crate::db::{DbConn, bulk_write_tx, write_tx};
use crate::domain::email::address_key;
use crate::domain::import::{
    BatchState, Counts, HiddenLines, ImportBatch, ImportMode, Mapping, MappingPage, Outcome,
    Preview, PreviewRow, Problem, Row, USERS, UndoPlan, UserRow, cells_of_values, decode_cells,
    decode_problems, decode_units, encode_problems, encode_units, join_names, mark_duplicates,
    parse_user_row, stored_text,
};
use crate::domain::text::{name_key, nfc, note_spelled, spelled_key};
use crate::domain::{AdminRole, Salutation, UnitId, UserId, UserType, Username};
use crate::models::import::{self as model, Batch, BatchChanges, StagedRow};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};
use crate::spreadsheet::{ReadError, Workbook, runner, wire};

/// What comes after an upload or a change of the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    ChooseSheet,
    Mapping,
    Preview,
}

/// An uploaded file.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub mode: ImportMode,
}

/// Rows of a preview page.
pub const PREVIEW_PAGE: i64 = 50;

/// The batch's mode (new people only, unless it says update).
fn mode_of(b: &Batch) -> ImportMode {
    ImportMode::parse(&b.mode).unwrap_or_default()
}

fn batch_view(b: &Batch) -> ImportBatch {
    ImportBatch {
        id: b.id,
        state: BatchState::parse(&b.state).unwrap_or(BatchState::Verworfen),
        mode: mode_of(b),
        file_name: b.file_name.clone(),
        format: b.format.clone(),
        sheet_name: b.sheet_name.clone(),
        header_line: b.header_line.and_then(|l| u32::try_from(l).ok()),
        create_missing_units: b.create_missing_units,
        actor_label: b.actor_label.clone(),
        created_at: b.created_at,
        committed_at: b.committed_at,
        committed_by: b.committed_by.clone(),
        undone_at: b.undone_at,
        undone_by: b.undone_by.clone(),
        preview_version: b.preview_version,
        counts: Counts {
            total: i64::from(b.rows_new)
                + i64::from(b.rows_update)
                + i64::from(b.rows_unchanged)
                + i64::from(b.rows_error),
            new: i64::from(b.rows_new),
            update: i64::from(b.rows_update),
            unchanged: i64::from(b.rows_unchanged),
            error: i64::from(b.rows_error),
        },
        created: i64::from(b.created_count),
        updated: i64::from(b.updated_count),
        removed: i64::from(b.removed_count),
        kept: i64::from(b.kept_count),
        restored: i64::from(b.restored_count),
        unrestored: i64::from(b.unrestored_count),
        other_sheets: b.upload_kept,
    }
}

/// A file name as shown and stored: its last path part, one line, at most
/// 120 characters; a longer one is shortened in the middle of its stem
/// ("…"), so its ending (the kind of file) stays.
pub(crate) fn clean_file_name(name: &str) -> String {
    const MAX: usize = 120;
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let chars: Vec<char> = nfc(last)
        .chars()
        .filter(|c| !crate::domain::text::is_forbidden(*c))
        .collect();
    let cleaned: String = if chars.len() <= MAX {
        chars.into_iter().collect()
    } else {
        // An ending of up to 8 characters after the last dot is kept.
        let ending = chars
            .iter()
            .rposition(|c| *c == '.')
            .filter(|dot| chars.len() - dot <= 9)
            .map_or(0, |dot| chars.len() - dot);
        let keep = MAX - 1 - ending;
        chars[..keep]
            .iter()
            .chain(std::iter::once(&'…'))
            .chain(&chars[chars.len() - ending..])
            .collect()
    };
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "Datei".into()
    } else {
        cleaned
    }
}

fn state_str(s: BatchState) -> String {
    s.as_str().to_owned()
}

// ---------------------------------------------------------------- upload

/// Reads an uploaded file and starts a batch. `Ok(Err(_))`: the file could
/// not be read (nothing was stored).
pub async fn upload(
    ctx: &Context,
    actor: &Actor,
    upload: Upload,
) -> ServiceResult<Result<(i64, Step), ReadError>> {
    require_user_management(actor)?;
    let config = ctx.config().import.clone();
    if upload.bytes.is_empty() {
        return Ok(Err(ReadError::Empty));
    }
    if upload.bytes.len() as u64 > config.max_bytes() {
        return Ok(Err(ReadError::TooLarge(config.max_bytes())));
    }
    let turn = ctx.import_turn().await?;
    let settings = config.reader_settings();
    let mode = upload.mode;
    let bytes = upload.bytes;
    let kept = bytes.clone();
    let started = std::time::Instant::now();
    // The keys of the accounts are read while the child reads the file, and
    // the rows it hands on early are parsed while it reads on.
    let (read, keys) = tokio::join!(
        ctx.read_spreadsheet(move || {
            runner::run_streaming(
                &settings,
                bytes,
                USERS.name,
                None,
                EarlyParse {
                    mode,
                    ..Default::default()
                },
            )
        }),
        ctx.db().run(load_keys)
    );
    let read = match read? {
        Ok(read) => read,
        Err(e) => return Ok(Err(e)),
    };
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        streamed = read.streamed,
        rows = read.book.rows.len(),
        "import: file read"
    );
    let mut grid = read.grid;
    let mut book = read.book;
    let mapping = Mapping::recognise(&USERS, &book.sheets[book.chosen].head);
    let early = match read.sink.done(&mapping) {
        Some(parsed) if read.streamed > 0 => Some(parsed),
        _ => None,
    };
    if read.streamed > 0 && early.is_none() {
        // Handed on, but not of use as parsed: all rows as read again.
        let (all, kept_grid) = ctx.cpu(move || (wire::decode(&grid), grid)).await?;
        grid = kept_grid;
        book = match all {
            Ok(Ok(book)) => book,
            Ok(Err(e)) => return Ok(Err(e)),
            Err(e) => return Ok(Err(ReadError::ReaderFailed(e))),
        };
    }
    let recognised = book
        .sheets
        .iter()
        .filter(|s| USERS.recognises(&s.head))
        .count();
    let with_data = book.sheets.iter().filter(|s| !s.head.is_empty()).count();
    let choose = recognised != 1 && with_data > 1;
    // A workbook with several sheets of data is kept until the import is
    // committed or discarded: the admin may choose another of its sheets.
    let keep_upload = with_data > 1;
    let earlier = early.as_ref().map_or(0, |rows| rows.len());
    if let Err(e) = check_row_count(&book, earlier, &mapping, config.max_rows) {
        return Ok(Err(e));
    }
    let ready = usable_untouched(&book.sheets[book.chosen].head, &mapping, mode);
    let (actor_in, now) = (actor.clone(), ctx.now());
    let file_name = clean_file_name(&upload.file_name);
    let state = if choose {
        BatchState::Datei
    } else if ready {
        BatchState::Vorschau
    } else {
        BatchState::Zuordnung
    };
    let sheet = book.sheets[book.chosen].name.clone();
    let hidden = HiddenLines::of(&book.hidden).encode();
    let format = book.format.as_str();
    let id = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<i64> {
                let id = model::insert_batch(
                    conn,
                    &model::NewBatch {
                        state: if state == BatchState::Vorschau {
                            BatchState::Zuordnung.as_str()
                        } else {
                            state.as_str()
                        },
                        mode: mode.as_str(),
                        file_name: &file_name,
                        format,
                        actor_id: actor_in.user_id,
                        actor_label: &actor_in.label,
                        created_at: now,
                    },
                )?;
                model::update_batch(
                    conn,
                    id,
                    &BatchChanges {
                        sheet_name: Some(Some(sheet)),
                        header_line: Some(mapping.header_line.map(|l| l as i32)),
                        mapping: Some(mapping.encode()),
                        upload: Some(keep_upload.then_some(kept)),
                        hidden_lines: Some(hidden),
                        ..Default::default()
                    },
                )?;
                Ok(id)
            })
        })
        .await?;
    // The rows as read are kept (a new mapping or a fresh preview needs no
    // second read); they are written while the rows are checked.
    let store_grid = ctx.db().run(move |conn| -> ServiceResult<()> {
        model::update_batch(
            conn,
            id,
            &BatchChanges {
                grid: Some(Some(grid)),
                ..Default::default()
            },
        )?;
        tracing::debug!(
            ms = started.elapsed().as_millis(),
            "import: rows as read kept"
        );
        Ok(())
    });
    let step = match state {
        BatchState::Datei => {
            store_grid.await?;
            Step::ChooseSheet
        }
        BatchState::Zuordnung => {
            store_grid.await?;
            Step::Mapping
        }
        _ => {
            let batch = open_batch(ctx, actor, id).await?;
            let source = match early {
                Some(parsed) => Source::Parsed {
                    parsed,
                    rest: book.rows,
                },
                None => Source::Read(book),
            };
            let (stored, step) = tokio::join!(
                store_grid,
                stage_book(
                    ctx,
                    actor,
                    &turn,
                    batch,
                    source,
                    keys.ok(),
                    BatchChanges::default()
                )
            );
            stored?;
            step?
        }
    };
    tracing::debug!(ms = started.elapsed().as_millis(), "import: preview made");
    Ok(Ok((id, step)))
}

/// The mapping the chosen sheet's titles give, and whether it can be used
/// without the admin: no field lacks its column, and no field is named by
/// two titles (which one is meant is his call).
fn recognise(
    book: &Workbook,
    max_rows: u32,
    mode: ImportMode,
) -> Result<(Mapping, bool), ReadError> {
    let head = &book.sheets[book.chosen].head;
    let mapping = Mapping::recognise(&USERS, head);
    check_row_count(book, 0, &mapping, max_rows)?;
    let ready = usable_untouched(head, &mapping, mode);
    Ok((mapping, ready))
}

/// Whether a mapping the titles gave needs no word from the admin.
fn usable_untouched(head: &[Row], mapping: &Mapping, mode: ImportMode) -> bool {
    let titles = crate::domain::import::titles(head, mapping.header_line);
    mode.mapping_problems(mapping).is_empty() && USERS.doubled(&titles).is_empty()
}

/// The rows the reader child hands on while it reads, parsed as they come
/// by the mapping their first rows give (see [`runner::run_streaming`]).
/// Of use only where that mapping is the one the whole file gives and
/// needs no word from the admin: [`EarlyParse::done`] tells.
#[derive(Default)]
struct EarlyParse {
    /// `None` before the first rows; `Some(None)`: parsing stopped.
    mapping: Option<Option<Mapping>>,
    rows: Vec<UserRow>,
    /// The upload's mode (what a mapping needs depends on it).
    mode: ImportMode,
}

impl runner::RowSink for EarlyParse {
    fn rows(&mut self, rows: Vec<Row>) {
        let mapping = self.mapping.get_or_insert_with(|| {
            let head = &rows[..rows.len().min(crate::domain::import::HEADER_SEARCH_ROWS)];
            let mapping = Mapping::recognise(&USERS, head);
            usable_untouched(head, &mapping, self.mode).then_some(mapping)
        });
        let Some(mapping) = mapping else {
            return;
        };
        self.rows.extend(
            rows.iter()
                .filter(|r| mapping.header_line.is_none_or(|h| r.line > h))
                .map(|r| parse_user_row(r, mapping)),
        );
    }

    fn reset(&mut self) {
        self.mapping = Some(None);
        self.rows = Vec::new();
    }
}

impl EarlyParse {
    /// The rows parsed, if they were parsed by `mapping`.
    fn done(self, mapping: &Mapping) -> Option<Vec<UserRow>> {
        match self.mapping {
            Some(Some(m)) if &m == mapping => Some(self.rows),
            _ => None,
        }
    }
}

/// Refuses a sheet with more rows of data than allowed (`earlier` of them
/// not in `book`).
pub(crate) fn check_row_count(
    book: &Workbook,
    earlier: usize,
    mapping: &Mapping,
    max: u32,
) -> Result<(), ReadError> {
    let data = earlier
        + book
            .rows
            .iter()
            .filter(|r| mapping.header_line.is_none_or(|h| r.line > h))
            .count();
    if data as u64 > u64::from(max) {
        return Err(ReadError::TooManyRows(max));
    }
    Ok(())
}

/// Loads an open batch the actor may work on.
async fn open_batch(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<Batch> {
    require_user_management(actor)?;
    let batch = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::find_batch(conn, id)?) })
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(batch)
}

fn refuse_unless_open(batch: &Batch) -> ServiceResult<()> {
    match BatchState::parse(&batch.state) {
        Some(s) if s.is_open() => Ok(()),
        _ => Err(ServiceError::Refused(
            crate::domain::Refusal::ImportStageDoesNotAllow,
        )),
    }
}

/// The rows as read (all sheets' heads, the chosen sheet's rows).
async fn workbook_of(ctx: &Context, id: i64) -> ServiceResult<Workbook> {
    stored_workbook(ctx, id, wire::decode).await
}

/// The rows as read, but only the sheets' heads (no rows after them).
/// They stand at the start of the stored rows: their first bytes are read,
/// and all of them only for heads longer than that.
async fn heads_of(ctx: &Context, id: i64) -> ServiceResult<Workbook> {
    let start = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::batch_grid_start(conn, id, HEADS_READ)?) })
        .await?
        .flatten()
        .ok_or(ServiceError::NotFound)?;
    match ctx.cpu(move || wire::decode_heads(&start)).await? {
        Ok(Ok(book)) => Ok(book),
        _ => stored_workbook(ctx, id, wire::decode_heads).await,
    }
}

/// Bytes of the stored rows read for the sheets' heads (30 rows of each
/// sheet fit unless their cells are long or the sheets many).
const HEADS_READ: i32 = 256 * 1024;

type Decoder = fn(&[u8]) -> Result<Result<Workbook, ReadError>, String>;

async fn stored_workbook(ctx: &Context, id: i64, decode: Decoder) -> ServiceResult<Workbook> {
    let grid = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::batch_grid(conn, id)?) })
        .await?
        .flatten()
        .ok_or(ServiceError::NotFound)?;
    ctx.cpu(move || decode(&grid))
        .await?
        .ok()
        .and_then(Result::ok)
        .ok_or(ServiceError::NotFound)
}

/// The sheet choice: every sheet's name and first rows.
pub async fn sheets(
    ctx: &Context,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(ImportBatch, Vec<crate::spreadsheet::Sheet>)> {
    let batch = open_batch(ctx, actor, id).await?;
    refuse_unless_open(&batch)?;
    if !batch.upload_kept {
        // One sheet of data: nothing to choose.
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportStageDoesNotAllow,
        ));
    }
    let book = heads_of(ctx, id).await?;
    Ok((batch_view(&batch), book.sheets))
}

/// The step of a batch that has read `sheet` already (a second tab, a
/// second click): its mapping and preview stay as they are.
fn read_already(batch: &Batch, sheet: &str) -> Option<Step> {
    if batch.sheet_name.as_deref() != Some(sheet) {
        return None;
    }
    match BatchState::parse(&batch.state) {
        Some(BatchState::Zuordnung) => Some(Step::Mapping),
        Some(BatchState::Vorschau) => Some(Step::Preview),
        _ => None,
    }
}

/// A sheet as the choice names it.
pub enum SheetChoice {
    /// Its place among the sheets the page listed (from 0): what the page
    /// posts, as a name may hold characters a form does not carry back.
    Index(usize),
    Name(String),
}

/// Reads the stored file again for the sheet the admin chose. A sheet the
/// file does not have, or one without content, is refused and changes
/// nothing.
pub async fn choose_sheet(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    choice: SheetChoice,
) -> ServiceResult<Result<Step, ReadError>> {
    let batch = open_batch(ctx, actor, id).await?;
    refuse_unless_open(&batch)?;
    let heads = heads_of(ctx, id).await?;
    let found = match &choice {
        SheetChoice::Index(i) => heads.sheets.get(*i),
        SheetChoice::Name(name) => heads.sheets.iter().find(|s| &s.name == name),
    };
    let Some(found) = found else {
        return Ok(Err(ReadError::NoSuchSheet));
    };
    if found.head.is_empty() {
        return Ok(Err(ReadError::Empty));
    }
    let sheet = found.name.clone();
    if let Some(step) = read_already(&batch, &sheet) {
        return Ok(Ok(step));
    }
    let upload = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::batch_upload(conn, id)?) })
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(bytes) = upload else {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportStageDoesNotAllow,
        ));
    };
    let turn = ctx.import_turn().await?;
    let config = ctx.config().import.clone();
    let settings = config.reader_settings();
    let wanted = sheet.clone();
    let (book, grid) = match ctx
        .read_spreadsheet(move || runner::run(&settings, bytes, USERS.name, Some(&wanted)))
        .await?
    {
        Ok(read) => read,
        Err(e) => return Ok(Err(e)),
    };
    let mode = mode_of(&batch);
    let (mapping, ok) = match recognise(&book, config.max_rows, mode) {
        Ok(found) => found,
        Err(e) => return Ok(Err(e)),
    };
    let hidden = HiddenLines::of(&book.hidden).encode();
    let changes = BatchChanges {
        sheet_name: Some(Some(sheet.clone())),
        header_line: Some(mapping.header_line.map(|l| l as i32)),
        mapping: Some(mapping.encode()),
        grid: Some(Some(grid)),
        hidden_lines: Some(hidden.clone()),
        skip_hidden: Some(false),
        ..Default::default()
    };
    if ok {
        // The new sheet's preview replaces the old one in one transaction:
        // no moment shows the batch without a preview, or the new sheet
        // with the old one's rows, and a commit from the old page is told
        // its preview is older.
        let mut batch = open_batch(ctx, actor, id).await?;
        refuse_unless_open(&batch)?;
        // Chosen by another tab meanwhile.
        if let Some(step) = read_already(&batch, &sheet) {
            return Ok(Ok(step));
        }
        batch.sheet_name = Some(sheet);
        batch.header_line = mapping.header_line.map(|l| l as i32);
        batch.mapping = mapping.encode();
        batch.hidden_lines = hidden;
        batch.skip_hidden = false;
        let step = stage_book(ctx, actor, &turn, batch, Source::Read(book), None, changes).await?;
        return Ok(Ok(step));
    }
    let already = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<Option<Step>> {
                let b = model::lock_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
                refuse_unless_open(&b)?;
                // Chosen by another tab meanwhile.
                if let Some(step) = read_already(&b, &sheet) {
                    return Ok(Some(step));
                }
                // The rows of the sheet chosen before are not this sheet's
                // preview: the batch waits for its mapping or a new preview,
                // and a preview made from the batch as it was is not kept.
                model::clear_staged(conn, id)?;
                model::update_batch(
                    conn,
                    id,
                    &BatchChanges {
                        state: Some(state_str(BatchState::Zuordnung)),
                        preview_version: Some(b.preview_version + 1),
                        ..changes
                    },
                )?;
                Ok(None)
            })
        })
        .await?;
    Ok(Ok(already.unwrap_or(Step::Mapping)))
}

pub async fn mapping_page(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<MappingPage> {
    let batch = open_batch(ctx, actor, id).await?;
    refuse_unless_open(&batch)?;
    let book = workbook_of(ctx, id).await?;
    let header = batch.header_line.and_then(|l| u32::try_from(l).ok());
    let mapping = Mapping::decode(&USERS, header, &batch.mapping);
    Ok(mapping_view(batch, book, mapping))
}

fn mapping_view(batch: Batch, book: Workbook, mut mapping: Mapping) -> MappingPage {
    let head = book.sheets[book.chosen].head.clone();
    let width = book
        .rows
        .iter()
        .take(200)
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .max(mapping.columns.len());
    mapping.columns.resize(width, None);
    let titles = crate::domain::import::titles(&book.rows, mapping.header_line);
    let data: Vec<&Row> = book
        .rows
        .iter()
        .filter(|r| mapping.header_line.is_none_or(|h| r.line > h))
        .take(3)
        .collect();
    // A column with a password title among its first rows shows no
    // examples (the reader emptied those under the header it found; this
    // is for a header the admin picks).
    let secret_columns = crate::domain::import::secret_columns(&book.rows, width);
    let samples = (0..width)
        .map(|c| {
            if secret_columns.contains(&c) {
                Vec::new()
            } else {
                data.iter().map(|r| r.cell(c).to_owned()).collect()
            }
        })
        .collect();
    let problems = mode_of(&batch).mapping_problems(&mapping);
    let doubled = USERS.doubled(&titles);
    MappingPage {
        batch: batch_view(&batch),
        mapping,
        titles,
        samples,
        head,
        problems,
        doubled,
        secret_columns,
    }
}

/// The admin's mapping: the title row (or none) and a field per column.
pub async fn set_mapping(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    header_line: Option<u32>,
    columns: Vec<Option<String>>,
    version: Option<i32>,
) -> ServiceResult<Result<Step, MappingPage>> {
    let batch = open_batch(ctx, actor, id).await?;
    refuse_unless_open(&batch)?;
    // The sheet is chosen first.
    if BatchState::parse(&batch.state) == Some(BatchState::Datei) {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportStageDoesNotAllow,
        ));
    }
    // A mapping page of the batch as it was (another sheet chosen, another
    // mapping saved since, in another tab) maps columns it does not show.
    if version.is_some_and(|v| v != batch.preview_version) {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportOlderPage,
        ));
    }
    let read_version = batch.preview_version;
    let book = workbook_of(ctx, id).await?;
    // Only what the page offered: a row of the file, its columns, fields
    // of the import (a forged form changes nothing).
    let forged = |field: &'static str| {
        ServiceError::Invalid(crate::domain::FieldErrors::single(
            field,
            crate::domain::FieldError::InvalidChoice,
        ))
    };
    if header_line.is_some_and(|l| !book.rows.iter().any(|r| r.line == l)) {
        return Err(forged("header_line"));
    }
    let width = book.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    if columns.iter().enumerate().any(|(i, c)| {
        c.as_deref()
            .is_some_and(|k| i >= width || USERS.field(k).is_none())
    }) {
        return Err(forged("columns"));
    }
    // A column titled like a password feeds nothing, whatever was chosen.
    let secret = crate::domain::import::secret_columns(&book.rows, columns.len());
    let mapping = Mapping {
        header_line,
        columns: columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let secret = secret.contains(&i);
                c.as_deref()
                    .and_then(|k| USERS.field(k))
                    .map(|f| f.key)
                    .filter(|_| !secret)
            })
            .collect(),
    };
    let mode = mode_of(&batch);
    if !mode.mapping_problems(&mapping).is_empty() {
        return Ok(Err(mapping_view(batch, book, mapping)));
    }
    let max = ctx.config().import.max_rows;
    if check_row_count(&book, 0, &mapping, max).is_err() {
        return Ok(Err(mapping_view(batch, book, mapping)));
    }
    // Saved with the preview it makes, or not at all.
    let changes = BatchChanges {
        header_line: Some(mapping.header_line.map(|l| l as i32)),
        mapping: Some(mapping.encode()),
        ..Default::default()
    };
    Ok(Ok(restage_with(
        ctx,
        actor,
        id,
        changes,
        Some(read_version),
    )
    .await?))
}

/// An option of a preview page, on or off.
#[derive(Clone, Copy, Debug)]
pub enum PreviewOption {
    /// "Fehlende Gruppen und Bereiche anlegen".
    CreateMissingUnits(bool),
    /// "Ausgeblendete Zeilen nicht importieren".
    SkipHidden(bool),
}

/// Changes an option of a preview and makes the preview again: both are
/// saved together or not at all.
pub async fn set_option(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    option: PreviewOption,
) -> ServiceResult<Step> {
    let changes = match option {
        PreviewOption::CreateMissingUnits(on) => BatchChanges {
            create_missing_units: Some(on),
            ..Default::default()
        },
        PreviewOption::SkipHidden(on) => BatchChanges {
            skip_hidden: Some(on),
            ..Default::default()
        },
    };
    restage_with(ctx, actor, id, changes, None).await
}

/// Drops an open batch (its staged rows and the stored file go).
pub async fn discard(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<()> {
    let batch = open_batch(ctx, actor, id).await?;
    refuse_unless_open(&batch)?;
    ctx.db()
        .run(move |conn| write_tx(conn, |conn| discard_in_tx(conn, id)))
        .await
}

/// Drops an open batch: its staged rows and stored file go, it stays in
/// the history as discarded.
fn discard_in_tx(conn: &mut DbConn, id: i64) -> ServiceResult<()> {
    let Some(b) = model::lock_batch(conn, id)? else {
        return Err(ServiceError::NotFound);
    };
    refuse_unless_open(&b)?;
    model::clear_staged(conn, id)?;
    model::update_batch(
        conn,
        id,
        &BatchChanges {
            state: Some(state_str(BatchState::Verworfen)),
            upload: Some(None),
            grid: Some(None),
            hidden_lines: Some(String::new()),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// How long an import nobody finished (sheet, mapping or preview) is kept.
pub const OPEN_BATCH_DAYS: i64 = 7;

/// Discards imports left open for more than [`OPEN_BATCH_DAYS`] (a preview
/// of 100,000 rows keeps about 20 MB). Returns how many.
pub async fn sweep_open(ctx: &Context) -> ServiceResult<usize> {
    let before = ctx.now() - time::Duration::days(OPEN_BATCH_DAYS);
    let mut n = 0;
    loop {
        let ids = ctx
            .db()
            .run(move |conn| -> ServiceResult<_> {
                Ok(model::open_batches_before(conn, before, 50)?)
            })
            .await?;
        if ids.is_empty() {
            return Ok(n);
        }
        for id in ids {
            let swept = ctx
                .db()
                .run(move |conn| write_tx(conn, |conn| discard_in_tx(conn, id)))
                .await;
            match swept {
                Ok(()) => n += 1,
                // Committed or discarded meanwhile.
                Err(ServiceError::Refused(_) | ServiceError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Drops the staged rows of committed imports but their refused ones: they
/// served the preview and the commit; the error list reads the refused
/// rows, the undo the people and changes the commit recorded. How many
/// batches it cleared.
pub async fn sweep_settled(ctx: &Context) -> ServiceResult<usize> {
    const SETTLED: [&str; 3] = [
        BatchState::Importiert.as_str(),
        BatchState::Rueckgaengig.as_str(),
        BatchState::TeilweiseRueckgaengig.as_str(),
    ];
    let mut n = 0;
    loop {
        let ids = ctx
            .db()
            .run(move |conn| -> ServiceResult<_> {
                Ok(model::settled_with_staged(conn, &SETTLED, 20)?)
            })
            .await?;
        if ids.is_empty() {
            return Ok(n);
        }
        for id in ids {
            ctx.db()
                .run(move |conn| {
                    write_tx(conn, |conn| -> ServiceResult<()> {
                        let b = model::lock_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
                        if SETTLED.contains(&b.state.as_str()) {
                            model::drop_staged_but_refused(conn, id)?;
                        }
                        Ok(())
                    })
                })
                .await?;
            n += 1;
        }
    }
}

// ---------------------------------------------------------------- staging

/// What the database knows that the rows are checked against.
struct Existing {
    by_username: HashMap<String, UserId>,
    by_email: HashMap<String, UserId>,
    by_number: HashMap<String, UserId>,
    groups: HashMap<String, UnitId>,
    areas: HashMap<String, UnitId>,
    /// Groups and areas whose names hold a "," or ";" (which a cell of the
    /// file separates names with), by [`joined_key`]: their name.
    joined_groups: HashMap<String, String>,
    joined_areas: HashMap<String, String>,
    /// Groups and areas by [`spelled_key`] (`kueche` for "Küche"): the name
    /// of the one unit with that key, `None` where two share it.
    spelled_groups: HashMap<String, Option<String>>,
    spelled_areas: HashMap<String, Option<String>>,
    /// The accounts' numbers with leading zeros by the number without them
    /// (`456` for `00456`): a spreadsheet drops them from a number cell
    /// (and .xls and .xlsb files do not even say how the cell was shown),
    /// so such a value finds its person and does not change or double his
    /// number.
    padded_numbers: HashMap<String, Padded>,
    /// Update mode: the people rows match, with their groups and areas.
    people: HashMap<UserId, Person>,
}

struct Padded {
    /// `None` where two accounts would fit (`0456` and `00456`) or one has
    /// the plain number itself.
    holder: Option<UserId>,
    /// The number an account holds (one of them).
    number: String,
}

struct Person {
    salutation: Option<Salutation>,
    first_name: String,
    last_name: String,
    username: String,
    email: Option<String>,
    email_confirmed: bool,
    /// His invitation is live (`eingeladen`): a new address withdraws it.
    invited: bool,
    personnel_number: Option<String>,
    user_type: UserType,
    role: Option<AdminRole>,
    groups: HashSet<UnitId>,
    areas: HashSet<UnitId>,
}

/// Makes the preview again from the rows as read, the mapping and the
/// database as it is now.
pub async fn restage(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<Step> {
    restage_with(ctx, actor, id, BatchChanges::default(), None).await
}

/// Makes the preview again with `changes` of the batch (a mapping, an
/// option), saved with the new preview in one transaction: a preview that
/// fails (busy, someone else changed the batch meanwhile) changes nothing.
/// `made_for`: the version of the batch the changes were checked against
/// (a mapping: its columns are the sheet's of that version).
async fn restage_with(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    changes: BatchChanges,
    made_for: Option<i32>,
) -> ServiceResult<Step> {
    let turn = ctx.import_turn().await?;
    let mut batch = open_batch(ctx, actor, id).await?;
    refuse_unless_open(&batch)?;
    if made_for.is_some_and(|v| v != batch.preview_version) {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportOlderPage,
        ));
    }
    // A preview page's option: only for a batch at its preview.
    let option = changes.create_missing_units.is_some() || changes.skip_hidden.is_some();
    if option && BatchState::parse(&batch.state) != Some(BatchState::Vorschau) {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportStageDoesNotAllow,
        ));
    }
    // The preview is made as the batch will be.
    if let Some(header_line) = changes.header_line {
        batch.header_line = header_line;
    }
    if let Some(mapping) = &changes.mapping {
        batch.mapping.clone_from(mapping);
    }
    if let Some(create) = changes.create_missing_units {
        batch.create_missing_units = create;
    }
    if let Some(skip) = changes.skip_hidden {
        batch.skip_hidden = skip;
    }
    let book = workbook_of(ctx, id).await?;
    stage_book(ctx, actor, &turn, batch, Source::Read(book), None, changes).await
}

/// The rows a preview is made of.
enum Source {
    /// As read.
    Read(Workbook),
    /// Parsed while the file was read, and the rows read after those.
    Parsed {
        parsed: Vec<UserRow>,
        rest: Vec<Row>,
    },
}

/// The preview of these rows (the batch's rows as read).
async fn stage_book(
    ctx: &Context,
    actor: &Actor,
    _turn: &ImportTurn,
    batch: Batch,
    source: Source,
    keys: Option<Existing>,
    changes: BatchChanges,
) -> ServiceResult<Step> {
    let id = batch.id;
    let header = batch.header_line.and_then(|l| u32::try_from(l).ok());
    let mapping = Mapping::decode(&USERS, header, &batch.mapping);
    let mode = mode_of(&batch);
    if !mode.mapping_problems(&mapping).is_empty() {
        return Ok(Step::Mapping);
    }
    let create_missing = batch.create_missing_units;
    let started = std::time::Instant::now();
    let parse_mapping = mapping.clone();
    // Rows the file hides, when the admin left them out.
    let skipped = if batch.skip_hidden {
        HiddenLines::decode(&batch.hidden_lines)
    } else {
        HiddenLines::default()
    };
    let rows: Vec<UserRow> = ctx
        .cpu(move || {
            let (mut rows, mut data) = match source {
                Source::Read(book) => (Vec::new(), book.rows),
                Source::Parsed { parsed, rest } => (parsed, rest),
            };
            rows.retain(|r| !skipped.contains(r.line));
            data.retain(|r| {
                parse_mapping.header_line.is_none_or(|h| r.line > h) && !skipped.contains(r.line)
            });
            // Each row as read is dropped once parsed: the two never all
            // live at once.
            rows.extend(map_on_both_cores(data, |r| {
                parse_user_row(&r, &parse_mapping)
            }));
            mark_duplicates(&mut rows, "email", UserRow::email_key);
            mark_duplicates(&mut rows, "personnel_number", |r| {
                r.personnel_number.clone()
            });
            mark_duplicates(&mut rows, "username", |r| r.username.clone());
            rows
        })
        .await?;
    tracing::debug!(ms = started.elapsed().as_millis(), "import: rows parsed");
    let keys_for_update: Vec<MatchKeys> = if mode == ImportMode::Update {
        rows.iter()
            .map(|r| {
                (
                    r.personnel_number.clone(),
                    r.email_key(),
                    r.username.clone(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let existing = ctx
        .db()
        .run(move |conn| {
            let mut existing = match keys {
                Some(k) => k,
                None => load_keys(conn)?,
            };
            let mut padded: HashMap<String, Padded> = HashMap::new();
            for (n, id) in &existing.by_number {
                if let Some(plain) = without_leading_zeros(n) {
                    padded
                        .entry(plain.to_owned())
                        .and_modify(|p| {
                            // Two fit: named by the smaller, whatever the
                            // order the map gives them in.
                            p.holder = None;
                            if *n < p.number {
                                p.number = n.clone();
                            }
                        })
                        .or_insert(Padded {
                            holder: Some(*id),
                            number: n.clone(),
                        });
                }
            }
            for (plain, p) in padded.iter_mut() {
                if existing.by_number.contains_key(plain) {
                    p.holder = None;
                }
            }
            existing.padded_numbers = padded;
            if mode == ImportMode::Update {
                load_people(conn, &mut existing, &keys_for_update)?;
            }
            Ok::<_, ServiceError>(existing)
        })
        .await?;
    tracing::debug!(ms = started.elapsed().as_millis(), "import: keys loaded");
    // The rows are checked on the CPU pool and written as they come, in
    // chunks, by one write transaction: the two overlap.
    let actor_in = actor.clone();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<StageMsg>(2);
    let evaluating = ctx.cpu(move || {
        let checking = std::time::Instant::now();
        let staged = evaluate(
            rows,
            &existing,
            mode,
            create_missing,
            &actor_in,
            id,
            &mut |chunk| sender.send(StageMsg::Rows(chunk)).is_ok(),
        );
        tracing::debug!(ms = checking.elapsed().as_millis(), "import: rows checked");
        let _ = sender.send(StageMsg::Done(staged));
    });
    let (read_version, read_state) = (batch.preview_version, batch.state.clone());
    let writing = ctx.db().run(move |conn| {
        let written = bulk_write_tx(conn, |conn| -> ServiceResult<std::time::Instant> {
            let Some(b) = model::lock_batch(conn, id)? else {
                return Err(ServiceError::NotFound);
            };
            refuse_unless_open(&b)?;
            // Made from the batch as it was read: if another tab changed
            // it since (a sheet, a mapping, an option), this preview is not
            // the batch's and is not kept.
            if b.preview_version != read_version || b.state != read_state {
                return Err(ServiceError::Changed);
            }
            model::clear_staged(conn, id)?;
            // Time spent writing (the rest is waiting for checked rows).
            let mut busy = std::time::Duration::ZERO;
            let staged = loop {
                match receiver.recv() {
                    Ok(StageMsg::Rows(chunk)) => {
                        let t = std::time::Instant::now();
                        model::stage(conn, &chunk)?;
                        busy += t.elapsed();
                    }
                    Ok(StageMsg::Done(staged)) => break staged,
                    // The checking ended without its result (it panicked,
                    // or waited too long for a turn and never ran).
                    Err(_) => return Err(crate::context::QueueError::Panicked.into()),
                }
            };
            tracing::debug!(ms = busy.as_millis(), "import: staged rows written");
            let ended = std::time::Instant::now();
            let c = staged.counts;
            model::update_batch(
                conn,
                id,
                &BatchChanges {
                    state: Some(state_str(BatchState::Vorschau)),
                    preview_version: Some(b.preview_version + 1),
                    rows_new: Some(c.new as i32),
                    rows_update: Some(c.update as i32),
                    rows_unchanged: Some(c.unchanged as i32),
                    rows_error: Some(c.error as i32),
                    missing_units: Some(encode_units(
                        staged.missing.iter().map(|(k, n)| (*k, n.as_str())),
                    )),
                    // The mapping or option this preview is made with.
                    ..changes.clone()
                },
            )?;
            Ok(ended)
        });
        if let Ok(ended) = &written {
            tracing::debug!(
                ms = ended.elapsed().as_millis(),
                "import: staged rows committed"
            );
        }
        crate::db::release_cache(conn);
        written
    });
    let (evaluated, written) = tokio::join!(evaluating, writing);
    ctx.checkpoint_soon();
    evaluated?;
    written?;
    tracing::debug!(ms = started.elapsed().as_millis(), "import: rows staged");
    Ok(Step::Preview)
}

/// What an update row is matched by: personnel number, email, username.
type MatchKeys = (Option<String>, Option<String>, Option<String>);

/// The keys of every live account and the groups and areas by name: what
/// any row is checked against (read once, while the file is still being
/// read where it can).
fn load_keys(conn: &mut DbConn) -> ServiceResult<Existing> {
    let mut existing = Existing {
        by_username: HashMap::new(),
        by_email: HashMap::new(),
        by_number: HashMap::new(),
        groups: HashMap::new(),
        areas: HashMap::new(),
        joined_groups: HashMap::new(),
        joined_areas: HashMap::new(),
        spelled_groups: HashMap::new(),
        spelled_areas: HashMap::new(),
        padded_numbers: HashMap::new(),
        people: HashMap::new(),
    };
    for (id, username, email, number) in user::live_keys(conn)? {
        existing.by_username.insert(username, id);
        if let Some(e) = email {
            existing.by_email.insert(e, id);
        }
        if let Some(n) = number {
            existing.by_number.insert(n, id);
        }
    }
    let catalog = crate::models::unit::catalog(conn)?;
    for g in &catalog.groups {
        existing.groups.insert(name_key(&g.name), g.id);
        note_spelled(&mut existing.spelled_groups, &g.name, g.name.clone());
        if g.name.contains([',', ';']) {
            existing
                .joined_groups
                .insert(joined_key(&g.name), g.name.clone());
        }
    }
    for a in &catalog.areas {
        existing.areas.insert(name_key(&a.name), a.id);
        note_spelled(&mut existing.spelled_areas, &a.name, a.name.clone());
        if a.name.contains([',', ';']) {
            existing
                .joined_areas
                .insert(joined_key(&a.name), a.name.clone());
        }
    }
    crate::db::release_cache(conn);
    Ok(existing)
}

/// Names the instance does not know as written but by their umlauts
/// ([`spelled_key`]) become the known name, shown and stored as such.
fn respell(
    names: &mut [String],
    known: &HashMap<String, UnitId>,
    spelled: &HashMap<String, Option<String>>,
) {
    for name in names.iter_mut() {
        if known.contains_key(&name_key(name)) {
            continue;
        }
        if let Some(Some(as_known)) = spelled.get(&spelled_key(name)) {
            name.clone_from(as_known);
        }
    }
}

/// A name with separators in it as the parts a cell would be split into,
/// each folded as [`name_key`], joined by a sign no name holds ("Nord, Süd"
/// and "nord;süd" are one; "A, BC" is not "AB, C").
fn joined_key(name: &str) -> String {
    crate::domain::import::split_names(name)
        .iter()
        .map(|part| name_key(part))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Most parts one name with separators in it may have been split into.
const MAX_JOINED_PARTS: usize = 8;

/// The names of a cell, split at "," and ";", put back together where
/// consecutive parts are the name of a group (or area) that holds such a
/// sign: what an export wrote as "Nord, Süd, Lager" for the groups
/// "Nord, Süd" and "Lager" is read as those two again. Where every part is
/// a name of its own as well ("Nord", "Süd"), the split reading stays.
fn rejoin(
    names: &mut Vec<String>,
    joined: &HashMap<String, String>,
    known: &HashMap<String, UnitId>,
) {
    if joined.is_empty() || names.len() < 2 {
        return;
    }
    let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
    let mut out = Vec::with_capacity(names.len());
    let mut i = 0;
    while i < names.len() {
        let longest = (i + MAX_JOINED_PARTS).min(names.len());
        let found = (i + 2..=longest).rev().find_map(|j| {
            if keys[i..j].iter().all(|k| known.contains_key(k)) {
                return None;
            }
            joined.get(&keys[i..j].join("\u{1f}")).map(|full| (j, full))
        });
        match found {
            Some((j, full)) => {
                out.push(full.clone());
                i = j;
            }
            None => {
                out.push(names[i].clone());
                i += 1;
            }
        }
    }
    *names = out;
}

/// `456` for `00456`: a number of digits with zeros in front, without
/// them; `None` for anything else.
fn without_leading_zeros(number: &str) -> Option<&str> {
    let rest = number.trim_start_matches('0');
    (rest.len() < number.len() && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        .then_some(rest)
}

/// Update mode: the people the rows match, with their groups and areas.
fn load_people(
    conn: &mut DbConn,
    existing: &mut Existing,
    keys: &[MatchKeys],
) -> ServiceResult<()> {
    {
        let mut wanted: Vec<UserId> = keys
            .iter()
            .flat_map(|(n, e, u)| {
                [
                    n.as_ref().and_then(|n| {
                        existing
                            .by_number
                            .get(n)
                            .copied()
                            .or_else(|| existing.padded_numbers.get(n).and_then(|p| p.holder))
                    }),
                    e.as_ref().and_then(|e| existing.by_email.get(e)).copied(),
                    u.as_ref()
                        .and_then(|u| existing.by_username.get(u))
                        .copied(),
                ]
            })
            .flatten()
            .collect();
        wanted.sort_unstable_by_key(|u| u.get());
        wanted.dedup();
        let (groups, areas) = user::units_of(conn, &wanted)?;
        for u in user::find_many(conn, &wanted)? {
            existing.people.insert(
                u.id,
                Person {
                    salutation: u.salutation,
                    first_name: u.first_name.clone(),
                    last_name: u.last_name.clone(),
                    username: u.username.clone(),
                    email: u.email.clone(),
                    email_confirmed: u.email_confirmed,
                    invited: u.status == crate::domain::UserStatus::Eingeladen,
                    personnel_number: u.personnel_number.clone(),
                    user_type: u.user_type,
                    role: u.role(),
                    groups: HashSet::new(),
                    areas: HashSet::new(),
                },
            );
        }
        for (u, g) in groups {
            if let Some(p) = existing.people.get_mut(&u) {
                p.groups.insert(g);
            }
        }
        for (u, a) in areas {
            if let Some(p) = existing.people.get_mut(&u) {
                p.areas.insert(a);
            }
        }
    }
    Ok(())
}

/// Rows checked, handed to the writer in chunks, then the result.
enum StageMsg {
    Rows(Vec<StagedRow>),
    Done(Staged),
}

/// Rows a chunk of the preview's writing holds.
const STAGE_CHUNK: usize = 4096;

struct Staged {
    /// Groups and areas the rows name that the instance lacks (kind, name),
    /// each once.
    missing: Vec<(&'static str, String)>,
    counts: Counts,
}

/// Decides each row's outcome against the database: taken values, unknown
/// groups and areas, the person an update matches and what changes; then
/// proposes usernames for new people.
fn evaluate(
    rows: Vec<UserRow>,
    existing: &Existing,
    mode: ImportMode,
    create_missing: bool,
    actor: &Actor,
    batch: i64,
    emit: &mut dyn FnMut(Vec<StagedRow>) -> bool,
) -> Staged {
    // Usernames the file gives are reserved before any is proposed.
    let mut used: HashSet<String> = rows.iter().filter_map(|r| r.username.clone()).collect();
    let mut next_proposal: HashMap<String, u32> = HashMap::new();
    let mut missing_seen: HashSet<(&'static str, String)> = HashSet::new();
    let mut chunk: Vec<StagedRow> = Vec::with_capacity(STAGE_CHUNK);
    let mut staged = Staged {
        missing: Vec::new(),
        counts: Counts::default(),
    };
    // Update mode: the rows that match each person.
    let mut rows_of_person: HashMap<UserId, Vec<u32>> = HashMap::new();
    if mode == ImportMode::Update {
        for row in &rows {
            if let Ok(Some(t)) = match_target(row, existing) {
                rows_of_person.entry(t).or_default().push(row.line);
            }
        }
    }
    // Each row is taken apart into its staged row (and dropped) in turn.
    for mut row in rows {
        // Groups and areas by name.
        let mut units: Vec<(&'static str, String, String, Option<UnitId>)> = Vec::new();
        rejoin(&mut row.groups, &existing.joined_groups, &existing.groups);
        rejoin(&mut row.areas, &existing.joined_areas, &existing.areas);
        respell(&mut row.groups, &existing.groups, &existing.spelled_groups);
        respell(&mut row.areas, &existing.areas, &existing.spelled_areas);
        for (kind, names, known) in [
            ("group", &row.groups, &existing.groups),
            ("area", &row.areas, &existing.areas),
        ] {
            let (mut unknown, mut uncreatable) = (Vec::new(), Vec::new());
            for name in names {
                let key = name_key(name);
                match known.get(&key) {
                    Some(id) => units.push((kind, key, name.clone(), Some(*id))),
                    // A name a spreadsheet would take for a formula is not
                    // made a group or area.
                    None if create_missing => {
                        if crate::domain::text::required_line(
                            name,
                            crate::services::units::MAX_NAME_CHARS,
                        )
                        .is_ok()
                            && !crate::domain::import::formula_start(name)
                        {
                            units.push((kind, key, name.clone(), None));
                        } else {
                            uncreatable.push(name.clone());
                        }
                    }
                    None => unknown.push(name.clone()),
                }
            }
            if !unknown.is_empty() {
                row.problems.push(if kind == "group" {
                    Problem::UnknownGroups(unknown)
                } else {
                    Problem::UnknownAreas(unknown)
                });
            }
            if !uncreatable.is_empty() {
                let field = if kind == "group" { "groups" } else { "areas" };
                row.problems
                    .push(Problem::UncreatableUnits(field, uncreatable));
            }
        }
        let target = if mode == ImportMode::Update {
            match match_target(&row, existing) {
                Ok(t) => t,
                Err(TwoPeople) => {
                    row.problems.push(Problem::TwoPeople);
                    None
                }
            }
        } else {
            None
        };
        // An update row that finds nobody (or two people) and names nobody
        // (a file of numbers and addresses): said as such, not as two empty
        // names, which filling in would not mend.
        if mode == ImportMode::Update
            && target.is_none()
            && !row.given.contains(&"first_name")
            && !row.given.contains(&"last_name")
        {
            row.problems.retain(|p| {
                !matches!(
                    p,
                    Problem::Invalid(
                        "first_name" | "last_name",
                        crate::domain::FieldError::Required
                    )
                )
            });
            if !row.problems.contains(&Problem::TwoPeople) {
                row.problems.push(Problem::FoundNobody);
            }
        }
        // Two rows for one person: which one is meant is the admin's call.
        if let Some(lines) = target.and_then(|t| rows_of_person.get(&t))
            && lines.len() > 1
        {
            row.problems.push(Problem::SamePerson(
                lines.iter().copied().filter(|l| *l != row.line).collect(),
            ));
        }
        let person = target.and_then(|t| existing.people.get(&t));
        let mut changes: Vec<Problem> = Vec::new();
        let mut add_units: Vec<(&'static str, String, String)> = Vec::new();
        match (target, person) {
            (Some(t), Some(p)) => {
                // "456" from a cell that lost its format is his "00456"
                // (found by his number or, where two accounts fit it, by
                // his address).
                let theirs: Option<String> = match (&row.personnel_number, &p.personnel_number) {
                    (Some(n), Some(theirs))
                        if existing.padded_numbers.contains_key(n)
                            && without_leading_zeros(theirs) == Some(n.as_str()) =>
                    {
                        Some(theirs.to_owned())
                    }
                    _ => None,
                };
                if theirs.is_some() {
                    row.personnel_number = theirs;
                }
                // Only what the file fills changes, names too: a row that
                // gives no name (an empty cell, or no name column) keeps
                // the person's, and shows it.
                for (key, name, kept) in [
                    ("first_name", &mut row.first_name, &p.first_name),
                    ("last_name", &mut row.last_name, &p.last_name),
                ] {
                    if !row.given.contains(&key) {
                        row.problems.retain(|pr| {
                            !matches!(pr, Problem::Invalid(k, crate::domain::FieldError::Required) if *k == key)
                        });
                        name.clone_from(kept);
                    }
                }
                if !actor.role.may_change_account_of(p.role) {
                    row.problems.push(Problem::AboveRole);
                }
                // Someone else who holds the value.
                let other = |map: &HashMap<String, UserId>, key: &str| {
                    map.get(key).copied().filter(|holder| *holder != t)
                };
                let given = |f: &str| row.given.contains(&f);
                if given("salutation") && row.salutation != p.salutation {
                    changes.push(Problem::Change(
                        "salutation",
                        p.salutation.map(|s| s.as_str()).unwrap_or("").into(),
                        row.salutation.map(|s| s.as_str()).unwrap_or("").into(),
                    ));
                }
                if row.first_name != p.first_name {
                    changes.push(Problem::Change(
                        "first_name",
                        p.first_name.clone(),
                        row.first_name.clone(),
                    ));
                }
                if row.last_name != p.last_name {
                    changes.push(Problem::Change(
                        "last_name",
                        p.last_name.clone(),
                        row.last_name.clone(),
                    ));
                }
                if let Some(u) = &row.username
                    && *u != p.username
                {
                    if let Some(holder) = other(&existing.by_username, u) {
                        row.problems
                            .push(Problem::Taken("username", Some(holder.get())));
                    } else {
                        changes.push(Problem::Change("username", p.username.clone(), u.clone()));
                    }
                }
                if let Some(e) = row.email.clone()
                    && p.email.as_deref() != Some(e.as_str())
                {
                    let key = address_key(&e);
                    if p.email.as_deref().map(address_key) == Some(key.clone()) {
                        // The same address in other letters' case, or its
                        // domain in its other form: the same mailbox. His
                        // spelling stays (a change would end his invitation
                        // and links for nothing).
                        row.email = p.email.clone();
                    } else if p.email_confirmed {
                        row.problems.push(Problem::EmailConfirmed);
                    } else if let Some(holder) = other(&existing.by_email, &key) {
                        row.problems
                            .push(Problem::Taken("email", Some(holder.get())));
                    } else {
                        changes.push(Problem::Change(
                            "email",
                            p.email.clone().unwrap_or_default(),
                            e,
                        ));
                        // Said in the preview: his link dies with the
                        // old address (the commit withdraws it).
                        if p.invited {
                            changes.push(Problem::InvitationWithdrawn);
                        }
                    }
                }
                if let Some(n) = &row.personnel_number
                    && p.personnel_number.as_deref() != Some(n.as_str())
                {
                    if let Some(holder) = other(&existing.by_number, n) {
                        row.problems
                            .push(Problem::Taken("personnel_number", Some(holder.get())));
                    } else if let Some(held) = existing.padded_numbers.get(n) {
                        // Someone else's number but for its zeros (his
                        // own would have been taken above).
                        row.problems
                            .push(Problem::PaddedNumberTaken(held.number.clone()));
                    } else {
                        changes.push(Problem::Change(
                            "personnel_number",
                            p.personnel_number.clone().unwrap_or_default(),
                            n.clone(),
                        ));
                    }
                }
                if given("user_type")
                    && let Some(t) = row.user_type
                    && t != p.user_type
                {
                    changes.push(Problem::Change(
                        "user_type",
                        p.user_type.as_str().into(),
                        t.as_str().into(),
                    ));
                }
                for (kind, key, name, id) in &units {
                    let member = match (kind, id) {
                        (&"group", Some(id)) => p.groups.contains(id),
                        (&"area", Some(id)) => p.areas.contains(id),
                        _ => false,
                    };
                    if !member {
                        add_units.push((kind, key.clone(), name.clone()));
                    }
                }
                for kind in ["group", "area"] {
                    let names: Vec<&str> = add_units
                        .iter()
                        .filter(|(k, _, _)| *k == kind)
                        .map(|(_, _, n)| n.as_str())
                        .collect();
                    if !names.is_empty() {
                        let field = if kind == "group" { "groups" } else { "areas" };
                        changes.push(Problem::Change(field, String::new(), join_names(&names)));
                    }
                }
            }
            // Number and address name two people: that is the reason.
            _ if row.problems.contains(&Problem::TwoPeople) => {}
            _ => {
                // A new person: nothing of his may be taken.
                if let Some(holder) = row.email_key().and_then(|e| existing.by_email.get(&e)) {
                    row.problems
                        .push(Problem::Taken("email", Some(holder.get())));
                }
                if let Some(n) = &row.personnel_number {
                    if let Some(holder) = existing.by_number.get(n) {
                        row.problems
                            .push(Problem::Taken("personnel_number", Some(holder.get())));
                    } else if let Some(held) = existing.padded_numbers.get(n) {
                        row.problems
                            .push(Problem::PaddedNumberTaken(held.number.clone()));
                    }
                }
                if let Some(holder) = row
                    .username
                    .as_ref()
                    .and_then(|u| existing.by_username.get(u))
                {
                    row.problems
                        .push(Problem::Taken("username", Some(holder.get())));
                }
            }
        }
        let outcome = if !row.problems.is_empty() {
            Outcome::Fehler
        } else if target.is_some() && changes.is_empty() {
            Outcome::Unveraendert
        } else if target.is_some() {
            Outcome::Aenderung
        } else {
            Outcome::Neu
        };
        let username = match (outcome, &row.username, person) {
            (Outcome::Neu, None, _) => {
                let base = Username::proposal_base(&row.first_name, &row.last_name);
                let mut n = next_proposal.get(&base).copied().unwrap_or(1);
                let proposal = loop {
                    let candidate = Username::proposal(&base, n);
                    n += 1;
                    if !used.contains(candidate.as_str())
                        && !existing.by_username.contains_key(candidate.as_str())
                    {
                        break candidate.as_str().to_owned();
                    }
                };
                next_proposal.insert(base, n);
                used.insert(proposal.clone());
                proposal
            }
            (_, Some(u), _) => u.clone(),
            (_, None, Some(p)) => p.username.clone(),
            (_, None, None) => String::new(),
        };
        let line = row.line as i32;
        // "Lager" and "lager " are one group: one membership.
        units.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        units.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        add_units.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        add_units.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let row_units = match outcome {
            Outcome::Neu => encode_units(units.iter().map(|(k, _, n, _)| (*k, n.as_str()))),
            Outcome::Aenderung => encode_units(add_units.iter().map(|(k, _, n)| (*k, n.as_str()))),
            _ => String::new(),
        };
        if matches!(outcome, Outcome::Neu | Outcome::Aenderung) {
            for (kind, key, name, id) in &units {
                if id.is_none() && missing_seen.insert((*kind, key.clone())) {
                    staged.missing.push((*kind, name.clone()));
                }
            }
        }
        let c = &mut staged.counts;
        c.total += 1;
        match outcome {
            Outcome::Neu => c.new += 1,
            Outcome::Aenderung => c.update += 1,
            Outcome::Unveraendert => c.unchanged += 1,
            Outcome::Fehler => c.error += 1,
        }
        let mut problems = std::mem::take(&mut row.problems);
        if outcome == Outcome::Aenderung {
            problems.extend(changes);
        }
        // The error list repeats a refused row as the file had it.
        let cells = match outcome {
            Outcome::Fehler if row.cells.is_empty() => cells_of_values(&row),
            Outcome::Fehler => std::mem::take(&mut row.cells),
            _ => String::new(),
        };
        let email = if outcome == Outcome::Fehler {
            Some(std::mem::take(&mut row.email_shown)).filter(|e| !e.is_empty())
        } else {
            row.email.take()
        };
        chunk.push(StagedRow {
            batch_id: batch,
            line,
            outcome: outcome.as_str().into(),
            problems: encode_problems(&problems),
            salutation: row.salutation,
            first_name: std::mem::take(&mut row.first_name),
            last_name: std::mem::take(&mut row.last_name),
            username,
            email_lower: email.as_deref().map(address_key),
            // A refused number is kept as given, for the error list.
            personnel_number: row
                .personnel_number
                .take()
                .or_else(|| Some(std::mem::take(&mut row.number_shown)).filter(|n| !n.is_empty())),
            user_type: row.user_type.unwrap_or(UserType::Mitarbeiter),
            groups: row.groups.join("\n"),
            areas: row.areas.join("\n"),
            // Filled in below, on both cores.
            sort_name: String::new(),
            search_text: String::new(),
            email,
            target_user_id: target.filter(|_| outcome != Outcome::Fehler),
            units: row_units,
            cells,
        });
        if chunk.len() == STAGE_CHUNK && !emit(finish_chunk(&mut chunk)) {
            return staged;
        }
    }
    if !chunk.is_empty() {
        emit(finish_chunk(&mut chunk));
    }
    staged
}

/// A personnel number and an address that name two different people.
struct TwoPeople;

/// The person an update row changes: by personnel number, else address,
/// else username (someone without number and address, as the export lists
/// him); `None` for a new person.
fn match_target(row: &UserRow, existing: &Existing) -> Result<Option<UserId>, TwoPeople> {
    let by_number = row.personnel_number.as_ref().and_then(|n| {
        existing
            .by_number
            .get(n)
            .copied()
            .or_else(|| existing.padded_numbers.get(n).and_then(|p| p.holder))
    });
    let by_email = row
        .email_key()
        .and_then(|e| existing.by_email.get(&e).copied());
    Ok(match (by_number, by_email) {
        (Some(a), Some(b)) if a != b => return Err(TwoPeople),
        (Some(a), _) => Some(a),
        (None, Some(b)) => Some(b),
        (None, None) => row
            .username
            .as_ref()
            .and_then(|u| existing.by_username.get(u))
            .copied(),
    })
}

/// The chunk with each row's sort name and search text (on both cores),
/// taken out of `chunk`.
fn finish_chunk(chunk: &mut Vec<StagedRow>) -> Vec<StagedRow> {
    let mut rows = std::mem::replace(chunk, Vec::with_capacity(STAGE_CHUNK));
    on_both_cores(&mut rows, |r| {
        r.sort_name = user::sort_name(&r.first_name, &r.last_name);
        r.search_text = user::search_text(
            &r.first_name,
            &r.last_name,
            &r.username,
            r.email.as_deref(),
            r.personnel_number.as_deref(),
        );
    });
    rows
}

/// Runs `f` on every item, the two halves on two threads (a file of
/// 100,000 rows is worth it; the machine this runs on may have two cores
/// and nothing else to do during an upload).
fn on_both_cores<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync) {
    if items.len() < 2_000 {
        items.iter_mut().for_each(&f);
        return;
    }
    let (a, b) = items.split_at_mut(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| a.iter_mut().for_each(&f));
        b.iter_mut().for_each(&f);
        if let Err(panic) = other.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// `f` of every item, in order, the two halves on two threads; each item is
/// dropped as soon as `f` has it.
fn map_on_both_cores<T: Send, U: Send>(mut items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    if items.len() < 2_000 {
        return items.into_iter().map(&f).collect();
    }
    let second = items.split_off(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| items.into_iter().map(&f).collect::<Vec<U>>());
        let second: Vec<U> = second.into_iter().map(&f).collect();
        let mut first = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        first.extend(second);
        first
    })
}

// ---------------------------------------------------------------- reading

pub fn preview_row(r: StagedRow) -> PreviewRow {
    PreviewRow {
        line: u32::try_from(r.line).unwrap_or(0),
        outcome: Outcome::parse(&r.outcome).unwrap_or(Outcome::Fehler),
        salutation: r.salutation,
        first_name: r.first_name,
        last_name: r.last_name,
        username: r.username,
        email: r.email.unwrap_or_default(),
        personnel_number: r.personnel_number.unwrap_or_default(),
        user_type: r.user_type,
        groups: r.groups.lines().map(str::to_owned).collect(),
        areas: r.areas.lines().map(str::to_owned).collect(),
        problems: decode_problems(&r.problems),
    }
}

pub async fn preview(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    outcome: Option<Outcome>,
    after_line: u32,
) -> ServiceResult<Preview> {
    require_user_management(actor)?;
    let after = i32::try_from(after_line).unwrap_or(i32::MAX);
    let (batch, rows, before, to_create, zeros_hint) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let batch = model::find_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
            let filter = outcome.map(Outcome::as_str);
            let rows = model::rows_page(conn, id, filter, after, PREVIEW_PAGE + 1)?;
            let before = model::rows_before(conn, id, filter, after)?;
            let zeros_hint = batch.state == "vorschau"
                && format_loses_zeros(&batch.format)
                && model::has_plain_numbers(conn, id)?;
            let to_create: Vec<(String, String)> =
                if batch.create_missing_units && batch.state == "vorschau" {
                    decode_units(&batch.missing_units)
                        .map(|(k, n)| (k.to_owned(), n.to_owned()))
                        .collect()
                } else {
                    Vec::new()
                };
            Ok((batch, rows, before, to_create, zeros_hint))
        })
        .await?;
    let more = rows.len() as i64 > PREVIEW_PAGE;
    let rows: Vec<PreviewRow> = rows
        .into_iter()
        .take(PREVIEW_PAGE as usize)
        .map(preview_row)
        .collect();
    let next_after = more.then(|| rows.last().map(|r| r.line)).flatten();
    // Who holds an address, number or username a row wants: named on the
    // page (the accounts as they are now; one gone since is not named).
    let holder_ids: Vec<UserId> = rows
        .iter()
        .flat_map(|r| &r.problems)
        .filter_map(|p| match p {
            Problem::Taken(_, Some(holder)) => Some(UserId::new(*holder)),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let holders = if holder_ids.is_empty() {
        Vec::new()
    } else {
        ctx.db()
            .run(move |conn| -> ServiceResult<_> {
                Ok(user::live_summaries_of(conn, &holder_ids)?)
            })
            .await?
    };
    let header = batch.header_line.and_then(|l| u32::try_from(l).ok());
    let mapping = Mapping::decode(&USERS, header, &batch.mapping);
    let (mapped, ignored) = if batch.state == "vorschau" {
        // The title row is among the head rows the header was found in; a
        // mapping that names a later one reads all rows.
        let heads = heads_of(ctx, id).await?;
        let mut titles =
            crate::domain::import::titles(&heads.sheets[heads.chosen].head, mapping.header_line);
        if titles.is_empty() && mapping.header_line.is_some() {
            let book = workbook_of(ctx, id).await?;
            titles = crate::domain::import::titles(&book.rows, mapping.header_line);
        }
        let width = titles.len().max(mapping.columns.len());
        let mut mapped = Vec::new();
        let mut ignored = Vec::new();
        for c in 0..width {
            let title = titles.get(c).cloned().unwrap_or_default();
            match mapping.columns.get(c).copied().flatten() {
                Some(f) => mapped.push((column_label(c, &title), f)),
                None if !title.trim().is_empty() => ignored.push(column_label(c, &title)),
                None => {}
            }
        }
        (mapped, ignored)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Preview {
        batch: batch_view(&batch),
        rows,
        outcome,
        first: before + 1,
        next_after,
        mapped,
        ignored,
        to_create,
        zeros_hint,
        hidden: HiddenLines::decode(&batch.hidden_lines),
        skip_hidden: batch.skip_hidden,
        holders,
    })
}

/// Whether a file of this format (as stored on a batch) gives numbers
/// without their format: .xls and .xlsb keep no "00000", so `00123`
/// arrives as `123`.
pub fn format_loses_zeros(format: &str) -> bool {
    matches!(
        crate::spreadsheet::Format::parse(format),
        Some(crate::spreadsheet::Format::Xls | crate::spreadsheet::Format::Xlsb)
    )
}

/// "C: Abteilung" — a column by letter and title.
pub fn column_label(column: usize, title: &str) -> String {
    let letter = column_letter(column);
    if title.trim().is_empty() {
        letter
    } else {
        format!("{letter}: {}", title.trim())
    }
}

/// The spreadsheet letter of a column (0 → A, 26 → AA).
pub fn column_letter(mut column: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A batch by id.
pub async fn batch(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<ImportBatch> {
    require_user_management(actor)?;
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            model::find_batch(conn, id)?
                .map(|b| batch_view(&b))
                .ok_or(ServiceError::NotFound)
        })
        .await
}

/// How many people the batch created still wait for their invitation
/// (`angelegt`): the batch page offers to invite them while there are.
pub async fn not_invited(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<i64> {
    require_user_management(actor)?;
    ctx.db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::created_not_invited(conn, id)?) })
        .await
}

/// The import history, newest first.
pub async fn history(
    ctx: &Context,
    actor: &Actor,
    before: Option<i64>,
) -> ServiceResult<(Vec<ImportBatch>, Option<i64>)> {
    require_user_management(actor)?;
    let list = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> { Ok(model::list_batches(conn, before, 51)?) })
        .await?;
    let more = list.len() > 50;
    let batches: Vec<ImportBatch> = list.iter().take(50).map(batch_view).collect();
    let next = more.then(|| batches.last().map(|b| b.id)).flatten();
    Ok((batches, next))
}

// ---------------------------------------------------------------- commit

/// How a commit went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Committed {
    /// Written now: so many people created and changed.
    Done { created: i64, updated: i64 },
    /// Written before (a second submit, another tab): nothing new.
    Earlier,
    /// The database changed since the preview (someone took an address,
    /// a group went); the preview was made again and must be looked at.
    /// The lines whose outcome or reasons differ now (the first ones), and
    /// how many there are.
    Stale { lines: Vec<u32>, count: usize },
    /// The form came from an older page: the preview was made again since
    /// (another tab, another admin). Nothing written; the current preview
    /// must be looked at.
    OlderPage,
}

/// Writes the staged rows: every new person, every change, or nothing.
pub async fn commit(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    version: i32,
) -> ServiceResult<Committed> {
    require_user_management(actor)?;
    let (actor_in, now) = (actor.clone(), ctx.now());
    let result = ctx
        .db()
        .run(move |conn| {
            // A preview found stale midway (an update row after others were
            // written) rolls the whole transaction back: the error carries
            // it out of `write_tx`, the flag says it was that.
            let mut stale = false;
            let done = bulk_write_tx(conn, |conn| {
                match commit_in_tx(conn, &actor_in, id, version, now)? {
                    Some(done) => Ok(Some(done)),
                    None => {
                        stale = true;
                        Err(ServiceError::NotFound)
                    }
                }
            });
            crate::db::release_cache(conn);
            match done {
                Err(ServiceError::NotFound) if stale => Ok(None),
                other => other,
            }
        })
        .await;
    ctx.checkpoint_soon();
    match result {
        Ok(Some(done @ Committed::Done { .. })) => {
            // Groups and areas it made are in the pickers at once (else
            // with the next refresh: the import itself is done).
            if let Err(e) = crate::services::units::reload_catalog(ctx).await {
                tracing::warn!(error = %e, "import commit: catalogue not refreshed");
            }
            Ok(done)
        }
        Ok(Some(other)) => Ok(other),
        // Stale, a unique key someone took between our check and our
        // insert, or a group or area deleted meanwhile: nothing was written;
        // the preview is made again.
        Ok(None) | Err(ServiceError::Conflict(_) | ServiceError::Changed) => {
            let outcomes =
                move |conn: &mut DbConn| -> ServiceResult<_> { Ok(model::outcomes(conn, id)?) };
            let before = ctx.db().run(outcomes).await?;
            restage(ctx, actor, id).await?;
            let after = ctx.db().run(outcomes).await?;
            Ok(stale_lines(&before, &after))
        }
        Err(e) => Err(e),
    }
}

/// Which rows a preview made again shows otherwise: the lines (the first
/// `STALE_LINES_SHOWN`) whose outcome or reasons changed, a row gone or new.
fn stale_lines(before: &[(i32, String, String)], after: &[(i32, String, String)]) -> Committed {
    let before: HashMap<i32, (&str, &str)> = before
        .iter()
        .map(|(l, o, p)| (*l, (o.as_str(), p.as_str())))
        .collect();
    let mut changed: Vec<u32> = Vec::new();
    let mut seen = HashSet::new();
    // Who holds a value a row wants is not what the admin looked at (and a
    // preview staged before holders were kept names none).
    let without_holders = |problems: &str| {
        decode_problems(problems)
            .into_iter()
            .map(|p| match p {
                Problem::Taken(f, _) => Problem::Taken(f, None),
                other => other,
            })
            .collect::<Vec<_>>()
    };
    for (line, outcome, problems) in after {
        seen.insert(*line);
        let same = before.get(line).is_some_and(|(o, p)| {
            *o == outcome.as_str()
                && (*p == problems.as_str() || without_holders(p) == without_holders(problems))
        });
        if !same {
            changed.push(*line as u32);
        }
    }
    changed.extend(
        before
            .keys()
            .filter(|l| !seen.contains(*l))
            .map(|l| *l as u32),
    );
    changed.sort_unstable();
    let count = changed.len();
    changed.truncate(STALE_LINES_SHOWN);
    Committed::Stale {
        lines: changed,
        count,
    }
}

/// How many changed lines the page after a stale commit names.
const STALE_LINES_SHOWN: usize = 20;

/// `None`: stale, nothing written.
fn commit_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    version: i32,
    now: PrimitiveDateTime,
) -> ServiceResult<Option<Committed>> {
    let batch = model::lock_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
    match BatchState::parse(&batch.state) {
        Some(BatchState::Vorschau) => {}
        // A second submit, or another admin's commit first.
        Some(BatchState::Importiert) => return Ok(Some(Committed::Earlier)),
        _ => {
            return Err(ServiceError::Refused(
                crate::domain::Refusal::ImportStageDoesNotAllow,
            ));
        }
    }
    if batch.preview_version != version {
        return Ok(Some(Committed::OlderPage));
    }
    let started = std::time::Instant::now();
    // Whom the commit may change is settled first: a refusal for the role
    // leaves the preview as it is, whatever else changed since.
    let Some(to_change) = lock_changed(conn, actor, id)? else {
        return Ok(None);
    };
    if !model::taken_since_preview(conn, id)?.is_empty() {
        return Ok(None);
    }
    tracing::debug!(ms = started.elapsed().as_millis(), "import commit: checked");
    let created_units = if batch.create_missing_units {
        // Only what the preview said it would make: a group or area deleted
        // or renamed since would come back unasked (and stay after an undo).
        let listed: HashSet<(String, String)> = decode_units(&batch.missing_units)
            .map(|(kind, name)| (kind.to_owned(), name_key(name)))
            .collect();
        if model::missing_units(conn, id)?
            .iter()
            .any(|(kind, name)| !listed.contains(&(kind.clone(), name_key(name))))
        {
            return Ok(None);
        }
        model::create_missing_units(conn, id, now)?
    } else if !model::missing_units(conn, id)?.is_empty() {
        return Ok(None);
    } else {
        Vec::new()
    };
    let updated = match apply_changes(conn, actor, id, to_change, now)? {
        Some(n) => n,
        None => return Ok(None),
    };
    let created = model::insert_new_people(conn, id, now)? as i64;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "import commit: people inserted"
    );
    model::insert_new_memberships(conn, id)?;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "import commit: memberships inserted"
    );
    model::update_batch(
        conn,
        id,
        &BatchChanges {
            state: Some(state_str(BatchState::Importiert)),
            committed_at: Some(Some(now)),
            committed_by: Some(Some(actor.label.clone())),
            created_count: Some(created as i32),
            updated_count: Some(updated as i32),
            upload: Some(None),
            grid: Some(None),
            hidden_lines: Some(String::new()),
            ..Default::default()
        },
    )?;
    let mut changes = vec![
        crate::domain::audit::Change::new("created", "", created.to_string()),
        crate::domain::audit::Change::new("updated", "", updated.to_string()),
    ];
    for (kind, name) in &created_units {
        changes.push(crate::domain::audit::Change::new(
            if kind == "group" {
                "group_created"
            } else {
                "area_created"
            },
            "",
            name,
        ));
    }
    audit::record_changes(
        conn,
        now,
        actor,
        "import.commit",
        Some(Target::new("import", id, batch.file_name.clone())),
        &changes,
    )?;
    Ok(Some(Committed::Done { created, updated }))
}

/// The rows an update commit changes people by, and those people.
struct ToChange {
    rows: Vec<StagedRow>,
    people: HashMap<UserId, user::User>,
}

/// Update mode: locks (PostgreSQL) and reads every person the batch
/// changes, once and before anything is written: the active Administrators
/// first, then the people in id order, as the other writes that lock more
/// than one person do. A form saving one of them at the same instant waits,
/// or its change is seen by the check against the preview. `None`: stale
/// (a row without its person). Someone the committing admin may not change
/// refuses the commit, whoever made the preview: it is not made again for
/// a lower role (the admin can make it again himself).
fn lock_changed(conn: &mut DbConn, actor: &Actor, batch: i64) -> ServiceResult<Option<ToChange>> {
    let rows = model::change_rows(conn, batch)?;
    if rows.is_empty() {
        return Ok(Some(ToChange {
            rows,
            people: HashMap::new(),
        }));
    }
    let mut targets: Vec<UserId> = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(target) = row.target_user_id else {
            return Ok(None);
        };
        targets.push(target);
    }
    targets.sort_unstable();
    targets.dedup();
    user::lock_active_administrators(conn)?;
    let people: HashMap<UserId, user::User> = user::lock_many(conn, &targets)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    if people
        .values()
        .any(|p| !actor.role.may_change_account_of(p.role()))
    {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::ImportAboveYourRole,
        ));
    }
    Ok(Some(ToChange { rows, people }))
}

/// Update mode: changes each matched person as the preview said, noting the
/// values before for undo. `None` when a person changed so that the preview
/// no longer holds (gone, or changed since).
fn apply_changes(
    conn: &mut DbConn,
    actor: &Actor,
    batch: i64,
    ToChange { rows, mut people }: ToChange,
    now: PrimitiveDateTime,
) -> ServiceResult<Option<i64>> {
    if rows.is_empty() {
        return Ok(Some(0));
    }
    // The groups and areas each row adds, and the units by name.
    let catalog = crate::models::unit::catalog(conn)?;
    let unit_of: HashMap<(bool, String), (UnitId, &str)> = catalog
        .groups
        .iter()
        .map(|g| ((true, name_key(&g.name)), (g.id, g.name.as_str())))
        .chain(
            catalog
                .areas
                .iter()
                .map(|a| ((false, name_key(&a.name)), (a.id, a.name.as_str()))),
        )
        .collect();
    let name_of: HashMap<(bool, UnitId), &str> = unit_of
        .iter()
        .map(|((group, _), (id, name))| ((*group, *id), *name))
        .collect();
    let mut units_of_line: HashMap<i32, Vec<(bool, String)>> = HashMap::new();
    for (line, kind, key) in model::staged_units(conn, batch)? {
        units_of_line
            .entry(line)
            .or_default()
            .push((kind == "group", key));
    }
    // Every person's values after the import, written in few statements;
    // what was changed (for the undo) and the audit entries after them.
    let mut written: Vec<user::ImportedValues> = Vec::with_capacity(rows.len());
    let mut noted: Vec<(UserId, String, Vec<model::Change>)> = Vec::with_capacity(rows.len());
    let (mut to_groups, mut to_areas) = (Vec::new(), Vec::new());
    let mut new_address: Vec<(UserId, bool)> = Vec::new();
    for row in rows {
        let Some(target) = row.target_user_id else {
            return Ok(None);
        };
        // Gone since the preview, or named by two rows (which the preview
        // refuses): the preview no longer says what would happen.
        let Some(person) = people.remove(&target) else {
            return Ok(None);
        };
        let changes: Vec<Problem> = decode_problems(&row.problems)
            .into_iter()
            .filter(Problem::is_change)
            .collect();
        // Someone changed the person since the preview (another import, a
        // form): the preview no longer says what would happen.
        if changed_since_preview(&person, &row, &changes) {
            return Ok(None);
        }
        let mut own: Vec<model::Change> = Vec::new();
        let mut note = |field: &str, old: Option<String>, new: Option<String>| {
            own.push(model::Change {
                batch_id: batch,
                user_id: target,
                field: field.to_owned(),
                old_value: old,
                new_value: new,
            });
        };
        let mut v = user::ImportedValues::of(&person);
        for change in &changes {
            let Problem::Change(field, _, _) = change else {
                continue;
            };
            let field = *field;
            match field {
                "salutation" => {
                    note(
                        field,
                        person.salutation.map(|s| s.as_str().to_owned()),
                        row.salutation.map(|s| s.as_str().to_owned()),
                    );
                    v.salutation = row.salutation;
                    v.changed.salutation = true;
                }
                "first_name" => {
                    note(field, Some(v.first_name), Some(row.first_name.clone()));
                    v.first_name = row.first_name.clone();
                    v.changed.names = true;
                }
                "last_name" => {
                    note(field, Some(v.last_name), Some(row.last_name.clone()));
                    v.last_name = row.last_name.clone();
                    v.changed.names = true;
                }
                "username" => {
                    note(field, Some(v.username), Some(row.username.clone()));
                    v.username = row.username.clone();
                    v.changed.username = true;
                }
                "email" => {
                    if person.email_confirmed {
                        return Ok(None);
                    }
                    note(field, v.email, row.email.clone());
                    v.email = row.email.clone();
                    v.email_lower = row.email_lower.clone();
                    v.changed.email = true;
                    new_address.push((
                        target,
                        person.status == crate::domain::UserStatus::Eingeladen,
                    ));
                }
                "personnel_number" => {
                    note(field, v.personnel_number, row.personnel_number.clone());
                    v.personnel_number = row.personnel_number.clone();
                    v.changed.personnel_number = true;
                }
                "user_type" => {
                    note(
                        field,
                        Some(person.user_type.as_str().to_owned()),
                        Some(row.user_type.as_str().to_owned()),
                    );
                    v.user_type = row.user_type;
                    v.changed.user_type = true;
                }
                _ => {}
            }
        }
        // Memberships the row adds (a group or area deleted since: stale).
        for (group, key) in units_of_line.remove(&row.line).unwrap_or_default() {
            let Some((unit, _)) = unit_of.get(&(group, key)) else {
                return Ok(None);
            };
            if group { &mut to_groups } else { &mut to_areas }.push((*unit, target));
        }
        // The preview said whether a new address withdraws his invitation:
        // invited or not since, it no longer says what would happen.
        let withdraws = changes.contains(&Problem::InvitationWithdrawn);
        if v.changed.email && withdraws != (person.status == crate::domain::UserStatus::Eingeladen)
        {
            return Ok(None);
        }
        // Memberships only: the person's row stays as it is.
        if v.changed.any() {
            v.derive_texts();
            written.push(v);
        }
        noted.push((target, person.label(), own));
    }
    user::write_imported(conn, &written, now)?;
    drop(written);
    // A membership someone added since the preview is no change of the
    // import's (the undo must not take it away).
    let position: HashMap<UserId, usize> = noted
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    for (group, added) in [
        (
            true,
            crate::models::unit::group::add_many(conn, &to_groups)?,
        ),
        (false, crate::models::unit::area::add_many(conn, &to_areas)?),
    ] {
        let kind = if group { "group" } else { "area" };
        for (unit, person) in added {
            let name = name_of.get(&(group, unit)).copied().unwrap_or_default();
            if let Some(i) = position.get(&person) {
                noted[*i].2.push(model::Change {
                    batch_id: batch,
                    user_id: person,
                    field: format!("{kind}:{}", unit.get()),
                    old_value: None,
                    new_value: Some(name.to_owned()),
                });
            }
        }
    }
    // The old address's links die; an invitation to it is withdrawn.
    for (person, invited) in new_address {
        crate::services::auth::end_all_sessions_and_tokens(conn, person, now)?;
        if invited {
            crate::services::invitations::revoke_user_in_tx(conn, actor, person, now)?;
        }
    }
    let mut changes: Vec<model::Change> = Vec::new();
    let mut audited = Vec::with_capacity(noted.len());
    for (person, label, mut own) in noted {
        // A group or area someone added him to after the preview was all
        // the row had to change: nothing of his changed.
        if own.is_empty() {
            continue;
        }
        let audit_changes: Vec<crate::domain::audit::Change> = own
            .iter()
            .map(|c| {
                crate::domain::audit::Change::new(
                    audit_field(&c.field),
                    c.old_value.as_deref().unwrap_or(""),
                    c.new_value.as_deref().unwrap_or(""),
                )
            })
            .collect();
        changes.append(&mut own);
        audited.push((person, label, audit_changes));
    }
    model::record_changes(conn, &changes)?;
    audit::record_each_user_changes(conn, now, actor, "user.import_update", &audited)?;
    Ok(Some(audited.len() as i64))
}

/// Whether a matched person's values differ from those his row's preview
/// was made against: a changed field's value before, and the values the
/// file gives that the preview found unchanged.
fn changed_since_preview(person: &user::User, row: &StagedRow, changes: &[Problem]) -> bool {
    // As the preview wrote a value before: empty where he has none.
    let now_value = |field: &str| field_value(person, field).map(|v| v.unwrap_or(""));
    let changed = |field: &str| {
        changes
            .iter()
            .any(|c| matches!(c, Problem::Change(f, _, _) if *f == field))
    };
    for change in changes {
        if let Problem::Change(field, old, _) = change
            && let Some(now) = now_value(field)
            && stored_text(now) != *old
        {
            return true;
        }
    }
    let same = [
        ("first_name", Some(&row.first_name)),
        ("last_name", Some(&row.last_name)),
        ("username", Some(&row.username)),
        ("email", row.email.as_ref()),
        ("personnel_number", row.personnel_number.as_ref()),
    ];
    same.into_iter().any(|(field, value)| {
        value.is_some_and(|v| !changed(field) && now_value(field) != Some(v.as_str()))
    })
}

/// A noted change as the audit log names its field (a membership by the
/// kind of unit; its name is the value).
fn audit_field(field: &str) -> &str {
    if field.starts_with("group:") {
        "groups"
    } else if field.starts_with("area:") {
        "areas"
    } else {
        field
    }
}

// ---------------------------------------------------------------- undo

pub async fn undo_plan(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<UndoPlan> {
    require_user_management(actor)?;
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let batch = model::find_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
            let kept_ids = model::created_and_in(conn, id)?;
            let above = model::created_above_role(conn, id, actor.role)?;
            let removable = model::count_created_not_in(conn, id, &above)?;
            let removable_changed = match batch.committed_at {
                Some(at) if removable > 0 => model::created_changed_since(conn, id, at)?,
                _ => 0,
            };
            let last_change = match batch.committed_at {
                Some(at) => model::last_change_since(conn, id, at)?,
                None => 0,
            };
            let mut kept = Vec::new();
            for uid in kept_ids.iter().take(200) {
                if let Some(s) = user::find_summary(conn, *uid)? {
                    kept.push(s);
                }
            }
            let (mut restorable, mut changed_since, mut above_role_changed) = (0, 0, 0);
            let kept_set: HashSet<&UserId> = kept_ids.iter().collect();
            let mut above_ids: Vec<UserId> = above
                .iter()
                .filter(|u| !kept_set.contains(u))
                .copied()
                .collect();
            let above_role_created = above_ids.len() as i64;
            let by_person = changes_by_person(conn, id)?;
            let taken = previous_taken(conn, &by_person)?;
            let ids: Vec<UserId> = by_person.keys().copied().collect();
            let mut people: HashMap<UserId, user::User> = user::find_many(conn, &ids)?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            let members = members_of(conn, &ids)?;
            for (uid, changes) in by_person {
                // Removed since (by another import's undo, or by hand).
                let Some(person) = people.remove(&uid) else {
                    continue;
                };
                if !actor.role.may_change_account_of(person.role()) {
                    above_role_changed += 1;
                    above_ids.push(uid);
                    continue;
                }
                let mut stays = false;
                for c in &changes {
                    if !still_holds(&person, &members, c) || taken.contains(&(uid, c.field.clone()))
                    {
                        stays = true;
                        break;
                    }
                }
                if stays {
                    changed_since += 1;
                } else {
                    restorable += 1;
                }
            }
            Ok(UndoPlan {
                batch: batch_view(&batch),
                removable,
                kept,
                kept_count: kept_ids.len() as i64,
                above_role_created,
                above_role_changed,
                above_role: {
                    above_ids.truncate(200);
                    user::summaries_of(conn, &above_ids)?
                },
                removable_changed,
                restorable,
                changed_since,
                last_change,
            })
        })
        .await
}

/// How an undo went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undone {
    Done {
        removed: i64,
        kept: i64,
        restored: i64,
    },
    /// Some people have taken their account: the admin must agree to undo
    /// the rest (nothing was done).
    NeedsConsent,
    /// Someone the undo would remove or put back was changed after the
    /// page the admin confirmed (nothing was done).
    ChangedSince,
}

/// Undoes a batch: removes the people it created (with their links,
/// sessions and unsent mail) and puts back what it changed. People who
/// have taken their account stay, and only with `rest` agreed; nothing is
/// done when one of its people was changed after `seen`
/// ([`UndoPlan::last_change`] of the page the admin confirmed).
pub async fn undo(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    rest: bool,
    seen: i64,
) -> ServiceResult<Undone> {
    require_user_management(actor)?;
    let (actor, clock) = (actor.clone(), ctx.clock().clone());
    let undone = ctx
        .db()
        .run(move |conn| {
            let done = bulk_write_tx(conn, |conn| {
                undo_in_tx(conn, &actor, id, rest, seen, &clock)
            });
            crate::db::release_cache(conn);
            done
        })
        .await;
    ctx.checkpoint_soon();
    let undone = undone?;
    // Groups and areas it removed leave the pickers at once (else with the
    // next refresh: the undo itself is done).
    if let Err(e) = crate::services::units::reload_catalog(ctx).await {
        tracing::warn!(error = %e, "import undo: catalogue not refreshed");
    }
    Ok(undone)
}

fn undo_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    rest: bool,
    seen: i64,
    clock: &crate::clock::Clock,
) -> ServiceResult<Undone> {
    let batch = model::lock_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
    match BatchState::parse(&batch.state) {
        Some(BatchState::Importiert) => {}
        Some(BatchState::Rueckgaengig | BatchState::TeilweiseRueckgaengig) => {
            return Err(ServiceError::Refused(
                crate::domain::Refusal::ImportUndoneAlready,
            ));
        }
        _ => {
            return Err(ServiceError::Refused(
                crate::domain::Refusal::ImportNothingToUndo,
            ));
        }
    }
    let started = std::time::Instant::now();
    let changes = changes_by_person(conn, id)?;
    let changed: Vec<UserId> = changes.keys().copied().collect();
    // The active Administrators first, as every write that locks more than
    // one person does; then the batch's people in id order.
    user::lock_active_administrators(conn)?;
    let mut ids = model::lock_created_not_in(conn, id, &changed)?;
    // Read once its people are locked: of two undos of overlapping imports,
    // the one that ran later is recorded later.
    let now = clock.now();
    // Who took his account stays, and so does whom the admin may not remove
    // (given a role above his since the import).
    let mut kept = model::created_and_in(conn, id)?;
    let above = model::created_above_role(conn, id, actor.role)?;
    ids.retain(|u| !above.contains(u));
    for u in above {
        if !kept.contains(&u) {
            kept.push(u);
        }
    }
    if !kept.is_empty() && !rest {
        return Ok(Undone::NeedsConsent);
    }
    // An edit the admin has not seen would go without his knowing (the
    // people are locked: no edit comes between this and the removal).
    if let Some(at) = batch.committed_at
        && model::last_change_since(conn, id, at)? > seen
    {
        return Ok(Undone::ChangedSince);
    }
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "import undo: people found"
    );
    let removed = model::remove_people(conn, id, &ids, now)? as i64;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "import undo: people removed"
    );
    let Restored {
        restored,
        unrestored,
        standing,
    } = restore_changes(conn, actor, changes, now)?;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "import undo: values restored"
    );
    // The groups and areas the commit made go too, where nothing uses them
    // now (someone kept, or added since, keeps his).
    let units_removed = match batch.committed_at {
        Some(made) if batch.create_missing_units => {
            let names: Vec<(String, String)> = decode_units(&batch.missing_units)
                .map(|(k, n)| (k.to_owned(), n.to_owned()))
                .collect();
            model::remove_unused_created_units(conn, &names, made)?.0
        }
        _ => Vec::new(),
    };
    // Partly: someone it made stays, or a value it wrote still stands (a
    // role above the undoing admin's, a previous value taken since).
    let state = if kept.is_empty() && standing == 0 {
        BatchState::Rueckgaengig
    } else {
        BatchState::TeilweiseRueckgaengig
    };
    model::update_batch(
        conn,
        id,
        &BatchChanges {
            state: Some(state_str(state)),
            undone_at: Some(Some(now)),
            undone_by: Some(Some(actor.label.clone())),
            removed_count: Some(removed as i32),
            kept_count: Some(kept.len() as i32),
            restored_count: Some(restored as i32),
            unrestored_count: Some(unrestored as i32),
            ..Default::default()
        },
    )?;
    audit::record_changes(
        conn,
        now,
        actor,
        "import.undo",
        Some(Target::new("import", id, batch.file_name.clone())),
        &[
            crate::domain::audit::Change::new("removed", "", removed.to_string()),
            crate::domain::audit::Change::new("kept", "", kept.len().to_string()),
            crate::domain::audit::Change::new("restored", "", restored.to_string()),
            crate::domain::audit::Change::new("unrestored", "", unrestored.to_string()),
        ]
        .into_iter()
        .chain(units_removed.iter().map(|(kind, name)| {
            let field = if kind == "group" {
                "group_created"
            } else {
                "area_created"
            };
            crate::domain::audit::Change::new(field, name, "")
        }))
        .collect::<Vec<_>>(),
    )?;
    Ok(Undone::Done {
        removed,
        kept: kept.len() as i64,
        restored,
    })
}

/// What an undo put back of an update's changes, by person.
struct Restored {
    /// Wholly set back.
    restored: i64,
    /// Left with at least one value as it is (changed since, or one of
    /// `standing`).
    unrestored: i64,
    /// Of those, people who still hold a value the import wrote: a role
    /// above the undoing admin's, or a previous value someone took since.
    standing: i64,
}

/// Puts back what an update changed, field by field, where the field still
/// holds what the import wrote (a later change by hand stays).
fn restore_changes(
    conn: &mut DbConn,
    actor: &Actor,
    by_person: std::collections::BTreeMap<UserId, Vec<model::Change>>,
    now: PrimitiveDateTime,
) -> ServiceResult<Restored> {
    let (mut restored, mut unrestored, mut standing) = (0, 0, 0);
    // Every person's values after the undo, written in few statements, and
    // the audit entries after them.
    let mut written: Vec<user::ImportedValues> = Vec::new();
    let (mut audited, mut new_address) = (Vec::new(), Vec::new());
    // The memberships it added, by group (true) or area.
    let mut leave: HashMap<(bool, UnitId), Vec<UserId>> = HashMap::new();
    // Locked (PostgreSQL) with the batch's other people before they are
    // read, so a role given or a value changed at the same instant is seen;
    // read in a few statements, not one per person.
    let ids: Vec<UserId> = by_person.keys().copied().collect();
    let mut people: HashMap<UserId, user::User> = user::lock_many(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let taken = previous_taken(conn, &by_person)?;
    let members = members_of(conn, &ids)?;
    for (uid, changes) in by_person {
        let Some(person) = people.remove(&uid) else {
            continue;
        };
        // A role above the undoing admin's (given since): his values stay
        // as the import set them, as a form would refuse to change them.
        if !actor.role.may_change_account_of(person.role()) {
            unrestored += 1;
            // Partly undone only if a value the import wrote is still his.
            if changes.iter().any(|c| still_holds(&person, &members, c)) {
                standing += 1;
            }
            continue;
        }
        let mut v = user::ImportedValues::of(&person);
        let mut address_back = false;
        let mut done: Vec<crate::domain::audit::Change> = Vec::new();
        // A value changed since the import stays (and is counted); so does
        // one whose previous value another account holds now.
        let (mut stays, mut stands) = (false, false);
        for c in &changes {
            if !still_holds(&person, &members, c) {
                stays = true;
                continue;
            }
            let back = c.old_value.clone();
            match c.field.as_str() {
                "salutation" => {
                    v.salutation = back.as_deref().and_then(|s| s.parse().ok());
                    v.changed.salutation = true;
                }
                "first_name" | "last_name" => {
                    match back.clone() {
                        Some(name) if c.field == "first_name" => v.first_name = name,
                        Some(name) => v.last_name = name,
                        None => continue,
                    }
                    v.changed.names = true;
                }
                "username" | "email" | "personnel_number"
                    if taken.contains(&(uid, c.field.clone())) =>
                {
                    stays = true;
                    stands = true;
                    continue;
                }
                "username" => match back {
                    Some(name) => {
                        v.username = name;
                        v.changed.username = true;
                    }
                    None => {
                        stays = true;
                        stands = true;
                        continue;
                    }
                },
                "email" => {
                    v.email_lower = back.as_deref().map(address_key);
                    v.email = back;
                    v.changed.email = true;
                    address_back = true;
                }
                "personnel_number" => {
                    v.personnel_number = back;
                    v.changed.personnel_number = true;
                }
                "user_type" => match back.as_deref().and_then(|t| t.parse::<UserType>().ok()) {
                    Some(t) => {
                        v.user_type = t;
                        v.changed.user_type = true;
                    }
                    None => continue,
                },
                field => {
                    let unit = |prefix: &str| {
                        field
                            .strip_prefix(prefix)
                            .and_then(|id| id.parse::<i64>().ok())
                            .map(UnitId::new)
                    };
                    if let Some(g) = unit("group:") {
                        leave.entry((true, g)).or_default().push(uid);
                    } else if let Some(a) = unit("area:") {
                        leave.entry((false, a)).or_default().push(uid);
                    } else {
                        continue;
                    }
                }
            }
            done.push(crate::domain::audit::Change::new(
                audit_field(&c.field),
                c.new_value.as_deref().unwrap_or(""),
                c.old_value.as_deref().unwrap_or(""),
            ));
        }
        if stays {
            unrestored += 1;
        }
        if stands {
            standing += 1;
        }
        if done.is_empty() {
            continue;
        }
        if address_back {
            new_address.push(uid);
        }
        if v.changed.any() {
            v.derive_texts();
            written.push(v);
        }
        audited.push((uid, person.label(), done));
        // Counted once: wholly set back, or (above) left partly.
        if !stays {
            restored += 1;
        }
    }
    user::write_imported(conn, &written, now)?;
    for ((group, unit), people) in leave {
        if group {
            crate::models::unit::group::remove_many(conn, unit, &people)?;
        } else {
            crate::models::unit::area::remove_many(conn, unit, &people)?;
        }
    }
    for person in new_address {
        crate::services::auth::end_all_sessions_and_tokens(conn, person, now)?;
    }
    audit::record_each_user_changes(conn, now, actor, "user.import_restore", &audited)?;
    Ok(Restored {
        restored,
        unrestored,
        standing,
    })
}

/// The values an update replaced (usernames, addresses, personnel numbers)
/// that another account holds by now, as (person, field): they cannot go
/// back. Read in a few statements, not one per person.
fn previous_taken(
    conn: &mut DbConn,
    by_person: &std::collections::BTreeMap<UserId, Vec<model::Change>>,
) -> ServiceResult<HashSet<(UserId, String)>> {
    use user::UniqueField;
    let field_of = |name: &str| match name {
        "username" => Some(UniqueField::Username),
        "email" => Some(UniqueField::Email),
        "personnel_number" => Some(UniqueField::PersonnelNumber),
        _ => None,
    };
    // Each previous value as the unique index compares it.
    let mut wanted: HashMap<(UniqueField, String), Vec<(UserId, &str)>> = HashMap::new();
    for (uid, changes) in by_person {
        for c in changes {
            if let (Some(field), Some(old)) = (field_of(&c.field), &c.old_value) {
                let key = if field == UniqueField::Email {
                    address_key(old)
                } else {
                    old.clone()
                };
                wanted
                    .entry((field, key))
                    .or_default()
                    .push((*uid, c.field.as_str()));
            }
        }
    }
    let mut taken = HashSet::new();
    for field in [
        UniqueField::Username,
        UniqueField::Email,
        UniqueField::PersonnelNumber,
    ] {
        let values: Vec<String> = wanted
            .keys()
            .filter(|(f, _)| *f == field)
            .map(|(_, v)| v.clone())
            .collect();
        if values.is_empty() {
            continue;
        }
        for (value, holder) in user::holders_of(conn, field, &values)? {
            for (uid, name) in wanted.get(&(field, value)).into_iter().flatten() {
                if *uid != holder {
                    taken.insert((*uid, (*name).to_owned()));
                }
            }
        }
    }
    Ok(taken)
}

/// What an update import changed, by person in id order.
fn changes_by_person(
    conn: &mut DbConn,
    batch: i64,
) -> ServiceResult<std::collections::BTreeMap<UserId, Vec<model::Change>>> {
    let mut by_user = std::collections::BTreeMap::<UserId, Vec<model::Change>>::new();
    for c in model::changes_of(conn, batch)? {
        by_user.entry(c.user_id).or_default().push(c);
    }
    Ok(by_user)
}

/// The group memberships and plain area places of the people an undo
/// looks at: (person, a group?, unit).
type Members = HashSet<(UserId, bool, UnitId)>;

fn members_of(conn: &mut DbConn, ids: &[UserId]) -> ServiceResult<Members> {
    Ok(user::plain_memberships(conn, ids)?.into_iter().collect())
}

/// Whether a value an update import set is still the person's (undo puts
/// back only those; one changed since stays): a field's value, a group
/// membership, a place in an area as a plain member.
fn still_holds(person: &user::User, members: &Members, c: &model::Change) -> bool {
    // A confirmed address is its owner's now.
    if c.field == "email" && person.email_confirmed {
        return false;
    }
    // A membership left or given another role (in an area) since is the
    // admins' now.
    for (prefix, group) in [("group:", true), ("area:", false)] {
        if let Some(id) = c.field.strip_prefix(prefix) {
            return id
                .parse::<i64>()
                .is_ok_and(|id| members.contains(&(person.id, group, UnitId::new(id))));
        }
    }
    match field_value(person, &c.field) {
        Some(now) => now == c.new_value.as_deref(),
        None => true,
    }
}

/// A person's value of a field an update import sets (`Some(None)` where
/// he has none); `None` for what is no field of his (a membership).
fn field_value<'a>(person: &'a user::User, field: &str) -> Option<Option<&'a str>> {
    Some(match field {
        "salutation" => person.salutation.map(|s| s.as_str()),
        "first_name" => Some(&person.first_name),
        "last_name" => Some(&person.last_name),
        "username" => Some(&person.username),
        "email" => person.email.as_deref(),
        "personnel_number" => person.personnel_number.as_deref(),
        "user_type" => Some(person.user_type.as_str()),
        _ => return None,
    })
}

// ---------------------------------------------------------------- files

/// The template to fill in: a sheet with the columns (German or English
/// titles, text-formatted so that `00123` stays), and one that explains each
/// column with an example.
pub fn template_xlsx(lang: crate::i18n::Lang) -> Result<Vec<u8>, String> {
    use crate::i18n::Catalogue;
    use crate::spreadsheet::write::{Table, xlsx};
    let t = lang.texts();
    let de = lang == crate::i18n::Lang::De;
    let columns: [(&str, &str, &str, &str); 9] = if de {
        [
            ("Anrede", "nein", "Frau, Herr, divers oder leer", "Frau"),
            ("Vorname", "ja", "Text", "Anna"),
            ("Nachname", "ja", "Text", "Müller"),
            (
                "E-Mail",
                "nein (für Einladungen per E-Mail nötig)",
                "eine Adresse, einmalig",
                "anna.mueller@example.com",
            ),
            (
                "Personalnummer",
                "nein",
                "Text, einmalig; führende Nullen bleiben",
                "00123",
            ),
            (
                "Benutzername",
                "nein (wird sonst vorgeschlagen, z. B. anna.mueller)",
                "a–z, 0–9, . _ -",
                "anna.mueller",
            ),
            (
                "Nutzertyp",
                "nein (Standard: Mitarbeiter)",
                "Mitarbeiter, Extern oder Gast",
                "Mitarbeiter",
            ),
            (
                "Gruppen",
                "nein",
                "Namen vorhandener Gruppen, getrennt durch Komma oder Semikolon (ein Name mit Komma in Anführungszeichen: \"Nord, Süd\")",
                "Lager, Versand",
            ),
            (
                "Bereiche",
                "nein",
                "Namen vorhandener Bereiche/Standorte, getrennt durch Komma oder Semikolon (ein Name mit Komma in Anführungszeichen)",
                "Werk Nord",
            ),
        ]
    } else {
        [
            ("Salutation", "no", "Mrs, Mr, diverse or empty", "Mrs"),
            ("First name", "yes", "text", "Anna"),
            ("Last name", "yes", "text", "Miller"),
            (
                "Email",
                "no (needed for invitations by email)",
                "an address, once only",
                "anna.miller@example.com",
            ),
            (
                "Personnel number",
                "no",
                "text, once only; leading zeros stay",
                "00123",
            ),
            (
                "Username",
                "no (else proposed, e.g. anna.miller)",
                "a–z, 0–9, . _ -",
                "anna.miller",
            ),
            (
                "User type",
                "no (default: employee)",
                "Employee, External or Guest",
                "Employee",
            ),
            (
                "Groups",
                "no",
                "names of existing groups, separated by comma or semicolon (a name with a comma in double quotes: \"North, South\")",
                "Warehouse, Shipping",
            ),
            (
                "Areas",
                "no",
                "names of existing areas/sites, separated by comma or semicolon (a name with a comma in double quotes)",
                "Plant North",
            ),
        ]
    };
    let users = Table {
        name: if de { "Benutzer" } else { "Users" }.into(),
        header: columns.iter().map(|c| c.0.to_owned()).collect(),
        rows: Vec::new(),
        widths: vec![10.0, 18.0, 18.0, 30.0, 16.0, 18.0, 14.0, 24.0, 20.0],
        data_sheet: true,
        verbatim: false,
    };
    let mut rows: Vec<Vec<String>> = vec![
        vec![t.import_upload_intro.to_owned()],
        vec![t.import_mapping_intro.to_owned()],
        Vec::new(),
    ];
    rows.push(
        if de {
            ["Spalte", "Pflicht", "Erlaubt", "Beispiel"]
        } else {
            ["Column", "Required", "Allowed", "Example"]
        }
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    );
    for (title, required, allowed, example) in columns {
        rows.push(vec![
            title.into(),
            required.into(),
            allowed.into(),
            example.into(),
        ]);
    }
    let help = Table {
        name: if de { "Anleitung" } else { "Instructions" }.into(),
        header: vec![t.import_upload_title.to_owned()],
        rows,
        widths: vec![30.0, 28.0, 48.0, 28.0],
        data_sheet: false,
        verbatim: false,
    };
    xlsx(&[users, help])
}

/// The rows a preview refused, with the reason, as a workbook to fix them
/// in (and upload again).
pub async fn errors_xlsx(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    lang: crate::i18n::Lang,
) -> ServiceResult<(String, Vec<u8>)> {
    use crate::i18n::Catalogue;
    use crate::spreadsheet::write::{Table, neutralise, xlsx};
    require_user_management(actor)?;
    let (batch, rows, holders) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let batch = model::find_batch(conn, id)?.ok_or(ServiceError::NotFound)?;
            // Only a preview (or what became of it) has rows to list: a
            // discarded import's went with it.
            // An import that refused nothing has no list either (the pages
            // offer none).
            if batch.rows_error == 0
                || matches!(
                    BatchState::parse(&batch.state),
                    None | Some(BatchState::Datei | BatchState::Zuordnung | BatchState::Verworfen)
                )
            {
                return Err(ServiceError::NotFound);
            }
            let rows = model::rows_page(conn, id, Some("fehler"), 0, i64::MAX)?;
            // The accounts that hold what rows want, by name (as now).
            let wanted: std::collections::BTreeSet<i64> = rows
                .iter()
                .flat_map(|r| decode_problems(&r.problems))
                .filter_map(|p| match p {
                    Problem::Taken(_, holder) => holder,
                    _ => None,
                })
                .collect();
            let wanted: Vec<UserId> = wanted.into_iter().map(UserId::new).collect();
            let mut holders = HashMap::new();
            for chunk in wanted.chunks(5000) {
                for u in user::live_summaries_of(conn, chunk)? {
                    holders.insert(u.id.get(), u.label());
                }
            }
            Ok((batch, rows, holders))
        })
        .await?;
    // The file's mapped columns in its order, each titled as the import
    // recognises it, with the refused rows' cells as the file had them.
    let header_line = batch.header_line.and_then(|l| u32::try_from(l).ok());
    let fields: Vec<&'static str> = Mapping::decode(&USERS, header_line, &batch.mapping)
        .columns
        .into_iter()
        .flatten()
        .collect();
    let bytes = ctx
        .cpu(move || {
            let t = lang.texts();
            let header = [t.import_line, t.import_problems]
                .into_iter()
                .chain(fields.iter().map(|f| t.import_field(f)))
                .map(str::to_owned)
                .collect();
            let rows = rows
                .into_iter()
                .map(|r| {
                    let mut cells = decode_cells(&r.cells);
                    let r = preview_row(r);
                    if cells.is_empty() {
                        // Refused before the file's cells were kept.
                        cells = old_cells(&r, t);
                    }
                    let mut out = vec![
                        r.line.to_string(),
                        neutralise(
                            &r.problems
                                .iter()
                                .map(|p| {
                                    let holder = match p {
                                        Problem::Taken(_, Some(h)) => holders.get(h),
                                        _ => None,
                                    };
                                    match holder {
                                        Some(label) => format!("{} – {label}", t.import_problem(p)),
                                        None => t.import_problem(p),
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join("; "),
                        )
                        .into_owned(),
                    ];
                    out.extend(fields.iter().map(|f| cells.remove(*f).unwrap_or_default()));
                    out
                })
                .collect();
            let widths = [8.0, 60.0]
                .into_iter()
                .chain(fields.iter().map(|f| match *f {
                    "email" => 30.0,
                    "groups" => 24.0,
                    "salutation" | "user_type" => 12.0,
                    _ => 18.0,
                }))
                .collect();
            xlsx(&[Table {
                name: t.import_outcome_fehler.into(),
                header,
                rows,
                widths,
                data_sheet: true,
                verbatim: true,
            }])
        })
        .await?
        .map_err(ServiceError::Spreadsheet)?;
    let stem = batch
        .file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&batch.file_name)
        .to_owned();
    Ok((
        format!("{stem} - {}.xlsx", lang.texts().import_errors_n),
        bytes,
    ))
}

/// The cells of a row refused before they were kept (an import previewed
/// by an older version): its values as read, neutralised.
fn old_cells(r: &PreviewRow, t: &crate::i18n::Texts) -> HashMap<String, String> {
    [
        (
            "salutation",
            r.salutation
                .map(|s| t.salutation(s))
                .unwrap_or("")
                .to_owned(),
        ),
        ("first_name", r.first_name.clone()),
        ("last_name", r.last_name.clone()),
        ("email", r.email.clone()),
        ("personnel_number", r.personnel_number.clone()),
        ("username", r.username.clone()),
        ("user_type", t.user_type(r.user_type).to_owned()),
        ("groups", join_names(&r.groups)),
        ("areas", join_names(&r.areas)),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.to_owned(),
            crate::domain::import::neutralise(&v).into_owned(),
        )
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_stale_commit_names_rows_whose_reasons_changed_not_their_holders() {
        let row = |line: i32, outcome: &str, problems: &[Problem]| {
            (line, outcome.to_owned(), encode_problems(problems))
        };
        // Staged before holders were kept: "taken" alone.
        let before = vec![
            (2, "fehler".to_owned(), "taken\u{1f}email".to_owned()),
            row(3, "fehler", &[Problem::Taken("email", Some(7))]),
            row(4, "neu", &[]),
            row(5, "fehler", &[Problem::Taken("username", Some(7))]),
        ];
        let after = vec![
            row(2, "fehler", &[Problem::Taken("email", Some(7))]),
            row(3, "fehler", &[Problem::Taken("email", Some(8))]),
            row(4, "fehler", &[Problem::Taken("email", Some(8))]),
            row(5, "fehler", &[Problem::Taken("email", Some(7))]),
        ];
        assert_eq!(
            stale_lines(&before, &after),
            Committed::Stale {
                lines: vec![4, 5],
                count: 2
            }
        );
    }

    #[test]
    fn long_file_names_keep_their_ending() {
        let long = format!("C:\\Users\\hr\\{}.xlsx", "Mitarbeiterliste ".repeat(12));
        let name = clean_file_name(&long);
        assert_eq!(name.chars().count(), 120);
        assert!(name.starts_with("Mitarbeiterliste Mitarbeiter"), "{name}");
        assert!(name.ends_with("….xlsx"), "{name}");
        // No ending, or a "dot" deep inside: cut at 120 as it comes.
        let name = clean_file_name(&"a".repeat(300));
        assert_eq!(name.chars().count(), 120);
        assert!(name.ends_with('…'));
        let name = clean_file_name(&format!("v1.{}", "b".repeat(300)));
        assert_eq!(name.chars().count(), 120);
        assert!(name.starts_with("v1.bbb") && name.ends_with('…'), "{name}");
        // Short names, and names of nothing but forbidden characters.
        assert_eq!(clean_file_name("../liste.csv"), "liste.csv");
        assert_eq!(clean_file_name("\u{0}\u{202e}"), "Datei");
    }

    #[test]
    fn parts_of_a_name_with_separators_are_put_back_together() {
        let known: HashMap<String, UnitId> = ["nord, süd", "lager", "a, bc"]
            .iter()
            .enumerate()
            .map(|(i, n)| ((*n).to_owned(), UnitId::new(i as i64 + 1)))
            .collect();
        let joined: HashMap<String, String> = ["Nord, Süd", "A, BC"]
            .iter()
            .map(|n| (joined_key(n), (*n).to_owned()))
            .collect();
        let mut cell = names(&["Nord", "Süd", "Lager"]);
        rejoin(&mut cell, &joined, &known);
        assert_eq!(cell, names(&["Nord, Süd", "Lager"]));
        // Folded alike, separators as the cell has them.
        let mut cell = names(&["nord", "SÜD"]);
        rejoin(&mut cell, &joined, &known);
        assert_eq!(cell, names(&["Nord, Süd"]));
        // Other parts are not a name with separators.
        let mut cell = names(&["AB", "C"]);
        rejoin(&mut cell, &joined, &known);
        assert_eq!(cell, names(&["AB", "C"]));
        // Where each part is a group of its own too, the split reading stays.
        let mut both = known.clone();
        both.insert("nord".into(), UnitId::new(10));
        both.insert("süd".into(), UnitId::new(11));
        let mut cell = names(&["Nord", "Süd"]);
        rejoin(&mut cell, &joined, &both);
        assert_eq!(cell, names(&["Nord", "Süd"]));
    }

    #[test]
    fn a_number_without_its_zeros() {
        assert_eq!(without_leading_zeros("00456"), Some("456"));
        assert_eq!(without_leading_zeros("456"), None);
        assert_eq!(without_leading_zeros("000"), None);
        assert_eq!(without_leading_zeros("0A1"), None);
    }
}
