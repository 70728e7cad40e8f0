//! /audit — the audit log with filters.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppResult;
use crate::services::audit;
use crate::views::AuditView;
use crate::views::forms::AuditQuery;
use crate::web::commands;
use crate::web::extract::CurrentAdmin;
use crate::web::{AppState, form_html, link};

fn page_link(q: &AuditQuery, page: i64) -> String {
    link(
        "/audit",
        &[
            ("q", &q.q),
            ("action", &q.action),
            ("from", &q.from),
            ("until", &q.until),
            ("page", &page.to_string()),
        ],
    )
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let page = audit::list(&state.ctx, &admin.actor(), &commands::audit_query(&query)).await?;
    let events = page.entries;
    let prev_url = events
        .has_previous()
        .then(|| page_link(&query, events.page - 1));
    let next_url = events
        .has_next()
        .then(|| page_link(&query, events.page + 1));
    form_html(
        !page.errors.is_empty(),
        &AuditView {
            p: admin.page(&req, &state, "audit"),
            query,
            events,
            actions: page.actions,
            prev_url,
            next_url,
            errors: page.errors,
        },
    )
}
