//! Groups and areas: list, show, create, rename, delete (refused while in
//! use), members. Changing someone's membership is changing that person, so
//! the member routes apply the same role rule as the user pages.

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::audit::Change;
use crate::domain::text::lookup_key;
use crate::domain::units::{Unit, UnitCatalog, UnitDetail, UnitKind, UnitWithCount};
use crate::domain::{
    AreaRole, FieldError, FieldErrors, Refusal, UnitId, UserId, name_key, required_line,
};
use crate::models::unit::{self, area, group};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::users::changeable;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// Members shown on a unit's page; the user list shows all.
pub const MEMBERS_SHOWN: i64 = 200;
pub const MAX_NAME_CHARS: usize = 80;

/// Loads the catalogue of groups and areas (startup and the refresh job).
pub fn load_catalog(conn: &mut DbConn) -> diesel::QueryResult<UnitCatalog> {
    unit::catalog(conn)
}

/// Reloads the cached catalogue (changes made by another instance).
pub async fn reload_catalog(ctx: &Context) -> ServiceResult<()> {
    let catalog = ctx
        .db()
        .run(|conn| -> ServiceResult<_> { Ok(unit::catalog(conn)?) })
        .await?;
    ctx.set_units(catalog);
    Ok(())
}

pub async fn list(
    ctx: &Context,
    _actor: &Actor,
    kind: UnitKind,
) -> ServiceResult<Vec<UnitWithCount>> {
    ctx.db().run(move |conn| Ok(unit::list(conn, kind)?)).await
}

pub async fn detail(
    ctx: &Context,
    _actor: &Actor,
    kind: UnitKind,
    id: UnitId,
) -> ServiceResult<UnitDetail> {
    ctx.db()
        .run(move |conn| {
            let unit = unit::find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
            Ok(UnitDetail {
                kind,
                unit,
                members: unit::members(conn, kind, id, MEMBERS_SHOWN)?,
                member_count: unit::live_member_count(conn, kind, id)?,
            })
        })
        .await
}

fn parse_name(
    conn: &mut DbConn,
    kind: UnitKind,
    input: &str,
    except: Option<UnitId>,
) -> ServiceResult<(String, String)> {
    let name = required_line(input, MAX_NAME_CHARS)
        .map_err(|e| ServiceError::Invalid(FieldErrors::single("name", e)))?;
    // The import refuses to make such a group from a file, and an export
    // would have to quote it: the form refuses it alike.
    if crate::domain::import::formula_start(&name) {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "name",
            FieldError::FormulaStart,
        )));
    }
    let key = name_key(&name);
    let spelled = crate::domain::text::spelled_key(&name);
    // Two admins making "Strasse" and "Straße" at once: one waits for the
    // other's transaction and then sees its unit (PostgreSQL; SQLite's
    // write transaction holds the database already).
    crate::models::rate_limit::lock(conn, "unit-name", &format!("{}:{spelled}", kind.as_str()))?;
    if unit::find_by_key(conn, kind, &key)?.is_some_and(|u| Some(u.id) != except) {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "name",
            FieldError::NameTaken,
        )));
    }
    // "Strasse" beside "Straße": a file's "Strasse" would stand for either.
    if unit::all(conn, kind)?
        .iter()
        .any(|u| Some(u.id) != except && crate::domain::text::spelled_key(&u.name) == spelled)
    {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "name",
            FieldError::NameTooSimilar,
        )));
    }
    Ok((name, key))
}

fn action(kind: UnitKind, verb: &str) -> String {
    format!("{}.{verb}", kind.as_str())
}

/// Runs a write on units and then refreshes this instance's catalogue.
async fn write_and_refresh<T, F>(ctx: &Context, f: F) -> ServiceResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> ServiceResult<T> + Send + 'static,
{
    let (value, catalog) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let value = write_tx(conn, f).map_err(ServiceError::conflict_as_field_error)?;
            Ok((value, unit::catalog(conn)?))
        })
        .await?;
    ctx.set_units(catalog);
    Ok(value)
}

pub async fn create(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    name: &str,
) -> ServiceResult<Unit> {
    require_user_management(actor)?;
    let (actor, now, name) = (actor.clone(), ctx.now(), name.to_owned());
    write_and_refresh(ctx, move |conn| {
        let (name, key) = parse_name(conn, kind, &name, None)?;
        let unit = unit::insert(conn, kind, &name, &key, now)?;
        audit::record(
            conn,
            now,
            &actor,
            &action(kind, "create"),
            Some(Target::new(kind.as_str(), unit.id.get(), unit.name.clone())),
            None,
        )?;
        Ok(unit)
    })
    .await
}

pub async fn rename(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    id: UnitId,
    name: &str,
) -> ServiceResult<()> {
    require_user_management(actor)?;
    let (actor, now, name) = (actor.clone(), ctx.now(), name.to_owned());
    write_and_refresh(ctx, move |conn| {
        let unit = unit::find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
        let (name, key) = parse_name(conn, kind, &name, Some(id))?;
        unit::rename(conn, kind, id, &name, &key)?;
        audit::record(
            conn,
            now,
            &actor,
            &action(kind, "rename"),
            Some(Target::new(kind.as_str(), id.get(), name.clone())),
            crate::domain::audit::encode_changes(&[Change::new("name", &unit.name, &name)]),
        )?;
        Ok(())
    })
    .await
}

/// Deletes a group or area. With members, only when the admin confirmed
/// exactly that many (`confirmed_members`): their memberships go with it.
/// A count that changed since the confirmation page refuses, so nobody
/// deletes more than he was shown.
pub async fn delete(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    id: UnitId,
    confirmed_members: Option<i64>,
) -> ServiceResult<()> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    write_and_refresh(ctx, move |conn| {
        // Locked first: a member added at the same instant is either counted
        // here or refused because the unit is gone, never lost between the
        // count and the delete.
        let unit = unit::lock(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
        let members = unit::live_member_count(conn, kind, id)?;
        if members > 0 && confirmed_members != Some(members) {
            return Err(ServiceError::Refused(Refusal::UnitInUse(members)));
        }
        // Deleting ends every membership: the same "not above your own role"
        // rule as removing each member by hand.
        let roles = unit::member_admin_roles(conn, kind, id)?;
        if roles
            .iter()
            .any(|r| !actor.role.may_change_account_of(Some(*r)))
        {
            return Err(ServiceError::Forbidden);
        }
        let removed = unit::remove_all_members(conn, kind, id)?;
        unit::delete(conn, kind, id)?;
        let changes = if removed > 0 {
            vec![Change::new("memberships", removed.to_string(), "0")]
        } else {
            Vec::new()
        };
        audit::record_changes(
            conn,
            now,
            &actor,
            &action(kind, "delete"),
            Some(Target::new(kind.as_str(), id.get(), unit.name.clone())),
            &changes,
        )?;
        Ok(())
    })
    .await
}

/// Adds the chosen users to a group, or to an area with a role, in one
/// transaction: all of them or, if the actor may not change one of them,
/// none. Users already there keep their membership (in an area they get
/// the chosen role). Returns how many memberships really changed (people
/// who were in already are not counted, and get no audit entry).
pub async fn add_members(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    id: UnitId,
    users: Vec<UserId>,
    role: Option<AreaRole>,
) -> ServiceResult<usize> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    let mut users = users;
    users.sort_unstable();
    users.dedup();
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let unit = unit::find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
                let mut changed = 0;
                for user_id in &users {
                    let member = changeable(conn, &actor, *user_id)?;
                    if add_one(conn, &actor, kind, &unit, &member, role, now)? {
                        changed += 1;
                    }
                }
                Ok(changed)
            })
        })
        .await
}

fn add_one(
    conn: &mut DbConn,
    actor: &Actor,
    kind: UnitKind,
    unit: &crate::domain::units::Unit,
    member: &crate::models::user::User,
    role: Option<AreaRole>,
    now: time::PrimitiveDateTime,
) -> ServiceResult<bool> {
    let mut changes = vec![Change::new("member", "", member.label())];
    match kind {
        UnitKind::Group => {
            if group::add_member(conn, unit.id, member.id)? == 0 {
                return Ok(false);
            }
        }
        UnitKind::Area => {
            let role = role.unwrap_or(AreaRole::Mitglied);
            let before = area::roles_for_user(conn, member.id)?
                .into_iter()
                .find(|(a, _)| *a == unit.id)
                .map(|(_, r)| r);
            if before == Some(role) {
                return Ok(false);
            }
            area::assign(conn, unit.id, member.id, role)?;
            changes.push(Change::new(
                "area_role",
                before.map_or("", |r| r.as_str()),
                role.as_str(),
            ));
        }
    }
    audit::record_changes(
        conn,
        now,
        actor,
        &action(kind, "member_add"),
        Some(Target::new(kind.as_str(), unit.id.get(), unit.name.clone())),
        &changes,
    )?;
    Ok(true)
}

/// People found for a unit: at most `limit` of `total` matches, and which
/// of them belong already.
#[derive(Default)]
pub struct Candidates {
    pub people: Vec<crate::domain::people::UserSummary>,
    pub total: i64,
    pub members: Vec<UserId>,
}

/// Live users whose name, username or email contains the text, for adding
/// them to a unit (at most `limit`), with whether they already belong.
pub async fn member_candidates(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    id: UnitId,
    text: &str,
    limit: i64,
) -> ServiceResult<Candidates> {
    let query = crate::services::users::UserQuery {
        text: text.to_owned(),
        ..Default::default()
    };
    let page = crate::services::users::list(ctx, actor, &query).await?;
    let total = page.rows.total;
    let found: Vec<crate::domain::people::UserSummary> = page
        .rows
        .items
        .into_iter()
        .take(limit.max(0) as usize)
        .map(|r| r.user)
        .collect();
    let ids: Vec<UserId> = found.iter().map(|u| u.id).collect();
    let already = ctx
        .db()
        .run(move |conn| -> ServiceResult<Vec<UserId>> {
            Ok(unit::members_among(conn, kind, id, &ids)?)
        })
        .await?;
    Ok(Candidates {
        people: found,
        total,
        members: already,
    })
}

/// Adds a user (by username or email, as typed) to a group, or to an area
/// with a role (or changes his role there). `false`: he was there already.
pub async fn add_member(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    id: UnitId,
    login: &str,
    role: Option<AreaRole>,
) -> ServiceResult<bool> {
    require_user_management(actor)?;
    let key = lookup_key(login);
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let unit = unit::find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
                let found = match &key {
                    Some(key) => user::find_by_login(conn, key)?,
                    None => None,
                };
                let Some(found) = found else {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "member",
                        FieldError::UnknownMember,
                    )));
                };
                let member = changeable(conn, &actor, found.id)?;
                add_one(conn, &actor, kind, &unit, &member, role, now)
            })
        })
        .await
}

pub async fn remove_member(
    ctx: &Context,
    actor: &Actor,
    kind: UnitKind,
    id: UnitId,
    member: UserId,
) -> ServiceResult<()> {
    require_user_management(actor)?;
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let unit = unit::find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
                let member = changeable(conn, &actor, member)?;
                unit::remove_member(conn, kind, id, member.id)?;
                audit::record(
                    conn,
                    now,
                    &actor,
                    &action(kind, "member_remove"),
                    Some(Target::new(kind.as_str(), id.get(), unit.name.clone())),
                    crate::domain::audit::encode_changes(&[Change::new(
                        "member",
                        member.label(),
                        "",
                    )]),
                )?;
                Ok(())
            })
        })
        .await
}
