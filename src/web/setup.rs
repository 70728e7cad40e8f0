//! /setup — the one-time link that creates the first Administrator.
//! GET /setup/{token} changes nothing: it moves the token into a short-lived
//! cookie and redirects to the clean URL; only the POST from that page uses it.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::PlainToken;
use crate::error::AppResult;
use crate::services::{ServiceError, setup};
use crate::views::SetupView;
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

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let now = state.now();
    let link_valid = match token_of(&req) {
        Some(token) => {
            state
                .db_ok(move |conn| Ok(setup::link_is_live(conn, &token, now)?))
                .await?
        }
        None => false,
    };
    let p = public_page(&req, &state, "setup");
    let status = if link_valid {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    html(
        status,
        &SetupView {
            p,
            input: Default::default(),
            errors: Default::default(),
            link_valid,
        },
    )
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(input): CsrfForm<setup::SetupInput>,
) -> AppResult<HttpResponse> {
    let Some(token) = token_of(&req) else {
        let p = public_page(&req, &state, "setup");
        return html(
            StatusCode::NOT_FOUND,
            &SetupView {
                p,
                input,
                errors: Default::default(),
                link_valid: false,
            },
        );
    };
    let (now, cost) = (state.now(), state.config.bcrypt_cost);
    let submitted = input.clone();
    match state
        .db(move |conn| setup::complete(conn, &token, &input, now, cost))
        .await?
    {
        Ok((_, session)) => {
            let mut res = redirect("/");
            let _ = res.add_cookie(&super::account::session_cookie(&state, session.0));
            let _ =
                res.add_removal_cookie(&Cookie::build(SETUP_COOKIE, "").path("/setup").finish());
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            let p = public_page(&req, &state, "setup");
            let input = setup::SetupInput {
                password: String::new(),
                password_repeat: String::new(),
                ..submitted
            };
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SetupView {
                    p,
                    input,
                    errors,
                    link_valid: true,
                },
            )
        }
        Err(ServiceError::Refused(_)) => {
            let p = public_page(&req, &state, "setup");
            html(
                StatusCode::GONE,
                &SetupView {
                    p,
                    input: Default::default(),
                    errors: Default::default(),
                    link_valid: false,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}
