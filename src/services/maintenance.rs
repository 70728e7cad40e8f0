//! Operations: migrations, health, the planner's statistics.

use crate::config::Config;
use crate::context::Context;
use crate::db;
use crate::services::ServiceResult;

/// Applies pending migrations (`einlass migrate`); returns how many ran.
pub fn migrate(config: &Config) -> Result<usize, db::DatabaseError> {
    let target = db::DatabaseTarget::parse(&config.database_url())?;
    let manager = db::DbManager::new(target)?;
    let mut conn = manager.establish()?;
    let applied = db::run_migrations(&mut conn)?;
    refresh_search_texts(&mut conn).map_err(|e| db::DatabaseError::Migration(e.to_string()))?;
    Ok(applied)
}

/// The folding of search texts (`domain::text::search_text`); raise it when
/// that changes, and start-up recomputes every stored search text once.
pub const SEARCH_TEXT_VERSION: i32 = 2;

/// Brings stored search texts (users, audit log) up to the current folding,
/// in chunks of one transaction each. Idempotent: several instances starting
/// at once do the same work and agree.
pub fn refresh_search_texts(conn: &mut db::DbConn) -> ServiceResult<bool> {
    use crate::models::{audit, maintenance, user};
    const NAME: &str = "search_text";
    const CHUNK: i64 = 1000;
    if maintenance::version(conn, NAME)? >= SEARCH_TEXT_VERSION {
        return Ok(false);
    }
    let mut after = 0;
    loop {
        let rows = user::search_sources(conn, after, CHUNK)?;
        let Some(last) = rows.last() else { break };
        after = last.0.get();
        db::write_tx(conn, |conn| -> ServiceResult<()> {
            for (id, first, last, username, email, personnel) in &rows {
                let text = user::search_text(
                    first,
                    last,
                    username,
                    email.as_deref(),
                    personnel.as_deref(),
                );
                user::set_search_text(conn, *id, &text)?;
            }
            Ok(())
        })?;
    }
    let mut after = 0;
    loop {
        let rows = audit::search_sources(conn, after, CHUNK)?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        db::write_tx(conn, |conn| -> ServiceResult<()> {
            for (id, actor, target) in &rows {
                let text = crate::services::audit::audit_search_text(actor, target.as_deref());
                audit::set_search_text(conn, *id, &text)?;
            }
            Ok(())
        })?;
    }
    db::write_tx(conn, |conn| -> ServiceResult<()> {
        Ok(maintenance::set_version(conn, NAME, SEARCH_TEXT_VERSION)?)
    })?;
    Ok(true)
}

/// Whether the database answers (`/healthz`).
pub async fn healthy(ctx: &Context) -> bool {
    ctx.db()
        .run(|conn| -> ServiceResult<()> { Ok(crate::models::ping(conn)?) })
        .await
        .is_ok()
}

/// Lets SQLite refresh its planner statistics (PostgreSQL's autovacuum does
/// that by itself).
pub async fn optimize(ctx: &Context) -> ServiceResult<()> {
    ctx.db()
        .run(|conn| -> ServiceResult<()> { Ok(crate::models::optimize(conn)?) })
        .await
}

/// Adds the pending per-status deltas to the counters (PostgreSQL).
pub async fn fold_counts(ctx: &Context) -> ServiceResult<()> {
    ctx.db()
        .run(|conn| -> ServiceResult<()> {
            crate::models::user::fold_status_deltas(conn)?;
            Ok(())
        })
        .await
}
