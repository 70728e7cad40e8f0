//! /users — list, create, show, edit, deactivate, reactivate, delete, areas, photo.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::people::UserSort;
use crate::domain::{AreaRole, FieldError, FieldErrors, Page as ListPage, UnitId, UserId};
use crate::error::AppResult;
use crate::services::users::{self as service, CreatedUser};
use crate::services::{ServiceError, ServiceResult};
use crate::views::forms::{UserForm, UserListQuery};
use crate::views::{
    CredentialsView, SortLink, UserAreasView, UserDeleteView, UserFormView, UserListView,
    UserShowView,
};
use crate::web::commands;
use crate::web::extract::{CsrfForm, CsrfMultipart, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, form_html, link, ok_html, redirect_with_flash};

/// The list URL for these filters with another sort or page.
fn list_url(q: &UserListQuery, sort: &str, dir: &str, page: i64) -> String {
    link(
        "/users",
        &[
            ("q", &q.q),
            ("status", &q.status),
            ("group", &q.group),
            ("area", &q.area),
            ("type", &q.user_type),
            ("staff", &q.staff),
            ("sort", sort),
            ("dir", dir),
            ("page", &page.to_string()),
        ],
    )
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: web::Query<UserListQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let filter = commands::user_query(&query);
    let (sort, descending) = (filter.sort, filter.descending);
    let page = service::list(&state.ctx, &admin.actor(), &filter).await?;
    let units = state.ctx.units();
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
            SortLink {
                label,
                key: s.as_str(),
                url: list_url(&query, s.as_str(), dir, 1),
                aria_sort: match (current, descending) {
                    (true, false) => "ascending",
                    (true, true) => "descending",
                    _ => "",
                },
            }
        })
        .collect();
    let rows = page.rows;
    let dir = if descending { "desc" } else { "asc" };
    let prev_url = rows
        .has_previous()
        .then(|| list_url(&query, sort.as_str(), dir, rows.page - 1));
    let next_url = rows
        .has_next()
        .then(|| list_url(&query, sort.as_str(), dir, rows.page + 1));
    let summary = ListPage {
        items: vec![],
        total: rows.total,
        page: rows.page,
        per_page: rows.per_page,
    };
    let errors = page.errors;
    form_html(
        !errors.is_empty(),
        &UserListView {
            p,
            query,
            rows: rows.items,
            list: summary,
            groups: units.groups.clone(),
            areas: units.areas.clone(),
            sort_links,
            prev_url,
            next_url,
            errors,
        },
    )
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    input: UserForm,
    errors: FieldErrors,
    editing: Option<crate::domain::people::UserSummary>,
) -> AppResult<HttpResponse> {
    // What was typed as a password is never sent back.
    let input = UserForm {
        start_password: String::new(),
        ..input
    };
    form_html(
        !errors.is_empty(),
        &UserFormView {
            p: admin.page(req, state, "users"),
            input,
            errors,
            groups: state.ctx.units().groups.clone(),
            editing,
        },
    )
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_users() {
        return Err(crate::error::AppError::Forbidden);
    }
    form_page(
        &req,
        &state,
        &admin,
        UserForm::blank(),
        FieldErrors::default(),
        None,
    )
    .await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<UserForm>,
) -> AppResult<HttpResponse> {
    let result = match commands::create_user(&form) {
        Ok(cmd) => service::create(&state.ctx, &admin.actor(), cmd).await,
        Err(errors) => {
            // Permission first: a reader gets a refusal, not field errors.
            if !admin.admin.role.may_manage_users() {
                return Err(crate::error::AppError::Forbidden);
            }
            Err(ServiceError::Invalid(errors))
        }
    };
    match result {
        Ok(created) => {
            let next = match form.then.as_str() {
                "new" => "/users/new".to_owned(),
                "areas" => format!("/users/{}/areas", created.id),
                _ => "/users".to_owned(),
            };
            credentials_or_redirect(&req, &state, &admin, &form, created, next)
        }
        Err(ServiceError::Invalid(errors)) => {
            form_page(&req, &state, &admin, form, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// After a create: the printable sheet when a start password was generated,
/// else on to the next page.
fn credentials_or_redirect(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    form: &UserForm,
    created: CreatedUser,
    next: String,
) -> AppResult<HttpResponse> {
    let Some(password) = created.generated_password else {
        return Ok(redirect_with_flash(&next, "user_created"));
    };
    ok_html(&CredentialsView {
        p: admin.page(req, state, "users"),
        display_name: crate::domain::people::display_name(
            form.first_name.trim(),
            form.last_name.trim(),
        ),
        username: created.username,
        password: password.expose().to_owned(),
        login_url: state.ctx.settings().link("/login"),
        next_url: next,
    })
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    render_show(&req, &state, &admin, id.into_inner(), None).await
}

/// The user page, with an error at the photo upload if there was one.
async fn render_show(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: UserId,
    photo_error: Option<FieldError>,
) -> AppResult<HttpResponse> {
    let detail = service::detail(&state.ctx, &admin.actor(), id).await?;
    form_html(
        photo_error.is_some(),
        &UserShowView {
            p: admin.page(req, state, "users"),
            detail,
            photo_error,
        },
    )
}

/// GET /users/{id}/photo: the stored JPEG (admins only).
pub async fn photo(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let photo = service::photo(&state.ctx, &admin.actor(), id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(photo.content_type)
        .insert_header(("Content-Disposition", "inline"))
        .body(photo.bytes))
}

pub async fn upload_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    mut form: CsrfMultipart,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let result = match form.take_file("photo") {
        Some(f) if f.oversized => Err(ServiceError::Invalid(FieldErrors::single(
            "photo",
            FieldError::ImageTooLarge,
        ))),
        Some(f) => service::set_photo(&state.ctx, &admin.actor(), id, f.bytes).await,
        None => Err(ServiceError::Invalid(FieldErrors::single(
            "photo",
            FieldError::InvalidImage,
        ))),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&format!("/users/{id}"), "photo_saved")),
        Err(ServiceError::Invalid(errors)) => {
            render_show(&req, &state, &admin, id, errors.get("photo")).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Turns the outcome of a one-click action into a redirect to the user page.
fn after_action(
    result: ServiceResult<()>,
    id: UserId,
    done_flash: &str,
    done_url: &str,
) -> AppResult<HttpResponse> {
    match result {
        Ok(()) => Ok(redirect_with_flash(done_url, done_flash)),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &format!("/users/{id}"),
            &refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_photo(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let result = service::remove_photo(&state.ctx, &admin.actor(), id).await;
    after_action(result, id, "photo_removed", &format!("/users/{id}"))
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let (user, groups) = service::for_edit(&state.ctx, &admin.actor(), id.into_inner()).await?;
    let input = UserForm::of(&user, groups);
    form_page(
        &req,
        &state,
        &admin,
        input,
        FieldErrors::default(),
        Some(user),
    )
    .await
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let actor = admin.actor();
    // Loads the target with the permission check first (404 / 403 before field errors).
    let (user, _) = service::for_edit(&state.ctx, &actor, id).await?;
    let result = match commands::update_user(&form) {
        Ok(cmd) => service::update(&state.ctx, &actor, id, cmd).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&format!("/users/{id}"), "user_updated")),
        Err(ServiceError::Invalid(errors)) => {
            form_page(&req, &state, &admin, form, errors, Some(user)).await
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &format!("/users/{id}"),
            &refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn deactivate(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let result = service::deactivate(&state.ctx, &admin.actor(), id).await;
    after_action(result, id, "user_deactivated", &format!("/users/{id}"))
}

pub async fn reactivate(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let result = service::unblock(&state.ctx, &admin.actor(), id).await;
    after_action(result, id, "user_reactivated", &format!("/users/{id}"))
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let result = service::delete(&state.ctx, &admin.actor(), id).await;
    after_action(result, id, "user_deleted", "/users")
}

pub async fn delete_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let user = service::changeable_summary(&state.ctx, &admin.actor(), id.into_inner()).await?;
    ok_html(&UserDeleteView {
        p: admin.page(&req, &state, "users"),
        user,
    })
}

pub async fn areas_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    areas_page(&req, &state, &admin, id.into_inner(), None).await
}

async fn areas_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: UserId,
    error: Option<FieldError>,
) -> AppResult<HttpResponse> {
    let (user, choices) = service::area_choices(&state.ctx, &admin.actor(), id).await?;
    form_html(
        error.is_some(),
        &UserAreasView {
            p: admin.page(req, state, "users"),
            user,
            choices,
            error,
        },
    )
}

/// The areas form arrives as `area=<id>` for each ticked row and
/// `role_<id>=<role>` for every row.
fn wanted_areas(pairs: &[(String, String)]) -> Option<Vec<(UnitId, AreaRole)>> {
    let mut wanted: Vec<(UnitId, AreaRole)> = Vec::new();
    for (_, value) in pairs.iter().filter(|(k, _)| k == "area") {
        let area = value.parse::<UnitId>().ok()?;
        let role_key = format!("role_{area}");
        let role = match pairs.iter().find(|(k, _)| *k == role_key) {
            Some((_, r)) => r.parse::<AreaRole>().ok()?,
            None => AreaRole::Mitglied,
        };
        if !wanted.iter().any(|(a, _)| *a == area) {
            wanted.push((area, role));
        }
    }
    Some(wanted)
}

pub async fn set_areas(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let result = match wanted_areas(&pairs) {
        Some(wanted) => service::set_areas(&state.ctx, &admin.actor(), id, wanted).await,
        None => Err(ServiceError::Invalid(FieldErrors::single(
            "areas",
            FieldError::InvalidChoice,
        ))),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&format!("/users/{id}"), "areas_saved")),
        Err(ServiceError::Invalid(errors)) => {
            areas_page(&req, &state, &admin, id, errors.get("areas")).await
        }
        Err(e) => Err(e.into()),
    }
}
