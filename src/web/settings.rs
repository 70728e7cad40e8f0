//! /settings — organisation settings (Administrators only).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{AppError, AppResult};
use crate::services::ServiceError;
use crate::services::settings::{self, SettingsInput};
use crate::views::SettingsView;
use crate::web::extract::{Admin, CsrfForm};
use crate::web::{AppState, html, ok_html, redirect_with_flash};

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> AppResult<HttpResponse> {
    if !admin.role.may_manage_settings() {
        return Err(AppError::Forbidden);
    }
    let input = SettingsInput::from_row(&state.settings());
    ok_html(&SettingsView {
        p: admin.page(&req, &state, "settings"),
        input,
        errors: Default::default(),
    })
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    CsrfForm(input): CsrfForm<SettingsInput>,
) -> AppResult<HttpResponse> {
    let (actor, now) = (admin.actor(), state.now());
    let submitted = input.clone();
    match state
        .db(move |conn| settings::update(conn, &actor, &input, now))
        .await?
    {
        Ok(row) => {
            state.set_settings(row);
            Ok(redirect_with_flash("/settings", "settings_saved"))
        }
        Err(ServiceError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SettingsView {
                p: admin.page(&req, &state, "settings"),
                input: submitted,
                errors,
            },
        ),
        Err(e) => Err(e.into()),
    }
}
