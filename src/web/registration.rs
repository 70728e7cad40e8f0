//! /registration — the whitelist (criteria, entries, imports) for admins;
//! /register — the public registration page people use with it.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::registration::{Criterion, EntryInput};
use crate::domain::{FieldErrors, UnitId, UserType};
use crate::error::{AppError, AppResult};
use crate::services::registration::{self as service, ImportStart, Registered};
use crate::services::{ServiceError, require_user_management};
use crate::spreadsheet::ReadError;
use crate::views::forms::{EntryForm, RegisterForm};
use crate::views::{RegisterView, WhitelistImportView, WhitelistView};
use crate::web::client::client_key;
use crate::web::extract::{CsrfForm, CsrfMultipart, CurrentAdmin, NoFields, public_page};
use crate::web::{AppState, html, ok_html, redirect, redirect_with_flash};

/// The registration answers no sooner than this, match or not.
const REGISTER_FLOOR: Duration = Duration::from_millis(300);

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    page: String,
    /// `ambiguous`: only the entries the criteria cannot tell apart.
    show: String,
}

struct Shown {
    entry: EntryForm,
    errors: FieldErrors,
    criteria_error: Option<String>,
    criteria_asked: Option<Vec<Criterion>>,
    import_error: Option<String>,
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    q: &str,
    page_no: i64,
    only_ambiguous: bool,
    shown: Shown,
) -> AppResult<HttpResponse> {
    let list = match service::whitelist(&state.ctx, q, page_no, only_ambiguous).await {
        Ok(list) => list,
        // A search with control characters: the list without it.
        Err(ServiceError::Invalid(_)) => service::whitelist(&state.ctx, "", 1, false).await?,
        Err(e) => return Err(e.into()),
    };
    let status = if shown.errors.is_empty()
        && shown.criteria_error.is_none()
        && shown.import_error.is_none()
    {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &WhitelistView {
            p: admin.page(req, state, "registration"),
            list,
            q: q.to_owned(),
            entry: shown.entry,
            errors: shown.errors,
            criteria_error: shown.criteria_error,
            criteria_asked: shown.criteria_asked,
            import_error: shown.import_error,
            groups: state.ctx.units().groups.clone(),
            may_set_criteria: admin.admin.role.may_manage_settings(),
        },
    )
}

fn fresh() -> Shown {
    Shown {
        entry: EntryForm {
            user_type: "mitarbeiter".into(),
            ..Default::default()
        },
        errors: FieldErrors::default(),
        criteria_error: None,
        criteria_asked: None,
        import_error: None,
    }
}

/// GET /registration
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    query: super::extract::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page_no = super::commands::page_number(&query.page);
    let only_ambiguous = query.show == "ambiguous";
    page(
        &req,
        &state,
        &admin,
        &query.q,
        page_no,
        only_ambiguous,
        fresh(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CriteriaForm {
    criterion: Vec<String>,
}

/// POST /registration/criteria (Administrators)
pub async fn set_criteria(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<CriteriaForm>,
) -> AppResult<HttpResponse> {
    let mut chosen = Vec::new();
    for key in &form.criterion {
        match Criterion::ALL.into_iter().find(|c| c.key() == key) {
            Some(c) => chosen.push(c),
            None => return Err(AppError::BadRequest("unknown criterion".into())),
        }
    }
    match service::set_criteria(&state.ctx, &admin.actor(), chosen.clone()).await {
        Ok(()) => Ok(redirect_with_flash("/registration", "wl_criteria_saved")),
        Err(ServiceError::Invalid(errors)) => {
            let p = admin.page(&req, &state, "registration");
            let shown = Shown {
                criteria_error: errors.iter().next().map(|(_, e)| p.t.field_error(e)),
                criteria_asked: Some(chosen),
                ..fresh()
            };
            page(&req, &state, &admin, "", 1, false, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /registration/entries
pub async fn add_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> AppResult<HttpResponse> {
    require_user_management(&admin.actor())?;
    let mut errors = FieldErrors::default();
    let user_type = match form.user_type.trim() {
        "" => None,
        v => errors.take(
            "user_type",
            v.parse::<UserType>()
                .map_err(|_| crate::domain::FieldError::InvalidChoice),
        ),
    };
    let group = match form.group.trim() {
        "" => None,
        v => errors.take(
            "group",
            v.parse::<UnitId>()
                .map_err(|_| crate::domain::FieldError::InvalidChoice),
        ),
    };
    let input = EntryInput {
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        personnel_number: form.personnel_number.clone(),
        birth_date: form.birth_date.clone(),
        user_type,
        group,
    };
    let result = if errors.is_empty() {
        service::add_entry(&state.ctx, &admin.actor(), input).await
    } else {
        Err(ServiceError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(redirect_with_flash("/registration", "wl_added")),
        Err(ServiceError::Invalid(errors)) => {
            let shown = Shown {
                entry: form,
                errors,
                ..fresh()
            };
            page(&req, &state, &admin, "", 1, false, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /registration/entries/{id}/delete
pub async fn delete_entry(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let deleted = service::delete_entry(&state.ctx, &admin.actor(), id.into_inner()).await?;
    Ok(redirect_with_flash(
        "/registration",
        if deleted {
            "wl_deleted"
        } else {
            "wl_not_deleted"
        },
    ))
}

/// POST /registration/imports: reads the file, stages its preview.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    mut form: CsrfMultipart,
) -> AppResult<HttpResponse> {
    require_user_management(&admin.actor())?;
    let max = state.ctx.config().import.max_bytes();
    let started = match form.take_file("file") {
        Some(f) if f.oversized => ImportStart::Unreadable(ReadError::TooLarge(max)),
        Some(f) if f.bytes.is_empty() && f.file_name.is_empty() => {
            ImportStart::Unreadable(ReadError::NoFile)
        }
        Some(f) => {
            service::import_upload(&state.ctx, &admin.actor(), &f.file_name, f.bytes).await?
        }
        None => ImportStart::Unreadable(ReadError::NoFile),
    };
    let p = admin.page(&req, &state, "registration");
    let error = match started {
        ImportStart::Staged(id) => return Ok(redirect(&format!("/registration/imports/{id}"))),
        ImportStart::Unreadable(e) => {
            if let ReadError::ReaderFailed(why) = &e {
                tracing::error!(error = %why, "spreadsheet reader failed");
            }
            p.t.read_error(&e)
        }
    };
    let shown = Shown {
        import_error: Some(error),
        ..fresh()
    };
    page(&req, &state, &admin, "", 1, false, shown).await
}

/// GET /registration/imports/{id}
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let preview = service::import_preview(&state.ctx, &admin.actor(), id.into_inner()).await?;
    ok_html(&WhitelistImportView {
        p: admin.page(&req, &state, "registration"),
        preview,
        mapping_error: None,
        groups: state.ctx.units().groups.clone(),
    })
}

fn import_path(id: i64) -> String {
    format!("/registration/imports/{id}")
}

/// POST /registration/imports/{id}/mapping: the field each column feeds
/// (`col` repeated, in column order).
pub async fn map(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<MappingForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    match service::map_import(&state.ctx, &admin.actor(), id, form.col).await {
        Ok(Ok(())) => Ok(redirect(&import_path(id))),
        Ok(Err(problems)) => {
            let mut preview = service::import_preview(&state.ctx, &admin.actor(), id).await?;
            let p = admin.page(&req, &state, "registration");
            let missing = problems
                .iter()
                .map(|k| field_name(&p, k))
                .collect::<Vec<_>>()
                .join(", ");
            let error = Some(format!("{} {missing}.", p.t.wl_mapping_problem));
            if preview.mapping.is_none() {
                return Ok(redirect(&import_path(id)));
            }
            preview.import.state = "zuordnung".into();
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &WhitelistImportView {
                    p,
                    preview,
                    mapping_error: error,
                    groups: state.ctx.units().groups.clone(),
                },
            )
        }
        Err(ServiceError::Refused(_)) => Ok(redirect(&import_path(id))),
        Err(ServiceError::Invalid(_)) => Err(AppError::BadRequest("mapping".into())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MappingForm {
    col: Vec<String>,
}

fn field_name(p: &crate::views::Page, key: &str) -> String {
    if key == "birth_date" {
        p.t.field_birth_date.to_owned()
    } else if key == "group" {
        p.t.field_group.to_owned()
    } else {
        p.t.field_label(key).to_owned()
    }
}

/// POST /registration/imports/{id}/commit
pub async fn commit(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    match service::import_commit(&state.ctx, &admin.actor(), id).await {
        // Also when taken over already (a double submit, a second tab).
        Ok(_) => Ok(redirect_with_flash(&import_path(id), "wl_imported")),
        Err(ServiceError::Refused(crate::domain::Refusal::SelectionChanged)) => {
            Ok(redirect_with_flash(&import_path(id), "wl_import_changed"))
        }
        // Discarded or undone since: the page's state says which.
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &import_path(id),
            &super::extract::refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
}

/// POST /registration/imports/{id}/discard
pub async fn discard(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    service::import_discard(&state.ctx, &admin.actor(), id).await?;
    Ok(redirect_with_flash(&import_path(id), "wl_import_discarded"))
}

/// POST /registration/imports/{id}/undo
pub async fn undo(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    match service::import_undo(&state.ctx, &admin.actor(), id).await {
        // Every entry used already: nothing was taken off the list.
        Ok((0, _)) => Ok(redirect_with_flash(
            &import_path(id),
            "wl_import_undone_nothing",
        )),
        Ok(_) => Ok(redirect_with_flash(&import_path(id), "wl_import_undone")),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(
            &import_path(id),
            &crate::web::extract::refusal_flash(r),
        )),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ public

/// What the registration page says above the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Alert {
    None,
    NoMatch,
}

fn register_page(
    req: &HttpRequest,
    state: &AppState,
    input: RegisterForm,
    errors: FieldErrors,
    alert: Alert,
) -> AppResult<HttpResponse> {
    let no_match = alert == Alert::NoMatch;
    let status = if errors.is_empty() && alert == Alert::None {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let password_dropped =
        !input.password.is_empty() && (alert != Alert::None || !errors.is_empty());
    html(
        status,
        &RegisterView {
            p: public_page(req, state, "register"),
            criteria: state.ctx.settings().registration_criteria.clone(),
            input: RegisterForm {
                password: String::new(),
                password_repeat: String::new(),
                ..input
            },
            errors,
            no_match,
            password_dropped,
        },
    )
}

/// GET /register
pub async fn register_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    register_page(
        &req,
        &state,
        RegisterForm::default(),
        FieldErrors::default(),
        Alert::None,
    )
}

/// POST /register: a match makes the account and signs in; a mismatch,
/// whatever its cause, gets the same message, status and (at least) time.
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> AppResult<HttpResponse> {
    let started = Instant::now();
    let client = client_key(&req, &state.proxies);
    // The account's own fields are checked first: their errors say nothing
    // about the list.
    let mut errors = FieldErrors::default();
    let account = form.account().parse_into(&mut errors);
    let criteria = state.ctx.settings().registration_criteria.clone();
    if let Err(e) = form.probe().parse(
        &criteria,
        crate::domain::dates::local_today(state.ctx.now(), state.ctx.settings().time_zone),
    ) {
        errors.extend(e);
    }
    let (Some(account), true) = (account, errors.is_empty()) else {
        return register_page(&req, &state, form, errors, Alert::None);
    };
    let result = service::register(&state.ctx, &form.probe(), account, &client).await;
    let elapsed = started.elapsed();
    if !matches!(result, Ok(Registered::In(..))) && elapsed < REGISTER_FLOOR {
        tokio::time::sleep(REGISTER_FLOOR - elapsed).await;
    }
    match result {
        Ok(Registered::In(_, session)) => {
            Ok(super::account::signed_in(&state, "/welcome", session))
        }
        Ok(Registered::NoMatch) => {
            register_page(&req, &state, form, FieldErrors::default(), Alert::NoMatch)
        }
        Ok(Registered::Throttled) => {
            let p = public_page(&req, &state, "register");
            let t = p.t;
            let mut res = html(
                StatusCode::TOO_MANY_REQUESTS,
                &crate::views::ErrorView {
                    p,
                    title: t.register_title,
                    text: t.register_throttled,
                    signed_in: super::extract::has_session(&req),
                },
            )?;
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("3600"),
            );
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            register_page(&req, &state, form, errors, Alert::None)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ requests

/// "Zugang anfragen" answers no sooner than this, whatever happened (a
/// taken address makes nothing and must not answer faster).
const REQUEST_FLOOR: Duration = Duration::from_millis(400);

fn request_page(
    req: &HttpRequest,
    state: &AppState,
    input: crate::views::forms::RequestForm,
    errors: FieldErrors,
    sent: bool,
) -> AppResult<HttpResponse> {
    if !state.ctx.settings().open_registration {
        let p = public_page(req, state, "request");
        let t = p.t;
        return html(
            StatusCode::NOT_FOUND,
            &crate::views::ErrorView {
                p,
                title: t.request_closed_title,
                text: t.request_closed_text,
                signed_in: super::extract::has_session(req),
            },
        );
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let password_dropped = !errors.is_empty() && !input.password.is_empty();
    html(
        status,
        &crate::views::RequestView {
            p: public_page(req, state, "request"),
            input: crate::views::forms::RequestForm {
                password: String::new(),
                password_repeat: String::new(),
                ..input
            },
            errors,
            sent,
            password_dropped,
        },
    )
}

/// GET /request-access
pub async fn request_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    request_page(
        &req,
        &state,
        Default::default(),
        FieldErrors::default(),
        false,
    )
}

/// POST /request-access: the same answer, after the same time, whether or
/// not the address has an account.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<crate::views::forms::RequestForm>,
) -> AppResult<HttpResponse> {
    use crate::services::access_requests::{self as requests, Asked, NewRequest};
    if !state.ctx.settings().open_registration {
        return request_page(&req, &state, form, FieldErrors::default(), false);
    }
    let started = Instant::now();
    let mut errors = FieldErrors::default();
    let first = errors.take(
        "first_name",
        crate::domain::PersonName::parse(&form.first_name),
    );
    let last = errors.take(
        "last_name",
        crate::domain::PersonName::parse(&form.last_name),
    );
    let message = errors.take(
        "message",
        crate::domain::settings::parse_long_text(&form.message, 500),
    );
    let account = form.account().parse_into(&mut errors);
    // With an address the username is proposed, never chosen: a chosen
    // name that an account creates (or not) would tell whether the
    // address has an account already.
    if !form.email.trim().is_empty() && !form.username.trim().is_empty() {
        errors.add("username", crate::domain::FieldError::UsernameWithEmail);
    }
    let (Some(first_name), Some(last_name), Some(message), Some(account), true) =
        (first, last, message, account, errors.is_empty())
    else {
        return request_page(&req, &state, form, errors, false);
    };
    let client = client_key(&req, &state.proxies);
    let result = requests::request(
        &state.ctx,
        NewRequest {
            first_name,
            last_name,
            account,
            message,
        },
        &client,
    )
    .await;
    let elapsed = started.elapsed();
    if elapsed < REQUEST_FLOOR {
        tokio::time::sleep(REQUEST_FLOOR - elapsed).await;
    }
    match result {
        Ok(Asked::Received) => request_page(&req, &state, form, FieldErrors::default(), true),
        Ok(Asked::Throttled) => {
            let p = public_page(&req, &state, "request");
            let t = p.t;
            html(
                StatusCode::TOO_MANY_REQUESTS,
                &crate::views::ErrorView {
                    p,
                    title: t.request_title,
                    text: t.request_throttled,
                    signed_in: super::extract::has_session(&req),
                },
            )
        }
        Err(ServiceError::Invalid(errors)) => request_page(&req, &state, form, errors, false),
        Err(e) => Err(e.into()),
    }
}
