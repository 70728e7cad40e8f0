//! / — counts per status.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::UserStatus;
use crate::error::AppResult;
use crate::models::user;
use crate::views::DashboardView;
use crate::web::extract::Admin;
use crate::web::{AppState, ok_html};

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> AppResult<HttpResponse> {
    let counts = state.db_ok(|conn| Ok(user::count_by_status(conn)?)).await?;
    let p = admin.page(&req, &state, "dashboard");
    let by_status: Vec<_> = UserStatus::ALL
        .iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(code, _)| code == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s.as_str(), p.t.status(*s), n)
        })
        .collect();
    let total = by_status.iter().map(|(_, _, n)| n).sum();
    ok_html(&DashboardView {
        p,
        total,
        by_status,
    })
}
