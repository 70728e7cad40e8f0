//! Writes audit events in the caller's transaction.

use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::models::audit::{self, NewAuditEvent};
use crate::services::Actor;

/// What an action was done to.
pub struct Target {
    pub kind: &'static str,
    pub id: Option<i64>,
    pub label: String,
}

impl Target {
    pub fn new(kind: &'static str, id: i64, label: impl Into<String>) -> Self {
        Self {
            kind,
            id: Some(id),
            label: label.into(),
        }
    }
}

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
        },
    )?;
    Ok(())
}
