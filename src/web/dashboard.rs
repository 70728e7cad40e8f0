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
    let requests = if admin.admin.role.may_manage_users() {
        crate::services::access_requests::pending(&state.ctx, &admin.actor(), QUEUE_ON_DASHBOARD)
            .await?
    } else {
        (Vec::new(), 0)
    };
    ok_html(&DashboardView {
        p: admin.page(&req, &state, "dashboard"),
        overview,
        mail,
        requests: requests.0,
        requests_total: requests.1,
    })
}

/// Access requests the dashboard shows at once (the rest: the user list,
/// status `ausstehend`).
const QUEUE_ON_DASHBOARD: i64 = 20;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    reason: String,
}

/// POST /access-requests/{id}/approve
pub async fn approve(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<crate::domain::UserId>,
    _form: crate::web::extract::CsrfForm<crate::web::extract::NoFields>,
) -> AppResult<HttpResponse> {
    decide(&state, &admin, id.into_inner(), true, "").await
}

/// POST /access-requests/{id}/reject (with an optional reason)
pub async fn reject(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<crate::domain::UserId>,
    crate::web::extract::CsrfForm(form): crate::web::extract::CsrfForm<DecisionForm>,
) -> AppResult<HttpResponse> {
    decide(&state, &admin, id.into_inner(), false, &form.reason).await
}

async fn decide(
    state: &AppState,
    admin: &CurrentAdmin,
    id: crate::domain::UserId,
    approve: bool,
    reason: &str,
) -> AppResult<HttpResponse> {
    use crate::services::ServiceError;
    let flash = match crate::services::access_requests::decide(
        &state.ctx,
        &admin.actor(),
        id,
        approve,
        reason,
    )
    .await
    {
        Ok(()) if approve => "requests_approved",
        Ok(()) => "requests_rejected",
        Err(ServiceError::Refused(_)) => "requests_decided",
        // A reason too long or with control characters: said, nothing done.
        Err(ServiceError::Invalid(_)) => "requests_reason_invalid",
        Err(e) => return Err(e.into()),
    };
    Ok(crate::web::redirect_with_flash("/#requests-title", flash))
}
