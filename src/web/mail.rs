//! Admin pages about mail and invitations: the "Einladen" actions of a user,
//! "Alle neu angelegten einladen", and the in-app mailbox.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::mail::ResendCheck;
use crate::domain::{EmailAddress, FieldErrors, UserId};
use crate::error::{AppError, AppResult};
use crate::services::{ServiceError, invitations, mail, resend, users};
use crate::views::{
    BlockedListView, InviteView, MailLogMessageView, MailLogQuery, MailLogView, MailboxMessageView,
    MailboxView,
};
use crate::web::extract::{CsrfForm, CurrentAdmin, NoFields, refusal_flash};
use crate::web::{AppState, html, ok_html, redirect_with_flash};

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    /// A send time ahead, in the instance's time zone (both empty: now).
    #[serde(default)]
    send_date: String,
    #[serde(default)]
    send_time: String,
}

/// The invite form: the address (for someone without one) and, optionally,
/// when the invitation goes out.
pub async fn invite_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let user = users::changeable_summary(&state.ctx, &admin.actor(), UserId::new(*id)).await?;
    // Someone who cannot be invited (active, deactivated, waiting for
    // approval) gets the answer the submit would give, not a form.
    if user.status.invite().is_err() && user.status.renew().is_err() {
        return Ok(redirect_with_flash(
            &format!("/users/{}", user.id.get()),
            &refusal_flash(crate::domain::Refusal::StatusDoesNotAllow),
        ));
    }
    ok_html(&InviteView {
        p: admin.page(&req, &state, "users"),
        user,
        email: String::new(),
        send_date: String::new(),
        send_time: String::new(),
        errors: FieldErrors::default(),
    })
}

/// Sends, renews or schedules the invitation; the flash says which and how
/// it went.
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<HttpResponse> {
    let id = UserId::new(*id);
    let back = format!("/users/{}", id.get());
    let mut errors = FieldErrors::default();
    let email = if form.email.trim().is_empty() {
        None
    } else {
        errors.take("email", EmailAddress::parse(&form.email))
    };
    let settings = state.ctx.settings();
    let send_at = match crate::domain::dates::parse_send_time(
        &form.send_date,
        &form.send_time,
        settings.time_zone,
        state.ctx.now(),
    ) {
        Ok(at) => at,
        Err((field, e)) => {
            errors.add(field, e);
            None
        }
    };
    if !errors.is_empty() {
        return invite_refused(&req, &state, &admin, id, form, errors).await;
    }
    match invitations::invite(&state.ctx, &admin.actor(), id, email, send_at).await {
        Ok(delivery) => Ok(redirect_with_flash(
            &back,
            &format!("invited_{}", delivery.as_str()),
        )),
        Err(ServiceError::Invalid(errors)) => {
            invite_refused(&req, &state, &admin, id, form, errors).await
        }
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&back, &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}

async fn invite_refused(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    id: UserId,
    form: InviteForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let user = users::changeable_summary(&state.ctx, &admin.actor(), id).await?;
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &InviteView {
            p: admin.page(req, state, "users"),
            user,
            email: form.email,
            send_date: form.send_date,
            send_time: form.send_time,
            errors,
        },
    )
}

pub async fn revoke(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = UserId::new(*id);
    let back = format!("/users/{}", id.get());
    match invitations::revoke(&state.ctx, &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(&back, "invitation_revoked")),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash(&back, &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}

/// "Alle neu angelegten Benutzer einladen → Später senden": the send time.
pub async fn invite_all_later_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> AppResult<HttpResponse> {
    if !admin.admin.role.may_manage_users() {
        return Err(AppError::Forbidden);
    }
    ok_html(&crate::views::InviteAllLaterView {
        p: admin.page(&req, &state, "users"),
        send_date: String::new(),
        send_time: String::new(),
        errors: FieldErrors::default(),
    })
}

/// "Alle neu angelegten Benutzer einladen": starts the task and shows its
/// page (progress, then what it did).
pub async fn invite_all_created(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<HttpResponse> {
    let send_at = match crate::domain::dates::parse_send_time(
        &form.send_date,
        &form.send_time,
        state.ctx.settings().time_zone,
        state.ctx.now(),
    ) {
        Ok(at) => at,
        Err((field, e)) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &crate::views::InviteAllLaterView {
                    p: admin.page(&req, &state, "users"),
                    send_date: form.send_date,
                    send_time: form.send_time,
                    errors: FieldErrors::single(field, e),
                },
            );
        }
    };
    match invitations::start_invite_all_created_at(&state.ctx, &admin.actor(), send_at).await {
        Ok(invitations::BulkStart {
            task: Some(id),
            already_running,
            ..
        }) => {
            crate::web::tasks::kick(&state.ctx);
            let again = if already_running { "?again=1" } else { "" };
            Ok(crate::web::redirect(&format!("/tasks/{id}{again}")))
        }
        // Nobody to invite: say who was left out, on the list.
        Ok(r) => Ok(redirect_with_flash(
            "/users",
            &format!(
                "invited_all_{}_{}_{}_{}",
                0, 0, r.skipped_no_email, r.skipped_role
            ),
        )),
        Err(ServiceError::Refused(r)) => Ok(redirect_with_flash("/users", &refusal_flash(r))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MailboxQuery {
    #[serde(default)]
    before: String,
}

pub async fn mailbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: super::extract::Query<MailboxQuery>,
) -> AppResult<HttpResponse> {
    let before = q.before.parse::<i64>().ok();
    let entries = mail::mailbox(&state.ctx, &admin.actor(), before).await?;
    let older = (entries.len() == 50)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    ok_html(&MailboxView {
        p: admin.page(&req, &state, "mailbox"),
        local_only: state.ctx.mailer().is_local(),
        entries,
        older,
    })
}

pub async fn mailbox_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let entry = match mail::mailbox_message(&state.ctx, &admin.actor(), *id).await {
        Ok(e) => e,
        Err(ServiceError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    ok_html(&MailboxMessageView {
        p: admin.page(&req, &state, "mailbox"),
        entry,
    })
}

/// The email log (E-Mail > Protokoll): any admin; links never show in it.
pub async fn log(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    q: super::extract::Query<MailLogQuery>,
) -> AppResult<HttpResponse> {
    let query = q.into_inner();
    let page = mail::log(
        &state.ctx,
        &admin.actor(),
        mail::LogRequest {
            status: query.status.clone(),
            kind: query.kind.clone(),
            recipient: query.recipient.clone(),
            from: query.from.clone(),
            until: query.until.clone(),
            before: query.before.trim().parse().ok(),
            after: query.after.trim().parse().ok(),
            oldest_first: query.order == "oldest",
        },
    )
    .await?;
    let url = |key: &str, id: i64| {
        crate::web::link(
            "/mail/log",
            &[
                ("recipient", &query.recipient),
                ("status", &query.status),
                ("kind", &query.kind),
                ("from", &query.from),
                ("until", &query.until),
                ("order", &query.order),
                (key, &id.to_string()),
            ],
        )
    };
    let view = MailLogView {
        p: admin.page(&req, &state, "mail_log"),
        older_url: page.older.map(|id| url("before", id)),
        newer_url: page.newer.map(|id| url("after", id)),
        entries: page.entries,
        errors: page.errors,
        query,
    };
    crate::web::form_html(!view.errors.is_empty(), &view)
}

/// One message of the log in full, its link masked.
pub async fn log_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let message = logged(&state, &admin, &id).await?;
    let resend = resend::check(&state.ctx, &admin.actor(), message.entry.id).await?;
    ok_html(&MailLogMessageView {
        p: admin.page(&req, &state, "mail_log"),
        message,
        resend,
    })
}

/// "Erneut senden": the copy's Info page, or back here saying why not.
pub async fn resend(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(AppError::NotFound);
    };
    match resend::resend(&state.ctx, &admin.actor(), id).await {
        Ok(resend::Resent::Queued { copy, delivery }) => Ok(redirect_with_flash(
            &format!("/mail/log/{copy}"),
            if delivery == crate::domain::mail::Delivery::Blockiert {
                "resent_blocked"
            } else {
                "resent_queued"
            },
        )),
        // A double click: the other click made the copy.
        Ok(resend::Resent::Refused(ResendCheck::AlreadyResent(copy))) => Ok(redirect_with_flash(
            &format!("/mail/log/{copy}"),
            "resent_queued",
        )),
        Ok(resend::Resent::Refused(_)) => Ok(redirect_with_flash(
            &format!("/mail/log/{id}"),
            "resend_refused",
        )),
        Err(ServiceError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct BlockedQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    before: String,
}

/// The blocked addresses ("Gesperrte Adressen"), newest first.
pub async fn blocked(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    query: super::extract::Query<BlockedQuery>,
) -> AppResult<HttpResponse> {
    let q = crate::domain::text::search_term(&query.q).ok().flatten();
    let cursor = Some(query.before.trim()).filter(|c| !c.is_empty());
    let page = resend::blocked(&state.ctx, &admin.actor(), q, cursor).await?;
    let older_url = page
        .older
        .map(|c| crate::web::link("/mail/blocked", &[("q", query.q.as_str()), ("before", &c)]));
    ok_html(&BlockedListView {
        p: admin.page(&req, &state, "mail_log"),
        q: query.q.clone(),
        entries: page.entries,
        older_url,
    })
}

#[derive(Deserialize)]
pub struct UnblockForm {
    #[serde(default)]
    address: String,
}

/// "Entsperren": back to the list, saying what happened.
pub async fn unblock(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<UnblockForm>,
) -> AppResult<HttpResponse> {
    let done = resend::unblock(&state.ctx, &admin.actor(), &form.address).await?;
    Ok(redirect_with_flash(
        "/mail/blocked",
        if done { "unblocked" } else { "not_blocked" },
    ))
}

/// The HTML part of a logged message, as sent (link masked), for the
/// preview frame on its Info page: sandboxed, no scripts, no requests out,
/// framable only by this site.
pub async fn log_message_html(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let message = logged(&state, &admin, &id).await?;
    Ok(framed_mail_html(message.html))
}

/// A mail's HTML as its own document for a frame of our pages: sandboxed,
/// no scripts, no requests out, framable only by this site.
pub fn framed_mail_html(html: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
        ))
        .insert_header((actix_web::http::header::X_FRAME_OPTIONS, "SAMEORIGIN"))
        .body(html)
}

/// The logged message a path names; anything but a known id is a 404.
async fn logged(
    state: &AppState,
    admin: &CurrentAdmin,
    id: &str,
) -> AppResult<crate::domain::mail::LogMessage> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(AppError::NotFound);
    };
    match mail::log_message(&state.ctx, &admin.actor(), id).await {
        Ok(m) => Ok(m),
        Err(ServiceError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}
