//! The edited mail texts, one row per kind and language.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::mail_templates as t;
use crate::domain::mail::MailKind;

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = t)]
pub struct TemplateRow {
    pub kind: MailKind,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub updated_at: PrimitiveDateTime,
    pub updated_by: String,
}

pub fn all(conn: &mut DbConn) -> QueryResult<Vec<TemplateRow>> {
    t::table
        .order((t::kind.asc(), t::language.asc()))
        .select(TemplateRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, kind: MailKind, language: &str) -> QueryResult<Option<TemplateRow>> {
    t::table
        .find((kind, language))
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the text of a kind and language (a second save replaces it).
pub fn save(conn: &mut DbConn, row: &TemplateRow) -> QueryResult<usize> {
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(t::table)
            .values(row)
            .on_conflict((t::kind, t::language))
            .do_update()
            .set(row)
            .execute(c),
        DbConn::Sqlite(c) => diesel::insert_into(t::table)
            .values(row)
            .on_conflict((t::kind, t::language))
            .do_update()
            .set(row)
            .execute(c),
    }
}

/// Back to the shipped text.
pub fn delete(conn: &mut DbConn, kind: MailKind, language: &str) -> QueryResult<usize> {
    diesel::delete(t::table.find((kind, language))).execute(conn)
}
