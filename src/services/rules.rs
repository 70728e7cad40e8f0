//! The nightly rules, as jobs run them (every minute in `serve`, once in
//! `einlass jobs run`). Both are idempotent and use the `Context`'s clock,
//! so tests move time instead of waiting:
//!
//! - an invitation that ran out unused makes its user `inaktiv`;
//! - a user an admin reactivated by hand who has not signed in by midnight
//!   (instance time zone) of that day is `inaktiv` again.

use crate::context::Context;
use crate::db::write_tx;
use crate::domain::UserStatus;
use crate::domain::audit::Change;
use crate::models::user;
use crate::services::audit;
use crate::services::{Actor, ServiceResult};

/// What one run changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RulesRun {
    pub invitations_expired: usize,
    pub reactivations_lapsed: usize,
}

/// Applies both rules to everyone due at the clock's "now", in chunks of
/// one transaction each (status and audit together).
pub async fn apply(ctx: &Context) -> ServiceResult<RulesRun> {
    let mut run = RulesRun::default();
    loop {
        let now = ctx.now();
        let (expired, lapsed) = ctx
            .db()
            .run(move |conn| {
                write_tx(conn, |conn| -> ServiceResult<(usize, usize)> {
                    let system = Actor::system("Einlass");
                    let expired = user::due_for_expiry(conn, now, 1000)?;
                    let to = UserStatus::Eingeladen.expire()?;
                    let moved = user::move_status(conn, &expired, UserStatus::Eingeladen, to, now)?;
                    let entries: Vec<_> = moved.iter().map(|u| (u.id, u.label())).collect();
                    audit::record_many_user_changes(
                        conn,
                        now,
                        &system,
                        "user.invitation_expired",
                        &entries,
                        &[Change::new(
                            "status",
                            UserStatus::Eingeladen.as_str(),
                            to.as_str(),
                        )],
                    )?;
                    let lapsing = user::due_for_sign_in_deadline(conn, now, 1000)?;
                    let to_inactive = UserStatus::Aktiv.mark_inactive()?;
                    let lapsed =
                        user::move_status(conn, &lapsing, UserStatus::Aktiv, to_inactive, now)?;
                    user::clear_sign_in_deadlines(conn, &lapsing)?;
                    let entries: Vec<_> = lapsed.iter().map(|u| (u.id, u.label())).collect();
                    audit::record_many_user_changes(
                        conn,
                        now,
                        &system,
                        "user.reactivation_lapsed",
                        &entries,
                        &[Change::new(
                            "status",
                            UserStatus::Aktiv.as_str(),
                            to_inactive.as_str(),
                        )],
                    )?;
                    Ok((moved.len(), lapsed.len()))
                })
            })
            .await?;
        run.invitations_expired += expired;
        run.reactivations_lapsed += lapsed;
        if expired < 1000 && lapsed < 1000 {
            return Ok(run);
        }
    }
}
