//! Zugangslinks: an admin makes one or many one-time links at once (with an
//! expiry and, optionally, the user type, group and area with its role that
//! they grant), lists them with their state, revokes them and prints them
//! as QR letters; whoever holds a live link registers once and is `aktiv`.
//!
//! No token is stored, only its hash. Each is derived from the set's secret
//! (made from the form's key and the admin's session, so a repeated submit
//! hands the same secret over again) and the link's number; the secret
//! lives in a short-lived cookie of the admin's browser, and the set row
//! binds its hash to his session for [`SHOWN_MINUTES`]. After that the
//! links can no longer be shown, only revoked.

use std::collections::HashMap;

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::access::{
    AccessState, Grant, LinkRow, LinkSet, LinkStatus, MAX_LINKS_PER_SET, MAX_VALID_DAYS,
    Registration, SetDetail, ShownLink,
};
use crate::domain::audit::Change;
use crate::domain::token::{PlainToken, TokenPurpose, hash_secret};
use crate::domain::units::UnitKind;
use crate::domain::{FieldError, FieldErrors, Page, Refusal, UserId, UserStatus, dates};
use crate::models::access_link::{self, LinkSetRow, NewLinkSet};
use crate::models::conflict::UniqueKey;
use crate::models::unit::{self, area, group};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::auth::{NewSession, start_session};
use crate::services::mail::MailEnv;
use crate::services::self_registration::{self, NewRegistered};
use crate::services::users::PROPOSAL_ATTEMPTS;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// The path of a link: `/a/{token}`.
pub const ACCESS_PATH: &str = "/a/";
/// How long the browser that made a set may show its links.
pub const SHOWN_MINUTES: i64 = 30;
/// Sets on one page of the list.
pub const SETS_PER_PAGE: i64 = 50;

/// "Zugangslinks erstellen" as the form gave it (parsed by the web layer).
#[derive(Clone, Debug)]
pub struct NewLinks {
    pub count: i64,
    pub valid_days: i64,
    pub label: String,
    pub grant: Grant,
}

/// The token of link `number` of the set whose secret is `seed`.
fn token_of(key: &[u8], seed: &str, number: i32) -> PlainToken {
    PlainToken::derive(TokenPurpose::AccessLink, key, &format!("{seed}:{number}"))
}

fn url_of(base: &str, token: &PlainToken) -> String {
    format!(
        "{}{ACCESS_PATH}{}",
        base.trim_end_matches('/'),
        token.expose()
    )
}

/// Makes a set of links in one transaction; its id. The same form
/// submitted twice (`form_key`) gives the set the first submit made.
pub async fn create(
    ctx: &Context,
    actor: &Actor,
    cmd: NewLinks,
    form_key: &str,
    seed: &str,
    session: &str,
) -> ServiceResult<i64> {
    require_user_management(actor)?;
    let mut errors = FieldErrors::default();
    if !(1..=MAX_LINKS_PER_SET).contains(&cmd.count) {
        errors.add("count", FieldError::NotBetween(1, MAX_LINKS_PER_SET));
    }
    if !(1..=MAX_VALID_DAYS).contains(&cmd.valid_days) {
        errors.add("valid_days", FieldError::NotBetween(1, MAX_VALID_DAYS));
    }
    let label = errors
        .take("label", crate::domain::single_line(&cmd.label, 100))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let (actor, now, key) = (actor.clone(), ctx.now(), ctx.secrets().csrf_key.clone());
    let (seed, key_hash, id_hash, session_hash) = (
        seed.to_owned(),
        hash_secret(form_key),
        hash_secret(seed),
        hash_secret(session),
    );
    let result = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<i64> {
                if let Some(done) = access_link::set_by_form_key(conn, &key_hash)? {
                    return Ok(done);
                }
                let mut errors = FieldErrors::default();
                let group_name = match cmd.grant.group {
                    Some(g) => match group::find(conn, g)? {
                        Some(u) => Some(u.name),
                        None => {
                            errors.add("group", FieldError::InvalidChoice);
                            None
                        }
                    },
                    None => None,
                };
                let area_name = match cmd.grant.area {
                    Some((a, _)) => match area::find(conn, a)? {
                        Some(u) => Some(u.name),
                        None => {
                            errors.add("area", FieldError::InvalidChoice);
                            None
                        }
                    },
                    None => None,
                };
                if !errors.is_empty() {
                    return Err(ServiceError::Invalid(errors));
                }
                let count = cmd.count as i32;
                let expires = now + Duration::days(cmd.valid_days);
                let id = access_link::insert_set(
                    conn,
                    &NewLinkSet {
                        created_by: actor.user_id,
                        created_by_label: &actor.label,
                        created_at: now,
                        expires_at: expires,
                        label: &label,
                        links: count,
                        user_type: cmd.grant.user_type,
                        group_id: cmd.grant.group,
                        area_id: cmd.grant.area.map(|(a, _)| a),
                        area_role: cmd.grant.area.map(|(_, r)| r),
                        form_key_hash: &key_hash,
                        shown_id_hash: Some(&id_hash),
                        shown_session_hash: Some(&session_hash),
                        shown_until: Some(now + Duration::minutes(SHOWN_MINUTES)),
                    },
                )?;
                let hashes: Vec<String> = (1..=count)
                    .map(|n| token_of(&key, &seed, n).hashed())
                    .collect();
                access_link::insert_links(conn, id, &hashes)?;
                let mut changes = vec![
                    Change::new("links", "", count.to_string()),
                    Change::new("expires_at", "", dates::iso_utc(&expires)),
                    Change::new("user_type", "", cmd.grant.user_type.as_str()),
                ];
                if let Some(name) = group_name {
                    changes.push(Change::new("group", "", name));
                }
                if let (Some(name), Some((_, role))) = (area_name, cmd.grant.area) {
                    changes.push(Change::new(
                        "area",
                        "",
                        format!("{name} ({})", role.as_str()),
                    ));
                }
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "access_links.create",
                    Some(Target::new("access_links", id, set_label(id, &label))),
                    &changes,
                )?;
                Ok(id)
            })
        })
        .await;
    match result {
        // The same form at the same instant: the other submit made the set.
        Err(ServiceError::Conflict(UniqueKey::FormKey)) => {
            let key_hash = hash_secret(form_key);
            ctx.db()
                .run(move |conn| -> ServiceResult<i64> {
                    access_link::set_by_form_key(conn, &key_hash)?
                        .ok_or(ServiceError::Conflict(UniqueKey::FormKey))
                })
                .await
        }
        other => other,
    }
}

fn set_label(id: i64, label: &str) -> String {
    if label.is_empty() {
        format!("#{id}")
    } else {
        format!("#{id} {label}")
    }
}

/// The sets as the list shows them, one page, newest first.
pub async fn sets(ctx: &Context, page: i64) -> ServiceResult<Page<LinkSet>> {
    let now = ctx.now();
    let page = page.max(1);
    ctx.db()
        .run(move |conn| -> ServiceResult<Page<LinkSet>> {
            let total = access_link::count_sets(conn)?;
            let rows = access_link::sets_page(conn, (page - 1) * SETS_PER_PAGE, SETS_PER_PAGE)?;
            let items = shown_sets(conn, rows, now)?;
            Ok(Page {
                items,
                total,
                page,
                per_page: SETS_PER_PAGE,
            })
        })
        .await
}

/// Rows with their tallies and the names of what they grant.
fn shown_sets(
    conn: &mut DbConn,
    rows: Vec<LinkSetRow>,
    now: PrimitiveDateTime,
) -> ServiceResult<Vec<LinkSet>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let tallies: HashMap<i64, (i64, i64)> = access_link::tallies(conn, &ids)?
        .into_iter()
        .map(|(set, used, revoked)| (set, (used, revoked)))
        .collect();
    let catalog = unit::catalog(conn)?;
    let name_of = |kind: UnitKind, id| {
        catalog
            .of(kind)
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let (used, revoked) = tallies.get(&r.id).copied().unwrap_or((0, 0));
            let links = i64::from(r.links);
            let open = if r.expires_at <= now {
                0
            } else {
                links - used - revoked
            };
            LinkSet {
                id: r.id,
                label: r.label,
                created_at: r.created_at,
                created_by: r.created_by_label,
                expires_at: r.expires_at,
                user_type: r.user_type,
                group: r.group_id.and_then(|g| name_of(UnitKind::Group, g)),
                area: r
                    .area_id
                    .and_then(|a| name_of(UnitKind::Area, a))
                    .zip(r.area_role),
                links,
                used,
                revoked,
                open,
            }
        })
        .collect())
}

pub async fn detail(ctx: &Context, id: i64) -> ServiceResult<SetDetail> {
    let now = ctx.now();
    ctx.db()
        .run(move |conn| -> ServiceResult<SetDetail> {
            let row = access_link::find_set(conn, id)?.ok_or(ServiceError::NotFound)?;
            let shown_until = row.shown_until;
            let expires_at = row.expires_at;
            let set = shown_sets(conn, vec![row], now)?
                .pop()
                .ok_or(ServiceError::NotFound)?;
            let rows = access_link::links_of_set(conn, id)?;
            let users: Vec<UserId> = rows.iter().filter_map(|r| r.used_by).collect();
            // Someone deleted since is not linked (the link stays used).
            let mut people: HashMap<UserId, _> = user::live_summaries_of(conn, &users)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            let links = rows
                .into_iter()
                .map(|r| LinkRow {
                    number: r.number,
                    status: LinkStatus::of(r.used_at, r.revoked_at, expires_at, now),
                    used_at: r.used_at,
                    used_by: r.used_by.and_then(|u| people.remove(&u)),
                    revoked_at: r.revoked_at,
                    revoked_by: r.revoked_by_label,
                })
                .collect();
            Ok(SetDetail {
                set,
                links,
                shown_until,
            })
        })
        .await
}

/// The open links of set `id` with their addresses, for the browser that
/// made it (holding `seed` in `session`) while it may show them; `None`
/// otherwise.
pub async fn shown_links(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    seed: &str,
    session: &str,
) -> ServiceResult<Option<Vec<ShownLink>>> {
    require_user_management(actor)?;
    let (now, key) = (ctx.now(), ctx.secrets().csrf_key.clone());
    let base = ctx.settings().public_base_url.clone();
    let (seed, id_hash, session_hash) = (seed.to_owned(), hash_secret(seed), hash_secret(session));
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            if !access_link::shown_to(conn, id, &id_hash, &session_hash, now)? {
                return Ok(None);
            }
            let Some(set) = access_link::find_set(conn, id)? else {
                return Ok(None);
            };
            if set.expires_at <= now {
                return Ok(Some(Vec::new()));
            }
            Ok(Some(
                access_link::open_numbers(conn, id)?
                    .into_iter()
                    .map(|number| {
                        let url = url_of(&base, &token_of(&key, &seed, number));
                        ShownLink {
                            number,
                            code_px: crate::domain::qr::png_side(
                                &url,
                                crate::domain::qr::LETTER_SCALE,
                            )
                            .unwrap_or(0),
                            url,
                        }
                    })
                    .collect(),
            ))
        })
        .await
}

/// The address of link `number` of set `id` for the browser that made it,
/// while it is open (a letter's code).
pub async fn shown_link(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    number: i32,
    seed: &str,
    session: &str,
) -> ServiceResult<Option<String>> {
    require_user_management(actor)?;
    let (now, key) = (ctx.now(), ctx.secrets().csrf_key.clone());
    let base = ctx.settings().public_base_url.clone();
    let token = token_of(&key, seed, number);
    let (id_hash, session_hash) = (hash_secret(seed), hash_secret(session));
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            if !access_link::shown_to(conn, id, &id_hash, &session_hash, now)? {
                return Ok(None);
            }
            let open = match access_link::find_by_hash(conn, &token.hashed())? {
                Some((link, set)) => {
                    set.id == id
                        && LinkStatus::of(link.used_at, link.revoked_at, set.expires_at, now)
                            == LinkStatus::Offen
                }
                None => false,
            };
            Ok(open.then(|| url_of(&base, &token)))
        })
        .await
}

/// Revokes the set's open links (all, or number `number`); how many. A
/// link used at the same instant stays used: the two are one UPDATE each
/// on the same row, and whichever comes second finds it taken.
pub async fn revoke(
    ctx: &Context,
    actor: &Actor,
    id: i64,
    number: Option<i32>,
) -> ServiceResult<usize> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<usize> {
                let set = access_link::find_set(conn, id)?.ok_or(ServiceError::NotFound)?;
                let n = access_link::revoke(conn, id, number, &actor.label, now)?;
                if n > 0 {
                    let what = match number {
                        Some(number) => format!("#{number}"),
                        None => "all".to_owned(),
                    };
                    audit::record_changes(
                        conn,
                        now,
                        &actor,
                        "access_links.revoke",
                        Some(Target::new("access_links", id, set_label(id, &set.label))),
                        &[
                            Change::new("links", "", what),
                            Change::new("revoked", "", n.to_string()),
                        ],
                    )?;
                }
                Ok(n)
            })
        })
        .await
}

/// Looks a link up without changing anything (GET and HEAD of its page).
pub async fn state(ctx: &Context, plain: &PlainToken) -> ServiceResult<AccessState> {
    if !plain.is_shaped_for(TokenPurpose::AccessLink) {
        return Ok(AccessState::Dead);
    }
    let (hash, now) = (plain.hashed(), ctx.now());
    ctx.db()
        .run(move |conn| -> ServiceResult<AccessState> {
            Ok(match access_link::find_by_hash(conn, &hash)? {
                None => AccessState::Dead,
                Some((link, set)) => {
                    match LinkStatus::of(link.used_at, link.revoked_at, set.expires_at, now) {
                        LinkStatus::Offen => AccessState::Live {
                            expires_at: set.expires_at,
                        },
                        LinkStatus::Benutzt => AccessState::Used,
                        LinkStatus::Abgelaufen | LinkStatus::Widerrufen => AccessState::Dead,
                    }
                }
            })
        })
        .await
}

/// Registers with a link: in one transaction the link is used (of two at
/// the same instant exactly one wins; the other is told the link is used),
/// the account made `aktiv` with what the set grants, a confirmation link
/// sent to the address he gave, and a session started.
pub async fn register(
    ctx: &Context,
    plain: &PlainToken,
    form: Registration,
) -> ServiceResult<(UserId, NewSession)> {
    if !plain.is_shaped_for(TokenPurpose::AccessLink) {
        return Err(ServiceError::Refused(Refusal::LinkDead));
    }
    let cost = ctx.config().bcrypt_cost;
    let password = form.account.password.clone();
    let hash = ctx.cpu(move || password.hash(cost)).await??;
    let (token_hash, now, env) = (plain.hashed(), ctx.now(), MailEnv::of(ctx));
    ctx.db()
        .run(move |conn| {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let result = write_tx(conn, |conn| {
                    register_in_tx(conn, &env, &token_hash, &form, &hash, now)
                });
                match result {
                    // Someone took the proposed name between our check and
                    // our insert: propose again. A typed name stays refused.
                    Err(ServiceError::Conflict(UniqueKey::Username))
                        if form.account.username.is_none() && attempt < PROPOSAL_ATTEMPTS => {}
                    other => return other.map_err(ServiceError::conflict_as_field_error),
                }
            }
        })
        .await
}

fn register_in_tx(
    conn: &mut DbConn,
    env: &MailEnv,
    token_hash: &str,
    form: &Registration,
    hash: &str,
    now: PrimitiveDateTime,
) -> ServiceResult<(UserId, NewSession)> {
    let (link, set) = access_link::find_by_hash(conn, token_hash)?
        .ok_or(ServiceError::Refused(Refusal::LinkDead))?;
    match LinkStatus::of(link.used_at, link.revoked_at, set.expires_at, now) {
        LinkStatus::Offen => {}
        LinkStatus::Benutzt => return Err(ServiceError::Refused(Refusal::LinkUsed)),
        _ => return Err(ServiceError::Refused(Refusal::LinkDead)),
    }
    // The second of two at the same instant waits here for the first and
    // then finds the link used.
    if !access_link::claim(conn, link.id, now)? {
        return Err(ServiceError::Refused(Refusal::LinkUsed));
    }
    let (id, _) = self_registration::create(
        conn,
        env,
        &NewRegistered {
            first_name: &form.first_name,
            last_name: &form.last_name,
            personnel_number: None,
            user_type: set.user_type,
            group: set.group_id,
            area: set.area_id.zip(set.area_role),
            account: &form.account,
            password_hash: hash,
            status: UserStatus::registered(false),
        },
        "user.register_access_link",
        Change::new(
            "access_link",
            "",
            format!("{} #{}", set_label(set.id, &set.label), link.number),
        ),
        now,
    )?;
    access_link::set_used_by(conn, link.id, id)?;
    Ok((id, start_session(conn, id, now)?))
}
