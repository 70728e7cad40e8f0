//! Housekeeping: forget what expired, keep SQLite's statistics fresh.

use std::time::Duration;

use futures_util::future::BoxFuture;

use super::{Job, JobResult};
use crate::context::Context;
use crate::services;

/// Removes expired sessions and rate-limit hits no limit looks at any more.
pub struct ForgetExpired;

impl Job for ForgetExpired {
    fn name(&self) -> &'static str {
        "forget-expired"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            let removed = services::auth::sweep(&ctx).await?;
            tracing::debug!(removed, "expired sessions and rate-limit hits removed");
            Ok(())
        })
    }
}

/// Discards imports nobody finished within a week (their staged rows and
/// stored file go; the history keeps the entry), and drops the staged rows
/// of committed imports but the refused ones (about 25 MB per 100,000
/// rows otherwise kept for ever).
pub struct SweepImports;

impl Job for SweepImports {
    fn name(&self) -> &'static str {
        "sweep-imports"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(60 * 60)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            let swept = services::imports::sweep_open(&ctx).await?;
            if swept > 0 {
                tracing::info!(swept, "imports left open for a week discarded");
            }
            let settled = services::imports::sweep_settled(&ctx).await?;
            if settled > 0 {
                tracing::info!(settled, "staged rows of committed imports dropped");
            }
            Ok(())
        })
    }
}

/// SQLite has no autovacuum daemon to refresh the planner's statistics.
pub struct OptimizeSqlite;

impl Job for OptimizeSqlite {
    fn name(&self) -> &'static str {
        "optimize-sqlite"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(60 * 60)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            services::maintenance::optimize(&ctx).await?;
            Ok(())
        })
    }
}

/// The nightly rules (expired invitations, lapsed reactivations). They are
/// idempotent and cheap when nothing is due, so they run every minute: a
/// status is right within a minute of its deadline, not at the next night.
pub struct UserRules;

impl Job for UserRules {
    fn name(&self) -> &'static str {
        "user-rules"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            let run = services::rules::apply(&ctx).await?;
            if run.invitations_expired + run.reactivations_lapsed > 0 {
                tracing::info!(
                    expired = run.invitations_expired,
                    lapsed = run.reactivations_lapsed,
                    "users made inaktiv by the nightly rules"
                );
            }
            // Reminders before invitations expire (a setting; off by default).
            let mut reminded = 0;
            loop {
                let n = services::invitations::send_reminders(&ctx).await?;
                reminded += n;
                if n < services::invitations::REMINDER_CHUNK as usize {
                    break;
                }
            }
            if reminded > 0 {
                tracing::info!(reminded, "invitation reminders queued");
            }
            Ok(())
        })
    }
}

/// Folds the per-status deltas PostgreSQL's trigger appends into the
/// counters, so reading the counts stays a lookup by key.
pub struct FoldCounts;

impl Job for FoldCounts {
    fn name(&self) -> &'static str {
        "fold-counts"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(10)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            services::maintenance::fold_counts(&ctx).await?;
            Ok(())
        })
    }
}

/// Background tasks (bulk work started from a page): runs those that are
/// running and free, including any whose runner died (its lease ran out).
pub struct BulkTasks;

impl Job for BulkTasks {
    fn name(&self) -> &'static str {
        "bulk-tasks"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            let finished = services::tasks::run_pending(&ctx).await?;
            if finished > 0 {
                tracing::info!(finished, "background tasks finished");
            }
            Ok(())
        })
    }
}
