//! /groups and /areas — one set of handlers for both kinds.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::AreaRole;
use crate::error::AppResult;
use crate::models::unit::{UnitKind, area, group};
use crate::services::{FieldErrors, ServiceError, units};
use crate::views::{UnitListView, UnitShowView, UnitTexts};
use crate::web::extract::{Admin, CsrfForm, NoFields, refusal_flash};
use crate::web::{AppState, html, redirect_with_flash};

const MEMBERS_SHOWN: i64 = 200;

pub fn routes(cfg: &mut web::ServiceConfig) {
    for (base, kind) in [("/groups", UnitKind::Group), ("/areas", UnitKind::Area)] {
        cfg.service(
            web::scope(base)
                .app_data(web::Data::new(kind))
                .route("", web::get().to(list))
                .route("", web::post().to(create))
                .route("/{id}", web::get().to(show))
                .route("/{id}/rename", web::post().to(rename))
                .route("/{id}/delete", web::post().to(delete))
                .route("/{id}/members", web::post().to(add_member))
                .route(
                    "/{id}/members/{user_id}/remove",
                    web::post().to(remove_member),
                ),
        );
    }
}

fn texts(kind: UnitKind, t: &'static crate::i18n::Texts) -> UnitTexts {
    match kind {
        UnitKind::Group => UnitTexts {
            title: t.groups_title,
            new_label: t.group_new,
            base: "/groups",
            filter_param: "group",
            with_roles: false,
        },
        UnitKind::Area => UnitTexts {
            title: t.areas_title,
            new_label: t.area_new,
            base: "/areas",
            filter_param: "area",
            with_roles: true,
        },
    }
}

fn nav(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Group => "groups",
        UnitKind::Area => "areas",
    }
}

async fn render_list(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    admin: &Admin,
    kind: UnitKind,
    name: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let units = state
        .db_ok(move |conn| match kind {
            UnitKind::Group => Ok(group::list(conn)?),
            UnitKind::Area => Ok(area::list(conn)?),
        })
        .await?;
    let p = admin.page(req, state, nav(kind));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &UnitListView {
            kind: texts(kind, p.t),
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
    admin: Admin,
    kind: web::Data<UnitKind>,
) -> AppResult<HttpResponse> {
    render_list(
        &req,
        &state,
        &admin,
        **kind,
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
    admin: Admin,
    kind: web::Data<UnitKind>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> AppResult<HttpResponse> {
    let kind = **kind;
    let (actor, now, name) = (admin.actor(), state.now(), form.name.clone());
    match state
        .db(move |conn| units::create(conn, &actor, kind, &name, now))
        .await?
    {
        Ok(unit) => {
            state.reload_units().await?;
            Ok(redirect_with_flash(
                &format!("{}/{}", texts(kind, &crate::i18n::DE).base, unit.id),
                "unit_created",
            ))
        }
        Err(ServiceError::Invalid(errors)) => {
            render_list(&req, &state, &admin, kind, form.name, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_show(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    admin: &Admin,
    kind: UnitKind,
    id: i64,
    name: Option<String>,
    member_login: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (unit, members, member_count) = state
        .db_ok(move |conn| {
            let (unit, members, count) = match kind {
                UnitKind::Group => (
                    group::find(conn, id)?,
                    group::members(conn, id, MEMBERS_SHOWN)?,
                    group::live_member_count(conn, id)?,
                ),
                UnitKind::Area => (
                    area::find(conn, id)?,
                    area::members(conn, id, MEMBERS_SHOWN)?,
                    area::live_member_count(conn, id)?,
                ),
            };
            Ok((unit.ok_or(ServiceError::NotFound)?, members, count))
        })
        .await?;
    let p = admin.page(req, state, nav(kind));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let name = name.unwrap_or_else(|| unit.name.clone());
    html(
        status,
        &UnitShowView {
            kind: texts(kind, p.t),
            p,
            unit,
            members,
            member_count,
            name,
            member_login,
            errors,
        },
    )
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    kind: web::Data<UnitKind>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    render_show(
        &req,
        &state,
        &admin,
        **kind,
        id.into_inner(),
        None,
        String::new(),
        FieldErrors::default(),
    )
    .await
}

pub async fn rename(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    kind: web::Data<UnitKind>,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (**kind, id.into_inner());
    let (actor, now, name) = (admin.actor(), state.now(), form.name.clone());
    match state
        .db(move |conn| units::rename(conn, &actor, kind, id, &name, now))
        .await?
    {
        Ok(_) => {
            state.reload_units().await?;
            Ok(redirect_with_flash(
                &format!("{}/{id}", texts(kind, &crate::i18n::DE).base),
                "unit_renamed",
            ))
        }
        Err(ServiceError::Invalid(errors)) => {
            render_show(
                &req,
                &state,
                &admin,
                kind,
                id,
                Some(form.name),
                String::new(),
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: Admin,
    kind: web::Data<UnitKind>,
    id: web::Path<i64>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (**kind, id.into_inner());
    let base = texts(kind, &crate::i18n::DE).base;
    let (actor, now) = (admin.actor(), state.now());
    match state
        .db(move |conn| units::delete(conn, &actor, kind, id, now))
        .await?
    {
        Ok(_) => {
            state.reload_units().await?;
            Ok(redirect_with_flash(base, "unit_deleted"))
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &format!("{base}/{id}"),
            &refusal_flash(r),
        )),
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
    admin: Admin,
    kind: web::Data<UnitKind>,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (**kind, id.into_inner());
    let role = match kind {
        UnitKind::Group => None,
        UnitKind::Area => match form.role.parse::<AreaRole>() {
            Ok(r) => Some(r),
            Err(()) => {
                let errors =
                    FieldErrors::single("member", crate::domain::FieldError::InvalidChoice);
                return render_show(&req, &state, &admin, kind, id, None, form.member, errors)
                    .await;
            }
        },
    };
    let (actor, now, login) = (admin.actor(), state.now(), form.member.clone());
    match state
        .db(move |conn| units::add_member(conn, &actor, kind, id, &login, role, now))
        .await?
    {
        Ok(()) => Ok(redirect_with_flash(
            &format!("{}/{id}", texts(kind, &crate::i18n::DE).base),
            "member_added",
        )),
        Err(ServiceError::Invalid(errors)) => {
            render_show(&req, &state, &admin, kind, id, None, form.member, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_member(
    state: web::Data<AppState>,
    admin: Admin,
    kind: web::Data<UnitKind>,
    path: web::Path<(i64, i64)>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let kind = **kind;
    let (id, user_id) = path.into_inner();
    let (actor, now) = (admin.actor(), state.now());
    state
        .db_ok(move |conn| units::remove_member(conn, &actor, kind, id, user_id, now))
        .await?;
    Ok(redirect_with_flash(
        &format!("{}/{id}", texts(kind, &crate::i18n::DE).base),
        "member_removed",
    ))
}
