//! The account a person makes for himself, whatever let him in (an access
//! link, a whitelist entry): one function, in the caller's transaction,
//! so every way in makes the same account the same way.

use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::domain::access::Account;
use crate::domain::audit::Change;
use crate::domain::people::display_name;
use crate::domain::{
    AreaRole, FieldError, FieldErrors, PersonName, UnitId, UserId, UserStatus, UserType,
};
use crate::models::unit::{area, group};
use crate::models::user::{self, NewUser, UserChanges};
use crate::services::audit::{self, Target};
use crate::services::mail::MailEnv;
use crate::services::users::propose_username;
use crate::services::{Actor, ServiceError, ServiceResult};

/// Who registers, with what he is given.
pub struct NewRegistered<'a> {
    pub first_name: &'a PersonName,
    pub last_name: &'a PersonName,
    pub personnel_number: Option<&'a str>,
    pub user_type: UserType,
    pub group: Option<UnitId>,
    pub area: Option<(UnitId, AreaRole)>,
    pub account: &'a Account,
    /// The password's bcrypt hash (made before the transaction).
    pub password_hash: &'a str,
    /// `aktiv`, or `ausstehend` while an admin must approve him.
    pub status: UserStatus,
}

/// Makes the account: the username he chose (or one proposed from his
/// name), an address he typed unconfirmed with its confirmation link on
/// its way, the group and area if they still exist, audited as `action`
/// by the person himself with `how` (what let him in). A taken username
/// or address is a field error (the caller's transaction rolls back).
pub fn create(
    conn: &mut DbConn,
    env: &MailEnv,
    r: &NewRegistered<'_>,
    action: &str,
    how: Change,
    now: PrimitiveDateTime,
) -> ServiceResult<(UserId, String)> {
    let mut errors = FieldErrors::default();
    if let Some(name) = &r.account.username
        && user::username_taken(conn, name.as_str(), None)?
    {
        errors.add("username", FieldError::UsernameTaken);
    }
    if let Some(email) = &r.account.email
        && user::email_taken(conn, &email.key(), None)?
    {
        errors.add("email", FieldError::EmailTaken);
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let (first, last) = (r.first_name.as_str(), r.last_name.as_str());
    let username = match &r.account.username {
        Some(u) => u.clone(),
        None => propose_username(conn, first, last)?,
    };
    let email = r.account.email.as_ref().map(|e| e.as_str().to_owned());
    let id = user::insert(
        conn,
        &NewUser {
            salutation: None,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            username: username.as_str().to_owned(),
            email_lower: r.account.email.as_ref().map(|e| e.key()),
            email: email.clone(),
            email_confirmed: false,
            personnel_number: r.personnel_number.map(str::to_owned),
            user_type: r.user_type,
            is_staff: false,
            admin_role: None,
            status: r.status,
            password_hash: Some(r.password_hash.to_owned()),
            must_change_password: false,
            sort_name: user::sort_name(first, last),
            search_text: user::search_text(
                first,
                last,
                username.as_str(),
                email.as_deref(),
                r.personnel_number,
            ),
            created_at: now,
            updated_at: now,
        },
    )?;
    let mut changes = vec![
        Change::new("status", "", r.status.as_str()),
        Change::new("user_type", "", r.user_type.as_str()),
    ];
    if r.status.may_sign_in() {
        user::mark_activated(conn, id, now)?;
        user::update(
            conn,
            id,
            &UserChanges {
                last_login_at: Some(Some(now)),
                ..Default::default()
            },
        )?;
    }
    if let Some(g) = r.group.map(|g| group::find(conn, g)).transpose()?.flatten() {
        group::add_member(conn, g.id, id)?;
        changes.push(Change::new("group", "", g.name));
    }
    if let Some((a, role)) = r.area
        && let Some(a) = area::find(conn, a)?
    {
        area::assign(conn, a.id, id, role)?;
        changes.push(Change::new(
            "area",
            "",
            format!("{} ({})", a.name, role.as_str()),
        ));
    }
    if let Some(n) = r.personnel_number {
        changes.push(Change::new("personnel_number", "", n));
    }
    let label = format!("{} ({})", display_name(first, last), username.as_str());
    // An address he typed is his once its own link is opened (a pending
    // request's link comes with its approval).
    if let (Some(address), true, Some(created)) =
        (&email, r.status.may_sign_in(), user::find(conn, id)?)
    {
        crate::services::self_service::send_confirmation_in_tx(conn, env, &created, address, now)?;
    }
    if let Some(address) = &email {
        changes.push(Change::new("email", "", address.as_str()));
    }
    changes.push(how);
    let me = Actor::person(id, label.clone());
    audit::record_changes(
        conn,
        now,
        &me,
        action,
        Some(Target::user(id, label.clone())),
        &changes,
    )?;
    Ok((id, label))
}
