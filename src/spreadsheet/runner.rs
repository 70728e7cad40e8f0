//! Both ends of the reader child. The server calls [`run`]: it starts
//! `einlass read-spreadsheet` with the upload on its standard input, waits
//! at most the configured seconds, and decodes the answer. The child calls
//! [`child_main`]: it caps its own memory, CPU time, file size and open
//! files first, then reads.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Limits, ReadError, Workbook, wire};
use crate::domain::import::{Schema, Secrets};

/// How the server runs the reader.
#[derive(Clone, Debug)]
pub struct ReaderSettings {
    /// The program to start: this binary (tests name it, as their own
    /// executable is the test runner).
    pub program: PathBuf,
    /// Memory the child may use (its data segment, heap included).
    pub memory_mb: u64,
    /// Wall-clock and CPU seconds the child may take.
    pub seconds: u64,
    /// Rows of data a file may have.
    pub max_rows: u32,
}

/// The child's arguments, as `einlass read-spreadsheet` takes them.
#[derive(Clone, Debug, clap::Args)]
pub struct ChildArgs {
    /// Which fields the head of a sheet is recognised by.
    #[arg(long)]
    pub schema: String,
    /// The sheet to read (default: the one whose header is recognised).
    #[arg(long)]
    pub sheet: Option<String>,
    #[arg(long)]
    pub max_rows: u32,
    #[arg(long)]
    pub memory_mb: u64,
    #[arg(long)]
    pub cpu_seconds: u64,
}

/// The most a child may answer: every cell's text plus its framing.
fn answer_limit(limits: &Limits) -> u64 {
    limits.max_text_bytes * 2 + limits.max_cells * 8 + u64::from(limits.max_rows) * 16 + (1 << 20)
}

/// Where the rows go that the child hands on while it is still reading
/// (see [`super::read::RowStream`]); called on a thread of the runner.
pub trait RowSink {
    fn rows(&mut self, rows: Vec<super::Row>);
    /// What was handed on is void: every row comes with the workbook.
    fn reset(&mut self);
}

/// A read whose first rows went to a [`RowSink`].
pub struct Streamed<S> {
    /// The workbook with the rows not handed to the sink (all of them when
    /// none were).
    pub book: Workbook,
    /// Every row as read, in [`wire::encode_workbook`]'s layout.
    pub grid: Vec<u8>,
    /// How many rows the sink got.
    pub streamed: u32,
    pub sink: S,
}

/// Reads `bytes` in a child process. Blocking: call it off the request
/// threads. Besides the workbook comes the child's answer as it was
/// decoded: it is what [`wire::encode_workbook`] would make of the
/// workbook, so it can be kept as the rows as read without encoding them
/// again.
pub fn run(
    settings: &ReaderSettings,
    bytes: Vec<u8>,
    schema: &str,
    sheet: Option<&str>,
) -> Result<(Workbook, Vec<u8>), ReadError> {
    struct Collect(Vec<super::Row>);
    impl RowSink for Collect {
        fn rows(&mut self, rows: Vec<super::Row>) {
            self.0.extend(rows);
        }
        fn reset(&mut self) {
            self.0.clear();
        }
    }
    let read = run_streaming(settings, bytes, schema, sheet, Collect(Vec::new()))?;
    let mut book = read.book;
    if read.streamed > 0 {
        let mut rows = read.sink.0;
        rows.append(&mut book.rows);
        book.rows = rows;
    }
    Ok((book, read.grid))
}

/// Like [`run`], but the rows the child hands on while reading go to
/// `sink` as they arrive, so that work on them overlaps the reading.
pub fn run_streaming<S: RowSink + Send>(
    settings: &ReaderSettings,
    bytes: Vec<u8>,
    schema: &str,
    sheet: Option<&str>,
    mut sink: S,
) -> Result<Streamed<S>, ReadError> {
    let limits = Limits::for_rows(settings.max_rows);
    let started = Instant::now();
    let mut command = Command::new(&settings.program);
    command
        .arg("read-spreadsheet")
        .args(["--schema", schema])
        .args(["--max-rows", &settings.max_rows.to_string()])
        .args(["--memory-mb", &settings.memory_mb.to_string()])
        .args(["--cpu-seconds", &settings.seconds.to_string()]);
    if let Some(name) = sheet {
        // One argument: a name that starts with "-" is no option.
        command.arg(format!("--sheet={name}"));
    }
    let mut child = command
        // Nothing of the server's environment (database URL, secrets).
        .env_clear()
        .env("EINLASS_LOG", "error")
        // mimalloc would reserve a 1 GiB arena before the child sets its
        // limits, and grow inside it unchecked: small arenas keep every
        // growth a new mapping the memory limit sees.
        .env("MIMALLOC_ARENA_RESERVE", "16MiB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            ReadError::ReaderFailed(format!("start {}: {e}", settings.program.display()))
        })?;
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take();
    widen(stdin.as_ref());
    widen(stdout.as_ref());
    let cap = answer_limit(&limits);
    let deadline = Instant::now() + Duration::from_secs(settings.seconds);
    let (status, answer) = std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(stdin) = stdin.as_mut() {
                // A child that stops reading (it refused the file early)
                // closes the pipe: that is no error of ours.
                let _ = stdin.write_all(&bytes);
            }
        });
        // The pipe is read on one thread and the rows decoded and worked on
        // on this one (a thread of the blocking pool, which lives on, so
        // what the sink made is not left with a heap that ended): the
        // child never waits for the work.
        let (handed, arriving) = std::sync::mpsc::channel::<wire::Frame>();
        let reader = scope.spawn(move || {
            let mut out = stdout.ok_or("no output")?;
            let answer = wire::read_stream(&mut out, cap + 1, &mut |frame| {
                let _ = handed.send(frame);
            });
            // Whatever is left (after nonsense) is not waited for.
            let _ = std::io::copy(&mut out, &mut std::io::sink());
            answer
        });
        let child = &mut child;
        let waiter = scope.spawn(move || {
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(Some(status)),
                    Ok(None) if Instant::now() >= deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Ok(None);
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                    Err(e) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(ReadError::ReaderFailed(e.to_string()));
                    }
                }
            }
        });
        let mut streamed = wire::Streamed::default();
        let mut broken = None;
        for frame in arriving {
            match frame {
                // After nonsense, frames are only drained.
                _ if broken.is_some() => {}
                Some((count, bytes)) => match streamed.take(count, &bytes) {
                    Ok(rows) => sink.rows(rows),
                    Err(e) => broken = Some(e),
                },
                None => {
                    streamed = wire::Streamed::default();
                    sink.reset();
                }
            }
        }
        let status = waiter
            .join()
            .unwrap_or_else(|_| Err(ReadError::ReaderFailed("waiting thread".into())));
        let answer = reader
            .join()
            .unwrap_or_else(|_| Err("reader thread".into()));
        let answer = answer.and_then(|(answer, rows)| {
            if let Some(e) = broken {
                return Err(e);
            }
            if streamed.rows != rows {
                return Err("streamed rows miscounted".to_string());
            }
            Ok((answer, streamed))
        });
        (status, answer)
    });
    tracing::debug!(ms = started.elapsed().as_millis(), "reader child done");
    match status? {
        // Killed at the deadline, by its CPU limit, or aborted when an
        // allocation failed under its memory limit.
        None => Err(ReadError::ReaderLimit),
        Some(s) if !s.success() => Err(ReadError::ReaderLimit),
        Some(_) => {
            let (answer, streamed) = answer.map_err(|e| match e.as_str() {
                wire::BEYOND_LIMIT => ReadError::ReaderLimit,
                _ => ReadError::ReaderFailed(e),
            })?;
            let book = wire::decode(&answer).map_err(ReadError::ReaderFailed)??;
            let rows = streamed.rows;
            let grid = wire::join_streamed(answer, streamed).map_err(ReadError::ReaderFailed)?;
            Ok(Streamed {
                book,
                grid,
                streamed: rows,
                sink,
            })
        }
    }
}

/// Widens a pipe to the child to 1 MiB (Linux's ceiling for anyone): with
/// the default 64 KiB, the child waited whenever the server's thread that
/// drains the pipe was not on a core, and the two cores are shared with the
/// work on the rows.
fn widen(pipe: Option<&impl std::os::fd::AsFd>) {
    #[cfg(target_os = "linux")]
    if let Some(pipe) = pipe {
        // Only speed: a pipe that stays narrow still works.
        let _ = rustix::pipe::fcntl_setpipe_size(pipe, 1 << 20);
    }
}

/// `einlass read-spreadsheet`: limits first, then the file from standard
/// input, the answer to standard output. Exit code 0 whenever an answer was
/// written (a refused file is an answer too).
pub fn child_main(args: &ChildArgs, schema: &Schema) -> i32 {
    use rlimit::Resource;
    let memory = args.memory_mb.saturating_mul(1024 * 1024);
    let limited = Resource::DATA
        .set(memory, memory)
        .and_then(|()| Resource::AS.set(memory * 4, memory * 4))
        .and_then(|()| Resource::CPU.set(args.cpu_seconds, args.cpu_seconds + 1))
        .and_then(|()| Resource::FSIZE.set(0, 0))
        .and_then(|()| Resource::CORE.set(0, 0));
    if limited.is_err() {
        // Never read a file without the limits in place.
        return 3;
    }
    let limits = Limits::for_rows(args.max_rows);
    let mut bytes = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut bytes).is_err() {
        return 4;
    }
    let mut stream = ChildStream {
        out: std::io::stdout().lock(),
        schema,
        secrets: None,
        sent: 0,
        broken: false,
    };
    if stream.out.write_all(wire::STREAM_MAGIC).is_err() {
        return 5;
    }
    // A reader bug is a damaged file to the admin, not a dead child.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut book = super::read::read_streaming(
            &bytes,
            args.sheet.as_deref(),
            &limits,
            &|head| schema.recognises(head),
            Some(&mut stream),
        )?;
        // A password column's values never leave the child. The chosen
        // sheet's head by its rows read whole (a cell listed late may
        // title a column).
        let secrets = schema.secrets(&book.rows);
        for (i, sheet) in book.sheets.iter_mut().enumerate() {
            match &secrets {
                Some(secrets) if i == book.chosen => secrets.blank(&mut sheet.head),
                _ => schema.blank_secrets(&mut sheet.head),
            }
        }
        if let Some(secrets) = &secrets {
            secrets.blank(&mut book.rows);
        }
        Ok(book)
    }))
    .unwrap_or_else(|_| Err(ReadError::Damaged("the reader failed on this file".into())));
    drop(bytes);
    let mut answer = Vec::new();
    wire::put_final_frame(&mut answer, stream.sent as u32);
    // The rows handed on went before.
    let result = result.map(|mut book| {
        book.rows.drain(..stream.sent.min(book.rows.len()));
        book
    });
    answer.extend_from_slice(&wire::encode(&result));
    let out = &mut stream.out;
    if stream.broken || out.write_all(&answer).and_then(|()| out.flush()).is_err() {
        return 5;
    }
    0
}

/// The child's side of streaming: complete rows go out in `R` frames,
/// a password column's cells emptied as [`Schema::blank_secrets`] would.
struct ChildStream<'a> {
    out: std::io::StdoutLock<'a>,
    schema: &'a Schema,
    /// The password columns, found in the first rows handed on.
    secrets: Option<Option<Secrets>>,
    sent: usize,
    broken: bool,
}

impl super::read::RowStream for ChildStream<'_> {
    fn rows(&mut self, rows: &[(u32, Vec<String>)]) {
        if self.broken {
            return;
        }
        let secrets = self.secrets.get_or_insert_with(|| {
            // The first rows of the sheet: where blank_secrets looks too.
            let head: Vec<super::Row> = rows
                .iter()
                .take(crate::domain::import::HEADER_SEARCH_ROWS)
                .map(|(row, cells)| super::Row {
                    line: row.saturating_add(1),
                    cells: cells.clone(),
                })
                .collect();
            self.schema.secrets(&head)
        });
        let secrets: &Option<Secrets> = secrets;
        let blank = |i: usize, column: usize| {
            secrets.as_ref().is_some_and(|s| {
                let (row, cells) = &rows[i];
                s.hides(row.saturating_add(1), column, &cells[column])
            })
        };
        let mut frame = Vec::with_capacity(rows.len() * 128);
        wire::put_rows_frame(&mut frame, rows, &blank);
        if self.out.write_all(&frame).is_err() {
            self.broken = true;
            return;
        }
        self.sent += rows.len();
    }

    fn reset(&mut self) {
        self.sent = 0;
    }
}
