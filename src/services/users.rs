//! Users: list, show, create, edit, block, delete; their areas and photo.
//!
//! Every use case that changes a person goes through [`changeable`], which
//! applies the one rule "nobody changes an account above his own role";
//! the group and area member routes (`services::units`) use it too.

use time::PrimitiveDateTime;

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::audit::{Change, diff};
use crate::domain::people::{AreaChoice, Photo, UserDetail, UserListRow, UserSort, UserSummary};
use crate::domain::photo::normalise;
use crate::domain::text::{lookup_key, search_term};
use crate::domain::token::TokenPurpose;
use crate::domain::units::Unit;
use crate::domain::{
    AdminRole, AreaRole, EmailAddress, FieldError, FieldErrors, Page, Password, PersonName,
    PersonnelNumber, Refusal, Salutation, UnitId, UserId, UserStatus, UserType, Username,
};
use crate::models::conflict::UniqueKey;
use crate::models::unit::{area, group};
use crate::models::user::{self, NewUser, User, UserChanges, UserFilter, search_text, sort_name};
use crate::models::{audit as audit_model, handover, photo as photo_model};
use crate::services::audit::{self, Target};
use crate::services::auth::end_all_sessions_and_tokens;
use crate::services::{Actor, ServiceError, ServiceResult, require_user_management};

/// The personal data of a user, parsed and valid.
#[derive(Clone, Debug)]
pub struct PersonData {
    pub salutation: Option<Salutation>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Option<EmailAddress>,
    pub personnel_number: Option<PersonnelNumber>,
    pub user_type: UserType,
    pub groups: Vec<UnitId>,
    /// Access to the admin area, with this role.
    pub admin_role: Option<AdminRole>,
}

/// How a new account gets its first password.
#[derive(Clone, Debug)]
pub enum StartPassword {
    /// None: the person will be invited later ("später einladen").
    None,
    /// None, and the invitation goes out at once ("Einladung sofort senden";
    /// needs an email address).
    InviteNow,
    /// This password; `must_change` forces a new one at first sign-in.
    Set {
        password: Password,
        must_change: bool,
    },
    /// Made by the caller (random for the CLI, derived from a hand-over id
    /// on the web), shown to the admin; must be changed at first sign-in.
    Generate(Password),
}

/// Where a generated start password is shown: the admin's session and the
/// hand-over id only his browser holds (the password derives from it), and
/// which page comes after it (the web layer's word: `close`, `new`, …).
#[derive(Clone, Debug)]
pub struct Handover {
    pub id: String,
    pub session: String,
    pub then_page: String,
}

/// How long a generated start password can be shown again.
pub const HANDOVER_MINUTES: i64 = 10;

/// A live hand-over, as the credentials sheet shows it.
#[derive(Clone, Debug)]
pub struct HandoverSheet {
    pub user: UserSummary,
    pub then_page: String,
    pub expires_at: PrimitiveDateTime,
}

#[derive(Clone, Debug)]
pub struct CreateUser {
    pub person: PersonData,
    /// `None`: propose one from the name (`anna.mueller`, `anna.mueller2`, …).
    pub username: Option<Username>,
    pub start_password: StartPassword,
    /// The create form's own key: a second submit with it creates nothing.
    pub form_key: Option<String>,
    /// Where a generated start password is handed over (web only).
    pub handover: Option<Handover>,
    /// The address counts as confirmed from the start: only where whoever
    /// types it runs the instance (the server's console, the one-time setup
    /// link printed there), so "Passwort vergessen" reaches a first admin.
    pub address_confirmed: bool,
}

#[derive(Clone, Debug)]
pub struct UpdateUser {
    pub person: PersonData,
    pub username: Username,
    /// "Einladung jetzt senden" (after an email change, or any time the
    /// status allows an invitation); otherwise "später".
    pub invite_now: bool,
    /// The person's edit version the form was made from (`None`: no
    /// check, as for a form without one).
    pub seen: Option<String>,
}

pub struct CreatedUser {
    pub id: UserId,
    pub username: String,
    /// "Anna Müller (anna.mueller)", for the message after the create.
    pub label: String,
    /// Shown once to the admin when the start password was generated.
    pub generated_password: Option<Password>,
    /// The form had been submitted before: this is what that submit made,
    /// and nothing new was created.
    pub duplicate: bool,
}

// ---------------------------------------------------------------- reads

pub const PER_PAGE: i64 = 50;

/// The user list's filters as the admin typed or picked them.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub text: String,
    pub status: Option<UserStatus>,
    pub group: Option<UnitId>,
    pub area: Option<UnitId>,
    pub user_type: Option<UserType>,
    pub staff: Option<bool>,
    pub delivery: Option<crate::domain::mail::Delivery>,
    /// Only the people this import batch created.
    pub import_batch: Option<i64>,
    pub sort: UserSort,
    pub descending: bool,
    pub page: i64,
    /// Where the page starts in name order (from the previous page's links).
    pub cursor: Option<ListCursor>,
    /// Filters given a value that names nothing (`group=x`): such a query
    /// finds nobody, and says so at those fields.
    pub unreadable: Vec<&'static str>,
}

/// Keyset paging of the name-sorted list: the page after or before a user.
pub use crate::models::user::Cursor as ListCursor;

pub struct UserListPage {
    pub rows: Page<UserListRow>,
    pub errors: FieldErrors,
}

/// The filter of a list query; `None` for a search that cannot match
/// anything (its error is the list's to show).
pub(crate) fn filter_of(query: &UserQuery) -> Option<UserFilter> {
    if !query.unreadable.is_empty() {
        return None;
    }
    let text = search_term(&query.text).ok()?;
    Some(UserFilter {
        text,
        status: query.status,
        group: query.group,
        area: query.area,
        user_type: query.user_type,
        staff: query.staff,
        delivery: query.delivery,
        import_batch: query.import_batch,
    })
}

pub async fn list(ctx: &Context, _actor: &Actor, query: &UserQuery) -> ServiceResult<UserListPage> {
    let mut errors = FieldErrors::default();
    let text = errors.take("q", search_term(&query.text));
    for field in &query.unreadable {
        errors.add(field, FieldError::InvalidChoice);
    }
    let per_page = PER_PAGE;
    let Some(text) = text.filter(|_| query.unreadable.is_empty()) else {
        // A search that cannot match anything lists nothing.
        return Ok(UserListPage {
            rows: Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                per_page,
            },
            errors,
        });
    };
    let filter = UserFilter {
        text,
        status: query.status,
        group: query.group,
        area: query.area,
        user_type: query.user_type,
        staff: query.staff,
        delivery: query.delivery,
        import_batch: query.import_batch,
    };
    let (sort, descending, page, cursor) = (query.sort, query.descending, query.page, query.cursor);
    let rows = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let list = user::list(conn, &filter, sort, descending, page, per_page, cursor)?;
            let ids: Vec<UserId> = list.items.iter().map(|u| u.id).collect();
            let names = group::names_for_users(conn, &ids)?;
            let addresses: Vec<String> = list
                .items
                .iter()
                .filter_map(|u| u.email.as_deref().map(crate::models::outbox::block_key))
                .collect();
            let blocked = crate::models::outbox::blocked_among(conn, &addresses)?;
            Ok(list.map(|user| UserListRow {
                address_blocked: user
                    .email
                    .as_deref()
                    .is_some_and(|e| blocked.contains(&crate::models::outbox::block_key(e))),
                groups: names
                    .iter()
                    .filter(|(id, _)| *id == user.id)
                    .map(|(_, n)| n.clone())
                    .collect(),
                user,
            }))
        })
        .await?;
    Ok(UserListPage { rows, errors })
}

/// Live users, all statuses (the figure on top of the list).
pub async fn count(ctx: &Context) -> ServiceResult<i64> {
    ctx.db()
        .run(|conn| Ok(user::count(conn, &UserFilter::default())?))
        .await
}

/// The user page.
pub async fn detail(ctx: &Context, actor: &Actor, id: UserId) -> ServiceResult<UserDetail> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            let user = user::find_summary(conn, id)?.ok_or(ServiceError::NotFound)?;
            let mails = crate::services::mail::of_user(conn, id)?;
            let address_block = match &user.email {
                Some(e) => crate::services::mail::block_of(conn, e)?,
                None => None,
            };
            let group_ids = group::ids_for_user(conn, id)?;
            let roles = area::roles_for_user(conn, id)?;
            let groups: Vec<Unit> = group::all(conn)?
                .into_iter()
                .filter(|g| group_ids.contains(&g.id))
                .collect();
            let areas: Vec<(Unit, AreaRole)> = area::all(conn)?
                .into_iter()
                .filter_map(|a| {
                    let role = roles.iter().find(|(aid, _)| *aid == a.id)?.1;
                    Some((a, role))
                })
                .collect();
            let filter = crate::domain::audit::AuditFilter {
                target: Some(("user", id.get())),
                ..Default::default()
            };
            let history = audit_model::list(conn, &filter, 1, 20)?.items;
            let has_photo = photo_model::exists(conn, id)?;
            Ok(UserDetail {
                may_change: actor.role.may_change_account_of(user.admin_role),
                is_self: actor.is(id),
                user,
                groups,
                areas,
                history,
                has_photo,
                mails,
                address_block,
                now,
            })
        })
        .await
}

/// A user for the edit form: his data and groups. Only for admins who may change him.
pub async fn for_edit(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
) -> ServiceResult<(UserSummary, Vec<UnitId>)> {
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| {
            let target = changeable(conn, &actor, id)?;
            Ok((
                user::summary_of(conn, &target)?,
                group::ids_for_user(conn, id)?,
            ))
        })
        .await
}

/// A user the actor may change, for confirmation pages (delete).
pub async fn changeable_summary(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
) -> ServiceResult<UserSummary> {
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| Ok(changeable(conn, &actor, id)?.summary()))
        .await
}

/// A live user by username or email (as typed); `None` if there is none.
pub async fn find_by_login(
    ctx: &Context,
    _actor: &Actor,
    login: &str,
) -> ServiceResult<Option<UserSummary>> {
    let Some(key) = lookup_key(login) else {
        return Ok(None);
    };
    ctx.db()
        .run(move |conn| {
            Ok(match user::find_by_login(conn, &key)? {
                Some(u) => Some(user::summary_of(conn, &u)?),
                None => None,
            })
        })
        .await
}

/// The areas form: every area with the user's role there.
pub async fn area_choices(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
) -> ServiceResult<(UserSummary, Vec<AreaChoice>)> {
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| {
            let target = changeable(conn, &actor, id)?;
            let roles = area::roles_for_user(conn, id)?;
            let choices = area::all(conn)?
                .into_iter()
                .map(|a| AreaChoice {
                    role: roles.iter().find(|(aid, _)| *aid == a.id).map(|(_, r)| *r),
                    area: a,
                })
                .collect();
            Ok((target.summary(), choices))
        })
        .await
}

/// The stored photo, for signed-in admins.
pub async fn photo(ctx: &Context, _actor: &Actor, id: UserId) -> ServiceResult<Photo> {
    ctx.db()
        .run(move |conn| {
            user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let photo = photo_model::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            Ok(Photo {
                content_type: photo.content_type,
                bytes: photo.bytes,
            })
        })
        .await
}

// ---------------------------------------------------------------- rules

/// Loads a live user the actor may change, or says why not. Every use case
/// that changes a person calls this inside its transaction.
pub(crate) fn changeable(conn: &mut DbConn, actor: &Actor, id: UserId) -> ServiceResult<User> {
    require_user_management(actor)?;
    let target = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.role.may_change_account_of(target.role()) {
        return Err(ServiceError::Forbidden);
    }
    Ok(target)
}

/// One of the accounts that must never all disappear.
fn is_active_administrator(u: &User) -> bool {
    u.is_staff && u.admin_role == Some(AdminRole::Administrator) && u.status == UserStatus::Aktiv
}

/// Refuses to remove the last active Administrator. `administrators` are
/// the ids locked by `user::lock_active_administrators` at the start of the
/// same transaction (before `target` was read).
fn guard_last_administrator(administrators: &[UserId], target: &User) -> ServiceResult<()> {
    if administrators.contains(&target.id) && administrators.len() <= 1 {
        return Err(ServiceError::Refused(Refusal::LastAdministrator));
    }
    Ok(())
}

/// A person the actor may block or delete: not himself, and never the last
/// active Administrator (with the administrators' rows locked first).
fn removable(conn: &mut DbConn, actor: &Actor, id: UserId) -> ServiceResult<User> {
    let administrators = user::lock_active_administrators(conn)?;
    let target = changeable(conn, actor, id)?;
    if actor.is(id) {
        return Err(ServiceError::Refused(Refusal::NotOnYourself));
    }
    guard_last_administrator(&administrators, &target)?;
    Ok(target)
}

/// Database checks shared by create and edit: uniqueness and known groups.
fn check_unique(
    conn: &mut DbConn,
    person: &PersonData,
    username: Option<&Username>,
    except: Option<UserId>,
) -> ServiceResult<()> {
    let probe = UniqueProbe {
        username: username.cloned(),
        email: person.email.clone(),
        personnel_number: person.personnel_number.clone(),
        except,
    };
    let mut errors = taken(conn, &probe)?;
    if group::existing(conn, &person.groups)?.len() != person.groups.len() {
        errors.add("group", FieldError::InvalidChoice);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// The unique values of a form that did parse, checked against the database
/// even while other fields of the form are wrong, so that every error shows
/// at once (not one round per error).
#[derive(Clone, Debug, Default)]
pub struct UniqueProbe {
    pub username: Option<Username>,
    pub email: Option<EmailAddress>,
    pub personnel_number: Option<PersonnelNumber>,
    /// The user being edited (his own values are no conflict).
    pub except: Option<UserId>,
}

/// Which of the probe's values another live account holds.
fn taken(conn: &mut DbConn, probe: &UniqueProbe) -> ServiceResult<FieldErrors> {
    let mut errors = FieldErrors::default();
    if let Some(name) = &probe.username
        && user::username_taken(conn, name.as_str(), probe.except)?
    {
        errors.add("username", FieldError::UsernameTaken);
    }
    if let Some(email) = &probe.email
        && user::email_taken(conn, &email.key(), probe.except)?
    {
        errors.add("email", FieldError::EmailTaken);
    }
    if let Some(number) = &probe.personnel_number
        && user::personnel_number_taken(conn, number.as_str(), probe.except)?
    {
        errors.add("personnel_number", FieldError::PersonnelNumberTaken);
    }
    Ok(errors)
}

pub async fn conflicts(ctx: &Context, probe: UniqueProbe) -> ServiceResult<FieldErrors> {
    ctx.db().run(move |conn| taken(conn, &probe)).await
}

/// Who holds the probe's values (another live account than the one being
/// edited): by field, so a form can say whose address or number it is.
pub async fn holders(
    ctx: &Context,
    actor: &Actor,
    probe: UniqueProbe,
) -> ServiceResult<Vec<(&'static str, UserSummary)>> {
    require_user_management(actor)?;
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            use user::UniqueField;
            let wanted = [
                (
                    "username",
                    UniqueField::Username,
                    probe.username.map(|u| u.as_str().to_owned()),
                ),
                ("email", UniqueField::Email, probe.email.map(|e| e.key())),
                (
                    "personnel_number",
                    UniqueField::PersonnelNumber,
                    probe.personnel_number.map(|n| n.as_str().to_owned()),
                ),
            ];
            let mut out = Vec::new();
            for (field, unique, value) in wanted {
                let Some(value) = value else { continue };
                let holder = user::holders_of(conn, unique, &[value])?
                    .into_iter()
                    .map(|(_, id)| id)
                    .find(|id| Some(*id) != probe.except);
                if let Some(summary) = match holder {
                    Some(id) => user::find_summary(conn, id)?,
                    None => None,
                } {
                    out.push((field, summary));
                }
            }
            Ok(out)
        })
        .await
}

/// The first free username proposal for a name (`anna.mueller`, `anna.mueller2`, ...).
pub(crate) fn propose_username(
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

fn refuse_role_above(actor: &Actor, role: Option<AdminRole>) -> ServiceResult<()> {
    match role {
        Some(r) if !actor.role.may_grant(r) => Err(ServiceError::Invalid(FieldErrors::single(
            "admin_role",
            FieldError::RoleTooHigh,
        ))),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- writes

/// How often a proposed username that lost a race is proposed again.
pub(crate) const PROPOSAL_ATTEMPTS: usize = 50;

pub async fn create(ctx: &Context, actor: &Actor, cmd: CreateUser) -> ServiceResult<CreatedUser> {
    require_user_management(actor)?;
    refuse_role_above(actor, cmd.person.admin_role)?;
    let (password, must_change, generated) = match &cmd.start_password {
        StartPassword::None | StartPassword::InviteNow => (None, false, false),
        StartPassword::Set {
            password,
            must_change,
        } => (Some(password.clone()), *must_change, false),
        StartPassword::Generate(password) => (Some(password.clone()), true, true),
    };
    let form_key = cmd
        .form_key
        .as_deref()
        .map(crate::domain::token::hash_secret);
    let (first_name, last_name) = (cmd.person.first_name.clone(), cmd.person.last_name.clone());
    if let Some(key) = form_key.clone()
        && let Some(done) = earlier_submit(ctx, key).await?
    {
        return Ok(done);
    }
    let cost = ctx.config().bcrypt_cost;
    let hash = match password.clone() {
        Some(p) => Some(ctx.cpu(move || p.hash(cost)).await??),
        None => None,
    };
    let invite_now = matches!(cmd.start_password, StartPassword::InviteNow);
    if invite_now && cmd.person.email.is_none() {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "email",
            FieldError::EmailNeededToInvite,
        )));
    }
    let env = crate::services::mail::MailEnv::of(ctx);
    let (actor, now) = (actor.clone(), ctx.now());
    let key_in_tx = form_key.clone();
    let created = ctx
        .db()
        .run(move |conn| {
            let form_key = key_in_tx;
            let mut attempt = 0;
            loop {
                attempt += 1;
                let result = write_tx(conn, |conn| {
                    if let Some(key) = &form_key {
                        handover::claim_form_key(conn, key, now)?;
                    }
                    let (id, username) =
                        insert_user(conn, &actor, &cmd, hash.clone(), must_change, now)?;
                    if let Some(key) = &form_key {
                        handover::set_form_result(conn, key, id)?;
                    }
                    if generated && let Some(h) = &cmd.handover {
                        insert_handover(conn, h, id, now)?;
                    }
                    if invite_now {
                        let created = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
                        crate::services::invitations::invite_in_tx(
                            conn, &env, &actor, &created, now, None,
                        )?;
                    }
                    Ok((id, username))
                });
                match result {
                    // Someone took the proposed name between our check and
                    // our insert: propose again. A typed name stays refused.
                    Err(ServiceError::Conflict(UniqueKey::Username))
                        if cmd.username.is_none() && attempt < PROPOSAL_ATTEMPTS => {}
                    other => return other.map_err(ServiceError::conflict_as_field_error),
                }
            }
        })
        .await;
    let (id, username) = match created {
        // The same form, submitted at the same instant: the other one won.
        Err(ServiceError::Conflict(UniqueKey::FormKey)) => {
            if let Some(key) = form_key
                && let Some(done) = earlier_submit(ctx, key).await?
            {
                return Ok(done);
            }
            return Err(ServiceError::Conflict(UniqueKey::FormKey));
        }
        other => other?,
    };
    let label = format!(
        "{} ({username})",
        crate::domain::people::display_name(first_name.as_str(), last_name.as_str())
    );
    Ok(CreatedUser {
        id,
        username,
        label,
        generated_password: password.filter(|_| generated),
        duplicate: false,
    })
}

/// What an earlier submit of the same create form made, if it made something.
async fn earlier_submit(ctx: &Context, key_hash: String) -> ServiceResult<Option<CreatedUser>> {
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let Some(id) = handover::form_result(conn, &key_hash)? else {
                return Ok(None);
            };
            Ok(user::find_summary(conn, id)?.map(|u| CreatedUser {
                id,
                label: u.label(),
                username: u.username,
                generated_password: None,
                duplicate: true,
            }))
        })
        .await
}

fn insert_handover(
    conn: &mut DbConn,
    h: &Handover,
    user_id: UserId,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    handover::insert(
        conn,
        &handover::SecretHandover {
            id_hash: crate::domain::token::hash_secret(&h.id),
            session_hash: crate::domain::token::hash_secret(&h.session),
            user_id,
            then_page: h.then_page.clone(),
            expires_at: now + time::Duration::minutes(HANDOVER_MINUTES),
        },
    )?;
    Ok(())
}

/// The credentials sheet of a live hand-over, for the session that made it.
pub async fn handover_sheet(
    ctx: &Context,
    actor: &Actor,
    user_id: UserId,
    handover_id: String,
    session: String,
) -> ServiceResult<Option<HandoverSheet>> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| -> ServiceResult<_> {
            let target = changeable(conn, &actor, user_id)?;
            let found = handover::find_live(
                conn,
                &crate::domain::token::hash_secret(&handover_id),
                &crate::domain::token::hash_secret(&session),
                user_id,
                false,
                now,
            )?;
            Ok(found.map(|h| HandoverSheet {
                user: target.summary(),
                then_page: h.then_page,
                expires_at: h.expires_at,
            }))
        })
        .await
}

/// "Fertig": the start password is not shown again.
pub async fn end_handover(
    ctx: &Context,
    actor: &Actor,
    user_id: UserId,
    handover_id: String,
) -> ServiceResult<()> {
    let actor = actor.clone();
    ctx.db()
        .run(move |conn| {
            changeable(conn, &actor, user_id)?;
            handover::delete(conn, &crate::domain::token::hash_secret(&handover_id))?;
            Ok(())
        })
        .await
}

/// "Neues Startpasswort vergeben": a new generated start password, to be
/// changed at first sign-in; every session and link of the person ends.
pub async fn new_start_password(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    password: Password,
    handover_to: Handover,
) -> ServiceResult<()> {
    require_user_management(actor)?;
    // Permission and status before the expensive hash.
    let check = actor.clone();
    ctx.db()
        .run(move |conn| -> ServiceResult<()> {
            let target = changeable(conn, &check, id)?;
            target.status.set_start_password()?;
            Ok(())
        })
        .await?;
    let cost = ctx.config().bcrypt_cost;
    let hash = ctx.cpu(move || password.hash(cost)).await??;
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let target = changeable(conn, &actor, id)?;
                let next = target.status.set_start_password()?;
                user::update(
                    conn,
                    id,
                    &UserChanges {
                        password_hash: Some(Some(hash.clone())),
                        must_change_password: Some(true),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                if next != target.status {
                    user::set_status(conn, id, next, now)?;
                }
                end_all_sessions_and_tokens(conn, id, now)?;
                handover::delete_for_user(conn, id)?;
                insert_handover(conn, &handover_to, id, now)?;
                audit::record(
                    conn,
                    now,
                    &actor,
                    "user.start_password",
                    Some(Target::user(id, target.label())),
                    None,
                )?;
                Ok(())
            })
        })
        .await
}

/// Inserts a new user inside the caller's transaction.
pub(crate) fn insert_user(
    conn: &mut DbConn,
    actor: &Actor,
    cmd: &CreateUser,
    hash: Option<String>,
    must_change_password: bool,
    now: PrimitiveDateTime,
) -> ServiceResult<(UserId, String)> {
    let p = &cmd.person;
    check_unique(conn, p, cmd.username.as_ref(), None)?;
    let username = match &cmd.username {
        Some(u) => u.clone(),
        None => propose_username(conn, p.first_name.as_str(), p.last_name.as_str())?,
    };
    let status = if hash.is_some() {
        UserStatus::Angelegt.set_start_password()?
    } else {
        UserStatus::Angelegt
    };
    let email = p.email.as_ref().map(|e| e.as_str().to_owned());
    let personnel = p.personnel_number.as_ref().map(|n| n.as_str().to_owned());
    let (first, last) = (p.first_name.as_str(), p.last_name.as_str());
    let has_password = hash.is_some();
    let id = user::insert(
        conn,
        &NewUser {
            salutation: p.salutation,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            username: username.as_str().to_owned(),
            email_lower: p.email.as_ref().map(EmailAddress::key),
            email: email.clone(),
            email_confirmed: cmd.address_confirmed && email.is_some(),
            personnel_number: personnel.clone(),
            user_type: p.user_type,
            is_staff: p.admin_role.is_some(),
            admin_role: p.admin_role,
            status,
            password_hash: hash,
            must_change_password: has_password && must_change_password,
            sort_name: sort_name(first, last),
            search_text: search_text(
                first,
                last,
                username.as_str(),
                email.as_deref(),
                personnel.as_deref(),
            ),
            created_at: now,
            updated_at: now,
        },
    )?;
    for gid in &p.groups {
        group::add_member(conn, *gid, id)?;
    }
    let mut changes = Vec::new();
    if let Some(role) = p.admin_role {
        changes.push(Change::new("admin_role", "", role.as_str()));
    }
    if has_password {
        let how = match cmd.start_password {
            StartPassword::Generate(_) => "generated",
            _ => "set",
        };
        changes.push(Change::new("start_password", "", how));
    }
    let label = format!(
        "{} ({})",
        crate::domain::people::display_name(first, last),
        username
    );
    audit::record_changes(
        conn,
        now,
        actor,
        "user.create",
        Some(Target::user(id, label)),
        &changes,
    )?;
    Ok((id, username.as_str().to_owned()))
}

pub async fn update(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    cmd: UpdateUser,
) -> ServiceResult<()> {
    let (actor, now, env) = (
        actor.clone(),
        ctx.now(),
        crate::services::mail::MailEnv::of(ctx),
    );
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                update_user(conn, &actor, id, &cmd, now)?;
                follow_up_invitation(conn, &env, &actor, id, cmd.invite_now, now)
            })
            .map_err(ServiceError::conflict_as_field_error)
        })
        .await
}

/// After an edit: "Einladung jetzt senden" invites (or renews) when the
/// status allows it. An edit that changed the address of an invited person
/// has killed his link; with "später" his invitation is withdrawn
/// (`widerrufen`), so no dead link waits as "eingeladen".
fn follow_up_invitation(
    conn: &mut DbConn,
    env: &crate::services::mail::MailEnv,
    actor: &Actor,
    id: UserId,
    invite_now: bool,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    let target = user::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let invitable = target.status.invite().is_ok() || target.status.renew().is_ok();
    if invite_now && invitable && !target.email_confirmed {
        if target.email.is_none() {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "email",
                FieldError::EmailNeededToInvite,
            )));
        }
        crate::services::invitations::invite_in_tx(conn, env, actor, &target, now, None)?;
        return Ok(());
    }
    let link_live = crate::models::token::has_live(conn, id, TokenPurpose::Invitation, now)?;
    if target.status == UserStatus::Eingeladen && !link_live {
        crate::services::invitations::revoke_target_in_tx(conn, actor, &target, now)?;
    }
    Ok(())
}

/// How long a form's save waits for the person's lock (PostgreSQL).
const FORM_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn update_user(
    conn: &mut DbConn,
    actor: &Actor,
    id: UserId,
    cmd: &UpdateUser,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    // Locked (PostgreSQL) before the role check reads him and before he is
    // compared and written: a save from a form older than the person's
    // last change (another admin, an import) is refused instead of writing
    // the form's older values back. Waiting a few seconds at most: behind
    // an import's commit the form says so and keeps the entries.
    // The active Administrators are locked first (the order every write
    // that locks several people keeps) only where the last-Administrator
    // rule can apply: the person is one. Else the form would wait for an
    // import's commit that does not touch him (it holds their rows).
    let was_administrator = user::find(conn, id)?.is_some_and(|u| is_active_administrator(&u));
    let locked = crate::db::with_lock_wait(conn, FORM_LOCK_WAIT, |conn| {
        let administrators = if was_administrator {
            user::lock_active_administrators(conn)?
        } else {
            Vec::new()
        };
        let person = user::lock(conn, id)?;
        Ok((administrators, person))
    });
    let administrators = match locked {
        // Made an Administrator between the look and the lock: the rows
        // were not locked in their order.
        Ok((_, Some(person))) if !was_administrator && is_active_administrator(&person) => {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "seen",
                FieldError::ChangedMeanwhile,
            )));
        }
        Ok((a, _)) => a,
        Err(crate::db::LockWait::TimedOut) => {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "seen",
                FieldError::BeingChanged,
            )));
        }
        Err(crate::db::LockWait::Failed(e)) => return Err(e.into()),
    };
    let target = changeable(conn, actor, id)?;
    let old_groups = group::ids_for_user(conn, id)?;
    if cmd
        .seen
        .as_ref()
        .is_some_and(|seen| *seen != target.summary().edit_version(&old_groups))
    {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "seen",
            FieldError::ChangedMeanwhile,
        )));
    }
    let p = &cmd.person;
    let mut errors = FieldErrors::default();
    let email_changed = p.email.as_ref().map(EmailAddress::as_str) != target.email.as_deref();
    if email_changed && target.email_confirmed {
        errors.add("email", FieldError::EmailLocked);
    }
    let role_changed = p.admin_role != target.role();
    if role_changed {
        if !p.admin_role.is_none_or(|r| actor.role.may_grant(r)) {
            errors.add("admin_role", FieldError::RoleTooHigh);
        }
        if actor.is(id) && target.role().is_some() {
            // Nobody changes his own role; another admin must.
            errors.add("admin_role", FieldError::RoleTooHigh);
        }
    }
    match check_unique(conn, p, Some(&cmd.username), Some(id)) {
        Ok(()) => {}
        Err(ServiceError::Invalid(more)) => errors.extend(more),
        Err(other) => return Err(other),
    }
    // The last Administrator is the more telling answer than a field error.
    if role_changed && p.admin_role != Some(AdminRole::Administrator) {
        guard_last_administrator(&administrators, &target)?;
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let username = cmd.username.as_str().to_owned();
    let email = p.email.as_ref().map(|e| e.as_str().to_owned());
    let personnel = p.personnel_number.as_ref().map(|n| n.as_str().to_owned());
    let (first, last) = (p.first_name.as_str(), p.last_name.as_str());
    let changes = UserChanges {
        salutation: Some(p.salutation),
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        username: Some(username.clone()),
        email: Some(email.clone()),
        email_lower: Some(p.email.as_ref().map(EmailAddress::key)),
        email_confirmed: Some(target.email_confirmed && !email_changed),
        personnel_number: Some(personnel.clone()),
        user_type: Some(p.user_type),
        is_staff: Some(p.admin_role.is_some()),
        admin_role: Some(p.admin_role),
        sort_name: Some(sort_name(first, last)),
        search_text: Some(search_text(
            first,
            last,
            &username,
            email.as_deref(),
            personnel.as_deref(),
        )),
        updated_at: Some(now),
        ..Default::default()
    };
    user::update(conn, id, &changes)?;
    for gid in old_groups.iter().filter(|g| !p.groups.contains(g)) {
        group::remove_member(conn, *gid, id)?;
    }
    for gid in p.groups.iter().filter(|g| !old_groups.contains(g)) {
        group::add_member(conn, *gid, id)?;
    }
    if email_changed || role_changed {
        end_all_sessions_and_tokens(conn, id, now)?;
    }
    let mut changes = Vec::new();
    let code = |s: Option<&str>| s.unwrap_or("").to_owned();
    diff(
        &mut changes,
        "salutation",
        &code(target.salutation.map(|s| s.as_str())),
        &code(p.salutation.map(|s| s.as_str())),
    );
    diff(&mut changes, "first_name", &target.first_name, first);
    diff(&mut changes, "last_name", &target.last_name, last);
    diff(&mut changes, "username", &target.username, &username);
    diff(
        &mut changes,
        "email",
        target.email.as_deref().unwrap_or(""),
        email.as_deref().unwrap_or(""),
    );
    diff(
        &mut changes,
        "personnel_number",
        target.personnel_number.as_deref().unwrap_or(""),
        personnel.as_deref().unwrap_or(""),
    );
    diff(
        &mut changes,
        "user_type",
        target.user_type.as_str(),
        p.user_type.as_str(),
    );
    diff(
        &mut changes,
        "admin_role",
        &code(target.role().map(|r| r.as_str())),
        &code(p.admin_role.map(|r| r.as_str())),
    );
    let groups = group::all(conn)?;
    let names_of = |ids: &[UnitId]| {
        groups
            .iter()
            .filter(|g| ids.contains(&g.id))
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    diff(
        &mut changes,
        "group",
        &names_of(&old_groups),
        &names_of(&p.groups),
    );
    let label = format!(
        "{} ({username})",
        crate::domain::people::display_name(first, last)
    );
    audit::record_changes(
        conn,
        now,
        actor,
        "user.update",
        Some(Target::user(id, label)),
        &changes,
    )?;
    Ok(())
}

/// Blocks the account: sessions and outstanding links die at once.
pub async fn deactivate(ctx: &Context, actor: &Actor, id: UserId) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| write_tx(conn, |conn| deactivate_in_tx(conn, &actor, id, now)))
        .await
}

pub(crate) fn deactivate_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    id: UserId,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    let target = removable(conn, actor, id)?;
    let next = target.status.deactivate()?;
    user::set_status(conn, id, next, now)?;
    end_all_sessions_and_tokens(conn, id, now)?;
    audit::record_changes(
        conn,
        now,
        actor,
        "user.deactivate",
        Some(Target::user(id, target.label())),
        &[Change::new("status", target.status.as_str(), next.as_str())],
    )?;
    Ok(())
}

/// "Reaktivieren": lifts a block set by an admin, or brings an `inaktiv`
/// user back by hand; he must then sign in before midnight of this day
/// (the instance's time zone) or the nightly rule makes him `inaktiv` again.
pub async fn unblock(ctx: &Context, actor: &Actor, id: UserId) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), ctx.now());
    let zone = ctx.settings().time_zone;
    ctx.db()
        .run(move |conn| write_tx(conn, |conn| unblock_in_tx(conn, &actor, id, now, zone)))
        .await
}

pub(crate) fn unblock_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    id: UserId,
    now: PrimitiveDateTime,
    zone: crate::domain::TimeZone,
) -> ServiceResult<()> {
    let target = changeable(conn, actor, id)?;
    let next = if target.status == UserStatus::Inaktiv {
        let next = target.status.reactivate()?;
        user::update(
            conn,
            id,
            &UserChanges {
                sign_in_deadline: Some(Some(crate::domain::dates::next_midnight_utc(now, zone))),
                ..Default::default()
            },
        )?;
        next
    } else {
        target.status.unblock(target.password_hash.is_some())?
    };
    user::set_status(conn, id, next, now)?;
    audit::record_changes(
        conn,
        now,
        actor,
        "user.reactivate",
        Some(Target::user(id, target.label())),
        &[Change::new("status", target.status.as_str(), next.as_str())],
    )?;
    Ok(())
}

/// Deletes the account: it disappears from lists, frees its username, email
/// and personnel number, loses its memberships; the audit log keeps the story.
pub async fn delete(ctx: &Context, actor: &Actor, id: UserId) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| write_tx(conn, |conn| delete_in_tx(conn, &actor, id, now)))
        .await
}

pub(crate) fn delete_in_tx(
    conn: &mut DbConn,
    actor: &Actor,
    id: UserId,
    now: PrimitiveDateTime,
) -> ServiceResult<()> {
    let target = removable(conn, actor, id)?;
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
    crate::models::outbox::release_current_invitation(conn, id)?;
    audit::record(
        conn,
        now,
        actor,
        "user.delete",
        Some(Target::user(id, target.label())),
        target.email.clone(),
    )?;
    Ok(())
}

/// Replaces the user's areas and the role in each.
pub async fn set_areas(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    wanted: Vec<(UnitId, AreaRole)>,
) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let target = changeable(conn, &actor, id)?;
                let ids: Vec<UnitId> = wanted.iter().map(|(a, _)| *a).collect();
                if area::existing(conn, &ids)?.len() != ids.len() {
                    return Err(ServiceError::Invalid(FieldErrors::single(
                        "areas",
                        FieldError::InvalidChoice,
                    )));
                }
                let current = area::roles_for_user(conn, id)?;
                for (area_id, _) in current.iter().filter(|(a, _)| !ids.contains(a)) {
                    area::remove_member(conn, *area_id, id)?;
                }
                for (area_id, role) in &wanted {
                    area::assign(conn, *area_id, id, *role)?;
                }
                let names = area::all(conn)?;
                let mut changes = Vec::new();
                for a in &names {
                    let before = current
                        .iter()
                        .find(|(id, _)| *id == a.id)
                        .map(|(_, r)| r.as_str());
                    let after = wanted
                        .iter()
                        .find(|(id, _)| *id == a.id)
                        .map(|(_, r)| r.as_str());
                    diff(
                        &mut changes,
                        &format!("area:{}", a.name),
                        before.unwrap_or(""),
                        after.unwrap_or(""),
                    );
                }
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "user.areas",
                    Some(Target::user(id, target.label())),
                    &changes,
                )?;
                Ok(())
            })
        })
        .await
}

/// Stores a photo for the user. Permission and the user are checked before
/// the upload is decoded; the decode runs on its own bounded queue.
pub async fn set_photo(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    upload: Vec<u8>,
) -> ServiceResult<()> {
    store_photo(ctx, actor, id, upload, changeable).await
}

/// A person's own photo (his page, after activation): checked and
/// re-encoded exactly like an admin's upload.
pub async fn set_own_photo(ctx: &Context, actor: &Actor, upload: Vec<u8>) -> ServiceResult<()> {
    let id = actor.user_id.ok_or(ServiceError::Forbidden)?;
    store_photo(ctx, actor, id, upload, own_account).await
}

/// The actor's own live account.
fn own_account(conn: &mut DbConn, actor: &Actor, id: UserId) -> ServiceResult<User> {
    if !actor.is(id) {
        return Err(ServiceError::Forbidden);
    }
    user::find(conn, id)?.ok_or(ServiceError::NotFound)
}

type AccountCheck = fn(&mut DbConn, &Actor, UserId) -> ServiceResult<User>;

async fn store_photo(
    ctx: &Context,
    actor: &Actor,
    id: UserId,
    upload: Vec<u8>,
    check: AccountCheck,
) -> ServiceResult<()> {
    let checker = actor.clone();
    ctx.db()
        .run(move |conn| check(conn, &checker, id).map(|_| ()))
        .await?;
    let stored = ctx.photo_decode(move || normalise(&upload)).await?;
    let stored =
        stored.map_err(|e| ServiceError::Invalid(FieldErrors::single("photo", e.into())))?;
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let target = check(conn, &actor, id)?;
                photo_model::put(
                    conn,
                    &photo_model::UserPhoto {
                        user_id: id,
                        content_type: "image/jpeg".into(),
                        bytes: stored.jpeg,
                        width: i32::try_from(stored.width).unwrap_or(i32::MAX),
                        height: i32::try_from(stored.height).unwrap_or(i32::MAX),
                        updated_at: now,
                    },
                )?;
                touch(conn, id, now)?;
                audit::record(
                    conn,
                    now,
                    &actor,
                    "user.photo_set",
                    Some(Target::user(id, target.label())),
                    None,
                )?;
                Ok(())
            })
        })
        .await
}

pub async fn remove_photo(ctx: &Context, actor: &Actor, id: UserId) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), ctx.now());
    ctx.db()
        .run(move |conn| {
            write_tx(conn, |conn| {
                let target = changeable(conn, &actor, id)?;
                if photo_model::delete(conn, id)? > 0 {
                    touch(conn, id, now)?;
                    audit::record(
                        conn,
                        now,
                        &actor,
                        "user.photo_remove",
                        Some(Target::user(id, target.label())),
                        None,
                    )?;
                }
                Ok(())
            })
        })
        .await
}

fn touch(conn: &mut DbConn, id: UserId, now: PrimitiveDateTime) -> diesel::QueryResult<usize> {
    user::update(
        conn,
        id,
        &UserChanges {
            updated_at: Some(now),
            ..Default::default()
        },
    )
}
