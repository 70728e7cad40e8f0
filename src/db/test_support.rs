//! Throw-away databases for the unit tests of the database layer: a file in
//! a temporary directory, or a database on the server named by
//! EINLASS_TEST_POSTGRES_URL (under CI that variable must be set).

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

pub const POSTGRES_VAR: &str = "EINLASS_TEST_POSTGRES_URL";

pub struct TempDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Postgres { server: String, name: String },
}

fn suffix() -> String {
    crate::domain::token::random_secret()[..16].to_owned()
}

impl TempDatabase {
    /// A path for a new SQLite file (the file does not exist yet).
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("einlass-unit-{}", suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self {
            url: dir.join("db.sqlite3").display().to_string(),
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// An empty PostgreSQL database, if a server is configured.
    pub fn postgres() -> Option<Self> {
        let server = match std::env::var(POSTGRES_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
                panic!("{POSTGRES_VAR} must be set under CI: PostgreSQL tests may not be skipped")
            }
            _ => return None,
        };
        // Loopback tests need no TLS, and without it libpq never loads
        // OpenSSL (whose exit handler can crash a finished test process).
        let server = {
            let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
            if !url.query_pairs().any(|(k, _)| k == "sslmode") {
                url.query_pairs_mut().append_pair("sslmode", "disable");
            }
            url.to_string()
        };
        let name = format!("einlass_test_{}", suffix());
        PgConnection::establish(&server)
            .expect("PostgreSQL reachable")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
        url.set_path(&name);
        Some(Self {
            url: url.to_string(),
            cleanup: Cleanup::Postgres { server, name },
        })
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { server, name } => {
                if let Ok(mut admin) = PgConnection::establish(server) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}
