//! E-Mail-Vorlagen: the overview, the editor, the preview (its own sandboxed
//! document, framed by the editor) and "Auf Standard zurücksetzen".

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::Language;
use crate::domain::mail::MailKind;
use crate::domain::templates::{MailText, TemplateErrors, escape_html};
use crate::error::{AppError, AppResult};
use crate::i18n::Catalogue;
use crate::services::templates;
use crate::views::{TemplateEditView, TemplatesView};
use crate::web::extract::{CsrfForm, CurrentAdmin};
use crate::web::{AppState, html, ok_html, redirect_with_flash};

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    let templates = templates::overview(&state.ctx, &admin.actor()).await?;
    ok_html(&TemplatesView {
        p: admin.page(&req, &state, "mail_log"),
        templates,
    })
}

/// The kind and language a path names; anything else is a 404.
fn named(path: &(String, String)) -> AppResult<(MailKind, Language)> {
    let kind: MailKind = path.0.parse().map_err(|_| AppError::NotFound)?;
    let lang = Language::parse(&path.1).ok_or(AppError::NotFound)?;
    if !kind.is_editable() {
        return Err(AppError::NotFound);
    }
    Ok((kind, lang))
}

fn path_of(kind: MailKind, lang: Language) -> String {
    format!("/mail/templates/{}/{}", kind.as_str(), lang.code())
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (kind, lang) = named(&path)?;
    let editor = templates::editor(&state.ctx, &admin.actor(), kind, lang).await?;
    ok_html(&TemplateEditView {
        p: admin.page(&req, &state, "mail_log"),
        kind,
        language: lang,
        subject: editor.text.subject,
        body: editor.text.body,
        errors: TemplateErrors::default(),
        edited: editor.edited,
    })
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> AppResult<HttpResponse> {
    let (kind, lang) = named(&path)?;
    let actor = admin.actor();
    match templates::save(&state.ctx, &actor, kind, lang, &form.subject, &form.body).await? {
        Ok(()) => Ok(redirect_with_flash(&path_of(kind, lang), "template_saved")),
        Err(errors) => {
            let editor = templates::editor(&state.ctx, &actor, kind, lang).await?;
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &TemplateEditView {
                    p: admin.page(&req, &state, "mail_log"),
                    kind,
                    language: lang,
                    subject: form.subject,
                    body: form.body,
                    errors,
                    edited: editor.edited,
                },
            )
        }
    }
}

pub async fn reset(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(String, String)>,
    _form: CsrfForm<crate::web::extract::NoFields>,
) -> AppResult<HttpResponse> {
    let (kind, lang) = named(&path)?;
    let done = templates::reset(&state.ctx, &admin.actor(), kind, lang).await?;
    Ok(redirect_with_flash(
        &path_of(kind, lang),
        if done {
            "template_reset_done"
        } else {
            "template_not_edited"
        },
    ))
}

/// The preview of the text in use (the editor's frame when it opens).
pub async fn preview_saved(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (kind, lang) = named(&path)?;
    let editor = templates::editor(&state.ctx, &admin.actor(), kind, lang).await?;
    Ok(preview_document(&req, &state, kind, lang, &editor.text))
}

/// The preview of the text in the form ("Vorschau"), not saved.
pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> AppResult<HttpResponse> {
    let (kind, lang) = named(&path)?;
    templates::editor(&state.ctx, &admin.actor(), kind, lang).await?;
    let text = MailText {
        subject: form.subject,
        body: form.body,
    };
    Ok(preview_document(&req, &state, kind, lang, &text))
}

/// Both parts of a rendered template in one sandboxed document: the subject,
/// the HTML part as sent, and the text part; or what is wrong with it.
fn preview_document(
    req: &HttpRequest,
    state: &AppState,
    kind: MailKind,
    lang: Language,
    text: &MailText,
) -> HttpResponse {
    let t = crate::web::extract::request_lang(req, state).texts();
    let body = match templates::preview(&state.ctx, kind, lang, text) {
        Ok(r) => {
            let head = format!(
                "<div style=\"font:14px Arial,Helvetica,sans-serif;padding:8px 12px;background:#ffffff;border-bottom:1px solid #d0d7de\"><strong>{}:</strong> {}</div>",
                escape_html(t.mail_subject),
                escape_html(&r.subject)
            );
            let tail = format!(
                "<div style=\"font:14px Arial,Helvetica,sans-serif;padding:8px 12px;background:#ffffff;border-top:1px solid #d0d7de\"><strong>{}</strong><pre style=\"white-space:pre-wrap;font:13px monospace\">{}</pre></div>",
                escape_html(t.template_text_part),
                escape_html(&r.text)
            );
            match r.html.find("<body") {
                Some(at) => {
                    let open_end = at + r.html[at..].find('>').map_or(0, |i| i + 1);
                    let close = r.html.rfind("</body>").unwrap_or(r.html.len());
                    format!(
                        "{}{head}{}{tail}{}",
                        &r.html[..open_end],
                        &r.html[open_end..close],
                        &r.html[close..]
                    )
                }
                None => format!("{head}{}{tail}", r.html),
            }
        }
        Err(errors) => {
            let items: String = [
                (t.mail_subject, &errors.subject),
                (t.template_body, &errors.body),
            ]
            .into_iter()
            .filter_map(|(field, e)| {
                e.as_ref().map(|e| {
                    format!(
                        "<li>{}: {}</li>",
                        escape_html(field),
                        escape_html(&t.template_error(kind, e))
                    )
                })
            })
            .collect();
            format!(
                "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font:15px Arial,Helvetica,sans-serif;color:#8a1c1c;padding:12px\"><ul>{items}</ul></body></html>",
                t.html_lang,
                escape_html(t.template_preview_title)
            )
        }
    };
    crate::web::mail::framed_mail_html(body)
}
