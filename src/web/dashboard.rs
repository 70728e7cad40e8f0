//! / — the admin's starting point: counts that lead into the list, first steps.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppResult;
use crate::services::dashboard;
use crate::views::DashboardView;
use crate::web::extract::CurrentAdmin;
use crate::web::{AppState, ok_html};

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    let overview = dashboard::overview(&state.ctx, &admin.actor()).await?;
    let mail = crate::services::mail::health(&state.ctx).await?;
    ok_html(&DashboardView {
        p: admin.page(&req, &state, "dashboard"),
        overview,
        mail,
    })
}
