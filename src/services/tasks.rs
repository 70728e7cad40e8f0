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
use crate::domain::UserId;
use crate::domain::audit::Change;
use crate::domain::tasks::{BulkActor, BulkPlan, StopReason, TaskKind, TaskState, TaskView};
use crate::models::task::{self, TaskRow};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::mail::MailEnv;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};
use crate::services::{invitations, users};

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
        skipped_status: row.skipped_status,
        skipped_self: row.skipped_self,
        scheduled_for: row.scheduled_for,
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
        let free = ctx
            .db()
            .run(move |conn| -> ServiceResult<bool> { Ok(task::any_free(conn, now)?) })
            .await?;
        if !free {
            return Ok(finished);
        }
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
/// Takes a task whose lease is free and runs one chunk of it, then stops
/// as if the process died (its lease stays until it runs out). For tests
/// of what a restart in the middle of a task does.
pub async fn run_one_chunk_and_die(ctx: &Context) -> ServiceResult<Option<i64>> {
    let (runner, now, env) = (ctx.worker_id().to_owned(), ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<Option<i64>> {
                let Some(id) = task::take(conn, &runner, now, now + LEASE)? else {
                    return Ok(None);
                };
                chunk(conn, &env, id, &runner, now)?;
                Ok(Some(id))
            })
        })
        .await
}

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
        TaskKind::InviteCreated if row.scheduled_for.is_none() => {
            let done = invitations::invite_chunk(conn, env, &actor, &items, now)?;
            task::complete_items(conn, id, &items, done.done, done.blocked, done.changed)?;
        }
        kind => {
            let (done, blocked, changed) =
                bulk_chunk(conn, env, kind, &actor, &items, row.scheduled_for, now)?;
            task::complete_items(conn, id, &items, done, blocked, changed)?;
        }
    }
    Ok(true)
}

/// One chunk of a bulk action of the user list: each person checked again
/// as he is now (left out if the action no longer applies), then changed
/// through the same code as the action on his own page, each audited.
/// Returns (done, blocked, left out).
fn bulk_chunk(
    conn: &mut DbConn,
    env: &MailEnv,
    kind: TaskKind,
    actor: &Actor,
    items: &[UserId],
    send_at: Option<PrimitiveDateTime>,
    now: PrimitiveDateTime,
) -> ServiceResult<(i64, i64, i64)> {
    use crate::domain::mail::Delivery;
    let who = BulkActor {
        id: actor.user_id,
        role: actor.role,
    };
    let facts = user::bulk_facts_of(conn, items)?;
    let (mut done, mut blocked, mut changed) = (0, 0, 0);
    for id in items {
        let applies = facts
            .iter()
            .find(|f| f.id == *id)
            .is_some_and(|f| kind.applies_to(f, &who).is_ok());
        if !applies {
            changed += 1;
            continue;
        }
        let result = match kind {
            TaskKind::Invite | TaskKind::Resend | TaskKind::InviteCreated => {
                match user::find(conn, *id)? {
                    Some(u) => {
                        // "Erneut senden" in bulk counts against the same
                        // allowance per address as from the email log.
                        let limit = crate::services::resend::RESEND_PER_RECIPIENT;
                        let key = crate::models::outbox::block_key(
                            u.email.as_deref().unwrap_or_default(),
                        );
                        if kind == TaskKind::Resend && limit.exceeded(conn, &key, now)? {
                            changed += 1;
                            continue;
                        }
                        let sent = invitations::invite_in_tx(conn, env, actor, &u, now, send_at)
                            .map(|(_, d)| d == Delivery::Blockiert);
                        if kind == TaskKind::Resend && sent.is_ok() {
                            limit.hit(conn, &key, now)?;
                        }
                        sent
                    }
                    None => Err(ServiceError::NotFound),
                }
            }
            TaskKind::Revoke => {
                invitations::revoke_user_in_tx(conn, actor, *id, now).map(|_| false)
            }
            TaskKind::Reactivate => {
                users::unblock_in_tx(conn, actor, *id, now, env.settings.time_zone).map(|_| false)
            }
            TaskKind::Deactivate => users::deactivate_in_tx(conn, actor, *id, now).map(|_| false),
            TaskKind::Delete => users::delete_in_tx(conn, actor, *id, now).map(|_| false),
            // Never started as a task (see `start_bulk`).
            TaskKind::Letters => Err(ServiceError::NotFound),
        };
        match result {
            Ok(b) => {
                done += 1;
                blocked += i64::from(b);
            }
            // Refused before anything was written: the last administrator,
            // a status or a role that changed meanwhile.
            Err(
                ServiceError::Refused(_)
                | ServiceError::Forbidden
                | ServiceError::NotFound
                | ServiceError::Invalid(_),
            ) => changed += 1,
            Err(e) => return Err(e),
        }
    }
    Ok((done, blocked, changed))
}

/// The users a bulk action is for: the rows chosen on the page, or every
/// user a filter of the list finds.
#[derive(Clone, Debug)]
pub enum Selection {
    Chosen(Vec<UserId>),
    Filter(crate::services::users::UserQuery),
}

/// A bulk action takes at most this many users at once.
pub const MAX_BULK: i64 = 100_000;

/// How a selection splits for an action, for its confirmation page (and,
/// again, when it starts).
pub(crate) fn plan_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    kind: TaskKind,
    selection: &Selection,
) -> ServiceResult<BulkPlan> {
    let facts = match selection {
        Selection::Chosen(ids) => user::bulk_facts_of(conn, ids)?,
        Selection::Filter(q) => match users::filter_of(q) {
            Some(filter) => user::bulk_facts_matching(conn, &filter, MAX_BULK + 1)?,
            None => Vec::new(),
        },
    };
    if facts.len() as i64 > MAX_BULK {
        return Err(ServiceError::Refused(
            crate::domain::Refusal::TooManyAtOnce(MAX_BULK),
        ));
    }
    Ok(BulkPlan::of(
        kind,
        &facts,
        &BulkActor {
            id: actor.user_id,
            role: actor.role,
        },
    ))
}

/// What a bulk action would do (the confirmation page): nothing changes.
pub async fn plan_bulk(
    ctx: &Context,
    actor: &Actor,
    kind: TaskKind,
    selection: Selection,
) -> ServiceResult<BulkPlan> {
    require_user_management(actor)?;
    bulk_kind(kind)?;
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| plan_in_tx(conn, &actor, kind, &selection))
        .await
}

fn bulk_kind(kind: TaskKind) -> ServiceResult<()> {
    if crate::domain::tasks::BULK_ACTIONS.contains(&kind) {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Starts a confirmed bulk action as a task: who is affected is decided
/// again now; the task's page shows its progress. A confirmation submitted
/// twice (its `form_key`) gives the task the first submit started.
pub async fn start_bulk(
    ctx: &Context,
    actor: &Actor,
    kind: TaskKind,
    selection: Selection,
    form_key: Option<String>,
    send_at: Option<PrimitiveDateTime>,
    confirmed: Option<String>,
) -> ServiceResult<i64> {
    require_user_management(actor)?;
    bulk_kind(kind)?;
    if !kind.runs_as_task() {
        return Err(ServiceError::NotFound);
    }
    let send_at = send_at.filter(|_| kind.sends_mail());
    let key = form_key
        .filter(|k| !k.is_empty())
        .map(|k| crate::domain::token::hash_secret(&k));
    let (actor_in, now, key_in) = (actor.clone(), ctx.now(), key.clone());
    let started = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<i64> {
                if let Some(k) = &key_in
                    && let Some(id) = task::by_form_key(conn, k)?
                {
                    return Ok(id);
                }
                let plan = plan_in_tx(conn, &actor_in, kind, &selection)?;
                if confirmed.as_ref().is_some_and(|c| *c != plan.fingerprint()) {
                    return Err(ServiceError::Refused(
                        crate::domain::Refusal::SelectionChanged,
                    ));
                }
                let new = task::NewTask {
                    kind: kind.as_str(),
                    actor_id: actor_in.user_id,
                    actor_label: &actor_in.label,
                    state: TaskState::Laufend.as_str(),
                    planned: plan.affected.len() as i64,
                    skipped_no_email: plan.no_email,
                    skipped_role: plan.above_role,
                    skipped_status: plan.wrong_status,
                    skipped_self: plan.yourself,
                    form_key: key_in.as_deref(),
                    scheduled_for: send_at,
                    created_at: now,
                };
                Ok(task::insert(conn, &new, &plan.affected)?)
            })
        })
        .await;
    match started {
        // The same confirmation at the same instant: the other one won.
        Err(ServiceError::Conflict(crate::models::conflict::UniqueKey::TaskFormKey)) => {
            let key = key.unwrap_or_default();
            ctx.db()
                .run(move |conn| -> ServiceResult<i64> {
                    task::by_form_key(conn, &key)?.ok_or(ServiceError::NotFound)
                })
                .await
        }
        other => other,
    }
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
        Change::new("skipped_status", "", n(row.skipped_status)),
        Change::new("skipped_self", "", n(row.skipped_self)),
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
