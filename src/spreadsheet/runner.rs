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
        command.args(["--sheet", name]);
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
    let writer = std::thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            // A child that stops reading (it refused the file early) closes
            // the pipe: that is no error of ours.
            let _ = stdin.write_all(&bytes);
        }
    });
    let stdout = child.stdout.take();
    let cap = answer_limit(&limits);
    let reader = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
        let mut answer = Vec::new();
        if let Some(out) = stdout {
            out.take(cap + 1).read_to_end(&mut answer)?;
        }
        Ok(answer)
    });
    let deadline = Instant::now() + Duration::from_secs(settings.seconds);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(ReadError::ReaderFailed(e.to_string())),
        }
    };
    let _ = writer.join();
    let answer = reader
        .join()
        .map_err(|_| ReadError::ReaderFailed("reader thread".into()))?
        .map_err(|e| ReadError::ReaderFailed(e.to_string()))?;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        bytes = answer.len(),
        "reader child done"
    );
    match status {
        // Killed at the deadline, by its CPU limit, or aborted when an
        // allocation failed under its memory limit.
        None => Err(ReadError::ReaderLimit),
        Some(s) if !s.success() => Err(ReadError::ReaderLimit),
        Some(_) if answer.len() as u64 > cap => Err(ReadError::ReaderLimit),
        Some(_) => {
            let book = wire::decode(&answer).map_err(ReadError::ReaderFailed)??;
            Ok((book, answer))
        }
    }
}

/// `einlass read-spreadsheet`: limits first, then the file from standard
/// input, the answer to standard output. Exit code 0 whenever an answer was
/// written (a refused file is an answer too).
pub fn child_main(args: &ChildArgs, schema: &crate::domain::import::Schema) -> i32 {
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
    // A reader bug is a damaged file to the admin, not a dead child.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut book = super::read::read(&bytes, args.sheet.as_deref(), &limits, &|head| {
            schema.recognises(head)
        })?;
        // A password column's values never leave the child.
        for sheet in &mut book.sheets {
            schema.blank_secrets(&mut sheet.head);
        }
        schema.blank_secrets(&mut book.rows);
        Ok(book)
    }))
    .unwrap_or_else(|_| Err(ReadError::Damaged("the reader failed on this file".into())));
    drop(bytes);
    let answer = wire::encode(&result);
    let mut out = std::io::stdout().lock();
    if out.write_all(&answer).and_then(|()| out.flush()).is_err() {
        return 5;
    }
    0
}
