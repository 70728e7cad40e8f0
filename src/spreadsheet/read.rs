//! The reader child's work: the bytes of an upload to a [`Workbook`], within
//! [`Limits`]. Runs in `einlass read-spreadsheet` (see [`super::runner`]);
//! tests call it directly too.
//!
//! Values come out as the admin sees them in his spreadsheet program: text
//! as typed, whole numbers without ".0", a number formatted `00000` with its
//! leading zeros (.xlsx), dates as `24.12.1990`, formulas as their last
//! computed value. An .xlsx formula whose result the file does not hold
//! (written by a program that does not calculate, such as openpyxl) reads
//! as its formula, `=…`, which the import refuses like any value that
//! starts a formula: never as an empty cell.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader};

use super::{Format, HEAD_ROWS, Limits, MAX_CELL_BYTES, ReadError, Row, Sheet, Workbook};

/// Reads `bytes`. Without `sheet`, the first sheet whose head `recognises`
/// is chosen, else the first with anything in it.
pub fn read(
    bytes: &[u8],
    sheet: Option<&str>,
    limits: &Limits,
    recognises: &dyn Fn(&[Row]) -> bool,
) -> Result<Workbook, ReadError> {
    read_streaming(bytes, sheet, limits, recognises, None)
}

/// Where the chosen sheet's rows go while it is still being read, so that
/// the reader's caller can work on them before the file is done. Only .xlsx
/// streams (the other formats are read whole by calamine first).
pub trait RowStream {
    /// Rows complete and in order, numbered from 0 as read: they are the
    /// first rows of [`Workbook::rows`] not handed on before.
    fn rows(&mut self, rows: &[(u32, Vec<String>)]);
    /// Cells came back to a row handed on already (a file that lists its
    /// rows out of order): what was handed on is void, and every row comes
    /// with the workbook at the end.
    fn reset(&mut self);
}

/// Rows handed on at once: enough that a chunk is worth its framing, few
/// enough that the caller starts early.
pub const STREAM_CHUNK: usize = 4096;

/// Like [`read`], handing the chosen sheet's rows to `stream` as they are
/// read (never fewer than a sheet's head at once); the workbook at the end
/// still holds every row.
pub fn read_streaming<'a>(
    bytes: &[u8],
    sheet: Option<&str>,
    limits: &'a Limits,
    recognises: &dyn Fn(&[Row]) -> bool,
    stream: Option<&'a mut dyn RowStream>,
) -> Result<Workbook, ReadError> {
    let format = detect(bytes)?;
    match format {
        Format::Csv => read_csv(bytes, limits),
        Format::Xlsx => {
            let parts = check_zip(bytes, limits)?;
            read_xlsx(bytes, sheet, limits, recognises, stream, &parts)
        }
        Format::Xlsb => {
            check_zip(bytes, limits)?;
            let wb = calamine::Xlsb::new(Cursor::new(bytes)).map_err(damaged)?;
            read_ranges(wb, format, sheet, limits, recognises, &Notes::default())
        }
        Format::Ods => {
            check_zip(bytes, limits)?;
            // Before calamine, which reads every sheet when it opens the
            // file and never returns from one that is not closed.
            let notes =
                ods_notes(bytes, u64::from(limits.max_rows).saturating_mul(2)).map_err(damaged)?;
            let wb = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::OdsError::Password => ReadError::PasswordProtected,
                // A cell far out or a row repeated a million times: more
                // cells than calamine takes, and so than the import does.
                calamine::OdsError::CellLimitExceeded { .. } => {
                    ReadError::TooManyCells(limits.max_cells)
                }
                e => damaged(e),
            })?;
            read_ranges(wb, format, sheet, limits, recognises, &notes)
        }
        Format::Xls => {
            let wb = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::XlsError::Password => ReadError::PasswordProtected,
                e => damaged(e),
            })?;
            read_ranges(wb, format, sheet, limits, recognises, &Notes::default())
        }
    }
}

fn damaged(e: impl std::fmt::Display) -> ReadError {
    let mut text = e.to_string();
    text.truncate(300);
    ReadError::Damaged(text)
}

// ---------------------------------------------------------------- formats

const ZIP: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP: &[u8] = b"PK\x05\x06";
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Tells the format by the content.
pub fn detect(bytes: &[u8]) -> Result<Format, ReadError> {
    if bytes.starts_with(ZIP) || bytes.starts_with(EMPTY_ZIP) {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
        let has = |name: &str| zip.index_for_name(name).is_some();
        if has("xl/workbook.xml") {
            return Ok(Format::Xlsx);
        }
        if has("xl/workbook.bin") {
            return Ok(Format::Xlsb);
        }
        if has("content.xml") {
            return Ok(Format::Ods);
        }
        return Err(ReadError::UnknownFormat);
    }
    if bytes.starts_with(CFB) {
        // An encrypted .xlsx travels inside an OLE container too.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(ReadError::PasswordProtected);
        }
        return Ok(Format::Xls);
    }
    if decode_text(bytes).is_some() {
        return Ok(Format::Csv);
    }
    Err(ReadError::UnknownFormat)
}

/// The XML parts of a zip worth a second look.
#[derive(Default)]
struct MarkedParts {
    /// Parts that hold a formula element (for an .xlsx: its sheets with
    /// formulas).
    with_formulas: Vec<String>,
    /// Parts where something is hidden (rows hidden by hand or by a filter).
    with_hidden: Vec<String>,
}

/// Checks every part of a zip by unpacking it for real (what the directory
/// declares is not believed) before a reader sees the file, marking the XML
/// parts with formulas or hidden rows.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<MarkedParts, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if zip.len() as u64 > u64::from(limits.max_parts) {
        return Err(ReadError::TooManyParts(limits.max_parts));
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    let mut marked = MarkedParts::default();
    for i in 0..zip.len() {
        let mut part = match zip.by_index(i) {
            Ok(p) => p,
            Err(zip::result::ZipError::UnsupportedArchive(m)) if m.contains("assword") => {
                return Err(ReadError::PasswordProtected);
            }
            Err(e) => return Err(damaged(e)),
        };
        if part.encrypted() {
            return Err(ReadError::PasswordProtected);
        }
        // Every XML part: a workbook may keep its sheets anywhere its
        // relationships point.
        let part_name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let xml = part_name.to_ascii_lowercase().ends_with(".xml");
        let mut formulas = xml.then(FormulaTags::default);
        let mut hidden = xml.then(HiddenMarks::default);
        // The shared strings are all loaded before any cell is read: more
        // of them than cells a sheet may list is no table, but a file made
        // to hold the reader (millions of one-letter strings in a few KB).
        let mut strings = part_name
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml")
            .then(StringEntries::default);
        let mut size = 0u64;
        loop {
            let n = part.read(&mut buf).map_err(damaged)?;
            if n == 0 {
                break;
            }
            if let Some(tags) = formulas.as_mut() {
                tags.feed(&buf[..n]);
            }
            if let Some(marks) = hidden.as_mut() {
                marks.feed(&buf[..n]);
            }
            if let Some(entries) = strings.as_mut() {
                entries.feed(&buf[..n]);
                if entries.count > limits.max_scanned_cells {
                    return Err(ReadError::TooManyCells(limits.max_cells));
                }
            }
            size += n as u64;
            total += n as u64;
            if size > limits.max_unpacked_part {
                return Err(ReadError::UnpackedTooLarge(limits.max_unpacked_part));
            }
            if total > limits.max_unpacked_total {
                return Err(ReadError::UnpackedTooLarge(limits.max_unpacked_total));
            }
        }
        if hidden.is_some_and(|marks| marks.found) {
            marked.with_hidden.push(part_name.clone());
        }
        if formulas.is_some_and(|tags| tags.found) {
            marked.with_formulas.push(part_name);
        }
    }
    Ok(marked)
}

/// Counts the entries (`<si>`, `<si/>`, `<x:si …>`; not their end tags) of a
/// shared-strings part read in pieces. Text holds no `<`: every match is a
/// tag.
#[derive(Default)]
struct StringEntries {
    /// The last bytes seen (a tag and its prefix may straddle two pieces),
    /// and where they start in the part.
    edge: Vec<u8>,
    edge_at: u64,
    /// Bytes seen: a match whose next byte lies before this was counted.
    seen: u64,
    count: u64,
}

/// A prefix longer than this (`<verylongprefix:si>`) is not counted.
const ENTRY_EDGE: usize = 24;

impl StringEntries {
    fn feed(&mut self, piece: &[u8]) {
        let mut joined = std::mem::take(&mut self.edge);
        joined.extend_from_slice(piece);
        let base = self.edge_at;
        let seen = self.seen;
        let opening = |at: usize| -> bool {
            let next = joined.get(at + 2);
            if base + ((at + 2) as u64) < seen
                || !next.is_some_and(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
            {
                return false;
            }
            match at.checked_sub(1).map(|i| joined[i]) {
                Some(b'<') => true,
                // A prefix: back over it to its `<` (an end tag has `</`).
                Some(b':') => {
                    let mut i = at - 1;
                    while i > 0 && joined[i - 1].is_ascii_alphanumeric() {
                        i -= 1;
                    }
                    i >= 1 && i < at - 1 && joined[i - 1] == b'<'
                }
                _ => false,
            }
        };
        self.count += memchr::memmem::find_iter(&joined, b"si")
            .filter(|at| opening(*at))
            .count() as u64;
        self.seen = base + joined.len() as u64;
        let keep = joined.len().min(ENTRY_EDGE);
        self.edge_at = self.seen - keep as u64;
        self.edge = joined[joined.len() - keep..].to_vec();
    }
}

/// Looks for an attribute `hidden` that is true (`<row r="7" hidden="1">`,
/// `hidden = 'true'`) in a part read in pieces: a sheet without one is not
/// read again for its hidden rows.
#[derive(Default)]
struct HiddenMarks {
    /// The last bytes of the piece before: a mark may straddle two.
    edge: Vec<u8>,
    found: bool,
}

/// Bytes kept from one piece for the next: the name, spaces around `=`,
/// the quote and the value's first letter.
const HIDDEN_EDGE: usize = 32;

impl HiddenMarks {
    fn feed(&mut self, piece: &[u8]) {
        if self.found {
            return;
        }
        let mut joined = std::mem::take(&mut self.edge);
        joined.extend_from_slice(&piece[..piece.len().min(HIDDEN_EDGE)]);
        self.found = hidden_mark_in(&joined) || hidden_mark_in(piece);
        let tail_from = joined.len().saturating_sub(HIDDEN_EDGE);
        self.edge = if piece.len() >= HIDDEN_EDGE {
            piece[piece.len() - HIDDEN_EDGE..].to_vec()
        } else {
            joined[tail_from..].to_vec()
        };
    }
}

fn hidden_mark_in(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"hidden").any(|at| {
        let mut rest = bytes[at + 6..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace());
        if rest.next() != Some(&b'=') {
            return false;
        }
        // LibreOffice writes `hidden="false"` on every row: no allocation
        // per mark.
        let mut value = rest.skip_while(|b| b.is_ascii_whitespace());
        matches!(value.next(), Some(b'"' | b'\'')) && matches!(value.next(), Some(b'1' | b't'))
    })
}

/// Looks for a formula element (`<f>`, `<f …>`, `<f/>`, or with a prefix,
/// `<x:f>`) in a part read in pieces. Cheap enough to run over every sheet:
/// a sheet without one is never looked at again for formulas.
#[derive(Default)]
struct FormulaTags {
    /// The last bytes of the piece before: a tag may straddle two pieces.
    edge: Vec<u8>,
    found: bool,
}

impl FormulaTags {
    fn feed(&mut self, piece: &[u8]) {
        if self.found {
            return;
        }
        let mut joined = std::mem::take(&mut self.edge);
        joined.extend_from_slice(&piece[..piece.len().min(2)]);
        self.found = formula_tag_in(&joined) || formula_tag_in(piece);
        let keep = joined.len().min(2);
        self.edge = if piece.len() >= 2 {
            piece[piece.len() - 2..].to_vec()
        } else {
            joined[joined.len() - keep..].to_vec()
        };
    }
}

fn formula_tag_in(bytes: &[u8]) -> bool {
    let ends_name = |at: usize| {
        matches!(
            bytes.get(at),
            Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n')
        )
    };
    memchr::memmem::find_iter(bytes, b"<f").any(|at| ends_name(at + 2))
        || memchr::memmem::find_iter(bytes, b":f").any(|at| ends_name(at + 2))
}

// ---------------------------------------------------------------- cells

/// Gathers cells into rows within the limits. In head mode it stops quietly
/// after the first [`HEAD_ROWS`] rows and drops what is right of the limit.
///
/// Cells come row by row in every file a program writes: the rows are kept
/// in order of arrival and a cell finds its row at the end. A file whose
/// cells jump back gets an index by row number from then on (never a search
/// per cell).
struct Collector<'l> {
    limits: &'l Limits,
    head_only: bool,
    rows: Vec<(u32, Vec<String>)>,
    /// Position in `rows` by row number, once cells came out of order.
    index: Option<BTreeMap<u32, usize>>,
    cells: u64,
    text: u64,
    /// Where complete rows go while reading, and how many went.
    stream: Option<&'l mut dyn RowStream>,
    sent: usize,
}

enum Added {
    More,
    Enough,
}

impl<'l> Collector<'l> {
    fn new(limits: &'l Limits, head_only: bool) -> Self {
        Collector {
            limits,
            head_only,
            rows: Vec::new(),
            index: None,
            cells: 0,
            text: 0,
            stream: None,
            sent: 0,
        }
    }

    fn streaming_to(mut self, stream: Option<&'l mut dyn RowStream>) -> Self {
        self.stream = stream;
        self
    }

    /// Hands on the rows before a new last one: they are complete while
    /// cells come in order.
    fn send_complete(&mut self) {
        if let Some(stream) = self.stream.as_mut()
            && self.rows.len() >= HEAD_ROWS
            && self.rows.len() - self.sent >= STREAM_CHUNK
        {
            stream.rows(&self.rows[self.sent..]);
            self.sent = self.rows.len();
        }
    }

    /// Where row `row` is in `rows`, if it has cells yet.
    fn find(&mut self, row: u32) -> Option<usize> {
        if self.index.is_none() {
            match self.rows.last() {
                None => return None,
                Some((last, _)) if *last == row => return Some(self.rows.len() - 1),
                Some((last, _)) if *last < row => return None,
                // Back to an earlier row: index them all from now on. Rows
                // handed on may change now: they are void, and nothing more
                // is handed on.
                Some(_) => {
                    if let Some(stream) = self.stream.take()
                        && self.sent > 0
                    {
                        stream.reset();
                    }
                    let index = self.rows.iter().enumerate().map(|(i, (r, _))| (*r, i));
                    self.index = Some(index.collect());
                }
            }
        }
        self.index
            .as_ref()
            .and_then(|index| index.get(&row).copied())
    }

    fn add(&mut self, row: u32, column: u32, text: String) -> Result<Added, ReadError> {
        if text.trim().is_empty() {
            return Ok(Added::More);
        }
        let found = self.find(row);
        if self.head_only {
            if found.is_none() && self.rows.len() >= HEAD_ROWS {
                return Ok(Added::Enough);
            }
            if column >= self.limits.max_columns {
                return Ok(Added::More);
            }
        } else {
            if column >= self.limits.max_columns {
                return Err(ReadError::TooManyColumns(self.limits.max_columns));
            }
            if found.is_none() && self.rows.len() as u32 >= self.limits.max_rows {
                return Err(ReadError::TooManyRows(self.limits.data_rows));
            }
            self.cells += 1;
            if self.cells > self.limits.max_cells {
                return Err(ReadError::TooManyCells(self.limits.max_cells));
            }
            self.text += text.len() as u64;
            if self.text > self.limits.max_text_bytes {
                return Err(ReadError::TooMuchText(self.limits.max_text_bytes));
            }
        }
        let at = match found {
            Some(at) => at,
            None => {
                if self.index.is_none() {
                    self.send_complete();
                }
                self.rows.push((row, Vec::new()));
                let at = self.rows.len() - 1;
                if let Some(index) = self.index.as_mut() {
                    index.insert(row, at);
                }
                at
            }
        };
        let cells = &mut self.rows[at].1;
        let column = column as usize;
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = cut(text);
        Ok(Added::More)
    }

    /// The rows in order, numbered as the spreadsheet shows them (1-based).
    fn finish(mut self) -> Vec<Row> {
        if self.index.is_some() {
            self.rows.sort_unstable_by_key(|(row, _)| *row);
        }
        self.rows
            .into_iter()
            .map(|(row, cells)| Row {
                line: row.saturating_add(1),
                cells,
            })
            .collect()
    }
}

fn cut(text: String) -> String {
    cut_at(text, MAX_CELL_BYTES)
}

/// `text` within `max` bytes, a cut one ending in "…".
fn cut_at(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut at = max;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
        text.push('…');
    }
    text
}

/// A number as a spreadsheet program shows it with this format code: the
/// General format's digits, or, for a whole number whose format frames or
/// pads it the way numbering schemes do, that text (`00000` → `00123`,
/// `"P"0000` → `P0007`, `\M\A-000` → `MA-042`, `000-000` → `012-345`).
pub fn number_text(value: f64, format: Option<&str>) -> String {
    if let Some(code) = format
        && value.fract() == 0.0
        && (0.0..1e15).contains(&value)
        && let Some(shown) = framed_whole_number(value as u64, code)
    {
        return shown;
    }
    general_number(value)
}

/// What a number may be framed with and still be read as shown: letters,
/// digits, space, `-`, `/`, `_`, `#` — the characters of numbering schemes.
/// Not decimals, thousands, currency signs or percent: those make amounts,
/// read as the General format reads them. (A currency written in letters,
/// `"CHF "0`, is text like any other: shown, so read.)
fn framing_char(c: char) -> bool {
    c.is_ascii_digit() || c.is_alphabetic() || matches!(c, ' ' | '-' | '/' | '_' | '#')
}

/// Whether `shown` is the whole number `plain` (as [`general_number`]
/// writes it) framed or padded with [`framing_char`]s: `P0007` for `7`.
fn shows_whole_number(shown: &str, plain: &str) -> bool {
    let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
    shown.chars().all(framing_char) && !digits.is_empty() && strip_zeros(&digits) == plain
}

/// The text a whole number gets from a format code whose first section is
/// digit places (`0`, `#`) and text (quoted, escaped, space, `-`),
/// where the result passes [`shows_whole_number`]. `None` for every other
/// code (General, decimals, thousands, exponents, percent, dates,
/// conditions, currencies, `@`, `?`, fills) and for a code longer than a
/// numbering scheme needs.
fn framed_whole_number(value: u64, code: &str) -> Option<String> {
    enum Part {
        Text(String),
        Zero,
        Hash,
    }
    const MAX_CODE: usize = 60;
    if code.len() > MAX_CODE {
        return None;
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut sections = 1;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        let first = sections == 1;
        match c {
            '"' => {
                let quoted: String = chars.by_ref().take_while(|&q| q != '"').collect();
                if first {
                    text.push_str(&quoted);
                }
            }
            '\\' | '_' => {
                // An escaped character, or the room of one (`_)`).
                let next = chars.next()?;
                if first {
                    text.push(if c == '_' { ' ' } else { next });
                }
            }
            ';' => sections += 1,
            _ if !first => {}
            '[' => {
                // A colour or the locale (`[$-407]`) is not shown; a
                // condition, a currency or elapsed time frames no number.
                // (`[DBNum1]`, `[NatNum1]`: other numerals, not a frame.)
                let tag: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let numbered = tag
                    .strip_prefix("Color")
                    .or_else(|| tag.strip_prefix("Farbe"))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                let colour = numbered
                    || tag.chars().all(char::is_alphabetic)
                        && !tag
                            .chars()
                            .all(|t| matches!(t, 'h' | 'H' | 'm' | 'M' | 's' | 'S'));
                if !(colour || tag.starts_with("$-")) {
                    return None;
                }
            }
            '0' | '#' => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(if c == '0' { Part::Zero } else { Part::Hash });
            }
            // (A `/` between places makes a fraction: `000/000`.)
            ' ' | '-' => text.push(c),
            _ => return None,
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    // A third section is the one for zero.
    if sections >= 3 && value == 0 {
        return None;
    }
    // The digits fill the places from the right; the leftmost place takes
    // all that are left, and a `0` place with none left shows a zero.
    let plain = value.to_string();
    let digits = if value == 0 { "" } else { plain.as_str() };
    let mut places = parts.iter().filter(|p| !matches!(p, Part::Text(_))).count();
    if places == 0 {
        return None;
    }
    let mut left = digits.len();
    let mut pieces: Vec<&str> = Vec::with_capacity(parts.len());
    for part in parts.iter().rev() {
        match part {
            Part::Text(t) => pieces.push(t),
            Part::Zero | Part::Hash => {
                places -= 1;
                let from = if places == 0 {
                    0
                } else {
                    left.saturating_sub(1)
                };
                let taken = &digits[from..left];
                left = from;
                match (taken.is_empty(), part) {
                    (true, Part::Zero) => pieces.push("0"),
                    (true, _) => {}
                    (false, _) => pieces.push(taken),
                }
            }
        }
    }
    let shown: String = pieces.into_iter().rev().collect();
    // `#-#` shows 5 as `-5`: it would read as a negative number.
    (shows_whole_number(&shown, &plain) && !shown.starts_with('-')).then_some(shown)
}

/// Up to 15 significant digits, like the "General" format; a number too
/// large to hold every digit (a 20-digit number typed into a cell), or
/// very small, as the spreadsheet's formula bar shows it: `1.23456789012346E+19`,
/// `1E+300` — not as a row of digits it never had.
fn general_number(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    if value.abs() >= 1e15 || (value != 0.0 && value.abs() < 1e-9) {
        let text = format!("{value:.14e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}E{sign}{:02}", exponent.abs());
    }
    let magnitude = value.abs().log10().floor() as i32 + 1;
    let scale = 10f64.powi(15 - magnitude);
    let rounded = (value * scale).round() / scale;
    format!("{rounded}")
}

fn date_text(y: u16, m: u8, d: u8, h: u8, min: u8, s: u8) -> String {
    if (h, min, s) == (0, 0, 0) {
        format!("{d:02}.{m:02}.{y:04}")
    } else {
        format!("{d:02}.{m:02}.{y:04} {h:02}:{min:02}")
    }
}

/// An ISO date (ODS) as the German date the admin sees.
fn iso_date_text(iso: &str) -> String {
    let b = iso.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|s| s.iter().all(u8::is_ascii_digit))
            .map(|_| &iso[r])
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(y), Some(m), Some(d)) if b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') => {
            let time = iso.get(11..16).filter(|t| *t != "00:00");
            match time {
                Some(t) => format!("{d}.{m}.{y} {t}"),
                None => format!("{d}.{m}.{y}"),
            }
        }
        _ => iso.to_owned(),
    }
}

fn excel_date(dt: &calamine::ExcelDateTime) -> String {
    if dt.is_datetime() {
        let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
        if dt.as_f64() < 1.0 && y <= 1900 {
            return format!("{h:02}:{min:02}");
        }
        date_text(y, m, d, h, min, s)
    } else {
        general_number(dt.as_f64())
    }
}

fn data_ref_text(value: DataRef<'_>, format: Option<&str>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(f, format),
        DataRef::String(s) => s,
        DataRef::SharedString(s) => s.to_owned(),
        DataRef::Bool(b) => bool_text(b),
        DataRef::DateTime(dt) => excel_date(&dt),
        DataRef::DateTimeIso(s) => iso_date_text(&s),
        DataRef::DurationIso(s) => s,
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn data_text(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => general_number(*f),
        Data::String(s) => s.clone(),
        Data::Bool(b) => bool_text(*b),
        Data::DateTime(dt) => excel_date(dt),
        Data::DateTimeIso(s) => iso_date_text(s),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

fn bool_text(b: bool) -> String {
    if b { "WAHR" } else { "FALSCH" }.to_owned()
}

fn choose(
    sheets: &[Sheet],
    wanted: Option<&str>,
    recognises: &dyn Fn(&[Row]) -> bool,
) -> Result<usize, ReadError> {
    if let Some(name) = wanted {
        return sheets
            .iter()
            .position(|s| s.name == name)
            .ok_or(ReadError::NoSuchSheet);
    }
    sheets
        .iter()
        .position(|s| recognises(&s.head))
        .or_else(|| sheets.iter().position(|s| !s.head.is_empty()))
        .ok_or(ReadError::Empty)
}

/// [`ReadError::Empty`] where the workbook hides sheets: the admin is told
/// that the import reads only visible ones, and which are hidden.
fn or_only_hidden(e: ReadError, sheets: &[calamine::Sheet]) -> ReadError {
    const NAMED: usize = 5;
    let hidden: Vec<&str> = sheets
        .iter()
        .filter(|s| {
            s.typ == calamine::SheetType::WorkSheet && s.visible != calamine::SheetVisible::Visible
        })
        .map(|s| s.name.as_str())
        .collect();
    match e {
        ReadError::Empty if !hidden.is_empty() => {
            let mut names: Vec<String> = hidden
                .iter()
                .take(NAMED)
                .map(|n| cut_at((*n).to_owned(), 60))
                .collect();
            if hidden.len() > NAMED {
                names.push("…".into());
            }
            ReadError::OnlyHidden(names.join(", "))
        }
        e => e,
    }
}

fn visible_worksheets(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| {
            s.typ == calamine::SheetType::WorkSheet && s.visible == calamine::SheetVisible::Visible
        })
        .map(|s| s.name.clone())
        .collect()
}

// ---------------------------------------------------------------- xlsx

/// .xlsx and .xlsm: cells are streamed, never a range allocated from what
/// the sheet declares.
fn read_xlsx<'a>(
    bytes: &[u8],
    wanted: Option<&str>,
    limits: &'a Limits,
    recognises: &dyn Fn(&[Row]) -> bool,
    stream: Option<&'a mut dyn RowStream>,
    parts: &MarkedParts,
) -> Result<Workbook, ReadError> {
    let mut wb: calamine::Xlsx<_> =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Password => ReadError::PasswordProtected,
            e => damaged(e),
        })?;
    let names = visible_worksheets(wb.sheets_metadata());
    if names.len() > MAX_SHEETS {
        return Err(ReadError::TooManyParts(MAX_SHEETS as u32));
    }
    let mut sheets = Vec::with_capacity(names.len());
    let mut scanned = 0u64;
    let none = Uncomputed::new();
    for name in &names {
        let head = xlsx_rows(&mut wb, name, limits, true, &mut scanned, None, &none)?;
        sheets.push(Sheet {
            name: name.clone(),
            head,
        });
    }
    let chosen =
        choose(&sheets, wanted, recognises).map_err(|e| or_only_hidden(e, wb.sheets_metadata()))?;
    let uncomputed = if parts.with_formulas.is_empty() {
        none
    } else {
        uncomputed_formulas(bytes, &names[chosen], &parts.with_formulas, limits)?
    };
    let hidden = if parts.with_hidden.is_empty() {
        HiddenRanges::default()
    } else {
        xlsx_hidden_rows(bytes, &names[chosen], &parts.with_hidden).map_err(damaged)?
    };
    if !uncomputed.is_empty() {
        sheets[chosen].head = xlsx_rows(
            &mut wb,
            &names[chosen],
            limits,
            true,
            &mut scanned,
            None,
            &uncomputed,
        )?;
    }
    let rows = xlsx_rows(
        &mut wb,
        &names[chosen],
        limits,
        false,
        &mut scanned,
        stream,
        &uncomputed,
    )?;
    Ok(Workbook {
        format: Format::Xlsx,
        sheets,
        chosen,
        hidden: hidden_lines(&rows, &hidden),
        rows,
    })
}

/// Visible sheets a workbook may have (Excel's old limit; each is looked
/// at for its header).
const MAX_SHEETS: usize = 255;

/// Cells (empty ones included) a sheet's head is looked for in.
const HEAD_SCAN_CELLS: u64 = 30_000;

fn xlsx_rows<'a>(
    wb: &mut calamine::Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &'a Limits,
    head_only: bool,
    scanned: &mut u64,
    stream: Option<&'a mut dyn RowStream>,
    uncomputed: &Uncomputed,
) -> Result<Vec<Row>, ReadError> {
    let mut reader = wb.worksheet_cells_reader(name).map_err(damaged)?;
    let formats: Vec<Option<String>> = reader
        .styles()
        .iter()
        .map(|s| s.number_format.as_ref().map(|f| f.format_code.clone()))
        .collect();
    let mut collector = Collector::new(limits, head_only).streaming_to(stream);
    let mut listed = 0u64;
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(damaged)? {
        // A header is among a sheet's first rows: its head is not looked
        // for behind more cells than those rows can hold.
        listed += 1;
        if head_only && listed > HEAD_SCAN_CELLS {
            break;
        }
        // Every cell the file lists counts, empty ones too: a workbook whose
        // thousand sheets all point at one part of blank cells is not read
        // for a minute.
        *scanned += 1;
        if *scanned > limits.max_scanned_cells {
            return Err(ReadError::TooManyCells(limits.max_cells));
        }
        let (row, column) = cell.get_position();
        let format = formats.get(style).and_then(|f| f.as_deref());
        let mut text = data_ref_text(cell.get_value().clone(), format);
        if !uncomputed.is_empty()
            && text.is_empty()
            && let Some(formula) = uncomputed.get(&(row, column))
        {
            text = formula.clone();
        }
        if let Added::Enough = collector.add(row, column, text)? {
            break;
        }
    }
    Ok(collector.finish())
}

// ---------------------------------------------------------------- formulas

/// Cells (row, column; from 0) of a sheet with a formula but no result,
/// and the formula as a spreadsheet program shows it (`=…`).
type Uncomputed = HashMap<(u32, u32), String>;

/// A formula's text kept for showing: enough to tell which it is.
const MAX_FORMULA_SHOWN: usize = 60;

/// The formulas without a stored result in the sheet `name`, if its part
/// is one of `with_formulas`. A file whose sheet cannot be found this way is
/// left to calamine as it is.
fn uncomputed_formulas(
    bytes: &[u8],
    name: &str,
    with_formulas: &[String],
    limits: &Limits,
) -> Result<Uncomputed, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let Some(found) = marked_sheet_part(&mut zip, name, with_formulas) else {
        return Ok(Uncomputed::new());
    };
    let entry = zip.by_name(found).map_err(damaged)?;
    scan_uncomputed(std::io::BufReader::new(entry), limits.max_cells).map_err(damaged)
}

/// The part of the sheet `name`, if it is one of `marked`.
fn marked_sheet_part<'m, R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    marked: &'m [String],
) -> Option<&'m String> {
    let part = sheet_part(zip, name)?;
    marked
        .iter()
        .find(|p| p.trim_start_matches('/').eq_ignore_ascii_case(&part))
}

// ---------------------------------------------------------------- hidden rows

/// Rows (numbered from 1) hidden in a sheet: by hand, by a filter, or in
/// a collapsed outline.
type HiddenRanges = crate::domain::import::HiddenLines;

/// Most ranges kept over a file: beyond, the rest of its hidden rows go
/// unmentioned (a sheet hiding every other of a million rows).
const MAX_HIDDEN_RANGES: usize = 200_000;

/// Adds lines `first` to `last` to `ranges` while `kept` (the ranges of
/// the whole file) is below the bound.
fn add_hidden(ranges: &mut HiddenRanges, kept: &mut usize, first: u32, last: u32) {
    if *kept < MAX_HIDDEN_RANGES {
        let before = ranges.ranges();
        ranges.add(first, last);
        *kept += ranges.ranges() - before;
    }
}

/// The hidden rows of the sheet `name` of an .xlsx, if its part is one of
/// those where something is hidden (`<row r="7" hidden="1">`). Rows are
/// numbered as calamine numbers them: an empty `<row/>` holds no cells and
/// counts for nothing. XML this pass cannot read ends it with what it found
/// (the cells are calamine's to read or refuse).
fn xlsx_hidden_rows(bytes: &[u8], name: &str, marked: &[String]) -> Result<HiddenRanges, String> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let Some(found) = marked_sheet_part(&mut zip, name, marked) else {
        return Ok(HiddenRanges::default());
    };
    let entry = zip.by_name(found).map_err(|e| e.to_string())?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    // As calamine reads sheets.
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut ranges = HiddenRanges::default();
    let mut kept = 0;
    let mut line = 0u32;
    while let Ok(event) = xml.read_event_into(&mut buf) {
        match event {
            Event::Start(e) if e.local_name().as_ref() == "row" => {
                // A row without its number follows the one before.
                line = attribute(&e, "r")
                    .and_then(|r| r.trim().parse::<u32>().ok())
                    .unwrap_or(line.saturating_add(1));
                if attribute(&e, "hidden").is_some_and(|h| matches!(h.trim(), "1" | "true")) {
                    add_hidden(&mut ranges, &mut kept, line, line);
                }
            }
            // The rows end where the sheet's data does.
            Event::End(e) if e.local_name().as_ref() == "sheetData" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(ranges.sorted())
}

/// The lines of `rows` that are hidden.
fn hidden_lines(rows: &[Row], hidden: &HiddenRanges) -> Vec<u32> {
    rows.iter()
        .map(|r| r.line)
        .filter(|&line| hidden.contains(line))
        .collect()
}

/// The part of the sheet named `name`: `xl/workbook.xml` gives its
/// relationship, `xl/_rels/workbook.xml.rels` the part (as calamine finds
/// it; lower case, for comparing).
fn sheet_part<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut rel = None;
    {
        let part = zip.by_name("xl/workbook.xml").ok()?;
        let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e)
                    if e.local_name().as_ref() == "sheet"
                        && attribute(&e, "name").as_deref() == Some(name) =>
                {
                    rel = attribute(&e, "id");
                    break;
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let rel = rel?;
    let part = zip.by_name("xl/_rels/workbook.xml.rels").ok()?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == "Relationship"
                    && attribute(&e, "Id").as_deref() == Some(rel.as_str()) =>
            {
                let target = attribute(&e, "Target")?;
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_owned(),
                    None => format!("xl/{target}"),
                };
                return Some(path.to_ascii_lowercase());
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// An attribute's value by its local name (`r:id` is `id`).
fn attribute(e: &quick_xml::events::BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(|v| v.into_owned())
    })
}

/// A1-style reference to (row, column), from 0.
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let column = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

/// Reads a sheet's XML for cells with a formula (`<f>`, shared ones too)
/// and no result: no `<v>`, or an empty one where the cell's type cannot
/// be an empty text (openpyxl writes `<f>…</f><v/>`; Excel and LibreOffice
/// write `t="str"` and `<v></v>` for a formula whose result is "").
/// Positions count as calamine counts them. At most `max` cells.
fn scan_uncomputed(reader: impl std::io::BufRead, max: u64) -> Result<Uncomputed, String> {
    use quick_xml::events::Event;

    struct Cell {
        at: (u32, u32),
        text_type: bool,
        formula: Option<String>,
        computed: bool,
    }
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut out = Uncomputed::new();
    // Shared formulas by index: the first cell's formula and position.
    let mut shared: HashMap<String, (String, (u32, u32))> = HashMap::new();
    let (mut row, mut column) = (0u32, 0u32);
    let mut cell: Option<Cell> = None;
    // Text being read: of a formula (`Some(false)`) or a value (`Some(true)`).
    let mut reading: Option<bool> = None;
    let mut text = String::new();
    let mut formula_attrs: (Option<String>, Option<String>, Option<String>) = (None, None, None);
    let mut buf = Vec::new();
    loop {
        let event = xml.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "row" if !empty => {
                    if let Some(r) = attribute(&e, "r").and_then(|r| r.trim().parse::<u32>().ok()) {
                        row = r.saturating_sub(1);
                    }
                    column = 0;
                }
                "c" => {
                    let at = attribute(&e, "r")
                        .and_then(|r| cell_position(&r))
                        .unwrap_or((row, column));
                    column = at.1.saturating_add(1);
                    if !empty {
                        let kind = attribute(&e, "t");
                        cell = Some(Cell {
                            at,
                            text_type: matches!(kind.as_deref(), Some("str" | "inlineStr")),
                            formula: None,
                            computed: false,
                        });
                    }
                }
                "f" if cell.is_some() => {
                    formula_attrs = (
                        attribute(&e, "t"),
                        attribute(&e, "si"),
                        attribute(&e, "ref"),
                    );
                    text.clear();
                    if empty {
                        finish_formula(&mut cell, &mut shared, &mut formula_attrs, "");
                    } else {
                        reading = Some(false);
                    }
                }
                "v" if cell.is_some() => {
                    text.clear();
                    if empty {
                        if let Some(c) = cell.as_mut() {
                            c.computed |= c.text_type;
                        }
                    } else {
                        reading = Some(true);
                    }
                }
                "is" if cell.is_some() => {
                    if let Some(c) = cell.as_mut() {
                        c.computed = true;
                    }
                }
                _ => {}
            },
            Event::Text(t) if reading.is_some() => text.push_str(&t),
            Event::CData(t) if reading.is_some() => text.push_str(&t.into_inner()),
            Event::GeneralRef(r) if reading.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "f" if reading == Some(false) => {
                    reading = None;
                    let formula = std::mem::take(&mut text);
                    finish_formula(&mut cell, &mut shared, &mut formula_attrs, &formula);
                }
                "v" if reading == Some(true) => {
                    reading = None;
                    if let Some(c) = cell.as_mut() {
                        c.computed |= c.text_type || !text.is_empty();
                    }
                    text.clear();
                }
                "c" => {
                    if let Some(Cell {
                        at,
                        formula: Some(formula),
                        computed: false,
                        ..
                    }) = cell.take()
                    {
                        if out.len() as u64 >= max {
                            break;
                        }
                        out.insert(at, formula);
                    }
                }
                "row" => {
                    row = row.saturating_add(1);
                    column = 0;
                }
                "sheetData" => break,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    return Ok(out);

    /// The formula a cell shows: its own, or a shared one moved to it.
    fn finish_formula(
        cell: &mut Option<Cell>,
        shared: &mut HashMap<String, (String, (u32, u32))>,
        (kind, index, range): &mut (Option<String>, Option<String>, Option<String>),
        own: &str,
    ) {
        let Some(c) = cell.as_mut() else {
            return;
        };
        let shown = match (kind.as_deref(), index.take()) {
            // The shared formula is kept only as far as it is shown: moving
            // a long one to each of 200,000 cells took a core for a minute.
            (Some("shared"), Some(index)) if range.is_some() || !own.is_empty() => {
                let kept = cut_at(own.to_owned(), 2 * MAX_FORMULA_SHOWN);
                shared.insert(index, (kept, c.at));
                own.to_owned()
            }
            (Some("shared"), Some(index)) => match shared.get(&index) {
                Some((first, from)) => calamine::expand_shared_formula(first, *from, c.at)
                    .unwrap_or_else(|_| first.clone()),
                None => String::new(),
            },
            _ => own.to_owned(),
        };
        c.formula = Some(format!("={}", cut_at(shown, MAX_FORMULA_SHOWN)));
        *kind = None;
        *range = None;
    }
}

// ---------------------------------------------------------------- xls, ods, xlsb

/// .xls, .ods and .xlsb: calamine reads them whole (the child's memory
/// limit is the guard against a sheet that declares a huge range).
fn read_ranges<'a, R>(
    mut wb: R,
    format: Format,
    wanted: Option<&str>,
    limits: &Limits,
    recognises: &dyn Fn(&[Row]) -> bool,
    notes: &Notes,
) -> Result<Workbook, ReadError>
where
    R: Reader<Cursor<&'a [u8]>>,
    R::Error: std::fmt::Display,
{
    let names = visible_worksheets(wb.sheets_metadata());
    if names.len() > MAX_SHEETS {
        return Err(ReadError::TooManyParts(MAX_SHEETS as u32));
    }
    let mut sheets = Vec::with_capacity(names.len());
    let none = HashMap::new();
    let shown_in = |name: &str| notes.shown.get(name).unwrap_or(&none);
    for name in &names {
        let range = wb.worksheet_range(name).map_err(damaged)?;
        sheets.push(Sheet {
            name: name.clone(),
            head: range_rows(&range, limits, true, shown_in(name))?,
        });
    }
    let chosen =
        choose(&sheets, wanted, recognises).map_err(|e| or_only_hidden(e, wb.sheets_metadata()))?;
    let range = wb.worksheet_range(&names[chosen]).map_err(damaged)?;
    let rows = range_rows(&range, limits, false, shown_in(&names[chosen]))?;
    Ok(Workbook {
        format,
        sheets,
        hidden: notes
            .hidden
            .get(&names[chosen])
            .map_or_else(Vec::new, |ranges| hidden_lines(&rows, ranges)),
        chosen,
        rows,
    })
}

fn range_rows(
    range: &calamine::Range<Data>,
    limits: &Limits,
    head_only: bool,
    shown: &HashMap<(u32, u32), String>,
) -> Result<Vec<Row>, ReadError> {
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut collector = Collector::new(limits, head_only);
    for (r, c, value) in range.used_cells() {
        let row = top.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
        let column = left.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
        let mut text = data_text(value);
        // The number as shown, where it is the same number framed or
        // padded, or a truth value (LibreOffice keeps `=TRUE()` as a 1
        // shown as WAHR) — a cell that is not where the file said is left
        // as read.
        if let (Data::Float(_), Some(framed)) = (value, shown.get(&(row, column))) {
            match truth_shown(framed) {
                Some(truth) if text == if truth { "1" } else { "0" } => text = bool_text(truth),
                Some(_) => {}
                None if shows_whole_number(framed, &text) => text.clone_from(framed),
                None => {}
            }
        }
        if let Added::Enough = collector.add(row, column, text)? {
            break;
        }
    }
    Ok(collector.finish())
}

// ---------------------------------------------------------------- ods

/// Per sheet, the cells (row, column) holding a number that the file shows
/// framed or with zeros in front (`00123`, `P0007`: a number format such as
/// `00000` or `"P"0000`).
type Shown = HashMap<String, HashMap<(u32, u32), String>>;

/// What an .ods says of its sheets beyond calamine's cells: numbers as
/// shown, and the rows it hides.
#[derive(Default)]
struct Notes {
    shown: Shown,
    hidden: HashMap<String, HiddenRanges>,
}

/// Most cells one zero-padded number may stand for through repetition;
/// beyond that it is left as the plain number (a file that repeats a cell a
/// million times is not a list of people).
const MAX_SHOWN_REPEATS: u64 = 10_000;

/// Whether a number cell's shown text could be a whole number framed or
/// padded ([`shows_whole_number`]) and differs from the General format's:
/// worth a note.
fn shown_unlike_general(shown: &str) -> bool {
    shown.bytes().any(|b| b.is_ascii_digit())
        && shown.chars().all(framing_char)
        && (shown.starts_with('0') && shown.len() > 1 || !shown.bytes().all(|b| b.is_ascii_digit()))
}

/// The truth value a number cell shows as a word (LibreOffice has no truth
/// type of its own: `WAHR` is a 1 in a truth format), in German or English.
fn truth_shown(shown: &str) -> Option<bool> {
    match shown.to_uppercase().as_str() {
        "WAHR" | "TRUE" => Some(true),
        "FALSCH" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `00123` → `123`, `000` → `0`.
fn strip_zeros(digits: &str) -> &str {
    let rest = digits.trim_start_matches('0');
    if rest.is_empty() { "0" } else { rest }
}

/// calamine reads an .ods number as its value and drops what the cell
/// shows, so a personnel number formatted `00000` would lose its zeros
/// (`"P"0000` its letter). This pass over `content.xml` (already bounded by
/// [`check_zip`]) notes the shown text of every number cell that
/// [`shown_unlike_general`], at most `max_notes` of them (then no more: the zeros are a nicety, the
/// memory of the reader is not). Positions are counted as calamine counts
/// them (repeated rows and columns, covered cells); the reader uses a note
/// only where the cell it read holds that very number. The same pass notes
/// the rows each sheet hides (`table:visibility` "collapse" or "filter").
///
/// Refuses a `content.xml` that is not well-formed XML or ends inside a
/// table: calamine reads it without checking and looks for a table's end
/// for ever. An encrypted file is left to calamine to name.
fn ods_notes(bytes: &[u8], max_notes: u64) -> Result<Notes, String> {
    use quick_xml::events::Event;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(Default::default());
    };
    // Encrypted parts are no XML; calamine says "password" for them.
    if let Ok(mut manifest) = zip.by_name("META-INF/manifest.xml") {
        let mut text = String::new();
        if manifest.read_to_string(&mut text).is_ok() && text.contains("encryption-data") {
            return Ok(Default::default());
        }
    }
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(Default::default());
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<String> {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
            .map(|v| v.into_owned())
    };
    let count = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> u64 {
        attr(e, name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let mut shown = Shown::new();
    let mut hidden: HashMap<String, HiddenRanges> = HashMap::new();
    let mut hidden_ranges = 0usize;
    let mut notes = 0u64;
    let mut sheet: Option<String> = None;
    let (mut row, mut row_repeats, mut column) = (0u64, 1u64, 0u64);
    // The number cell being read: its first column, repeats, and its text
    // so far (`None` once it holds anything but a short plain text).
    let mut cell: Option<(u64, u64, Option<String>)> = None;
    // Elements open inside that cell, and from which depth on their text
    // is not the cell's (a note, a drawing anchored in the cell).
    let mut inside = 0u32;
    let mut skip_from: Option<u32> = None;
    // Tables open, nested ones (in a cell) included.
    let mut open_tables = 0u32;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("content.xml: {e}"))?;
        let empty = matches!(event, Event::Empty(_));
        match &event {
            // calamine reads a table inside a cell as rows of the sheet,
            // in place of the rows that follow: no sheet LibreOffice or
            // Excel writes has one.
            Event::Start(e) | Event::Empty(e) if e.name().0 == "table:table" && cell.is_some() => {
                return Err("a table inside a cell".into());
            }
            Event::Start(e) if e.name().0 == "table:table" => open_tables += 1,
            Event::End(e) if e.name().0 == "table:table" => {
                open_tables = open_tables.saturating_sub(1);
            }
            Event::Eof if open_tables > 0 || cell.is_some() => {
                return Err("content.xml ends inside a table".into());
            }
            _ => {}
        }
        match event {
            // Whatever stands inside a cell: only a plain paragraph keeps
            // the cell a number as shown.
            Event::Start(e) if cell.is_some() => {
                inside += 1;
                let name = e.name().0;
                if skip_from.is_some() {
                    // Inside a note or drawing: not the cell's text.
                } else if name == "office:annotation" || name.starts_with("draw:") {
                    skip_from = Some(inside);
                } else if let Some((_, _, text)) = cell.as_mut()
                    && !(name == "text:span"
                        || name == "text:p" && text.as_ref().is_some_and(String::is_empty))
                {
                    // A second paragraph, a space, a link: not one plain
                    // number as shown.
                    *text = None;
                }
            }
            Event::Empty(e) if cell.is_some() => {
                let name = e.name().0;
                if skip_from.is_none()
                    && !name.starts_with("draw:")
                    && let Some((_, _, text)) = cell.as_mut()
                {
                    *text = None;
                }
            }
            Event::End(_) if inside > 0 => {
                if skip_from == Some(inside) {
                    skip_from = None;
                }
                inside -= 1;
            }
            Event::Start(e) | Event::Empty(e) => match e.name().0 {
                "table:table" => {
                    sheet = if empty { None } else { attr(&e, "table:name") };
                    row = 0;
                }
                "table:table-row" => {
                    row_repeats = count(&e, "table:number-rows-repeated");
                    column = 0;
                    // Hidden by hand ("collapse") or by a filter.
                    if let Some(name) = &sheet
                        && matches!(
                            attr(&e, "table:visibility").as_deref(),
                            Some("collapse" | "filter")
                        )
                    {
                        let first = u32::try_from(row.saturating_add(1)).unwrap_or(u32::MAX);
                        let last =
                            u32::try_from(row.saturating_add(row_repeats)).unwrap_or(u32::MAX);
                        // One bound over all sheets of the file.
                        let ranges = hidden.entry(name.clone()).or_default();
                        add_hidden(ranges, &mut hidden_ranges, first, last);
                    }
                    if empty {
                        row = row.saturating_add(row_repeats);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let repeats = count(&e, "table:number-columns-repeated");
                    let number = attr(&e, "office:value-type").as_deref() == Some("float");
                    if !empty {
                        cell = Some((column, repeats, number.then(String::new)));
                    }
                    column = column.saturating_add(repeats);
                }
                _ => {}
            },
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) if skip_from.is_some() => {}
            Event::Text(t) => {
                if let Some((_, _, text)) = cell.as_mut()
                    && let Some(so_far) = text.as_mut()
                {
                    so_far.push_str(&t);
                    if so_far.len() > 64 {
                        *text = None;
                    }
                }
            }
            Event::GeneralRef(_) | Event::CData(_) => {
                if let Some((_, _, text)) = cell.as_mut() {
                    *text = None;
                }
            }
            Event::End(e) => match e.name().0 {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let (Some((first, repeats, Some(text))), Some(name)) = (cell.take(), &sheet)
                        && (shown_unlike_general(&text) || truth_shown(&text).is_some())
                        && repeats.saturating_mul(row_repeats) <= MAX_SHOWN_REPEATS
                        && notes.saturating_add(repeats.saturating_mul(row_repeats)) <= max_notes
                    {
                        let cells = shown.entry(name.clone()).or_default();
                        for r in row..row.saturating_add(row_repeats) {
                            for c in first..first.saturating_add(repeats) {
                                if let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) {
                                    cells.insert((r, c), text.clone());
                                    notes += 1;
                                }
                            }
                        }
                    }
                }
                "table:table-row" => row = row.saturating_add(row_repeats),
                "table:table" => sheet = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let hidden = hidden
        .into_iter()
        .map(|(name, ranges)| (name, ranges.sorted()))
        .collect();
    Ok(Notes { shown, hidden })
}

// ---------------------------------------------------------------- csv

/// The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM
/// (Excel's "Unicode text"), else Windows-1252 (Excel's CSV in a German
/// Windows). `None` for what looks like binary data.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8(rest.to_vec()).unwrap_or_else(|_| utf8_or_1252_by_line(rest, true))
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (decoded, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return None;
        }
        decoded.into_owned()
    } else if let Some(encoding) = bomless_utf16(bytes) {
        let (decoded, bad) = encoding.decode_without_bom_handling(bytes);
        if bad {
            return None;
        }
        decoded.into_owned()
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        text.to_owned()
    } else {
        // A stray NUL or control byte is the row's problem (the import
        // refuses the value and names the line); binary data fails the
        // count below.
        utf8_or_1252_by_line(bytes, false)
    };
    // Control characters other than tab and line breaks in more than 1 % of
    // the characters: binary, not text.
    let sample: Vec<char> = text.chars().take(8192).collect();
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        .count();
    // (At least three: one stray NUL in a short file is not binary.)
    if control * 100 > sample.len().max(300) {
        return None;
    }
    Some(text)
}

/// Text that is not UTF-8 throughout: Windows-1252 (Excel in a German
/// Windows), unless some of its lines are UTF-8 with letters beyond ASCII
/// (a UTF-8 file with lines pasted in from a 1252 one): then each line is
/// read in the encoding it is valid in, so that neither kind of line turns
/// into "Ã¤" or "Ð”Ð¼". After a UTF-8 byte-order mark (`marked`) every
/// line that is valid UTF-8 is taken as such.
fn utf8_or_1252_by_line(bytes: &[u8], marked: bool) -> String {
    let lines = || bytes.split_inclusive(|b| matches!(b, b'\n' | b'\r'));
    let utf8 = |line: &[u8]| -> Option<String> {
        let text = std::str::from_utf8(line).ok()?;
        (!text.is_ascii() && (marked || written(text))).then(|| text.to_owned())
    };
    if !lines().any(|l| utf8(l).is_some()) {
        return encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned();
    }
    let mut text = String::with_capacity(bytes.len());
    for line in lines() {
        match utf8(line) {
            Some(l) => text.push_str(&l),
            None => text.push_str(&encoding_rs::WINDOWS_1252.decode(line).0),
        }
    }
    text
}

/// Whether a line that is valid UTF-8 was written so. A Windows-1252 line
/// is rarely valid UTF-8, and when it is, mostly because a letter `Â`…`ß`
/// is followed by a sign or a no-break space: the pair reads as one
/// character of U+0080…U+07FF on its own between plain ones (`JOSÉ’S` as
/// `JOSɒS`, `LÖ”` as `L֔`). So the line counts as UTF-8 if every character
/// beyond ASCII is Latin (letters, their combining accents as macOS
/// writes them, signs, punctuation), or one of the
/// scripts of that range (Greek, Cyrillic, Armenian, Hebrew, Arabic)
/// beside another such (words are runs of them), or beyond U+0800
/// (Devanagari, Thai, Chinese: 1252 would need a letter and two signs;
/// `王` alone is a name). Syriac, Thaana and N'Ko never count: `Ü` and `ß`
/// before a sign read so.
fn written(line: &str) -> bool {
    let latin = |c: char| matches!(c, '\u{A0}'..='\u{24F}' | '\u{300}'..='\u{36F}' | '\u{1E00}'..='\u{1EFF}' | '\u{2000}'..='\u{20CF}' | '\u{2100}'..='\u{214F}');
    let two_bytes = |c: char| matches!(c, '\u{370}'..='\u{6FF}');
    let chars: Vec<char> = line.chars().collect();
    chars.iter().enumerate().all(|(i, &c)| {
        c.is_ascii()
            || latin(c)
            || c >= '\u{800}'
            || (two_bytes(c)
                && ((i > 0 && two_bytes(chars[i - 1]))
                    || chars.get(i + 1).is_some_and(|&n| two_bytes(n))))
    })
}

/// UTF-16 without a byte-order mark (some exports write it so): text in
/// Latin script has a zero in every second byte, always at the same side.
fn bomless_utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_at = |side: usize| {
        sample
            .iter()
            .skip(side)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zero_at(0), zero_at(1));
    // Nine in ten characters from the first 256 code points, the other
    // half of each pair nearly never zero.
    let mostly = |zeros: usize| zeros * 10 >= pairs * 9;
    let rarely = |zeros: usize| zeros * 20 <= pairs;
    if mostly(odd) && rarely(even) {
        Some(encoding_rs::UTF_16LE)
    } else if mostly(even) && rarely(odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// The separator of a CSV file: Excel's `sep=;` line, else the candidate
/// that occurs most often outside quotes in the first lines (`;` wins a tie:
/// German Excel writes it).
fn separator(text: &str) -> (u8, usize) {
    let first_line = text.lines().next().unwrap_or("");
    if let Some(sep) = first_line.trim().strip_prefix("sep=")
        && let [b] = sep.as_bytes()
    {
        return (*b, first_line.len() + 1);
    }
    // Per non-empty line (of the first 20), how often each candidate
    // stands outside quotes.
    const CANDIDATES: [u8; 3] = [b';', b',', b'\t'];
    let mut lines: Vec<[usize; 3]> = Vec::new();
    let mut line = [0usize; 3];
    let mut filled = false;
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => {
                quoted = !quoted;
                filled = true;
            }
            b'\n' if !quoted => {
                if filled {
                    lines.push(line);
                    if lines.len() >= 20 {
                        break;
                    }
                }
                line = [0; 3];
                filled = false;
            }
            _ if !quoted => {
                if let Some(k) = CANDIDATES.iter().position(|c| *c == b) {
                    line[k] += 1;
                }
                filled |= !b.is_ascii_whitespace();
            }
            _ => {}
        }
    }
    if filled && lines.len() < 20 {
        lines.push(line);
    }
    // The separator of a table stands equally often on most lines: each
    // candidate is scored by how many lines share its most common count
    // (commas inside a cell of groups vary from line to line; the
    // semicolons between the columns do not). Then by how often it stands
    // at all; then `;` before `,` before tab.
    let mut best = (b';', (0usize, 0usize));
    for (k, c) in CANDIDATES.iter().enumerate() {
        let mut tally: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        for l in &lines {
            if l[k] > 0 {
                *tally.entry(l[k]).or_default() += 1;
            }
        }
        let agreeing = tally.values().copied().max().unwrap_or(0);
        let total: usize = lines.iter().map(|l| l[k]).sum();
        if (agreeing, total) > best.1 {
            best = (*c, (agreeing, total));
        }
    }
    (best.0, 0)
}

/// The line on which a CSV value opened with a double quote starts, if the
/// quote is never closed (read as the CSV reader reads: a quote opens a
/// value only at its start; `""` inside is a quote).
fn unclosed_quote(body: &[u8], sep: u8) -> Option<u32> {
    let (mut line, mut at_start, mut i) = (1u32, true, 0usize);
    let line_break = |b: u8| b == b'\n' || b == b'\r';
    while i < body.len() {
        let b = body[i];
        if at_start && b == b'"' {
            let opened = line;
            i += 1;
            loop {
                match body.get(i) {
                    None => return Some(opened),
                    Some(b'"') if body.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => break,
                    Some(&c) => {
                        if c == b'\n' || (c == b'\r' && body.get(i + 1) != Some(&b'\n')) {
                            line = line.saturating_add(1);
                        }
                        i += 1;
                    }
                }
            }
            at_start = false;
        } else if b == sep {
            at_start = true;
        } else if line_break(b) {
            if b == b'\n' || body.get(i + 1) != Some(&b'\n') {
                line = line.saturating_add(1);
            }
            at_start = true;
        } else {
            at_start = false;
        }
        i += 1;
    }
    None
}

/// `="00123"`, how exports keep a spreadsheet program from reading a value
/// as a number (and dropping its zeros): the text itself. Any other value
/// stays as it is (a formula in a CSV is refused later, as text).
fn excel_text(value: &str) -> &str {
    value
        .strip_prefix("=\"")
        .and_then(|v| v.strip_suffix('"'))
        .filter(|inner| !inner.contains('"'))
        .unwrap_or(value)
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let text = decode_text(bytes).ok_or(ReadError::UnknownFormat)?;
    let (sep, skip) = separator(&text);
    let body = &text[skip.min(text.len())..];
    let skipped_lines = u32::from(skip > 0);
    if let Some(line) = unclosed_quote(body.as_bytes(), sep) {
        return Err(ReadError::UnclosedQuote(line.saturating_add(skipped_lines)));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut collector = Collector::new(limits, false);
    let mut record = csv::StringRecord::new();
    // The line a record starts on, counted from its byte offset (a quoted
    // value may span lines; the reader's own line count lags behind).
    let (mut counted_to, mut line) = (0usize, 1u32);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(damaged(e)),
        }
        let mut start = record
            .position()
            .map_or(counted_to, |p| {
                usize::try_from(p.byte()).unwrap_or(usize::MAX)
            })
            .clamp(counted_to, body.len());
        // After a CR the reader starts the record at the LF that follows.
        while body
            .as_bytes()
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        // A line ends with LF, CR LF, or a CR alone (old Mac files).
        let between = &body.as_bytes()[counted_to..start];
        let breaks = between
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && between.get(i + 1) != Some(&b'\n')))
            .count();
        line = line.saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
        counted_to = start;
        let line = line.saturating_add(skipped_lines);
        for (column, value) in record.iter().enumerate() {
            let column = u32::try_from(column).unwrap_or(u32::MAX);
            collector.add(line.saturating_sub(1), column, excel_text(value).to_owned())?;
        }
    }
    let rows = collector.finish();
    // Separators and spaces only: nothing to import, as an empty sheet.
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    let head = rows.iter().take(HEAD_ROWS).cloned().collect();
    Ok(Workbook {
        hidden: Vec::new(),
        format: Format::Csv,
        sheets: vec![Sheet {
            name: "CSV".into(),
            head,
        }],
        chosen: 0,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_general_format_shows_them() {
        for (value, shown) in [
            (123.0, "123"),
            (0.1 + 0.2, "0.3"),
            (1.5, "1.5"),
            (-42.0, "-42"),
            (12_345_678_901_234.0, "12345678901234"),
            (12_345_678_901_234_567_890.0, "1.23456789012346E+19"),
            (1e300, "1E+300"),
            (-2.5e20, "-2.5E+20"),
            (1e-300, "1E-300"),
            (0.0, "0"),
        ] {
            assert_eq!(general_number(value), shown, "{value}");
        }
    }

    #[test]
    fn whole_numbers_read_as_the_format_frames_them() {
        for (value, code, shown) in [
            (123.0, "00000", "00123"),
            (0.0, "00000", "00000"),
            (7.0, "\"P\"0000", "P0007"),
            (42.0, "\\M\\A-000", "MA-042"),
            (12345.0, "000-000", "012-345"),
            (1234567.0, "000-000", "1234-567"),
            (789.0, "\"PN \"#", "PN 789"),
            (55.0, "0000\" A\"", "0055 A"),
            (55.0, "[Blue]0000;[Red]-0000", "0055"),
            (55.0, "[$-407]\"Nr\"000", "Nr055"),
            (55.0, "0_)", "55 "),
            (55.0, "[Color10]0000", "0055"),
            (55.0, "\"Nr/\"000", "Nr/055"),
            (7.0, "0", "7"),
            (7.0, "0;-0;\"null\";@", "7"),
            // Amounts, dates, text, conditions and codes of another kind
            // read as the General format: the plain number.
            (1234567.0, "#,##0", "1234567"),
            (7.0, "0.00", "7"),
            (7.0, "0%", "7"),
            (7.0, "0.0E+00", "7"),
            (7.0, "@", "7"),
            (7.0, "General", "7"),
            (7.0, "[$€-407]0", "7"),
            (7.0, "[>100]\"groß\"0;0", "7"),
            (7.0, "\"Nr. \"0", "7"),
            (7.0, "?0", "7"),
            (7.0, "*x0", "7"),
            (12345.0, "000/000", "12345"),
            (12345.0, "# ?/?", "12345"),
            (7.0, "[DBNum1]0", "7"),
            (7.0, "[NatNum1]0", "7"),
            (5.0, "#-#", "5"),
            (0.0, "#", "0"),
            (0.0, "0;-0;\"null\"", "0"),
            (-7.0, "\"P\"0000", "-7"),
            (7.5, "\"P\"0000", "7.5"),
            (7.0, "\"P\"", "7"),
        ] {
            assert_eq!(number_text(value, Some(code)), shown, "{value} {code}");
        }
        // A code longer than a numbering scheme needs is not followed.
        let long = "0".repeat(100_000);
        assert_eq!(number_text(7.0, Some(&long)), "7");
        // What an .ods shows is kept where it frames the same number.
        assert!(shows_whole_number("P0007", "7"));
        assert!(shows_whole_number("012-345", "12345"));
        assert!(!shows_whole_number("1,234,567", "1234567"));
        assert!(!shows_whole_number("7 €", "7"));
        assert!(!shows_whole_number("P0008", "7"));
        assert!(shown_unlike_general("00123") && shown_unlike_general("MA-042"));
        assert!(!shown_unlike_general("123") && !shown_unlike_general("0"));
        assert!(!shown_unlike_general("1.234") && !shown_unlike_general("Anna"));
    }

    fn zip_of(parts: &[(&str, String)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    /// An .ods with this content, and a manifest as LibreOffice writes it
    /// (calamine looks there for a password first).
    fn ods_of(content: &str) -> Vec<u8> {
        zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".into()),
            (
                "META-INF/manifest.xml",
                concat!(
                    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                    r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">"#,
                    r#"<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>"#,
                    r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
                    r#"</manifest:manifest>"#
                )
                .into(),
            ),
            ("content.xml", content.into()),
        ])
    }

    const ODS_HEAD: &str = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
        r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">"#,
        r#"<office:body><office:spreadsheet><table:table table:name="A"><table:table-row>"#,
        r#"<table:table-cell office:value-type="string"><text:p>Vorname</text:p></table:table-cell>"#,
        r#"</table:table-row>"#,
    );

    #[test]
    fn an_ods_that_ends_inside_a_table_is_damaged_at_once() {
        // calamine never returns from these: the table is not closed, once
        // plainly and once behind tags that do not match.
        for tail in [
            "",
            "<x></y>",
            "<table:table-row><table:table-cell office:value-type=\"float\" office:value=\"1\"><office:annotation></table:table-cell>",
        ] {
            let bytes = ods_of(&format!("{ODS_HEAD}{tail}"));
            let started = std::time::Instant::now();
            let read = read(&bytes, None, &Limits::for_rows(100), &|_| true);
            assert!(
                matches!(read, Err(ReadError::Damaged(_))),
                "{tail}: {read:?}"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        // Closed, it is read.
        let whole = ods_of(&format!(
            "{ODS_HEAD}</table:table></office:spreadsheet></office:body></office:document-content>"
        ));
        let book = read(&whole, None, &Limits::for_rows(100), &|_| true).unwrap();
        assert_eq!(book.rows[0].cells, ["Vorname"]);
    }

    const ODS_TAIL: &str =
        "</table:table></office:spreadsheet></office:body></office:document-content>";

    #[test]
    fn an_ods_number_with_a_note_keeps_its_zeros_and_a_table_in_a_cell_is_damaged() {
        let noted = concat!(
            r#"<table:table-row><table:table-cell office:value-type="float" office:value="123">"#,
            r#"<office:annotation><text:p>Bitte prüfen 007</text:p></office:annotation>"#,
            r#"<text:p>00123</text:p></table:table-cell></table:table-row>"#,
        );
        let book = read(
            &ods_of(&format!("{ODS_HEAD}{noted}{ODS_TAIL}")),
            None,
            &Limits::for_rows(100),
            &|_| true,
        )
        .unwrap();
        assert_eq!(book.rows[1].cells, ["00123"]);
        // LibreOffice's truth values are numbers shown as words: read as the
        // words (a personnel number `1` they are not).
        let truths = concat!(
            r#"<table:table-row><table:table-cell table:formula="of:=TRUE()" office:value-type="float" office:value="1"><text:p>TRUE</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="float" office:value="0"><text:p>FALSCH</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="float" office:value="5"><text:p>WAHR</text:p></table:table-cell></table:table-row>"#,
        );
        let book = read(
            &ods_of(&format!("{ODS_HEAD}{truths}{ODS_TAIL}")),
            None,
            &Limits::for_rows(100),
            &|_| true,
        )
        .unwrap();
        assert_eq!(book.rows[1].cells, ["WAHR", "FALSCH", "5"]);
        let nested = concat!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>P1</text:p>"#,
            r#"<table:table table:name="innen"><table:table-row><table:table-cell office:value-type="string">"#,
            r#"<text:p>Evil</text:p></table:table-cell></table:table-row></table:table>"#,
            r#"</table:table-cell></table:table-row>"#,
        );
        let read_nested = read(
            &ods_of(&format!("{ODS_HEAD}{nested}{ODS_TAIL}")),
            None,
            &Limits::for_rows(100),
            &|_| true,
        );
        assert!(
            matches!(read_nested, Err(ReadError::Damaged(_))),
            "{read_nested:?}"
        );
    }

    #[test]
    fn more_than_255_sheets_are_too_many_parts() {
        let read_many = read(&blank_sheets(300), None, &Limits::for_rows(100), &|_| true);
        assert!(
            matches!(read_many, Err(ReadError::TooManyParts(255))),
            "{read_many:?}"
        );
    }

    #[test]
    fn an_ods_cell_far_out_is_too_many_cells_not_damaged() {
        let bytes = ods_of(&format!(
            "{ODS_HEAD}{}",
            concat!(
                r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>"#,
                r#"<table:table-row><table:table-cell table:number-columns-repeated="16000"/>"#,
                r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#,
                r#"</table:table></office:spreadsheet></office:body></office:document-content>"#,
            )
        ));
        let read = read(&bytes, None, &Limits::for_rows(100), &|_| true);
        assert!(matches!(read, Err(ReadError::TooManyCells(_))), "{read:?}");
    }

    /// A workbook of `count` sheets that all point at one part of 2,000
    /// blank cells.
    fn blank_sheets(count: usize) -> Vec<u8> {
        let blanks: String = (1..=2_000)
            .map(|i| format!(r#"<c r="A{i}" t="inlineStr"><is><t> </t></is></c>"#))
            .collect();
        xlsx_of(count, &format!(r#"<row r="1">{blanks}</row>"#))
    }

    /// A workbook of `count` sheets that all point at one part with these
    /// rows (`sheetData`'s content).
    fn xlsx_of(count: usize, rows: &str) -> Vec<u8> {
        xlsx_at(count, rows, "worksheets/sheet1.xml")
    }

    /// The same with the sheet's part at `target` (relative to `xl/`).
    fn xlsx_at(count: usize, rows: &str, target: &str) -> Vec<u8> {
        let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let sheets: String = (0..count)
            .map(|i| format!(r#"<sheet name="S{i}" sheetId="{}" r:id="rId1"/>"#, i + 1))
            .collect();
        zip_of(&[
            (
                "[Content_Types].xml",
                concat!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
                    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
                    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
                    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
                    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
                )
                .into(),
            ),
            (
                "_rels/.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="{target}"/></Relationships>"#
                ),
            ),
            (
                &format!("xl/{target}"),
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>{rows}</sheetData></worksheet>"#
                ),
            ),
        ])
    }

    #[test]
    fn a_formula_without_a_stored_result_reads_as_its_formula() {
        let text =
            |r: &str, t: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#);
        let rows = [
            format!(r#"<row r="1">{}{}{}{}</row>"#, text("A1", "Vorname"), text("B1", "E-Mail"), text("C1", "Nummer"), text("D1", "Leer")),
            // openpyxl: a formula and an empty value; a shared formula's
            // first cell; a formula whose result is "" (Excel, LibreOffice).
            format!(
                r#"<row r="2">{}<c r="B2"><f>LOWER(A2)&amp;"@x.de"</f><v /></c><c r="C2"><f t="shared" ref="C2:C3" si="0">ROW(A2)</f></c><c r="D2" t="str"><f>IF(1,"","x")</f><v></v></c></row>"#,
                text("A2", "Anna")
            ),
            // Calculated: the values; the shared formula's second cell
            // without one; a formula with a prefix and no value.
            format!(
                r#"<row r="3">{}<c r="B3" t="str"><f>LOWER(A3)</f><v>bernd@x.de</v></c><c r="C3"><f t="shared" si="0"/></c><c r="D3"><x:f xmlns:x="urn:x">1+1</x:f></c></row>"#,
                text("A3", "Bernd")
            ),
            format!(r#"<row r="4">{}<c r="B4"><f>2+2</f><v>4</v></c></row>"#, text("A4", "Chris")),
        ]
        .concat();
        let book = read(&xlsx_of(1, &rows), None, &Limits::for_rows(100), &|_| true).unwrap();
        let cells: Vec<Vec<&str>> = book
            .rows
            .iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            cells,
            [
                vec!["Vorname", "E-Mail", "Nummer", "Leer"],
                vec!["Anna", "=LOWER(A2)&\"@x.de\"", "=ROW(A2)"],
                vec!["Bernd", "bernd@x.de", "=ROW(A3)", "=1+1"],
                vec!["Chris", "4"],
            ]
        );
        // The head shows the same.
        assert_eq!(book.sheets[0].head[1].cells[1], "=LOWER(A2)&\"@x.de\"");
        // A sheet kept where the relationships point, not in worksheets/.
        let elsewhere = xlsx_at(1, &rows, "data/s.xml");
        let book = read(&elsewhere, None, &Limits::for_rows(100), &|_| true).unwrap();
        assert_eq!(book.rows[1].cells[1], "=LOWER(A2)&\"@x.de\"");
    }

    #[test]
    fn formula_tags_are_found_across_the_pieces_a_part_is_read_in() {
        for (text, found) in [
            ("<c><f>A1</f></c>", true),
            ("<c><f t=\"shared\" si=\"0\"/></c>", true),
            ("<c><x:f>A1</x:f></c>", true),
            ("<c><v>1</v></c><filterMode/>", false),
        ] {
            for cut in 0..text.len() {
                let mut tags = FormulaTags::default();
                let (a, b) = text.as_bytes().split_at(cut);
                for piece in a.chunks(1).chain(std::iter::once(b)) {
                    tags.feed(piece);
                }
                assert_eq!(tags.found, found, "{text} cut at {cut}");
            }
        }
        assert_eq!(cell_position("AB12"), Some((11, 27)));
        assert_eq!(cell_position("12"), None);
        assert_eq!(cell_position("A0"), None);
    }

    #[test]
    fn sheets_that_all_point_at_one_part_of_blank_cells_are_too_many_cells() {
        let limits = Limits {
            max_scanned_cells: 9_000,
            ..Limits::for_rows(100)
        };
        let read_many = read(&blank_sheets(50), None, &limits, &|_| true);
        assert!(
            matches!(read_many, Err(ReadError::TooManyCells(_))),
            "{read_many:?}"
        );
        // Three such sheets are read through (and are empty).
        let read_three = read(&blank_sheets(3), None, &limits, &|_| true);
        assert!(
            matches!(&read_three, Ok(book) if book.sheets.len() == 3 && book.rows.is_empty()),
            "{read_three:?}"
        );
    }

    /// LibreOffice's .ods of the import fixture: Bernd's number 456 is
    /// formatted `00000`, Chris's `00789` is text, Dana's 1001 a plain number.
    #[test]
    fn an_ods_number_keeps_the_zeros_it_is_shown_with() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/import/people.ods"
        ))
        .unwrap();
        let book = read(&bytes, None, &Limits::for_rows(100), &|_| true).unwrap();
        let number_of = |first: &str| {
            let row = book
                .rows
                .iter()
                .find(|r| r.cells.get(1).map(String::as_str) == Some(first))
                .unwrap_or_else(|| panic!("{first} in {:?}", book.rows));
            row.cells[4].clone()
        };
        assert_eq!(number_of("Bernd"), "00456");
        assert_eq!(number_of("Chris"), "00789");
        assert_eq!(number_of("Dana"), "1001");
        let Notes { shown, hidden } = ods_notes(&bytes, 1000).unwrap();
        assert!(hidden.is_empty(), "{hidden:?}");
        assert_eq!(
            shown.values().map(HashMap::len).sum::<usize>(),
            1,
            "{shown:?}"
        );
    }

    #[test]
    fn rows_an_xlsx_hides_are_named_by_line() {
        let text =
            |r: &str, t: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#);
        let rows = [
            format!(r#"<row r="1">{}</row>"#, text("A1", "Vorname")),
            format!(r#"<row r="2">{}</row>"#, text("A2", "Anna")),
            format!(r#"<row r="3" hidden="1">{}</row>"#, text("A3", "Bernd")),
            format!(
                r#"<row r="4" spans="1:1" hidden="true">{}</row>"#,
                text("A4", "Chris")
            ),
            // Hidden and empty: no row of the sheet.
            r#"<row r="5" hidden="1"/>"#.to_owned(),
            format!(r#"<row r="6" hidden="0">{}</row>"#, text("A6", "Dana")),
            // Without its number: the one after row 6.
            format!(r#"<row hidden="1">{}</row>"#, text("A7", "Emil")),
        ]
        .concat();
        let book = read(&xlsx_of(1, &rows), None, &Limits::for_rows(100), &|_| true).unwrap();
        assert_eq!(book.rows.len(), 6);
        assert_eq!(book.hidden, vec![3, 4, 7]);
        // Nothing hidden: nothing named (and the sheet is not read twice).
        let plain = read(
            &xlsx_of(1, &format!(r#"<row r="1">{}</row>"#, text("A1", "x"))),
            None,
            &Limits::for_rows(100),
            &|_| true,
        )
        .unwrap();
        assert!(plain.hidden.is_empty());
    }

    #[test]
    fn a_hidden_mark_split_between_two_pieces_is_found() {
        let found = |pieces: &[&[u8]]| {
            let mut marks = HiddenMarks::default();
            for piece in pieces {
                marks.feed(piece);
            }
            marks.found
        };
        for part in [
            &br#"<row r="3" hidden="1">"#[..],
            br#"<row r="3" hidden="true">"#,
            br#"<row r="3" hidden = '1'>"#,
            br#"<x:row r="3"
                hidden	=	"true">"#,
        ] {
            for cut in 0..part.len() {
                assert!(
                    found(&[&part[..cut], &part[cut..]]),
                    "{part:?} cut at {cut}"
                );
            }
            let bytes: Vec<&[u8]> = part.chunks(1).collect();
            assert!(found(&bytes), "{part:?} byte by byte");
        }
        for part in [
            &br#"<row r="3" hidden="0">"#[..],
            br#"<row r="3" hidden="false">"#,
            br#"<c r="A1" t="s"><v>hidden</v></c>"#,
            br#"<row hidden"#,
        ] {
            assert!(!found(&[part]), "{part:?}");
        }
    }

    #[test]
    fn rows_an_ods_hides_by_hand_or_by_a_filter_are_named_by_line() {
        let row = |cells: &str, attrs: &str| {
            format!(r#"<table:table-row{attrs}>{cells}</table:table-row>"#)
        };
        let cell = |t: &str| {
            format!(
                r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
            )
        };
        let content = format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">"#,
                r#"<office:body><office:spreadsheet><table:table table:name="Liste">{}</table:table></office:spreadsheet></office:body></office:document-content>"#
            ),
            [
                row(&cell("Vorname"), ""),
                row(&cell("Anna"), r#" table:visibility="collapse""#),
                row(&cell("Bernd"), ""),
                row(&cell("Chris"), r#" table:number-rows-repeated="2" table:visibility="filter""#),
                row(&cell("Dana"), r#" table:visibility="visible""#),
                // LibreOffice's hidden rest of the sheet: no rows of data.
                r#"<table:table-row table:number-rows-repeated="1048000" table:visibility="collapse"><table:table-cell/></table:table-row>"#.to_owned(),
            ]
            .concat()
        );
        let book = read(&ods_of(&content), None, &Limits::for_rows(100), &|_| true).unwrap();
        let names: Vec<&str> = book.rows.iter().map(|r| r.cells[0].as_str()).collect();
        assert_eq!(
            names,
            ["Vorname", "Anna", "Bernd", "Chris", "Chris", "Dana"]
        );
        assert_eq!(book.hidden, vec![2, 4, 5]);
    }

    #[test]
    fn cells_out_of_row_order_find_their_rows() {
        let limits = Limits::for_rows(10);
        let mut c = Collector::new(&limits, false);
        for (row, column, text) in [
            (1, 0, "a"),
            (3, 0, "c"),
            (1, 1, "b"),
            (2, 0, "x"),
            (3, 1, "d"),
        ] {
            assert!(matches!(c.add(row, column, text.into()), Ok(Added::More)));
        }
        let rows = c.finish();
        let seen: Vec<(u32, Vec<&str>)> = rows
            .iter()
            .map(|r| (r.line, r.cells.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            seen,
            vec![(2, vec!["a", "b"]), (3, vec!["x"]), (4, vec!["c", "d"])]
        );
        // A row counts once against the limit, however its cells come.
        let limits = Limits {
            max_rows: 2,
            ..Limits::for_rows(2)
        };
        let mut c = Collector::new(&limits, false);
        for (row, column) in [(1, 0), (2, 0), (1, 1), (2, 1)] {
            assert!(c.add(row, column, "v".into()).is_ok());
        }
        assert!(matches!(
            c.add(5, 0, "v".into()),
            Err(ReadError::TooManyRows(2))
        ));
    }

    #[derive(Default)]
    struct Seen {
        rows: Vec<u32>,
        resets: usize,
    }

    impl RowStream for Seen {
        fn rows(&mut self, rows: &[(u32, Vec<String>)]) {
            self.rows.extend(rows.iter().map(|(row, _)| *row));
        }
        fn reset(&mut self) {
            self.resets += 1;
            self.rows.clear();
        }
    }

    #[test]
    fn complete_rows_are_handed_on_in_chunks() {
        let limits = Limits::for_rows(20_000);
        let mut seen = Seen::default();
        let mut c = Collector::new(&limits, false).streaming_to(Some(&mut seen));
        for row in 0..10_000u32 {
            c.add(row, 0, "v".into()).unwrap();
            c.add(row, 1, "w".into()).unwrap();
        }
        assert_eq!(c.finish().len(), 10_000, "the workbook keeps every row");
        let chunks = 10_000 / STREAM_CHUNK * STREAM_CHUNK;
        assert_eq!(seen.rows, (0..chunks as u32).collect::<Vec<_>>());
        // Back to a row handed on: what went is void, nothing more goes.
        let mut seen = Seen::default();
        let mut c = Collector::new(&limits, false).streaming_to(Some(&mut seen));
        for row in 0..5_000u32 {
            c.add(row, 0, "v".into()).unwrap();
        }
        c.add(3, 1, "spät".into()).unwrap();
        for row in 5_000..9_000u32 {
            c.add(row, 0, "v".into()).unwrap();
        }
        let rows = c.finish();
        assert_eq!(rows[3].cells, vec!["v", "spät"]);
        assert_eq!((seen.resets, seen.rows.len()), (1, 0));
    }

    #[test]
    fn an_xlsx_streams_what_it_reads() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for r in 0..6_000u32 {
            ws.write_string(r, 0, format!("v{r}")).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let limits = Limits::for_rows(10_000);
        let mut seen = Seen::default();
        let whole = read_streaming(&bytes, None, &limits, &|_| true, Some(&mut seen)).unwrap();
        assert_eq!(whole.rows.len(), 6_000);
        assert_eq!(seen.rows, (0..STREAM_CHUNK as u32).collect::<Vec<_>>());
        assert_eq!(whole, read(&bytes, None, &limits, &|_| true).unwrap());
    }

    fn csv_rows(text: &str) -> Vec<Row> {
        read(text.as_bytes(), None, &Limits::for_rows(100), &|_| false)
            .unwrap()
            .rows
    }

    #[test]
    fn a_csv_of_separators_and_spaces_is_empty() {
        for text in [";;;;\n", "  \r\n\t\n", ",,,\n,,\n", "\u{feff}"] {
            let read = read(text.as_bytes(), None, &Limits::for_rows(100), &|_| false);
            assert!(matches!(read, Err(ReadError::Empty)), "{text:?}: {read:?}");
        }
    }

    #[test]
    fn the_csv_separator_is_the_one_that_stands_alike_on_every_line() {
        // German Excel: semicolons between columns, commas inside a cell of
        // groups outnumber them.
        let groups = "Lager, Versand, Einkauf, Vertrieb, Nord, Süd";
        let text = format!(
            "Vorname;Nachname;Gruppen\r\nAnna;Alt;{groups}\r\nBernd;Bau;{groups}\r\nCarl;Eck;{groups}\r\n"
        );
        let rows = csv_rows(&text);
        assert_eq!(rows[0].cells, ["Vorname", "Nachname", "Gruppen"]);
        assert_eq!(rows[1].cells, ["Anna", "Alt", groups]);
        // And the other way round: commas between, semicolons in a cell.
        let rows = csv_rows("Vorname,Nachname,Gruppen\nAnna,Alt,Lager; Versand; Nord\n");
        assert_eq!(rows[1].cells, ["Anna", "Alt", "Lager; Versand; Nord"]);
        // A title line above the table and a tab-separated file.
        let rows = csv_rows("Liste Werk Nord\n\nVorname\tNachname\nAnna\tAlt\n");
        assert_eq!(rows[2].cells, ["Anna", "Alt"]);
    }

    #[test]
    fn csv_text_in_utf16_without_a_mark_or_with_a_stray_nul_is_read() {
        let utf16le: Vec<u8> = "Vorname;Nachname\nJürgen;Öz\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let utf16be: Vec<u8> = "Vorname;Nachname\nJürgen;Öz\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        for bytes in [utf16le, utf16be] {
            assert_eq!(detect(&bytes), Ok(Format::Csv));
            assert_eq!(
                decode_text(&bytes).as_deref(),
                Some("Vorname;Nachname\nJürgen;Öz\n")
            );
        }
        // Windows-1252 with one NUL inside a value: text, its row refused
        // later by the import.
        let mut cp1252 = b"Vorname;Nachname\nJ\xfcrgen;M\x00ller\n".to_vec();
        assert_eq!(detect(&cp1252), Ok(Format::Csv));
        assert_eq!(
            decode_text(&cp1252).as_deref(),
            Some("Vorname;Nachname\nJürgen;M\0ller\n")
        );
        // Binary stays binary.
        cp1252 = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(detect(&cp1252), Err(ReadError::UnknownFormat));
    }

    #[test]
    fn a_utf8_csv_with_lines_in_windows_1252_reads_each_line_right() {
        let mut bytes = "Vorname;Nachname\nÄrger;Müller\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"B\xe4r;Stra\xdfe\r\n");
        bytes.extend_from_slice("Zoë;Weiß\n".as_bytes());
        let want = "Vorname;Nachname\nÄrger;Müller\nBär;Straße\r\nZoë;Weiß\n";
        assert_eq!(decode_text(&bytes).as_deref(), Some(want));
        // With a byte-order mark too.
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(&bytes);
        assert_eq!(decode_text(&marked).as_deref(), Some(want));
        // A 1252 line that happens to be valid UTF-8, but no Latin text.
        assert_eq!(
            decode_text(b"Name\nWei\xdf\xa0;Stra\xdfe\n").as_deref(),
            Some("Name\nWeiß\u{a0};Straße\n")
        );
        // Lines that end in a carriage return alone.
        assert_eq!(
            decode_text(b"A\r\xc3\x84rger\rB\xe4r\r").as_deref(),
            Some("A\rÄrger\rBär\r")
        );
        // Lines in other scripts, beside a 1252 line, with or without a
        // byte-order mark.
        let mut mixed = b"Vorname;Nachname\nJ\xfcrgen;Gro\xdf\n".to_vec();
        mixed.extend_from_slice(
            "Дмитрий;Иванов\nΓιώργος;Παπαδόπουλος\nשרה;כהן\nस्मिता;पाटील, №1\n王;小明\n".as_bytes(),
        );
        let want = "Vorname;Nachname\nJürgen;Groß\nДмитрий;Иванов\nΓιώργος;Παπαδόπουλος\nשרה;כהן\nस्मिता;पाटील, №1\n王;小明\n";
        assert_eq!(decode_text(&mixed).as_deref(), Some(want));
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(&mixed);
        assert_eq!(decode_text(&marked).as_deref(), Some(want));
        // 1252 lines that happen to be valid UTF-8 (a capital with an
        // accent before a sign) stay 1252 beside them.
        let mut pairs = b"Vorname;Nachname\nJ\xfcrgen;Gro\xdf\n".to_vec();
        pairs.extend_from_slice(b"JOS\xc9\x92S;L\xd6\x94\nM\xfcller;K\xd6\xa0\n");
        pairs.extend_from_slice("Дмитрий;Иванов\nMu\u{308}ller;Zoe\u{308}\n".as_bytes());
        assert_eq!(
            decode_text(&pairs).as_deref(),
            Some(
                "Vorname;Nachname\nJürgen;Groß\nJOSÉ’S;LÖ”\nMüller;KÖ\u{a0}\nДмитрий;Иванов\nMu\u{308}ller;Zoe\u{308}\n"
            )
        );
        // Windows-1252 throughout stays Windows-1252 (its ASCII lines are
        // valid UTF-8 too, but say nothing).
        assert_eq!(
            decode_text(b"Vorname;Nachname\nB\xe4r;Stra\xdfe\n").as_deref(),
            Some("Vorname;Nachname\nBär;Straße\n")
        );
    }

    #[test]
    fn a_csv_quote_never_closed_refuses_the_file_naming_its_line() {
        let limits = Limits::for_rows(100);
        let read = |text: &str| read_csv(text.as_bytes(), &limits).map(|b| b.rows.len());
        assert_eq!(
            read("Vorname;Nachname\r\nAnna;Muster\r\n\"Bernd;Muster\r\nChris;Muster\r\n"),
            Err(ReadError::UnclosedQuote(3))
        );
        // Closed, doubled, across lines, or a quote inside a value: fine.
        assert_eq!(
            read("Vorname;Nachname\n\"An\"\"na\";\"Mus\nter\"\nBernd \"B\";Muster\n"),
            Ok(3)
        );
        // The line counts lines inside earlier quoted values (CR, CRLF, LF).
        assert_eq!(
            read("a;b\r\"x\ry\";z\r\nc;\"d\n"),
            Err(ReadError::UnclosedQuote(4))
        );
        assert_eq!(unclosed_quote(b"\"", b';'), Some(1));
        assert_eq!(unclosed_quote(b"a,\"b\"\"", b','), Some(1));
        assert_eq!(unclosed_quote(b"a,\"b\"\"\"", b','), None);
    }

    #[test]
    fn csv_lines_may_end_with_a_carriage_return_alone() {
        let rows = csv_rows("Wer;Womit\rAnna;a\rBernd;b\nCarla;c\r\nDora;d\r");
        let lines: Vec<(u32, String)> = rows
            .into_iter()
            .map(|r| (r.line, r.cells[0].clone()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, "Wer".into()),
                (2, "Anna".into()),
                (3, "Bernd".into()),
                (4, "Carla".into()),
                (5, "Dora".into())
            ]
        );
    }

    #[test]
    fn a_csv_value_kept_as_text_the_exports_way_is_that_text() {
        let rows = csv_rows("Personalnummer;Vorname\n=\"00123\";Anna\n=\"a\"\"b\";=1+1\n=\"\";x\n");
        assert_eq!(rows[1].cells[0], "00123");
        // Not the idiom: left for the checks to refuse.
        assert_eq!(rows[2].cells[0], "=\"a\"\"b\"");
        assert_eq!(rows[2].cells[1], "=1+1");
        assert_eq!(rows[3].cells[0], "");
    }

    #[test]
    fn shared_string_entries_are_counted_across_pieces() {
        let xml = b"<sst><si><t>a</t></si><si/><x:si><x:t>b</x:t></x:si><si >c</si><t>si></t><ss:si/></sst>";
        for size in [1, 2, 3, 5, 7, xml.len()] {
            let mut entries = StringEntries::default();
            for piece in xml.chunks(size) {
                entries.feed(piece);
            }
            assert_eq!(entries.count, 5, "pieces of {size}");
        }
    }

    #[test]
    fn csv_rows_keep_their_line_numbers() {
        let rows = csv_rows("Wer;Womit\r\nAnna;\"Mus\nter\"\r\n\r\nBernd;x");
        let lines: Vec<(u32, Vec<String>)> = rows.into_iter().map(|r| (r.line, r.cells)).collect();
        assert_eq!(
            lines,
            vec![
                (1, vec!["Wer".into(), "Womit".into()]),
                (2, vec!["Anna".into(), "Mus\nter".into()]),
                (5, vec!["Bernd".into(), "x".into()]),
            ]
        );
    }
}
