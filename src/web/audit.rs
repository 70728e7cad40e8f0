//! /audit — the audit log with filters.

use actix_web::{HttpRequest, HttpResponse, web};
use time::{Date, PrimitiveDateTime, Time};

use crate::error::AppResult;
use crate::models::audit::{self, AuditFilter};
use crate::views::{AuditQuery, AuditView};
use crate::web::extract::Admin;
use crate::web::{AppState, ok_html};

const PER_PAGE: i64 = 50;

fn parse_date(s: &str) -> Option<PrimitiveDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &format)
        .ok()
        .map(|d| PrimitiveDateTime::new(d, Time::MIDNIGHT))
}

fn link(q: &AuditQuery, page: i64) -> String {
    let pairs = [
        ("q", q.q.as_str()),
        ("action", q.action.as_str()),
        ("from", q.from.as_str()),
        ("until", q.until.as_str()),
    ];
    let mut url = String::from("/audit?");
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        url.push_str(&format!("{k}={}&", crate::error::url_encode(v)));
    }
    url.push_str(&format!("page={page}"));
    url
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    q: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let filter = AuditFilter {
        action: Some(query.action.trim().to_owned()).filter(|s| !s.is_empty()),
        text: Some(query.q.trim().chars().take(200).collect::<String>()).filter(|s| !s.is_empty()),
        target_kind: None,
        target_id: None,
        from: parse_date(&query.from),
        until: parse_date(&query.until).map(|d| d + time::Duration::days(1)),
    };
    let page = query.page.parse::<i64>().unwrap_or(1).clamp(1, 1_000_000);
    let (events, actions) = state
        .db_ok(move |conn| {
            Ok((
                audit::list(conn, &filter, page, PER_PAGE)?,
                audit::actions(conn)?,
            ))
        })
        .await?;
    let prev_url = (events.page > 1).then(|| link(&query, events.page - 1));
    let next_url = (events.page < events.page_count()).then(|| link(&query, events.page + 1));
    let p = admin.page(&req, &state, "audit");
    ok_html(&AuditView {
        p,
        query,
        events,
        actions,
        prev_url,
        next_url,
    })
}
