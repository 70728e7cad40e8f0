//! Spreadsheets in and out.
//!
//! Uploads are read by a child process of this same binary (`einlass
//! read-spreadsheet`, not listed in `--help`) that caps its own memory and
//! CPU time before it looks at the file. Whatever a hostile file does to the
//! reader — calamine allocates whole ranges of .xls and .ods sheets and loads
//! every shared string of an .xlsx at once — the worst outcome is a dead
//! child and a clear message for the admin, never a dead or starved server.
//! Inside the child the known classes are refused by name first: the real
//! unpacked size of every part of a zip (never the size it declares), rows,
//! columns, cells and the amount of text.
//!
//! - [`read`]: the child's side, bytes to a [`Workbook`];
//! - [`runner`]: the server's side, running the child within its limits;
//! - [`wire`]: what passes between them;
//! - [`write`]: .xlsx files Einlass makes (exports, templates, error lists).

pub mod read;
pub mod runner;
pub mod wire;
pub mod write;

/// The formats Einlass reads, told apart by their content (an extension may
/// lie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Format::Xlsx,
            Format::Xlsb,
            Format::Xls,
            Format::Ods,
            Format::Csv,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
}

/// Bounds a file must stay within; checked while it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Non-empty rows in the chosen sheet (title and header rows included).
    pub max_rows: u32,
    /// The rows of data that makes (the setting): what a refusal names.
    pub data_rows: u32,
    /// Columns: a value right of this one is refused.
    pub max_columns: u32,
    /// Non-empty cells in the chosen sheet.
    pub max_cells: u64,
    /// Cells an .xlsx may list over all its sheets, empty ones included
    /// (a thousand sheets pointing at one part of blank cells).
    pub max_scanned_cells: u64,
    /// Bytes of text in all cells together.
    pub max_text_bytes: u64,
    /// Real unpacked bytes of one part of a zip (a sheet, the strings).
    pub max_unpacked_part: u64,
    /// Real unpacked bytes of all parts together.
    pub max_unpacked_total: u64,
    /// Parts in a zip.
    pub max_parts: u32,
}

impl Limits {
    /// For `data_rows` rows of data: a few title and header rows more.
    pub fn for_rows(data_rows: u32) -> Self {
        let rows = data_rows.saturating_add(HEADER_ALLOWANCE);
        Limits {
            max_rows: rows,
            data_rows,
            max_columns: 256,
            max_cells: u64::from(rows) * 20,
            // Three per cell of data, and never fewer than five million
            // (a few seconds of reading): blank formatted cells are common.
            max_scanned_cells: (u64::from(rows) * 60).max(5_000_000),
            max_text_bytes: 48 * 1024 * 1024,
            max_unpacked_part: 256 * 1024 * 1024,
            max_unpacked_total: 512 * 1024 * 1024,
            max_parts: 4096,
        }
    }
}

/// Rows above the data (titles, the header) counted into the row limit.
pub const HEADER_ALLOWANCE: u32 = 50;

/// How many non-empty rows of each sheet are kept for recognising its header.
pub const HEAD_ROWS: usize = crate::domain::import::HEADER_SEARCH_ROWS;

/// One cell's text is cut after this many bytes (no field takes as much;
/// the import refuses a cut value).
pub use crate::domain::import::MAX_CELL_BYTES;

pub use crate::domain::import::Row;

/// A sheet's name and its first non-empty rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub head: Vec<Row>,
}

/// What was read: every visible sheet's head and all rows of one sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workbook {
    pub format: Format,
    pub sheets: Vec<Sheet>,
    /// Index into `sheets` of the sheet whose rows these are.
    pub chosen: usize,
    pub rows: Vec<Row>,
    /// Lines of `rows` the file hides (by hand, by a filter, in a collapsed
    /// outline; .xlsx and .ods), in order.
    pub hidden: Vec<u32>,
}

/// Why a file could not be read, in words an admin can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not a spreadsheet Einlass knows (xlsx, xlsm, xlsb, xls, ods, csv).
    UnknownFormat,
    /// Encrypted with a password.
    PasswordProtected,
    /// Damaged or not what it claims to be; the reader's words.
    Damaged(String),
    /// Larger than the upload limit (bytes).
    TooLarge(u64),
    /// A part unpacks to more than this many bytes.
    UnpackedTooLarge(u64),
    TooManyParts(u32),
    TooManyRows(u32),
    TooManyColumns(u32),
    TooManyCells(u64),
    TooMuchText(u64),
    /// The sheet asked for is not in the file.
    NoSuchSheet,
    /// No sheet with anything in it.
    Empty,
    /// No visible sheet with anything in it, and sheets are hidden (their
    /// names, joined): the import reads visible sheets only.
    OnlyHidden(String),
    /// No file was chosen (the form came without one, or with zero bytes
    /// and no name).
    NoFile,
    /// The reader ran out of memory or time.
    ReaderLimit,
    /// The reader could not be started or answered nonsense.
    ReaderFailed(String),
    /// A CSV value opened with a double quote on this line is never closed:
    /// the rest of the file would be one value.
    UnclosedQuote(u32),
    /// Several sheets hold entries (their names, joined): an import that
    /// reads one sheet only (the registration whitelist) would leave the
    /// others out without a word.
    SeveralSheets(String),
}
