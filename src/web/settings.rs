//! /settings — organisation settings (Administrators only).

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::{FieldError, FieldErrors};
use crate::error::{AppError, AppResult};
use crate::services::{ServiceError, settings};
use crate::views::SettingsView;
use crate::views::forms::SettingsForm;
use crate::web::commands;
use crate::web::extract::{CsrfForm, CsrfMultipart, CurrentAdmin, NoFields};
use crate::web::{AppState, form_html, ok_html, redirect_with_flash};

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_settings() {
        return Err(AppError::Forbidden);
    }
    ok_html(&view(
        &req,
        &state,
        &admin,
        SettingsForm::of(&state.ctx.settings()),
        Default::default(),
    ))
}

/// The settings page with these entries and errors.
fn view(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    input: SettingsForm,
    errors: FieldErrors,
) -> SettingsView {
    SettingsView {
        p: admin.page(req, state, "settings"),
        input,
        errors,
        base_url_fixed: state.ctx.config().public_base_url.is_some(),
    }
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(input): CsrfForm<SettingsForm>,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_settings() {
        return Err(AppError::Forbidden);
    }
    // Set in the environment: the read-only field is not the admin's to get
    // wrong (the service keeps the configured address anyway).
    let mut input = input;
    if state.ctx.config().public_base_url.is_some() {
        input.public_base_url = state.ctx.settings().public_base_url.clone();
    }
    let current_zone = state.ctx.settings().time_zone.name();
    let result = match commands::settings(&input, current_zone) {
        Ok(cmd) => settings::update(&state.ctx, &admin.actor(), cmd).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash("/settings", "settings_saved")),
        Err(ServiceError::Invalid(errors)) => {
            form_html(true, &view(&req, &state, &admin, input, errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /settings/logo: a new logo (multipart, field `logo`).
pub async fn upload_logo(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    mut form: CsrfMultipart,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_settings() {
        return Err(AppError::Forbidden);
    }
    let result = match form.take_file("logo") {
        Some(f) if f.oversized => Err(ServiceError::Invalid(FieldErrors::single(
            "logo",
            FieldError::ImageTooLarge,
        ))),
        Some(f) if !f.bytes.is_empty() => {
            settings::set_logo(&state.ctx, &admin.actor(), f.bytes).await
        }
        _ => Err(ServiceError::Invalid(FieldErrors::single(
            "logo",
            FieldError::InvalidImage,
        ))),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash("/settings", "logo_saved")),
        Err(ServiceError::Invalid(errors)) => form_html(
            true,
            &view(
                &req,
                &state,
                &admin,
                SettingsForm::of(&state.ctx.settings()),
                errors,
            ),
        ),
        Err(e) => Err(e.into()),
    }
}

/// POST /settings/logo/delete
pub async fn remove_logo(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_settings() {
        return Err(AppError::Forbidden);
    }
    settings::remove_logo(&state.ctx, &admin.actor()).await?;
    Ok(redirect_with_flash("/settings", "logo_removed"))
}
