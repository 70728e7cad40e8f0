//! The audit log: written in the caller's transaction, read by the audit page
//! and the user page.

use time::{Date, PrimitiveDateTime};

use crate::context::Context;
use crate::db::DbConn;
use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::domain::text::{lookup_key, search_term};
use crate::domain::{FieldError, FieldErrors, Page, dates};
use crate::models::audit::{self, NewAuditEvent};
use crate::services::{Actor, ServiceResult};

/// What an action was done to.
pub struct Target {
    pub kind: &'static str,
    pub id: Option<i64>,
    pub label: String,
}

impl Target {
    pub fn user(id: crate::domain::UserId, label: impl Into<String>) -> Self {
        Self {
            kind: "user",
            id: Some(id.get()),
            label: label.into(),
        }
    }

    pub fn new(kind: &'static str, id: i64, label: impl Into<String>) -> Self {
        Self {
            kind,
            id: Some(id),
            label: label.into(),
        }
    }
}

/// Writes one audit event inside the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    actor: &Actor,
    action: &str,
    target: Option<Target>,
    details: Option<String>,
) -> diesel::QueryResult<()> {
    let (target_kind, target_id, target_label) = match target {
        Some(t) => (Some(t.kind.to_owned()), t.id, Some(t.label)),
        None => (None, None, None),
    };
    // A membership entry is found by the member's name too.
    let member = details
        .as_deref()
        .and_then(crate::domain::audit::decode_changes)
        .and_then(|changes| {
            changes
                .into_iter()
                .find(|c| c.field == "member")
                .map(|c| format!("{}{}", c.before, c.after))
        });
    let search_text = crate::domain::text::search_text(&[
        &actor.label,
        target_label.as_deref().unwrap_or(""),
        member.as_deref().unwrap_or(""),
    ]);
    audit::insert(
        conn,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: actor.user_id,
            actor_label: actor.label.clone(),
            action: action.to_owned(),
            target_kind,
            target_id,
            target_label,
            details,
            search_text,
        },
    )?;
    Ok(())
}

/// Records an action with what it changed, field by field.
pub fn record_changes(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    actor: &Actor,
    action: &str,
    target: Option<Target>,
    changes: &[crate::domain::audit::Change],
) -> diesel::QueryResult<()> {
    record(
        conn,
        now,
        actor,
        action,
        target,
        crate::domain::audit::encode_changes(changes),
    )
}

/// One action on many people, each with his own changes: one entry each,
/// written set-wise (an update import of thousands).
pub fn record_each_user_changes(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    actor: &Actor,
    action: &str,
    entries: &[(
        crate::domain::UserId,
        String,
        Vec<crate::domain::audit::Change>,
    )],
) -> diesel::QueryResult<usize> {
    let rows: Vec<NewAuditEvent> = entries
        .iter()
        .map(|(id, label, changes)| {
            user_event(
                now,
                actor,
                action,
                *id,
                label,
                crate::domain::audit::encode_changes(changes),
            )
        })
        .collect();
    audit::insert_many(conn, &rows)
}

/// The same action with the same changes on many people: one entry each,
/// written set-wise.
pub fn record_many_user_changes(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    actor: &Actor,
    action: &str,
    users: &[(crate::domain::UserId, String)],
    changes: &[crate::domain::audit::Change],
) -> diesel::QueryResult<usize> {
    let details = crate::domain::audit::encode_changes(changes);
    let rows: Vec<NewAuditEvent> = users
        .iter()
        .map(|(id, label)| user_event(now, actor, action, *id, label, details.clone()))
        .collect();
    audit::insert_many(conn, &rows)
}

/// An entry about one person.
fn user_event(
    now: PrimitiveDateTime,
    actor: &Actor,
    action: &str,
    id: crate::domain::UserId,
    label: &str,
    details: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: now,
        actor_id: actor.user_id,
        actor_label: actor.label.clone(),
        action: action.to_owned(),
        target_kind: Some("user".into()),
        target_id: Some(id.get()),
        target_label: Some(label.to_owned()),
        details,
        search_text: audit_search_text(&actor.label, Some(label)),
    }
}

/// What the audit search looks through: who acted and on whom.
pub fn audit_search_text(actor_label: &str, target_label: Option<&str>) -> String {
    crate::domain::text::search_text(&[actor_label, target_label.unwrap_or("")])
}

pub const PER_PAGE: i64 = 50;

/// The audit page's filters as typed by the admin.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub action: String,
    pub text: String,
    pub from: String,
    pub until: String,
    pub page: i64,
}

/// One page of the log, the actions for the filter menu, and the errors of
/// filter fields that could not be used.
pub struct AuditPage {
    pub entries: Page<AuditEntry>,
    pub actions: Vec<String>,
    pub errors: FieldErrors,
}

/// The audit log, filtered. Dates are days in the instance's time zone.
pub async fn list(ctx: &Context, _actor: &Actor, query: &AuditQuery) -> ServiceResult<AuditPage> {
    let mut errors = FieldErrors::default();
    let text = errors.take("q", search_term(&query.text)).flatten();
    let from: Option<Date> = errors.take("from", dates::parse_day(&query.from)).flatten();
    let until: Option<Date> = errors
        .take("until", dates::parse_day(&query.until))
        .flatten();
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        errors.add("until", FieldError::UntilBeforeFrom);
    }
    // A filter field that cannot be used lists nothing (not everything
    // under its error, which would look like an answer).
    let unusable = ["q", "from", "until"]
        .iter()
        .any(|f| errors.get(f).is_some());
    let (from, until) = dates::day_range_utc(from, until, ctx.settings().time_zone);
    let action = query.action.trim();
    let filter = AuditFilter {
        // An action is looked up; one that cannot exist matches nothing.
        action: (!action.is_empty()).then(|| action.to_owned()),
        matches_nothing: (!action.is_empty() && lookup_key(action).is_none()) || unusable,
        text,
        target: None,
        from,
        until,
    };
    let page = query.page;
    let (entries, actions) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            Ok((
                audit::list(conn, &filter, page, PER_PAGE)?,
                audit::actions(conn)?,
            ))
        })
        .await?;
    Ok(AuditPage {
        entries,
        actions,
        errors,
    })
}
