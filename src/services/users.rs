//! Creating, editing, blocking and deleting users; their groups and areas.

use serde::Deserialize;
use time::PrimitiveDateTime;

use crate::db::{DbConn, is_unique_violation, write_tx};
use crate::domain::{
    AdminRole, AreaRole, EmailAddress, FieldError, Password, Salutation, UserStatus, UserType,
    Username, optional_line, required_line,
};
use crate::models::unit::{area, group};
use crate::models::user::{self, NewUser, User, UserChanges, search_text, sort_name};
use crate::services::audit::{self, Target};
use crate::services::auth::end_all_sessions_and_tokens;
use crate::services::{Actor, FieldErrors, Refusal, ServiceError, ServiceResult};

/// What the create and edit forms send (kept as typed, to show it again).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UserInput {
    #[serde(default)]
    pub salutation: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub personnel_number: String,
    #[serde(default)]
    pub user_type: String,
    #[serde(default, rename = "group")]
    pub group_ids: Vec<i64>,
    #[serde(default)]
    pub is_staff: Option<String>,
    #[serde(default)]
    pub admin_role: String,
    /// `none`, `set` or `generate` (create form only).
    #[serde(default)]
    pub start_password_mode: String,
    #[serde(default)]
    pub start_password: String,
    /// Which save button of the create form was pressed: `close`, `new` or `areas`.
    #[serde(default)]
    pub then: String,
}

impl UserInput {
    pub fn from_user(u: &User, group_ids: Vec<i64>) -> Self {
        Self {
            salutation: u.salutation.clone().unwrap_or_default(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            username: u.username.clone(),
            email: u.email.clone().unwrap_or_default(),
            personnel_number: u.personnel_number.clone().unwrap_or_default(),
            user_type: u.user_type.clone(),
            group_ids,
            is_staff: u.is_staff.then(|| "on".to_owned()),
            admin_role: u.admin_role.clone().unwrap_or_default(),
            start_password_mode: "none".into(),
            start_password: String::new(),
            then: String::new(),
        }
    }

    pub fn staff(&self) -> bool {
        self.is_staff.is_some()
    }
}

/// The input after parsing, before the database checks.
struct Parsed {
    salutation: Option<Salutation>,
    first_name: String,
    last_name: String,
    username: Option<Username>,
    email: Option<EmailAddress>,
    personnel_number: Option<String>,
    user_type: UserType,
    group_ids: Vec<i64>,
    admin_role: Option<AdminRole>,
}

fn parse(actor: &Actor, input: &UserInput, errors: &mut FieldErrors) -> Option<Parsed> {
    let salutation = match input.salutation.trim() {
        "" => Some(None),
        s => errors.take(
            "salutation",
            s.parse::<Salutation>()
                .map(Some)
                .map_err(|_| FieldError::InvalidChoice),
        ),
    };
    let first_name = errors.take("first_name", required_line(&input.first_name, 100));
    let last_name = errors.take("last_name", required_line(&input.last_name, 100));
    let username = match input.username.trim() {
        "" => Some(None),
        s => errors.take("username", Username::parse(s).map(Some)),
    };
    let email = match input.email.trim() {
        "" => Some(None),
        s => errors.take("email", EmailAddress::parse(s).map(Some)),
    };
    let personnel_number = errors.take(
        "personnel_number",
        optional_line(&input.personnel_number, 50),
    );
    let user_type = match input.user_type.trim() {
        "" => Some(UserType::Mitarbeiter),
        s => errors.take(
            "user_type",
            s.parse::<UserType>().map_err(|_| FieldError::InvalidChoice),
        ),
    };
    let admin_role = if input.staff() {
        match input.admin_role.parse::<AdminRole>() {
            Ok(role) if actor.role.may_grant(role) => Some(Some(role)),
            Ok(_) => {
                errors.add("admin_role", FieldError::RoleTooHigh);
                None
            }
            Err(()) => {
                errors.add("admin_role", FieldError::InvalidChoice);
                None
            }
        }
    } else {
        Some(None)
    };
    let mut group_ids = input.group_ids.clone();
    group_ids.sort_unstable();
    group_ids.dedup();
    Some(Parsed {
        salutation: salutation?,
        first_name: first_name?,
        last_name: last_name?,
        username: username?,
        email: email?,
        personnel_number: personnel_number?,
        user_type: user_type?,
        group_ids,
        admin_role: admin_role?,
    })
}

/// Database checks shared by create and edit: uniqueness and known groups.
fn check_unique(
    conn: &mut DbConn,
    p: &Parsed,
    except: Option<i64>,
    errors: &mut FieldErrors,
) -> diesel::QueryResult<()> {
    if let Some(name) = &p.username
        && user::username_taken(conn, name.as_str(), except)?
    {
        errors.add("username", FieldError::UsernameTaken);
    }
    if let Some(email) = &p.email
        && user::email_taken(conn, &email.key(), except)?
    {
        errors.add("email", FieldError::EmailTaken);
    }
    if let Some(number) = &p.personnel_number
        && user::personnel_number_taken(conn, number, except)?
    {
        errors.add("personnel_number", FieldError::PersonnelNumberTaken);
    }
    for id in &p.group_ids {
        if group::find(conn, *id)?.is_none() {
            errors.add("group", FieldError::InvalidChoice);
        }
    }
    Ok(())
}

/// The first free username proposal for a name (`anna.mueller`, `anna.mueller2`, ...).
pub fn propose_username(
    conn: &mut DbConn,
    first_name: &str,
    last_name: &str,
) -> diesel::QueryResult<Username> {
    let base = Username::proposal_base(first_name, last_name);
    let taken = user::usernames_starting_with(conn, &base)?;
    let mut n = 1;
    loop {
        let candidate = Username::proposal(&base, n);
        if !taken.iter().any(|t| t == candidate.as_str()) {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// A unique-index violation that slipped past the checks (two admins at once)
/// becomes the same field error the check would have given.
fn unique_violation_field(err: &diesel::result::Error) -> Option<(&'static str, FieldError)> {
    if !is_unique_violation(err) {
        return None;
    }
    let text = match err {
        diesel::result::Error::DatabaseError(_, info) => {
            format!(
                "{} {}",
                info.message(),
                info.constraint_name().unwrap_or("")
            )
        }
        _ => String::new(),
    };
    if text.contains("email") {
        Some(("email", FieldError::EmailTaken))
    } else if text.contains("personnel") {
        Some(("personnel_number", FieldError::PersonnelNumberTaken))
    } else {
        Some(("username", FieldError::UsernameTaken))
    }
}

fn map_write_error(err: ServiceError) -> ServiceError {
    if let ServiceError::Database(db) = &err
        && let Some((field, fe)) = unique_violation_field(db)
    {
        return ServiceError::Invalid(FieldErrors::single(field, fe));
    }
    err
}

pub struct CreatedUser {
    pub user: User,
    /// Shown once to the admin when the start password was generated.
    pub generated_password: Option<Password>,
}

/// A create request that passed every check that needs no database, with
/// its password already hashed (bcrypt stays outside the transaction).
pub struct PreparedUser {
    parsed: Parsed,
    hash: Option<String>,
    generated_password: Option<Password>,
}

pub fn prepare_create(actor: &Actor, input: &UserInput, cost: u32) -> ServiceResult<PreparedUser> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let parsed = parse(actor, input, &mut errors);
    let (password, generated) = match input.start_password_mode.as_str() {
        "set" => (
            errors.take("start_password", Password::parse(&input.start_password)),
            false,
        ),
        "generate" => (Some(Password::generate()), true),
        "" | "none" => (None, false),
        _ => {
            errors.add("start_password_mode", FieldError::InvalidChoice);
            (None, false)
        }
    };
    let (Some(parsed), true) = (parsed, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let hash = password.as_ref().map(|pw| pw.hash(cost)).transpose()?;
    Ok(PreparedUser {
        parsed,
        hash,
        generated_password: generated.then_some(password).flatten(),
    })
}

/// Inserts a prepared user inside the caller's transaction.
pub fn insert_prepared(
    conn: &mut DbConn,
    actor: &Actor,
    prepared: &PreparedUser,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    let p = &prepared.parsed;
    let hash = &prepared.hash;
    let mut errors = FieldErrors::default();
    check_unique(conn, p, None, &mut errors)?;
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let username = match &p.username {
        Some(u) => u.clone(),
        None => propose_username(conn, &p.first_name, &p.last_name)?,
    };
    let status = if hash.is_some() {
        UserStatus::Angelegt
            .set_start_password()
            .map_err(|_| ServiceError::Refused(Refusal::StatusDoesNotAllow))?
    } else {
        UserStatus::Angelegt
    };
    let email = p.email.as_ref().map(|e| e.as_str().to_owned());
    let created = user::insert(
        conn,
        &NewUser {
            salutation: p.salutation.map(|s| s.as_str().to_owned()),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            username: username.as_str().to_owned(),
            email_lower: p.email.as_ref().map(EmailAddress::key),
            email: email.clone(),
            email_confirmed: false,
            personnel_number: p.personnel_number.clone(),
            user_type: p.user_type.as_str().to_owned(),
            is_staff: p.admin_role.is_some(),
            admin_role: p.admin_role.map(|r| r.as_str().to_owned()),
            status: status.as_str().to_owned(),
            password_hash: hash.clone(),
            must_change_password: hash.is_some(),
            sort_name: sort_name(&p.first_name, &p.last_name),
            search_text: search_text(
                &p.first_name,
                &p.last_name,
                username.as_str(),
                email.as_deref(),
                p.personnel_number.as_deref(),
            ),
            created_at: now,
            updated_at: now,
        },
    )?;
    for gid in &p.group_ids {
        group::add_member(conn, *gid, created.id)?;
    }
    let mut details = Vec::new();
    if let Some(role) = p.admin_role {
        details.push(format!("role={}", role.as_str()));
    }
    if hash.is_some() {
        details.push("start_password".to_owned());
    }
    audit::record(
        conn,
        now,
        actor,
        "user.create",
        Some(Target::new("user", created.id, created.label())),
        (!details.is_empty()).then(|| details.join(", ")),
    )?;
    Ok(created)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    input: &UserInput,
    now: PrimitiveDateTime,
    cost: u32,
) -> ServiceResult<CreatedUser> {
    let prepared = prepare_create(actor, input, cost)?;
    let user = write_tx(conn, |conn| insert_prepared(conn, actor, &prepared, now))
        .map_err(map_write_error)?;
    Ok(CreatedUser {
        user,
        generated_password: prepared.generated_password,
    })
}

/// Loads a live user the actor may change, or says why not.
fn changeable(conn: &mut DbConn, actor: &Actor, id: i64) -> ServiceResult<User> {
    let target = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.role.may_change_account_of(target.admin_role()) {
        return Err(ServiceError::Forbidden);
    }
    Ok(target)
}

/// Refuses when `target` is the last active Administrator and would stop being one.
fn guard_last_administrator(conn: &mut DbConn, target: &User) -> ServiceResult<()> {
    let is_active_admin = target.admin_role() == Some(AdminRole::Administrator)
        && target.status() == UserStatus::Aktiv;
    if is_active_admin && user::count_active_administrators(conn)? <= 1 {
        return Err(ServiceError::Refused(Refusal::LastAdministrator));
    }
    Ok(())
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    input: &UserInput,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| -> ServiceResult<User> {
        let target = changeable(conn, actor, id)?;
        let mut errors = FieldErrors::default();
        let parsed = parse(actor, input, &mut errors);
        let Some(mut p) = parsed else {
            return Err(ServiceError::Invalid(errors));
        };
        if p.username.is_none() {
            errors.add("username", FieldError::Required);
        }
        let new_email_key = p.email.as_ref().map(EmailAddress::key);
        let email_changed = p.email.as_ref().map(|e| e.as_str()) != target.email.as_deref();
        if email_changed && target.email_confirmed {
            errors.add("email", FieldError::EmailLocked);
        }
        check_unique(conn, &p, Some(id), &mut errors)?;
        let role_changed = p.admin_role != target.admin_role();
        if role_changed && p.admin_role != Some(AdminRole::Administrator) {
            if actor.user_id == Some(id) && target.admin_role().is_some() {
                errors.add("admin_role", FieldError::RoleTooHigh);
            }
            if guard_last_administrator(conn, &target).is_err() {
                return Err(ServiceError::Refused(Refusal::LastAdministrator));
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let username = p
            .username
            .take()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| target.username.clone());
        let email = p.email.as_ref().map(|e| e.as_str().to_owned());
        let changes = UserChanges {
            salutation: Some(p.salutation.map(|s| s.as_str().to_owned())),
            first_name: Some(p.first_name.clone()),
            last_name: Some(p.last_name.clone()),
            username: Some(username.clone()),
            email: Some(email.clone()),
            email_lower: Some(new_email_key),
            email_confirmed: Some(target.email_confirmed && !email_changed),
            personnel_number: Some(p.personnel_number.clone()),
            user_type: Some(p.user_type.as_str().to_owned()),
            is_staff: Some(p.admin_role.is_some()),
            admin_role: Some(p.admin_role.map(|r| r.as_str().to_owned())),
            sort_name: Some(sort_name(&p.first_name, &p.last_name)),
            search_text: Some(search_text(
                &p.first_name,
                &p.last_name,
                &username,
                email.as_deref(),
                p.personnel_number.as_deref(),
            )),
            updated_at: Some(now),
            ..Default::default()
        };
        user::update(conn, id, &changes)?;
        let old_groups = group::ids_for_user(conn, id)?;
        for gid in old_groups.iter().filter(|g| !p.group_ids.contains(g)) {
            group::remove_member(conn, *gid, id)?;
        }
        for gid in p.group_ids.iter().filter(|g| !old_groups.contains(g)) {
            group::add_member(conn, *gid, id)?;
        }
        if email_changed || role_changed {
            end_all_sessions_and_tokens(conn, id, now)?;
        }
        let mut details = Vec::new();
        if email_changed {
            details.push("email".to_owned());
        }
        if role_changed {
            details.push(format!(
                "role={}",
                p.admin_role.map_or("none", |r| r.as_str())
            ));
        }
        if username != target.username {
            details.push(format!("username {} -> {}", target.username, username));
        }
        let updated = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
        audit::record(
            conn,
            now,
            actor,
            "user.update",
            Some(Target::new("user", id, updated.label())),
            (!details.is_empty()).then(|| details.join(", ")),
        )?;
        Ok(updated)
    })
    .map_err(map_write_error)
}

fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: UserStatus,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<usize> {
    user::update(
        conn,
        id,
        &UserChanges {
            status: Some(status.as_str().to_owned()),
            updated_at: Some(now),
            ..Default::default()
        },
    )
}

/// Blocks the account: sessions and outstanding links die at once.
pub fn deactivate(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| {
        let target = changeable(conn, actor, id)?;
        if actor.user_id == Some(id) {
            return Err(ServiceError::Refused(Refusal::NotOnYourself));
        }
        guard_last_administrator(conn, &target)?;
        let next = target
            .status()
            .deactivate()
            .map_err(|_| ServiceError::Refused(Refusal::StatusDoesNotAllow))?;
        set_status(conn, id, next, now)?;
        end_all_sessions_and_tokens(conn, id, now)?;
        audit::record(
            conn,
            now,
            actor,
            "user.deactivate",
            Some(Target::new("user", id, target.label())),
            None,
        )?;
        Ok(target)
    })
}

/// Lifts a block set by an admin.
pub fn unblock(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| {
        let target = changeable(conn, actor, id)?;
        let next = target
            .status()
            .unblock(target.password_hash.is_some())
            .map_err(|_| ServiceError::Refused(Refusal::StatusDoesNotAllow))?;
        set_status(conn, id, next, now)?;
        audit::record(
            conn,
            now,
            actor,
            "user.reactivate",
            Some(Target::new("user", id, target.label())),
            Some(format!("status={}", next.as_str())),
        )?;
        Ok(target)
    })
}

/// Deletes the account: it disappears from lists, frees its username, email
/// and personnel number, loses its memberships; the audit log keeps the story.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| {
        let target = changeable(conn, actor, id)?;
        if actor.user_id == Some(id) {
            return Err(ServiceError::Refused(Refusal::NotOnYourself));
        }
        guard_last_administrator(conn, &target)?;
        user::update(
            conn,
            id,
            &UserChanges {
                deleted_at: Some(Some(now)),
                updated_at: Some(now),
                ..Default::default()
            },
        )?;
        group::remove_all_of_user(conn, id)?;
        area::remove_all_of_user(conn, id)?;
        end_all_sessions_and_tokens(conn, id, now)?;
        audit::record(
            conn,
            now,
            actor,
            "user.delete",
            Some(Target::new("user", id, target.label())),
            target.email.clone(),
        )?;
        Ok(target)
    })
}

/// Replaces the user's areas and the role in each.
pub fn set_areas(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    wanted: &[(i64, AreaRole)],
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| {
        let target = changeable(conn, actor, id)?;
        for (area_id, _) in wanted {
            if area::find(conn, *area_id)?.is_none() {
                return Err(ServiceError::Invalid(FieldErrors::single(
                    "areas",
                    FieldError::InvalidChoice,
                )));
            }
        }
        let current = area::roles_for_user(conn, id)?;
        for (area_id, _) in current
            .iter()
            .filter(|(a, _)| !wanted.iter().any(|(w, _)| w == a))
        {
            area::remove_member(conn, *area_id, id)?;
        }
        for (area_id, role) in wanted {
            area::assign(conn, *area_id, id, *role)?;
        }
        let summary = wanted
            .iter()
            .map(|(a, r)| format!("{a}:{}", r.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        audit::record(
            conn,
            now,
            actor,
            "user.areas",
            Some(Target::new("user", id, target.label())),
            Some(summary),
        )?;
        Ok(target)
    })
}

/// Stores a (normalised) photo for the user, replacing an earlier one.
pub fn set_photo(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    photo: &crate::domain::photo::StoredPhoto,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| {
        let target = changeable(conn, actor, id)?;
        crate::models::photo::put(
            conn,
            &crate::models::photo::UserPhoto {
                user_id: id,
                content_type: "image/jpeg".into(),
                bytes: photo.jpeg.clone(),
                width: i32::try_from(photo.width).unwrap_or(i32::MAX),
                height: i32::try_from(photo.height).unwrap_or(i32::MAX),
                updated_at: now,
            },
        )?;
        user::update(
            conn,
            id,
            &UserChanges {
                updated_at: Some(now),
                ..Default::default()
            },
        )?;
        audit::record(
            conn,
            now,
            actor,
            "user.photo_set",
            Some(Target::new("user", id, target.label())),
            None,
        )?;
        Ok(target)
    })
}

pub fn remove_photo(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    now: PrimitiveDateTime,
) -> ServiceResult<User> {
    write_tx(conn, |conn| {
        let target = changeable(conn, actor, id)?;
        if crate::models::photo::delete(conn, id)? > 0 {
            user::update(
                conn,
                id,
                &UserChanges {
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            audit::record(
                conn,
                now,
                actor,
                "user.photo_remove",
                Some(Target::new("user", id, target.label())),
                None,
            )?;
        }
        Ok(target)
    })
}
