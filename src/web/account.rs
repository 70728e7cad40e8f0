//! /login, /logout, /lang and /account/password.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::services::ServiceError;
use crate::services::auth::{self, ChangePassword, SignIn, SignInOutcome};
use crate::views::{LoginView, PasswordView};
use crate::web::client::client_key;
use crate::web::extract::{CsrfForm, CurrentAdmin, NoFields, public_page};
use crate::web::{
    AppState, LANG_COOKIE, SESSION_COOKIE, html, ok_html, redirect, redirect_with_flash,
    rotate_csrf, safe_next,
};

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: super::extract::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let p = public_page(&req, &state, "login");
    ok_html(&LoginView {
        p,
        identifier: String::new(),
        next: safe_next(&q.next),
        error: None,
        may_register: crate::services::registration::has_open_entries(&state.ctx).await?,
        may_request: state.ctx.settings().open_registration,
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

/// A redirect that signs the browser in: new session cookie, new CSRF seed.
pub(super) fn signed_in(state: &AppState, to: &str, session: auth::NewSession) -> HttpResponse {
    let mut res = redirect(to);
    let _ = res.add_cookie(&session_cookie(state, session.0));
    rotate_csrf(&mut res, state.secure_cookies());
    res
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<HttpResponse> {
    let identifier: String = form.identifier.chars().take(320).collect();
    let attempt = SignIn {
        identifier: identifier.clone(),
        password: form.password,
        client: client_key(&req, &state.proxies),
    };
    let outcome = auth::sign_in(&state.ctx, attempt).await?;
    let p = public_page(&req, &state, "login");
    let t = p.t;
    let next = safe_next(&form.next);
    let (status, error) = match outcome {
        SignInOutcome::SignedIn {
            session,
            must_change_password,
            is_admin,
            ask_for_email,
        } => {
            // A person without admin access goes to his own pages only.
            let own = next == "/me" || next.starts_with("/me/") || next.starts_with("/me?");
            let target = match (is_admin, must_change_password) {
                (true, true) => "/account/password",
                (true, false) => &next,
                (false, true) => "/me/password",
                // First sign-in without an address: asked for one (not forced).
                (false, false) if ask_for_email => "/me/email",
                (false, false) if own => &next,
                (false, false) => "/me",
            };
            return Ok(signed_in(&state, target, session));
        }
        SignInOutcome::Invalid => (StatusCode::UNAUTHORIZED, t.login_invalid),
        SignInOutcome::Throttled => (StatusCode::TOO_MANY_REQUESTS, t.login_throttled),
    };
    // Typed text is shown again only if it is printable.
    let identifier = if crate::domain::text::has_control(&identifier) {
        String::new()
    } else {
        identifier
    };
    html(
        status,
        &LoginView {
            p,
            identifier,
            next,
            error: Some(error),
            may_register: false,
            may_request: false,
        },
    )
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        auth::sign_out(&state.ctx, cookie.value()).await?;
    }
    let mut res = redirect_with_flash("/login", "logged_out");
    let _ = res.add_removal_cookie(&Cookie::build(SESSION_COOKIE, "").path("/").finish());
    rotate_csrf(&mut res, state.secure_cookies());
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
    if let Some(lang) = Lang::parse(&form.lang) {
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
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    let p = admin.page(&req, &state, "account");
    ok_html(&PasswordView {
        p,
        must_change: admin.admin.must_change_password,
        errors: Default::default(),
        action: "/account/password",
    })
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

/// Changes the actor's own password (admins and people alike): a redirect
/// to `to` with a fresh session, or the refused form's errors.
pub(super) async fn own_password_change(
    state: &AppState,
    actor: &crate::services::Actor,
    form: PasswordForm,
    to: &str,
) -> AppResult<Result<HttpResponse, crate::domain::FieldErrors>> {
    let change = ChangePassword {
        current: form.current_password,
        new: form.new_password,
        repeat: form.repeat_password,
    };
    match auth::change_own_password(&state.ctx, actor, change).await {
        Ok(session) => {
            let mut res = signed_in(state, to, session);
            let flash = redirect_with_flash(to, "password_changed");
            for cookie in flash.cookies() {
                let _ = res.add_cookie(&cookie);
            }
            Ok(Ok(res))
        }
        Err(ServiceError::Invalid(errors)) => Ok(Err(errors)),
        Err(other) => Err(other.into()),
    }
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    match own_password_change(&state, &admin.actor(), form, "/").await? {
        Ok(res) => Ok(res),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordView {
                p: admin.page(&req, &state, "account"),
                must_change: admin.admin.must_change_password,
                errors,
                action: "/account/password",
            },
        ),
    }
}
