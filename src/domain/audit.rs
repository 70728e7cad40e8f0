//! The audit log as pages show it, and what it can be filtered by.

use time::PrimitiveDateTime;

use super::UserId;

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub occurred_at: PrimitiveDateTime,
    pub actor_label: String,
    pub action: String,
    /// A link target when the subject is a user who still exists.
    pub target_user: Option<UserId>,
    pub target_label: Option<String>,
    pub details: Option<String>,
}

/// A filter over the audit log. Times are UTC bounds `[from, until)`.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    /// Part of the actor's or the subject's label (case-insensitive).
    pub text: Option<String>,
    pub target: Option<(&'static str, i64)>,
    pub from: Option<PrimitiveDateTime>,
    pub until: Option<PrimitiveDateTime>,
    /// Set when a filter value cannot match anything (e.g. a lookup with
    /// control characters): the list is empty without asking the database.
    pub matches_nothing: bool,
}
