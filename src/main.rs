//! The `einlass` binary: parse the command line, set up logging, hand over to
//! the library.

use std::process::ExitCode;

use clap::Parser;
use einlass::cli::Cli;
use tracing_subscriber::EnvFilter;

/// mimalloc: the request path allocates a lot from several threads, where
/// glibc's allocator spent a tenth of the CPU (docs/PERFORMANCE.md). Its
/// `override` feature makes it C's `malloc` too (SQLite, libpq): with glibc's
/// per-thread arenas beside it, memory SQLite freed after an import stayed
/// with the process (docs/DECISIONS.md, "One allocator for Rust and C").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // No transparent huge pages for this process and the reader children it
    // starts (the flag is inherited): mimalloc asks for them on its arenas,
    // and every first touch of a 2 MiB page cleared all of it, a fifth of
    // the server's CPU while it checked an upload of 100,000 rows
    // (docs/PERFORMANCE.md). Where the kernel refuses, nothing changes.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    let filter = EnvFilter::try_new(&cli.config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal, never into a log file or journal.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    match einlass::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("einlass: {message}");
            ExitCode::FAILURE
        }
    }
}
