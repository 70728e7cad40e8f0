//! /users — list, create, show, edit, deactivate, reactivate, delete, areas.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::FieldError;
use crate::domain::{AreaRole, UserStatus, UserType};
use crate::error::{AppError, AppResult, url_encode};
use crate::models::Page as ListPage;
use crate::models::audit::{self, AuditFilter};
use crate::models::unit::{Unit, area, group};
use crate::models::user::{self, UserFilter, UserSort};
use crate::services::users::{self as user_service, UserInput};
use crate::services::{FieldErrors, ServiceError, ServiceResult};
use crate::views::{
    AreaChoice, CredentialsView, UserAreasView, UserDeleteView, UserFormView, UserListQuery,
    UserListView, UserRow, UserShowView,
};
use crate::web::extract::{Admin, CsrfForm, CsrfMultipart, NoFields, refusal_flash};
use crate::web::{AppState, html, ok_html, redirect_with_flash};

pub const PER_PAGE: i64 = 50;

fn filter_of(q: &UserListQuery) -> UserFilter {
    let text: String = q.q.trim().chars().take(200).collect();
    UserFilter {
        text: (!text.is_empty()).then_some(text),
        status: q.status.parse::<UserStatus>().ok(),
        group_id: q.group.parse().ok(),
        area_id: q.area.parse().ok(),
        user_type: q.user_type.parse::<UserType>().ok(),
        staff: match q.staff.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
    }
}

/// The list URL for these filters with another sort or page.
fn list_url(q: &UserListQuery, sort: &str, dir: &str, page: i64) -> String {
    let pairs = [
        ("q", q.q.as_str()),
        ("status", q.status.as_str()),
        ("group", q.group.as_str()),
        ("area", q.area.as_str()),
        ("type", q.user_type.as_str()),
        ("staff", q.staff.as_str()),
        ("sort", sort),
        ("dir", dir),
    ];
    let mut url = String::from("/users?");
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        url.push_str(&format!("{k}={}&", url_encode(v)));
    }
    url.push_str(&format!("page={page}"));
    url
}

fn all_units(conn: &mut crate::db::DbConn) -> ServiceResult<(Vec<Unit>, Vec<Unit>)> {
    Ok((group::all(conn)?, area::all(conn)?))
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    q: web::Query<UserListQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let filter = filter_of(&query);
    let sort = UserSort::parse(&query.sort);
    let descending = query.dir == "desc";
    let page = query.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000_000);
    let (list, groups_by_user) = state
        .db_ok(move |conn| {
            let list = user::list(conn, &filter, sort, descending, page, PER_PAGE)?;
            let ids: Vec<i64> = list.items.iter().map(|u| u.id).collect();
            Ok((list, group::names_for_users(conn, &ids)?))
        })
        .await?;
    let units = state.units();
    let (groups, areas) = (units.groups.clone(), units.areas.clone());
    let p = admin.page(&req, &state, "users");
    let t = p.t;
    let columns = [
        (t.field_name, UserSort::Name),
        (t.field_username, UserSort::Username),
        (t.field_email, UserSort::Email),
        (t.field_status, UserSort::Status),
        (t.field_created, UserSort::Created),
    ];
    let sort_links = columns
        .iter()
        .map(|(label, s)| {
            let current = *s == sort;
            let dir = if current && !descending {
                "desc"
            } else {
                "asc"
            };
            let aria = match (current, descending) {
                (true, false) => "ascending",
                (true, true) => "descending",
                _ => "",
            };
            (
                *label,
                s.as_str(),
                list_url(&query, s.as_str(), dir, 1),
                aria,
            )
        })
        .collect();
    let dir = if descending { "desc" } else { "asc" };
    let prev_url = (list.page > 1).then(|| list_url(&query, sort.as_str(), dir, list.page - 1));
    let next_url = (list.page < list.page_count())
        .then(|| list_url(&query, sort.as_str(), dir, list.page + 1));
    let rows = list
        .items
        .iter()
        .map(|u| UserRow {
            user: u.clone(),
            groups: groups_by_user
                .iter()
                .filter(|(id, _)| *id == u.id)
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let summary = ListPage {
        items: vec![],
        total: list.total,
        page: list.page,
        per_page: list.per_page,
    };
    ok_html(&UserListView {
        p,
        query,
        rows,
        list: summary,
        groups,
        areas,
        sort_links,
        prev_url,
        next_url,
    })
}

async fn groups(state: &web::Data<AppState>) -> AppResult<Vec<Unit>> {
    state.db_ok(|conn| Ok(all_units(conn)?.0)).await
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> AppResult<HttpResponse> {
    admin.require_user_management()?;
    let groups = groups(&state).await?;
    let input = UserInput {
        user_type: "mitarbeiter".into(),
        start_password_mode: "none".into(),
        ..Default::default()
    };
    ok_html(&UserFormView {
        p: admin.page(&req, &state, "users"),
        input,
        errors: Default::default(),
        groups,
        editing: None,
    })
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    CsrfForm(form): CsrfForm<UserInput>,
) -> AppResult<HttpResponse> {
    admin.require_user_management()?;
    let (actor, now, cost) = (admin.actor(), state.now(), state.config.bcrypt_cost);
    let input = form.clone();
    match state
        .db(move |conn| user_service::create(conn, &actor, &input, now, cost))
        .await?
    {
        Ok(created) => {
            let next = match form.then.as_str() {
                "new" => "/users/new".to_owned(),
                "areas" => format!("/users/{}/areas", created.user.id),
                _ => "/users".to_owned(),
            };
            if let Some(password) = created.generated_password {
                let login_url = format!("{}/login", state.settings().public_base_url);
                let view = CredentialsView {
                    p: admin.page(&req, &state, "users"),
                    user: created.user,
                    password: password.expose().to_owned(),
                    login_url,
                    next_url: next,
                };
                return ok_html(&view);
            }
            Ok(redirect_with_flash(&next, "user_created"))
        }
        Err(ServiceError::Invalid(errors)) => {
            let groups = groups(&state).await?;
            let input = UserInput {
                start_password: String::new(),
                ..form
            };
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UserFormView {
                    p: admin.page(&req, &state, "users"),
                    input,
                    errors,
                    groups,
                    editing: None,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    render_show(&req, &state, &admin, id.into_inner(), None).await
}

/// The user page, with an error at the photo upload if there was one.
async fn render_show(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    admin: &Admin,
    id: i64,
    photo_error: Option<FieldError>,
) -> AppResult<HttpResponse> {
    let (user, groups, areas, events, has_photo) = state
        .db_ok(move |conn| {
            let user = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let group_ids = group::ids_for_user(conn, id)?;
            let (all_groups, all_areas) = all_units(conn)?;
            let roles = area::roles_for_user(conn, id)?;
            let groups: Vec<Unit> = all_groups
                .into_iter()
                .filter(|g| group_ids.contains(&g.id))
                .collect();
            let areas: Vec<(Unit, Option<AreaRole>)> = all_areas
                .into_iter()
                .filter_map(|a| {
                    roles
                        .iter()
                        .find(|(aid, _)| *aid == a.id)
                        .map(|(_, r)| (a, r.parse().ok()))
                })
                .collect();
            let filter = AuditFilter {
                target_kind: Some("user".into()),
                target_id: Some(id),
                ..Default::default()
            };
            let events = audit::list(conn, &filter, 1, 20)?.items;
            let has_photo = crate::models::photo::exists(conn, id)?;
            Ok((user, groups, areas, events, has_photo))
        })
        .await?;
    let may_change = admin.role.may_change_account_of(user.admin_role());
    let is_self = user.id == admin.user.id;
    let status = if photo_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = UserShowView {
        p: admin.page(req, state, "users"),
        user,
        groups,
        areas,
        events,
        may_change,
        is_self,
        has_photo,
        photo_error,
    };
    html(status, &view)
}

/// GET /users/{id}/photo: the stored JPEG (admins only).
pub async fn photo(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let photo = state
        .db_ok(move |conn| crate::models::photo::find(conn, id)?.ok_or(ServiceError::NotFound))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(photo.content_type)
        .insert_header(("Content-Disposition", "inline"))
        .body(photo.bytes))
}

pub async fn upload_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    form: CsrfMultipart,
) -> AppResult<HttpResponse> {
    use crate::domain::photo::{PhotoError, normalise};
    let id = id.into_inner();
    let upload = match form.file("photo") {
        Some(f) if f.oversized => Err(FieldError::ImageTooLarge),
        Some(f) if !f.bytes.is_empty() => Ok(f.bytes.clone()),
        _ => Err(FieldError::InvalidImage),
    };
    let bytes = match upload {
        Ok(bytes) => bytes,
        Err(e) => return render_show(&req, &state, &admin, id, Some(e)).await,
    };
    let (actor, now) = (admin.actor(), state.now());
    let result = state
        .db(move |conn| {
            let stored = match normalise(&bytes) {
                Ok(stored) => stored,
                Err(PhotoError::TooLarge) => {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "photo",
                        FieldError::ImageTooLarge,
                    )));
                }
                Err(_) => {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "photo",
                        FieldError::InvalidImage,
                    )));
                }
            };
            user_service::set_photo(conn, &actor, id, &stored, now)
        })
        .await?;
    match result {
        Ok(_) => Ok(redirect_with_flash(&format!("/users/{id}"), "photo_saved")),
        Err(ServiceError::Invalid(errors)) => {
            render_show(&req, &state, &admin, id, errors.get("photo")).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_photo(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    user_action(
        state,
        admin,
        id,
        user_service::remove_photo,
        "photo_removed",
        format!("/users/{id}"),
    )
    .await
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (user, group_ids, groups) = state
        .db_ok(move |conn| {
            let user = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            Ok((user, group::ids_for_user(conn, id)?, all_units(conn)?.0))
        })
        .await?;
    if !admin.role.may_change_account_of(user.admin_role()) {
        return Err(AppError::Forbidden);
    }
    let input = UserInput::from_user(&user, group_ids);
    ok_html(&UserFormView {
        p: admin.page(&req, &state, "users"),
        input,
        errors: Default::default(),
        groups,
        editing: Some(user),
    })
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    CsrfForm(input): CsrfForm<UserInput>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (actor, now) = (admin.actor(), state.now());
    let submitted = input.clone();
    match state
        .db(move |conn| user_service::update(conn, &actor, id, &input, now))
        .await?
    {
        Ok(_) => Ok(redirect_with_flash(&format!("/users/{id}"), "user_updated")),
        Err(ServiceError::Invalid(errors)) => {
            let (user, groups) = state
                .db_ok(move |conn| {
                    Ok((
                        user::find(conn, id)?.ok_or(ServiceError::NotFound)?,
                        all_units(conn)?.0,
                    ))
                })
                .await?;
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UserFormView {
                    p: admin.page(&req, &state, "users"),
                    input: submitted,
                    errors,
                    groups,
                    editing: Some(user),
                },
            )
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &format!("/users/{id}"),
            &refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
}

type UserAction = fn(
    &mut crate::db::DbConn,
    &crate::services::Actor,
    i64,
    time::PrimitiveDateTime,
) -> ServiceResult<crate::models::user::User>;

/// Runs a one-click action on a user and goes back to his page with its outcome.
async fn user_action(
    state: web::Data<AppState>,
    admin: Admin,
    id: i64,
    action: UserAction,
    done_flash: &str,
    done_url: String,
) -> AppResult<HttpResponse> {
    let (actor, now) = (admin.actor(), state.now());
    match state.db(move |conn| action(conn, &actor, id, now)).await? {
        Ok(_) => Ok(redirect_with_flash(&done_url, done_flash)),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &format!("/users/{id}"),
            &refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn deactivate(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    user_action(
        state,
        admin,
        id,
        user_service::deactivate,
        "user_deactivated",
        format!("/users/{id}"),
    )
    .await
}

pub async fn reactivate(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    user_action(
        state,
        admin,
        id,
        user_service::unblock,
        "user_reactivated",
        format!("/users/{id}"),
    )
    .await
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    user_action(
        state,
        admin,
        id.into_inner(),
        user_service::delete,
        "user_deleted",
        "/users".into(),
    )
    .await
}

pub async fn delete_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let user = state
        .db_ok(move |conn| user::find(conn, id)?.ok_or(ServiceError::NotFound))
        .await?;
    if !admin.role.may_change_account_of(user.admin_role()) {
        return Err(AppError::Forbidden);
    }
    ok_html(&UserDeleteView {
        p: admin.page(&req, &state, "users"),
        user,
    })
}

async fn area_choices(
    state: &web::Data<AppState>,
    id: i64,
) -> AppResult<(crate::models::user::User, Vec<AreaChoice>)> {
    state
        .db_ok(move |conn| {
            let user = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let roles = area::roles_for_user(conn, id)?;
            let choices = area::all(conn)?
                .into_iter()
                .map(|a| {
                    let role = roles
                        .iter()
                        .find(|(aid, _)| *aid == a.id)
                        .and_then(|(_, r)| r.parse().ok());
                    AreaChoice { area: a, role }
                })
                .collect();
            Ok((user, choices))
        })
        .await
}

pub async fn areas_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (user, choices) = area_choices(&state, id.into_inner()).await?;
    if !admin.role.may_change_account_of(user.admin_role()) {
        return Err(AppError::Forbidden);
    }
    ok_html(&UserAreasView {
        p: admin.page(&req, &state, "users"),
        user,
        choices,
        error: None,
    })
}

/// The areas form arrives as `area=<id>` for each ticked row and `role_<id>=<role>` for every row.
pub async fn set_areas(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let mut wanted: Vec<(i64, AreaRole)> = Vec::new();
    let mut malformed = false;
    for (_, value) in pairs.iter().filter(|(k, _)| k == "area") {
        let Ok(area_id) = value.parse::<i64>() else {
            malformed = true;
            continue;
        };
        let role_key = format!("role_{area_id}");
        let role = pairs
            .iter()
            .find(|(k, _)| *k == role_key)
            .map_or(Ok(AreaRole::Mitglied), |(_, r)| r.parse::<AreaRole>());
        match role {
            Ok(role) if !wanted.iter().any(|(a, _)| *a == area_id) => wanted.push((area_id, role)),
            Ok(_) => {}
            Err(()) => malformed = true,
        }
    }
    let result = if malformed {
        Err(ServiceError::Invalid(crate::services::FieldErrors::single(
            "areas",
            crate::domain::FieldError::InvalidChoice,
        )))
    } else {
        let (actor, now) = (admin.actor(), state.now());
        state
            .db(move |conn| user_service::set_areas(conn, &actor, id, &wanted, now))
            .await?
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(&format!("/users/{id}"), "areas_saved")),
        Err(ServiceError::Invalid(errors)) => {
            let (user, choices) = area_choices(&state, id).await?;
            let error = errors.get("areas");
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UserAreasView {
                    p: admin.page(&req, &state, "users"),
                    user,
                    choices,
                    error,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}
