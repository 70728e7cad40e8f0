//! Background tasks ("Aufträge"): the runner and the task page.
//!
//! A task is worked through in chunks of [`CHUNK`] users, each chunk one
//! transaction that also renews the runner's lease; so a task is never half
//! done without saying so: each chunk is all or nothing, the counters are
//! those of the chunks that committed, and a runner that dies leaves the
//! task to the next one once its lease ([`LEASE`]) has run out (a restart,
//! or another instance). When the last chunk is done the task is `fertig`
//! and one summary entry goes to the audit log (each user has his own).

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::audit::Change;
use crate::domain::tasks::{StopReason, TaskKind, TaskState, TaskView};
use crate::models::task::{self, TaskRow};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::invitations;
use crate::services::mail::MailEnv;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// Users per transaction.
pub const CHUNK: i64 = 500;
/// How long a runner may be silent before another takes the task over.
pub const LEASE: Duration = Duration::minutes(1);

fn view_of(row: TaskRow) -> Option<TaskView> {
    Some(TaskView {
        id: row.id,
        kind: TaskKind::parse(&row.kind)?,
        state: TaskState::parse(&row.state)?,
        actor_label: row.actor_label,
        planned: row.planned,
        done: row.done,
        blocked: row.blocked,
        skipped_no_email: row.skipped_no_email,
        skipped_role: row.skipped_role,
        skipped_changed: row.skipped_changed,
        stop_reason: row.stop_reason.as_deref().and_then(StopReason::parse),
        created_at: row.created_at,
        finished_at: row.finished_at,
    })
}

/// A task as its page shows it.
pub async fn view(ctx: &Context, actor: &Actor, id: i64) -> ServiceResult<TaskView> {
    require_user_management(actor)?;
    ctx.db()
        .run(move |conn| -> ServiceResult<TaskView> {
            task::find(conn, id)?
                .and_then(view_of)
                .ok_or(ServiceError::NotFound)
        })
        .await
}

/// Runs every task that is running and free (its lease not held by a live
/// runner) to its end; returns how many it finished.
pub async fn run_pending(ctx: &Context) -> ServiceResult<usize> {
    let runner = ctx.worker_id().to_owned();
    let mut finished = 0;
    loop {
        let (me, now) = (runner.clone(), ctx.now());
        let taken = ctx
            .db()
            .run(move |conn| {
                write_tx(conn, |conn| -> ServiceResult<Option<i64>> {
                    Ok(task::take(conn, &me, now, now + LEASE)?)
                })
            })
            .await?;
        let Some(id) = taken else {
            return Ok(finished);
        };
        run_task(ctx, id, &runner).await?;
        finished += 1;
    }
}

/// Runs pending tasks until this one has ended (another runner may hold it:
/// then this waits for that one), and returns it.
pub async fn run_until_done(ctx: &Context, id: i64) -> ServiceResult<TaskView> {
    loop {
        run_pending(ctx).await?;
        let row = ctx
            .db()
            .run(move |conn| -> ServiceResult<_> { Ok(task::find(conn, id)?) })
            .await?;
        let view = row.and_then(view_of).ok_or(ServiceError::NotFound)?;
        if !view.running() {
            return Ok(view);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Works through one task this runner has taken, chunk by chunk.
async fn run_task(ctx: &Context, id: i64, runner: &str) -> ServiceResult<()> {
    let env = MailEnv::of(ctx);
    loop {
        let (env, runner, now) = (env.clone(), runner.to_owned(), ctx.now());
        let more = ctx
            .db()
            .run(move |conn| {
                write_tx(conn, |conn| -> ServiceResult<bool> {
                    chunk(conn, &env, id, &runner, now)
                })
            })
            .await?;
        if !more {
            return Ok(());
        }
        // Let requests and the mail worker have the database between chunks.
        tokio::task::yield_now().await;
    }
}

/// One chunk in the caller's transaction; false once the task has ended
/// (or is no longer this runner's).
fn chunk(
    conn: &mut DbConn,
    env: &MailEnv,
    id: i64,
    runner: &str,
    now: PrimitiveDateTime,
) -> ServiceResult<bool> {
    if !task::renew(conn, id, runner, now + LEASE)? {
        return Ok(false);
    }
    let Some(row) = task::find(conn, id)? else {
        return Ok(false);
    };
    let Some(kind) = TaskKind::parse(&row.kind) else {
        return Ok(false);
    };
    let Some(actor) = actor_of(conn, &row)? else {
        return finish(conn, &row, Some(StopReason::ActorLostRights), now);
    };
    let items = task::next_items(conn, id, CHUNK)?;
    if items.is_empty() {
        return finish(conn, &row, None, now);
    }
    match kind {
        TaskKind::InviteCreated => {
            let done = invitations::invite_chunk(conn, env, &actor, &items, now)?;
            task::complete_items(conn, id, &items, done.done, done.blocked, done.changed)?;
        }
    }
    Ok(true)
}

/// The admin who started the task, with the rights he has now; `None` when
/// he may no longer do it (deleted, deactivated, demoted).
fn actor_of(conn: &mut DbConn, row: &TaskRow) -> ServiceResult<Option<Actor>> {
    let Some(admin) = row.actor_id else {
        return Ok(Some(Actor::system(&row.actor_label)));
    };
    let Some(u) = user::find(conn, admin)? else {
        return Ok(None);
    };
    Ok(u.role()
        .filter(|r| r.may_manage_users() && u.status == crate::domain::UserStatus::Aktiv)
        .map(|role| Actor {
            user_id: Some(admin),
            label: row.actor_label.clone(),
            role,
        }))
}

fn finish(
    conn: &mut DbConn,
    row: &TaskRow,
    stop: Option<StopReason>,
    now: PrimitiveDateTime,
) -> ServiceResult<bool> {
    task::finish(conn, row.id, stop.map(StopReason::as_str), now)?;
    // The log records who acted, not with which role (he may have lost it).
    let actor = match row.actor_id {
        Some(id) => Actor {
            user_id: Some(id),
            label: row.actor_label.clone(),
            role: crate::domain::AdminRole::Lesezugriff,
        },
        None => Actor::system(&row.actor_label),
    };
    let n = |v: i64| v.to_string();
    let mut summary = vec![
        Change::new("planned", "", n(row.planned)),
        Change::new("done", "", n(row.done)),
        Change::new("blocked", "", n(row.blocked)),
        Change::new("skipped_no_email", "", n(row.skipped_no_email)),
        Change::new("skipped_role", "", n(row.skipped_role)),
        Change::new("skipped_changed", "", n(row.skipped_changed)),
    ];
    if let Some(stop) = stop {
        summary.push(Change::new("stopped", "", stop.as_str()));
    }
    audit::record_changes(
        conn,
        now,
        &actor,
        &format!("task.{}", row.kind),
        Some(Target::new("task", row.id, format!("#{}", row.id))),
        &summary,
    )?;
    Ok(false)
}
