//! Admin sign-in, sessions and password changes.
//!
//! Unknown account and wrong password take the same path and the same time
//! (a bcrypt check against a dummy hash), and answer the same. Failed attempts
//! are counted per account key and per client address in the database, so the
//! limit holds across instances.

use time::{Duration, PrimitiveDateTime};

use crate::db::{DbConn, write_tx};
use crate::domain::password::{self, Password};
use crate::domain::token::{hash_secret, random_secret};
use crate::domain::{AdminRole, FieldError};
use crate::models::session::{self, AdminSession};
use crate::models::user::{self, User, UserChanges};
use crate::models::{login_failure, token};
use crate::services::audit;
use crate::services::{Actor, FieldErrors, ServiceError, ServiceResult};

/// Failed attempts per account key within the window before it is locked.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed attempts per client address within the window.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// A session's last-seen time is written at most this often.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

/// A new session's plain id: goes into the cookie, never into the database.
pub struct NewSession(pub String);

pub enum LoginOutcome {
    SignedIn {
        session: NewSession,
        user: Box<User>,
        must_change_password: bool,
    },
    Invalid,
    Throttled,
    NoAdminAccess,
}

pub fn account_key(identifier: &str) -> String {
    identifier.trim().to_lowercase()
}

pub fn login(
    conn: &mut DbConn,
    identifier: &str,
    candidate: &str,
    client_ip: &str,
    now: PrimitiveDateTime,
    dummy_hash: &str,
) -> ServiceResult<LoginOutcome> {
    let key = account_key(identifier);
    let since = now - THROTTLE_WINDOW;
    if login_failure::count_for_account(conn, &key, since)? >= MAX_FAILURES_PER_ACCOUNT
        || login_failure::count_for_ip(conn, client_ip, since)? >= MAX_FAILURES_PER_ADDRESS
    {
        return Ok(LoginOutcome::Throttled);
    }
    let found = if key.is_empty() {
        None
    } else {
        user::find_by_login(conn, &key)?
    };
    let hash = found.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok =
        password::verify(candidate, hash.as_deref().unwrap_or(dummy_hash)) && hash.is_some();
    let user = match found {
        Some(u) if password_ok && u.status().may_sign_in() => u,
        _ => {
            write_tx(conn, |conn| {
                login_failure::record(conn, &key, client_ip, now)
            })?;
            return Ok(LoginOutcome::Invalid);
        }
    };
    let Some(role) = user.admin_role() else {
        return Ok(LoginOutcome::NoAdminAccess);
    };
    let session = write_tx(conn, |conn| -> ServiceResult<NewSession> {
        login_failure::clear_account(conn, &key)?;
        let session = start_session(conn, user.id, now)?;
        user::update(
            conn,
            user.id,
            &UserChanges {
                last_login_at: Some(Some(now)),
                ..Default::default()
            },
        )?;
        audit::record(
            conn,
            now,
            &Actor::admin(&user, role),
            "auth.login",
            None,
            None,
        )?;
        Ok(session)
    })?;
    let must_change_password = user.must_change_password;
    Ok(LoginOutcome::SignedIn {
        session,
        user: Box::new(user),
        must_change_password,
    })
}

/// Creates a session row for the user; returns the plain id for the cookie.
pub fn start_session(
    conn: &mut DbConn,
    user_id: i64,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<NewSession> {
    let plain = random_secret();
    session::insert(
        conn,
        &AdminSession {
            id_hash: hash_secret(&plain),
            user_id,
            created_at: now,
            last_seen_at: now,
        },
    )?;
    Ok(NewSession(plain))
}

/// The signed-in admin behind a session cookie, if the session is alive and
/// the account may still use the admin area. Expired sessions are removed.
pub fn current_admin(
    conn: &mut DbConn,
    plain_session_id: &str,
    now: PrimitiveDateTime,
    policy: SessionPolicy,
) -> ServiceResult<Option<(User, AdminRole)>> {
    let id_hash = hash_secret(plain_session_id);
    let Some((s, user)) = session::find_with_user(conn, &id_hash)? else {
        return Ok(None);
    };
    if s.last_seen_at + policy.idle <= now || s.created_at + policy.absolute <= now {
        session::delete(conn, &id_hash)?;
        return Ok(None);
    }
    let Some(user) = user else {
        session::delete(conn, &id_hash)?;
        return Ok(None);
    };
    let Some(role) = user.admin_role().filter(|_| user.status().may_sign_in()) else {
        session::delete(conn, &id_hash)?;
        return Ok(None);
    };
    if s.last_seen_at + TOUCH_INTERVAL <= now {
        session::touch(conn, &id_hash, now, now - TOUCH_INTERVAL)?;
    }
    Ok(Some((user, role)))
}

pub fn logout(conn: &mut DbConn, plain_session_id: &str) -> ServiceResult<()> {
    session::delete(conn, &hash_secret(plain_session_id))?;
    Ok(())
}

/// Changes the signed-in admin's own password. Every session of the account
/// ends (other browsers included); the caller gets a fresh one.
pub fn change_own_password(
    conn: &mut DbConn,
    actor: &Actor,
    current: &str,
    new: &str,
    repeat: &str,
    now: PrimitiveDateTime,
    cost: u32,
) -> ServiceResult<NewSession> {
    let user_id = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let user = user::find(conn, user_id)?.ok_or(ServiceError::NotFound)?;
    let mut errors = FieldErrors::default();
    let current_ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| password::verify(current, h));
    if !current_ok {
        errors.add("current_password", FieldError::PasswordWrong);
    }
    let new_password = errors.take("new_password", Password::parse(new));
    if new_password.is_some() && new != repeat {
        errors.add("repeat_password", FieldError::PasswordMismatch);
    }
    let (Some(new_password), true) = (new_password, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let hash = new_password.hash(cost)?;
    write_tx(conn, |conn| {
        user::update(
            conn,
            user.id,
            &UserChanges {
                password_hash: Some(Some(hash)),
                must_change_password: Some(false),
                updated_at: Some(now),
                ..Default::default()
            },
        )?;
        end_all_sessions_and_tokens(conn, user.id, now)?;
        audit::record(
            conn,
            now,
            actor,
            "account.password_change",
            Some(audit::Target::new("user", user.id, user.label())),
            None,
        )?;
        Ok(start_session(conn, user.id, now)?)
    })
}

/// Kills every session and every outstanding one-time token of a user.
pub fn end_all_sessions_and_tokens(
    conn: &mut DbConn,
    user_id: i64,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<()> {
    session::delete_for_user(conn, user_id)?;
    token::expire_all_of_user(conn, user_id, now)?;
    Ok(())
}

/// Housekeeping: forgets expired sessions and old failed-login records.
pub fn sweep(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    policy: SessionPolicy,
) -> ServiceResult<usize> {
    let sessions = session::delete_expired(conn, now - policy.idle, now - policy.absolute)?;
    let failures = login_failure::delete_before(conn, now - THROTTLE_WINDOW - THROTTLE_WINDOW)?;
    Ok(sessions + failures)
}
