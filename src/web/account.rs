//! /login, /logout, /lang and /account/password.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::AppResult;
use crate::services::{ServiceError, auth};
use crate::views::{LoginView, PasswordView};
use crate::web::extract::{Admin, CsrfForm, NoFields, public_page};
use crate::web::{
    AppState, LANG_COOKIE, SESSION_COOKIE, html, ok_html, redirect, redirect_with_flash, safe_next,
};

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let p = public_page(&req, &state, "login");
    ok_html(&LoginView {
        p,
        identifier: String::new(),
        next: safe_next(&q.next),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The admin session cookie (also set by the first-admin setup).
pub(super) fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(SameSite::Lax)
        .finish()
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<HttpResponse> {
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let now = state.now();
    let dummy = state.dummy_hash.clone();
    let identifier = form.identifier.chars().take(320).collect::<String>();
    let (id, pw) = (identifier.clone(), form.password.clone());
    let outcome = state
        .db_ok(move |conn| auth::login(conn, &id, &pw, &ip, now, &dummy))
        .await?;
    let p = public_page(&req, &state, "login");
    let t = p.t;
    let next = safe_next(&form.next);
    let (status, error) = match outcome {
        auth::LoginOutcome::SignedIn {
            session,
            must_change_password,
            ..
        } => {
            let target = if must_change_password {
                "/account/password".to_owned()
            } else {
                next
            };
            let mut res = redirect(&target);
            res.add_cookie(&session_cookie(&state, session.0))
                .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
            return Ok(res);
        }
        auth::LoginOutcome::Invalid => (StatusCode::UNAUTHORIZED, t.login_invalid),
        auth::LoginOutcome::Throttled => (StatusCode::TOO_MANY_REQUESTS, t.login_throttled),
        auth::LoginOutcome::NoAdminAccess => (StatusCode::FORBIDDEN, t.login_no_admin_access),
    };
    html(
        status,
        &LoginView {
            p,
            identifier,
            next,
            error: Some(error),
        },
    )
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let plain = cookie.value().to_owned();
        state.db_ok(move |conn| auth::logout(conn, &plain)).await?;
    }
    let mut res = redirect_with_flash("/login", "logged_out");
    let _ = res.add_removal_cookie(&Cookie::build(SESSION_COOKIE, "").path("/").finish());
    Ok(res)
}

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// Remembers the visitor's language choice for a year.
pub async fn switch_language(
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LangForm>,
) -> AppResult<HttpResponse> {
    let mut res = redirect(&safe_next(&form.next));
    if let Some(lang) = crate::i18n::Lang::parse(&form.lang) {
        let cookie = Cookie::build(LANG_COOKIE, lang.code())
            .path("/")
            .http_only(true)
            .secure(state.secure_cookies())
            .same_site(SameSite::Lax)
            .max_age(CookieDuration::days(365))
            .finish();
        let _ = res.add_cookie(&cookie);
    }
    Ok(res)
}

pub async fn password_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> AppResult<HttpResponse> {
    let p = admin.page(&req, &state, "account");
    ok_html(&PasswordView {
        p,
        must_change: admin.user.must_change_password,
        errors: Default::default(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    let (actor, now, cost) = (admin.actor(), state.now(), state.config.bcrypt_cost);
    let result = state
        .db(move |conn| {
            auth::change_own_password(
                conn,
                &actor,
                &form.current_password,
                &form.new_password,
                &form.repeat_password,
                now,
                cost,
            )
        })
        .await?;
    match result {
        Ok(session) => {
            let mut res = redirect_with_flash("/", "password_changed");
            let _ = res.add_cookie(&session_cookie(&state, session.0));
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            let p = admin.page(&req, &state, "account");
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PasswordView {
                    p,
                    must_change: admin.user.must_change_password,
                    errors,
                },
            )
        }
        Err(other) => Err(other.into()),
    }
}
