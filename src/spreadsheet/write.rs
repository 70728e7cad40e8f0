//! .xlsx files Einlass makes: the user list export, the import template and
//! the list of rows an import refused. Every value is written as text; one
//! that a spreadsheet program could take for a formula (it starts with `=`,
//! `+`, `-`, `@`, a tab or a line break) gets an apostrophe in front, so it
//! stays text wherever the file goes next (a CSV save, another program).
//! The importer takes that apostrophe off again ([`unneutralise`]).

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

pub use crate::domain::import::{neutralise, unneutralise};

/// One sheet: a bold header row, then rows of text.
pub struct Table {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Column widths in characters (missing ones: 16).
    pub widths: Vec<f64>,
    /// Frozen header, filter buttons and text-formatted columns (so that
    /// `00123` typed later stays `00123`).
    pub data_sheet: bool,
    /// The rows' cells are written as they are, every one a text cell (the
    /// caller neutralised what must be): the error list repeats a file's
    /// cells exactly, so that uploading it again reads them the same.
    pub verbatim: bool,
}

/// The workbook of these tables as bytes.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let bold = Format::new()
        .set_bold()
        .set_background_color("DDE7F0")
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap();
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&table.name)).map_err(err)?;
        let columns = table.header.len().max(1);
        for c in 0..columns {
            let width = table.widths.get(c).copied().unwrap_or(16.0);
            let col = c as u16;
            sheet.set_column_width(col, width).map_err(err)?;
            if table.data_sheet {
                sheet.set_column_format(col, &text).map_err(err)?;
            } else {
                sheet.set_column_format(col, &wrap).map_err(err)?;
            }
        }
        for (c, title) in table.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, neutralise(title), &bold)
                .map_err(err)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| "too many rows".to_owned())?;
            for (c, value) in row.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let format = if table.data_sheet { &text } else { &wrap };
                let value = if table.verbatim {
                    std::borrow::Cow::Borrowed(value.as_str())
                } else {
                    neutralise(value)
                };
                sheet
                    .write_string_with_format(r, c as u16, value, format)
                    .map_err(err)?;
            }
        }
        if table.data_sheet && !table.header.is_empty() {
            sheet.set_freeze_panes(1, 0).map_err(err)?;
            let last_row = u32::try_from(table.rows.len()).unwrap_or(u32::MAX).max(1);
            sheet
                .autofilter(0, 0, last_row, (columns - 1) as u16)
                .map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// One large data sheet written row by row (rows go to a temporary file as
/// they are written, so 100,000 rows do not sit in memory as cells).
pub fn xlsx_streamed(
    name: &str,
    header: &[String],
    widths: &[f64],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let bold = Format::new()
        .set_bold()
        .set_background_color("DDE7F0")
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet_with_constant_memory().map_err(err)?;
    sheet.set_name(sheet_name(name)).map_err(err)?;
    let columns = header.len().max(1);
    for c in 0..columns {
        let col = c as u16;
        sheet
            .set_column_width(col, widths.get(c).copied().unwrap_or(16.0))
            .map_err(err)?;
        sheet.set_column_format(col, &text).map_err(err)?;
    }
    for (c, title) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, neutralise(title), &bold)
            .map_err(err)?;
    }
    let mut last = 0u32;
    for (r, row) in rows.enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| "too many rows".to_owned())?;
        last = r;
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string_with_format(r, c as u16, neutralise(value), &text)
                    .map_err(err)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    sheet
        .autofilter(0, 0, last.max(1), (columns - 1) as u16)
        .map_err(err)?;
    book.save_to_buffer().map_err(err)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    let trimmed = cleaned.trim().trim_matches('\'');
    if trimmed.is_empty() {
        "Tabelle".into()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_come_back() {
        for text in [
            "=HYPERLINK(\"http://x\")",
            "+49 30 1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "'-y",
            "'t Hooft",
        ] {
            let cell = neutralise(text);
            assert!(cell.starts_with('\''), "{text}");
            assert_eq!(unneutralise(&cell), text);
        }
        assert_eq!(neutralise("Anna"), "Anna");
        assert_eq!(
            unneutralise("'Anna"),
            "'Anna",
            "an apostrophe of its own stays"
        );
        assert_eq!(unneutralise("O'Brien"), "O'Brien");
    }

    #[test]
    fn sheet_names_are_what_excel_takes() {
        assert_eq!(sheet_name("Benutzer [2026]: neu?"), "Benutzer  2026   neu");
        assert_eq!(sheet_name(""), "Tabelle");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
