//! Zugangsanfragen: with open registration switched on (a setting, off by
//! default) anyone may ask for an account on `/request-access`. It is made
//! `ausstehend` (no sign-in) until someone who manages users approves it
//! (`aktiv`) or rejects it (`abgelehnt`) in the dashboard's queue; the
//! person is told by the editable "Zugang genehmigt/abgelehnt" mails when
//! he gave an address.

use time::PrimitiveDateTime;

use crate::context::Context;
use crate::db::write_tx;
use crate::domain::access::Account;
use crate::domain::audit::Change;
use crate::domain::mail::MailKind;
use crate::domain::people::UserSummary;
use crate::domain::{FieldErrors, PersonName, Refusal, UserId, UserStatus, UserType};
use crate::models::{access_request, user};
use crate::services::audit::{self, Target};
use crate::services::mail::{self, Letter, MailEnv, Recipient};
use crate::services::rate_limit::REQUESTS_PER_ADDRESS;
use crate::services::self_registration::{self, NewRegistered};
use crate::services::users::PROPOSAL_ATTEMPTS;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// A request as typed: the person, how he will sign in, a note.
pub struct NewRequest {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub account: Account,
    pub message: String,
}

/// What asking came to.
pub enum Asked {
    /// Received (also when the address belongs to an account already:
    /// the answer must not tell; nothing is made then).
    Received,
    Throttled,
}

/// Records a request. `NotFound` while open registration is off. Nothing
/// is mailed now: the form is open to anyone, and must not send mail to
/// any address it is given; the decision (with a confirmation link, if
/// approved) goes to the address once an admin has looked at the request.
pub async fn request(ctx: &Context, req: NewRequest, client: &str) -> ServiceResult<Asked> {
    if !ctx.settings().open_registration {
        return Err(ServiceError::NotFound);
    }
    let (client, now) = (client.to_owned(), ctx.now());
    let throttled = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<bool> {
                let over = REQUESTS_PER_ADDRESS.exceeded(conn, &client, now)?;
                if !over {
                    REQUESTS_PER_ADDRESS.hit(conn, &client, now)?;
                }
                Ok(over)
            })
        })
        .await?;
    if throttled {
        return Ok(Asked::Throttled);
    }
    let cost = ctx.config().bcrypt_cost;
    let password = req.account.password.clone();
    let hash = ctx.cpu(move || password.hash(cost)).await??;
    let env = MailEnv::of(ctx);
    ctx.db()
        .run(move |conn| {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let result = write_tx(conn, |conn| -> ServiceResult<Asked> {
                    if let Some(e) = &req.account.email
                        && user::email_taken(conn, &e.key(), None)?
                    {
                        return Ok(Asked::Received);
                    }
                    let (id, _) = self_registration::create(
                        conn,
                        &env,
                        &NewRegistered {
                            first_name: &req.first_name,
                            last_name: &req.last_name,
                            personnel_number: None,
                            user_type: UserType::Mitarbeiter,
                            group: None,
                            area: None,
                            account: &req.account,
                            password_hash: &hash,
                            status: UserStatus::registered(true),
                        },
                        "user.request_access",
                        Change::new("message", "", req.message.as_str()),
                        now,
                    )?;
                    access_request::insert(conn, id, &req.message, now)?;
                    Ok(Asked::Received)
                });
                match result {
                    Err(ServiceError::Conflict(crate::models::conflict::UniqueKey::Username))
                        if req.account.username.is_none() && attempt < PROPOSAL_ATTEMPTS => {}
                    // Someone took the address at the same instant: the
                    // same answer as for a taken one.
                    Err(ServiceError::Conflict(crate::models::conflict::UniqueKey::Email)) => {
                        return Ok(Asked::Received);
                    }
                    other => return other.map_err(ServiceError::conflict_as_field_error),
                }
            }
        })
        .await
}

/// A request in the queue.
#[derive(Clone, Debug)]
pub struct PendingRequest {
    pub user: UserSummary,
    pub message: String,
    pub requested_at: PrimitiveDateTime,
}

/// The oldest `limit` undecided requests and how many there are.
pub async fn pending(
    ctx: &Context,
    actor: &Actor,
    limit: i64,
) -> ServiceResult<(Vec<PendingRequest>, i64)> {
    require_user_management(actor)?;
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let rows = access_request::pending(conn, limit)?
                .into_iter()
                .map(|(row, message, requested_at)| PendingRequest {
                    user: row.into(),
                    message,
                    requested_at,
                })
                .collect();
            Ok((rows, access_request::count_pending(conn)?))
        })
        .await
}

/// Approves or rejects a request (with an optional reason for the mail).
/// Of two admins deciding at the same instant one decides; the other is
/// refused.
pub async fn decide(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    approve: bool,
    reason: &str,
) -> ServiceResult<()> {
    require_user_management(actor)?;
    let reason = crate::domain::single_line(reason, 300)
        .map_err(|e| ServiceError::Invalid(FieldErrors::single("reason", e)))?;
    let (actor, now, env) = (actor.clone(), ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<()> {
                // The administrators' rows first, as deleting and editing
                // lock them: the same order, so the two cannot deadlock.
                user::lock_active_administrators(conn)?;
                let person = user::lock(conn, id)?.ok_or(ServiceError::NotFound)?;
                // An account an Administrator gave admin rights meanwhile is
                // decided by someone allowed to change such accounts.
                if !actor.role.may_change_account_of(person.role()) {
                    return Err(ServiceError::Forbidden);
                }
                let next = if approve {
                    person.status.approve()
                } else {
                    person.status.reject()
                }
                .map_err(|_| ServiceError::Refused(Refusal::StatusDoesNotAllow))?;
                let decision = if approve { "genehmigt" } else { "abgelehnt" };
                let reason = if approve { "" } else { reason.as_str() };
                if !access_request::decide(conn, id, decision, reason, &actor.label, now)? {
                    return Err(ServiceError::Refused(Refusal::StatusDoesNotAllow));
                }
                user::set_status(conn, id, next, now)?;
                if approve {
                    user::mark_activated(conn, id, now)?;
                }
                if let Some(address) = &person.email {
                    let letter = Letter {
                        kind: if approve {
                            MailKind::AccessApproved
                        } else {
                            MailKind::AccessRejected
                        },
                        to: Recipient {
                            user: Some(id),
                            address,
                            salutation: person.salutation,
                            first_name: &person.first_name,
                            last_name: &person.last_name,
                            username: &person.username,
                            language: env.settings.default_language,
                        },
                        link: None,
                        reason,
                    };
                    mail::queue(conn, &env, &letter, now)?;
                    // The address is his once its own link is opened (the
                    // request sent nothing: a form anyone may fill in must
                    // not mail any address it is given).
                    if approve && !person.email_confirmed {
                        crate::services::self_service::send_confirmation_in_tx(
                            conn, &env, &person, address, now,
                        )?;
                    }
                }
                let mut changes =
                    vec![Change::new("status", person.status.as_str(), next.as_str())];
                if !reason.is_empty() {
                    changes.push(Change::new("reason", "", reason));
                }
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    if approve {
                        "user.approve"
                    } else {
                        "user.reject"
                    },
                    Some(Target::user(id, person.label())),
                    &changes,
                )?;
                Ok(())
            })
        })
        .await
}
