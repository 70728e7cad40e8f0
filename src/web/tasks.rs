//! The page of a background task.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::services::{ServiceError, tasks};
use crate::views::TaskPage;
use crate::web::extract::CurrentAdmin;
use crate::web::{AppState, ok_html};

#[derive(Deserialize)]
pub struct TaskQuery {
    #[serde(default)]
    again: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<String>,
    q: super::extract::Query<TaskQuery>,
) -> AppResult<HttpResponse> {
    // Anything but a task number is a page that does not exist.
    let Ok(id) = id.parse::<i64>() else {
        return Err(AppError::NotFound);
    };
    let task = match tasks::view(&state.ctx, &admin.actor(), id).await {
        Ok(t) => t,
        Err(ServiceError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    ok_html(&TaskPage {
        p: admin.page(&req, &state, "users"),
        again: q.again.is_some(),
        task,
    })
}

/// Starts the task runner now (it also runs every few seconds as a job), so
/// a task the admin just started does not wait for the next turn.
pub fn kick(ctx: &crate::context::Context) {
    if !ctx.config().tasks_in_serve {
        return;
    }
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if let Err(error) = tasks::run_pending(&ctx).await {
            tracing::warn!(%error, "background task failed; it is taken up again");
        }
    });
}
