//! /imports: upload a spreadsheet, choose its sheet, map its columns, look
//! at the preview, commit, invite, undo; the template and the refused rows
//! as .xlsx downloads.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::Refusal;
use crate::domain::import::{BatchState, ImportMode, Outcome};
use crate::error::AppResult;
use crate::services::ServiceError;
use crate::services::imports::{
    self as service, Committed, PreviewOption, SheetChoice, Undone, Upload,
};
use crate::spreadsheet::ReadError;
use crate::views::imports::{
    ImportBatchView, ImportMappingView, ImportPreviewView, ImportSheetView, ImportUndoView,
    ImportsView,
};
use crate::web::extract::{CsrfForm, CsrfMultipart, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, html, ok_html, redirect, redirect_with_flash};

fn batch_url(id: i64) -> String {
    format!("/imports/{id}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HistoryQuery {
    before: String,
}

/// GET /imports: the upload form and the import history.
pub async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: super::extract::Query<HistoryQuery>,
) -> AppResult<HttpResponse> {
    index_page(
        &req,
        &state,
        &admin,
        q.before.trim().parse().ok(),
        None,
        "create",
    )
    .await
}

async fn index_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    before: Option<i64>,
    error: Option<&ReadError>,
    mode: &str,
) -> AppResult<HttpResponse> {
    let (batches, older) = service::history(&state.ctx, &admin.actor(), before).await?;
    let p = admin.page(req, state, "users");
    let error = error.map(|e| p.t.read_error(e));
    let config = &state.ctx.config().import;
    let view = ImportsView {
        p,
        batches,
        older,
        mode: mode.to_owned(),
        max_mb: config.max_mb,
        max_rows: config.max_rows,
        error,
    };
    crate::web::form_html(view.error.is_some(), &view)
}

/// POST /imports: reads the file; the next step, or the form with why not.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    mut form: CsrfMultipart,
) -> AppResult<HttpResponse> {
    let mode_text = form
        .text
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // Only the form's own choices (none: a new import).
    let mode = match ImportMode::parse(&mode_text) {
        Some(mode) => mode,
        None if mode_text.is_empty() => ImportMode::Create,
        None => {
            return Err(crate::error::AppError::BadRequest(
                "unknown import mode".into(),
            ));
        }
    };
    let max = state.ctx.config().import.max_bytes();
    let result = match form.take_file("file") {
        Some(f) if f.oversized => Ok(Err(ReadError::TooLarge(max))),
        Some(f) if f.bytes.is_empty() && f.file_name.is_empty() => Ok(Err(ReadError::NoFile)),
        Some(f) => {
            service::upload(
                &state.ctx,
                &admin.actor(),
                Upload {
                    file_name: f.file_name,
                    bytes: f.bytes,
                    mode,
                },
            )
            .await
        }
        None => Ok(Err(ReadError::NoFile)),
    };
    match result? {
        Ok((id, _)) => Ok(redirect(&batch_url(id))),
        Err(e) => {
            if let ReadError::ReaderFailed(why) = &e {
                tracing::error!(error = %why, "spreadsheet reader failed");
            }
            index_page(&req, &state, &admin, None, Some(&e), mode.as_str()).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateQuery {
    lang: String,
}

/// GET /imports/template.xlsx: the template (German, or `?lang=en`).
pub async fn template(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: super::extract::Query<TemplateQuery>,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_users() {
        return Err(crate::error::AppError::Forbidden);
    }
    let lang = crate::i18n::Lang::parse(&q.lang).unwrap_or(state.ctx.settings().default_language);
    let bytes = state
        .ctx
        .cpu(move || service::template_xlsx(lang))
        .await?
        .map_err(crate::error::AppError::Internal)?;
    let name = match lang {
        crate::i18n::Lang::De => "Einlass-Importvorlage.xlsx",
        crate::i18n::Lang::En => "Einlass-import-template.xlsx",
    };
    Ok(xlsx_download(name, bytes))
}

/// A spreadsheet as a download under this name.
pub fn xlsx_download(name: &str, bytes: Vec<u8>) -> HttpResponse {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ))
        .body(bytes)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    outcome: String,
    after: String,
}

/// GET /imports/{id}: the step the batch is at, or what it did.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    q: super::extract::Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let id = *id;
    let batch = service::batch(&state.ctx, &admin.actor(), id).await?;
    match batch.state {
        BatchState::Datei => sheet_page(&req, &state, &admin, id, None).await,
        BatchState::Zuordnung => mapping_page(&req, &state, &admin, id, false).await,
        BatchState::Vorschau => {
            let outcome = Outcome::parse(&q.outcome);
            let after = q.after.trim().parse().unwrap_or(0);
            let preview = service::preview(&state.ctx, &admin.actor(), id, outcome, after).await?;
            // Past the last row (an old or hand-made link): the first page
            // of the same rows, not an empty table.
            if preview.rows.is_empty() && after > 0 {
                let narrowed = match outcome {
                    Some(o) => format!("?outcome={}", o.as_str()),
                    None => String::new(),
                };
                return Ok(super::redirect(&format!("/imports/{id}{narrowed}")));
            }
            ok_html(&ImportPreviewView {
                p: admin.page(&req, &state, "users"),
                preview,
                notice: None,
            })
        }
        BatchState::Verworfen => Ok(redirect_with_flash("/imports", "import_discarded")),
        _ => {
            let not_invited = service::not_invited(&state.ctx, &admin.actor(), id).await?;
            ok_html(&ImportBatchView {
                p: admin.page(&req, &state, "users"),
                batch,
                not_invited,
            })
        }
    }
}

async fn sheet_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
    error: Option<&ReadError>,
) -> AppResult<HttpResponse> {
    let found = service::sheets(&state.ctx, &admin.actor(), id).await?;
    sheet_view(req, state, admin, found, error)
}

fn sheet_view(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    (batch, sheets): (
        crate::domain::import::ImportBatch,
        Vec<crate::spreadsheet::Sheet>,
    ),
    error: Option<&ReadError>,
) -> AppResult<HttpResponse> {
    let p = admin.page(req, state, "users");
    let error = error.map(|e| match e {
        // The file has content (it was read): the sheet chosen has none.
        ReadError::Empty => p.t.import_sheet_is_empty.to_owned(),
        e => p.t.read_error(e),
    });
    let chosen = batch.sheet_name.clone().unwrap_or_default();
    let view = ImportSheetView {
        p,
        batch,
        sheets,
        chosen,
        error,
    };
    crate::web::form_html(view.error.is_some(), &view)
}

async fn mapping_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
    shown_problems: bool,
) -> AppResult<HttpResponse> {
    let page = service::mapping_page(&state.ctx, &admin.actor(), id).await?;
    ok_html(&ImportMappingView {
        p: admin.page(req, state, "users"),
        page,
        shown_problems,
    })
}

/// GET /imports/{id}/mapping: change the mapping of a preview.
pub async fn mapping_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = *id;
    match service::mapping_page(&state.ctx, &admin.actor(), id).await {
        Ok(page) => ok_html(&ImportMappingView {
            p: admin.page(&req, &state, "users"),
            page,
            shown_problems: false,
        }),
        // A batch past its preview: what it did.
        Err(ServiceError::Refused(_)) => Ok(redirect(&batch_url(id))),
        Err(e) => Err(e.into()),
    }
}

/// GET /imports/{id}/sheet: choose another sheet of the file.
pub async fn sheet_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = *id;
    match service::sheets(&state.ctx, &admin.actor(), id).await {
        Ok(found) => sheet_view(&req, &state, &admin, found, None),
        // A file of one sheet, or a batch past its preview.
        Err(ServiceError::Refused(_)) => Ok(redirect(&batch_url(id))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct SheetForm {
    /// The sheet's place on the page (what the page posts)...
    #[serde(default)]
    index: Option<String>,
    /// ...or its name.
    #[serde(default)]
    sheet: String,
}

/// POST /imports/{id}/sheet
pub async fn choose_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<SheetForm>,
) -> AppResult<HttpResponse> {
    let id = *id;
    let choice = match form.index {
        // Not a place on the page: no sheet (the page says so).
        Some(i) => SheetChoice::Index(i.trim().parse().unwrap_or(usize::MAX)),
        None => SheetChoice::Name(form.sheet),
    };
    match service::choose_sheet(&state.ctx, &admin.actor(), id, choice).await {
        Ok(Ok(_)) => Ok(redirect(&batch_url(id))),
        Ok(Err(e)) => sheet_page(&req, &state, &admin, id, Some(&e)).await,
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&batch_url(id), &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}

/// POST /imports/{id}/mapping: `header_line` and `col0`, `col1`, … (a
/// field key each, or empty).
pub async fn set_mapping(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let id = *id;
    // Empty is "no title row"; anything but a row number was not offered.
    let header = match form.get("header_line").map(|l| l.trim()) {
        None | Some("") => None,
        Some(l) => Some(l.parse::<u32>().map_err(|_| {
            crate::error::AppError::BadRequest("header_line is no row number".into())
        })?),
    };
    let mut columns: Vec<Option<String>> = Vec::new();
    for (k, v) in &form {
        if let Some(c) = k.strip_prefix("col").and_then(|c| c.parse::<usize>().ok()) {
            // No file has that many columns (the reader stops far below).
            if c >= 1024 {
                return Err(crate::error::AppError::BadRequest(
                    "mapping names a column the file does not have".into(),
                ));
            }
            if columns.len() <= c {
                columns.resize(c + 1, None);
            }
            columns[c] = Some(v.clone()).filter(|v| !v.is_empty());
        }
    }
    // The batch's version the page showed (a page of another sheet or
    // mapping is refused); not a number is no version of it.
    let version = form
        .get("version")
        .map(|v| v.trim().parse::<i32>().unwrap_or(-1));
    match service::set_mapping(&state.ctx, &admin.actor(), id, header, columns, version).await {
        Ok(Ok(_)) => Ok(redirect(&batch_url(id))),
        Ok(Err(page)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportMappingView {
                p: admin.page(&req, &state, "users"),
                page,
                shown_problems: true,
            },
        ),
        // A page of an older version (the back button, another tab): the
        // current preview, saying so; a batch waiting for its mapping again
        // (another sheet) answers that someone changed it.
        Err(ServiceError::Refused(Refusal::ImportOlderPage)) => {
            if service::batch(&state.ctx, &admin.actor(), id).await?.state != BatchState::Vorschau {
                return Err(ServiceError::Changed.into());
            }
            let preview = service::preview(&state.ctx, &admin.actor(), id, None, 0).await?;
            let p = admin.page(&req, &state, "users");
            let notice = Some(p.t.import_older_mapping.to_owned());
            html(
                StatusCode::CONFLICT,
                &ImportPreviewView { p, preview, notice },
            )
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&batch_url(id), &refusal_flash(r))),
        // A row, column or field the page did not offer (a forged form).
        Err(ServiceError::Invalid(_)) => Err(crate::error::AppError::BadRequest(
            "mapping names a row, column or field the file does not have".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct UnitsForm {
    #[serde(default)]
    create: String,
}

/// POST /imports/{id}/units: create missing groups and areas, or not.
pub async fn set_units(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<UnitsForm>,
) -> AppResult<HttpResponse> {
    set_option(
        &state,
        &admin,
        *id,
        PreviewOption::CreateMissingUnits(form.create == "1"),
    )
    .await
}

/// Sets an option of a preview; then the batch at its step (a batch past
/// its preview, or waiting for a mapping, shows that).
async fn set_option(
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
    option: PreviewOption,
) -> AppResult<HttpResponse> {
    match service::set_option(&state.ctx, &admin.actor(), id, option).await {
        Ok(_) => Ok(redirect(&batch_url(id))),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&batch_url(id), &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct HiddenForm {
    #[serde(default)]
    skip: String,
}

/// POST /imports/{id}/hidden: leave the rows the file hides out, or not.
pub async fn set_hidden(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<HiddenForm>,
) -> AppResult<HttpResponse> {
    set_option(
        &state,
        &admin,
        *id,
        PreviewOption::SkipHidden(form.skip == "1"),
    )
    .await
}

#[derive(Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    version: String,
}

/// POST /imports/{id}/commit: every importable row, or nothing.
pub async fn commit(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<CommitForm>,
) -> AppResult<HttpResponse> {
    let id = *id;
    let version = form.version.trim().parse::<i32>().unwrap_or(-1);
    match service::commit(&state.ctx, &admin.actor(), id, version).await {
        Ok(Committed::Done { .. }) => Ok(redirect_with_flash(&batch_url(id), "import_done")),
        // A second submit, or another admin's commit first: it is done.
        Ok(Committed::Earlier) => Ok(redirect_with_flash(&batch_url(id), "import_done")),
        Ok(outcome @ (Committed::Stale { .. } | Committed::OlderPage)) => {
            let preview = service::preview(&state.ctx, &admin.actor(), id, None, 0).await?;
            let p = admin.page(&req, &state, "users");
            let notice = Some(match outcome {
                Committed::Stale { lines, count } => p.t.import_stale_lines(&lines, count),
                _ => p.t.import_older_page.to_owned(),
            });
            html(
                StatusCode::CONFLICT,
                &ImportPreviewView { p, preview, notice },
            )
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&batch_url(id), &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}

/// POST /imports/{id}/discard
pub async fn discard(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    match service::discard(&state.ctx, &admin.actor(), *id).await {
        Ok(()) => Ok(redirect_with_flash("/imports", "import_discarded")),
        Err(ServiceError::Refused(r)) => {
            Ok(redirect_with_flash(&batch_url(*id), &refusal_flash(r)))
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /imports/{id}/errors.xlsx: the refused rows with their reasons.
pub async fn errors(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let lang = admin.page(&req, &state, "users").lang;
    let (name, bytes) = service::errors_xlsx(&state.ctx, &admin.actor(), *id, lang).await?;
    Ok(xlsx_download(&name, bytes))
}

/// GET /imports/{id}/undo: who goes and who stays.
pub async fn undo_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let plan = service::undo_plan(&state.ctx, &admin.actor(), *id).await?;
    ok_html(&ImportUndoView {
        p: admin.page(&req, &state, "users"),
        plan,
        changed: None,
    })
}

#[derive(Deserialize)]
pub struct UndoForm {
    #[serde(default)]
    rest: String,
    /// The newest change to the batch's people the page showed (absent: as
    /// if it knew of none).
    #[serde(default)]
    seen: String,
}

/// POST /imports/{id}/undo
pub async fn undo(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<UndoForm>,
) -> AppResult<HttpResponse> {
    let id = *id;
    let seen = form.seen.trim().parse::<i64>().unwrap_or(0);
    let undone = service::undo(&state.ctx, &admin.actor(), id, form.rest == "1", seen).await;
    let p = admin.page(&req, &state, "users");
    // Someone activated, or was changed, since the page was shown: the
    // page again, as it is now.
    let changed = match undone {
        Ok(Undone::Done { .. }) => {
            return Ok(redirect_with_flash(&batch_url(id), "import_undone"));
        }
        Ok(Undone::NeedsConsent) => p.t.import_undo_changed,
        Ok(Undone::ChangedSince) => p.t.import_undo_edited,
        Err(ServiceError::Refused(r)) => {
            return Ok(redirect_with_flash(&batch_url(id), &refusal_flash(r)));
        }
        Err(e) => return Err(e.into()),
    };
    let plan = service::undo_plan(&state.ctx, &admin.actor(), id).await?;
    html(
        StatusCode::CONFLICT,
        &ImportUndoView {
            p,
            plan,
            changed: Some(changed),
        },
    )
}
