//! Command line: `serve` (default), `migrate`, `admin create`, `healthcheck`, `dev seed`.

use clap::{Args, Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "einlass",
    version,
    about = "Einlass: bring your people into your employee app"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage admin accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Ask a running instance whether it is healthy (exit code 0 = yes).
    Healthcheck {
        /// Base URL of the instance; default: http://<EINLASS_BIND>
        #[arg(long)]
        url: Option<String>,
    },
    /// Developer tools.
    #[command(subcommand)]
    Dev(DevCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account (the first one or another).
    Create(AdminCreateArgs),
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long, default_value = "Admin")]
    pub first_name: String,
    #[arg(long, default_value = "Einlass")]
    pub last_name: String,
    /// administrator | benutzerverwaltung | lesezugriff
    #[arg(long, default_value = "administrator")]
    pub role: String,
    /// Read the password from the first line of standard input instead of
    /// generating one (a generated one is printed once and must be changed at first login).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Fill the database with realistic fake users, groups and areas (for benchmarks).
    Seed {
        #[arg(long, default_value_t = 1000)]
        users: u32,
    },
}
