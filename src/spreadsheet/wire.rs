//! The reader child's answer on its standard output: a small binary format
//! (lengths before bytes), cheap to write and to read for a million cells.
//! Decoding trusts nothing: every length is checked against what is left.

use std::io::Read;

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
                ReadError::UnclosedQuote(line) => (16, u64::from(*line), ""),
                ReadError::SeveralSheets(t) => (17, 0, t),
                ReadError::OnlyHidden(t) => (18, 0, t),
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

/// A workbook's answer: `2`, its format, sheets, the chosen one, its rows,
/// then its hidden lines. The sheets' heads come first (a page that shows
/// them reads no more), the rows' count where rows streamed before can be
/// put in front of them. `0` is the layout without hidden lines that
/// batches stored before them hold.
fn put_workbook(out: &mut Vec<u8>, w: &Workbook) {
    out.push(2);
    put_str(out, w.format.as_str());
    put_u32(out, w.sheets.len() as u32);
    for sheet in &w.sheets {
        put_str(out, &sheet.name);
        put_rows(out, &sheet.head);
    }
    put_u32(out, w.chosen as u32);
    put_rows(out, &w.rows);
    put_u32(out, w.hidden.len() as u32);
    for line in &w.hidden {
        put_u32(out, *line);
    }
}

pub fn decode(bytes: &[u8]) -> Result<Result<Workbook, ReadError>, String> {
    decode_with(bytes, true).map(|(book, _)| book)
}

// ------------------------------------------------ the child's stream

/// What the child writes: this, then `R` frames with rows it handed on
/// while reading, then one `F` frame with the answer ([`encode`]) holding
/// the rows not handed on before.
pub const STREAM_MAGIC: &[u8; 6] = b"ESTRM1";

/// An `R` frame: `R`, the row count, the byte length, the rows (numbered
/// from 1, as [`Row::line`]). A cell for which `blank(row, column)` holds
/// goes out empty.
pub fn put_rows_frame(
    out: &mut Vec<u8>,
    rows: &[(u32, Vec<String>)],
    blank: &dyn Fn(usize, usize) -> bool,
) {
    out.push(b'R');
    put_u32(out, rows.len() as u32);
    let length_at = out.len();
    put_u32(out, 0);
    let start = out.len();
    for (i, (row, cells)) in rows.iter().enumerate() {
        put_u32(out, row.saturating_add(1));
        put_u32(out, cells.len() as u32);
        for (column, cell) in cells.iter().enumerate() {
            put_str(out, if blank(i, column) { "" } else { cell });
        }
    }
    let length = (out.len() - start) as u32;
    out[length_at..start].copy_from_slice(&length.to_le_bytes());
}

/// The `F` frame's start: `F` and how many rows came in `R` frames before
/// (0: none, or those that came are void). [`encode`]'s answer follows.
pub fn put_final_frame(out: &mut Vec<u8>, streamed: u32) {
    out.push(b'F');
    put_u32(out, streamed);
}

/// Rows handed on while reading, as they came: how many, and their bytes
/// as [`encode`] writes rows (for the rows as read a batch keeps).
#[derive(Default)]
pub struct Streamed {
    pub rows: u32,
    pub bytes: Vec<u8>,
}

impl Streamed {
    /// Decodes an `R` frame's rows and keeps its bytes.
    pub fn take(&mut self, count: u32, frame: &[u8]) -> Result<Vec<Row>, String> {
        let mut r = Cursor {
            bytes: frame,
            at: 0,
        };
        let rows = r.rows_n(count as usize)?;
        if r.at != frame.len() {
            return Err("frame longer than its rows".into());
        }
        self.rows = self.rows.checked_add(count).ok_or("too many rows")?;
        self.bytes.extend_from_slice(frame);
        Ok(rows)
    }
}

/// What [`read_stream`] hands on: an `R` frame's row count and bytes, or
/// (`None`) word that those handed on before are void.
pub type Frame = Option<(u32, Vec<u8>)>;

/// [`read_stream`]'s word for an answer longer than its cap.
pub const BEYOND_LIMIT: &str = "answer beyond its limit";

/// Reads the child's stream from `input`, at most `cap` bytes: each `R`
/// frame goes to `on_frame` as it arrives. Returns the final answer's
/// bytes and how many rows came in frames before it.
pub fn read_stream(
    input: &mut dyn std::io::Read,
    cap: u64,
    on_frame: &mut dyn FnMut(Frame),
) -> Result<(Vec<u8>, u32), String> {
    let io = |e: std::io::Error| format!("reader answer: {e}");
    let mut input = input.take(cap);
    let mut magic = [0u8; 6];
    input.read_exact(&mut magic).map_err(io)?;
    if &magic != STREAM_MAGIC {
        return Err("not a reader stream".into());
    }
    let mut streamed = 0u32;
    loop {
        let mut tag = [0u8; 1];
        input.read_exact(&mut tag).map_err(io)?;
        match tag[0] {
            b'R' => {
                let mut sizes = [0u8; 8];
                input.read_exact(&mut sizes).map_err(io)?;
                let count = u32::from_le_bytes([sizes[0], sizes[1], sizes[2], sizes[3]]);
                let length = u32::from_le_bytes([sizes[4], sizes[5], sizes[6], sizes[7]]);
                if u64::from(length) > input.limit() {
                    return Err(BEYOND_LIMIT.into());
                }
                // Every row takes at least 8 bytes: a count beyond that is
                // a lie.
                if count as usize > length as usize / 8 {
                    return Err("row count beyond the frame".into());
                }
                let mut frame = vec![0u8; length as usize];
                input.read_exact(&mut frame).map_err(io)?;
                streamed = streamed.checked_add(count).ok_or("too many rows")?;
                on_frame(Some((count, frame)));
            }
            b'F' => {
                let mut count = [0u8; 4];
                input.read_exact(&mut count).map_err(io)?;
                let said = u32::from_le_bytes(count);
                if said == 0 && streamed > 0 {
                    streamed = 0;
                    on_frame(None);
                } else if said != streamed {
                    return Err("streamed rows miscounted".into());
                }
                let mut answer = Vec::new();
                input.read_to_end(&mut answer).map_err(io)?;
                if input.limit() == 0 {
                    return Err(BEYOND_LIMIT.into());
                }
                return Ok((answer, streamed));
            }
            _ => return Err("unknown frame".into()),
        }
    }
}

/// The rows as read a batch keeps ([`encode`]'s layout) from a stream's
/// final answer and the rows streamed before it: those come first.
pub fn join_streamed(answer: Vec<u8>, streamed: Streamed) -> Result<Vec<u8>, String> {
    if streamed.rows == 0 {
        return Ok(answer);
    }
    let (book, rows_at) = decode_with(&answer, false)?;
    let Ok(_) = book else {
        return Ok(answer);
    };
    let mut r = Cursor {
        bytes: &answer,
        at: rows_at,
    };
    let tail = r.u32()?;
    let total = tail.checked_add(streamed.rows).ok_or("too many rows")?;
    let mut out = Vec::with_capacity(answer.len() + streamed.bytes.len());
    out.extend_from_slice(&answer[..rows_at]);
    put_u32(&mut out, total);
    out.extend_from_slice(&streamed.bytes);
    out.extend_from_slice(&answer[rows_at + 4..]);
    Ok(out)
}

/// Like [`decode`], but a workbook comes without its rows (the sheets'
/// heads only): for pages that show titles, not the 100,000 rows after them.
pub fn decode_heads(bytes: &[u8]) -> Result<Result<Workbook, ReadError>, String> {
    decode_with(bytes, false).map(|(book, _)| book)
}

/// The answer, and where in `bytes` the rows (their count) start.
type Decoded = (Result<Workbook, ReadError>, usize);

fn decode_with(bytes: &[u8], with_rows: bool) -> Result<Decoded, String> {
    let mut r = Cursor { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err("not a reader answer".into());
    }
    match r.u8()? {
        kind @ (0 | 2) => {
            let format = Format::parse(&r.string()?).ok_or("unknown format")?;
            let count = r.u32()? as usize;
            let mut sheets = Vec::with_capacity(count.min(1024));
            for _ in 0..count {
                let name = r.string()?;
                let head = r.rows()?;
                sheets.push(Sheet { name, head });
            }
            let chosen = r.u32()? as usize;
            let rows_at = r.at;
            let rows = if with_rows { r.rows()? } else { Vec::new() };
            // After the rows: read with them only.
            let mut hidden = Vec::new();
            if kind == 2 && with_rows {
                let count = r.u32()? as usize;
                if count > r.bytes.len() / 4 {
                    return Err("more hidden lines than bytes".into());
                }
                hidden.reserve(count);
                for _ in 0..count {
                    hidden.push(r.u32()?);
                }
            }
            if chosen >= sheets.len() {
                return Err("chosen sheet out of range".into());
            }
            Ok((
                Ok(Workbook {
                    format,
                    sheets,
                    chosen,
                    rows,
                    hidden,
                }),
                rows_at,
            ))
        }
        1 => {
            let code = r.u8()?;
            let n = u64::from_le_bytes(r.take(8)?.try_into().map_err(|_| "short")?);
            let text = r.string()?;
            let small = u32::try_from(n).unwrap_or(u32::MAX);
            let at = r.at;
            Ok((
                Err(match code {
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
                    16 => ReadError::UnclosedQuote(small),
                    17 => ReadError::SeveralSheets(text),
                    18 => ReadError::OnlyHidden(text),
                    _ => return Err("unknown error code".into()),
                }),
                at,
            ))
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
        self.rows_n(count)
    }

    fn rows_n(&mut self, count: usize) -> Result<Vec<Row>, String> {
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
            hidden: vec![4],
        };
        // The child's answer is what a batch keeps as its rows as read.
        assert_eq!(encode(&Ok(book.clone())), encode_workbook(&book));
        let heads = decode_heads(&encode_workbook(&book)).unwrap().unwrap();
        assert_eq!((heads.sheets.len(), heads.rows.len()), (2, 0));
        assert_eq!(decode(&encode(&Ok(book.clone()))), Ok(Ok(book.clone())));
        // Rows as read that a batch stored before hidden lines were kept.
        let mut old = b"EGRID1\x00".to_vec();
        put_str(&mut old, "ods");
        put_u32(&mut old, 2);
        for sheet in &book.sheets {
            put_str(&mut old, &sheet.name);
            put_rows(&mut old, &sheet.head);
        }
        put_u32(&mut old, 1);
        put_rows(&mut old, &book.rows);
        let read = decode(&old).unwrap().unwrap();
        assert_eq!((read.rows, read.hidden), (book.rows, vec![]));
        for e in [
            ReadError::Damaged("zip: bad".into()),
            ReadError::TooManyRows(200_050),
            ReadError::UnpackedTooLarge(1 << 28),
            ReadError::ReaderLimit,
            ReadError::UnclosedQuote(70_000),
        ] {
            assert_eq!(decode(&encode(&Err(e.clone()))), Ok(Err(e)));
        }
    }

    fn book_of(rows: Vec<Row>) -> Workbook {
        Workbook {
            format: Format::Xlsx,
            sheets: vec![Sheet {
                name: "Liste".into(),
                head: vec![],
            }],
            chosen: 0,
            rows,
            hidden: vec![],
        }
    }

    fn raw_rows(range: std::ops::Range<u32>) -> Vec<(u32, Vec<String>)> {
        range
            .map(|i| (i, vec![format!("a{i}"), format!("geheim{i}")]))
            .collect()
    }

    fn frames_of(stream: &[u8], cap: u64) -> Result<(Vec<u8>, u32, Vec<Frame>), String> {
        let mut frames = Vec::new();
        let (answer, n) = read_stream(&mut &stream[..], cap, &mut |f| frames.push(f))?;
        Ok((answer, n, frames))
    }

    #[test]
    fn a_stream_of_chunks_joins_into_the_rows_as_read() {
        let rows = raw_rows(0..7);
        let tail: Vec<Row> = (7..10)
            .map(|i| Row {
                line: i + 1,
                cells: vec![format!("a{i}"), String::new()],
            })
            .collect();
        let mut stream = STREAM_MAGIC.to_vec();
        put_rows_frame(&mut stream, &rows[..4], &|_, column| column == 1);
        put_rows_frame(&mut stream, &rows[4..], &|_, column| column == 1);
        put_final_frame(&mut stream, 7);
        // Lines hidden among the rows streamed and among those at the end.
        let hidden = vec![3, 9];
        let answer_book = Workbook {
            hidden: hidden.clone(),
            ..book_of(tail.clone())
        };
        stream.extend(encode(&Ok(answer_book)));
        let (answer, n, frames) = frames_of(&stream, 1 << 20).unwrap();
        assert_eq!((n, frames.len()), (7, 2));
        let mut streamed = Streamed::default();
        let mut all = Vec::new();
        for frame in frames {
            let (count, bytes) = frame.unwrap();
            all.extend(streamed.take(count, &bytes).unwrap());
        }
        assert_eq!(all[0].line, 1, "numbered as the sheet shows them");
        assert!(all.iter().all(|r| r.cells[1].is_empty()), "blanked");
        all.extend(tail);
        let whole = Workbook {
            hidden,
            ..book_of(all)
        };
        let joined = join_streamed(answer, streamed).unwrap();
        assert_eq!(joined, encode_workbook(&whole));
        assert_eq!(decode(&joined), Ok(Ok(whole)));
    }

    #[test]
    fn a_void_stream_and_a_lying_one() {
        // Handed on, then void: every row comes in the answer.
        let mut stream = STREAM_MAGIC.to_vec();
        put_rows_frame(&mut stream, &raw_rows(0..3), &|_, _| false);
        put_final_frame(&mut stream, 0);
        stream.extend(encode(&Ok(book_of(vec![]))));
        let (_, n, frames) = frames_of(&stream, 1 << 20).unwrap();
        assert_eq!(n, 0);
        assert!(matches!(frames.as_slice(), [Some(_), None]));
        // A final count that is not what came.
        let mut miscounted = STREAM_MAGIC.to_vec();
        put_rows_frame(&mut miscounted, &raw_rows(0..3), &|_, _| false);
        put_final_frame(&mut miscounted, 4);
        miscounted.extend(encode(&Ok(book_of(vec![]))));
        assert!(frames_of(&miscounted, 1 << 20).is_err());
        // Beyond the cap, cut short, an unknown frame, a count beyond the
        // frame's bytes.
        assert!(frames_of(&stream, 40).is_err());
        assert!(frames_of(&stream[..stream.len() / 2], 1 << 20).is_err());
        let mut unknown = STREAM_MAGIC.to_vec();
        unknown.push(b'X');
        assert!(frames_of(&unknown, 1 << 20).is_err());
        let mut lying = STREAM_MAGIC.to_vec();
        lying.push(b'R');
        put_u32(&mut lying, 1_000);
        put_u32(&mut lying, 8);
        lying.extend_from_slice(&[0; 8]);
        assert!(frames_of(&lying, 1 << 20).is_err());
        // A frame whose rows do not fill its bytes.
        let mut frame = Vec::new();
        put_rows_frame(&mut frame, &raw_rows(0..2), &|_, _| false);
        let bytes = &frame[9..];
        assert!(Streamed::default().take(1, bytes).is_err());
        assert!(Streamed::default().take(3, bytes).is_err());
        assert_eq!(Streamed::default().take(2, bytes).unwrap().len(), 2);
    }

    #[test]
    fn heads_cut_short_are_refused_never_read_wrong() {
        let book = Workbook {
            format: Format::Xlsx,
            sheets: vec![
                Sheet {
                    name: "Erstes".into(),
                    head: vec![Row {
                        line: 1,
                        cells: vec!["Vorname".into(), "Nachname".into()],
                    }],
                },
                Sheet {
                    name: "Zweites".into(),
                    head: vec![],
                },
            ],
            chosen: 0,
            rows: vec![Row {
                line: 2,
                cells: vec!["Anna".into(), "Muster".into()],
            }],
            hidden: vec![2],
        };
        let bytes = encode_workbook(&book);
        let (_, rows_at) = decode_with(&bytes, false).unwrap();
        for cut in 0..rows_at {
            assert!(decode_heads(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // From where the rows start, the heads are all there.
        let heads = decode_heads(&bytes[..rows_at]).unwrap().unwrap();
        assert_eq!(heads.sheets, book.sheets);
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
            hidden: vec![],
            rows: vec![Row {
                line: 1,
                cells: vec!["x".into()],
            }],
        }));
        assert!(decode(&book[..book.len() - 1]).is_err());
    }
}
