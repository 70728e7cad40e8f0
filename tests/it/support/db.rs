//! A fresh database per test: a temp SQLite file, or a new PostgreSQL
//! database on the server named by EINLASS_TEST_POSTGRES_URL, dropped afterwards.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

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
            Ok(url) if !url.trim().is_empty() => Some(Backend::Postgres(url)),
            _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
                panic!("{POSTGRES_VAR} must be set under CI: PostgreSQL tests may not be skipped")
            }
            _ => None,
        }
    }
}

pub struct TestDb {
    pub url: String,
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
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

impl TestDb {
    pub fn create(backend: Backend) -> Self {
        let suffix = einlass::domain::token::random_secret()[..16].to_owned();
        match &backend {
            Backend::Sqlite => {
                let dir = tempdir::TempDir::new();
                let path = dir.path.join("einlass.sqlite3");
                Self {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::Dir { _guard: dir },
                }
            }
            Backend::Postgres(server) => {
                let name = format!("einlass_test_{suffix}");
                let mut admin =
                    PgConnection::establish(server).expect("PostgreSQL reachable for tests");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                Self {
                    url: with_database(server, &name),
                    cleanup: Cleanup::Database {
                        server: server.clone(),
                        name,
                    },
                }
            }
        }
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
