//! /setup — the one-time link that creates the first Administrator.
//! GET /setup/{token} changes nothing: it moves the token into a short-lived
//! cookie and redirects to the clean URL; only the POST from that page uses it.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::{FieldErrors, PlainToken};
use crate::error::AppResult;
use crate::services::{ServiceError, setup};
use crate::views::SetupView;
use crate::views::forms::SetupForm;
use crate::web::commands;
use crate::web::extract::{CsrfForm, public_page};
use crate::web::{AppState, html, redirect};

const SETUP_COOKIE: &str = "einlass_setup";

pub async fn open_link(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let cookie = Cookie::build(
        SETUP_COOKIE,
        token.into_inner().chars().take(100).collect::<String>(),
    )
    .path("/setup")
    .http_only(true)
    .secure(state.secure_cookies())
    .same_site(SameSite::Strict)
    .max_age(CookieDuration::minutes(30))
    .finish();
    let mut res = redirect("/setup");
    let _ = res.add_cookie(&cookie);
    res
}

fn token_of(req: &HttpRequest) -> Option<PlainToken> {
    req.cookie(SETUP_COOKIE)
        .map(|c| PlainToken::from_untrusted(c.value()))
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    input: SetupForm,
    errors: FieldErrors,
    link_valid: bool,
) -> AppResult<HttpResponse> {
    let password_dropped = !errors.is_empty() && !input.password.is_empty();
    // A dead link once an administrator exists: nothing to restart, sign in.
    let setup_done = !link_valid && setup::is_done(&state.ctx).await?;
    html(
        status,
        &SetupView {
            p: public_page(req, state, "setup"),
            password_dropped,
            setup_done,
            input: SetupForm {
                password: String::new(),
                password_repeat: String::new(),
                ..input
            },
            errors,
            link_valid,
        },
    )
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let link_valid = match token_of(&req) {
        Some(token) => setup::link_is_live(&state.ctx, &token).await?,
        None => false,
    };
    let status = if link_valid {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    page(
        &req,
        &state,
        status,
        SetupForm::default(),
        FieldErrors::default(),
        link_valid,
    )
    .await
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(input): CsrfForm<SetupForm>,
) -> AppResult<HttpResponse> {
    let Some(token) = token_of(&req) else {
        return page(
            &req,
            &state,
            StatusCode::NOT_FOUND,
            input,
            FieldErrors::default(),
            false,
        )
        .await;
    };
    let result = match commands::first_admin(&input) {
        Ok(admin) => setup::complete(&state.ctx, &token, admin).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok((_, session)) => {
            let mut res = super::account::signed_in(&state, "/", session);
            let _ =
                res.add_removal_cookie(&Cookie::build(SETUP_COOKIE, "").path("/setup").finish());
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            page(
                &req,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                input,
                errors,
                true,
            )
            .await
        }
        Err(ServiceError::Refused(_)) => {
            page(
                &req,
                &state,
                StatusCode::GONE,
                SetupForm::default(),
                FieldErrors::default(),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
