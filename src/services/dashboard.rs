//! The overview: how many people are in which status, and how far a new
//! instance is set up.

use crate::context::Context;
use crate::domain::UserStatus;
pub use crate::domain::dashboard::{Overview, SetupStep};
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

/// Statuses always shown, even at zero: the ones the product has today.
const ALWAYS_SHOWN: [UserStatus; 3] = [
    UserStatus::Angelegt,
    UserStatus::Aktiv,
    UserStatus::Deaktiviert,
];

pub async fn overview(ctx: &Context, actor: &Actor) -> ServiceResult<Overview> {
    let counts = counts(ctx, actor).await?;
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let staff = ctx
        .db()
        .run(|conn| -> ServiceResult<i64> {
            Ok(user::count(
                conn,
                &user::UserFilter {
                    staff: Some(true),
                    ..Default::default()
                },
            )?)
        })
        .await?;
    let units = ctx.units();
    let settings = ctx.settings();
    let organisation_done = settings.organisation_name != "Einlass"
        || settings.brand_colour != crate::domain::settings::DEFAULT_BRAND;
    let steps = vec![
        (SetupStep::Organisation, organisation_done),
        (
            SetupStep::Units,
            !units.groups.is_empty() || !units.areas.is_empty(),
        ),
        (SetupStep::People, total > staff),
    ];
    Ok(Overview {
        total,
        by_status: counts
            .into_iter()
            .filter(|(s, n)| *n > 0 || ALWAYS_SHOWN.contains(s))
            .collect(),
        groups: units.groups.len(),
        areas: units.areas.len(),
        steps,
    })
}
