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
