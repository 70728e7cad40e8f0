//! / — counts per status.

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
    let by_status = dashboard::counts(&state.ctx, &admin.actor()).await?;
    let total = by_status.iter().map(|(_, n)| n).sum();
    ok_html(&DashboardView {
        p: admin.page(&req, &state, "dashboard"),
        total,
        by_status,
    })
}
