//! /access-links — Zugangslinks: the list of sets, "Zugangslinks
//! erstellen", a set's page (its links and their state, revoking, and for
//! the browser that made it the addresses to copy), its QR letters and each
//! letter's code. A cookie limited to the set's paths holds the secret the
//! tokens are derived from (see `services::access_links`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::FieldErrors;
use crate::domain::access::{MAX_LINKS_PER_SET, MAX_VALID_DAYS};
use crate::error::{AppError, AppResult};
use crate::services::access_links as service;
use crate::services::{ServiceError, require_user_management};
use crate::views::forms::AccessLinksForm;
use crate::views::{AccessLettersView, AccessListView, AccessNewView, AccessSetView};
use crate::web::extract::CsrfForm;
use crate::web::extract::CurrentAdmin;
use crate::web::qr::{secret_cookie, secret_in};
use crate::web::{AppState, form_html, ok_html, redirect_with_flash};

const SET_COOKIE: &str = "einlass_access_links";

fn set_path(id: i64) -> String {
    format!("/access-links/{id}")
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<String>,
}

/// GET /access-links
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    query: super::extract::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = super::commands::page_number(query.page.as_deref().unwrap_or_default());
    ok_html(&AccessListView {
        p: admin.page(&req, &state, "access"),
        sets: service::sets(&state.ctx, page).await?,
        now: state.ctx.now(),
    })
}

fn new_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    input: AccessLinksForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let units = state.ctx.units();
    form_html(
        !errors.is_empty(),
        &AccessNewView {
            p: admin.page(req, state, "access"),
            input,
            groups: units.groups.clone(),
            areas: units.areas.clone(),
            errors,
            max_links: MAX_LINKS_PER_SET,
            max_days: MAX_VALID_DAYS,
        },
    )
}

/// GET /access-links/new
pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    require_user_management(&admin.actor())?;
    let input = AccessLinksForm {
        count: "1".into(),
        valid_days: state.ctx.settings().invitation_validity_days.to_string(),
        user_type: "mitarbeiter".into(),
        area_role: "mitglied".into(),
        form_key: crate::domain::token::random_secret(),
        ..Default::default()
    };
    new_page(&req, &state, &admin, input, FieldErrors::default())
}

/// POST /access-links/new: makes the set, then its page, with the secret
/// in a cookie for the set's paths. The secret comes from the form's key
/// and the session: a repeated submit (its first answer lost) gets the
/// same one, and the same set.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<AccessLinksForm>,
) -> AppResult<HttpResponse> {
    require_user_management(&admin.actor())?;
    let key = form.form_key.trim();
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::BadRequest(
            "access links form without form_key".into(),
        ));
    }
    let cmd = match super::commands::access_links(&form) {
        Ok(cmd) => cmd,
        Err(errors) => return new_page(&req, &state, &admin, form, errors),
    };
    let seed = crate::domain::token::derive_secret(
        &state.ctx.secrets().csrf_key,
        "einlass access links",
        &format!("{key}\0{}", admin.session),
    );
    match service::create(&state.ctx, &admin.actor(), cmd, key, &seed, &admin.session).await {
        Ok(id) => {
            let mut res = redirect_with_flash(&set_path(id), "access_created");
            let _ = res.add_cookie(&secret_cookie(&state, SET_COOKIE, &seed, set_path(id)));
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => new_page(&req, &state, &admin, form, errors),
        Err(e) => Err(e.into()),
    }
}

/// The open links' addresses, when this browser may show them.
async fn shown(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
) -> AppResult<Option<Vec<crate::domain::access::ShownLink>>> {
    if !admin.admin.role.may_manage_users() {
        return Ok(None);
    }
    let Some(seed) = secret_in(req, SET_COOKIE) else {
        return Ok(None);
    };
    Ok(service::shown_links(&state.ctx, &admin.actor(), id, &seed, &admin.session).await?)
}

/// GET /access-links/{id}
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let detail = service::detail(&state.ctx, id).await?;
    ok_html(&AccessSetView {
        p: admin.page(&req, &state, "access"),
        shown: shown(&req, &state, &admin, id).await?,
        detail,
        now: state.ctx.now(),
    })
}

#[derive(Deserialize)]
pub struct RevokeForm {
    /// One link's number; none: every open link of the set.
    #[serde(default)]
    number: Option<String>,
}

/// POST /access-links/{id}/revoke
pub async fn revoke(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let number = match form.number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            n.parse::<i32>()
                .map_err(|_| AppError::BadRequest("link number".into()))?,
        ),
    };
    let n = service::revoke(&state.ctx, &admin.actor(), id, number).await?;
    let flash = if n > 0 {
        "access_revoked"
    } else {
        "access_nothing_revoked"
    };
    Ok(redirect_with_flash(&set_path(id), flash))
}

/// GET /access-links/{id}/letters: one letter per open link, while this
/// browser may show them.
pub async fn letters(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    require_user_management(&admin.actor())?;
    let detail = service::detail(&state.ctx, id).await?;
    ok_html(&AccessLettersView {
        p: admin.page(&req, &state, "access"),
        login_url: state.ctx.settings().link("/login"),
        links: shown(&req, &state, &admin, id).await?,
        set: detail.set,
    })
}

/// GET /access-links/{id}/{number}.png: the code on one letter.
pub async fn code(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, file) = path.into_inner();
    require_user_management(&admin.actor())?;
    let number = file
        .strip_suffix(".png")
        .and_then(|n| n.parse::<i32>().ok());
    let (Some(number), Some(seed)) = (number, secret_in(&req, SET_COOKIE)) else {
        return Err(AppError::NotFound);
    };
    let url = service::shown_link(
        &state.ctx,
        &admin.actor(),
        id,
        number,
        &seed,
        &admin.session,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let png = state
        .ctx
        .cpu(move || crate::domain::qr::png(&url, crate::domain::qr::LETTER_SCALE))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Content-Disposition", "inline"))
        .body(png))
}
