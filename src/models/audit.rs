//! The audit log: who did what to whom, when. Rows keep labels as text so the
//! history survives renames and deletions.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::audit_events as a;
use crate::db::{Db, DbConn};
use crate::models::{Page, contains_pattern};

diesel::define_sql_function! {
    /// SQL `lower()`, the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: PrimitiveDateTime,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    pub details: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = a)]
pub struct NewAuditEvent {
    pub occurred_at: PrimitiveDateTime,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    pub details: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &NewAuditEvent) -> QueryResult<usize> {
    diesel::insert_into(a::table).values(row).execute(conn)
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub action: Option<String>,
    /// Part of the actor's or the target's label.
    pub text: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub from: Option<PrimitiveDateTime>,
    pub until: Option<PrimitiveDateTime>,
}

fn filtered(filter: &AuditFilter) -> a::BoxedQuery<'static, Db> {
    let mut q = a::table.into_boxed();
    if let Some(action) = &filter.action {
        q = q.filter(a::action.eq(action.clone()));
    }
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(&text.to_lowercase());
        q = q.filter(
            lower(a::actor_label.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(a::target_label).like(pattern).escape('\\')),
        );
    }
    if let Some(kind) = &filter.target_kind {
        q = q.filter(a::target_kind.eq(kind.clone()));
    }
    if let Some(id) = filter.target_id {
        q = q.filter(a::target_id.eq(id));
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
) -> QueryResult<Page<AuditEvent>> {
    let total = filtered(filter).select(count_star()).first(conn)?;
    let items = filtered(filter)
        .order((a::occurred_at.desc(), a::id.desc()))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .select(AuditEvent::as_select())
        .load(conn)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The distinct action names that occur, for the filter menu.
pub fn actions(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    a::table
        .select(a::action)
        .distinct()
        .order(a::action)
        .load(conn)
}
