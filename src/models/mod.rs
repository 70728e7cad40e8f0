//! Tables and their queries: row structs, insert/update forms and query
//! functions `fn(&mut DbConn, ..) -> QueryResult<_>`. The only place that
//! knows SQL and the only place that branches on the backend; services
//! decide, models fetch and store.

pub mod audit;
pub mod conflict;
pub mod handover;
pub mod mail_template;
pub mod maintenance;
pub mod outbox;
pub mod photo;
pub mod rate_limit;
pub mod session;
pub mod settings;
pub mod sql_types;
pub mod task;
pub mod token;
pub mod unit;
pub mod user;

use diesel::connection::SimpleConnection;

use crate::db::DbConn;

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
        DbConn::Sqlite(c) => c.batch_execute("ANALYZE"),
    }
}

/// Lets SQLite refresh its statistics where they went stale; PostgreSQL's
/// autovacuum does that by itself.
pub fn optimize(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Postgres(_) => Ok(()),
        DbConn::Sqlite(c) => c.batch_execute("PRAGMA optimize"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
