//! What people do for themselves: "Passwort vergessen" and the reset link,
//! their profile (own data, password, adding an email address) and the
//! confirmation link of an added address.
//!
//! "Passwort vergessen" answers the same for every input: the work in the
//! database is the same shape (rate-limit hits always; a message is rendered
//! for unknown accounts too, just not written), and the page waits for a
//! fixed floor before it answers (`web::invitee`).

use time::Duration;

use crate::context::Context;
use crate::db::write_tx;
use crate::domain::audit::Change;
use crate::domain::mail::{Delivery, MailKind};
use crate::domain::people::{Profile, display_name};
use crate::domain::text::lookup_key;
use crate::domain::token::{PlainToken, TokenPurpose};
use crate::domain::{EmailAddress, FieldError, FieldErrors, Password, Refusal, UserId, UserStatus};
use crate::models::token::{self, NewToken};
use crate::models::user::{self, User, UserChanges};
use crate::services::audit::{self, Target};
use crate::services::auth::{NewSession, end_all_sessions_and_tokens, start_session};
use crate::services::mail::{self, Letter, MailEnv, Recipient};
use crate::services::rate_limit::{
    CONFIRMATIONS_PER_ACCOUNT, LINK_FAILURES_PER_ADDRESS, RESET_PER_ACCOUNT, RESET_PER_ADDRESS,
};
use crate::services::{Actor, ServiceError, ServiceResult};

pub const RESET_PATH: &str = "/r/";
pub const CONFIRM_PATH: &str = "/c/";
/// A reset link is valid one hour.
pub const RESET_VALIDITY: Duration = Duration::hours(1);
/// A confirmation link is valid three days.
pub const CONFIRM_VALIDITY: Duration = Duration::days(3);

fn recipient<'a>(env: &MailEnv, u: &'a User, address: &'a str) -> Recipient<'a> {
    Recipient {
        user: Some(u.id),
        address,
        salutation: u.salutation,
        first_name: &u.first_name,
        last_name: &u.last_name,
        username: &u.username,
        language: env.settings.default_language,
    }
}

/// Whether a reset may help this account: it can sign in again afterwards
/// (`aktiv`, or `inaktiv` after an expired invitation or the midnight rule)
/// and has an address to send the link to. An active account's address
/// must be confirmed: one a person typed himself (a typo, or not his) gets
/// no link that opens the account before he has proved it is his. An
/// inactive account's address is the one its invitation went to (the
/// reset link proves it, and confirms it).
pub(crate) fn may_reset(u: &User) -> bool {
    match u.status {
        UserStatus::Aktiv => u.email.is_some() && u.email_confirmed,
        UserStatus::Inaktiv => u.email.is_some(),
        _ => false,
    }
}

/// "Passwort vergessen": queues a reset mail if the account exists, may use
/// it, and has not asked too often; otherwise does the same work without
/// writing a message. Always `Ok(())`: the caller answers the same anyway.
pub async fn request_reset(ctx: &Context, identifier: &str, client: &str) -> ServiceResult<()> {
    let typed = identifier.to_owned();
    let lookup = lookup_key(identifier);
    let (client, now, env) = (client.to_owned(), ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                let found = match &lookup {
                    Some(key) => user::find_by_login(conn, key)?,
                    None => None,
                };
                // Per account, whichever name or spelling of it was typed.
                let account_key = crate::services::auth::limit_key(
                    found.as_ref().map(|u| u.id),
                    lookup.as_deref(),
                    &typed,
                );
                let throttled = RESET_PER_ACCOUNT.exceeded(conn, &account_key, now)?
                    || RESET_PER_ADDRESS.exceeded(conn, &client, now)?;
                RESET_PER_ACCOUNT.hit(conn, &account_key, now)?;
                RESET_PER_ADDRESS.hit(conn, &client, now)?;
                match found.filter(|u| !throttled && may_reset(u)) {
                    Some(u) => {
                        send_reset_in_tx(conn, &env, &u, now)?;
                    }
                    None => {
                        // The same rendering, nothing written.
                        let plain = PlainToken::generate(TokenPurpose::PasswordReset);
                        let expires = now + RESET_VALIDITY;
                        let stand_in = Letter {
                            kind: MailKind::PasswordReset,
                            to: Recipient {
                                user: None,
                                address: "nobody@example.invalid",
                                salutation: None,
                                first_name: "",
                                last_name: "",
                                username: &account_key,
                                language: env.settings.default_language,
                            },
                            link: Some((&plain, RESET_PATH, expires)),
                            reason: "",
                        };
                        let _ = mail::prepare(&env, &stand_in, now);
                        let _ = plain.hashed();
                    }
                }
                Ok(())
            })
        })
        .await
}

/// Whether a client has failed with links too often (a 429 page).
pub async fn links_throttled(ctx: &Context, client: &str) -> ServiceResult<bool> {
    let (client, now) = (client.to_owned(), ctx.now());
    ctx.db()
        .run(move |conn| -> ServiceResult<bool> {
            Ok(LINK_FAILURES_PER_ADDRESS.exceeded(conn, &client, now)?)
        })
        .await
}

/// Counts a failed link redemption of a client.
pub async fn link_failed(ctx: &Context, client: &str) -> ServiceResult<()> {
    let (client, now) = (client.to_owned(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                Ok(LINK_FAILURES_PER_ADDRESS.hit(conn, &client, now)?)
            })
        })
        .await
}

/// A live link of `purpose`: the user it belongs to (username for the
/// password manager), or `None` for any dead, unknown or malformed link.
pub async fn live_link_owner(
    ctx: &Context,
    purpose: TokenPurpose,
    plain: &PlainToken,
) -> ServiceResult<Option<String>> {
    if !plain.is_shaped_for(purpose) {
        return Ok(None);
    }
    let (hash, now) = (plain.hashed(), ctx.now());
    ctx.db()
        .run(move |conn| -> ServiceResult<Option<String>> {
            let Some(t) = token::find_live(conn, purpose, &hash, now)? else {
                return Ok(None);
            };
            let owner = match t.user_id {
                Some(id) => user::find(conn, id)?,
                None => None,
            };
            Ok(owner
                .filter(|u| purpose != TokenPurpose::PasswordReset || may_reset(u))
                .map(|u| u.username))
        })
        .await
}

/// Sets a new password with a reset link: the token used, the email
/// confirmed (the link reached it), an `inaktiv` account `aktiv` again,
/// every session and other link of the person dead, a new session started.
pub async fn reset_password(
    ctx: &Context,
    plain: &PlainToken,
    new: String,
    repeat: String,
) -> ServiceResult<(NewSession, bool)> {
    if !plain.is_shaped_for(TokenPurpose::PasswordReset) {
        return Err(ServiceError::Refused(Refusal::LinkDead));
    }
    let cost = ctx.config().bcrypt_cost;
    let hash = ctx
        .cpu(move || -> ServiceResult<String> {
            let mut errors = FieldErrors::default();
            let password = errors.take("password", Password::parse(&new));
            if password.is_some() && !crate::domain::password::same(&new, &repeat) {
                errors.add("password_repeat", FieldError::PasswordMismatch);
            }
            match password {
                Some(p) if errors.is_empty() => Ok(p.hash(cost)?),
                _ => Err(ServiceError::Invalid(errors)),
            }
        })
        .await??;
    let (token_hash, now) = (plain.hashed(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<(NewSession, bool)> {
                let t = token::find_live(conn, TokenPurpose::PasswordReset, &token_hash, now)?
                    .ok_or(ServiceError::Refused(Refusal::LinkDead))?;
                let u = match t.user_id {
                    Some(id) => user::lock(conn, id)?,
                    None => None,
                }
                .filter(may_reset)
                .ok_or(ServiceError::Refused(Refusal::LinkDead))?;
                if !token::consume(conn, t.id, now)? {
                    return Err(ServiceError::Refused(Refusal::LinkDead));
                }
                let next = match u.status {
                    UserStatus::Inaktiv => u.status.reactivate()?,
                    other => other,
                };
                user::update(
                    conn,
                    u.id,
                    &UserChanges {
                        password_hash: Some(Some(hash)),
                        must_change_password: Some(false),
                        email_confirmed: Some(true),
                        sign_in_deadline: Some(None),
                        last_login_at: Some(Some(now)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                if next != u.status {
                    user::set_status(conn, u.id, next, now)?;
                }
                if next == UserStatus::Aktiv {
                    user::mark_activated(conn, u.id, now)?;
                }
                end_all_sessions_and_tokens(conn, u.id, now)?;
                let me = Actor::person(u.id, u.label());
                audit::record_changes(
                    conn,
                    now,
                    &me,
                    "account.password_reset",
                    Some(Target::user(u.id, u.label())),
                    &[Change::new("status", u.status.as_str(), next.as_str())],
                )?;
                Ok((start_session(conn, u.id, now)?, u.role().is_some()))
            })
        })
        .await
}

pub async fn profile(ctx: &Context, id: UserId) -> ServiceResult<Profile> {
    ctx.db()
        .run(move |conn| -> ServiceResult<Profile> {
            let u = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            Ok(Profile {
                display_name: display_name(&u.first_name, &u.last_name),
                username: u.username.clone(),
                email_confirmed: u.email_confirmed,
                is_admin: u.role().is_some(),
                has_photo: crate::models::photo::exists(conn, id)?,
                photo_version: u.updated_at.assume_utc().unix_timestamp(),
                email: u.email,
            })
        })
        .await
}

/// A person adds an email address (or replaces one nobody confirmed yet):
/// it is saved unconfirmed and a confirmation link goes to it.
pub async fn add_email(ctx: &Context, actor: &Actor, email: &str) -> ServiceResult<()> {
    let id = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let email = EmailAddress::parse(email)
        .map_err(|e| ServiceError::Invalid(FieldErrors::single("email", e)))?;
    let (actor, now, env) = (actor.clone(), ctx.now(), MailEnv::of(ctx));
    // Counted (and committed) before the address is checked: the "taken"
    // answer must not become a free test of which addresses have accounts.
    let throttled = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<bool> {
                let key = format!("user:{}", id.get());
                let over = CONFIRMATIONS_PER_ACCOUNT.exceeded(conn, &key, now)?;
                CONFIRMATIONS_PER_ACCOUNT.hit(conn, &key, now)?;
                Ok(over)
            })
        })
        .await?;
    if throttled {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "email",
            FieldError::TooManyAttempts,
        )));
    }
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                let u = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
                if u.email_confirmed {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "email",
                        FieldError::EmailLocked,
                    )));
                }
                if user::email_taken(conn, &email.key(), Some(id))? {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "email",
                        FieldError::EmailTaken,
                    )));
                }
                user::update(
                    conn,
                    id,
                    &UserChanges {
                        email: Some(Some(email.as_str().to_owned())),
                        email_lower: Some(Some(email.key())),
                        email_confirmed: Some(false),
                        search_text: Some(user::search_text(
                            &u.first_name,
                            &u.last_name,
                            &u.username,
                            Some(email.as_str()),
                            u.personnel_number.as_deref(),
                        )),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                send_confirmation_in_tx(conn, &env, &u, email.as_str(), now)?;
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "account.email_added",
                    Some(Target::user(id, u.label())),
                    &[Change::new(
                        "email",
                        u.email.as_deref().unwrap_or(""),
                        email.as_str(),
                    )],
                )?;
                Ok(())
            })
        })
        .await
        .map_err(ServiceError::conflict_as_field_error)
}

/// A confirmation link for `address` (which the person gave himself), every
/// older one dead; the mail queued in the caller's transaction.
pub(crate) fn send_confirmation_in_tx(
    conn: &mut crate::db::DbConn,
    env: &MailEnv,
    u: &User,
    address: &str,
    now: time::PrimitiveDateTime,
) -> diesel::QueryResult<(i64, Delivery)> {
    send_link_in_tx(conn, env, u, address, MailKind::EmailConfirmation, now)
}

/// A reset link for `u` (who [`may_reset`]), every older one dead; the mail
/// queued in the caller's transaction.
pub(crate) fn send_reset_in_tx(
    conn: &mut crate::db::DbConn,
    env: &MailEnv,
    u: &User,
    now: time::PrimitiveDateTime,
) -> diesel::QueryResult<(i64, Delivery)> {
    let address = u.email.clone().unwrap_or_default();
    send_link_in_tx(conn, env, u, &address, MailKind::PasswordReset, now)
}

/// Issues a fresh link of the mail's purpose (the older ones of the user
/// die) and queues the mail that carries it.
fn send_link_in_tx(
    conn: &mut crate::db::DbConn,
    env: &MailEnv,
    u: &User,
    address: &str,
    kind: MailKind,
    now: time::PrimitiveDateTime,
) -> diesel::QueryResult<(i64, Delivery)> {
    let (purpose, path, validity) = match kind {
        MailKind::PasswordReset => (TokenPurpose::PasswordReset, RESET_PATH, RESET_VALIDITY),
        _ => (
            TokenPurpose::EmailConfirmation,
            CONFIRM_PATH,
            CONFIRM_VALIDITY,
        ),
    };
    token::expire_of_user(conn, u.id, purpose, now)?;
    let plain = PlainToken::generate(purpose);
    let expires = now + validity;
    let hash = plain.hashed();
    token::insert(
        conn,
        &NewToken {
            purpose,
            user_id: Some(u.id),
            token_hash: &hash,
            created_at: now,
            expires_at: expires,
            handed_over: false,
        },
    )?;
    let letter = Letter {
        kind,
        to: recipient(env, u, address),
        link: Some((&plain, path, expires)),
        reason: "",
    };
    mail::queue(conn, env, &letter, now)
}

/// Confirms an address with its link (a POST from the confirmation page).
pub async fn confirm_email(ctx: &Context, plain: &PlainToken) -> ServiceResult<()> {
    if !plain.is_shaped_for(TokenPurpose::EmailConfirmation) {
        return Err(ServiceError::Refused(Refusal::LinkDead));
    }
    let (token_hash, now) = (plain.hashed(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                let t = token::find_live(conn, TokenPurpose::EmailConfirmation, &token_hash, now)?
                    .ok_or(ServiceError::Refused(Refusal::LinkDead))?;
                let u = match t.user_id {
                    Some(id) => user::find(conn, id)?,
                    None => None,
                }
                .filter(|u| u.email.is_some())
                .ok_or(ServiceError::Refused(Refusal::LinkDead))?;
                if !token::consume(conn, t.id, now)? {
                    return Err(ServiceError::Refused(Refusal::LinkDead));
                }
                user::update(
                    conn,
                    u.id,
                    &UserChanges {
                        email_confirmed: Some(true),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                let me = Actor::person(u.id, u.label());
                audit::record_changes(
                    conn,
                    now,
                    &me,
                    "account.email_confirmed",
                    Some(Target::user(u.id, u.label())),
                    &[Change::new("email_confirmed", "false", "true")],
                )?;
                Ok(())
            })
        })
        .await
}
