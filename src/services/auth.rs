//! Admin sign-in, sessions and password changes.
//!
//! Sign-in runs in three steps so that bcrypt never holds a connection or a
//! turn of the database queue: a short read (throttle state, the account),
//! the bcrypt check on the CPU queue, then a short write. Unknown account and
//! wrong password take the same path and the same time (a bcrypt check
//! against a dummy hash) and answer the same. Failed attempts are counted per
//! account key and per client address in the database, so the limit holds
//! across instances.

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::password::{self, Password};
use crate::domain::people::SignedInAdmin;
use crate::domain::text::lookup_key;
use crate::domain::token::{hash_secret, random_secret};
use crate::domain::{AdminRole, FieldError, FieldErrors, UserId, UserStatus};
use crate::models::session::{self, AdminSession};
use crate::models::token;
use crate::models::user::{self, UserChanges};
use crate::services::audit::{self, Target};
use crate::services::rate_limit::{SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_ADDRESS, take};
use crate::services::{Actor, ServiceError, ServiceResult};

/// A session's last-seen time is written at most this often.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl SessionPolicy {
    pub fn of(ctx: &Context) -> Self {
        Self {
            idle: Duration::minutes(ctx.config().session_idle_minutes),
            absolute: Duration::hours(ctx.config().session_absolute_hours),
        }
    }
}

/// A new session's plain id: goes into the cookie, never into the database.
pub struct NewSession(pub String);

pub enum SignInOutcome {
    SignedIn {
        session: NewSession,
        must_change_password: bool,
        /// Whether the account has admin access (else it goes to its own page).
        is_admin: bool,
        /// His first sign-in, and he has no address: he is asked for one.
        ask_for_email: bool,
    },
    Invalid,
    Throttled,
}

/// What a sign-in attempt says: the identifier and password as typed, and
/// the client's address (for the per-address limit).
pub struct SignIn {
    pub identifier: String,
    pub password: String,
    pub client: String,
}

/// The account a sign-in names, as far as the check needs it.
struct Candidate {
    id: UserId,
    hash: Option<String>,
    status: UserStatus,
    role: Option<AdminRole>,
    must_change_password: bool,
    label: String,
}

pub async fn sign_in(ctx: &Context, attempt: SignIn) -> ServiceResult<SignInOutcome> {
    let now = ctx.now();
    let lookup = lookup_key(&attempt.identifier);
    let client = attempt.client;
    let typed = attempt.identifier;
    let (throttled, candidate, account_key) = {
        let client = client.clone();
        ctx.db()
            .run(move |conn| -> ServiceResult<_> {
                write_tx(conn, |conn| -> ServiceResult<_> {
                    let found = match &lookup {
                        Some(key) => user::find_by_login(conn, key)?,
                        None => None,
                    };
                    // Attempts count per account, whichever of its names (or
                    // spellings of them) was typed; for no account, per
                    // normalised input. Counted before the password is checked
                    // (a success gives it back), so that a burst of parallel
                    // guesses gets no more checks than the limit allows.
                    let account_key =
                        limit_key(found.as_ref().map(|u| u.id), lookup.as_deref(), &typed);
                    if !take(
                        conn,
                        &[
                            (&SIGN_IN_PER_ACCOUNT, &account_key),
                            (&SIGN_IN_PER_ADDRESS, &client),
                        ],
                        now,
                    )? {
                        return Ok((true, None, account_key));
                    }
                    Ok((
                        false,
                        found.map(|u| Candidate {
                            id: u.id,
                            hash: u.password_hash.clone(),
                            status: u.status,
                            role: u.role(),
                            must_change_password: u.must_change_password,
                            label: u.label(),
                        }),
                        account_key,
                    ))
                })
            })
            .await?
    };
    if throttled {
        return Ok(SignInOutcome::Throttled);
    }
    let hash = candidate.as_ref().and_then(|c| c.hash.clone());
    let dummy = ctx.secrets().dummy_hash.clone();
    let password = attempt.password;
    let matches = ctx
        .cpu(move || password::verify(&password, hash.as_deref().unwrap_or(&dummy)))
        .await?;
    // Admins and the people they brought in sign in here alike; a person
    // without admin access lands on his own page, never on an admin page.
    let accepted = candidate.filter(|c| matches && c.hash.is_some() && c.status.may_sign_in());
    // A failure was counted before the check.
    let Some(c) = accepted else {
        return Ok(SignInOutcome::Invalid);
    };
    let must_change_password = c.must_change_password;
    let is_admin = c.role.is_some();
    let session = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<Option<(NewSession, bool)>> {
                // The account may have changed while bcrypt ran.
                let still = user::find(conn, c.id)?
                    .filter(|u| u.password_hash == c.hash && u.status.may_sign_in());
                let Some(still) = still else {
                    return Ok(None);
                };
                let ask_for_email = still.last_login_at.is_none() && still.email.is_none();
                SIGN_IN_PER_ACCOUNT.reset(conn, &account_key)?;
                SIGN_IN_PER_ADDRESS.give_back(conn, &client)?;
                let session = start_session(conn, c.id, now)?;
                user::update(
                    conn,
                    c.id,
                    &UserChanges {
                        last_login_at: Some(Some(now)),
                        // Signed in: the midnight rule no longer applies.
                        sign_in_deadline: Some(None),
                        ..Default::default()
                    },
                )?;
                let actor = match c.role {
                    Some(role) => Actor {
                        user_id: Some(c.id),
                        label: c.label.clone(),
                        role,
                    },
                    None => Actor::person(c.id, c.label.clone()),
                };
                audit::record(conn, now, &actor, "auth.login", None, None)?;
                Ok(Some((session, ask_for_email)))
            })
        })
        .await?;
    Ok(match session {
        Some((session, ask_for_email)) => SignInOutcome::SignedIn {
            session,
            must_change_password,
            is_admin,
            ask_for_email,
        },
        None => SignInOutcome::Invalid,
    })
}

/// The key of a per-account limit: the account if the input names one,
/// else the input as a lookup would read it (NFC, lower case).
pub fn limit_key(account: Option<UserId>, lookup: Option<&str>, typed: &str) -> String {
    match (account, lookup) {
        (Some(id), _) => format!("user:{}", id.get()),
        (None, Some(key)) => format!("name:{key}"),
        (None, None) => format!(
            "typed:{}",
            crate::domain::text::nfc(typed.trim())
                .to_lowercase()
                .chars()
                .take(320)
                .collect::<String>()
        ),
    }
}

/// Creates a session row for the user; returns the plain id for the cookie.
pub fn start_session(
    conn: &mut DbConn,
    user_id: UserId,
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

/// Who is behind a live session: an admin, or a person without admin access.
pub enum SessionHolder {
    Admin(SignedInAdmin),
    Person(SignedInPerson),
}

/// A signed-in person without admin access (his own page only).
#[derive(Clone, Debug)]
pub struct SignedInPerson {
    pub id: UserId,
    pub display_name: String,
    pub username: String,
    pub must_change_password: bool,
}

impl SignedInPerson {
    pub fn actor(&self) -> Actor {
        Actor::person(
            self.id,
            format!("{} ({})", self.display_name, self.username),
        )
    }
}

/// Who is behind a session cookie, if the session is alive and the account
/// may still sign in. Expired or orphaned sessions are removed.
pub async fn current_session(
    ctx: &Context,
    plain_session_id: &str,
) -> ServiceResult<Option<SessionHolder>> {
    let (now, policy) = (ctx.now(), SessionPolicy::of(ctx));
    let id_hash = hash_secret(plain_session_id);
    ctx.db()
        .run(move |conn| {
            let Some((s, user)) = session::find_with_user(conn, &id_hash)? else {
                return Ok(None);
            };
            let expired =
                s.last_seen_at + policy.idle <= now || s.created_at + policy.absolute <= now;
            let holder = user
                .filter(|u| !expired && u.status.may_sign_in())
                .map(|u| match u.role() {
                    Some(role) => SessionHolder::Admin(SignedInAdmin {
                        id: u.id,
                        display_name: u.summary().display_name(),
                        username: u.username.clone(),
                        role,
                        must_change_password: u.must_change_password,
                    }),
                    None => SessionHolder::Person(SignedInPerson {
                        id: u.id,
                        display_name: u.summary().display_name(),
                        username: u.username.clone(),
                        must_change_password: u.must_change_password,
                    }),
                });
            match holder {
                None => {
                    session::delete(conn, &id_hash)?;
                    Ok(None)
                }
                Some(holder) => {
                    if s.last_seen_at + TOUCH_INTERVAL <= now {
                        session::touch(conn, &id_hash, now, now - TOUCH_INTERVAL)?;
                    }
                    Ok(Some(holder))
                }
            }
        })
        .await
}

pub async fn sign_out(ctx: &Context, plain_session_id: &str) -> ServiceResult<()> {
    let id_hash = hash_secret(plain_session_id);
    ctx.db()
        .run(move |conn| -> ServiceResult<()> {
            session::delete(conn, &id_hash)?;
            Ok(())
        })
        .await
}

/// The signed-in admin's own password change, as typed.
pub struct ChangePassword {
    pub current: String,
    pub new: String,
    pub repeat: String,
}

/// Changes the signed-in admin's own password. Every session of the account
/// ends (other browsers included); the caller gets a fresh one.
pub async fn change_own_password(
    ctx: &Context,
    actor: &Actor,
    change: ChangePassword,
) -> ServiceResult<NewSession> {
    let user_id = actor.user_id.ok_or(ServiceError::Forbidden)?;
    // A wrong current password counts as a failed sign-in of the account:
    // a session left open is no way to guess the password either.
    let account_key = limit_key(Some(user_id), None, "");
    let now = ctx.now();
    let (old_hash, throttled) = {
        let account_key = account_key.clone();
        ctx.db()
            .run(move |conn| -> ServiceResult<_> {
                write_tx(conn, |conn| -> ServiceResult<_> {
                    let hash = user::find(conn, user_id)?
                        .ok_or(ServiceError::NotFound)?
                        .password_hash;
                    // Counted before the check, as a sign-in is.
                    let allowed = take(conn, &[(&SIGN_IN_PER_ACCOUNT, &account_key)], now)?;
                    Ok((hash, !allowed))
                })
            })
            .await?
    };
    if throttled {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "current_password",
            FieldError::TooManyAttempts,
        )));
    }
    let cost = ctx.config().bcrypt_cost;
    let checked_hash = old_hash.clone();
    let (current_ok, new_hash) = ctx
        .cpu(move || -> (bool, ServiceResult<String>) {
            let mut errors = FieldErrors::default();
            let current_ok = checked_hash
                .as_deref()
                .is_some_and(|h| password::verify(&change.current, h));
            if !current_ok {
                errors.add("current_password", FieldError::PasswordWrong);
            }
            let mut new_password = errors.take("new_password", Password::parse(&change.new));
            // The new password must differ from the current (start) password.
            // Case alone does not make it another password.
            if current_ok
                && new_password.is_some()
                && password::same(&change.new.to_lowercase(), &change.current.to_lowercase())
            {
                errors.add("new_password", FieldError::PasswordUnchanged);
                new_password = None;
            }
            if new_password.is_some() && !password::same(&change.new, &change.repeat) {
                errors.add("repeat_password", FieldError::PasswordMismatch);
            }
            let hashed = match new_password {
                Some(p) if errors.is_empty() => p.hash(cost).map_err(ServiceError::from),
                _ => Err(ServiceError::Invalid(errors)),
            };
            (current_ok, hashed)
        })
        .await?;
    let reset_key = account_key.clone();
    // The right current password with a new one refused: no failed guess.
    if current_ok && new_hash.is_err() {
        ctx.db()
            .run(move |conn| -> ServiceResult<()> {
                write_tx(conn, |conn| {
                    SIGN_IN_PER_ACCOUNT.give_back(conn, &account_key)
                })?;
                Ok(())
            })
            .await?;
    }
    let new_hash = new_hash?;
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let user = user::find(conn, user_id)?.ok_or(ServiceError::NotFound)?;
                // Changed meanwhile (another browser): the current password was not this one.
                if !user::replace_password_hash(conn, user_id, old_hash.as_deref(), &new_hash, now)?
                {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "current_password",
                        FieldError::PasswordWrong,
                    )));
                }
                end_all_sessions_and_tokens(conn, user_id, now)?;
                SIGN_IN_PER_ACCOUNT.reset(conn, &reset_key)?;
                audit::record(
                    conn,
                    now,
                    &actor,
                    "account.password_change",
                    Some(Target::user(user_id, user.label())),
                    None,
                )?;
                Ok(start_session(conn, user_id, now)?)
            })
        })
        .await
}

/// Kills every session and every outstanding one-time token of a user.
pub fn end_all_sessions_and_tokens(
    conn: &mut DbConn,
    user_id: UserId,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<()> {
    session::delete_for_user(conn, user_id)?;
    token::expire_all_of_user(conn, user_id, now)?;
    // Mail that has not left yet would carry a dead link.
    crate::models::outbox::cancel_waiting_links(conn, user_id, "the person's links died")?;
    Ok(())
}

/// Housekeeping: forgets expired sessions and rate-limit hits no window needs.
pub async fn sweep(ctx: &Context) -> ServiceResult<usize> {
    let (now, policy) = (ctx.now(), SessionPolicy::of(ctx));
    ctx.db()
        .run(move |conn| -> ServiceResult<usize> {
            let sessions = session::delete_expired(conn, now - policy.idle, now - policy.absolute)?;
            let old_hits = crate::services::rate_limit::sweep(conn, now)?;
            // Form keys guard against a double submit; a day is plenty.
            let handovers =
                crate::models::handover::sweep(conn, now, now - time::Duration::days(1))?;
            let letters = crate::models::letter_print::sweep(conn, now)?;
            let shown = crate::models::access_link::sweep_shown(conn, now)?;
            Ok(sessions + old_hits + handovers + letters + shown)
        })
        .await
}
