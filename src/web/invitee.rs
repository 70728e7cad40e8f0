//! The invitee's pages: the invitation link and activation, "Sie sind drin",
//! "Passwort vergessen" and the reset link, the confirmation link of an
//! added address, and the person's own page (/me).
//!
//! A link (`/i/…`, `/r/…`, `/c/…`) changes nothing on GET or HEAD: the token
//! moves into a short-lived HttpOnly cookie bound to the page's path, and
//! the browser goes on to the clean URL. Only the POST from that page uses
//! the token. The access log records link requests without the token.

use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::access::AccessState;
use crate::domain::people::LinkState;
use crate::domain::token::TokenPurpose;
use crate::domain::{FieldErrors, PlainToken, Refusal};
use crate::error::AppResult;
use crate::services::invitations::{self, Activation};
use crate::services::{ServiceError, access_links, self_service};
use crate::views::forms::JoinForm;
use crate::views::{
    ActivateView, ConfirmView, EmailQuestionView, ForgotView, JoinView, PasswordView, ProfileView,
    ResetView, WelcomeView,
};
use crate::web::client::client_key;
use crate::web::extract::{CsrfForm, NoFields, SignedIn, public_page};
use crate::web::{AppState, html, ok_html, redirect, redirect_with_flash};

const INVITE_COOKIE: &str = "einlass_invite";
const RESET_COOKIE: &str = "einlass_reset";
const CONFIRM_COOKIE: &str = "einlass_confirm";
const ACCESS_COOKIE: &str = "einlass_access";

/// "Passwort vergessen" answers no sooner than this, whatever happened.
const FORGOT_FLOOR: Duration = Duration::from_millis(400);

fn link_cookie(
    state: &AppState,
    name: &'static str,
    path: &'static str,
    token: &str,
) -> Cookie<'static> {
    Cookie::build(name, token.chars().take(100).collect::<String>())
        .path(path)
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::minutes(30))
        .finish()
}

fn forget_cookie(res: &mut HttpResponse, name: &'static str, path: &'static str) {
    let _ = res.add_removal_cookie(&Cookie::build(name, "").path(path).finish());
}

fn token_in(req: &HttpRequest, name: &str) -> Option<PlainToken> {
    req.cookie(name)
        .map(|c| PlainToken::from_untrusted(c.value()))
}

/// Moves the token of a link into its cookie and goes on to the clean page.
/// Only what can be a token goes into the cookie (letters, digits, `_`): a
/// path cannot add cookie attributes. Anything else leaves no cookie, and
/// the page says the link is not valid.
fn open(state: &AppState, token: &str, name: &'static str, path: &'static str) -> HttpResponse {
    let token = token.trim();
    let shaped = !token.is_empty()
        && token.len() <= 100
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let mut res = redirect(path);
    if shaped {
        let _ = res.add_cookie(&link_cookie(state, name, path, token));
    } else {
        forget_cookie(&mut res, name, path);
    }
    res
}

/// What a form shown for one link carries, so that a submit from an older
/// tab (another link opened since) does not act on the newer link.
fn fingerprint(token: &PlainToken) -> String {
    token.hashed()[..16].to_owned()
}

pub async fn open_invitation(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    open(&state, &token, INVITE_COOKIE, "/activate")
}

pub async fn open_reset(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    open(&state, &token, RESET_COOKIE, "/reset")
}

pub async fn open_access(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    open(&state, &token, ACCESS_COOKIE, "/join")
}

pub async fn open_confirmation(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    open(&state, &token, CONFIRM_COOKIE, "/confirm")
}

#[derive(Default, Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
    /// The fingerprint of the link the form was shown for.
    #[serde(default)]
    link: String,
}

async fn activate_page(
    req: &HttpRequest,
    state: &AppState,
    link: LinkState,
    input: ActivateForm,
    errors: FieldErrors,
    link_changed: bool,
) -> AppResult<HttpResponse> {
    let status = match (&link, errors.is_empty() && !link_changed) {
        (LinkState::Live(_), true) => StatusCode::OK,
        (LinkState::Live(_), false) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::GONE,
    };
    let p = public_page(req, state, "activate");
    let settings = state.ctx.settings();
    let link_check = token_in(req, INVITE_COOKIE)
        .map(|t| fingerprint(&t))
        .unwrap_or_default();
    html(
        status,
        &ActivateView {
            link_check,
            link_changed,
            password_dropped: !errors.is_empty() && !input.password.is_empty(),
            first_name: input.first_name,
            last_name: input.last_name,
            email: input.email,
            welcome_text: settings.welcome_text.clone(),
            link,
            errors,
            p,
        },
    )
}

/// Where a signed-in browser goes instead of a form it holds no link for
/// (the back button after activating or registering, which used it): its
/// own start, not "this link is no longer valid". A link opened again
/// still says what became of it ("schon benutzt").
fn signed_in_start(req: &HttpRequest, cookie: &str, me: &Option<SignedIn>) -> Option<HttpResponse> {
    if token_in(req, cookie).is_some() {
        return None;
    }
    me.as_ref()
        .map(|me| redirect(if me.admin.is_some() { "/" } else { "/welcome" }))
}

pub async fn activate_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Option<SignedIn>,
) -> AppResult<HttpResponse> {
    let link = match token_in(&req, INVITE_COOKIE) {
        Some(t) => invitations::link_state(&state.ctx, &t).await?,
        None => LinkState::Dead,
    };
    if let Some(res) = signed_in_start(&req, INVITE_COOKIE, &me) {
        return Ok(res);
    }
    let input = match &link {
        LinkState::Live(i) => ActivateForm {
            first_name: i.first_name.clone(),
            last_name: i.last_name.clone(),
            ..Default::default()
        },
        _ => ActivateForm::default(),
    };
    activate_page(&req, &state, link, input, FieldErrors::default(), false).await
}

pub async fn activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ActivateForm>,
) -> AppResult<HttpResponse> {
    let client = client_key(&req, &state.proxies);
    if self_service::links_throttled(&state.ctx, &client).await? {
        return throttled(&req, &state);
    }
    let Some(token) = token_in(&req, INVITE_COOKIE) else {
        return activate_page(
            &req,
            &state,
            LinkState::Dead,
            form,
            FieldErrors::default(),
            false,
        )
        .await;
    };
    // Another link was opened in this browser since this form was shown.
    if form.link != fingerprint(&token) {
        let link = invitations::link_state(&state.ctx, &token).await?;
        let input = match &link {
            LinkState::Live(i) => ActivateForm {
                first_name: i.first_name.clone(),
                last_name: i.last_name.clone(),
                ..Default::default()
            },
            _ => ActivateForm::default(),
        };
        return activate_page(&req, &state, link, input, FieldErrors::default(), true).await;
    }
    let activation = Activation {
        password: form.password.clone(),
        repeat: form.password_repeat.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
    };
    match invitations::activate(&state.ctx, &token, activation).await {
        Ok((_, session)) => {
            let mut res = super::account::signed_in(&state, "/welcome", session);
            forget_cookie(&mut res, INVITE_COOKIE, "/activate");
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            let link = invitations::link_state(&state.ctx, &token).await?;
            activate_page(&req, &state, link, form, errors, false).await
        }
        Err(ServiceError::Refused(_)) => {
            self_service::link_failed(&state.ctx, &client).await?;
            let link = invitations::link_state(&state.ctx, &token).await?;
            let link = if matches!(link, LinkState::Live(_)) {
                LinkState::Dead
            } else {
                link
            };
            activate_page(
                &req,
                &state,
                link,
                ActivateForm::default(),
                FieldErrors::default(),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn throttled(req: &HttpRequest, state: &AppState) -> AppResult<HttpResponse> {
    let p = public_page(req, state, "");
    let t = p.t;
    let mut res = html(
        StatusCode::TOO_MANY_REQUESTS,
        &crate::views::ErrorView {
            p,
            title: t.links_throttled_title,
            text: t.links_throttled_text,
            signed_in: super::extract::has_session(req),
        },
    )?;
    res.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from_static("900"),
    );
    Ok(res)
}

/// "Sie sind drin": the person is signed in; on to the organisation's app.
pub async fn welcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> AppResult<HttpResponse> {
    let settings = state.ctx.settings();
    let profile = self_service::profile(&state.ctx, me.id).await?;
    ok_html(&WelcomeView {
        p: me.page(&req, &state, "me"),
        name: me.display_name.clone(),
        username: me.username.clone(),
        app_name: settings.app_name.clone(),
        app_url: settings.app_url.clone(),
        unconfirmed: profile.email.filter(|_| !profile.email_confirmed),
    })
}

#[derive(Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    identifier: String,
}

pub async fn forgot_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    ok_html(&ForgotView {
        p: public_page(&req, &state, "forgot"),
        identifier: String::new(),
        sent: false,
    })
}

/// The same page, status, cookies and (at least) time for every input.
pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<HttpResponse> {
    let started = Instant::now();
    let client = client_key(&req, &state.proxies);
    let identifier: String = form.identifier.chars().take(320).collect();
    let result = self_service::request_reset(&state.ctx, &identifier, &client).await;
    if let Err(e) = &result {
        tracing::warn!(error = %e, "password reset request failed");
    }
    let elapsed = started.elapsed();
    if elapsed < FORGOT_FLOOR {
        tokio::time::sleep(FORGOT_FLOOR - elapsed).await;
    }
    result?;
    ok_html(&ForgotView {
        p: public_page(&req, &state, "forgot"),
        identifier: String::new(),
        sent: true,
    })
}

#[derive(Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
    #[serde(default)]
    link: String,
}

async fn reset_page(
    req: &HttpRequest,
    state: &AppState,
    username: Option<String>,
    errors: FieldErrors,
    password_dropped: bool,
) -> AppResult<HttpResponse> {
    let status = match (&username, errors.is_empty()) {
        (Some(_), true) => StatusCode::OK,
        (Some(_), false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, _) => StatusCode::GONE,
    };
    html(
        status,
        &ResetView {
            p: public_page(req, state, "reset"),
            link_check: token_in(req, RESET_COOKIE)
                .map(|t| fingerprint(&t))
                .unwrap_or_default(),
            username,
            errors,
            password_dropped,
        },
    )
}

pub async fn reset_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let owner = match token_in(&req, RESET_COOKIE) {
        Some(t) => {
            self_service::live_link_owner(&state.ctx, TokenPurpose::PasswordReset, &t).await?
        }
        None => None,
    };
    reset_page(&req, &state, owner, FieldErrors::default(), false).await
}

pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<HttpResponse> {
    let client = client_key(&req, &state.proxies);
    if self_service::links_throttled(&state.ctx, &client).await? {
        return throttled(&req, &state);
    }
    let Some(token) = token_in(&req, RESET_COOKIE) else {
        return reset_page(&req, &state, None, FieldErrors::default(), false).await;
    };
    // Another reset link was opened since: show that one's form again.
    if form.link != fingerprint(&token) {
        let owner =
            self_service::live_link_owner(&state.ctx, TokenPurpose::PasswordReset, &token).await?;
        return reset_page(&req, &state, owner, FieldErrors::default(), false).await;
    }
    match self_service::reset_password(
        &state.ctx,
        &token,
        form.password.clone(),
        form.password_repeat,
    )
    .await
    {
        Ok((session, is_admin)) => {
            let to = if is_admin { "/" } else { "/welcome" };
            let mut res = super::account::signed_in(&state, to, session);
            forget_cookie(&mut res, RESET_COOKIE, "/reset");
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            let owner =
                self_service::live_link_owner(&state.ctx, TokenPurpose::PasswordReset, &token)
                    .await?;
            reset_page(&req, &state, owner, errors, !form.password.is_empty()).await
        }
        Err(ServiceError::Refused(_)) => {
            self_service::link_failed(&state.ctx, &client).await?;
            reset_page(&req, &state, None, FieldErrors::default(), false).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn confirm_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let live = match token_in(&req, CONFIRM_COOKIE) {
        Some(t) => self_service::live_link_owner(&state.ctx, TokenPurpose::EmailConfirmation, &t)
            .await?
            .is_some(),
        None => false,
    };
    html(
        if live {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        &ConfirmView {
            p: public_page(&req, &state, "confirm"),
            live,
            done: false,
        },
    )
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let client = client_key(&req, &state.proxies);
    if self_service::links_throttled(&state.ctx, &client).await? {
        return throttled(&req, &state);
    }
    let result = match token_in(&req, CONFIRM_COOKIE) {
        Some(t) => self_service::confirm_email(&state.ctx, &t).await,
        None => Err(ServiceError::Refused(Refusal::LinkDead)),
    };
    let done = match result {
        Ok(()) => true,
        Err(ServiceError::Refused(_)) => {
            self_service::link_failed(&state.ctx, &client).await?;
            false
        }
        Err(e) => return Err(e.into()),
    };
    let mut res = html(
        if done {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        &ConfirmView {
            p: public_page(&req, &state, "confirm"),
            live: false,
            done,
        },
    )?;
    forget_cookie(&mut res, CONFIRM_COOKIE, "/confirm");
    Ok(res)
}

/// His own photo, optional: uploaded from his page (offered on "Sie sind
/// drin"), checked and re-encoded like an admin's upload.
pub async fn upload_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    mut form: crate::web::extract::CsrfMultipart,
) -> AppResult<HttpResponse> {
    use crate::domain::FieldError;
    let result = match form.take_file("photo") {
        Some(f) if f.oversized => Err(ServiceError::Invalid(FieldErrors::single(
            "photo",
            FieldError::ImageTooLarge,
        ))),
        Some(f) => crate::services::users::set_own_photo(&state.ctx, &me.actor(), f.bytes).await,
        None => Err(ServiceError::Invalid(FieldErrors::single(
            "photo",
            FieldError::InvalidImage,
        ))),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash("/me", "photo_saved")),
        Err(ServiceError::Invalid(errors)) => {
            profile_page(&req, &state, &me, String::new(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn photo(state: web::Data<AppState>, me: SignedIn) -> AppResult<HttpResponse> {
    let photo = crate::services::users::photo(&state.ctx, &me.actor(), me.id).await?;
    Ok(HttpResponse::Ok()
        .content_type(photo.content_type)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(photo.bytes))
}

async fn profile_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    email: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let profile = self_service::profile(&state.ctx, me.id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &ProfileView {
            p: me.page(req, state, "me"),
            profile,
            email,
            errors,
        },
    )
}

pub async fn profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> AppResult<HttpResponse> {
    profile_page(&req, &state, &me, String::new(), FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    /// `question`: sent from the first sign-in's question page.
    #[serde(default)]
    from: String,
}

async fn question_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    email: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    html(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &EmailQuestionView {
            p: me.page(req, state, "me"),
            email,
            errors,
        },
    )
}

/// GET /me/email: at his first sign-in a person without an address is
/// asked for one (he may skip it); with an address, his page.
pub async fn email_question(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> AppResult<HttpResponse> {
    let profile = self_service::profile(&state.ctx, me.id).await?;
    if profile.email.is_some() {
        return Ok(redirect("/me"));
    }
    question_page(&req, &state, &me, String::new(), FieldErrors::default()).await
}

pub async fn add_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> AppResult<HttpResponse> {
    match self_service::add_email(&state.ctx, &me.actor(), &form.email).await {
        Ok(()) => Ok(redirect_with_flash("/me", "email_confirmation_sent")),
        Err(ServiceError::Invalid(errors)) if form.from == "question" => {
            question_page(&req, &state, &me, form.email, errors).await
        }
        Err(ServiceError::Invalid(errors)) => {
            profile_page(&req, &state, &me, form.email, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn password_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> AppResult<HttpResponse> {
    ok_html(&PasswordView {
        p: me.page(&req, &state, "me"),
        must_change: me.must_change_password,
        errors: FieldErrors::default(),
        action: "/me/password",
    })
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<super::account::PasswordForm>,
) -> AppResult<HttpResponse> {
    // The forced change comes at the first sign-in: then a person without
    // an address is asked for one next.
    let to = if me.must_change_password
        && self_service::profile(&state.ctx, me.id)
            .await?
            .email
            .is_none()
    {
        "/me/email"
    } else {
        "/me"
    };
    match super::account::own_password_change(&state, &me.actor(), form, to).await? {
        Ok(res) => Ok(res),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordView {
                p: me.page(&req, &state, "me"),
                must_change: me.must_change_password,
                errors,
                action: "/me/password",
            },
        ),
    }
}

async fn join_page(
    req: &HttpRequest,
    state: &AppState,
    link: AccessState,
    input: JoinForm,
    errors: FieldErrors,
    link_changed: bool,
) -> AppResult<HttpResponse> {
    let status = match (&link, errors.is_empty() && !link_changed) {
        (AccessState::Live { .. }, true) => StatusCode::OK,
        (AccessState::Live { .. }, false) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::GONE,
    };
    let password_dropped = !errors.is_empty() && !input.password.is_empty();
    html(
        status,
        &JoinView {
            p: public_page(req, state, "join"),
            state: link,
            input: JoinForm {
                password: String::new(),
                password_repeat: String::new(),
                ..input
            },
            errors,
            welcome_text: state.ctx.settings().welcome_text.clone(),
            password_dropped,
            link_check: token_in(req, ACCESS_COOKIE)
                .map(|t| fingerprint(&t))
                .unwrap_or_default(),
            link_changed,
        },
    )
}

async fn access_state(req: &HttpRequest, state: &AppState) -> AppResult<AccessState> {
    Ok(match token_in(req, ACCESS_COOKIE) {
        Some(t) => access_links::state(&state.ctx, &t).await?,
        None => AccessState::Dead,
    })
}

/// GET /join: the registration form of an access link (nothing is used).
pub async fn join_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Option<SignedIn>,
) -> AppResult<HttpResponse> {
    let link = access_state(&req, &state).await?;
    if let Some(res) = signed_in_start(&req, ACCESS_COOKIE, &me) {
        return Ok(res);
    }
    join_page(
        &req,
        &state,
        link,
        JoinForm::default(),
        FieldErrors::default(),
        false,
    )
    .await
}

/// POST /join: registers with the access link. Every refused attempt
/// counts against the client's link allowance, so a link cannot become a
/// free test of which addresses and usernames have accounts.
pub async fn join(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> AppResult<HttpResponse> {
    let client = client_key(&req, &state.proxies);
    if self_service::links_throttled(&state.ctx, &client).await? {
        return throttled(&req, &state);
    }
    let Some(token) = token_in(&req, ACCESS_COOKIE) else {
        self_service::link_failed(&state.ctx, &client).await?;
        return join_page(
            &req,
            &state,
            AccessState::Dead,
            form,
            FieldErrors::default(),
            false,
        )
        .await;
    };
    // Another access link was opened in this browser since the form was shown.
    if form.link != fingerprint(&token) {
        let link = access_state(&req, &state).await?;
        return join_page(&req, &state, link, form, FieldErrors::default(), true).await;
    }
    let result = match form.registration().parse() {
        Ok(registration) => access_links::register(&state.ctx, &token, registration).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok((_, session)) => {
            let mut res = super::account::signed_in(&state, "/welcome", session);
            forget_cookie(&mut res, ACCESS_COOKIE, "/join");
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            self_service::link_failed(&state.ctx, &client).await?;
            let link = access_state(&req, &state).await?;
            join_page(&req, &state, link, form, errors, false).await
        }
        Err(ServiceError::Refused(_)) => {
            self_service::link_failed(&state.ctx, &client).await?;
            let link = access_state(&req, &state).await?;
            join_page(
                &req,
                &state,
                link,
                JoinForm::default(),
                FieldErrors::default(),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
