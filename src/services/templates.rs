//! The mail templates: what the admins see and edit ("E-Mail-Vorlagen"),
//! the preview with sample data, and "Auf Standard zurücksetzen". Saved texts
//! take effect for every message rendered afterwards (an invitation
//! scheduled for later is rendered when it goes out).

use time::PrimitiveDateTime;

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::Language;
use crate::domain::audit::Change;
use crate::domain::mail::{LINK_MARK, MailKind};
use crate::domain::templates::{
    self, EDITABLE, Frame, MailText, MailTexts, MailVars, Rendered, TemplateErrors, TemplateSummary,
};
use crate::i18n::Catalogue;
use crate::models::mail_template::{self, TemplateRow};
use crate::services::audit::{self, Target};
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// The edited texts, as the cache holds them.
pub fn load(conn: &mut DbConn) -> diesel::QueryResult<MailTexts> {
    Ok(MailTexts::new(
        mail_template::all(conn)?.into_iter().filter_map(|r| {
            Some((
                r.kind,
                Language::parse(&r.language)?,
                MailText {
                    subject: r.subject,
                    body: r.body,
                },
            ))
        }),
    ))
}

/// Picks up texts saved by another instance.
pub async fn reload(ctx: &Context) -> ServiceResult<()> {
    let texts = ctx
        .db()
        .run(|conn| -> ServiceResult<_> { Ok(load(conn)?) })
        .await?;
    ctx.set_mail_texts(texts);
    Ok(())
}

/// Every editable kind in both languages.
pub async fn overview(ctx: &Context, actor: &Actor) -> ServiceResult<Vec<TemplateSummary>> {
    require_user_management(actor)?;
    let rows = ctx
        .db()
        .run(|conn| -> ServiceResult<_> { Ok(mail_template::all(conn)?) })
        .await?;
    let mut out = Vec::new();
    for kind in EDITABLE {
        for language in Language::ALL {
            let row = rows
                .iter()
                .find(|r| r.kind == kind && r.language == language.code());
            out.push(TemplateSummary {
                kind,
                language,
                subject: row.map_or_else(
                    || templates::shipped(kind, language).subject,
                    |r| r.subject.clone(),
                ),
                edited: row.map(|r| (r.updated_at, r.updated_by.clone())),
            });
        }
    }
    Ok(out)
}

/// A template for the editor: the text in use and whether it was edited.
#[derive(Clone, Debug)]
pub struct TemplateEditor {
    pub kind: MailKind,
    pub language: Language,
    pub text: MailText,
    pub edited: Option<(PrimitiveDateTime, String)>,
}

fn editable(kind: MailKind) -> ServiceResult<()> {
    if kind.is_editable() {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

pub async fn editor(
    ctx: &Context,
    actor: &Actor,
    kind: MailKind,
    language: Language,
) -> ServiceResult<TemplateEditor> {
    require_user_management(actor)?;
    editable(kind)?;
    let row = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            Ok(mail_template::find(conn, kind, language.code())?)
        })
        .await?;
    Ok(TemplateEditor {
        kind,
        language,
        edited: row.as_ref().map(|r| (r.updated_at, r.updated_by.clone())),
        text: row.map_or_else(
            || templates::shipped(kind, language),
            |r| MailText {
                subject: r.subject,
                body: r.body,
            },
        ),
    })
}

/// Saves an edited text (checked first; nothing is written if it fails),
/// audited with what changed.
pub async fn save(
    ctx: &Context,
    actor: &Actor,
    kind: MailKind,
    language: Language,
    subject: &str,
    body: &str,
) -> ServiceResult<Result<(), TemplateErrors>> {
    require_user_management(actor)?;
    editable(kind)?;
    let text = match templates::check(kind, subject, body) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                let before = mail_template::find(conn, kind, language.code())?
                    .map(|r| MailText {
                        subject: r.subject,
                        body: r.body,
                    })
                    .unwrap_or_else(|| templates::shipped(kind, language));
                if before == text {
                    return Ok(());
                }
                mail_template::save(
                    conn,
                    &TemplateRow {
                        kind,
                        language: language.code().to_owned(),
                        subject: text.subject.clone(),
                        body: text.body.clone(),
                        updated_at: now,
                        updated_by: actor.label.clone(),
                    },
                )?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "mail.template_save",
                    Some(template_target(kind, language)),
                    &[
                        Change::new("subject", &before.subject, &text.subject),
                        Change::new("body", &before.body, &text.body),
                    ],
                )?;
                Ok(())
            })
        })
        .await?;
    reload(ctx).await?;
    Ok(Ok(()))
}

/// "Auf Standard zurücksetzen": the shipped text again (audited). `false`
/// if it was not edited.
pub async fn reset(
    ctx: &Context,
    actor: &Actor,
    kind: MailKind,
    language: Language,
) -> ServiceResult<bool> {
    require_user_management(actor)?;
    editable(kind)?;
    let (actor, now) = (actor.clone(), ctx.now());
    let done = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<bool> {
                let Some(was) = mail_template::find(conn, kind, language.code())? else {
                    return Ok(false);
                };
                mail_template::delete(conn, kind, language.code())?;
                let shipped = templates::shipped(kind, language);
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "mail.template_reset",
                    Some(template_target(kind, language)),
                    &[
                        Change::new("subject", &was.subject, &shipped.subject),
                        Change::new("body", &was.body, &shipped.body),
                    ],
                )?;
                Ok(true)
            })
        })
        .await?;
    reload(ctx).await?;
    Ok(done)
}

fn template_target(kind: MailKind, language: Language) -> Target {
    Target {
        kind: "mail_template",
        id: None,
        label: format!(
            "{} ({})",
            Language::De.texts().mail_kind(kind),
            language.code()
        ),
    }
}

/// A preview: `text` rendered with sample data in both parts, the link a
/// sample one that opens nothing. A text that fails its check is refused
/// with its errors.
pub fn preview(
    ctx: &Context,
    kind: MailKind,
    language: Language,
    text: &MailText,
) -> Result<Rendered, TemplateErrors> {
    let text = templates::check(kind, &text.subject, &text.body)?;
    let s = ctx.settings();
    let shade = crate::domain::settings::accessible_shade(&s.brand_colour);
    let footer = format!("{} · {}", s.organisation_name, language.texts().mail_footer);
    let vars = MailVars::sample(language, &s.organisation_name, &s.app_name, &s.app_url);
    let mut r = templates::render(
        kind,
        language,
        &text,
        &vars,
        &Frame {
            organisation: &s.organisation_name,
            colour: &shade,
            footer: &footer,
        },
    );
    let sample = format!("{}/i/BEISPIEL-LINK", s.public_base_url);
    r.text = r.text.replace(LINK_MARK, &sample);
    r.html = r.html.replace(LINK_MARK, &templates::escape_html(&sample));
    Ok(r)
}
