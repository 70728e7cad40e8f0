//! A fresh database per test, cloned from a migrated template (a copied file
//! on SQLite, `CREATE DATABASE .. TEMPLATE` on PostgreSQL, named after a hash
//! of the migrations so a changed migration gets a new template), dropped
//! afterwards. PostgreSQL runs when EINLASS_TEST_POSTGRES_URL names a server.

use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::{PgConnection, SqliteConnection};
use sha2::{Digest, Sha256};

pub const POSTGRES_VAR: &str = "EINLASS_TEST_POSTGRES_URL";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// The server URL (any database on it; tests create their own).
    Postgres(String),
}

impl Backend {
    /// PostgreSQL if configured. Under CI a missing URL fails the test.
    pub fn postgres() -> Option<Self> {
        match std::env::var(POSTGRES_VAR) {
            Ok(url) if !url.trim().is_empty() => Some(Backend::Postgres(without_tls(&url))),
            _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
                panic!("{POSTGRES_VAR} must be set under CI: PostgreSQL tests may not be skipped")
            }
            _ => None,
        }
    }
}

/// The test server on loopback, without TLS unless the URL asks for it.
/// libpq would otherwise negotiate TLS (Debian's server offers it) and so
/// load OpenSSL, whose exit handler then frees its state while threads of
/// the test process may still hold TLS connections: a crash after every
/// test has passed.
fn without_tls(url: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("EINLASS_TEST_POSTGRES_URL is a URL");
    if !parsed.query_pairs().any(|(k, _)| k == "sslmode") {
        parsed.query_pairs_mut().append_pair("sslmode", "disable");
    }
    parsed.to_string()
}

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Keeps the temp directory alive until the test ends.
    Dir {
        _guard: tempdir::TempDir,
    },
    Database {
        server: String,
        name: String,
    },
}

/// The server URL with another database name.
pub fn with_database(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("PostgreSQL URL");
    url.set_path(name);
    url.to_string()
}

/// A short hash of one backend's migration files.
fn migrations_hash(dir: &str) -> String {
    let root = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .expect("migrations")
        .filter_map(|e| e.ok())
        .flat_map(|e| ["up.sql", "down.sql"].map(|f| e.path().join(f)))
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for f in files {
        hash.update(f.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&f).unwrap_or_default());
    }
    hex::encode(hash.finalize())[..12].to_owned()
}

fn migrate(url: &str) {
    let config = einlass::config::Config::for_database(url);
    einlass::services::maintenance::migrate(&config).expect("template migrates");
}

/// The migrated SQLite template file of this test run.
fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: OnceLock<tempdir::TempDir> = OnceLock::new();
    let dir = TEMPLATE.get_or_init(|| {
        let dir = tempdir::TempDir::new();
        migrate(&format!(
            "sqlite://{}",
            dir.path.join("template.sqlite3").display()
        ));
        dir
    });
    // Leaked on purpose: the statics of a test binary are not dropped.
    Box::leak(dir.path.join("template.sqlite3").into_boxed_path())
}

/// The migrated PostgreSQL template on this server (made once, kept).
fn postgres_template(server: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("einlass_tpl_{}", migrations_hash("postgres"));
            let mut admin = PgConnection::establish(server).expect("PostgreSQL reachable");
            #[derive(QueryableByName)]
            struct Found {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let exists = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
            ))
            .get_result::<Found>(&mut admin)
            .expect("catalogue")
            .n > 0;
            if !exists {
                // Built under a temporary name, published by a rename: a
                // half-built template is never used.
                let building = format!("{name}_{}", &einlass::domain::token::random_secret()[..8]);
                admin
                    .batch_execute(&format!("CREATE DATABASE {building}"))
                    .expect("create template");
                migrate(&with_database(server, &building));
                if admin
                    .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .is_err()
                {
                    // Another test run published it first.
                    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {building}"));
                }
            }
            name
        })
        .clone()
}

impl TestDb {
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub fn create(backend: Backend) -> Self {
        let suffix = einlass::domain::token::random_secret()[..16].to_owned();
        match &backend {
            Backend::Sqlite => {
                let dir = tempdir::TempDir::new();
                let path = dir.path.join("einlass.sqlite3");
                std::fs::copy(sqlite_template(), &path).expect("copy template");
                Self {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    cleanup: Cleanup::Dir { _guard: dir },
                }
            }
            Backend::Postgres(server) => {
                let template = postgres_template(server);
                let name = format!("einlass_test_{suffix}");
                let mut admin =
                    PgConnection::establish(server).expect("PostgreSQL reachable for tests");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .expect("create test database");
                Self {
                    url: with_database(server, &name),
                    backend: backend.clone(),
                    cleanup: Cleanup::Database {
                        server: server.clone(),
                        name,
                    },
                }
            }
        }
    }

    /// Runs SQL on the test database behind the app's back: for faults
    /// (a dropped table, a held lock) and for the few states no service can
    /// make yet. Says so where it is used.
    pub fn sql(&self, statements: &str) {
        match &self.backend {
            Backend::Sqlite => {
                SqliteConnection::establish(self.url.trim_start_matches("sqlite://"))
                    .expect("sqlite")
                    .batch_execute(statements)
                    .expect("sql")
            }
            Backend::Postgres(_) => PgConnection::establish(&self.url)
                .expect("postgres")
                .batch_execute(statements)
                .expect("sql"),
        }
    }

    /// A connection of its own to the test database, for holding locks
    /// behind the app's back.
    pub fn raw(&self) -> RawConn {
        match &self.backend {
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(self.url.trim_start_matches("sqlite://"))
                    .expect("sqlite");
                // The app's jobs may be writing: wait for them.
                c.batch_execute("PRAGMA busy_timeout = 5000")
                    .expect("busy timeout");
                RawConn::Sqlite(c)
            }
            Backend::Postgres(_) => {
                RawConn::Postgres(PgConnection::establish(&self.url).expect("postgres"))
            }
        }
    }

    /// Every row of every table as text, in a stable order.
    pub fn dump(&self) -> String {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = Text)]
            line: String,
        }
        let mut out = String::new();
        match &self.backend {
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(self.url.trim_start_matches("sqlite://"))
                        .expect("sqlite");
                let tables: Vec<Line> = diesel::sql_query(
                    "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'users_search%' AND name NOT LIKE 'outbox_search%' ORDER BY name",
                )
                .load(&mut conn)
                .expect("tables");
                for t in tables {
                    let columns: Vec<Line> = diesel::sql_query(format!(
                        "SELECT name AS line FROM pragma_table_info('{}') ORDER BY cid",
                        t.line
                    ))
                    .load(&mut conn)
                    .expect("columns");
                    let row = columns
                        .iter()
                        .map(|c| format!("quote(\"{}\")", c.line))
                        .collect::<Vec<_>>()
                        .join(" || ',' || ");
                    let rows: Vec<Line> = diesel::sql_query(format!(
                        "SELECT {row} AS line FROM \"{}\" ORDER BY 1",
                        t.line
                    ))
                    .load(&mut conn)
                    .expect("rows");
                    out.push_str(&format!("## {}\n", t.line));
                    for r in rows {
                        out.push_str(&r.line);
                        out.push('\n');
                    }
                }
            }
            Backend::Postgres(_) => {
                let mut conn = PgConnection::establish(&self.url).expect("postgres");
                let tables: Vec<Line> = diesel::sql_query(
                    "SELECT table_name::text AS line FROM information_schema.tables \
                     WHERE table_schema = 'public' ORDER BY 1",
                )
                .load(&mut conn)
                .expect("tables");
                for t in tables {
                    // The background job folds the counters' deltas into
                    // them at any moment: the dump shows their sums.
                    let query = match t.line.as_str() {
                        "user_status_count_deltas" => continue,
                        "user_status_counts" => "SELECT (c.status, c.live + coalesce(( \
                             SELECT sum(d.delta) FROM user_status_count_deltas d \
                             WHERE d.status = c.status), 0))::text AS line \
                             FROM user_status_counts c ORDER BY 1"
                            .to_owned(),
                        name => format!("SELECT t::text AS line FROM \"{name}\" t ORDER BY 1"),
                    };
                    let rows: Vec<Line> = diesel::sql_query(query).load(&mut conn).expect("rows");
                    out.push_str(&format!("## {}\n", t.line));
                    for r in rows {
                        out.push_str(&r.line);
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}

pub enum RawConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl RawConn {
    pub fn execute(&mut self, statements: &str) {
        match self {
            RawConn::Sqlite(c) => c.batch_execute(statements),
            RawConn::Postgres(c) => c.batch_execute(statements),
        }
        .expect("sql")
    }

    /// The statements, or the database's refusal in its words.
    pub fn try_execute(&mut self, statements: &str) -> Result<(), String> {
        match self {
            RawConn::Sqlite(c) => c.batch_execute(statements),
            RawConn::Postgres(c) => c.batch_execute(statements),
        }
        .map_err(|e| e.to_string())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, RawConn::Postgres(_))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir { .. } => {}
            Cleanup::Database { server, name } => {
                if let Ok(mut admin) = PgConnection::establish(server) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// A temporary directory removed on drop (no extra crate for it).
pub mod tempdir {
    pub struct TempDir {
        pub path: std::path::PathBuf,
    }

    impl TempDir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!(
                "einlass-test-{}",
                &einlass::domain::token::random_secret()[..16]
            ));
            std::fs::create_dir_all(&path).expect("temp dir");
            Self { path }
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[test]
fn database_urls_are_rewritten() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgresql://h:5432", "x"),
        "postgresql://h:5432/x"
    );
}
