//! Groups and areas: create, rename, delete (refused while in use), members.

use time::PrimitiveDateTime;

use crate::db::{DbConn, is_unique_violation, write_tx};
use crate::domain::{AreaRole, FieldError, name_key, required_line};
use crate::models::unit::{Unit, UnitKind, area, group};
use crate::models::user;
use crate::services::audit::{self, Target};
use crate::services::{Actor, FieldErrors, Refusal, ServiceError, ServiceResult};

fn find(conn: &mut DbConn, kind: UnitKind, id: i64) -> diesel::QueryResult<Option<Unit>> {
    match kind {
        UnitKind::Group => group::find(conn, id),
        UnitKind::Area => area::find(conn, id),
    }
}

fn find_by_key(conn: &mut DbConn, kind: UnitKind, key: &str) -> diesel::QueryResult<Option<Unit>> {
    match kind {
        UnitKind::Group => group::find_by_key(conn, key),
        UnitKind::Area => area::find_by_key(conn, key),
    }
}

fn parse_name(
    conn: &mut DbConn,
    kind: UnitKind,
    input: &str,
    except: Option<i64>,
) -> ServiceResult<(String, String)> {
    let name = required_line(input, 80)
        .map_err(|e| ServiceError::Invalid(FieldErrors::single("name", e)))?;
    let key = name_key(&name);
    if find_by_key(conn, kind, &key)?.is_some_and(|u| Some(u.id) != except) {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "name",
            FieldError::NameTaken,
        )));
    }
    Ok((name, key))
}

fn taken_on_race(err: ServiceError) -> ServiceError {
    match &err {
        ServiceError::Database(db) if is_unique_violation(db) => {
            ServiceError::Invalid(FieldErrors::single("name", FieldError::NameTaken))
        }
        _ => err,
    }
}

fn audit_action(kind: UnitKind, verb: &str) -> String {
    format!("{}.{verb}", kind.as_str())
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    kind: UnitKind,
    name: &str,
    now: PrimitiveDateTime,
) -> ServiceResult<Unit> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    write_tx(conn, |conn| {
        let (name, key) = parse_name(conn, kind, name, None)?;
        let unit = match kind {
            UnitKind::Group => group::insert(conn, &name, &key, now)?,
            UnitKind::Area => area::insert(conn, &name, &key, now)?,
        };
        audit::record(
            conn,
            now,
            actor,
            &audit_action(kind, "create"),
            Some(Target::new(kind.as_str(), unit.id, unit.name.clone())),
            None,
        )?;
        Ok(unit)
    })
    .map_err(taken_on_race)
}

pub fn rename(
    conn: &mut DbConn,
    actor: &Actor,
    kind: UnitKind,
    id: i64,
    name: &str,
    now: PrimitiveDateTime,
) -> ServiceResult<Unit> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    write_tx(conn, |conn| {
        let unit = find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
        let (name, key) = parse_name(conn, kind, name, Some(id))?;
        match kind {
            UnitKind::Group => group::rename(conn, id, &name, &key)?,
            UnitKind::Area => area::rename(conn, id, &name, &key)?,
        };
        audit::record(
            conn,
            now,
            actor,
            &audit_action(kind, "rename"),
            Some(Target::new(kind.as_str(), id, name.clone())),
            Some(format!("{} -> {name}", unit.name)),
        )?;
        Ok(Unit {
            name,
            name_key: key,
            ..unit
        })
    })
    .map_err(taken_on_race)
}

/// Deletes a group or area that nobody belongs to any more.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    kind: UnitKind,
    id: i64,
    now: PrimitiveDateTime,
) -> ServiceResult<Unit> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    write_tx(conn, |conn| {
        let unit = find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
        let members = match kind {
            UnitKind::Group => group::live_member_count(conn, id)?,
            UnitKind::Area => area::live_member_count(conn, id)?,
        };
        if members > 0 {
            return Err(ServiceError::Refused(Refusal::UnitInUse(members)));
        }
        match kind {
            UnitKind::Group => group::delete(conn, id)?,
            UnitKind::Area => area::delete(conn, id)?,
        };
        audit::record(
            conn,
            now,
            actor,
            &audit_action(kind, "delete"),
            Some(Target::new(kind.as_str(), id, unit.name.clone())),
            None,
        )?;
        Ok(unit)
    })
}

/// Adds a user (by username or email) to a group or area.
pub fn add_member(
    conn: &mut DbConn,
    actor: &Actor,
    kind: UnitKind,
    id: i64,
    login: &str,
    role: Option<AreaRole>,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    write_tx(conn, |conn| {
        let unit = find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
        let Some(member) = user::find_by_login(conn, login)? else {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "member",
                FieldError::InvalidChoice,
            )));
        };
        match kind {
            UnitKind::Group => group::add_member(conn, id, member.id)?,
            UnitKind::Area => {
                area::assign(conn, id, member.id, role.unwrap_or(AreaRole::Mitglied))?
            }
        };
        let details = format!(
            "{}{}",
            member.label(),
            role.map(|r| format!(" ({})", r.as_str()))
                .unwrap_or_default()
        );
        audit::record(
            conn,
            now,
            actor,
            &audit_action(kind, "member_add"),
            Some(Target::new(kind.as_str(), id, unit.name.clone())),
            Some(details),
        )?;
        Ok(())
    })
}

pub fn remove_member(
    conn: &mut DbConn,
    actor: &Actor,
    kind: UnitKind,
    id: i64,
    user_id: i64,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    write_tx(conn, |conn| {
        let unit = find(conn, kind, id)?.ok_or(ServiceError::NotFound)?;
        let member = user::find(conn, user_id)?.ok_or(ServiceError::NotFound)?;
        match kind {
            UnitKind::Group => group::remove_member(conn, id, user_id)?,
            UnitKind::Area => area::remove_member(conn, id, user_id)?,
        };
        audit::record(
            conn,
            now,
            actor,
            &audit_action(kind, "member_remove"),
            Some(Target::new(kind.as_str(), id, unit.name.clone())),
            Some(member.label()),
        )?;
        Ok(())
    })
}
