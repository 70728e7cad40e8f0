//! The overview: how many people are in which status.

use crate::context::Context;
use crate::domain::UserStatus;
use crate::models::user;
use crate::services::{Actor, ServiceResult};

/// Live users per status, every status listed (zero where none).
pub async fn counts(ctx: &Context, _actor: &Actor) -> ServiceResult<Vec<(UserStatus, i64)>> {
    let counts = ctx
        .db()
        .run(|conn| -> ServiceResult<_> { Ok(user::count_by_status(conn)?) })
        .await?;
    Ok(UserStatus::ALL
        .iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(status, _)| status == s)
                .map_or(0, |(_, n)| *n);
            (*s, n)
        })
        .collect())
}

/// The same figures counted row by row: a check of the trigger-kept counters.
pub async fn counts_exactly(ctx: &Context) -> ServiceResult<Vec<(UserStatus, i64)>> {
    ctx.db()
        .run(|conn| -> ServiceResult<_> { Ok(user::count_by_status_exactly(conn)?) })
        .await
}
