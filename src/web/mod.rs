//! The HTTP side: the route table, the frame middleware (security headers,
//! CSRF seed cookie, error pages) and small helpers shared by handlers.
//! Handlers stay thin: extract, build a typed command, call a service, turn
//! the result into a page or a redirect.

mod access_links;
mod access_log;
mod account;
mod assets;
mod audit;
pub mod client;
mod commands;
mod dashboard;
pub mod extract;
mod imports;
mod invitee;
mod mail;
pub(crate) mod qr;
mod registration;
mod settings;
mod setup;
pub mod tasks;
mod templates;
mod units;
mod users;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;

use crate::context::Context;
use crate::error::{AppError, AppResult, ErrorPage};
use crate::views::ErrorView;
pub use access_log::RedactedSpan;
pub use client::TrustedProxies;

pub const SESSION_COOKIE: &str = "einlass_session";
pub const CSRF_COOKIE: &str = "einlass_csrf";
pub const LANG_COOKIE: &str = "einlass_lang";
pub const FLASH_COOKIE: &str = "einlass_flash";
/// Largest form body accepted (forms here are small).
pub const FORM_LIMIT: usize = 64 * 1024;

/// What the HTTP side needs besides the application itself.
pub struct AppState {
    pub ctx: Context,
    /// Proxies whose `X-Forwarded-For`/`Forwarded` headers are believed.
    pub proxies: TrustedProxies,
}

impl AppState {
    pub fn secure_cookies(&self) -> bool {
        self.ctx.settings().uses_https()
    }
}

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Everyone (sign-in, setup link, static files, health).
    Public,
    /// Signed-in admins only: the handler takes `CurrentAdmin`.
    Admin,
    /// Anyone signed in (his own pages): the handler takes `SignedIn`.
    Person,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    /// Link pages answer HEAD like GET (mail scanners): nothing changes.
    Head,
}

/// One route of the table below.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

macro_rules! routes {
    ($($method:ident $path:literal $access:ident => $handler:path;)*) => {
        /// Every route of the app, in matching order. Tests walk this table
        /// to prove that every admin route needs a session and every POST a
        /// CSRF token.
        pub const ROUTES: &[Route] = &[
            $(Route { method: Method::$method, path: $path, access: Access::$access },)*
        ];

        /// Every GET route answers HEAD too, with the same handler (actix
        /// sends the head without the body): link checkers and monitors ask
        /// that way, and GET changes nothing anywhere.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            $(
                cfg.route($path, routes!(@method $method).to($handler));
                routes!(@head $method, cfg, $path, $handler);
            )*
            cfg.default_service(web::to(not_found));
        }
    };
    (@method Get) => { web::get() };
    (@method Post) => { web::post() };
    (@method Head) => { web::head() };
    (@head Get, $cfg:ident, $path:literal, $handler:path) => {
        $cfg.route($path, web::head().to($handler));
    };
    (@head $other:ident, $cfg:ident, $path:literal, $handler:path) => {};
}

routes! {
    Get "/healthz" Public => assets::healthz;
    Get "/static/brand.css" Public => assets::brand_css;
    Get "/logo" Public => assets::logo;
    Get "/static/{file}" Public => assets::file;
    Get "/login" Public => account::login_form;
    Post "/login" Public => account::login;
    Post "/logout" Public => account::logout;
    Post "/lang" Public => account::switch_language;
    Get "/setup" Public => setup::form;
    Post "/setup" Public => setup::submit;
    Get "/setup/{token}" Public => setup::open_link;
    Get "/i/{token}" Public => invitee::open_invitation;
    Head "/i/{token}" Public => invitee::open_invitation;
    Get "/activate" Public => invitee::activate_form;
    Post "/activate" Public => invitee::activate;
    Get "/forgot" Public => invitee::forgot_form;
    Post "/forgot" Public => invitee::forgot;
    Get "/r/{token}" Public => invitee::open_reset;
    Head "/r/{token}" Public => invitee::open_reset;
    Get "/reset" Public => invitee::reset_form;
    Post "/reset" Public => invitee::reset;
    Get "/c/{token}" Public => invitee::open_confirmation;
    Head "/c/{token}" Public => invitee::open_confirmation;
    Get "/a/{token}" Public => invitee::open_access;
    Head "/a/{token}" Public => invitee::open_access;
    Get "/join" Public => invitee::join_form;
    Post "/join" Public => invitee::join;
    Get "/request-access" Public => registration::request_form;
    Post "/request-access" Public => registration::request;
    Get "/register" Public => registration::register_form;
    Post "/register" Public => registration::register;
    Get "/confirm" Public => invitee::confirm_form;
    Post "/confirm" Public => invitee::confirm;
    Get "/welcome" Person => invitee::welcome;
    Get "/me" Person => invitee::profile;
    Get "/me/email" Person => invitee::email_question;
    Post "/me/email" Person => invitee::add_email;
    Get "/me/photo" Person => invitee::photo;
    Post "/me/photo" Person => invitee::upload_photo;
    Get "/me/password" Person => invitee::password_form;
    Post "/me/password" Person => invitee::change_password;
    Get "/account/password" Admin => account::password_form;
    Post "/account/password" Admin => account::change_password;
    Get "/" Admin => dashboard::show;
    Get "/users" Admin => users::list;
    Get "/users/export.xlsx" Admin => users::export;
    Get "/users/new" Admin => users::new_form;
    Post "/users/new" Admin => users::create;
    Post "/users/bulk" Admin => users::bulk;
    Post "/users/bulk/run" Admin => users::bulk_run;
    Get "/users/invite-created" Admin => mail::invite_all_later_form;
    Post "/users/invite-created" Admin => mail::invite_all_created;
    Get "/users/{id}" Admin => users::show;
    Get "/users/{id}/credentials" Admin => users::credentials;
    Post "/users/{id}/credentials/done" Admin => users::credentials_done;
    Get "/users/{id}/qr" Admin => qr::show;
    Post "/users/{id}/qr" Admin => qr::issue;
    Post "/users/{id}/qr/done" Admin => qr::done;
    Get "/users/{id}/qr/code.png" Admin => qr::png;
    Get "/users/{id}/qr/code.svg" Admin => qr::svg;
    Get "/users/{id}/qr/letter" Admin => qr::letter;
    Get "/users/{id}/start-password" Admin => users::start_password_form;
    Post "/users/{id}/start-password" Admin => users::new_start_password;
    Get "/users/{id}/invite" Admin => mail::invite_form;
    Post "/users/{id}/invite" Admin => mail::invite;
    Post "/users/{id}/invite/revoke" Admin => mail::revoke;
    Get "/users/{id}/edit" Admin => users::edit_form;
    Post "/users/{id}/edit" Admin => users::update;
    Post "/users/{id}/deactivate" Admin => users::deactivate;
    Post "/users/{id}/reactivate" Admin => users::reactivate;
    Get "/users/{id}/delete" Admin => users::delete_form;
    Post "/users/{id}/delete" Admin => users::delete;
    Get "/users/{id}/photo" Admin => users::photo;
    Post "/users/{id}/photo" Admin => users::upload_photo;
    Post "/users/{id}/photo/delete" Admin => users::remove_photo;
    Get "/users/{id}/areas" Admin => users::areas_form;
    Post "/users/{id}/areas" Admin => users::set_areas;
    Get "/letters/{id}" Admin => qr::letters;
    Get "/letters/{id}/{file}" Admin => qr::letter_code;
    Get "/access-links" Admin => access_links::list;
    Get "/access-links/new" Admin => access_links::new_form;
    Post "/access-links/new" Admin => access_links::create;
    Get "/access-links/{id}" Admin => access_links::show;
    Post "/access-links/{id}/revoke" Admin => access_links::revoke;
    Get "/access-links/{id}/letters" Admin => access_links::letters;
    Get "/access-links/{id}/{file}" Admin => access_links::code;
    Post "/access-requests/{id}/approve" Admin => dashboard::approve;
    Post "/access-requests/{id}/reject" Admin => dashboard::reject;
    Get "/registration" Admin => registration::list;
    Post "/registration/criteria" Admin => registration::set_criteria;
    Post "/registration/entries" Admin => registration::add_entry;
    Post "/registration/entries/{id}/delete" Admin => registration::delete_entry;
    Post "/registration/imports" Admin => registration::upload;
    Get "/registration/imports/{id}" Admin => registration::import;
    Post "/registration/imports/{id}/mapping" Admin => registration::map;
    Post "/registration/imports/{id}/commit" Admin => registration::commit;
    Post "/registration/imports/{id}/discard" Admin => registration::discard;
    Post "/registration/imports/{id}/undo" Admin => registration::undo;
    Get "/imports" Admin => imports::index;
    Post "/imports" Admin => imports::upload;
    Get "/imports/template.xlsx" Admin => imports::template;
    Get "/imports/{id}" Admin => imports::show;
    Get "/imports/{id}/sheet" Admin => imports::sheet_form;
    Post "/imports/{id}/sheet" Admin => imports::choose_sheet;
    Get "/imports/{id}/mapping" Admin => imports::mapping_form;
    Post "/imports/{id}/mapping" Admin => imports::set_mapping;
    Post "/imports/{id}/units" Admin => imports::set_units;
    Post "/imports/{id}/hidden" Admin => imports::set_hidden;
    Post "/imports/{id}/commit" Admin => imports::commit;
    Post "/imports/{id}/discard" Admin => imports::discard;
    Get "/imports/{id}/errors.xlsx" Admin => imports::errors;
    Get "/imports/{id}/undo" Admin => imports::undo_form;
    Post "/imports/{id}/undo" Admin => imports::undo;
    Get "/settings" Admin => settings::form;
    Post "/settings" Admin => settings::save;
    Post "/settings/logo" Admin => settings::upload_logo;
    Post "/settings/logo/delete" Admin => settings::remove_logo;
    Get "/audit" Admin => audit::list;
    Get "/tasks/{id}" Admin => tasks::show;
    Get "/mail/log" Admin => mail::log;
    Get "/mail/log/{id}" Admin => mail::log_message;
    Get "/mail/log/{id}/html" Admin => mail::log_message_html;
    Post "/mail/log/{id}/resend" Admin => mail::resend;
    Get "/mail/blocked" Admin => mail::blocked;
    Get "/mail/templates" Admin => templates::list;
    Get "/mail/templates/{kind}/{lang}" Admin => templates::edit_form;
    Post "/mail/templates/{kind}/{lang}" Admin => templates::save;
    Get "/mail/templates/{kind}/{lang}/preview" Admin => templates::preview_saved;
    Post "/mail/templates/{kind}/{lang}/preview" Admin => templates::preview;
    Post "/mail/templates/{kind}/{lang}/reset" Admin => templates::reset;
    Post "/mail/blocked/unblock" Admin => mail::unblock;
    Get "/mail/mailbox" Admin => mail::mailbox;
    Get "/mail/mailbox/{id}" Admin => mail::mailbox_message;
    Get "/{kind:groups|areas}" Admin => units::list;
    Post "/{kind:groups|areas}" Admin => units::create;
    Get "/{kind:groups|areas}/{id}" Admin => units::show;
    Post "/{kind:groups|areas}/{id}/rename" Admin => units::rename;
    Get "/{kind:groups|areas}/{id}/delete" Admin => units::delete_form;
    Post "/{kind:groups|areas}/{id}/delete" Admin => units::delete;
    Post "/{kind:groups|areas}/{id}/members" Admin => units::add_member;
    Post "/{kind:groups|areas}/{id}/members/{user_id}/remove" Admin => units::remove_member;
}

/// No route took the request: a path of the app asked with a method it does
/// not take is a 405 naming the ones it does (PUT, DELETE, OPTIONS …),
/// anything else a 404.
async fn not_found(req: HttpRequest) -> AppResult<HttpResponse> {
    // The path as the routes were matched against (`%6F` read as `o`).
    match allowed_methods(req.match_info().as_str()) {
        Some(allow) => Err(AppError::MethodNotAllowed(allow)),
        None => Err(AppError::NotFound),
    }
}

/// The methods the routes matching `path` take (`GET, HEAD, POST`), if any
/// does.
fn allowed_methods(path: &str) -> Option<String> {
    static PATTERNS: std::sync::OnceLock<Vec<(Method, actix_web::dev::ResourceDef)>> =
        std::sync::OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        ROUTES
            .iter()
            .map(|r| (r.method, actix_web::dev::ResourceDef::new(r.path)))
            .collect()
    });
    let matching: Vec<Method> = patterns
        .iter()
        .filter(|(_, def)| def.is_match(path))
        .map(|(method, _)| *method)
        .collect();
    if matching.is_empty() {
        return None;
    }
    let names: Vec<&str> = [
        (Method::Get, "GET"),
        (Method::Head, "HEAD"),
        (Method::Post, "POST"),
    ]
    .into_iter()
    // Every GET route answers HEAD too.
    .filter(|(m, _)| {
        matching.contains(m) || (*m == Method::Head && matching.contains(&Method::Get))
    })
    .map(|(_, name)| name)
    .collect();
    Some(names.join(", "))
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
    // Cacheable (its address carries its version): the static files and
    // the logo. Everything else is no-store.
    let is_static = req.path().starts_with("/static/") || req.path() == "/logo";
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
                404 => Some(ErrorPage::NotFound),
                405 => Some(ErrorPage::MethodNotAllowed),
                403 => Some(ErrorPage::Forbidden),
                409 => Some(ErrorPage::Conflict),
                503 => Some(ErrorPage::Busy),
                500..=599 => Some(ErrorPage::Internal),
                _ => Some(ErrorPage::BadRequest),
            }
        });
    let mut res = match error_page {
        Some(kind) => {
            let status = res.status();
            let kept: Vec<_> = [header::RETRY_AFTER, header::ALLOW]
                .into_iter()
                .filter_map(|name| Some((name.clone(), res.headers().get(name)?.clone())))
                .collect();
            let page = render_error_page(res.request(), kind);
            let mut builder = HttpResponse::build(status);
            for header in kept {
                builder.insert_header(header);
            }
            res.into_response(match page {
                Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
                Err(_) => builder
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
    let rotated = res.response().cookies().any(|c| c.name() == CSRF_COOKIE);
    if seed.is_new && !rotated {
        let _ = res
            .response_mut()
            .add_cookie(&csrf_cookie(seed.value, secure));
    }
    if had_flash && !res.status().is_redirection() {
        let _ = res
            .response_mut()
            .add_removal_cookie(&Cookie::build(FLASH_COOKIE, "").path("/").finish());
    }
    let headers = res.headers_mut();
    // A response that brings its own (stricter, framable) policy keeps it:
    // the sandboxed preview of a mail's HTML part.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
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

fn csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

/// Gives the browser a new CSRF seed (at sign-in and sign-out), so a seed
/// planted before sign-in is worth nothing after it.
pub fn rotate_csrf(res: &mut HttpResponse, secure: bool) {
    let _ = res.add_cookie(&csrf_cookie(crate::domain::token::random_secret(), secure));
}

fn render_error_page(req: &HttpRequest, kind: ErrorPage) -> Result<String, askama::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(askama::Error::Fmt);
    };
    let p = extract::public_page(req, state, "");
    let t = p.t;
    let (title, text) = match kind {
        ErrorPage::NotFound => (t.error_not_found_title, t.error_not_found_text),
        ErrorPage::MethodNotAllowed => (t.error_method_title, t.error_method_text),
        ErrorPage::Forbidden => (t.error_forbidden_title, t.error_forbidden_text),
        ErrorPage::Csrf => (t.error_csrf_title, t.error_csrf_text),
        ErrorPage::BadRequest => (t.error_bad_request_title, t.error_bad_request_text),
        ErrorPage::BadUpload => (t.error_bad_upload_title, t.error_bad_upload_text),
        ErrorPage::Conflict => (t.error_conflict_title, t.error_conflict_text),
        ErrorPage::Busy => (t.error_busy_title, t.error_busy_text),
        ErrorPage::Internal => (t.error_internal_title, t.error_internal_text),
    };
    ErrorView {
        p,
        title,
        text,
        signed_in: extract::has_session(req),
    }
    .render()
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

/// 200, or 422 when the page shows errors of a refused form.
pub fn form_html(errors_shown: bool, template: &impl Template) -> AppResult<HttpResponse> {
    let status = if errors_shown {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    html(status, template)
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

/// A flash message about one person: the key, his label and id (the
/// message names him and links to him). The query is hex-encoded: the
/// cookie is percent-decoded when it is read, which would decode a name's
/// `%41` or `&` a second time.
pub fn named_flash(key: &str, label: &str, href: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("k", key);
    query.append_pair("name", label);
    query.append_pair("href", href);
    format!("n.{}", hex::encode(query.finish()))
}

pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// `path?k=v&…` with the values percent-encoded; empty values are left out.
pub fn link(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
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
    fn links_encode_their_values() {
        assert_eq!(
            link("/users", &[("q", "a&b c"), ("status", ""), ("page", "2")]),
            "/users?q=a%26b+c&page=2"
        );
        assert_eq!(link("/audit", &[("q", "")]), "/audit");
    }

    #[test]
    fn every_admin_route_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "{r:?} twice");
        }
    }
}
