//! The reader child's answer on its standard output: a small binary format
//! (lengths before bytes), cheap to write and to read for a million cells.
//! Decoding trusts nothing: every length is checked against what is left.

use super::{Format, ReadError, Row, Sheet, Workbook};

const MAGIC: &[u8; 6] = b"EGRID1";

pub fn encode(result: &Result<Workbook, ReadError>) -> Vec<u8> {
    let mut out = Vec::with_capacity(match result {
        Ok(w) => w.rows.len() * 64 + 1024,
        Err(_) => 64,
    });
    out.extend_from_slice(MAGIC);
    match result {
        Ok(w) => put_workbook(&mut out, w),
        Err(e) => {
            out.push(1);
            let (code, n, text): (u8, u64, &str) = match e {
                ReadError::UnknownFormat => (1, 0, ""),
                ReadError::PasswordProtected => (2, 0, ""),
                ReadError::Damaged(t) => (3, 0, t),
                ReadError::TooLarge(n) => (4, *n, ""),
                ReadError::UnpackedTooLarge(n) => (5, *n, ""),
                ReadError::TooManyParts(n) => (6, u64::from(*n), ""),
                ReadError::TooManyRows(n) => (7, u64::from(*n), ""),
                ReadError::TooManyColumns(n) => (8, u64::from(*n), ""),
                ReadError::TooManyCells(n) => (9, *n, ""),
                ReadError::TooMuchText(n) => (10, *n, ""),
                ReadError::NoSuchSheet => (11, 0, ""),
                ReadError::Empty => (12, 0, ""),
                ReadError::NoFile => (15, 0, ""),
                ReadError::ReaderLimit => (13, 0, ""),
                ReadError::ReaderFailed(t) => (14, 0, t),
            };
            out.push(code);
            out.extend_from_slice(&n.to_le_bytes());
            put_str(&mut out, text);
        }
    }
    out
}

/// A workbook as [`encode`] writes it (the rows a batch keeps).
pub fn encode_workbook(w: &Workbook) -> Vec<u8> {
    let mut out = Vec::with_capacity(w.rows.len() * 64 + 1024);
    out.extend_from_slice(MAGIC);
    put_workbook(&mut out, w);
    out
}

fn put_workbook(out: &mut Vec<u8>, w: &Workbook) {
    out.push(0);
    put_str(out, w.format.as_str());
    put_u32(out, w.sheets.len() as u32);
    for sheet in &w.sheets {
        put_str(out, &sheet.name);
        put_rows(out, &sheet.head);
    }
    put_u32(out, w.chosen as u32);
    put_rows(out, &w.rows);
}

pub fn decode(bytes: &[u8]) -> Result<Result<Workbook, ReadError>, String> {
    decode_with(bytes, true)
}

/// Like [`decode`], but a workbook comes without its rows (the sheets'
/// heads only): for pages that show titles, not the 100,000 rows after them.
pub fn decode_heads(bytes: &[u8]) -> Result<Result<Workbook, ReadError>, String> {
    decode_with(bytes, false)
}

fn decode_with(bytes: &[u8], with_rows: bool) -> Result<Result<Workbook, ReadError>, String> {
    let mut r = Cursor { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err("not a reader answer".into());
    }
    match r.u8()? {
        0 => {
            let format = Format::parse(&r.string()?).ok_or("unknown format")?;
            let count = r.u32()? as usize;
            let mut sheets = Vec::with_capacity(count.min(1024));
            for _ in 0..count {
                let name = r.string()?;
                let head = r.rows()?;
                sheets.push(Sheet { name, head });
            }
            let chosen = r.u32()? as usize;
            let rows = if with_rows { r.rows()? } else { Vec::new() };
            if chosen >= sheets.len() {
                return Err("chosen sheet out of range".into());
            }
            Ok(Ok(Workbook {
                format,
                sheets,
                chosen,
                rows,
            }))
        }
        1 => {
            let code = r.u8()?;
            let n = u64::from_le_bytes(r.take(8)?.try_into().map_err(|_| "short")?);
            let text = r.string()?;
            let small = u32::try_from(n).unwrap_or(u32::MAX);
            Ok(Err(match code {
                1 => ReadError::UnknownFormat,
                2 => ReadError::PasswordProtected,
                3 => ReadError::Damaged(text),
                4 => ReadError::TooLarge(n),
                5 => ReadError::UnpackedTooLarge(n),
                6 => ReadError::TooManyParts(small),
                7 => ReadError::TooManyRows(small),
                8 => ReadError::TooManyColumns(small),
                9 => ReadError::TooManyCells(n),
                10 => ReadError::TooMuchText(n),
                11 => ReadError::NoSuchSheet,
                12 => ReadError::Empty,
                15 => ReadError::NoFile,
                13 => ReadError::ReaderLimit,
                14 => ReadError::ReaderFailed(text),
                _ => return Err("unknown error code".into()),
            }))
        }
        _ => Err("unknown answer".into()),
    }
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_rows(out: &mut Vec<u8>, rows: &[Row]) {
    put_u32(out, rows.len() as u32);
    for row in rows {
        put_u32(out, row.line);
        put_u32(out, row.cells.len() as u32);
        for cell in &row.cells {
            put_str(out, cell);
        }
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).ok_or("length overflow")?;
        let slice = self.bytes.get(self.at..end).ok_or("answer cut short")?;
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "short")?,
        ))
    }

    fn string(&mut self) -> Result<String, String> {
        let len = self.u32()? as usize;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "text is not UTF-8".into())
    }

    fn rows(&mut self) -> Result<Vec<Row>, String> {
        let count = self.u32()? as usize;
        // Every row takes at least 8 bytes: a count beyond that is a lie.
        if count > (self.bytes.len() - self.at) / 8 {
            return Err("row count beyond the answer".into());
        }
        let mut rows = Vec::with_capacity(count);
        for _ in 0..count {
            let line = self.u32()?;
            let n = self.u32()? as usize;
            if n > (self.bytes.len() - self.at) / 4 {
                return Err("cell count beyond the answer".into());
            }
            let mut cells = Vec::with_capacity(n);
            for _ in 0..n {
                cells.push(self.string()?);
            }
            rows.push(Row { line, cells });
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workbooks_and_errors_round_trip() {
        let book = Workbook {
            format: Format::Ods,
            sheets: vec![
                Sheet {
                    name: "Anleitung".into(),
                    head: vec![],
                },
                Sheet {
                    name: "Benutzer äöü".into(),
                    head: vec![Row {
                        line: 3,
                        cells: vec!["Vorname".into(), String::new(), "E-Mail".into()],
                    }],
                },
            ],
            chosen: 1,
            rows: vec![Row {
                line: 4,
                cells: vec!["Anna".into()],
            }],
        };
        // The child's answer is what a batch keeps as its rows as read.
        assert_eq!(encode(&Ok(book.clone())), encode_workbook(&book));
        let heads = decode_heads(&encode_workbook(&book)).unwrap().unwrap();
        assert_eq!((heads.sheets.len(), heads.rows.len()), (2, 0));
        assert_eq!(decode(&encode(&Ok(book.clone()))), Ok(Ok(book)));
        for e in [
            ReadError::Damaged("zip: bad".into()),
            ReadError::TooManyRows(200_050),
            ReadError::UnpackedTooLarge(1 << 28),
            ReadError::ReaderLimit,
        ] {
            assert_eq!(decode(&encode(&Err(e.clone()))), Ok(Err(e)));
        }
    }

    #[test]
    fn nonsense_is_refused_not_trusted() {
        assert!(decode(b"").is_err());
        assert!(decode(b"EGRID1\x00").is_err());
        let mut lying = b"EGRID1\x00".to_vec();
        put_str(&mut lying, "csv");
        put_u32(&mut lying, 0);
        put_u32(&mut lying, 0);
        put_u32(&mut lying, u32::MAX);
        assert!(decode(&lying).is_err());
        let book = encode(&Ok(Workbook {
            format: Format::Csv,
            sheets: vec![Sheet {
                name: "CSV".into(),
                head: vec![],
            }],
            chosen: 0,
            rows: vec![Row {
                line: 1,
                cells: vec!["x".into()],
            }],
        }));
        assert!(decode(&book[..book.len() - 1]).is_err());
    }
}
