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
    /// What changed, field by field (empty for actions that change nothing
    /// field-like, e.g. a sign-in).
    pub changes: Vec<Change>,
    /// Free text of entries written before changes were recorded as such.
    pub details: Option<String>,
}

impl AuditEntry {
    /// The person a membership entry is about (`member` in the changes).
    pub fn member(&self) -> Option<&str> {
        self.changes.iter().find(|c| c.field == "member").map(|c| {
            if c.after.is_empty() {
                c.before.as_str()
            } else {
                c.after.as_str()
            }
        })
    }
}

/// One changed field: its name (a form field name, or `area:<name>` for a
/// role in one area) and the values before and after, as stored: codes for
/// choices (`lesezugriff`), text for everything else. Pages translate them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

impl Change {
    pub fn new(field: &str, before: impl Into<String>, after: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            before: before.into(),
            after: after.into(),
        }
    }
}

/// Adds a change when the values differ.
pub fn diff(changes: &mut Vec<Change>, field: &str, before: &str, after: &str) {
    if before != after {
        changes.push(Change::new(field, before, after));
    }
}

/// Changes as the `details` column stores them: form-encoded triples
/// (`c=field&b=before&a=after&c=…`), safe for any text and readable again.
pub fn encode_changes(changes: &[Change]) -> Option<String> {
    if changes.is_empty() {
        return None;
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for c in changes {
        out.append_pair("c", &c.field);
        out.append_pair("b", &c.before);
        out.append_pair("a", &c.after);
    }
    Some(out.finish())
}

/// The changes of a `details` value written by [`encode_changes`]; `None`
/// for anything else (free text of older entries).
pub fn decode_changes(details: &str) -> Option<Vec<Change>> {
    if !details.starts_with("c=") {
        return None;
    }
    let mut changes: Vec<Change> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(details.as_bytes()) {
        match (k.as_ref(), changes.last_mut()) {
            ("c", _) => changes.push(Change::new(&v, "", "")),
            ("b", Some(c)) => c.before = v.into_owned(),
            ("a", Some(c)) => c.after = v.into_owned(),
            _ => return None,
        }
    }
    Some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_survive_any_text() {
        let changes = vec![
            Change::new("last_name", "Müler", "Müller & Söhne=1"),
            Change::new("area:Werk Nord", "", "leitung"),
            Change::new("email", "a@b.de", ""),
        ];
        let stored = encode_changes(&changes).unwrap();
        assert_eq!(decode_changes(&stored), Some(changes));
        assert_eq!(decode_changes("role=administrator, start_password"), None);
        assert_eq!(encode_changes(&[]), None);
    }
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
