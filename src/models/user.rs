//! The users table: people being brought in, admins included.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{area_assignments, group_memberships, users as u};
use crate::db::{Db, DbConn};
use crate::domain::mail::Delivery;
use crate::domain::people::{UserSort, UserSummary};
use crate::domain::{AdminRole, Page, Salutation, UnitId, UserId, UserStatus, UserType};
use crate::models::contains_pattern;

/// A user row as services work with it. No Debug: it carries the password
/// hash; it never leaves the services (pages get a [`UserSummary`]).
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = u)]
pub struct User {
    pub id: UserId,
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub email_confirmed: bool,
    pub personnel_number: Option<String>,
    pub user_type: UserType,
    pub is_staff: bool,
    pub admin_role: Option<AdminRole>,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub last_login_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub invitation_expires_at: Option<PrimitiveDateTime>,
    /// His current invitation message (its status is the delivery state).
    pub invitation_message_id: Option<i64>,
    pub sign_in_deadline: Option<PrimitiveDateTime>,
}

impl User {
    /// The admin role, only for staff accounts.
    pub fn role(&self) -> Option<AdminRole> {
        self.admin_role.filter(|_| self.is_staff)
    }

    /// What pages show of him, but the delivery state of his invitation
    /// mail (that is a lookup: [`summary_of`]).
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id,
            salutation: self.salutation,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            username: self.username.clone(),
            email: self.email.clone(),
            email_confirmed: self.email_confirmed,
            personnel_number: self.personnel_number.clone(),
            user_type: self.user_type,
            admin_role: self.role(),
            status: self.status,
            must_change_password: self.must_change_password,
            last_login_at: self.last_login_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            invitation_expires_at: self.invitation_expires_at,
            invite_delivery: None,
            invite_scheduled_for: None,
            sign_in_deadline: self.sign_in_deadline,
        }
    }

    /// "Vorname Nachname (benutzername)", as the audit log records people.
    pub fn label(&self) -> String {
        self.summary().label()
    }
}

/// The columns a page shows: everything but secrets and search keys.
#[derive(Queryable, Selectable)]
#[diesel(table_name = u)]
pub struct SummaryRow {
    id: UserId,
    salutation: Option<Salutation>,
    first_name: String,
    last_name: String,
    username: String,
    email: Option<String>,
    email_confirmed: bool,
    personnel_number: Option<String>,
    user_type: UserType,
    is_staff: bool,
    admin_role: Option<AdminRole>,
    status: UserStatus,
    must_change_password: bool,
    last_login_at: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    invitation_expires_at: Option<PrimitiveDateTime>,
    invitation_message_id: Option<i64>,
    sign_in_deadline: Option<PrimitiveDateTime>,
}

/// The summary of one user, with the delivery state of his invitation mail.
pub fn summary_of(conn: &mut DbConn, user: &User) -> QueryResult<UserSummary> {
    let mut summary = user.summary();
    if let Some(message) = user.invitation_message_id
        && let Some((delivery, at)) = deliveries(conn, &[message])?.remove(&message)
    {
        summary.invite_delivery = Some(delivery);
        summary.invite_scheduled_for = at;
    }
    Ok(summary)
}

/// The status of these invitation messages (the users' delivery states),
/// with the send time of a scheduled one.
fn deliveries(
    conn: &mut DbConn,
    messages: &[i64],
) -> QueryResult<std::collections::HashMap<i64, (Delivery, Option<PrimitiveDateTime>)>> {
    use crate::db::schema::outbox_messages as o;
    if messages.is_empty() {
        return Ok(Default::default());
    }
    Ok(o::table
        .filter(o::id.eq_any(messages.to_vec()))
        .select((o::id, o::status, o::next_attempt_at))
        .load::<(i64, Delivery, PrimitiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, d, at)| (id, (d, (d == Delivery::Geplant).then_some(at))))
        .collect())
}

/// Summaries of the rows of a page, with their delivery states (one
/// lookup for the page).
pub fn summaries(conn: &mut DbConn, rows: Vec<SummaryRow>) -> QueryResult<Vec<UserSummary>> {
    let messages: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.invitation_message_id)
        .collect();
    let states = deliveries(conn, &messages)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = r
                .invitation_message_id
                .and_then(|m| states.get(&m).copied());
            UserSummary {
                invite_delivery: state.map(|(d, _)| d),
                invite_scheduled_for: state.and_then(|(_, at)| at),
                ..r.into()
            }
        })
        .collect())
}

impl From<SummaryRow> for UserSummary {
    fn from(r: SummaryRow) -> Self {
        UserSummary {
            id: r.id,
            salutation: r.salutation,
            first_name: r.first_name,
            last_name: r.last_name,
            username: r.username,
            email: r.email,
            email_confirmed: r.email_confirmed,
            personnel_number: r.personnel_number,
            user_type: r.user_type,
            admin_role: r.admin_role.filter(|_| r.is_staff),
            status: r.status,
            must_change_password: r.must_change_password,
            last_login_at: r.last_login_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            invitation_expires_at: r.invitation_expires_at,
            invite_delivery: None,
            invite_scheduled_for: None,
            sign_in_deadline: r.sign_in_deadline,
        }
    }
}

/// Values every write of the searchable/sortable copies needs.
pub fn sort_name(first_name: &str, last_name: &str) -> String {
    crate::domain::username::sort_key(&format!("{last_name} {first_name}"))
}

/// What the user search looks through: the names in both orders (as the
/// list shows them, "Müller, Anna", and as people say them), then username,
/// email and personnel number, folded as `domain::text::search_text` does.
pub fn search_text(
    first: &str,
    last: &str,
    username: &str,
    email: Option<&str>,
    personnel: Option<&str>,
) -> String {
    let (last_first, first_last) = (format!("{last} {first}"), format!("{first} {last}"));
    crate::domain::text::search_text(&[
        &last_first,
        &first_last,
        username,
        email.unwrap_or(""),
        personnel.unwrap_or(""),
    ])
}

#[derive(Insertable)]
#[diesel(table_name = u)]
pub struct NewUser {
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub email_confirmed: bool,
    pub personnel_number: Option<String>,
    pub user_type: UserType,
    pub is_staff: bool,
    pub admin_role: Option<AdminRole>,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub sort_name: String,
    pub search_text: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// Changes of a user row. `None` leaves a column alone; `Some(None)` clears a
/// nullable one. The status is not here: it changes only through
/// [`set_status`], with a transition of `domain::status`.
#[derive(AsChangeset, Default)]
#[diesel(table_name = u)]
pub struct UserChanges {
    pub salutation: Option<Option<Salutation>>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub email: Option<Option<String>>,
    pub email_lower: Option<Option<String>>,
    pub email_confirmed: Option<bool>,
    pub personnel_number: Option<Option<String>>,
    pub user_type: Option<UserType>,
    pub is_staff: Option<bool>,
    pub admin_role: Option<Option<AdminRole>>,
    pub password_hash: Option<Option<String>>,
    pub must_change_password: Option<bool>,
    pub sort_name: Option<String>,
    pub search_text: Option<String>,
    pub last_login_at: Option<Option<PrimitiveDateTime>>,
    pub updated_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<Option<PrimitiveDateTime>>,
    pub invitation_expires_at: Option<Option<PrimitiveDateTime>>,
    pub invitation_message_id: Option<Option<i64>>,
    pub invitation_reminded_at: Option<Option<PrimitiveDateTime>>,
    pub sign_in_deadline: Option<Option<PrimitiveDateTime>>,
}

/// Invited users whose unused invitation, sent by mail, expires within
/// `until` and who were not reminded of it yet (the reminder job), soonest
/// first.
pub fn due_for_reminder(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    until: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<User>> {
    live()
        .filter(u::status.eq(UserStatus::Eingeladen))
        .filter(u::invitation_expires_at.gt(now))
        .filter(u::invitation_expires_at.le(until))
        .filter(u::invitation_reminded_at.is_null())
        .filter(u::email.is_not_null())
        // Invited by mail: a link handed over by hand (a QR code, a printed
        // letter) has no message, and a reminder would replace it.
        .filter(u::invitation_message_id.is_not_null())
        .order((u::invitation_expires_at.asc(), u::id.asc()))
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

fn live() -> u::BoxedQuery<'static, Db> {
    u::table.filter(u::deleted_at.is_null()).into_boxed()
}

pub fn insert(conn: &mut DbConn, row: &NewUser) -> QueryResult<UserId> {
    diesel::insert_into(u::table)
        .values(row)
        .returning(u::id)
        .get_result(conn)
}

pub fn update(conn: &mut DbConn, id: UserId, changes: &UserChanges) -> QueryResult<usize> {
    diesel::update(u::table.find(id)).set(changes).execute(conn)
}

/// What an update import leaves of one person: every field a file may
/// change, as it is afterwards (one the file does not change as it was).
pub struct ImportedValues {
    pub id: UserId,
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub personnel_number: Option<String>,
    pub user_type: UserType,
    pub sort_name: String,
    pub search_text: String,
    /// Which of them differ from the person's before.
    pub changed: ImportedFields,
}

impl ImportedValues {
    /// The person's values as they are, nothing changed yet (the sort name
    /// and search text are made again once the changes are in).
    pub fn of(person: &User) -> Self {
        Self {
            id: person.id,
            salutation: person.salutation,
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            username: person.username.clone(),
            email: person.email.clone(),
            email_lower: person.email_lower.clone(),
            personnel_number: person.personnel_number.clone(),
            user_type: person.user_type,
            sort_name: String::new(),
            search_text: String::new(),
            changed: ImportedFields::default(),
        }
    }

    /// Makes the sort name and the search text of the values as they are.
    pub fn derive_texts(&mut self) {
        self.sort_name = sort_name(&self.first_name, &self.last_name);
        self.search_text = search_text(
            &self.first_name,
            &self.last_name,
            &self.username,
            self.email.as_deref(),
            self.personnel_number.as_deref(),
        );
    }
}

/// The fields of `ImportedValues` that differ from the person's before.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportedFields {
    pub salutation: bool,
    /// The first or the last name (and so the sort name).
    pub names: bool,
    pub username: bool,
    pub email: bool,
    pub personnel_number: bool,
    pub user_type: bool,
}

impl ImportedFields {
    pub fn any(&self) -> bool {
        self.salutation
            || self.names
            || self.username
            || self.email
            || self.personnel_number
            || self.user_type
    }
}

/// Writes an update import's values: on PostgreSQL one statement per
/// 10,000 people (their values go in as arrays), on SQLite one statement
/// per person inside the caller's immediate transaction, with only the
/// columns that change (each column written rewrites its indexes there).
pub fn write_imported(
    conn: &mut DbConn,
    people: &[ImportedValues],
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
    let mut n = 0;
    match conn {
        DbConn::Postgres(c) => {
            for chunk in people.chunks(10_000) {
                let texts = |f: fn(&ImportedValues) -> &str| -> Vec<String> {
                    chunk.iter().map(|p| f(p).to_owned()).collect()
                };
                let optional = |f: fn(&ImportedValues) -> Option<&str>| -> Vec<Option<String>> {
                    chunk.iter().map(|p| f(p).map(str::to_owned)).collect()
                };
                n += diesel::sql_query(
                    "UPDATE users AS u SET salutation = v.salutation, \
                     first_name = v.first_name, last_name = v.last_name, \
                     username = v.username, email = v.email, email_lower = v.email_lower, \
                     personnel_number = v.personnel_number, user_type = v.user_type, \
                     sort_name = v.sort_name, search_text = v.search_text, updated_at = $12 \
                     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) \
                     AS v(id, salutation, first_name, last_name, username, email, email_lower, \
                     personnel_number, user_type, sort_name, search_text) \
                     WHERE u.id = v.id",
                )
                .bind::<Array<BigInt>, _>(chunk.iter().map(|p| p.id.get()).collect::<Vec<i64>>())
                .bind::<Array<Nullable<Text>>, _>(optional(|p| p.salutation.map(|s| s.as_str())))
                .bind::<Array<Text>, _>(texts(|p| &p.first_name))
                .bind::<Array<Text>, _>(texts(|p| &p.last_name))
                .bind::<Array<Text>, _>(texts(|p| &p.username))
                .bind::<Array<Nullable<Text>>, _>(optional(|p| p.email.as_deref()))
                .bind::<Array<Nullable<Text>>, _>(optional(|p| p.email_lower.as_deref()))
                .bind::<Array<Nullable<Text>>, _>(optional(|p| p.personnel_number.as_deref()))
                .bind::<Array<Text>, _>(texts(|p| p.user_type.as_str()))
                .bind::<Array<Text>, _>(texts(|p| &p.sort_name))
                .bind::<Array<Text>, _>(texts(|p| &p.search_text))
                .bind::<Timestamp, _>(now)
                .execute(c)?;
            }
        }
        DbConn::Sqlite(c) => {
            for p in people {
                let f = p.changed;
                let searched = f.names || f.username || f.email || f.personnel_number;
                let set = UserChanges {
                    salutation: f.salutation.then_some(p.salutation),
                    first_name: f.names.then(|| p.first_name.clone()),
                    last_name: f.names.then(|| p.last_name.clone()),
                    sort_name: f.names.then(|| p.sort_name.clone()),
                    username: f.username.then(|| p.username.clone()),
                    email: f.email.then(|| p.email.clone()),
                    email_lower: f.email.then(|| p.email_lower.clone()),
                    personnel_number: f.personnel_number.then(|| p.personnel_number.clone()),
                    user_type: f.user_type.then_some(p.user_type),
                    search_text: searched.then(|| p.search_text.clone()),
                    updated_at: Some(now),
                    ..Default::default()
                };
                n += diesel::update(u::table.find(p.id)).set(&set).execute(c)?;
            }
        }
    }
    Ok(n)
}

/// Writes a new status, which the caller got from a `UserStatus` transition.
pub fn set_status(
    conn: &mut DbConn,
    id: UserId,
    status: UserStatus,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(u::table.find(id))
        .set((u::status.eq(status), u::updated_at.eq(now)))
        .execute(conn)
}

/// Changes the password hash only if it is still `expected` (so two changes
/// at once cannot both win); true if it was changed.
pub fn replace_password_hash(
    conn: &mut DbConn,
    id: UserId,
    expected: Option<&str>,
    hash: &str,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let changes = (
        u::password_hash.eq(hash),
        u::must_change_password.eq(false),
        u::updated_at.eq(now),
    );
    let n = match expected {
        Some(old) => diesel::update(u::table.find(id).filter(u::password_hash.eq(old)))
            .set(changes)
            .execute(conn)?,
        None => diesel::update(u::table.find(id).filter(u::password_hash.is_null()))
            .set(changes)
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Invited users whose link ran out at `now` (the nightly rule).
pub fn due_for_expiry(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<UserId>> {
    live()
        .filter(u::status.eq(UserStatus::Eingeladen))
        .filter(u::invitation_expires_at.le(now))
        .order(u::id.asc())
        .limit(limit)
        .select(u::id)
        .load(conn)
}

/// Reactivated users whose sign-in deadline passed without a sign-in.
pub fn due_for_sign_in_deadline(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<UserId>> {
    live()
        .filter(u::sign_in_deadline.le(now))
        .order(u::id.asc())
        .limit(limit)
        .select(u::id)
        .load(conn)
}

pub fn clear_sign_in_deadlines(conn: &mut DbConn, ids: &[UserId]) -> QueryResult<usize> {
    diesel::update(u::table.filter(u::id.eq_any(ids)))
        .set(u::sign_in_deadline.eq(None::<PrimitiveDateTime>))
        .execute(conn)
}

/// Moves those of `ids` that are still in `from` to `to` (a transition the
/// caller checked); returns the users that moved, as they were.
pub fn move_status(
    conn: &mut DbConn,
    ids: &[UserId],
    from: UserStatus,
    to: UserStatus,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let before: Vec<User> = live()
        .filter(u::id.eq_any(ids.to_vec()))
        .filter(u::status.eq(from))
        .select(User::as_select())
        .load(conn)?;
    let moving: Vec<UserId> = before.iter().map(|u| u.id).collect();
    diesel::update(
        u::table
            .filter(u::id.eq_any(&moving))
            .filter(u::status.eq(from)),
    )
    .set((u::status.eq(to), u::updated_at.eq(now)))
    .execute(conn)?;
    Ok(before)
}

/// Every live user in a status (for set-wise actions), by id.
pub fn with_status(conn: &mut DbConn, status: UserStatus) -> QueryResult<Vec<User>> {
    live()
        .filter(u::status.eq(status))
        .order(u::id.asc())
        .select(User::as_select())
        .load(conn)
}

/// These users, if they are live and still in `status`, in id order; on
/// PostgreSQL locked until the transaction ends (nobody changes them
/// between the check and the write).
pub fn lock_with_status(
    conn: &mut DbConn,
    ids: &[UserId],
    status: UserStatus,
) -> QueryResult<Vec<User>> {
    macro_rules! q {
        () => {
            u::table
                .filter(u::deleted_at.is_null())
                .filter(u::id.eq_any(ids))
                .filter(u::status.eq(status))
                .order(u::id.asc())
                .select(User::as_select())
        };
    }
    match conn {
        DbConn::Postgres(c) => q!().for_no_key_update().load(c),
        DbConn::Sqlite(c) => q!().load(c),
    }
}

/// A field only one live account may hold at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UniqueField {
    Username,
    /// By the lower-cased address.
    Email,
    PersonnelNumber,
}

/// The live accounts holding any of `values` in `field`: (value, holder).
pub fn holders_of(
    conn: &mut DbConn,
    field: UniqueField,
    values: &[String],
) -> QueryResult<Vec<(String, UserId)>> {
    let mut out = Vec::new();
    for chunk in values.chunks(5000) {
        out.extend(match field {
            UniqueField::Username => live()
                .filter(u::username.eq_any(chunk))
                .select((u::username, u::id))
                .load::<(String, UserId)>(conn)?,
            UniqueField::Email => live()
                .filter(u::email_lower.eq_any(chunk))
                .select((u::email_lower.assume_not_null(), u::id))
                .load::<(String, UserId)>(conn)?,
            UniqueField::PersonnelNumber => live()
                .filter(u::personnel_number.eq_any(chunk))
                .select((u::personnel_number.assume_not_null(), u::id))
                .load::<(String, UserId)>(conn)?,
        });
    }
    Ok(out)
}

/// These users, if they are live, in id order; on PostgreSQL locked until
/// the transaction ends.
pub fn lock_many(conn: &mut DbConn, ids: &[UserId]) -> QueryResult<Vec<User>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        macro_rules! q {
            () => {
                u::table
                    .filter(u::deleted_at.is_null())
                    .filter(u::id.eq_any(chunk))
                    .order(u::id.asc())
                    .select(User::as_select())
            };
        }
        out.extend(match conn {
            DbConn::Postgres(c) => q!().for_no_key_update().load(c)?,
            DbConn::Sqlite(c) => q!().load(c)?,
        });
    }
    Ok(out)
}

/// A person whose new link was handed over by hand (a QR letter) moves on:
/// the status (from a transition the caller checked), the link's expiry, no
/// invitation message, no reminder sent yet.
pub fn mark_handed_over(
    conn: &mut DbConn,
    id: UserId,
    status: UserStatus,
    expires: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(u::table.find(id).filter(u::deleted_at.is_null()))
        .set((
            u::status.eq(status),
            u::invitation_expires_at.eq(Some(expires)),
            u::invitation_message_id.eq(None::<i64>),
            u::invitation_reminded_at.eq(None::<PrimitiveDateTime>),
            u::sign_in_deadline.eq(None::<PrimitiveDateTime>),
            u::updated_at.eq(now),
        ))
        .execute(conn)
}

/// One invited user of a bulk invitation moves on: the status (from a
/// transition the caller checked), the link's expiry, his invitation
/// message. Only if he is still `angelegt`; the count tells the caller.
pub fn mark_invited(
    conn: &mut DbConn,
    id: UserId,
    status: UserStatus,
    expires: PrimitiveDateTime,
    message: i64,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        u::table
            .find(id)
            .filter(u::status.eq(UserStatus::Angelegt))
            .filter(u::deleted_at.is_null()),
    )
    .set((
        u::status.eq(status),
        u::invitation_expires_at.eq(Some(expires)),
        u::invitation_message_id.eq(Some(message)),
        u::sign_in_deadline.eq(None::<PrimitiveDateTime>),
        u::updated_at.eq(now),
    ))
    .execute(conn)
}

/// A live user, his row locked until the transaction ends (PostgreSQL;
/// SQLite's write transaction holds the database). Who takes an account
/// (activation, reset) locks the person first, like an undone import does,
/// so that the two wait for each other instead of deadlocking.
pub fn lock(conn: &mut DbConn, id: UserId) -> QueryResult<Option<User>> {
    match conn {
        DbConn::Postgres(c) => u::table
            .filter(u::deleted_at.is_null())
            .filter(u::id.eq(id))
            .select(User::as_select())
            .for_no_key_update()
            .first(c)
            .optional(),
        DbConn::Sqlite(_) => find(conn, id),
    }
}

/// Notes when the person first took his account.
pub fn mark_activated(conn: &mut DbConn, id: UserId, now: PrimitiveDateTime) -> QueryResult<usize> {
    diesel::update(u::table.find(id).filter(u::activated_at.is_null()))
        .set(u::activated_at.eq(now))
        .execute(conn)
}

pub fn find(conn: &mut DbConn, id: UserId) -> QueryResult<Option<User>> {
    live()
        .filter(u::id.eq(id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Users (deleted ones too) with what their search text is made of, by id
/// from `after` on: (id, first, last, username, email, personnel number).
#[allow(clippy::type_complexity)]
pub fn search_sources(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
) -> QueryResult<
    Vec<(
        UserId,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    )>,
> {
    u::table
        .filter(u::id.gt(UserId::new(after)))
        .order(u::id)
        .limit(limit)
        .select((
            u::id,
            u::first_name,
            u::last_name,
            u::username,
            u::email,
            u::personnel_number,
        ))
        .load(conn)
}

/// An account's address as stored: id, the address, its key, and whether
/// the account is live.
pub type EmailSource = (UserId, String, Option<String>, bool);

/// Up to `limit` addresses after the id `after`, in id order.
pub fn email_sources(conn: &mut DbConn, after: i64, limit: i64) -> QueryResult<Vec<EmailSource>> {
    u::table
        .filter(u::id.gt(UserId::new(after)))
        .filter(u::email.is_not_null())
        .order(u::id)
        .limit(limit)
        .select((
            u::id,
            u::email.assume_not_null(),
            u::email_lower,
            u::deleted_at.is_null(),
        ))
        .load::<EmailSource>(conn)
}

/// Up to `limit` personnel numbers after the id `after`, in id order:
/// id, the number, and whether the account is live.
pub fn number_sources(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<(UserId, String, bool)>> {
    u::table
        .filter(u::id.gt(UserId::new(after)))
        .filter(u::personnel_number.is_not_null())
        .order(u::id)
        .limit(limit)
        .select((
            u::id,
            u::personnel_number.assume_not_null(),
            u::deleted_at.is_null(),
        ))
        .load(conn)
}

pub fn set_personnel_number(conn: &mut DbConn, id: UserId, number: &str) -> QueryResult<usize> {
    diesel::update(u::table.find(id))
        .set(u::personnel_number.eq(number))
        .execute(conn)
}

pub fn set_email_key(conn: &mut DbConn, id: UserId, key: &str) -> QueryResult<usize> {
    diesel::update(u::table.find(id))
        .set(u::email_lower.eq(key))
        .execute(conn)
}

pub fn set_search_text(conn: &mut DbConn, id: UserId, text: &str) -> QueryResult<usize> {
    diesel::update(u::table.find(id))
        .set(u::search_text.eq(text))
        .execute(conn)
}

pub fn find_summary(conn: &mut DbConn, id: UserId) -> QueryResult<Option<UserSummary>> {
    Ok(live()
        .filter(u::id.eq(id))
        .select(SummaryRow::as_select())
        .first(conn)
        .optional()?
        .map(|row| summaries(conn, vec![row]))
        .transpose()?
        .and_then(|mut v| v.pop()))
}

/// The account a lookup key names: an email (if it has an `@`) or a
/// username. The key is already normalised (`domain::text::lookup_key`).
pub fn find_by_login(conn: &mut DbConn, key: &str) -> QueryResult<Option<User>> {
    let q = if key.contains('@') {
        live().filter(u::email_lower.eq(key.to_owned()))
    } else {
        live().filter(u::username.eq(key.to_owned()))
    };
    q.select(User::as_select()).first(conn).optional()
}

pub fn username_taken(
    conn: &mut DbConn,
    username: &str,
    except: Option<UserId>,
) -> QueryResult<bool> {
    let mut q = live().filter(u::username.eq(username.to_owned()));
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    Ok(q.select(count_star()).first::<i64>(conn)? > 0)
}

pub fn email_taken(
    conn: &mut DbConn,
    email_key: &str,
    except: Option<UserId>,
) -> QueryResult<bool> {
    let mut q = live().filter(u::email_lower.eq(email_key.to_owned()));
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    Ok(q.select(count_star()).first::<i64>(conn)? > 0)
}

pub fn personnel_number_taken(
    conn: &mut DbConn,
    number: &str,
    except: Option<UserId>,
) -> QueryResult<bool> {
    let mut q = live().filter(u::personnel_number.eq(number.to_owned()));
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    Ok(q.select(count_star()).first::<i64>(conn)? > 0)
}

/// Every personnel number of a live account (an import checks against them).
pub fn all_personnel_numbers(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    live()
        .filter(u::personnel_number.is_not_null())
        .select(u::personnel_number.assume_not_null())
        .load(conn)
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

/// Locks the rows of every active Administrator until the transaction ends
/// and returns their ids. (On PostgreSQL user rows are locked `FOR NO KEY
/// UPDATE`: lockers exclude each other as with `FOR UPDATE`, but a row
/// elsewhere that names a locked user — an audit entry by an admin, a
/// token — can still be written, so "lock a person, record the admin's
/// action" never deadlocks against "lock the admins, then the person".) Whoever removes an Administrator (deactivate,
/// delete, demote) takes these locks first, so two admins removing each
/// other at once are serialised and the second sees the first's change:
/// PostgreSQL re-checks the condition of a `FOR UPDATE` row after waiting.
/// On SQLite every write transaction already holds the database's write
/// lock (`BEGIN IMMEDIATE`), which serialises the same way.
pub fn lock_active_administrators(conn: &mut DbConn) -> QueryResult<Vec<UserId>> {
    macro_rules! query {
        () => {
            u::table
                .filter(u::deleted_at.is_null())
                .filter(u::is_staff.eq(true))
                .filter(u::admin_role.eq(AdminRole::Administrator))
                .filter(u::status.eq(UserStatus::Aktiv))
                .order(u::id)
                .select(u::id)
        };
    }
    match conn {
        DbConn::Postgres(c) => query!().for_no_key_update().load(c),
        DbConn::Sqlite(c) => query!().load(c),
    }
}

/// Active administrators (the ones that must never all disappear).
pub fn count_active_administrators(conn: &mut DbConn) -> QueryResult<i64> {
    live()
        .filter(u::is_staff.eq(true))
        .filter(u::admin_role.eq(AdminRole::Administrator))
        .filter(u::status.eq(UserStatus::Aktiv))
        .select(count_star())
        .first(conn)
}

/// Live users per status, from the trigger-kept counter table.
pub fn count_by_status(conn: &mut DbConn) -> QueryResult<Vec<(UserStatus, i64)>> {
    use crate::db::schema::user_status_counts as c;
    // By key, not by scanning: after a bulk load the PostgreSQL table holds
    // many dead row versions until vacuum, and a scan would read them all.
    let base: Vec<(UserStatus, i64)> = c::table
        .filter(c::status.eq_any(UserStatus::ALL.to_vec()))
        .select((c::status, c::live))
        .load(conn)?;
    // Deltas not folded yet (PostgreSQL; always none on SQLite).
    let pending = pending_deltas(conn)?;
    Ok(base
        .into_iter()
        .map(|(status, live)| {
            let more: i64 = pending
                .iter()
                .filter(|p| p.status == status.as_str())
                .map(|p| p.n)
                .sum();
            (status, live + more)
        })
        .collect())
}

#[derive(QueryableByName)]
struct PendingDelta {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

const PENDING_DELTAS: &str = "SELECT status, CAST(SUM(delta) AS BIGINT) AS n \
     FROM user_status_count_deltas GROUP BY status";

fn pending_deltas(conn: &mut DbConn) -> QueryResult<Vec<PendingDelta>> {
    match conn {
        DbConn::Postgres(c) => diesel::sql_query(PENDING_DELTAS).load(c),
        DbConn::Sqlite(c) => diesel::sql_query(PENDING_DELTAS).load(c),
    }
}

/// Moves the pending deltas into the counters, atomically (one statement
/// on PostgreSQL; SQLite has none). Safe beside writers and other instances.
pub fn fold_status_deltas(conn: &mut DbConn) -> QueryResult<usize> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConn::Postgres(c) => {
            c.batch_execute(
                "WITH moved AS (DELETE FROM user_status_count_deltas RETURNING status, delta) \
                 UPDATE user_status_counts c SET live = c.live + m.n \
                 FROM (SELECT status, SUM(delta) AS n FROM moved GROUP BY status) m \
                 WHERE c.status = m.status",
            )?;
            Ok(0)
        }
        DbConn::Sqlite(_) => Ok(0),
    }
}

/// The same figures counted the slow way, to check the counters against.
pub fn count_by_status_exactly(conn: &mut DbConn) -> QueryResult<Vec<(UserStatus, i64)>> {
    u::table
        .filter(u::deleted_at.is_null())
        .group_by(u::status)
        .select((u::status, count_star()))
        .load(conn)
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Part of name, username, email or personnel number.
    pub text: Option<String>,
    pub status: Option<UserStatus>,
    pub group: Option<UnitId>,
    pub area: Option<UnitId>,
    pub user_type: Option<UserType>,
    pub staff: Option<bool>,
    /// Delivery of the last invitation mail.
    pub delivery: Option<Delivery>,
    /// Created by this import batch.
    pub import_batch: Option<i64>,
}

impl UserFilter {
    pub fn is_empty(&self) -> bool {
        self.text.is_none()
            && self.delivery.is_none()
            && self.status.is_none()
            && self.group.is_none()
            && self.area.is_none()
            && self.user_type.is_none()
            && self.staff.is_none()
            && self.import_batch.is_none()
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
        let needle = crate::domain::text::search_fold(text);
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

/// The search and the delivery filter, resolved once per request (the
/// count and the page share the lookups).
struct Matches {
    text: TextMatch,
    delivery: DeliveryMatch,
}

impl Matches {
    fn resolve(filter: &UserFilter, conn: &mut DbConn) -> QueryResult<Self> {
        Ok(Self {
            text: TextMatch::resolve(filter, conn)?,
            delivery: DeliveryMatch::resolve(filter, conn)?,
        })
    }
}

/// Up to this many users in a delivery state are passed as literal ids.
const FEW_IN_DELIVERY_STATE: i64 = 2000;

/// How the delivery filter is matched (SQLite: by how many match).
enum DeliveryMatch {
    Anything,
    /// Few users in that state: their ids, found from the messages' side
    /// (looked up by key; walking the sort index to test each user would
    /// visit all of them).
    Ids(Vec<i64>),
    /// Many: each user's current invitation message is looked up by key
    /// while the list walks its sort index, which soon fills a page.
    Current(Delivery),
    /// PostgreSQL: users whose current invitation message is among those in
    /// that state (a semi-join).
    Messages(Delivery),
}

impl DeliveryMatch {
    fn resolve(filter: &UserFilter, conn: &mut DbConn) -> QueryResult<Self> {
        let Some(delivery) = filter.delivery else {
            return Ok(Self::Anything);
        };
        // PostgreSQL plans the semi-join itself, by its statistics.
        if !matches!(conn, DbConn::Sqlite(_)) {
            return Ok(Self::Messages(delivery));
        }
        let few: Vec<i64> = crate::models::outbox::users_with_current_invitation(
            conn,
            delivery,
            FEW_IN_DELIVERY_STATE + 1,
        )?
        .into_iter()
        .map(|id| id.get())
        .collect();
        if few.len() as i64 <= FEW_IN_DELIVERY_STATE {
            Ok(Self::Ids(few))
        } else {
            Ok(Self::Current(delivery))
        }
    }
}

fn filtered(filter: &UserFilter, m: &Matches) -> u::BoxedQuery<'static, Db> {
    let text = &m.text;
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
        q = q.filter(u::status.eq(status));
    }
    match &m.delivery {
        DeliveryMatch::Anything => {}
        DeliveryMatch::Ids(ids) => q = q.filter(u::id.eq_any(ids.clone())),
        DeliveryMatch::Current(delivery) => {
            // An IN over the matching messages made SQLite sort all 65,000
            // of them for one page: 1.4 s at 100,000 users.
            use crate::db::schema::outbox_messages as o;
            let current = o::table
                .filter(o::id.nullable().eq(u::invitation_message_id))
                .filter(o::status.eq(*delivery));
            q = q.filter(diesel::dsl::exists(current));
        }
        DeliveryMatch::Messages(delivery) => {
            use crate::db::schema::outbox_messages as o;
            let users = o::table
                .filter(o::current_invitation)
                .filter(o::status.eq(*delivery))
                .select(o::user_id);
            q = q.filter(u::id.nullable().eq_any(users));
        }
    }
    if let Some(group) = filter.group {
        let members = group_memberships::table
            .filter(group_memberships::group_id.eq(group))
            .select(group_memberships::user_id);
        q = q.filter(u::id.eq_any(members));
    }
    if let Some(area) = filter.area {
        let members = area_assignments::table
            .filter(area_assignments::area_id.eq(area))
            .select(area_assignments::user_id);
        q = q.filter(u::id.eq_any(members));
    }
    if let Some(user_type) = filter.user_type {
        q = q.filter(u::user_type.eq(user_type));
    }
    if let Some(staff) = filter.staff {
        q = q.filter(u::is_staff.eq(staff));
    }
    if let Some(batch) = filter.import_batch {
        q = q.filter(u::import_batch_id.eq(batch));
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

/// How many live users match the filter.
pub fn count(conn: &mut DbConn, filter: &UserFilter) -> QueryResult<i64> {
    if let Some(n) = kept_count(conn, filter)? {
        return Ok(n);
    }
    let m = Matches::resolve(filter, conn)?;
    count_matching(conn, filter, &m)
}

/// The count without looking at the users, where a kept figure answers it:
/// only a status (the counters), or only a delivery state (its index).
fn kept_count(conn: &mut DbConn, filter: &UserFilter) -> QueryResult<Option<i64>> {
    let only_status = UserFilter {
        status: None,
        ..filter.clone()
    };
    if only_status.is_empty() {
        let counts = count_by_status(conn)?;
        return Ok(Some(
            counts
                .iter()
                .filter(|(status, _)| filter.status.is_none_or(|wanted| wanted == *status))
                .map(|(_, n)| n)
                .sum(),
        ));
    }
    // Only the delivery state: counted on the messages' side.
    let without_delivery = UserFilter {
        delivery: None,
        ..filter.clone()
    };
    if let Some(delivery) = filter.delivery
        && without_delivery.is_empty()
    {
        return crate::models::outbox::count_current_invitations(conn, delivery).map(Some);
    }
    Ok(None)
}

fn count_matching(conn: &mut DbConn, filter: &UserFilter, m: &Matches) -> QueryResult<i64> {
    filtered(filter, m).select(count_star()).first(conn)
}

/// Where a page of the name-sorted list starts: right after (or, going
/// back, right before) this user, wherever he stands now. Keyset paging: the
/// database seeks to him on the sort index instead of counting past every
/// row before him.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    After(UserId),
    Before(UserId),
}

/// The rows of one page by keyset (name order), or `None` when the cursor's
/// user is unknown (the caller falls back to the page number).
fn keyset_page(
    conn: &mut DbConn,
    filter: &UserFilter,
    m: &Matches,
    descending: bool,
    cursor: Cursor,
    per_page: i64,
) -> QueryResult<Option<Vec<SummaryRow>>> {
    let id = match cursor {
        Cursor::After(id) | Cursor::Before(id) => id,
    };
    let Some(key) = u::table
        .find(id)
        .select(u::sort_name)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    // Walking forward in the shown order, or backward (then reversed).
    let forward = matches!(cursor, Cursor::After(_));
    let up = forward != descending;
    let q = filtered(filter, m);
    // `(sort_name, id) > (key, id)`, written with a plain range on the
    // leading column first, so both planners seek on the sort index
    // instead of testing the OR row by row.
    let q = if up {
        q.filter(u::sort_name.ge(key.clone()))
            .filter(u::sort_name.gt(key).or(u::id.gt(id)))
            .order((u::sort_name.asc(), u::id.asc()))
    } else {
        q.filter(u::sort_name.le(key.clone()))
            .filter(u::sort_name.lt(key).or(u::id.lt(id)))
            .order((u::sort_name.desc(), u::id.desc()))
    };
    let ids: Vec<UserId> = q.select(u::id).limit(per_page).load(conn)?;
    let mut rows = rows_by_ids(conn, &ids)?;
    if !forward {
        rows.reverse();
    }
    Ok(Some(rows))
}

/// Whole rows for ids, in the order of the ids.
fn rows_by_ids(conn: &mut DbConn, ids: &[UserId]) -> QueryResult<Vec<SummaryRow>> {
    let mut rows: Vec<SummaryRow> = u::table
        .filter(u::id.eq_any(ids.to_vec()))
        .select(SummaryRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

#[allow(clippy::too_many_arguments)]
/// What a bulk action needs to know of the users a filter finds, in id
/// order, at most `limit` of them.
pub fn bulk_facts_matching(
    conn: &mut DbConn,
    filter: &UserFilter,
    limit: i64,
) -> QueryResult<Vec<crate::domain::tasks::BulkFacts>> {
    let m = Matches::resolve(filter, conn)?;
    let rows: Vec<FactsRow> = filtered(filter, &m)
        .order(u::id.asc())
        .limit(limit)
        .select((u::id, u::status, u::email, u::admin_role, u::is_staff))
        .load(conn)?;
    Ok(rows.into_iter().map(bulk_facts).collect())
}

/// The same for chosen users (live ones; unknown ids are left out).
pub fn bulk_facts_of(
    conn: &mut DbConn,
    ids: &[UserId],
) -> QueryResult<Vec<crate::domain::tasks::BulkFacts>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        let rows: Vec<FactsRow> = live()
            .filter(u::id.eq_any(chunk))
            .order(u::id.asc())
            .select((u::id, u::status, u::email, u::admin_role, u::is_staff))
            .load(conn)?;
        out.extend(rows.into_iter().map(bulk_facts));
    }
    Ok(out)
}

/// id, status, email, admin role, staff: what [`bulk_facts`] is made of.
type FactsRow = (UserId, UserStatus, Option<String>, Option<AdminRole>, bool);

fn bulk_facts((id, status, email, role, staff): FactsRow) -> crate::domain::tasks::BulkFacts {
    crate::domain::tasks::BulkFacts {
        id,
        status,
        has_email: email.is_some(),
        role: role.filter(|_| staff),
    }
}

pub fn list(
    conn: &mut DbConn,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    page: i64,
    per_page: i64,
    cursor: Option<Cursor>,
) -> QueryResult<Page<UserSummary>> {
    let text = Matches::resolve(filter, conn)?;
    let total = match kept_count(conn, filter)? {
        Some(n) => n,
        None => count_matching(conn, filter, &text)?,
    };
    let last = crate::domain::page::last_page(total, per_page);
    let page = page.clamp(1, last);
    // The page number travels with the keyset link (counting the rows
    // before the cursor would cost what the offset costs). A cursor that
    // does not give a whole inner page falls back to the page by number.
    if let Some(cursor) = cursor.filter(|_| sort == UserSort::Name && page > 1 && page < last)
        && let Some(rows) = keyset_page(conn, filter, &text, descending, cursor, per_page)?
        && rows.len() as i64 == per_page
    {
        return Ok(Page {
            items: summaries(conn, rows)?,
            total,
            page,
            per_page,
        });
    }
    let offset = (page - 1) * per_page;
    // Pages past the middle are counted from the end: the last page costs
    // what the first does.
    let on_page = (total - offset).clamp(0, per_page);
    let from_end = total - offset - on_page;
    if offset >= DEFERRED_JOIN_FROM && from_end < offset {
        let ids: Vec<UserId> = ordered(filtered(filter, &text), sort, !descending)
            .select(u::id)
            .limit(on_page)
            .offset(from_end)
            .load(conn)?;
        let mut rows = rows_by_ids(conn, &ids)?;
        rows.reverse();
        return Ok(Page {
            items: summaries(conn, rows)?,
            total,
            page,
            per_page,
        });
    }
    let ordered = || ordered(filtered(filter, &text), sort, descending);
    let default_view = filter.is_empty() && sort == UserSort::Name && !descending;
    let rows: Vec<SummaryRow> = if default_view && offset < DEFERRED_JOIN_FROM {
        // The view every admin opens first: a static query, so diesel keeps
        // it prepared (no parsing and planning per request).
        u::table
            .filter(u::deleted_at.is_null())
            .order((u::sort_name.asc(), u::id.asc()))
            .limit(per_page)
            .offset(offset)
            .select(SummaryRow::as_select())
            .load(conn)?
    } else if offset >= DEFERRED_JOIN_FROM || filter.text.is_some() {
        // Deep pages and searches: find the ids on the (covering) index first,
        // then fetch just those rows, instead of dragging whole rows past the offset.
        let ids: Vec<UserId> = ordered()
            .select(u::id)
            .limit(per_page)
            .offset(offset)
            .load(conn)?;
        rows_by_ids(conn, &ids)?
    } else {
        ordered()
            .limit(per_page)
            .offset(offset)
            .select(SummaryRow::as_select())
            .load(conn)?
    };
    Ok(Page {
        items: summaries(conn, rows)?,
        total,
        page,
        per_page,
    })
}

/// Id, username, lower-cased email and personnel number of an account.
pub type LiveKeys = (UserId, String, Option<String>, Option<String>);

/// The unique keys of every live account (username, email, personnel
/// number), for checking a whole import file at once.
pub fn live_keys(conn: &mut DbConn) -> QueryResult<Vec<LiveKeys>> {
    u::table
        .filter(u::deleted_at.is_null())
        .select((u::id, u::username, u::email_lower, u::personnel_number))
        .load(conn)
}

/// These users (live ones), in any order.
pub fn find_many(conn: &mut DbConn, ids: &[UserId]) -> QueryResult<Vec<User>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        out.extend(
            live()
                .filter(u::id.eq_any(chunk.to_vec()))
                .select(User::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Group and area ids of these users: (user, group) and (user, area) pairs.
#[allow(clippy::type_complexity)]
pub fn units_of(
    conn: &mut DbConn,
    ids: &[UserId],
) -> QueryResult<(Vec<(UserId, UnitId)>, Vec<(UserId, UnitId)>)> {
    let (mut groups, mut areas) = (Vec::new(), Vec::new());
    for chunk in ids.chunks(5000) {
        groups.extend(
            group_memberships::table
                .filter(group_memberships::user_id.eq_any(chunk))
                .select((group_memberships::user_id, group_memberships::group_id))
                .load::<(UserId, UnitId)>(conn)?,
        );
        areas.extend(
            area_assignments::table
                .filter(area_assignments::user_id.eq_any(chunk))
                .select((area_assignments::user_id, area_assignments::area_id))
                .load::<(UserId, UnitId)>(conn)?,
        );
    }
    Ok((groups, areas))
}

/// The people's group memberships, and their places in areas as plain
/// members (as an import adds them): (person, a group?, unit).
pub fn plain_memberships(
    conn: &mut DbConn,
    ids: &[UserId],
) -> QueryResult<Vec<(UserId, bool, UnitId)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(5000) {
        let groups: Vec<(UserId, UnitId)> = group_memberships::table
            .filter(group_memberships::user_id.eq_any(chunk))
            .select((group_memberships::user_id, group_memberships::group_id))
            .load(conn)?;
        let areas: Vec<(UserId, UnitId)> = area_assignments::table
            .filter(area_assignments::user_id.eq_any(chunk))
            .filter(area_assignments::area_role.eq(crate::domain::AreaRole::Mitglied))
            .select((area_assignments::user_id, area_assignments::area_id))
            .load(conn)?;
        out.extend(groups.into_iter().map(|(u, g)| (u, true, g)));
        out.extend(areas.into_iter().map(|(u, a)| (u, false, a)));
    }
    Ok(out)
}

/// The ids of every live user the filter finds, in the list's order, at
/// most `limit` (the export).
pub fn ids_matching(
    conn: &mut DbConn,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    limit: i64,
) -> QueryResult<Vec<UserId>> {
    let m = Matches::resolve(filter, conn)?;
    ordered(filtered(filter, &m), sort, descending)
        .select(u::id)
        .limit(limit)
        .load(conn)
}

/// These users as lists show them, in the order of `ids`.
pub fn summaries_of(conn: &mut DbConn, ids: &[UserId]) -> QueryResult<Vec<UserSummary>> {
    let rows: Vec<SummaryRow> = u::table
        .filter(u::id.eq_any(ids.to_vec()))
        .select(SummaryRow::as_select())
        .load(conn)?;
    in_order_of(conn, rows, ids)
}

/// Those of these users who are not deleted (a page that links to them
/// links to no dead account), in the order of `ids`.
pub fn live_summaries_of(conn: &mut DbConn, ids: &[UserId]) -> QueryResult<Vec<UserSummary>> {
    let rows: Vec<SummaryRow> = u::table
        .filter(u::id.eq_any(ids.to_vec()))
        .filter(u::deleted_at.is_null())
        .select(SummaryRow::as_select())
        .load(conn)?;
    in_order_of(conn, rows, ids)
}

fn in_order_of(
    conn: &mut DbConn,
    rows: Vec<SummaryRow>,
    ids: &[UserId],
) -> QueryResult<Vec<UserSummary>> {
    let at: std::collections::HashMap<UserId, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut rows = rows;
    rows.sort_by_key(|r| at.get(&r.id).copied().unwrap_or(usize::MAX));
    summaries(conn, rows)
}

/// When these users first took their account.
pub fn activated_at_of(
    conn: &mut DbConn,
    ids: &[UserId],
) -> QueryResult<Vec<(UserId, Option<PrimitiveDateTime>)>> {
    u::table
        .filter(u::id.eq_any(ids.to_vec()))
        .select((u::id, u::activated_at))
        .load(conn)
}
