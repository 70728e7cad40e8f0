//! "QR-Briefe drucken": activation links for many people at once, handed
//! over on paper, one A4 letter per person. Who gets one is planned and
//! confirmed like every bulk action of the user list (`TaskKind::Letters`);
//! the links are made at once, in one transaction, while the admin waits.
//!
//! As for one person's QR code (`invitations::hand_over_link`), no token is
//! stored: each is derived from a random id that only the admin's browser
//! holds and the person's id, and `letter_prints` binds the id's hash to his
//! session, the people and a short time to show them.

use std::collections::HashMap;

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::write_tx;
use crate::domain::audit::Change;
use crate::domain::dates;
use crate::domain::people::UserSummary;
use crate::domain::tasks::TaskKind;
use crate::domain::token::{PlainToken, TokenPurpose, hash_secret};
use crate::domain::{Refusal, UserId, UserStatus};
use crate::models::letter_print::{self, NewLetterPrint};
use crate::models::token::{self, NewToken};
use crate::models::{outbox, user};
use crate::services::audit;
use crate::services::invitations::{INVITATION_MAILS, INVITATION_PATH, QR_MINUTES, validity};
use crate::services::mail::MailEnv;
use crate::services::tasks::{Selection, plan_in_tx};
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// Letters one print makes at most: a stack for a shop floor, not the
/// whole instance (a page of 5,000 letters is already 5,000 images).
pub const MAX_LETTERS: i64 = 5_000;

/// The token of one person's letter: derived from the print's secret and
/// his id, so one secret in one cookie draws every letter again.
fn token_of(key: &[u8], seed: &str, person: UserId) -> PlainToken {
    PlainToken::derive(
        TokenPurpose::Invitation,
        key,
        &format!("{seed}:{}", person.get()),
    )
}

fn link_of(base: &str, token: &PlainToken) -> String {
    format!(
        "{}{INVITATION_PATH}{}",
        base.trim_end_matches('/'),
        token.expose()
    )
}

/// A confirmed "QR-Briefe drucken": for everyone the selection still
/// affects, a fresh link handed over by hand (every older link dies, mail
/// with an older link not sent yet is cancelled, nothing is sent), in one
/// transaction. Returns the print's id: a confirmation submitted twice
/// (`form_key`) gives the print the first submit made (the caller derives
/// the secret from the key and the session, so both hand over the same).
pub async fn issue(
    ctx: &Context,
    actor: &Actor,
    selection: Selection,
    confirmed: Option<String>,
    form_key: &str,
    seed: &str,
    session: &str,
) -> ServiceResult<i64> {
    require_user_management(actor)?;
    let (actor, now, env) = (actor.clone(), ctx.now(), MailEnv::of(ctx));
    let key = ctx.secrets().csrf_key.clone();
    let (seed, id_hash, session_hash, key_hash) = (
        seed.to_owned(),
        hash_secret(seed),
        hash_secret(session),
        hash_secret(form_key),
    );
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<i64> {
                // A repeated confirmation finds the first one's letters (its
                // people are `eingeladen` now: the plan would find nobody).
                if let Some(done) = letter_print::by_form_key(conn, &key_hash)? {
                    return Ok(done);
                }
                let plan = plan_in_tx(conn, &actor, TaskKind::Letters, &selection)?;
                if plan.affected.len() as i64 > MAX_LETTERS {
                    return Err(ServiceError::Refused(Refusal::TooManyAtOnce(MAX_LETTERS)));
                }
                if confirmed.as_ref().is_some_and(|c| *c != plan.fingerprint()) {
                    return Err(ServiceError::Refused(Refusal::SelectionChanged));
                }
                // Locked, then the key checked again: a second submit at the
                // same instant waits here and then finds the first's letters.
                let mut people: Vec<user::User> = user::lock_many(conn, &plan.affected)?
                    .into_iter()
                    .filter(|u| {
                        (u.status.invite().is_ok() || u.status.renew().is_ok())
                            && actor.role.may_change_account_of(u.role())
                    })
                    .collect();
                if let Some(done) = letter_print::by_form_key(conn, &key_hash)? {
                    return Ok(done);
                }
                if people.is_empty() {
                    return Err(ServiceError::Refused(Refusal::SelectionChanged));
                }
                // In name order, as they are handed out.
                people.sort_by_cached_key(|u| (user::sort_name(&u.first_name, &u.last_name), u.id));
                let ids: Vec<UserId> = people.iter().map(|u| u.id).collect();
                token::expire_of_users(conn, &ids, TokenPurpose::Invitation, now)?;
                outbox::cancel_waiting_of_users(
                    conn,
                    &ids,
                    Some(&INVITATION_MAILS),
                    "replaced by a link handed over on a QR letter",
                )?;
                let expires = now + validity(&env);
                let hashes: Vec<String> = ids
                    .iter()
                    .map(|id| token_of(&key, &seed, *id).hashed())
                    .collect();
                let rows: Vec<NewToken<'_>> = ids
                    .iter()
                    .zip(&hashes)
                    .map(|(id, hash)| NewToken {
                        purpose: TokenPurpose::Invitation,
                        user_id: Some(*id),
                        token_hash: hash,
                        created_at: now,
                        expires_at: expires,
                        handed_over: true,
                    })
                    .collect();
                token::insert_many(conn, &rows)?;
                // One audit call per status they come from.
                let mut by_status: HashMap<UserStatus, Vec<(UserId, String)>> = HashMap::new();
                for u in &people {
                    let next = if u.status == UserStatus::Eingeladen {
                        u.status.renew()?
                    } else {
                        u.status.invite()?
                    };
                    user::mark_handed_over(conn, u.id, next, expires, now)?;
                    by_status
                        .entry(u.status)
                        .or_default()
                        .push((u.id, u.label()));
                }
                for (from, entries) in &by_status {
                    audit::record_many_user_changes(
                        conn,
                        now,
                        &actor,
                        "user.invite_qr",
                        entries,
                        &[
                            Change::new("status", from.as_str(), UserStatus::Eingeladen.as_str()),
                            Change::new("invitation_expires_at", "", dates::iso_utc(&expires)),
                        ],
                    )?;
                }
                let id = letter_print::insert(
                    conn,
                    &NewLetterPrint {
                        id_hash: &id_hash,
                        session_hash: &session_hash,
                        people: &letter_print::encode_people(&ids),
                        form_key_hash: &key_hash,
                        created_at: now,
                        expires_at: now + Duration::minutes(QR_MINUTES),
                    },
                )?;
                Ok(id)
            })
        })
        .await
}

/// One person's letter.
#[derive(Clone, Debug)]
pub struct Letter {
    pub user: UserSummary,
    pub url: String,
    pub expires_at: PrimitiveDateTime,
    /// The side of its PNG (pixels).
    pub code_px: u32,
}

/// The letters of a print, as its page shows them.
#[derive(Clone, Debug)]
pub struct Letters {
    pub id: i64,
    pub letters: Vec<Letter>,
    /// People of the print whose link is no longer their live one.
    pub dropped: usize,
    pub shown_until: PrimitiveDateTime,
}

/// The letters of print `id` for the browser holding `seed` in `session`,
/// in print order, each while its link is still the person's live one;
/// `None` when this browser may not show the print (made elsewhere, shown
/// too long ago).
pub async fn letters(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    seed: &str,
    session: &str,
) -> ServiceResult<Option<Letters>> {
    require_user_management(actor)?;
    let (actor, now, key) = (actor.clone(), ctx.now(), ctx.secrets().csrf_key.clone());
    let base = ctx.settings().public_base_url.clone();
    let (seed, id_hash, session_hash) = (seed.to_owned(), hash_secret(seed), hash_secret(session));
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let Some(print) = letter_print::find_live(conn, id, &id_hash, &session_hash, now)?
            else {
                return Ok(None);
            };
            let people = print.people();
            let tokens: Vec<PlainToken> =
                people.iter().map(|p| token_of(&key, &seed, *p)).collect();
            let hashes: Vec<String> = tokens.iter().map(PlainToken::hashed).collect();
            let live: HashMap<String, (Option<UserId>, PrimitiveDateTime)> =
                token::live_handed_over(conn, TokenPurpose::Invitation, &hashes, now)?
                    .into_iter()
                    .map(|(user, hash, expires)| (hash, (user, expires)))
                    .collect();
            let mut summaries: HashMap<UserId, UserSummary> = user::summaries_of(conn, &people)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            let mut letters = Vec::with_capacity(people.len());
            for ((person, token), hash) in people.iter().zip(&tokens).zip(&hashes) {
                let Some((Some(owner), expires)) = live.get(hash) else {
                    continue;
                };
                let Some(summary) = summaries.remove(person) else {
                    continue;
                };
                if owner != person
                    || summary.status != UserStatus::Eingeladen
                    || !actor.role.may_change_account_of(summary.admin_role)
                {
                    continue;
                }
                let url = link_of(&base, token);
                letters.push(Letter {
                    user: summary,
                    code_px: crate::domain::qr::png_side(&url, crate::domain::qr::LETTER_SCALE)
                        .unwrap_or(0),
                    url,
                    expires_at: *expires,
                });
            }
            Ok(Some(Letters {
                id,
                dropped: people.len() - letters.len(),
                letters,
                shown_until: print.expires_at,
            }))
        })
        .await
}

/// The link on `person`'s letter of print `id` for this browser, while it
/// is his live one (the letter's image).
pub async fn letter_link(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    person: UserId,
    seed: &str,
    session: &str,
) -> ServiceResult<Option<String>> {
    require_user_management(actor)?;
    let (now, key) = (ctx.now(), ctx.secrets().csrf_key.clone());
    let base = ctx.settings().public_base_url.clone();
    let token = token_of(&key, seed, person);
    let (id_hash, session_hash) = (hash_secret(seed), hash_secret(session));
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let Some(print) = letter_print::find_live(conn, id, &id_hash, &session_hash, now)?
            else {
                return Ok(None);
            };
            if !print.people().contains(&person) {
                return Ok(None);
            }
            let live = token::live_handed_over(
                conn,
                TokenPurpose::Invitation,
                std::slice::from_ref(&token.hashed()),
                now,
            )?;
            Ok(live
                .first()
                .filter(|(owner, _, _)| *owner == Some(person))
                .map(|_| link_of(&base, &token)))
        })
        .await
}
