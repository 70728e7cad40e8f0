//! The users table: people being brought in, admins included.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{area_assignments, group_memberships, users as u};
use crate::db::{Db, DbConn};
use crate::domain::{AdminRole, UserStatus, UserType};
use crate::models::{Page, contains_pattern};

/// A user row. No Debug: it carries the password hash.
#[derive(Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = u)]
pub struct User {
    pub id: i64,
    pub salutation: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub email_confirmed: bool,
    pub personnel_number: Option<String>,
    pub user_type: String,
    pub is_staff: bool,
    pub admin_role: Option<String>,
    pub status: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub sort_name: String,
    pub search_text: String,
    pub last_login_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub deleted_at: Option<PrimitiveDateTime>,
}

impl User {
    /// The stored status; an unreadable value counts as blocked.
    pub fn status(&self) -> UserStatus {
        self.status.parse().unwrap_or(UserStatus::Deaktiviert)
    }

    /// The admin role, only for staff accounts.
    pub fn admin_role(&self) -> Option<AdminRole> {
        if !self.is_staff {
            return None;
        }
        self.admin_role.as_deref().and_then(|r| r.parse().ok())
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    /// "Vorname Nachname (benutzername)", as the audit log records people.
    pub fn label(&self) -> String {
        format!("{} ({})", self.display_name(), self.username)
    }
}

/// Values every write of the searchable/sortable copies needs.
pub fn sort_name(first_name: &str, last_name: &str) -> String {
    crate::domain::username::sort_key(&format!("{last_name} {first_name}"))
}

pub fn search_text(
    first: &str,
    last: &str,
    username: &str,
    email: Option<&str>,
    personnel: Option<&str>,
) -> String {
    [
        first,
        last,
        username,
        email.unwrap_or(""),
        personnel.unwrap_or(""),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.to_lowercase())
    .collect::<Vec<_>>()
    .join(" ")
}

#[derive(Insertable)]
#[diesel(table_name = u)]
pub struct NewUser {
    pub salutation: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub email_confirmed: bool,
    pub personnel_number: Option<String>,
    pub user_type: String,
    pub is_staff: bool,
    pub admin_role: Option<String>,
    pub status: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub sort_name: String,
    pub search_text: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// Changes of the personal data an admin edits. `None` leaves a column alone;
/// `Some(None)` clears a nullable one.
#[derive(AsChangeset, Default)]
#[diesel(table_name = u)]
pub struct UserChanges {
    pub salutation: Option<Option<String>>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub email: Option<Option<String>>,
    pub email_lower: Option<Option<String>>,
    pub email_confirmed: Option<bool>,
    pub personnel_number: Option<Option<String>>,
    pub user_type: Option<String>,
    pub is_staff: Option<bool>,
    pub admin_role: Option<Option<String>>,
    pub status: Option<String>,
    pub password_hash: Option<Option<String>>,
    pub must_change_password: Option<bool>,
    pub sort_name: Option<String>,
    pub search_text: Option<String>,
    pub last_login_at: Option<Option<PrimitiveDateTime>>,
    pub updated_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<Option<PrimitiveDateTime>>,
}

fn live() -> u::BoxedQuery<'static, Db> {
    u::table.filter(u::deleted_at.is_null()).into_boxed()
}

pub fn insert(conn: &mut DbConn, row: &NewUser) -> QueryResult<User> {
    diesel::insert_into(u::table)
        .values(row)
        .returning(u::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut DbConn, id: i64, changes: &UserChanges) -> QueryResult<usize> {
    diesel::update(u::table.find(id)).set(changes).execute(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    live()
        .filter(u::id.eq(id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The account a login identifier names: an email (if it has an `@`) or a username.
pub fn find_by_login(conn: &mut DbConn, identifier: &str) -> QueryResult<Option<User>> {
    let key = identifier.trim().to_lowercase();
    let q = if key.contains('@') {
        live().filter(u::email_lower.eq(key))
    } else {
        live().filter(u::username.eq(key))
    };
    q.select(User::as_select()).first(conn).optional()
}

pub fn username_taken(conn: &mut DbConn, username: &str, except: Option<i64>) -> QueryResult<bool> {
    let mut q = live().filter(u::username.eq(username.to_owned()));
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    Ok(q.select(count_star()).first::<i64>(conn)? > 0)
}

pub fn email_taken(conn: &mut DbConn, email_key: &str, except: Option<i64>) -> QueryResult<bool> {
    let mut q = live().filter(u::email_lower.eq(email_key.to_owned()));
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    Ok(q.select(count_star()).first::<i64>(conn)? > 0)
}

pub fn personnel_number_taken(
    conn: &mut DbConn,
    number: &str,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut q = live().filter(u::personnel_number.eq(number.to_owned()));
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    Ok(q.select(count_star()).first::<i64>(conn)? > 0)
}

/// Usernames in use that start with `base` (to find the next free proposal).
pub fn usernames_starting_with(conn: &mut DbConn, base: &str) -> QueryResult<Vec<String>> {
    live()
        .filter(
            u::username
                .like(format!("{}%", contains_pattern(base).trim_matches('%')))
                .escape('\\'),
        )
        .select(u::username)
        .load(conn)
}

/// Active administrators (the ones that must never all disappear).
pub fn count_active_administrators(conn: &mut DbConn) -> QueryResult<i64> {
    live()
        .filter(u::is_staff.eq(true))
        .filter(u::admin_role.eq(AdminRole::Administrator.as_str()))
        .filter(u::status.eq(UserStatus::Aktiv.as_str()))
        .select(count_star())
        .first(conn)
}

/// Live users per status, from the trigger-kept counter table.
pub fn count_by_status(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    use crate::db::schema::user_status_counts as c;
    // By key, not by scanning: after a bulk load the PostgreSQL table holds
    // many dead row versions until vacuum, and a scan would read them all.
    let statuses: Vec<&str> = UserStatus::ALL.iter().map(|s| s.as_str()).collect();
    c::table
        .filter(c::status.eq_any(statuses))
        .select((c::status, c::live))
        .load(conn)
}

/// The same figures counted the slow way, to check the counters against.
pub fn count_by_status_exactly(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    u::table
        .filter(u::deleted_at.is_null())
        .group_by(u::status)
        .select((u::status, count_star()))
        .load(conn)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Name,
    Username,
    Email,
    Status,
    Created,
}

impl UserSort {
    pub const ALL: [UserSort; 5] = [
        Self::Name,
        Self::Username,
        Self::Email,
        Self::Status,
        Self::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Username => "username",
            Self::Email => "email",
            Self::Status => "status",
            Self::Created => "created",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Part of name, username, email or personnel number.
    pub text: Option<String>,
    pub status: Option<UserStatus>,
    pub group_id: Option<i64>,
    pub area_id: Option<i64>,
    pub user_type: Option<UserType>,
    pub staff: Option<bool>,
}

impl UserFilter {
    pub fn is_empty(&self) -> bool {
        self.text.is_none()
            && self.status.is_none()
            && self.group_id.is_none()
            && self.area_id.is_none()
            && self.user_type.is_none()
            && self.staff.is_none()
    }
}

/// Up to this many search hits are passed to the list query as literal ids.
const FEW_SEARCH_HITS: i64 = 2000;

/// Whether a search can use SQLite's trigram index: 3+ characters and no
/// LIKE wildcards (the FTS5 LIKE has no ESCAPE).
fn trigram_searchable(needle: &str) -> bool {
    needle.chars().count() >= 3 && !needle.contains(['%', '_', '\\'])
}

/// How the search term of a filter is matched; decided once per request, so
/// the count and the page share one trigram lookup.
enum TextMatch {
    Anything,
    /// SQLite, few trigram hits: the matching ids themselves.
    Ids(Vec<i64>),
    /// SQLite, many trigram hits: membership in the FTS5 result (LIKE pattern).
    Trigram(String),
    /// A LIKE on `search_text` (served by pg_trgm on PostgreSQL where present).
    Like(String),
}

impl TextMatch {
    fn resolve(filter: &UserFilter, conn: &mut DbConn) -> QueryResult<Self> {
        use crate::db::schema::users_search as fts;
        let Some(text) = &filter.text else {
            return Ok(Self::Anything);
        };
        let needle = text.to_lowercase();
        if !(matches!(conn, DbConn::Sqlite(_)) && trigram_searchable(&needle)) {
            return Ok(Self::Like(contains_pattern(&needle)));
        }
        let pattern = format!("%{needle}%");
        // Few hits: hand SQLite the ids themselves, so it looks them up by
        // key instead of walking the whole sort index to test membership.
        let few: Vec<i64> = fts::table
            .filter(fts::search_text.like(pattern.clone()))
            .select(fts::rowid)
            .limit(FEW_SEARCH_HITS + 1)
            .load(conn)?;
        if few.len() as i64 <= FEW_SEARCH_HITS {
            Ok(Self::Ids(few))
        } else {
            Ok(Self::Trigram(pattern))
        }
    }
}

fn filtered(filter: &UserFilter, text: &TextMatch) -> u::BoxedQuery<'static, Db> {
    use crate::db::schema::users_search as fts;
    let mut q = live();
    match text {
        TextMatch::Anything => {}
        TextMatch::Ids(ids) => q = q.filter(u::id.eq_any(ids.clone())),
        TextMatch::Trigram(pattern) => {
            let hits = fts::table
                .filter(fts::search_text.like(pattern.clone()))
                .select(fts::rowid);
            q = q.filter(u::id.eq_any(hits));
        }
        TextMatch::Like(pattern) => q = q.filter(u::search_text.like(pattern.clone()).escape('\\')),
    }
    if let Some(status) = filter.status {
        q = q.filter(u::status.eq(status.as_str()));
    }
    if let Some(group_id) = filter.group_id {
        let members = group_memberships::table
            .filter(group_memberships::group_id.eq(group_id))
            .select(group_memberships::user_id);
        q = q.filter(u::id.eq_any(members));
    }
    if let Some(area_id) = filter.area_id {
        let members = area_assignments::table
            .filter(area_assignments::area_id.eq(area_id))
            .select(area_assignments::user_id);
        q = q.filter(u::id.eq_any(members));
    }
    if let Some(user_type) = filter.user_type {
        q = q.filter(u::user_type.eq(user_type.as_str()));
    }
    if let Some(staff) = filter.staff {
        q = q.filter(u::is_staff.eq(staff));
    }
    q
}

/// From this offset on, a page is fetched by ids first (see `list`).
const DEFERRED_JOIN_FROM: i64 = 1000;

fn ordered(
    q: u::BoxedQuery<'static, Db>,
    sort: UserSort,
    descending: bool,
) -> u::BoxedQuery<'static, Db> {
    match (sort, descending) {
        (UserSort::Name, false) => q.order((u::sort_name.asc(), u::id.asc())),
        (UserSort::Name, true) => q.order((u::sort_name.desc(), u::id.desc())),
        (UserSort::Username, false) => q.order(u::username.asc()),
        (UserSort::Username, true) => q.order(u::username.desc()),
        (UserSort::Email, false) => q.order((u::email_lower.asc(), u::id.asc())),
        (UserSort::Email, true) => q.order((u::email_lower.desc(), u::id.desc())),
        (UserSort::Status, false) => q.order((u::status.asc(), u::sort_name.asc(), u::id.asc())),
        (UserSort::Status, true) => q.order((u::status.desc(), u::sort_name.desc(), u::id.desc())),
        (UserSort::Created, false) => q.order((u::created_at.asc(), u::id.asc())),
        (UserSort::Created, true) => q.order((u::created_at.desc(), u::id.desc())),
    }
}

pub fn count(conn: &mut DbConn, filter: &UserFilter) -> QueryResult<i64> {
    let only_status = UserFilter {
        status: None,
        ..filter.clone()
    };
    if only_status.is_empty() {
        let counts = count_by_status(conn)?;
        return Ok(counts
            .iter()
            .filter(|(status, _)| filter.status.is_none_or(|wanted| wanted.as_str() == status))
            .map(|(_, n)| n)
            .sum());
    }
    let text = TextMatch::resolve(filter, conn)?;
    count_matching(conn, filter, &text)
}

fn count_matching(conn: &mut DbConn, filter: &UserFilter, text: &TextMatch) -> QueryResult<i64> {
    filtered(filter, text).select(count_star()).first(conn)
}

pub fn list(
    conn: &mut DbConn,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    page: i64,
    per_page: i64,
) -> QueryResult<Page<User>> {
    let text = TextMatch::resolve(filter, conn)?;
    let total = match text {
        TextMatch::Anything => count(conn, filter)?,
        _ => count_matching(conn, filter, &text)?,
    };
    let last_page = ((total + per_page - 1) / per_page).max(1);
    let page = page.clamp(1, last_page);
    let offset = (page - 1) * per_page;
    let ordered = || ordered(filtered(filter, &text), sort, descending);
    let default_view = filter.is_empty() && sort == UserSort::Name && !descending;
    let items = if default_view && offset < DEFERRED_JOIN_FROM {
        // The view every admin opens first: a static query, so diesel keeps
        // it prepared (no parsing and planning per request).
        u::table
            .filter(u::deleted_at.is_null())
            .order((u::sort_name.asc(), u::id.asc()))
            .limit(per_page)
            .offset(offset)
            .select(User::as_select())
            .load(conn)?
    } else if offset >= DEFERRED_JOIN_FROM || filter.text.is_some() {
        // Deep pages and searches: find the ids on the (covering) index first,
        // then fetch just those rows, instead of dragging whole rows past the offset.
        let ids: Vec<i64> = ordered()
            .select(u::id)
            .limit(per_page)
            .offset(offset)
            .load(conn)?;
        let mut rows: Vec<User> = u::table
            .filter(u::id.eq_any(ids.clone()))
            .select(User::as_select())
            .load(conn)?;
        rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
        rows
    } else {
        ordered()
            .limit(per_page)
            .offset(offset)
            .select(User::as_select())
            .load(conn)?
    };
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}
