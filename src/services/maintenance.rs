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
    db::run_migrations(&mut conn)
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
