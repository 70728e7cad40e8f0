//! /users — list, create, show, edit, deactivate, reactivate, delete, areas, photo.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::people::UserSort;
use crate::domain::{
    AreaRole, FieldError, FieldErrors, Page as ListPage, Password, Refusal, UnitId, UserId,
};
use crate::error::AppResult;
use crate::services::users::{self as service, StartPassword};
use crate::services::{ServiceError, ServiceResult};
use crate::views::forms::{UserForm, UserListQuery};
use crate::views::{
    CredentialsView, Pager, SortLink, StartPasswordView, UserAreasView, UserDeleteView,
    UserFormView, UserListView, UserShowView,
};
use crate::web::commands;
use crate::web::extract::{CsrfForm, CsrfMultipart, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, form_html, link, named_flash, ok_html, redirect, redirect_with_flash};

/// The list URL for these filters with another sort or page, and a keyset
/// cursor (`after` / `before` a user id) where the page has one.
fn list_url(q: &UserListQuery, sort: &str, dir: &str, page: i64, cursor: (&str, String)) -> String {
    let page = page.to_string();
    let mut pairs = vec![
        ("q", q.q.as_str()),
        ("status", &q.status),
        ("group", &q.group),
        ("area", &q.area),
        ("type", &q.user_type),
        ("staff", &q.staff),
        ("delivery", &q.delivery),
        ("import", &q.import),
        ("sort", sort),
        ("dir", dir),
    ];
    if page != "1" {
        pairs.push(("page", &page));
    }
    if !cursor.0.is_empty() {
        pairs.push((cursor.0, &cursor.1));
    }
    link("/users", &pairs)
}

/// GET /users/export.xlsx: the list as on screen (filters, order), all of it.
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: super::extract::Query<UserListQuery>,
) -> AppResult<HttpResponse> {
    let query = commands::user_query(&q.into_inner());
    let lang = admin.page(&req, &state, "users").lang;
    let (name, bytes) =
        crate::services::export::users_xlsx(&state.ctx, &admin.actor(), &query, lang).await?;
    Ok(crate::web::imports::xlsx_download(&name, bytes))
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: super::extract::Query<UserListQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let filter = commands::user_query(&query);
    let (sort, descending) = (filter.sort, filter.descending);
    let page = service::list(&state.ctx, &admin.actor(), &filter).await?;
    let units = state.ctx.units();
    let p = admin.page(&req, &state, "users");
    let t = p.t;
    // The username sits under the name (sortable by URL: sort=username).
    let columns = [
        (t.field_name, UserSort::Name),
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
                url: list_url(&query, s.as_str(), dir, 1, ("", String::new())),
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
    let (first_id, last_id) = (
        rows.items.first().map(|r| r.user.id.to_string()),
        rows.items.last().map(|r| r.user.id.to_string()),
    );
    let none = || ("", String::new());
    let url =
        |page: i64, cursor: (&str, String)| list_url(&query, sort.as_str(), dir, page, cursor);
    let pager = Pager {
        first_url: rows.has_previous().then(|| url(1, none())),
        prev_url: rows.has_previous().then(|| {
            url(
                rows.page - 1,
                first_id.map_or_else(none, |id| ("before", id)),
            )
        }),
        next_url: rows
            .has_next()
            .then(|| url(rows.page + 1, last_id.map_or_else(none, |id| ("after", id)))),
        last_url: rows.has_next().then(|| url(rows.page_count(), none())),
    };
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
            pager,
            errors,
            now: state.ctx.now(),
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
    // What was typed as a password is never sent back (the page says so).
    let password_dropped = !errors.is_empty() && !input.start_password.is_empty();
    // A value another account holds: whose it is, said at the field.
    let taken = errors.iter().any(|(_, e)| e.is_taken());
    let holders = if taken {
        let probe = commands::unique_probe(&input, editing.as_ref().map(|u| u.id));
        service::holders(&state.ctx, &admin.actor(), probe)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
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
            password_dropped,
            holders,
        },
    )
}

/// `/users/new?group=3&group=5` starts with those groups ticked (after
/// "Speichern & weiteren anlegen").
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUserQuery {
    #[serde(rename = "group")]
    groups: Vec<String>,
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_users() {
        return Err(crate::error::AppError::Forbidden);
    }
    let query: NewUserQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let known = state.ctx.units();
    let groups = query
        .groups
        .iter()
        .filter_map(|g| g.parse::<UnitId>().ok())
        .filter(|id| known.groups.iter().any(|g| g.id == *id))
        .collect();
    form_page(
        &req,
        &state,
        &admin,
        UserForm::blank(groups),
        FieldErrors::default(),
        None,
    )
    .await
}

const HANDOVER_COOKIE: &str = "einlass_handover";

/// Where the create form's buttons lead for the user just made.
/// `new:3,5` is "a new form with groups 3 and 5 ticked" (how the credentials
/// sheet, which comes in between, remembers the groups).
fn then_url(then: &str, id: UserId, groups: &[UnitId]) -> String {
    let (word, kept) = then.split_once(':').unwrap_or((then, ""));
    match word {
        "new" => {
            let kept: Vec<UnitId> = kept.split(',').filter_map(|g| g.parse().ok()).collect();
            let groups = if groups.is_empty() { &kept } else { groups };
            let values: Vec<String> = groups.iter().map(ToString::to_string).collect();
            let pairs: Vec<(&str, &str)> = values.iter().map(|v| ("group", v.as_str())).collect();
            link("/users/new", &pairs)
        }
        "areas" => format!("/users/{id}/areas"),
        "user" => format!("/users/{id}"),
        _ => "/users".to_owned(),
    }
}

/// A fresh hand-over for a generated start password: its id (kept only in
/// this browser's cookie) and the password derived from it.
fn new_handover(
    state: &AppState,
    admin: &CurrentAdmin,
    then: &str,
) -> (service::Handover, Password) {
    let id = crate::domain::token::random_secret();
    let password = Password::derive(&state.ctx.secrets().csrf_key, &id);
    let handover = service::Handover {
        id,
        session: admin.session.clone(),
        then_page: then.to_owned(),
    };
    (handover, password)
}

/// 303 to the credentials sheet, with the hand-over id in a cookie that only
/// that page of this person receives.
fn to_credentials(state: &AppState, id: UserId, handover_id: &str) -> HttpResponse {
    let mut res = redirect(&format!("/users/{id}/credentials"));
    let _ = res.add_cookie(
        &Cookie::build(HANDOVER_COOKIE, handover_id.to_owned())
            .path(format!("/users/{id}/credentials"))
            .http_only(true)
            .secure(state.secure_cookies())
            .same_site(SameSite::Strict)
            .max_age(CookieDuration::minutes(service::HANDOVER_MINUTES))
            .finish(),
    );
    res
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<UserForm>,
) -> AppResult<HttpResponse> {
    let then = match form.then.as_str() {
        t @ ("new" | "areas") => t,
        _ => "close",
    };
    let then_page = if then == "new" {
        let ids: Vec<String> = form.groups.iter().map(ToString::to_string).collect();
        format!("new:{}", ids.join(","))
    } else {
        then.to_owned()
    };
    let (handover, generated) = new_handover(&state, &admin, &then_page);
    let result = match commands::create_user(&form, generated) {
        Ok(mut cmd) => {
            if matches!(cmd.start_password, StartPassword::Generate(_)) {
                cmd.handover = Some(handover.clone());
            }
            service::create(&state.ctx, &admin.actor(), cmd).await
        }
        Err(mut errors) => {
            // Permission first: a reader gets a refusal, not field errors.
            if !admin.admin.role.may_manage_users() {
                return Err(crate::error::AppError::Forbidden);
            }
            // Every error at once: taken values too, not in a second round.
            let probe = commands::unique_probe(&form, None);
            errors.extend(service::conflicts(&state.ctx, probe).await?);
            Err(ServiceError::Invalid(errors))
        }
    };
    match result {
        Ok(created) if created.generated_password.is_some() => {
            Ok(to_credentials(&state, created.id, &handover.id))
        }
        Ok(created) => {
            let next = then_url(then, created.id, &form.groups);
            let flash = if created.duplicate {
                "user_exists"
            } else {
                "user_created"
            };
            Ok(redirect_with_flash(
                &next,
                &named_flash(flash, &created.label, &format!("/users/{}", created.id)),
            ))
        }
        Err(ServiceError::Invalid(errors)) => {
            form_page(&req, &state, &admin, form, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /users/{id}/credentials: the printable sheet with the generated start
/// password while the hand-over of this browser and session lives; after
/// that, a page that says so and offers a new start password.
pub async fn credentials(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let handover_id = req
        .cookie(HANDOVER_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()));
    let sheet = match &handover_id {
        Some(h) => {
            let (h, session) = (h.clone(), admin.session.clone());
            service::handover_sheet(&state.ctx, &admin.actor(), id, h, session).await?
        }
        None => None,
    };
    let login_url = state.ctx.settings().link("/login");
    let p = admin.page(&req, &state, "users");
    let view = match (sheet, handover_id) {
        (Some(sheet), Some(h)) => CredentialsView {
            p,
            user_id: id,
            display_name: sheet.user.display_name(),
            username: sheet.user.username.clone(),
            password: Some(
                Password::derive(&state.ctx.secrets().csrf_key, &h)
                    .expose()
                    .to_owned(),
            ),
            login_url,
            then_page: sheet.then_page,
            shown_until: Some(sheet.expires_at),
        },
        _ => {
            let user = service::changeable_summary(&state.ctx, &admin.actor(), id).await?;
            CredentialsView {
                p,
                user_id: id,
                display_name: user.display_name(),
                username: user.username.clone(),
                password: None,
                login_url,
                then_page: "user".to_owned(),
                shown_until: None,
            }
        }
    };
    ok_html(&view)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DoneForm {
    then: String,
}

/// POST /users/{id}/credentials/done: "Fertig", the password is not shown again.
pub async fn credentials_done(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    CsrfForm(form): CsrfForm<DoneForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let handover_id = req
        .cookie(HANDOVER_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    service::end_handover(&state.ctx, &admin.actor(), id, handover_id).await?;
    let mut res = redirect(&then_url(&form.then, id, &[]));
    let _ = res.add_removal_cookie(
        &Cookie::build(HANDOVER_COOKIE, "")
            .path(format!("/users/{id}/credentials"))
            .finish(),
    );
    Ok(res)
}

/// GET /users/{id}/start-password: what a new start password does, and the
/// button that does it (the old password and every session end, so not by
/// one stray click on the user page).
pub async fn start_password_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let user = service::changeable_summary(&state.ctx, &admin.actor(), id.into_inner()).await?;
    ok_html(&StartPasswordView {
        p: admin.page(&req, &state, "users"),
        user,
    })
}

/// POST /users/{id}/start-password: "Neues Startpasswort vergeben".
pub async fn new_start_password(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<UserId>,
    _f: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (handover, password) = new_handover(&state, &admin, "user");
    let handover_id = handover.id.clone();
    match service::new_start_password(&state.ctx, &admin.actor(), id, password, handover).await {
        Ok(()) => Ok(to_credentials(&state, id, &handover_id)),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &format!("/users/{id}"),
            &refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
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
        Err(mut errors) => {
            let probe = commands::unique_probe(&form, Some(id));
            errors.extend(service::conflicts(&state.ctx, probe).await?);
            Err(ServiceError::Invalid(errors))
        }
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&format!("/users/{id}"), "user_updated")),
        Err(ServiceError::Invalid(errors)) => {
            let mut form = form;
            // Changed since the form was made: the admin's entries stay on
            // the form, which now carries the current version (a second
            // save is a decision made knowing that). Held by another write
            // right now: the version stays, so the next save compares with
            // what that write leaves.
            if errors.get("seen") == Some(crate::domain::FieldError::ChangedMeanwhile) {
                let (now, groups) = service::for_edit(&state.ctx, &actor, id).await?;
                form.seen = now.edit_version(&groups);
            }
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

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct BulkForm {
    action: String,
    group: String,
    #[serde(rename = "user")]
    users: Vec<String>,
    /// The list page to return to (same site only).
    back: String,
    /// "filter": every result of the list's filter (its fields below),
    /// else the chosen rows.
    scope: String,
    f_q: String,
    f_status: String,
    f_group: String,
    f_area: String,
    f_type: String,
    f_staff: String,
    f_delivery: String,
    f_import: String,
    /// The confirmation's key: a double submit starts one task.
    form_key: String,
    /// For the actions that send: a send time ahead (both empty: now).
    send_date: String,
    send_time: String,
    /// Who the confirmation showed ([`crate::domain::tasks::BulkPlan::fingerprint`]).
    confirmed: String,
}

impl BulkForm {
    fn list_query(&self) -> crate::views::forms::UserListQuery {
        crate::views::forms::UserListQuery {
            q: self.f_q.clone(),
            status: self.f_status.clone(),
            group: self.f_group.clone(),
            area: self.f_area.clone(),
            user_type: self.f_type.clone(),
            staff: self.f_staff.clone(),
            delivery: self.f_delivery.clone(),
            import: self.f_import.clone(),
            ..Default::default()
        }
    }

    /// What the form chose; `None` for ids that are not ids.
    fn selection(&self) -> Option<crate::services::tasks::Selection> {
        use crate::services::tasks::Selection;
        if self.scope == "filter" {
            // A value that names nothing must not widen the selection: the
            // action is refused.
            let query = crate::web::commands::user_query(&self.list_query());
            return query
                .unreadable
                .is_empty()
                .then_some(Selection::Filter(query));
        }
        let users: Option<Vec<UserId>> = self.users.iter().map(|u| u.parse().ok()).collect();
        users.map(Selection::Chosen)
    }

    /// The bulk action and whom it is for; a 400 for anything else.
    fn action_and_selection(
        &self,
    ) -> AppResult<(
        crate::domain::tasks::TaskKind,
        crate::services::tasks::Selection,
    )> {
        let kind = crate::domain::tasks::TaskKind::parse(&self.action)
            .filter(|k| crate::domain::tasks::BULK_ACTIONS.contains(k));
        match (kind, self.selection()) {
            (Some(kind), Some(selection)) => Ok((kind, selection)),
            _ => Err(crate::error::AppError::BadRequest(
                "unknown bulk action or user ids".into(),
            )),
        }
    }

    /// The fields that carry the selection to the confirmation's form.
    fn carried(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("action", self.action.clone()), ("back", self.back.clone())];
        if self.scope == "filter" {
            out.push(("scope", "filter".into()));
            for (k, v) in [
                ("f_q", &self.f_q),
                ("f_status", &self.f_status),
                ("f_group", &self.f_group),
                ("f_area", &self.f_area),
                ("f_type", &self.f_type),
                ("f_staff", &self.f_staff),
                ("f_delivery", &self.f_delivery),
                ("f_import", &self.f_import),
            ] {
                if !v.is_empty() {
                    out.push((k, v.clone()));
                }
            }
        } else {
            out.extend(self.users.iter().map(|u| ("user", u.clone())));
        }
        out
    }
}

fn list_back(form: &BulkForm) -> String {
    let back = crate::web::safe_next(&form.back);
    // The user list, or a group's or area's page ("QR-Briefe" for members).
    if back.starts_with("/users") || back.starts_with("/groups/") || back.starts_with("/areas/") {
        back
    } else {
        "/users".to_owned()
    }
}

/// POST /users/bulk: an action on the users chosen in the list, or on every
/// result of its filter. Adding to a group happens at once (all or, if one
/// may not be changed, none); the other actions show a confirmation first.
pub async fn bulk(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_users() {
        return Err(crate::error::AppError::Forbidden);
    }
    let back = list_back(&form);
    let chosen_none = form.scope != "filter" && form.users.is_empty();
    if chosen_none {
        return Ok(redirect_with_flash(&back, "bulk_none_chosen"));
    }
    if form.action == "add_to_group" {
        let users: Option<Vec<UserId>> = form.users.iter().map(|u| u.parse().ok()).collect();
        let (Some(users), Ok(group)) = (users, form.group.parse::<UnitId>()) else {
            return Ok(redirect_with_flash(&back, "bulk_no_group"));
        };
        let n = crate::services::units::add_members(
            &state.ctx,
            &admin.actor(),
            crate::domain::units::UnitKind::Group,
            group,
            users,
            None,
        )
        .await?;
        return Ok(redirect_with_flash(&back, &format!("bulk_added_{n}")));
    }
    let (kind, selection) = form.action_and_selection()?;
    let plan = match crate::services::tasks::plan_bulk(&state.ctx, &admin.actor(), kind, selection)
        .await
    {
        Ok(plan) => plan,
        Err(ServiceError::Refused(r)) => {
            return Ok(redirect_with_flash(&back, &refusal_flash(r)));
        }
        Err(e) => return Err(e.into()),
    };
    // Letters are made while the admin waits: a bounded number at once.
    if !kind.runs_as_task() && plan.affected.len() as i64 > crate::services::letters::MAX_LETTERS {
        let refusal = Refusal::TooManyAtOnce(crate::services::letters::MAX_LETTERS);
        return Ok(redirect_with_flash(&back, &refusal_flash(refusal)));
    }
    let view = confirm_view(
        &req,
        &state,
        &admin,
        &form,
        kind,
        &plan,
        back,
        Default::default(),
    );
    ok_html(&view)
}

#[allow(clippy::too_many_arguments)]
fn confirm_view(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    form: &BulkForm,
    kind: crate::domain::tasks::TaskKind,
    plan: &crate::domain::tasks::BulkPlan,
    back: String,
    errors: FieldErrors,
) -> crate::views::BulkConfirmView {
    crate::views::BulkConfirmView {
        p: admin.page(req, state, "users"),
        kind,
        affected: plan.affected.len() as i64,
        no_email: plan.no_email,
        wrong_status: plan.wrong_status,
        above_role: plan.above_role,
        yourself: plan.yourself,
        carried: form.carried(),
        fingerprint: plan.fingerprint(),
        notice: None,
        form_key: if form.form_key.is_empty() {
            crate::domain::token::random_secret()
        } else {
            form.form_key.clone()
        },
        send_date: form.send_date.clone(),
        send_time: form.send_time.clone(),
        errors,
        back,
    }
}

/// POST /users/bulk/run: the confirmed bulk action starts as a task.
pub async fn bulk_run(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_users() {
        return Err(crate::error::AppError::Forbidden);
    }
    let back = list_back(&form);
    let (kind, selection) = form.action_and_selection()?;
    // The confirmation page always carries its key: it makes a double
    // submit start one task.
    if form.form_key.is_empty() {
        return Err(crate::error::AppError::BadRequest(
            "bulk confirmation without form_key".into(),
        ));
    }
    let key = Some(form.form_key.clone());
    let send_at = match crate::domain::dates::parse_send_time(
        &form.send_date,
        &form.send_time,
        state.ctx.settings().time_zone,
        state.ctx.now(),
    ) {
        Ok(at) => at,
        Err((field, e)) => {
            let plan =
                crate::services::tasks::plan_bulk(&state.ctx, &admin.actor(), kind, selection)
                    .await?;
            let view = confirm_view(
                &req,
                &state,
                &admin,
                &form,
                kind,
                &plan,
                back,
                FieldErrors::single(field, e),
            );
            return crate::web::html(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let started = if kind.runs_as_task() {
        crate::services::tasks::start_bulk(
            &state.ctx,
            &admin.actor(),
            kind,
            selection.clone(),
            key,
            send_at,
            Some(form.confirmed.clone()),
        )
        .await
        .map(|id| {
            crate::web::tasks::kick(&state.ctx);
            crate::web::redirect(&format!("/tasks/{id}"))
        })
    } else {
        // "QR-Briefe drucken": made now, shown to this browser. The secret
        // comes from the confirmation's key and the session, so a repeated
        // submit (its first answer lost) gets the same one, and the letters.
        let seed = crate::domain::token::derive_secret(
            &state.ctx.secrets().csrf_key,
            "einlass letters print",
            &format!("{}\0{}", form.form_key, admin.session),
        );
        crate::services::letters::issue(
            &state.ctx,
            &admin.actor(),
            selection.clone(),
            Some(form.confirmed.clone()),
            &form.form_key,
            &seed,
            &admin.session,
        )
        .await
        .map(|id| crate::web::qr::to_letters(&state, id, &seed))
    };
    match started {
        Ok(res) => Ok(res),
        // Who it affects changed since the confirmation: show it as it is now.
        Err(ServiceError::Refused(crate::domain::Refusal::SelectionChanged)) => {
            let plan =
                crate::services::tasks::plan_bulk(&state.ctx, &admin.actor(), kind, selection)
                    .await?;
            let mut view = confirm_view(
                &req,
                &state,
                &admin,
                &form,
                kind,
                &plan,
                back,
                Default::default(),
            );
            view.notice = Some(
                admin
                    .page(&req, &state, "users")
                    .t
                    .refusal(crate::domain::Refusal::SelectionChanged),
            );
            crate::web::html(actix_web::http::StatusCode::CONFLICT, &view)
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&back, &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}
