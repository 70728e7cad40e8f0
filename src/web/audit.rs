//! /audit — the audit log with filters.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::Page as ListPage;
use crate::error::AppResult;
use crate::services::audit;
use crate::views::forms::AuditQuery;
use crate::views::{AuditView, Pager};
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
    q: super::extract::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let page = audit::list(&state.ctx, &admin.actor(), &commands::audit_query(&query)).await?;
    let events = page.entries;
    let pager = Pager {
        first_url: events.has_previous().then(|| page_link(&query, 1)),
        prev_url: events
            .has_previous()
            .then(|| page_link(&query, events.page - 1)),
        next_url: events
            .has_next()
            .then(|| page_link(&query, events.page + 1)),
        last_url: events
            .has_next()
            .then(|| page_link(&query, events.page_count())),
    };
    form_html(
        !page.errors.is_empty(),
        &AuditView {
            p: admin.page(&req, &state, "audit"),
            query,
            list: ListPage {
                items: Vec::new(),
                total: events.total,
                page: events.page,
                per_page: events.per_page,
            },
            events,
            actions: page.actions,
            pager,
            errors: page.errors,
        },
    )
}
