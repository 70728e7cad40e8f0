//! Operations: migrations, health, the planner's statistics.

use crate::config::Config;
use crate::context::Context;
use crate::db;
use crate::services::ServiceResult;

/// Applies pending migrations (`einlass migrate`); returns how many ran.
pub fn migrate(config: &Config) -> Result<usize, db::DatabaseError> {
    let target = db::DatabaseTarget::parse(&config.database_url())?;
    let manager = db::DbManager::new(target)?;
    let mut conn = manager.establish()?;
    let applied = db::run_migrations(&mut conn)?;
    refresh_search_texts(&mut conn).map_err(|e| db::DatabaseError::Migration(e.to_string()))?;
    refresh_email_keys(&mut conn).map_err(|e| db::DatabaseError::Migration(e.to_string()))?;
    refresh_personnel_numbers(&mut conn)
        .map_err(|e| db::DatabaseError::Migration(e.to_string()))?;
    Ok(applied)
}

/// The folding of search texts (`domain::text::search_text`); raise it when
/// that changes, and start-up recomputes every stored search text once.
pub const SEARCH_TEXT_VERSION: i32 = 2;

/// Brings stored search texts (users, audit log) up to the current folding,
/// in chunks of one transaction each. Idempotent: several instances starting
/// at once do the same work and agree.
pub fn refresh_search_texts(conn: &mut db::DbConn) -> ServiceResult<bool> {
    use crate::models::{audit, user};
    once(conn, "search_text", SEARCH_TEXT_VERSION, |conn| {
        in_chunks(
            conn,
            user::search_sources,
            |r| r.0.get(),
            |conn, rows| {
                for (id, first, last, username, email, personnel) in rows {
                    let text = user::search_text(
                        first,
                        last,
                        username,
                        email.as_deref(),
                        personnel.as_deref(),
                    );
                    user::set_search_text(conn, *id, &text)?;
                }
                Ok(())
            },
        )?;
        in_chunks(
            conn,
            audit::search_sources,
            |r| r.0,
            |conn, rows| {
                for (id, actor, target) in rows {
                    let text = crate::services::audit::audit_search_text(actor, target.as_deref());
                    audit::set_search_text(conn, *id, &text)?;
                }
                Ok(())
            },
        )
    })
}

/// The form of address keys (`domain::email::address_key`); raise it when
/// that changes, and start-up brings every stored key to it once.
pub const EMAIL_KEY_VERSION: i32 = 3;

/// Brings stored address keys up to the current form (version 2: a domain
/// written `xn--…` has the key of its Unicode form; version 3: blocked
/// addresses are keyed so too), like
/// [`refresh_search_texts`]. Two live accounts that turn out to share a
/// mailbox keep their old keys, and a warning names them: which one keeps
/// the address is an administrator's call.
pub fn refresh_email_keys(conn: &mut db::DbConn) -> ServiceResult<bool> {
    use crate::models::user;
    once(conn, "email_key", EMAIL_KEY_VERSION, |conn| {
        in_chunks(
            conn,
            user::email_sources,
            |r| r.0.get(),
            |conn, rows| {
                for (id, email, stored, live) in rows {
                    let key = crate::domain::email::address_key(email);
                    if stored.as_deref() == Some(key.as_str()) {
                        continue;
                    }
                    if *live && user::email_taken(conn, &key, Some(*id))? {
                        tracing::warn!(
                            user = id.get(),
                            address = %email,
                            "another account has this mailbox under another spelling of its domain; both keep their addresses"
                        );
                        continue;
                    }
                    user::set_email_key(conn, *id, &key)?;
                }
                Ok(())
            },
        )?;
        // Previews staged before: the commit copies their keys, and checks
        // them against the accounts' (a row whose mailbox is taken in the
        // other form makes the preview stale then).
        let staged = crate::models::import::staged_addresses(conn)?;
        db::write_tx(conn, |conn| -> ServiceResult<()> {
            for (batch, line, email, stored) in &staged {
                let key = crate::domain::email::address_key(email);
                if stored.as_deref() != Some(key.as_str()) {
                    crate::models::import::set_staged_email_key(conn, *batch, *line, &key)?;
                }
            }
            Ok(())
        })?;
        // Blocks: a mailbox blocked in one spelling is blocked in both.
        use crate::models::outbox;
        db::write_tx(conn, |conn| -> ServiceResult<()> {
            for old in outbox::block_keys(conn)? {
                let key = outbox::block_key(&old);
                if key != old {
                    outbox::rekey_block(conn, &old, &key)?;
                }
            }
            Ok(())
        })
    })
}

/// The form of stored personnel numbers (`domain::PersonnelNumber::parse`).
pub const PERSONNEL_NUMBER_VERSION: i32 = 2;

/// Brings stored personnel numbers of people and of whitelist entries to
/// their plain form (version 2: NFKC, `７７７` is `777`), like
/// [`refresh_email_keys`]: a number whose plain form another live account
/// (or open entry) has, or one with digits of another script, stays as it
/// is and a warning names it.
pub fn refresh_personnel_numbers(conn: &mut db::DbConn) -> ServiceResult<bool> {
    use crate::models::{registration, user};
    /// The plain form, where it differs and is a number at all.
    fn plain(number: &str) -> Option<String> {
        if number.is_ascii() {
            return None;
        }
        match crate::domain::PersonnelNumber::parse(number) {
            Ok(Some(n)) if n.as_str() != number => Some(n.as_str().to_owned()),
            Ok(_) => None,
            Err(_) => {
                tracing::warn!(
                    number,
                    "a stored personnel number has no plain form; it stays"
                );
                None
            }
        }
    }
    let collision = |number: &str| {
        tracing::warn!(
            number,
            "another one has this personnel number in its plain form; both keep theirs"
        );
    };
    once(conn, "personnel_number", PERSONNEL_NUMBER_VERSION, |conn| {
        in_chunks(
            conn,
            user::number_sources,
            |r| r.0.get(),
            |conn, rows| {
                for (id, number, live) in rows {
                    let Some(p) = plain(number) else { continue };
                    if *live && user::personnel_number_taken(conn, &p, Some(*id))? {
                        collision(number);
                    } else {
                        user::set_personnel_number(conn, *id, &p)?;
                    }
                }
                Ok(())
            },
        )?;
        in_chunks(
            conn,
            registration::number_sources,
            |r| r.0,
            |conn, rows| {
                for (id, number, open) in rows {
                    let Some(p) = plain(number) else { continue };
                    if *open && registration::open_number_taken(conn, &p, *id)? {
                        collision(number);
                    } else {
                        registration::set_personnel_number(conn, *id, &p)?;
                    }
                }
                Ok(())
            },
        )
    })
}

/// Runs `work` unless the mark `name` is at `version` already, then sets
/// it; whether it ran.
fn once(
    conn: &mut db::DbConn,
    name: &str,
    version: i32,
    work: impl FnOnce(&mut db::DbConn) -> ServiceResult<()>,
) -> ServiceResult<bool> {
    use crate::models::maintenance;
    if maintenance::version(conn, name)? >= version {
        return Ok(false);
    }
    work(conn)?;
    db::write_tx(conn, |conn| -> ServiceResult<()> {
        Ok(maintenance::set_version(conn, name, version)?)
    })?;
    Ok(true)
}

/// Every row `load` gives, a thousand at a time in id order, each
/// thousand handed to `each` in a transaction of its own.
fn in_chunks<R>(
    conn: &mut db::DbConn,
    load: impl Fn(&mut db::DbConn, i64, i64) -> diesel::QueryResult<Vec<R>>,
    id_of: impl Fn(&R) -> i64,
    mut each: impl FnMut(&mut db::DbConn, &[R]) -> ServiceResult<()>,
) -> ServiceResult<()> {
    const CHUNK: i64 = 1000;
    let mut after = 0;
    loop {
        let rows = load(conn, after, CHUNK)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = id_of(last);
        db::write_tx(conn, |conn| each(conn, &rows))?;
    }
}

/// Whether the database answers (`/healthz`).
pub async fn healthy(ctx: &Context) -> bool {
    ctx.db()
        .run(|conn| -> ServiceResult<()> { Ok(crate::models::ping(conn)?) })
        .await
        .is_ok()
}

/// Lets SQLite refresh its planner statistics (PostgreSQL's autovacuum does
/// that by itself).
pub async fn optimize(ctx: &Context) -> ServiceResult<()> {
    ctx.db()
        .run(|conn| -> ServiceResult<()> { Ok(crate::models::optimize(conn)?) })
        .await
}

/// Adds the pending per-status deltas to the counters (PostgreSQL).
pub async fn fold_counts(ctx: &Context) -> ServiceResult<()> {
    ctx.db()
        .run(|conn| -> ServiceResult<()> {
            crate::models::user::fold_status_deltas(conn)?;
            Ok(())
        })
        .await
}
