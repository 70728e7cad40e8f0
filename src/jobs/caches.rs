//! Picks up settings, groups, areas and mail texts changed by another instance (this
//! instance refreshes its caches itself after its own changes).

use std::time::Duration;

use futures_util::future::BoxFuture;

use super::{Job, JobResult};
use crate::context::Context;
use crate::services;

pub struct RefreshCaches;

impl Job for RefreshCaches {
    fn name(&self) -> &'static str {
        "refresh-caches"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(10)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            services::settings::reload(&ctx).await?;
            services::units::reload_catalog(&ctx).await?;
            services::templates::reload(&ctx).await?;
            Ok(())
        })
    }
}
