//! /groups and /areas — one set of handlers for both kinds.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::units::UnitKind;
use crate::domain::{AreaRole, FieldError, FieldErrors, Refusal, UnitId, UserId};
use crate::error::{AppError, AppResult};
use crate::services::{ServiceError, units};
use crate::views::{UnitDeleteView, UnitListView, UnitShowView, UnitTexts};
use crate::web::extract::{CsrfForm, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, form_html, named_flash, redirect_with_flash};

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
    // Back to the list, ready for the next one; the message links the new one.
    match units::create(&state.ctx, &admin.actor(), kind, &form.name).await {
        Ok(unit) => Ok(redirect_with_flash(
            &format!("/{}", kind.segment()),
            &named_flash("unit_created", &unit.name, &unit_url(kind, unit.id)),
        )),
        Err(ServiceError::Invalid(errors)) => {
            render_list(&req, &state, &admin, kind, form.name, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the unit page shows besides the unit: the typed name and member
/// login of a refused form, its errors, and a search for people to add.
#[derive(Default)]
struct Typed {
    name: Option<String>,
    member_login: String,
    errors: FieldErrors,
    find: String,
}

/// People found by the member search, at most this many.
const CANDIDATES: i64 = 25;

async fn render_show(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    kind: UnitKind,
    id: UnitId,
    typed: Typed,
) -> AppResult<HttpResponse> {
    let detail = units::detail(&state.ctx, &admin.actor(), kind, id).await?;
    let mut errors = typed.errors;
    let found = match crate::domain::text::search_term(&typed.find) {
        Ok(Some(text)) if admin.admin.role.may_manage_users() => {
            units::member_candidates(&state.ctx, &admin.actor(), kind, id, &text, CANDIDATES)
                .await?
        }
        Err(e) => {
            errors.add("find", e);
            units::Candidates::default()
        }
        _ => units::Candidates::default(),
    };
    let (candidates_total, already) = (found.total, found.members);
    let p = admin.page(req, state, nav(kind));
    form_html(
        !errors.is_empty(),
        &UnitShowView {
            kind: UnitTexts::of(kind, p.t),
            p,
            name: typed.name.unwrap_or_else(|| detail.unit.name.clone()),
            detail,
            member_login: typed.member_login,
            errors,
            find: if crate::domain::text::has_control(&typed.find) {
                String::new()
            } else {
                typed.find
            },
            candidates_total,
            candidates: found
                .people
                .into_iter()
                .map(|u| {
                    let member = already.contains(&u.id);
                    (u, member)
                })
                .collect(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    /// The member search: people whose name, username or email contain it.
    find: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
    q: super::extract::Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let kind = kind_of(&path.kind)?;
    let typed = Typed {
        find: q.into_inner().find,
        ..Default::default()
    };
    render_show(&req, &state, &admin, kind, path.id, typed).await
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

/// GET /{kind}/{id}/delete: says how many memberships go with it.
pub async fn delete_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (kind_of(&path.kind)?, path.id);
    if !admin.admin.role.may_manage_users() {
        return Err(AppError::Forbidden);
    }
    let detail = units::detail(&state.ctx, &admin.actor(), kind, id).await?;
    let p = admin.page(&req, &state, nav(kind));
    crate::web::ok_html(&UnitDeleteView {
        kind: UnitTexts::of(kind, p.t),
        p,
        detail,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    /// The member count the admin confirmed on the confirmation page.
    members: String,
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<UnitPath>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> AppResult<HttpResponse> {
    let (kind, id) = (kind_of(&path.kind)?, path.id);
    // The confirmation page sends the count it showed; without a number
    // nothing was confirmed (the service then deletes only an empty unit).
    let confirmed = form.members.trim().parse::<i64>().ok();
    if confirmed.is_none() && !form.members.is_empty() {
        return Err(AppError::BadRequest("members must be a number".into()));
    }
    match units::delete(&state.ctx, &admin.actor(), kind, id, confirmed).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/{}", kind.segment()),
            "unit_deleted",
        )),
        // Members and no confirmation: ask. Another count than confirmed
        // (someone joined meanwhile): say so and ask again.
        Err(ServiceError::Refused(Refusal::UnitInUse(n))) if confirmed.is_some() => {
            Ok(redirect_with_flash(
                &format!("{}/delete", unit_url(kind, id)),
                &format!("count_changed_{n}"),
            ))
        }
        Err(ServiceError::Refused(Refusal::UnitInUse(_))) => Ok(crate::web::redirect(&format!(
            "{}/delete",
            unit_url(kind, id)
        ))),
        Err(ServiceError::Refused(r)) => {
            Ok(redirect_with_flash(&unit_url(kind, id), &refusal_flash(r)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    /// A username or email as typed.
    member: String,
    /// Or people chosen from the search (one or many).
    #[serde(rename = "user")]
    users: Vec<String>,
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
    let chosen: Option<Vec<UserId>> = form.users.iter().map(|u| u.parse().ok()).collect();
    let result = match (role, chosen) {
        (Err(e), _) => Err(e),
        (Ok(_), None) => Err(ServiceError::Invalid(FieldErrors::single(
            "member",
            FieldError::InvalidChoice,
        ))),
        (Ok(role), Some(users)) if !users.is_empty() => {
            units::add_members(&state.ctx, &admin.actor(), kind, id, users, role).await
        }
        (Ok(role), Some(_)) => {
            units::add_member(&state.ctx, &admin.actor(), kind, id, &form.member, role)
                .await
                .map(usize::from)
        }
    };
    match result {
        // How many really joined (people who were in already do not count).
        Ok(n) => Ok(redirect_with_flash(
            &unit_url(kind, id),
            &format!("members_added_{n}"),
        )),
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
