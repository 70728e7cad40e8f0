//! Static files built into the binary, the brand stylesheet and /healthz.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::{AppError, AppResult};
use crate::services::maintenance;
use crate::web::AppState;

const APP_CSS: &str = include_str!("../../static/app.css");
const APP_JS: &str = include_str!("../../static/app.js");
const ICON_SVG: &str = include_str!("../../static/icon.svg");

pub async fn file(path: web::Path<String>) -> AppResult<HttpResponse> {
    let (body, kind) = match path.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON_SVG, "image/svg+xml"),
        _ => return Err(AppError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body))
}

/// The organisation's colour as CSS variables (inline styles are blocked by
/// the CSP): the colour as chosen for the header stripe, and its readable
/// shade for links, buttons and focus rings.
pub async fn brand_css(state: web::Data<AppState>) -> HttpResponse {
    use crate::domain::settings::{DEFAULT_BRAND, accessible_shade, parse_colour};
    let colour =
        parse_colour(&state.ctx.settings().brand_colour).unwrap_or_else(|_| DEFAULT_BRAND.into());
    let shade = accessible_shade(&colour);
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(format!(
            ":root {{ --brand: {shade}; --brand-stripe: {colour}; }}\n"
        ))
}

/// The organisation's logo (a PNG Einlass wrote itself), for every page
/// and letter; 404 when there is none. Its address carries its version, so
/// it may be cached long.
pub async fn logo(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    match crate::services::settings::logo(&state.ctx).await? {
        Some(png) => Ok(HttpResponse::Ok()
            .content_type("image/png")
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(png)),
        None => Err(AppError::NotFound),
    }
}

/// 200 when the database answers.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if maintenance::healthy(&state.ctx).await {
        HttpResponse::Ok().content_type("text/plain").body("ok")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unavailable")
    }
}
