//! Database access: one connection type over SQLite and PostgreSQL, the pool,
//! embedded migrations per backend and the write-transaction helper.

#[cfg(test)]
mod checkpoint_tests;
#[cfg(test)]
mod migration_tests;
pub mod schema;
#[cfg(test)]
pub(crate) mod test_support;

pub use crate::config::redact_url;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type diesel generates for [`DbConn`].
pub type Db = <DbConn as diesel::Connection>::Backend;

pub type DbPool = r2d2::Pool<DbManager>;
pub type PooledConn = r2d2::PooledConnection<DbManager>;

/// Which database a URL names, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseTarget {
    Postgres(String),
    Sqlite(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(
        "unsupported database URL {0:?}: use postgres://user@host:port/db or sqlite://path/to/file.sqlite3"
    )]
    UnsupportedUrl(String),
    #[error(
        "the directory {0:?} for the SQLite database does not exist (check DATABASE_URL for a typo)"
    )]
    MissingDirectory(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the database: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
}

impl DatabaseTarget {
    /// Parses a database URL. A password in a PostgreSQL URL is never echoed back.
    pub fn parse(url: &str) -> Result<Self, DatabaseError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        match path {
            Some(path) if !path.is_empty() => Ok(Self::Sqlite(path.to_owned())),
            _ => Err(DatabaseError::UnsupportedUrl(redact_url(url))),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "PostgreSQL",
            Self::Sqlite(_) => "SQLite",
        }
    }
}

/// r2d2 connection manager that picks the backend from the URL itself, so the
/// real connection error reaches the operator (diesel's derived `establish`
/// would hide it behind "invalid connection url").
#[derive(Debug)]
pub struct DbManager {
    target: DatabaseTarget,
}

impl DbManager {
    pub fn new(target: DatabaseTarget) -> Result<Self, DatabaseError> {
        if let DatabaseTarget::Sqlite(path) = &target {
            let parent = Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty());
            if let Some(parent) = parent
                && !parent.is_dir()
            {
                return Err(DatabaseError::MissingDirectory(
                    parent.display().to_string(),
                ));
            }
        }
        Ok(Self { target })
    }

    pub fn establish(&self) -> Result<DbConn, diesel::ConnectionError> {
        match &self.target {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url).map(DbConn::Postgres),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                     PRAGMA case_sensitive_like = ON; PRAGMA cache_size = -16000; \
                     PRAGMA journal_size_limit = 67108864;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    /// Called as a connection goes back to the pool, on the thread that used
    /// it: a connection whose last query failed at the connection level is
    /// dropped instead of handed out again (see [`note_failure`]).
    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        CONNECTION_FAILED.with(|failed| failed.replace(false))
    }
}

thread_local! {
    static CONNECTION_FAILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Remembers that the connection in use on this thread is dead (the server
/// restarted, the network dropped), so the pool discards it when it is
/// returned. Checked-out connections are not pinged (that would cost a round
/// trip per request); instead a dead one fails one request and is replaced.
pub fn note_failure(err: &diesel::result::Error) {
    use diesel::result::{DatabaseErrorKind, Error};
    let dead = matches!(
        err,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | Error::BrokenTransactionManager
    );
    if dead {
        CONNECTION_FAILED.with(|failed| failed.set(true));
    }
}

/// Connects once (so a wrong URL fails fast with its real cause), switches
/// SQLite to WAL, applies pending migrations and builds the pool.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DatabaseError> {
    let target = DatabaseTarget::parse(url)?;
    let manager = DbManager::new(target.clone())?;
    let mut first = manager.establish()?;
    if let DbConn::Sqlite(conn) = &mut first {
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    run_migrations(&mut first)?;
    drop(first);
    let max_size = match target {
        DatabaseTarget::Sqlite(_) => max_size.clamp(1, 8),
        DatabaseTarget::Postgres(_) => max_size.max(1),
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)?;
    Ok(pool)
}

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, DatabaseError> {
    let applied = match conn {
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DatabaseError::Migration(e.to_string()))
}

/// Hands back the page cache a connection filled (SQLite; each pooled
/// connection may keep up to 16 MB): for the end of work that read or wrote
/// a whole table, like an import, so the memory does not stay with one
/// idle connection of the pool.
pub fn release_cache(conn: &mut DbConn) {
    if let DbConn::Sqlite(c) = conn {
        let _ = c.batch_execute("PRAGMA shrink_memory");
    }
}

/// SQLite's automatic checkpoint, in pages of the write-ahead log (its default).
const AUTOCHECKPOINT_PAGES: u32 = 1000;

/// [`write_tx`] for a write of many pages (an import's preview, commit or
/// undo). On SQLite the commit leaves out the automatic checkpoint, which
/// would copy every page just written from the write-ahead log into the
/// database file and sync it while the admin waits (a tenth of a second or
/// more for 100,000 rows); the caller has it done once it has answered
/// ([`crate::context::Context::checkpoint_soon`]). The log keeps the writes
/// safe meanwhile, as it does for every commit.
pub fn bulk_write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if matches!(conn, DbConn::Postgres(_)) {
        return write_tx(conn, f);
    }
    conn.batch_execute("PRAGMA wal_autocheckpoint = 0")?;
    let result = write_tx(conn, f);
    let restored = conn.batch_execute(&format!(
        "PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}"
    ));
    if let Err(e) = restored {
        // The connection would never checkpoint again: it leaves the pool.
        tracing::warn!(error = %e, "SQLite: the automatic checkpoint could not be set back");
        CONNECTION_FAILED.with(|failed| failed.set(true));
    }
    result
}

/// SQLite: copies what the write-ahead log holds into the database file, as
/// far as no reader still needs the log (`PASSIVE`: nobody waits for it).
/// Whether all of it is copied: only then can the next write start the log
/// from its beginning again (and cut the file down to `journal_size_limit`,
/// 64 MiB); while readers hold older pages, the log grows with every write.
pub fn checkpoint(conn: &mut DbConn) -> QueryResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Checkpointed {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        log: i32,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        checkpointed: i32,
    }
    let DbConn::Sqlite(c) = conn else {
        return Ok(true);
    };
    let done: Checkpointed = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(c)?;
    Ok(done.checkpointed >= done.log)
}

/// Runs `f` in one write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a
/// writer waits for the lock up front (busy_timeout) instead of failing when a
/// read transaction tries to upgrade; on PostgreSQL an ordinary transaction.
/// Services are the only callers; they never nest.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Postgres(_) => conn.transaction(f),
        DbConn::Sqlite(_) => {
            conn.batch_execute("BEGIN IMMEDIATE")?;
            let mut guard = RollbackGuard { conn, done: false };
            let result = f(guard.conn);
            guard.done = true;
            match result {
                Ok(value) => match guard.conn.batch_execute("COMMIT") {
                    Ok(()) => Ok(value),
                    Err(e) => {
                        let _ = guard.conn.batch_execute("ROLLBACK");
                        Err(e.into())
                    }
                },
                Err(e) => {
                    let _ = guard.conn.batch_execute("ROLLBACK");
                    Err(e)
                }
            }
        }
    }
}

/// Runs `f`, which takes row locks, waiting at most `wait` for each of them
/// on PostgreSQL (the rest of the transaction waits as usual). For a form
/// saved while a long write holds the rows (an import's commit): it answers
/// in seconds, and its connection goes back to the pool, instead of queueing
/// behind the write until the pool is empty for everyone ([`LockWait::TimedOut`]).
/// On SQLite `BEGIN IMMEDIATE` has already waited.
pub fn with_lock_wait<T>(
    conn: &mut DbConn,
    wait: Duration,
    f: impl FnOnce(&mut DbConn) -> QueryResult<T>,
) -> Result<T, LockWait> {
    let started = std::time::Instant::now();
    if let DbConn::Postgres(c) = conn {
        c.batch_execute(&format!(
            "SET LOCAL lock_timeout = {}",
            wait.as_millis().max(1)
        ))?;
    }
    match f(conn) {
        Ok(value) => {
            if let DbConn::Postgres(c) = conn {
                c.batch_execute("SET LOCAL lock_timeout TO DEFAULT")?;
            }
            Ok(value)
        }
        // The server's message may be in its own language: a database
        // error after the whole wait is the timeout too.
        Err(diesel::result::Error::DatabaseError(_, info))
            if matches!(conn, DbConn::Postgres(_))
                && (info.message().contains("lock timeout") || started.elapsed() >= wait) =>
        {
            Err(LockWait::TimedOut)
        }
        Err(e) => Err(LockWait::Failed(e)),
    }
}

/// Why [`with_lock_wait`] gave up.
#[derive(Debug)]
pub enum LockWait {
    /// A lock stayed held longer than the wait.
    TimedOut,
    Failed(diesel::result::Error),
}

impl From<diesel::result::Error> for LockWait {
    fn from(e: diesel::result::Error) -> Self {
        LockWait::Failed(e)
    }
}

/// Rolls back an open SQLite transaction if the closure panicked, so the
/// connection goes back to the pool clean.
struct RollbackGuard<'a> {
    conn: &'a mut DbConn,
    done: bool,
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.batch_execute("ROLLBACK");
        }
    }
}
