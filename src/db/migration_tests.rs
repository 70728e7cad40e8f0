//! The two migration folders stay in step: same names, up/down/up on both
//! backends, and the same columns in every table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use super::test_support::TempDatabase;
use super::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::MigrationHarness;

fn names(dir: &str) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .expect("migrations folder")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    v.sort();
    v
}

#[test]
fn both_folders_have_the_same_migrations() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
    for dir in ["sqlite", "postgres"] {
        for name in &sqlite {
            for file in ["up.sql", "down.sql"] {
                let path = format!(
                    "{}/migrations/{dir}/{name}/{file}",
                    env!("CARGO_MANIFEST_DIR")
                );
                assert!(std::path::Path::new(&path).is_file(), "{path}");
            }
        }
    }
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

type Schema = BTreeMap<String, Vec<String>>;

fn sqlite_schema(conn: &mut SqliteConnection) -> Schema {
    let tables: Vec<TableName> = diesel::sql_query(
        // users_search*, outbox_search*: FTS5 search indexes, SQLite's counterparts of pg_trgm indexes.
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE 'users_search%' AND name NOT LIKE 'outbox_search%' AND name <> '__diesel_schema_migrations'",
    )
    .load(conn)
    .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let cols: Vec<ColumnName> =
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                    .load(conn)
                    .unwrap();
            let mut cols: Vec<String> = cols.into_iter().map(|c| c.name).collect();
            cols.sort();
            (t.name, cols)
        })
        .collect()
}

fn postgres_schema(conn: &mut PgConnection) -> Schema {
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(conn)
    .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let cols: Vec<ColumnName> = diesel::sql_query(format!(
                "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{}'",
                t.name
            ))
            .load(conn)
            .unwrap();
            let mut cols: Vec<String> = cols.into_iter().map(|c| c.name).collect();
            cols.sort();
            (t.name, cols)
        })
        .collect()
}

fn sqlite_up_down_up() -> Schema {
    let db = TempDatabase::sqlite();
    let mut conn = SqliteConnection::establish(&db.url).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    let first = sqlite_schema(&mut conn);
    conn.revert_all_migrations(SQLITE_MIGRATIONS).unwrap();
    assert!(
        sqlite_schema(&mut conn).is_empty(),
        "down removes everything"
    );
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    let again = sqlite_schema(&mut conn);
    assert_eq!(first, again);
    again
}

#[test]
fn sqlite_migrations_go_up_down_up() {
    let schema = sqlite_up_down_up();
    assert!(schema.contains_key("users") && schema.contains_key("audit_events"));
}

#[test]
fn postgres_migrations_go_up_down_up_with_the_same_columns_as_sqlite() {
    let Some(db) = TempDatabase::postgres() else {
        return;
    };
    let mut conn = PgConnection::establish(&db.url).unwrap();
    conn.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
    let first = postgres_schema(&mut conn);
    conn.revert_all_migrations(POSTGRES_MIGRATIONS).unwrap();
    assert!(
        postgres_schema(&mut conn).is_empty(),
        "down removes everything"
    );
    conn.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
    let again = postgres_schema(&mut conn);
    assert_eq!(first, again);
    assert_eq!(
        again,
        sqlite_up_down_up(),
        "both backends have the same tables and columns"
    );
}
