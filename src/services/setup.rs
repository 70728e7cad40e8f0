//! First start: while no Administrator exists, a one-time setup link (valid
//! one hour, shown on the console) creates the first one. `einlass admin
//! create` does the same from the shell.

use time::Duration;

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::token::TokenPurpose;
use crate::domain::{AdminRole, Password, PlainToken, Refusal, UserId, Username};
use crate::models::token::{self, NewToken};
use crate::models::user;
use crate::services::auth::{NewSession, start_session};
use crate::services::users::{CreateUser, PersonData, StartPassword, insert_user};
use crate::services::{Actor, ServiceError, ServiceResult};

pub const SETUP_LINK_VALIDITY: Duration = Duration::hours(1);

fn administrator_exists(conn: &mut DbConn) -> diesel::QueryResult<bool> {
    Ok(user::count_active_administrators(conn)? > 0)
}

/// Whether setup is done: an active Administrator exists.
pub async fn is_done(ctx: &Context) -> ServiceResult<bool> {
    ctx.db()
        .run(|conn| -> ServiceResult<bool> { Ok(administrator_exists(conn)?) })
        .await
}

/// A fresh setup token while there is no Administrator (older ones die).
pub async fn prepare_link(ctx: &Context) -> ServiceResult<Option<PlainToken>> {
    let now = ctx.now();
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                if administrator_exists(conn)? {
                    return Ok(None);
                }
                token::expire_all_of_purpose(conn, TokenPurpose::Setup, now)?;
                let plain = PlainToken::generate(TokenPurpose::Setup);
                token::insert(
                    conn,
                    &NewToken {
                        purpose: TokenPurpose::Setup,
                        user_id: None,
                        token_hash: &plain.hashed(),
                        created_at: now,
                        expires_at: now + SETUP_LINK_VALIDITY,
                        handed_over: false,
                    },
                )?;
                Ok(Some(plain))
            })
        })
        .await
}

/// Whether a setup token is live (for showing the form; changes nothing).
pub async fn link_is_live(ctx: &Context, plain: &PlainToken) -> ServiceResult<bool> {
    let (hash, now) = (plain.hashed(), ctx.now());
    ctx.db()
        .run(move |conn| -> ServiceResult<bool> {
            Ok(
                token::find_live(conn, TokenPurpose::Setup, &hash, now)?.is_some()
                    && !administrator_exists(conn)?,
            )
        })
        .await
}

/// The first administrator, as the setup form gives him.
#[derive(Clone, Debug)]
pub struct FirstAdministrator {
    pub person: PersonData,
    pub username: Username,
    pub password: Password,
}

/// Creates the first Administrator with the link's token and signs him in.
/// Of two simultaneous uses exactly one succeeds.
pub async fn complete(
    ctx: &Context,
    plain: &PlainToken,
    admin: FirstAdministrator,
) -> ServiceResult<(UserId, NewSession)> {
    let cost = ctx.config().bcrypt_cost;
    let password = admin.password.clone();
    let hash = ctx.cpu(move || password.hash(cost)).await??;
    let (hash_of_token, now) = (plain.hashed(), ctx.now());
    let actor = Actor::system("Einrichtung");
    let cmd = CreateUser {
        person: PersonData {
            admin_role: Some(AdminRole::Administrator),
            ..admin.person
        },
        username: Some(admin.username),
        // He chose this password himself: no forced change.
        start_password: StartPassword::Set {
            password: admin.password,
            must_change: false,
        },
        form_key: None,
        handover: None,
        address_confirmed: true,
    };
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let live = token::find_live(conn, TokenPurpose::Setup, &hash_of_token, now)?;
                let Some(live) = live else {
                    return Err(ServiceError::Refused(Refusal::SetupDone));
                };
                if administrator_exists(conn)? || !token::consume(conn, live.id, now)? {
                    return Err(ServiceError::Refused(Refusal::SetupDone));
                }
                let (id, _) = insert_user(conn, &actor, &cmd, Some(hash), false, now)?;
                let session = start_session(conn, id, now)?;
                Ok((id, session))
            })
            .map_err(ServiceError::conflict_as_field_error)
        })
        .await
}
