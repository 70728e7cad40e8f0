//! Settings of one running instance, from the environment (or flags). Held by
//! the `Context`; nothing global. Secrets never appear in Debug output.

use std::fmt;

use clap::Args;

#[derive(Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "EINLASS_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Database: sqlite://path/file.sqlite3 or postgres://user@host:port/db.
    /// EINLASS_DATABASE_URL wins over DATABASE_URL.
    #[arg(long, env = "EINLASS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Public base URL under which people reach this instance; links in emails
    /// and the setup link are built from it, never from the request.
    /// When set, it wins over the stored value (which it replaces, with a
    /// warning) and the settings page shows it read-only; when unset, the
    /// stored value applies and the settings page can change it.
    #[arg(long, env = "EINLASS_PUBLIC_BASE_URL", global = true)]
    pub public_base_url: Option<String>,

    /// Secret key material for CSRF tokens (at least 32 characters). If unset,
    /// a random secret is generated once and kept in the database.
    #[arg(
        long,
        env = "EINLASS_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub secret_key: Option<String>,

    /// Log filter, e.g. info, debug, einlass=debug,actix_web=info.
    #[arg(long, env = "EINLASS_LOG", default_value = "info", global = true)]
    pub log: String,

    /// bcrypt cost for new password hashes (12; lower only for tests).
    #[arg(long, env = "EINLASS_BCRYPT_COST", default_value_t = 12, global = true)]
    pub bcrypt_cost: u32,

    /// Minutes without a request after which an admin session ends.
    #[arg(
        long,
        env = "EINLASS_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: i64,

    /// Hours after login after which an admin session ends regardless.
    #[arg(
        long,
        env = "EINLASS_SESSION_ABSOLUTE_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_absolute_hours: i64,

    /// Database connections in the pool.
    #[arg(long, env = "EINLASS_DB_POOL_SIZE", default_value_t = 8, global = true)]
    pub db_pool_size: u32,

    /// HTTP worker threads (0 = one per core).
    #[arg(long, env = "EINLASS_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,

    /// Milliseconds a request waits for its turn at the database (or at the
    /// password-hashing queue) before it gets a "busy, try again" page (503).
    #[arg(
        long,
        env = "EINLASS_QUEUE_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub queue_timeout_ms: u64,

    /// Reverse proxies whose X-Forwarded-For / Forwarded headers are believed:
    /// addresses or CIDR ranges, comma-separated (default: none).
    #[arg(
        long,
        env = "EINLASS_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,

    /// Whether `einlass serve` runs background tasks (bulk work such as
    /// "Alle neu angelegten einladen") itself (default). Set to false when
    /// only some instances, or `einlass jobs run` from cron, should.
    #[arg(
        long,
        env = "EINLASS_TASKS_IN_SERVE",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub tasks_in_serve: bool,

    #[command(flatten)]
    pub mail: MailConfig,

    #[command(flatten)]
    pub import: ImportConfig,
}

/// Limits of the spreadsheet import (and the reader that enforces them).
#[derive(Clone, Debug, Args)]
pub struct ImportConfig {
    /// Largest upload in megabytes.
    #[arg(
        long = "import-max-mb",
        env = "EINLASS_IMPORT_MAX_MB",
        default_value_t = 10,
        global = true
    )]
    pub max_mb: u64,

    /// Most rows of data in one file.
    #[arg(
        long = "import-max-rows",
        env = "EINLASS_IMPORT_MAX_ROWS",
        default_value_t = crate::domain::import::DEFAULT_MAX_ROWS,
        global = true
    )]
    pub max_rows: u32,

    /// Memory (MB) the process that reads a spreadsheet may use.
    #[arg(
        long = "import-reader-memory-mb",
        env = "EINLASS_IMPORT_READER_MEMORY_MB",
        default_value_t = 1024,
        global = true
    )]
    pub reader_memory_mb: u64,

    /// Seconds the process that reads a spreadsheet may take.
    #[arg(
        long = "import-reader-seconds",
        env = "EINLASS_IMPORT_READER_SECONDS",
        default_value_t = 60,
        global = true
    )]
    pub reader_seconds: u64,

    /// The program that reads spreadsheets (default: this binary).
    #[arg(long = "import-reader", env = "EINLASS_IMPORT_READER", global = true)]
    pub reader: Option<std::path::PathBuf>,
}

impl ImportConfig {
    pub fn defaults() -> Self {
        Self {
            max_mb: 10,
            max_rows: crate::domain::import::DEFAULT_MAX_ROWS,
            reader_memory_mb: 1024,
            reader_seconds: 60,
            reader: None,
        }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_mb.saturating_mul(1024 * 1024)
    }

    /// How the server runs the reader.
    pub fn reader_settings(&self) -> crate::spreadsheet::runner::ReaderSettings {
        crate::spreadsheet::runner::ReaderSettings {
            program: self
                .reader
                .clone()
                .or_else(running_binary)
                .unwrap_or_else(|| "einlass".into()),
            memory_mb: self.reader_memory_mb.max(64),
            seconds: self.reader_seconds.max(1),
            max_rows: self.max_rows.max(1),
        }
    }
}

/// The binary this process runs, to start the reader from. On Linux
/// `/proc/self/exe`: it is this very binary even after the file was
/// replaced or deleted (an upgrade in place while the server runs), where
/// the path would start the new build, or nothing, and a reader whose
/// answer the running server might not understand.
fn running_binary() -> Option<std::path::PathBuf> {
    let this = std::path::Path::new("/proc/self/exe");
    if this.exists() {
        Some(this.to_path_buf())
    } else {
        std::env::current_exe().ok()
    }
}

/// How mail leaves the instance. Without `EINLASS_SMTP_HOST` it does not
/// leave: the worker delivers into the in-app mailbox (Admin > Postfach).
#[derive(Clone, Args)]
pub struct MailConfig {
    /// Whether `einlass serve` runs a mail worker itself (default). Set to
    /// false when workers run apart, as `einlass mail work`.
    #[arg(
        long,
        env = "EINLASS_MAIL_WORKER_IN_SERVE",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub worker_in_serve: bool,

    /// SMTP server; unset = mail stays in the in-app mailbox.
    #[arg(long, env = "EINLASS_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,

    /// SMTP port (default: 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, env = "EINLASS_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,

    /// starttls (default), tls (implicit TLS, "SMTPS") or none.
    #[arg(
        long,
        env = "EINLASS_SMTP_SECURITY",
        default_value = "starttls",
        global = true
    )]
    pub smtp_security: String,

    /// SMTP user name (with EINLASS_SMTP_PASSWORD; unset = no authentication).
    #[arg(long, env = "EINLASS_SMTP_USER", global = true)]
    pub smtp_user: Option<String>,

    /// SMTP password; never printed.
    #[arg(
        long,
        env = "EINLASS_SMTP_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,

    /// Sender address of every message (default: einlass@ the public host).
    #[arg(long, env = "EINLASS_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Sender name (default: the organisation's name).
    #[arg(long, env = "EINLASS_MAIL_FROM_NAME", global = true)]
    pub mail_from_name: Option<String>,

    /// SMTP connections kept open and used at once.
    #[arg(
        long,
        env = "EINLASS_SMTP_POOL_SIZE",
        default_value_t = 4,
        global = true
    )]
    pub smtp_pool_size: u32,

    /// Seconds to wait for the SMTP server at each step.
    #[arg(
        long,
        env = "EINLASS_SMTP_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub smtp_timeout_secs: u64,

    /// Temporary failures are retried (30 s, 1 min, 2 min, … at most hourly)
    /// until this many hours after the message was queued; then it fails.
    #[arg(
        long,
        env = "EINLASS_MAIL_GIVE_UP_HOURS",
        default_value_t = 72,
        global = true
    )]
    pub mail_give_up_hours: i64,

    /// First retry delay in seconds; it doubles with each attempt (at most hourly).
    #[arg(
        long,
        env = "EINLASS_MAIL_RETRY_SECS",
        default_value_t = 30,
        global = true
    )]
    pub mail_retry_secs: i64,
}

impl MailConfig {
    pub fn none() -> Self {
        Self {
            worker_in_serve: true,
            smtp_host: None,
            smtp_port: None,
            smtp_security: "starttls".into(),
            smtp_user: None,
            smtp_password: None,
            mail_from: None,
            mail_from_name: None,
            smtp_pool_size: 4,
            smtp_timeout_secs: 30,
            mail_give_up_hours: 72,
            mail_retry_secs: 30,
        }
    }

    pub fn retry_base(&self) -> time::Duration {
        time::Duration::seconds(self.mail_retry_secs.clamp(1, 3600))
    }
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("worker_in_serve", &self.worker_in_serve)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "***"))
            .field("mail_from", &self.mail_from)
            .field("mail_from_name", &self.mail_from_name)
            .field("smtp_pool_size", &self.smtp_pool_size)
            .field("smtp_timeout_secs", &self.smtp_timeout_secs)
            .field("mail_give_up_hours", &self.mail_give_up_hours)
            .field("mail_retry_secs", &self.mail_retry_secs)
            .finish()
    }
}

impl Config {
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://einlass.sqlite3";

    /// EINLASS_DATABASE_URL, else DATABASE_URL, else the embedded SQLite file.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| {
                std::env::var("DATABASE_URL")
                    .ok()
                    .filter(|v| !v.trim().is_empty())
            })
            .unwrap_or_else(|| Self::DEFAULT_DATABASE_URL.to_owned())
    }

    /// The base URL to seed the settings with on first start.
    pub fn initial_base_url(&self) -> String {
        self.public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Configuration for tests and tools: defaults everywhere, the given database.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: Some(database_url.into()),
            public_base_url: None,
            secret_key: None,
            log: "warn".into(),
            bcrypt_cost: 12,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            db_pool_size: 8,
            workers: 0,
            queue_timeout_ms: 10_000,
            trusted_proxies: String::new(),
            tasks_in_serve: true,
            mail: MailConfig::none(),
            import: ImportConfig::defaults(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url()))
            .field("public_base_url", &self.public_base_url)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("log", &self.log)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("db_pool_size", &self.db_pool_size)
            .field("workers", &self.workers)
            .field("queue_timeout_ms", &self.queue_timeout_ms)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("mail", &self.mail)
            .field("import", &self.import)
            .finish()
    }
}

/// Hides the password part of `scheme://user:password@host`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
