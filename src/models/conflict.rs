//! Unique violations as typed conflicts: which unique key a write ran into,
//! decided by the constraint's identity, never by searching the message.
//!
//! PostgreSQL names the violated index (`users_email_live`). SQLite names no
//! constraint for a unique index over columns; its error is always
//! `UNIQUE constraint failed: <table>.<column>[, ...]`, so there the index is
//! identified by exactly that column list. Every key is listed once below with
//! both identities; `tests` proves the table against real databases.

use diesel::result::{DatabaseErrorKind, Error};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UniqueKey {
    Username,
    Email,
    PersonnelNumber,
    GroupName,
    AreaName,
    /// A create form submitted a second time.
    FormKey,
    /// A task that runs once at a time is running already.
    RunningTask,
    /// A message was already sent again ("Erneut senden").
    Resent,
    /// A bulk action's confirmation was submitted before.
    TaskFormKey,
    /// An open whitelist entry has this personnel number already.
    WhitelistNumber,
}

/// (PostgreSQL index name, SQLite constraint target, key)
const KEYS: &[(&str, &str, UniqueKey)] = &[
    ("users_username_live", "users.username", UniqueKey::Username),
    ("users_email_live", "users.email_lower", UniqueKey::Email),
    (
        "users_personnel_number_live",
        "users.personnel_number",
        UniqueKey::PersonnelNumber,
    ),
    (
        "user_groups_name_key",
        "user_groups.name_key",
        UniqueKey::GroupName,
    ),
    ("areas_name_key", "areas.name_key", UniqueKey::AreaName),
    (
        "form_submissions_pkey",
        "form_submissions.key_hash",
        UniqueKey::FormKey,
    ),
    (
        "access_link_sets_form_key_hash_key",
        "access_link_sets.form_key_hash",
        UniqueKey::FormKey,
    ),
    (
        "registration_entries_number",
        "registration_entries.personnel_number",
        UniqueKey::WhitelistNumber,
    ),
    (
        "bulk_tasks_one_running",
        "bulk_tasks.kind",
        UniqueKey::RunningTask,
    ),
    (
        "bulk_tasks_form_key",
        "bulk_tasks.form_key",
        UniqueKey::TaskFormKey,
    ),
    (
        "outbox_messages_resent_once",
        "outbox_messages.resent_from",
        UniqueKey::Resent,
    ),
];

const SQLITE_PREFIX: &str = "UNIQUE constraint failed: ";

/// The unique key a failed write violated, if it was one of ours.
pub fn unique_violation(err: &Error) -> Option<UniqueKey> {
    let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = err else {
        return None;
    };
    match info.constraint_name() {
        Some(name) => KEYS.iter().find(|(pg, _, _)| *pg == name),
        None => {
            let target = info.message().strip_prefix(SQLITE_PREFIX)?;
            KEYS.iter().find(|(_, sqlite, _)| *sqlite == target)
        }
    }
    .map(|(_, _, key)| *key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    /// Violates the unique indexes of the real migrations one by one.
    fn check(conn: &mut impl SimpleConnection) {
        let user = |name: &str, email: &str, number: &str| {
            format!(
                "INSERT INTO users (first_name, last_name, username, email, email_lower, \
                 personnel_number, user_type, status, sort_name, search_text, created_at, updated_at) \
                 VALUES ('A', 'B', '{name}', '{email}', '{email}', '{number}', 'mitarbeiter', \
                 'angelegt', 'b a', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        };
        conn.batch_execute(&user("anna", "a@x.de", "1")).unwrap();
        conn.batch_execute(
            "INSERT INTO user_groups (name, name_key, created_at) VALUES ('G', 'g', '2026-01-01 00:00:00'); \
             INSERT INTO areas (name, name_key, created_at) VALUES ('A', 'a', '2026-01-01 00:00:00');",
        )
        .unwrap();
        let cases = [
            (user("anna", "b@x.de", "2"), UniqueKey::Username),
            (user("bert", "a@x.de", "3"), UniqueKey::Email),
            (user("carl", "c@x.de", "1"), UniqueKey::PersonnelNumber),
            (
                "INSERT INTO user_groups (name, name_key, created_at) VALUES ('g', 'g', '2026-01-01 00:00:00')".into(),
                UniqueKey::GroupName,
            ),
            (
                "INSERT INTO areas (name, name_key, created_at) VALUES ('a', 'a', '2026-01-01 00:00:00')".into(),
                UniqueKey::AreaName,
            ),
            (
                "INSERT INTO form_submissions (key_hash, created_at) VALUES ('k', '2026-01-01 00:00:00'); \
                 INSERT INTO form_submissions (key_hash, created_at) VALUES ('k', '2026-01-01 00:00:00')"
                    .into(),
                UniqueKey::FormKey,
            ),
            (
                "INSERT INTO access_link_sets (created_by_label, created_at, expires_at, label, links, \
                 user_type, form_key_hash) VALUES ('a', '2026-01-01 00:00:00', '2026-01-02 00:00:00', '', 1, \
                 'mitarbeiter', 'k'); \
                 INSERT INTO access_link_sets (created_by_label, created_at, expires_at, label, links, \
                 user_type, form_key_hash) VALUES ('a', '2026-01-01 00:00:00', '2026-01-02 00:00:00', '', 1, \
                 'mitarbeiter', 'k')"
                    .into(),
                UniqueKey::FormKey,
            ),
            (
                "INSERT INTO registration_entries (first_name, last_name, first_key, last_key, \
                 personnel_number, user_type, created_at, created_by_label) VALUES ('a', 'b', 'a', 'b', '7', \
                 'mitarbeiter', '2026-01-01 00:00:00', 'x'); \
                 INSERT INTO registration_entries (first_name, last_name, first_key, last_key, \
                 personnel_number, user_type, created_at, created_by_label) VALUES ('c', 'd', 'c', 'd', '7', \
                 'mitarbeiter', '2026-01-01 00:00:00', 'x')"
                    .into(),
                UniqueKey::WhitelistNumber,
            ),
        ];
        for (sql, expected) in cases {
            let err = conn.batch_execute(&sql).unwrap_err();
            assert_eq!(unique_violation(&err), Some(expected), "{err}");
        }
    }

    #[test]
    fn every_unique_key_is_recognised_on_sqlite() {
        use diesel_migrations::MigrationHarness;
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        conn.run_pending_migrations(crate::db::SQLITE_MIGRATIONS)
            .unwrap();
        check(&mut conn);
    }

    #[test]
    fn every_unique_key_is_recognised_on_postgres() {
        use diesel_migrations::MigrationHarness;
        let Some(db) = crate::db::test_support::TempDatabase::postgres() else {
            return;
        };
        let mut conn = diesel::PgConnection::establish(&db.url).unwrap();
        conn.run_pending_migrations(crate::db::POSTGRES_MIGRATIONS)
            .unwrap();
        check(&mut conn);
    }
}
