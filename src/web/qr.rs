//! /users/{id}/qr — the activation link as a QR code: its page (with "Link
//! kopieren", "Bild kopieren", downloads), the PNG and SVG, and the letter
//! to print. The link is made by a POST and handed over to this browser
//! only (see `services::invitations::hand_over_link`): a cookie limited to
//! these paths holds the hand-over id the token is derived from.
//!
//! /letters/{id} — the letters of a confirmed "QR-Briefe drucken" (the
//! user list's bulk action, `services::letters`), one page per person, and
//! each letter's code; a cookie limited to that path holds their secret.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::UserId;
use crate::error::AppResult;
use crate::services::ServiceError;
use crate::services::invitations::{self as service, HandedOverLink, QR_MINUTES};
use crate::services::users::{Handover, changeable_summary};
use crate::views::{LettersView, QrLetterView, QrView};
use crate::web::extract::{CsrfForm, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, ok_html, redirect, redirect_with_flash};

const QR_COOKIE: &str = "einlass_qr";
const LETTERS_COOKIE: &str = "einlass_letters";

fn base(id: UserId) -> String {
    format!("/users/{id}/qr")
}

/// The secret this browser holds in `cookie` (64 hex digits).
pub(crate) fn secret_in(req: &HttpRequest, cookie: &str) -> Option<String> {
    req.cookie(cookie)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The hand-over id this browser holds for the person's QR pages.
fn handover_id(req: &HttpRequest) -> Option<String> {
    secret_in(req, QR_COOKIE)
}

/// A cookie with a secret for these pages only, for [`QR_MINUTES`].
pub(crate) fn secret_cookie(
    state: &AppState,
    name: &'static str,
    value: &str,
    path: String,
) -> Cookie<'static> {
    Cookie::build(name, value.to_owned())
        .path(path)
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::minutes(QR_MINUTES))
        .finish()
}

/// The live link of this browser's hand-over, if there is one.
async fn live_link(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: UserId,
) -> AppResult<Option<HandedOverLink>> {
    let Some(h) = handover_id(req) else {
        return Ok(None);
    };
    Ok(service::handed_over_link(&state.ctx, &admin.actor(), id, &h, &admin.session).await?)
}

/// GET /users/{id}/qr: the code while this browser's hand-over lives; else
/// what a new code does, and the button that makes it.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let link = live_link(&req, &state, &admin, id).await?;
    let user = match &link {
        Some(l) => l.user.clone(),
        None => changeable_summary(&state.ctx, &admin.actor(), id).await?,
    };
    let may_issue = user.status.invite().is_ok() || user.status.renew().is_ok();
    ok_html(&QrView {
        p: admin.page(&req, &state, "users"),
        user,
        link,
        may_issue,
    })
}

/// POST /users/{id}/qr: "QR-Code erzeugen" — a fresh link (every older one
/// dies), shown to this browser for [`QR_MINUTES`].
pub async fn issue(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let handover = Handover {
        id: crate::domain::token::random_secret(),
        session: admin.session.clone(),
        then_page: crate::models::handover::QR_HANDOVER.to_owned(),
    };
    let seed = handover.id.clone();
    match service::hand_over_link(&state.ctx, &admin.actor(), id, handover).await {
        Ok(()) => {}
        // The status changed meanwhile (activated, blocked): the page says so.
        Err(ServiceError::Refused(r)) => {
            return Ok(redirect_with_flash(&base(id), &refusal_flash(r)));
        }
        Err(e) => return Err(e.into()),
    }
    let mut res = redirect(&base(id));
    let _ = res.add_cookie(&secret_cookie(&state, QR_COOKIE, &seed, base(id)));
    Ok(res)
}

/// POST /users/{id}/qr/done: "Fertig" — this browser shows the code no
/// more (the link stays valid).
pub async fn done(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    // Called without a hand-over too: the permission is checked either way.
    let h = handover_id(&req).unwrap_or_default();
    service::end_hand_over(&state.ctx, &admin.actor(), id, &h).await?;
    let mut res = redirect(&format!("/users/{id}"));
    let _ = res.add_removal_cookie(&Cookie::build(QR_COOKIE, "").path(base(id)).finish());
    Ok(res)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ImageQuery {
    /// Set: as a file to save, not to show.
    download: String,
}

/// The file name of a download: the person's username (letters, digits,
/// `.`, `-`, `_` only).
fn file_name(link: &HandedOverLink, ext: &str) -> String {
    let name: String = link
        .user
        .username
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    format!("einladung-{name}.{ext}")
}

/// The code of this browser's live link as PNG or SVG; 404 when there is
/// none (made elsewhere, shown too long ago, renewed, used).
async fn code(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: UserId,
    query: &ImageQuery,
    svg: bool,
) -> AppResult<HttpResponse> {
    let Some(link) = live_link(req, state, admin, id).await? else {
        return Ok(HttpResponse::NotFound().finish());
    };
    let url = link.url.clone();
    let (content_type, ext, drawn) = if svg {
        (
            "image/svg+xml",
            "svg",
            crate::domain::qr::svg(&url).map(String::into_bytes),
        )
    } else {
        (
            "image/png",
            "png",
            state
                .ctx
                .cpu(move || crate::domain::qr::png(&url, crate::domain::qr::PNG_SCALE))
                .await?,
        )
    };
    let body = drawn.map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    let disposition = if query.download.is_empty() {
        "inline".to_owned()
    } else {
        format!("attachment; filename=\"{}\"", file_name(&link, ext))
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", disposition))
        .body(body))
}

/// GET /users/{id}/qr/code.png (`?download=1` to save it).
pub async fn png(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    query: super::extract::Query<ImageQuery>,
) -> AppResult<HttpResponse> {
    code(&req, &state, &admin, id.into_inner(), &query, false).await
}

/// GET /users/{id}/qr/code.svg (`?download=1` to save it).
pub async fn svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    query: super::extract::Query<ImageQuery>,
) -> AppResult<HttpResponse> {
    code(&req, &state, &admin, id.into_inner(), &query, true).await
}

/// GET /users/{id}/qr/letter: the A4 letter to print and hand over.
pub async fn letter(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let Some(link) = live_link(&req, &state, &admin, id).await? else {
        return Ok(redirect(&base(id)));
    };
    ok_html(&QrLetterView {
        p: admin.page(&req, &state, "users"),
        login_url: state.ctx.settings().link("/login"),
        link,
    })
}

fn letters_path(id: i64) -> String {
    format!("/letters/{id}")
}

/// 303 to the letters of print `id`, with their secret in a cookie for that
/// path (a repeated confirmation hands the same secret over again).
pub fn to_letters(state: &AppState, id: i64, secret: &str) -> HttpResponse {
    let mut res = redirect(&letters_path(id));
    let _ = res.add_cookie(&secret_cookie(
        state,
        LETTERS_COOKIE,
        secret,
        letters_path(id),
    ));
    res
}

/// GET /letters/{id}: every letter of the print, one per page, while this
/// browser may show them; else a page that says why not.
pub async fn letters(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let found = match secret_in(&req, LETTERS_COOKIE) {
        Some(seed) => {
            crate::services::letters::letters(&state.ctx, &admin.actor(), id, &seed, &admin.session)
                .await?
        }
        None => {
            crate::services::require_user_management(&admin.actor())?;
            None
        }
    };
    ok_html(&LettersView {
        p: admin.page(&req, &state, "users"),
        login_url: state.ctx.settings().link("/login"),
        id,
        letters: found,
    })
}

/// GET /letters/{id}/{user_id}.png: the code on one letter of the print
/// (PNG: Chromium decodes those off its main thread; a thousand SVG images
/// kept it busy for half a minute).
pub async fn letter_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, file) = path.into_inner();
    let person = file
        .strip_suffix(".png")
        .and_then(|n| n.parse::<i64>().ok())
        .map(UserId::new);
    let (Some(person), Some(seed)) = (person, secret_in(&req, LETTERS_COOKIE)) else {
        return Ok(HttpResponse::NotFound().finish());
    };
    let link = crate::services::letters::letter_link(
        &state.ctx,
        &admin.actor(),
        id,
        person,
        &seed,
        &admin.session,
    )
    .await?;
    let Some(url) = link else {
        return Ok(HttpResponse::NotFound().finish());
    };
    let png = state
        .ctx
        .cpu(move || crate::domain::qr::png(&url, crate::domain::qr::LETTER_SCALE))
        .await?
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Content-Disposition", "inline"))
        .body(png))
}
