//! First start: while no Administrator exists, a one-time setup link (valid
//! one hour, shown on the console) creates the first one. `einlass admin
//! create` does the same from the shell.

use serde::Deserialize;
use time::{Duration, PrimitiveDateTime};

use crate::db::{DbConn, write_tx};
use crate::domain::token::TokenPurpose;
use crate::domain::{AdminRole, FieldError, PlainToken};
use crate::models::token::{self, NewToken};
use crate::models::user::{self, User, UserChanges};
use crate::services::auth::{NewSession, start_session};
use crate::services::users::{self, UserInput};
use crate::services::{Actor, FieldErrors, Refusal, ServiceError, ServiceResult};

pub const SETUP_LINK_VALIDITY: Duration = Duration::hours(1);

pub fn administrator_exists(conn: &mut DbConn) -> diesel::QueryResult<bool> {
    Ok(user::count_active_administrators(conn)? > 0)
}

/// A fresh setup token while there is no Administrator (older ones die).
pub fn prepare_link(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
) -> ServiceResult<Option<PlainToken>> {
    write_tx(conn, |conn| {
        if administrator_exists(conn)? {
            return Ok(None);
        }
        let purpose = TokenPurpose::Setup.as_str();
        token::expire_all_of_purpose(conn, purpose, now)?;
        let plain = PlainToken::generate(TokenPurpose::Setup);
        token::insert(
            conn,
            &NewToken {
                purpose,
                user_id: None,
                token_hash: &plain.hashed(),
                created_at: now,
                expires_at: now + SETUP_LINK_VALIDITY,
            },
        )?;
        Ok(Some(plain))
    })
}

/// Whether a setup token is live (for showing the form; changes nothing).
pub fn link_is_live(
    conn: &mut DbConn,
    plain: &PlainToken,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<bool> {
    Ok(
        token::find_live(conn, TokenPurpose::Setup.as_str(), &plain.hashed(), now)?.is_some()
            && !administrator_exists(conn)?,
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SetupInput {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_repeat: String,
}

/// Creates the first Administrator with the link's token and signs him in.
/// Of two simultaneous uses exactly one succeeds.
pub fn complete(
    conn: &mut DbConn,
    plain: &PlainToken,
    input: &SetupInput,
    now: PrimitiveDateTime,
    cost: u32,
) -> ServiceResult<(User, NewSession)> {
    if input.password != input.password_repeat && !input.password.is_empty() {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "password_repeat",
            FieldError::PasswordMismatch,
        )));
    }
    let actor = Actor::system("Einrichtung");
    let user_input = UserInput {
        first_name: input.first_name.clone(),
        last_name: input.last_name.clone(),
        username: input.username.clone(),
        email: input.email.clone(),
        is_staff: Some("on".into()),
        admin_role: AdminRole::Administrator.as_str().into(),
        start_password_mode: "set".into(),
        start_password: input.password.clone(),
        ..Default::default()
    };
    if input.username.trim().is_empty() {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "username",
            FieldError::Required,
        )));
    }
    let prepared = users::prepare_create(&actor, &user_input, cost)?;
    write_tx(conn, |conn| {
        let Some(live) =
            token::find_live(conn, TokenPurpose::Setup.as_str(), &plain.hashed(), now)?
        else {
            return Err(ServiceError::Refused(Refusal::SetupDone));
        };
        if administrator_exists(conn)? || !token::consume(conn, live.id, now)? {
            return Err(ServiceError::Refused(Refusal::SetupDone));
        }
        let created = users::insert_prepared(conn, &actor, &prepared, now)?;
        // He chose this password himself: no forced change.
        user::update(
            conn,
            created.id,
            &UserChanges {
                must_change_password: Some(false),
                ..Default::default()
            },
        )?;
        let session = start_session(conn, created.id, now)?;
        Ok((created, session))
    })
}
