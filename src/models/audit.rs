//! The audit log: who did what to whom, when. Rows keep labels as text so the
//! history survives renames and deletions.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{audit_events as a, users};
use crate::db::{Db, DbConn};
use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::domain::{Page, UserId};
use crate::models::contains_pattern;

#[derive(Queryable, Selectable)]
#[diesel(table_name = a)]
struct AuditRow {
    occurred_at: PrimitiveDateTime,
    actor_label: String,
    action: String,
    target_kind: Option<String>,
    target_id: Option<i64>,
    target_label: Option<String>,
    details: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            occurred_at: r.occurred_at,
            actor_label: r.actor_label,
            action: r.action,
            target_user: r
                .target_id
                .filter(|_| r.target_kind.as_deref() == Some("user"))
                .map(UserId::new),
            target_label: r.target_label,
            changes: r
                .details
                .as_deref()
                .and_then(crate::domain::audit::decode_changes)
                .unwrap_or_default(),
            details: r
                .details
                .filter(|d| crate::domain::audit::decode_changes(d).is_none()),
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = a)]
pub struct NewAuditEvent {
    pub occurred_at: PrimitiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor_label: String,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    pub details: Option<String>,
    /// Actor and target, folded for search (`domain::text::search_text`).
    pub search_text: String,
}

pub fn insert(conn: &mut DbConn, row: &NewAuditEvent) -> QueryResult<usize> {
    diesel::insert_into(a::table).values(row).execute(conn)
}

/// Many entries at once (an action on thousands of people).
pub fn insert_many(conn: &mut DbConn, rows: &[NewAuditEvent]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(2000) {
        n += match conn {
            DbConn::Postgres(c) => diesel::insert_into(a::table).values(chunk).execute(c)?,
            // Row by row: diesel wraps an SQLite batch insert in a
            // transaction of its own, and ours is already open. One cached
            // prepared statement in one immediate transaction is fast.
            DbConn::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(a::table).values(row).execute(c)?;
                }
                n
            }
        };
    }
    Ok(n)
}

fn filtered(filter: &AuditFilter) -> a::BoxedQuery<'static, Db> {
    let mut q = a::table.into_boxed();
    if let Some(action) = &filter.action {
        q = q.filter(a::action.eq(action.clone()));
    }
    // Every word somewhere, in any order: "Müller, Anna" finds the entries
    // about "Anna Müller (anna.mueller)".
    if let Some(text) = &filter.text {
        for word in crate::domain::text::search_fold(text).split(' ').take(8) {
            q = q.filter(a::search_text.like(contains_pattern(word)).escape('\\'));
        }
    }
    if let Some((kind, id)) = filter.target {
        q = q.filter(a::target_kind.eq(kind).and(a::target_id.eq(id)));
    }
    if let Some(from) = filter.from {
        q = q.filter(a::occurred_at.ge(from));
    }
    if let Some(until) = filter.until {
        q = q.filter(a::occurred_at.lt(until));
    }
    q
}

pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    page: i64,
    per_page: i64,
) -> QueryResult<Page<AuditEntry>> {
    if filter.matches_nothing {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page: 1,
            per_page,
        });
    }
    let total = filtered(filter).select(count_star()).first(conn)?;
    let page = page.clamp(1, crate::domain::page::last_page(total, per_page));
    let items: Vec<AuditRow> = filtered(filter)
        .order((a::occurred_at.desc(), a::id.desc()))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .select(AuditRow::as_select())
        .load(conn)?;
    // Deleted people keep their name in the log, but get no link.
    let mut entries: Vec<AuditEntry> = items.into_iter().map(Into::into).collect();
    let ids: Vec<UserId> = entries.iter().filter_map(|e| e.target_user).collect();
    let live: Vec<UserId> = users::table
        .filter(users::id.eq_any(ids))
        .filter(users::deleted_at.is_null())
        .select(users::id)
        .load(conn)?;
    for e in &mut entries {
        e.target_user = e.target_user.filter(|id| live.contains(id));
    }
    Ok(Page {
        items: entries,
        total,
        page,
        per_page,
    })
}

/// Rows of the audit log with what their search text is made of, by id
/// from `after` on (for recomputing search texts).
pub fn search_sources(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String, Option<String>)>> {
    a::table
        .filter(a::id.gt(after))
        .order(a::id)
        .limit(limit)
        .select((a::id, a::actor_label, a::target_label))
        .load(conn)
}

pub fn set_search_text(conn: &mut DbConn, id: i64, text: &str) -> QueryResult<usize> {
    diesel::update(a::table.find(id))
        .set(a::search_text.eq(text))
        .execute(conn)
}

/// The distinct action names that occur, for the filter menu.
pub fn actions(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    a::table
        .select(a::action)
        .distinct()
        .order(a::action)
        .load(conn)
}
