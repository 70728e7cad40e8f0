//! The application below the web layer: the database behind a fair queue,
//! queues for CPU-heavy work, the clock, the cached settings and unit
//! catalogue, and the secrets. Built by `startup`; used by the web layer,
//! the CLI, the jobs (and later the mail worker and the JSON API), always
//! through the services. Nothing in it knows HTTP.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::domain::Settings;
use crate::domain::units::UnitCatalog;

/// Why queued work did not run.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Waited longer than the configured limit for a turn.
    #[error("waited too long for a turn ({0:?})")]
    Busy(Duration),
    /// The pool could not hand out a connection (database down or unreachable).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("the work panicked")]
    Panicked,
}

/// An error that may carry the database's own error, so that a connection
/// which failed at the connection level is discarded, not reused.
pub trait DatabaseFailure {
    fn database_error(&self) -> Option<&diesel::result::Error>;
}

/// The pool with a fair queue in front of it: one permit per connection,
/// handed out in arrival order (r2d2's own wait is not FIFO and produced
/// second-long tails under load). Requests and jobs share this one queue; a
/// caller that waits longer than `wait` gets [`QueueError::Busy`] (a 503 page).
pub struct Database {
    pool: DbPool,
    permits: Arc<Semaphore>,
    wait: Duration,
    sqlite: bool,
}

impl Database {
    pub fn new(pool: DbPool, wait: Duration, sqlite: bool) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(pool.max_size() as usize)),
            pool,
            wait,
            sqlite,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// Runs `f` with a connection on the blocking pool, after waiting for a
    /// turn. Keep `f` short: CPU work belongs in [`Context::cpu`].
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<QueueError> + DatabaseFailure + Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| QueueError::Busy(self.wait))?
            .map_err(|_| QueueError::Unavailable("queue closed".into()))?;
        let pool = self.pool.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool
                .get()
                .map_err(|e| QueueError::Unavailable(e.to_string()))?;
            let result = f(&mut conn);
            if let Err(e) = &result
                && let Some(db_error) = e.database_error()
            {
                crate::db::note_failure(db_error);
            }
            result
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(join) => {
                tracing::error!(error = %join, "database work panicked");
                Err(QueueError::Panicked.into())
            }
        }
    }
}

/// Keys that never leave the process; Debug prints nothing of them.
pub struct Secrets {
    /// HMAC key of the CSRF tokens.
    pub csrf_key: Vec<u8>,
    /// A bcrypt hash checked against when a sign-in names no account, so
    /// both answers cost the same.
    pub dummy_hash: String,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(***)")
    }
}

struct Inner {
    db: Database,
    clock: Clock,
    config: Config,
    settings: RwLock<Arc<Settings>>,
    units: RwLock<Arc<UnitCatalog>>,
    /// The mail texts as the admins edited them (loaded at start, kept in
    /// step by the caches job and by this instance's own saves).
    mail_texts: RwLock<Arc<crate::domain::templates::MailTexts>>,
    secrets: Secrets,
    /// How mail leaves: SMTP, or the in-app mailbox.
    mailer: crate::mailer::Mailer,
    /// Names this process among the mail workers (leases carry it).
    worker_id: String,
    /// CPU-heavy work (bcrypt): at most one per core at a time, so a flood
    /// of sign-ins queues here instead of starving everything else.
    cpu: Arc<Semaphore>,
    /// Photo decodes: each may take up to ~200 MB while it runs.
    photo_decodes: Arc<Semaphore>,
    spreadsheet_reads: Arc<Semaphore>,
    /// Imports read, checked and staged at once (see [`ImportTurn`]).
    imports: Arc<Semaphore>,
}

/// Cheap to clone: one shared instance per running app.
#[derive(Clone)]
pub struct Context(Arc<Inner>);

/// Photo decodes that may run at once (memory: see `domain::photo`).
pub const PHOTO_DECODES_AT_ONCE: usize = 2;

/// Spreadsheet uploads read at once (each by a child process that may use
/// the configured reader memory).
pub const SPREADSHEET_READS_AT_ONCE: usize = 2;

/// Imports prepared at once: each holds its file's rows, the keys of every
/// account and the rows being staged (about 200 MB for 100,000 rows), so
/// the next one waits for its turn (up to the queue timeout, then a busy
/// page) instead of adding its own peak to the first one's.
pub const IMPORTS_AT_ONCE: usize = 1;

/// The right to read, check and stage one import now; held until the
/// preview is staged. Functions that stage take one, so none can forget it.
pub struct ImportTurn {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Context {
    pub fn new(
        db: Database,
        config: Config,
        clock: Clock,
        settings: Settings,
        units: UnitCatalog,
        secrets: Secrets,
        mailer: crate::mailer::Mailer,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self(Arc::new(Inner {
            db,
            clock,
            config,
            settings: RwLock::new(Arc::new(settings)),
            units: RwLock::new(Arc::new(units)),
            mail_texts: RwLock::new(Arc::default()),
            secrets,
            mailer,
            worker_id: format!(
                "{}-{}-{}",
                std::process::id(),
                crate::domain::token::random_secret()
                    .get(..8)
                    .unwrap_or_default(),
                hostname_hint()
            ),
            cpu: Arc::new(Semaphore::new(cores)),
            photo_decodes: Arc::new(Semaphore::new(PHOTO_DECODES_AT_ONCE)),
            spreadsheet_reads: Arc::new(Semaphore::new(SPREADSHEET_READS_AT_ONCE)),
            imports: Arc::new(Semaphore::new(IMPORTS_AT_ONCE)),
        }))
    }

    pub fn db(&self) -> &Database {
        &self.0.db
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    pub fn now(&self) -> time::PrimitiveDateTime {
        self.0.clock.now()
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn secrets(&self) -> &Secrets {
        &self.0.secrets
    }

    pub fn mailer(&self) -> &crate::mailer::Mailer {
        &self.0.mailer
    }

    /// This process's name in mail leases.
    pub fn worker_id(&self) -> &str {
        &self.0.worker_id
    }

    pub fn settings(&self) -> Arc<Settings> {
        match self.0.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_settings(&self, settings: Settings) {
        let settings = Arc::new(settings);
        match self.0.settings.write() {
            Ok(mut s) => *s = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }

    pub fn mail_texts(&self) -> Arc<crate::domain::templates::MailTexts> {
        match self.0.mail_texts.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_mail_texts(&self, texts: crate::domain::templates::MailTexts) {
        let texts = Arc::new(texts);
        match self.0.mail_texts.write() {
            Ok(mut t) => *t = texts,
            Err(poisoned) => *poisoned.into_inner() = texts,
        }
    }

    pub fn units(&self) -> Arc<UnitCatalog> {
        match self.0.units.read() {
            Ok(u) => u.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_units(&self, catalog: UnitCatalog) {
        let catalog = Arc::new(catalog);
        match self.0.units.write() {
            Ok(mut u) => *u = catalog,
            Err(poisoned) => *poisoned.into_inner() = catalog,
        }
    }

    /// Runs CPU-heavy work (password hashing) on the blocking pool, without
    /// a database connection, at most one per core at a time.
    pub async fn cpu<T, F>(&self, f: F) -> Result<T, QueueError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        queued_blocking(&self.0.cpu, self.0.db.wait, f).await
    }

    /// Runs a photo decode: like [`Self::cpu`], but at most
    /// [`PHOTO_DECODES_AT_ONCE`] at a time, because each needs much memory.
    pub async fn photo_decode<T, F>(&self, f: F) -> Result<T, QueueError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        queued_blocking(&self.0.photo_decodes, self.0.db.wait, f).await
    }
}

/// How often, and how far apart, a checkpoint after a large write is tried
/// while readers still need part of the log.
const CHECKPOINT_TRIES: u32 = 40;
const CHECKPOINT_AGAIN: Duration = Duration::from_millis(250);

impl Context {
    /// SQLite: has the write-ahead log copied into the database file on the
    /// blocking pool, without anyone waiting for it (after a
    /// [`crate::db::bulk_write_tx`], while its answer goes out). Outside a
    /// runtime (nothing to run it on) the next commit's automatic checkpoint
    /// does it.
    pub fn checkpoint_soon(&self) {
        if !self.db().is_sqlite() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let ctx = self.clone();
        runtime.spawn(async move {
            // Readers that still hold older pages keep part of the log:
            // tried again while they finish (each read is short), so the log
            // does not grow with every import on a busy instance.
            for _ in 0..CHECKPOINT_TRIES {
                let done = ctx
                    .db()
                    .run(|conn| {
                        crate::db::checkpoint(conn).map_err(crate::services::ServiceError::from)
                    })
                    .await;
                match done {
                    Ok(true) => return,
                    Ok(false) => tokio::time::sleep(CHECKPOINT_AGAIN).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "SQLite: checkpoint after a large write failed");
                        return;
                    }
                }
            }
            tracing::debug!("SQLite: readers kept part of the log; the next checkpoint copies it");
        });
    }

    /// Runs the reading of an upload (it waits for its child process): at
    /// most [`SPREADSHEET_READS_AT_ONCE`] at a time.
    pub async fn read_spreadsheet<T, F>(&self, f: F) -> Result<T, QueueError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        queued_blocking(&self.0.spreadsheet_reads, self.0.db.wait, f).await
    }

    /// Waits for this import's turn (see [`IMPORTS_AT_ONCE`]).
    pub async fn import_turn(&self) -> Result<ImportTurn, QueueError> {
        let wait = self.0.db.wait;
        let permit = tokio::time::timeout(wait, self.0.imports.clone().acquire_owned())
            .await
            .map_err(|_| QueueError::Busy(wait))?
            .map_err(|_| QueueError::Unavailable("queue closed".into()))?;
        Ok(ImportTurn { _permit: permit })
    }
}

fn hostname_hint() -> String {
    std::env::var("HOSTNAME")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect()
}

async fn queued_blocking<T, F>(
    queue: &Arc<Semaphore>,
    wait: Duration,
    f: F,
) -> Result<T, QueueError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = tokio::time::timeout(wait, queue.clone().acquire_owned())
        .await
        .map_err(|_| QueueError::Busy(wait))?
        .map_err(|_| QueueError::Unavailable("queue closed".into()))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|join| {
        tracing::error!(error = %join, "blocking work panicked");
        QueueError::Panicked
    })
}
