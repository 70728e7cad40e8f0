//! The HTTP side: state, routes, the frame middleware (security headers,
//! CSRF seed cookie, error pages) and small helpers shared by handlers.

mod account;
mod assets;
mod audit;
mod dashboard;
pub mod extract;
mod settings;
mod setup;
mod units;
mod users;

use std::sync::RwLock;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use time::PrimitiveDateTime;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::error::{AppError, AppResult, ErrorPage};
use crate::i18n::Lang;
use crate::models::settings::OrganisationSettings;
use crate::models::unit::UnitCatalog;
use crate::services::{ServiceError, ServiceResult};
use crate::views::ErrorView;

pub const SESSION_COOKIE: &str = "einlass_session";
pub const CSRF_COOKIE: &str = "einlass_csrf";
pub const LANG_COOKIE: &str = "einlass_lang";
pub const FLASH_COOKIE: &str = "einlass_flash";
/// Largest form body accepted (forms here are small).
pub const FORM_LIMIT: usize = 64 * 1024;

pub struct AppState {
    pub pool: DbPool,
    pub config: Config,
    pub clock: Clock,
    pub settings: RwLock<OrganisationSettings>,
    /// Groups and areas for the list menus: reloaded after every change made
    /// through this instance and every 10 s (changes made elsewhere).
    pub units: RwLock<std::sync::Arc<UnitCatalog>>,
    /// One permit per pooled connection: requests queue here in arrival order
    /// (the pool's own wait is unfair and made for long tails under load).
    pub db_permits: std::sync::Arc<tokio::sync::Semaphore>,
    pub csrf_key: Vec<u8>,
    /// Checked against when a login names no account, so both cost the same.
    pub dummy_hash: String,
}

impl AppState {
    pub fn settings(&self) -> OrganisationSettings {
        match self.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_settings(&self, row: OrganisationSettings) {
        match self.settings.write() {
            Ok(mut s) => *s = row,
            Err(poisoned) => *poisoned.into_inner() = row,
        }
    }

    pub fn units(&self) -> std::sync::Arc<UnitCatalog> {
        match self.units.read() {
            Ok(u) => u.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_units(&self, catalog: UnitCatalog) {
        let catalog = std::sync::Arc::new(catalog);
        match self.units.write() {
            Ok(mut u) => *u = catalog,
            Err(poisoned) => *poisoned.into_inner() = catalog,
        }
    }

    /// Reloads the groups and areas after a change.
    pub async fn reload_units(&self) -> AppResult<()> {
        let catalog = self.db_ok(|conn| Ok(UnitCatalog::load(conn)?)).await?;
        self.set_units(catalog);
        Ok(())
    }

    pub fn now(&self) -> PrimitiveDateTime {
        self.clock.now()
    }

    pub fn secure_cookies(&self) -> bool {
        // Runs on every response: read in place instead of cloning the settings.
        match self.settings.read() {
            Ok(s) => s.public_base_url.starts_with("https://"),
            Err(poisoned) => poisoned
                .into_inner()
                .public_base_url
                .starts_with("https://"),
        }
    }

    pub fn session_policy(&self) -> crate::services::auth::SessionPolicy {
        crate::services::auth::SessionPolicy {
            idle: time::Duration::minutes(self.config.session_idle_minutes),
            absolute: time::Duration::hours(self.config.session_absolute_hours),
        }
    }

    /// Runs database work on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> AppResult<ServiceResult<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ServiceResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let permit = self
            .db_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(format!("database permits: {e}")))?;
        web::block(move || -> Result<ServiceResult<T>, AppError> {
            let _permit = permit;
            let mut conn = pool
                .get()
                .map_err(|e| AppError::Internal(format!("database pool: {e}")))?;
            let result = f(&mut conn);
            if let Err(ServiceError::Database(e)) = &result {
                crate::db::note_failure(e);
            }
            Ok(result)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task: {e}")))?
    }

    /// Like [`Self::db`] for work whose every failure is unexpected.
    pub async fn db_ok<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ServiceResult<T> + Send + 'static,
    {
        Ok(self.db(f).await??)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(ServiceError::Database(e))
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(assets::healthz))
        .route("/static/brand.css", web::get().to(assets::brand_css))
        .route("/static/{file}", web::get().to(assets::file))
        .route("/login", web::get().to(account::login_form))
        .route("/login", web::post().to(account::login))
        .route("/logout", web::post().to(account::logout))
        .route("/lang", web::post().to(account::switch_language))
        .route("/account/password", web::get().to(account::password_form))
        .route(
            "/account/password",
            web::post().to(account::change_password),
        )
        .route("/setup", web::get().to(setup::form))
        .route("/setup", web::post().to(setup::submit))
        .route("/setup/{token}", web::get().to(setup::open_link))
        .route("/", web::get().to(dashboard::show))
        .route("/users", web::get().to(users::list))
        .route("/users/new", web::get().to(users::new_form))
        .route("/users/new", web::post().to(users::create))
        .route("/users/{id}", web::get().to(users::show))
        .route("/users/{id}/edit", web::get().to(users::edit_form))
        .route("/users/{id}/edit", web::post().to(users::update))
        .route("/users/{id}/deactivate", web::post().to(users::deactivate))
        .route("/users/{id}/reactivate", web::post().to(users::reactivate))
        .route("/users/{id}/delete", web::get().to(users::delete_form))
        .route("/users/{id}/delete", web::post().to(users::delete))
        .route("/users/{id}/photo", web::get().to(users::photo))
        .route("/users/{id}/photo", web::post().to(users::upload_photo))
        .route(
            "/users/{id}/photo/delete",
            web::post().to(users::remove_photo),
        )
        .route("/users/{id}/areas", web::get().to(users::areas_form))
        .route("/users/{id}/areas", web::post().to(users::set_areas))
        .route("/settings", web::get().to(settings::form))
        .route("/settings", web::post().to(settings::save))
        .route("/audit", web::get().to(audit::list))
        .configure(units::routes)
        .default_service(web::to(not_found));
}

async fn not_found() -> AppResult<HttpResponse> {
    Err(AppError::NotFound)
}

/// The language of a request: the visitor's choice (cookie), else the
/// browser's Accept-Language, else the organisation's default.
pub fn request_lang(req: &HttpRequest, state: &AppState) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|h| h.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_else(|| Lang::parse(&state.settings().default_language).unwrap_or_default())
}

/// Per-request seed of the CSRF token (the cookie value, or a new one).
#[derive(Clone)]
pub struct CsrfSeed {
    pub value: String,
    pub is_new: bool,
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Wraps every request: CSRF seed cookie, security headers, no-store for
/// pages, flash cleanup and error pages rendered in the request's language.
pub async fn frame(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let seed = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
        .map(|value| CsrfSeed {
            value,
            is_new: false,
        })
        .unwrap_or_else(|| CsrfSeed {
            value: crate::domain::token::random_secret(),
            is_new: true,
        });
    req.extensions_mut().insert(seed.clone());
    let had_flash = req.cookie(FLASH_COOKIE).is_some();
    let is_static = req.path().starts_with("/static/");
    let res = next.call(req).await?.map_into_boxed_body();
    let error_page = res
        .response()
        .extensions()
        .get::<ErrorPage>()
        .copied()
        .or_else(|| {
            // Errors raised by actix itself (a path that is not a number, a body
            // over the limit, a malformed query) get the same page as ours.
            let status = res.status();
            let is_html = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            match status.as_u16() {
                _ if is_html || !(status.is_client_error() || status.is_server_error()) => None,
                404 | 405 => Some(ErrorPage::NotFound),
                403 => Some(ErrorPage::Forbidden),
                500..=599 => Some(ErrorPage::Internal),
                _ => Some(ErrorPage::BadRequest),
            }
        });
    let mut res = match error_page {
        Some(kind) => {
            let status = res.status();
            let page = render_error_page(res.request(), kind);
            res.into_response(match page {
                Ok(body) => HttpResponse::build(status)
                    .content_type("text/html; charset=utf-8")
                    .body(body),
                Err(_) => HttpResponse::build(status)
                    .content_type("text/plain; charset=utf-8")
                    .body("Fehler / Error"),
            })
        }
        None => res,
    };
    let secure = res
        .request()
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.secure_cookies());
    if seed.is_new {
        let cookie = Cookie::build(CSRF_COOKIE, seed.value)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .finish();
        let _ = res.response_mut().add_cookie(&cookie);
    }
    if had_flash && !res.status().is_redirection() {
        let _ = res
            .response_mut()
            .add_removal_cookie(&Cookie::build(FLASH_COOKIE, "").path("/").finish());
    }
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if secure {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

fn render_error_page(req: &HttpRequest, kind: ErrorPage) -> Result<String, askama::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(askama::Error::Fmt);
    };
    let p = extract::public_page(req, state, "");
    let t = p.t;
    let (title, text) = match kind {
        ErrorPage::NotFound => (t.error_not_found_title, t.error_not_found_text),
        ErrorPage::Forbidden => (t.error_forbidden_title, t.error_forbidden_text),
        ErrorPage::Csrf => (t.error_csrf_title, t.error_csrf_text),
        ErrorPage::BadRequest => (t.error_bad_request_title, t.error_bad_request_text),
        ErrorPage::Internal => (t.error_internal_title, t.error_internal_text),
    };
    ErrorView { p, title, text }.render()
}

/// An HTML response with the given status.
pub fn html(
    status: actix_web::http::StatusCode,
    template: &impl Template,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

pub fn ok_html(template: &impl Template) -> AppResult<HttpResponse> {
    html(actix_web::http::StatusCode::OK, template)
}

/// 303 to `location`, with a flash message key for the next page.
pub fn redirect_with_flash(location: &str, flash: &str) -> HttpResponse {
    let cookie = Cookie::build(FLASH_COOKIE, flash.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(60))
        .finish();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .cookie(cookie)
        .finish()
}

pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// A UTC timestamp shown in the organisation's time zone.
pub fn format_datetime(at: &PrimitiveDateTime, tz_name: &str, lang: Lang) -> String {
    use time_tz::{OffsetDateTimeExt, timezones};
    let utc = at.assume_utc();
    let local = match timezones::get_by_name(tz_name) {
        Some(tz) => utc.to_timezone(tz),
        None => utc,
    };
    let (d, m, y, h, min) = (
        local.day(),
        local.month() as u8,
        local.year(),
        local.hour(),
        local.minute(),
    );
    match lang {
        Lang::De => format!("{d:02}.{m:02}.{y} {h:02}:{min:02}"),
        Lang::En => format!("{y}-{m:02}-{d:02} {h:02}:{min:02}"),
    }
}

/// Only same-site relative paths are followed after login or a language switch.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok { next.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_site() {
        assert_eq!(safe_next("/users?page=2"), "/users?page=2");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/a\r\nSet-Cookie: x"), "/");
    }

    #[test]
    fn dates_are_local_and_localised() {
        let at = time::macros::datetime!(2026-07-01 10:30);
        assert_eq!(
            format_datetime(&at, "Europe/Berlin", Lang::De),
            "01.07.2026 12:30"
        );
        assert_eq!(
            format_datetime(&at, "Europe/Berlin", Lang::En),
            "2026-07-01 12:30"
        );
    }
}
