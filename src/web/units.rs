//! /groups and /areas — one set of handlers for both kinds.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::units::UnitKind;
use crate::domain::{AreaRole, FieldError, FieldErrors, UnitId, UserId};
use crate::error::{AppError, AppResult};
use crate::services::{ServiceError, units};
use crate::views::{UnitListView, UnitShowView, UnitTexts};
use crate::web::extract::{CsrfForm, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, form_html, redirect_with_flash};

#[derive(Deserialize)]
pub struct KindPath {
    kind: String,
}

#[derive(Deserialize)]
pub struct UnitPath {
    kind: String,
    id: UnitId,
}

#[derive(Deserialize)]
pub struct MemberPath {
    kind: String,
    id: UnitId,
    user_id: UserId,
}

fn kind_of(segment: &str) -> AppResult<UnitKind> {
    UnitKind::from_segment(segment).ok_or(AppError::NotFound)
}

fn nav(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Group => "groups",
        UnitKind::Area => "areas",
    }
}

fn unit_url(kind: UnitKind, id: UnitId) -> String {
    format!("/{}/{id}", kind.segment())
}

async fn render_list(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    kind: UnitKind,
    name: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let units = units::list(&state.ctx, &admin.actor(), kind).await?;
    let p = admin.page(req, state, nav(kind));
    form_html(
        !errors.is_empty(),
        &UnitListView {
            kind: UnitTexts::of(kind, p.t),
            p,
            units,
            name,
            errors,
        },
    )
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<KindPath>,
) -> AppResult<HttpResponse> {
    let kind = kind_of(&path.kind)?;
    render_list(
        &req,
        &state,
        &admin,
        kind,
        String::new(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<KindPath>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> AppResult<HttpResponse> {
    let kind = kind_of(&path.kind)?;
    match units::create(&state.ctx, &admin.actor(), kind, &form.name).await {
        Ok(unit) => Ok(redirect_with_flash(
            &unit_url(kind, unit.id),
            "unit_created",
        )),
        Err(ServiceError::Invalid(errors)) => {
            render_list(&req, &state, &admin, kind, form.name, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the unit page shows besides the unit: the typed name and member
/// login of a refused form, and its errors.
#[derive(Default)]
struct Typed {
    name: Option<String>,
    member_login: String,
    errors: FieldErrors,
}

async fn render_show(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    kind: UnitKind,
    id: UnitId,
    typed: Typed,
) -> AppResult<HttpResponse> {
    let detail = units::detail(&state.ctx, &admin.actor(), kind, id).await?;
    let p = admin.page(req, state, nav(kind));
    form_html(
        !typed.errors.is_empty(),
        &UnitShowView {
            kind: UnitTexts::of(kind, p.t),
            p,
            name: typed.name.unwrap_or_else(|| detail.unit.name.clone()),
            detail,
            member_login: typed.member_login,
            errors: typed.errors,
        },
    )
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
) -> AppResult<HttpResponse> {
    let kind = kind_of(&path.kind)?;
    render_show(&req, &state, &admin, kind, path.id, Typed::default()).await
}

pub async fn rename(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (kind_of(&path.kind)?, path.id);
    match units::rename(&state.ctx, &admin.actor(), kind, id, &form.name).await {
        Ok(()) => Ok(redirect_with_flash(&unit_url(kind, id), "unit_renamed")),
        Err(ServiceError::Invalid(errors)) => {
            let typed = Typed {
                name: Some(form.name),
                errors,
                ..Default::default()
            };
            render_show(&req, &state, &admin, kind, id, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (kind_of(&path.kind)?, path.id);
    match units::delete(&state.ctx, &admin.actor(), kind, id).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/{}", kind.segment()),
            "unit_deleted",
        )),
        Err(ServiceError::Refused(r)) => {
            Ok(redirect_with_flash(&unit_url(kind, id), &refusal_flash(r)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    role: String,
}

pub async fn add_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (kind_of(&path.kind)?, path.id);
    // A reader is refused before the form is looked at.
    if !admin.admin.role.may_manage_users() {
        return Err(AppError::Forbidden);
    }
    let role = match kind {
        UnitKind::Group => Ok(None),
        UnitKind::Area => form.role.parse::<AreaRole>().map(Some).map_err(|()| {
            ServiceError::Invalid(FieldErrors::single("member", FieldError::InvalidChoice))
        }),
    };
    let result = match role {
        Ok(role) => {
            units::add_member(&state.ctx, &admin.actor(), kind, id, &form.member, role).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&unit_url(kind, id), "member_added")),
        Err(ServiceError::Invalid(errors)) => {
            let typed = Typed {
                member_login: if crate::domain::text::has_control(&form.member) {
                    String::new()
                } else {
                    form.member
                },
                errors,
                ..Default::default()
            };
            render_show(&req, &state, &admin, kind, id, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_member(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<MemberPath>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (kind_of(&path.kind)?, path.id);
    units::remove_member(&state.ctx, &admin.actor(), kind, id, path.user_id).await?;
    Ok(redirect_with_flash(&unit_url(kind, id), "member_removed"))
}
