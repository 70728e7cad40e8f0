//! Scheduled work with a start/stop lifecycle. Each job runs in its own
//! interval loop; an error is logged and the loop goes on; a panic in one
//! run is caught (the run is its own task), logged, and the loop goes on.
//! `einlass jobs run` runs every job once and exits, for cron or by hand.
//! Jobs are idempotent: several instances may run them at the same time.

mod caches;
mod housekeeping;
pub mod mail;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::context::Context;

pub use caches::RefreshCaches;
pub use housekeeping::{
    BulkTasks, FoldCounts, ForgetExpired, OptimizeSqlite, SweepImports, UserRules,
};
pub use mail::MailWorker;

pub type JobResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// One kind of scheduled work. `C` is what it works on (the app's `Context`).
pub trait Job<C = Context>: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn interval(&self) -> Duration;
    /// One run; owns what it needs, so it can run as a task of its own.
    fn run(&self, ctx: C) -> BoxFuture<'static, JobResult>;
}

/// The jobs of a running instance (`einlass serve`): the background tasks
/// and the mail worker unless they are configured to run elsewhere.
pub fn standard(ctx: &Context) -> Vec<Arc<dyn Job>> {
    let config = ctx.config();
    every(ctx, config.tasks_in_serve, config.mail.worker_in_serve)
}

/// Every job, for `einlass jobs run` and `jobs list`.
pub fn all(ctx: &Context) -> Vec<Arc<dyn Job>> {
    every(ctx, true, true)
}

fn every(ctx: &Context, tasks: bool, mail: bool) -> Vec<Arc<dyn Job>> {
    let mut jobs: Vec<Arc<dyn Job>> = vec![
        Arc::new(RefreshCaches),
        Arc::new(ForgetExpired),
        Arc::new(UserRules),
        Arc::new(SweepImports),
    ];
    if tasks {
        jobs.push(Arc::new(BulkTasks));
    }
    if mail {
        jobs.push(Arc::new(MailWorker));
    }
    if ctx.db().is_sqlite() {
        jobs.push(Arc::new(OptimizeSqlite));
    } else {
        jobs.push(Arc::new(FoldCounts));
    }
    jobs
}

/// The running job loops; [`Scheduler::stop`] ends them.
pub struct Scheduler {
    stop: watch::Sender<bool>,
    loops: Vec<JoinHandle<()>>,
}

impl Scheduler {
    /// Starts one loop per job; the first run of each comes after one interval.
    pub fn start<C>(ctx: C, jobs: Vec<Arc<dyn Job<C>>>) -> Self
    where
        C: Clone + Send + Sync + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        let loops = jobs
            .into_iter()
            .map(|job| tokio::spawn(run_loop(ctx.clone(), job, stopped.clone())))
            .collect();
        Self { stop, loops }
    }

    /// Stops every loop (a run in progress finishes first) and waits for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for handle in self.loops {
            let _ = handle.await;
        }
    }
}

async fn run_loop<C>(ctx: C, job: Arc<dyn Job<C>>, mut stopped: watch::Receiver<bool>)
where
    C: Clone + Send + Sync + 'static,
{
    let interval = job.interval();
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stopped.changed() => break,
        }
        if *stopped.borrow() {
            break;
        }
        run_logged(&ctx, job.as_ref()).await;
    }
}

/// One run of a job as its own task, so that a panic stays in it.
async fn run_logged<C>(ctx: &C, job: &dyn Job<C>) -> bool
where
    C: Clone + Send + Sync + 'static,
{
    match tokio::spawn(job.run(ctx.clone())).await {
        Ok(Ok(())) => {
            tracing::debug!(job = job.name(), "job done");
            true
        }
        Ok(Err(error)) => {
            tracing::warn!(job = job.name(), %error, "job failed; it runs again at its next turn");
            false
        }
        Err(join) => {
            tracing::error!(job = job.name(), error = %join, "job panicked; it runs again at its next turn");
            false
        }
    }
}

/// Runs every job once, one after the other; returns each job's name and
/// whether it succeeded (`einlass jobs run`).
pub async fn run_once<C>(ctx: &C, jobs: &[Arc<dyn Job<C>>]) -> Vec<(&'static str, bool)>
where
    C: Clone + Send + Sync + 'static,
{
    let mut results = Vec::new();
    for job in jobs {
        results.push((job.name(), run_logged(ctx, job.as_ref()).await));
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Panics on its first run, fails on its second, then succeeds.
    struct Flaky(Arc<AtomicUsize>);

    impl Job<()> for Flaky {
        fn name(&self) -> &'static str {
            "flaky"
        }
        fn interval(&self) -> Duration {
            Duration::from_millis(10)
        }
        fn run(&self, _: ()) -> BoxFuture<'static, JobResult> {
            let runs = self.0.clone();
            Box::pin(async move {
                match runs.fetch_add(1, Ordering::SeqCst) {
                    0 => panic!("first run breaks"),
                    1 => Err("second run fails".into()),
                    _ => Ok(()),
                }
            })
        }
    }

    #[tokio::test]
    async fn a_panicking_or_failing_run_does_not_end_the_loop() {
        let runs = Arc::new(AtomicUsize::new(0));
        let scheduler =
            Scheduler::start((), vec![Arc::new(Flaky(runs.clone())) as Arc<dyn Job<()>>]);
        for _ in 0..500 {
            if runs.load(Ordering::SeqCst) >= 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        scheduler.stop().await;
        let after_stop = runs.load(Ordering::SeqCst);
        assert!(
            after_stop >= 4,
            "runs after a panic and a failure: {after_stop}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            after_stop,
            "stopped loops stay stopped"
        );
    }

    #[tokio::test]
    async fn run_once_reports_each_job() {
        let runs = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<Arc<dyn Job<()>>> = vec![Arc::new(Flaky(runs.clone()))];
        assert_eq!(run_once(&(), &jobs).await, vec![("flaky", false)]);
        assert_eq!(run_once(&(), &jobs).await, vec![("flaky", false)]);
        assert_eq!(run_once(&(), &jobs).await, vec![("flaky", true)]);
    }
}
