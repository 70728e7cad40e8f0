//! Tables and their queries: row structs, insert/update forms and query
//! functions `fn(&mut DbConn, ..) -> QueryResult<_>`. The only place that
//! knows SQL and the only place that branches on the backend; services
//! decide, models fetch and store.

pub mod access_link;
pub mod access_request;
pub mod audit;
pub mod conflict;
pub mod handover;
pub mod import;
pub mod letter_print;
pub mod mail_template;
pub mod maintenance;
pub mod outbox;
pub mod photo;
pub mod rate_limit;
pub mod registration;
pub mod session;
pub mod settings;
pub mod sql_types;
pub mod task;
pub mod token;
pub mod unit;
pub mod user;

use diesel::connection::SimpleConnection;

use crate::db::DbConn;

/// A staged row's `personnel_number` is digits only (which a file format
/// without number formats may have lost leading zeros of: `123` for
/// `00123`). For the user import's and the whitelist's staged rows alike.
pub fn number_of_digits_only(
    conn: &DbConn,
) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(match conn {
        DbConn::Postgres(_) => "personnel_number ~ '^[0-9]+$'",
        DbConn::Sqlite(_) => "personnel_number <> '' AND personnel_number NOT GLOB '*[^0-9]*'",
    })
}

/// LIKE pattern that finds `needle` anywhere, with `%`, `_` and `\` escaped.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Answers when the database does (health checks).
pub fn ping(conn: &mut DbConn) -> diesel::QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

/// Refreshes the planner's statistics after a bulk load.
pub fn analyze_after_bulk_load(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => c.batch_execute("VACUUM ANALYZE"),
        DbConn::Sqlite(c) => {
            c.batch_execute("ANALYZE")?;
            forget_search_index_statistics(c)
        }
    }
}

/// Lets SQLite refresh its statistics where they went stale; PostgreSQL's
/// autovacuum does that by itself.
pub fn optimize(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Postgres(_) => Ok(()),
        DbConn::Sqlite(c) => {
            c.batch_execute("PRAGMA optimize")?;
            forget_search_index_statistics(c)
        }
    }
}

/// Keeps the planner from trusting small row counts of the FTS5 search
/// indexes' own tables. Measured while an index was small, they make SQLite
/// scan the whole `*_data` table for the range delete FTS5 runs on every
/// merge (`SCAN outbox_search_data` instead of a rowid range), so each new
/// row costs in proportion to the index: 200,000 messages took 272 s to
/// write instead of 12. Every query FTS5 runs on these tables goes by rowid
/// or primary key, so a large count is always the right advice.
fn forget_search_index_statistics(
    conn: &mut diesel::sqlite::SqliteConnection,
) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    // PRAGMA optimize may not have analysed anything yet.
    let analysed = diesel::sql_query(
        "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .get_result::<Count>(conn)?;
    if analysed.n == 0 {
        return Ok(());
    }
    conn.batch_execute(
        "UPDATE sqlite_stat1 SET stat = '1000000' \
         WHERE idx IS NULL AND EXISTS (SELECT 1 FROM sqlite_schema v \
             WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%' \
             AND substr(sqlite_stat1.tbl, 1, length(v.name) + 1) = v.name || '_'); \
         ANALYZE sqlite_schema;",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }

    /// Statistics taken while the search indexes were empty must not turn
    /// FTS5's range delete on every merge into a scan of the whole index.
    #[test]
    fn search_indexes_keep_their_rowid_ranges_after_analyze() {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Plan {
            #[diesel(sql_type = diesel::sql_types::Text)]
            detail: String,
        }
        let dir = std::env::temp_dir().join(format!("einlass-stats-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("stats.sqlite3");
        let target =
            crate::db::DatabaseTarget::parse(&format!("sqlite://{}", path.display())).unwrap();
        let mut conn = crate::db::DbManager::new(target)
            .unwrap()
            .establish()
            .unwrap();
        crate::db::run_migrations(&mut conn).unwrap();
        let plan = |conn: &mut DbConn, table: &str| -> String {
            let DbConn::Sqlite(c) = conn else {
                unreachable!()
            };
            let rows: Vec<Plan> = diesel::sql_query(format!(
                "EXPLAIN QUERY PLAN DELETE FROM {table} WHERE id >= 1 AND id <= 5"
            ))
            .load(c)
            .unwrap();
            rows.into_iter()
                .map(|r| r.detail)
                .collect::<Vec<_>>()
                .join("; ")
        };
        for step in [analyze_after_bulk_load, optimize] {
            step(&mut conn).unwrap();
            for table in ["outbox_search_data", "users_search_data"] {
                let detail = plan(&mut conn, table);
                assert!(detail.contains("SEARCH"), "{table}: {detail}");
            }
        }
        // Statistics of the ordinary tables stay.
        analyze_after_bulk_load(&mut conn).unwrap();
        let DbConn::Sqlite(c) = &mut conn else {
            unreachable!()
        };
        let kept: Vec<Plan> =
            diesel::sql_query("SELECT tbl AS detail FROM sqlite_stat1 WHERE tbl = 'users'")
                .load(c)
                .unwrap();
        assert!(!kept.is_empty());
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
