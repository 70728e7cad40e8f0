//! "Nutzerkartei exportieren": the user list as .xlsx, with the filter and
//! order of the list on screen, every field the product keeps of a person.
//! Written row by row (see `spreadsheet::write::xlsx_streamed`); every
//! value as text, formula-like ones neutralised.

use std::collections::HashMap;

use time::PrimitiveDateTime;

use crate::context::Context;
use crate::domain::UserId;
use crate::domain::people::UserSummary;
use crate::i18n::{Catalogue, Lang};
use crate::models::unit::{area, group};
use crate::models::user;
use crate::services::users::{UserQuery, filter_of};
use crate::services::{Actor, ServiceError, ServiceResult};

/// The most people one export holds.
pub const MAX_EXPORT: i64 = 250_000;

struct Person {
    user: UserSummary,
    groups: Vec<String>,
    areas: Vec<String>,
    activated_at: Option<PrimitiveDateTime>,
}

/// The export of the list as the query shows it; `(file name, bytes)`.
pub async fn users_xlsx(
    ctx: &Context,
    actor: &Actor,
    query: &UserQuery,
    lang: Lang,
) -> ServiceResult<(String, Vec<u8>)> {
    if !actor.role.may_manage_users() {
        return Err(ServiceError::Forbidden);
    }
    let filter = filter_of(query);
    let (sort, descending) = (query.sort, query.descending);
    let people = ctx
        .db()
        .run(move |conn| -> ServiceResult<Vec<Person>> {
            let Some(filter) = filter else {
                return Ok(Vec::new());
            };
            let ids = user::ids_matching(conn, &filter, sort, descending, MAX_EXPORT)?;
            let mut out = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(2000) {
                let mut groups: HashMap<UserId, Vec<String>> = HashMap::new();
                for (u, name) in group::names_for_users(conn, chunk)? {
                    groups.entry(u).or_default().push(name);
                }
                let mut areas: HashMap<UserId, Vec<String>> = HashMap::new();
                for (u, name) in area::names_for_users(conn, chunk)? {
                    areas.entry(u).or_default().push(name);
                }
                let activated: HashMap<UserId, Option<PrimitiveDateTime>> =
                    user::activated_at_of(conn, chunk)?.into_iter().collect();
                for u in user::summaries_of(conn, chunk)? {
                    out.push(Person {
                        groups: groups.remove(&u.id).unwrap_or_default(),
                        areas: areas.remove(&u.id).unwrap_or_default(),
                        activated_at: activated.get(&u.id).copied().flatten(),
                        user: u,
                    });
                }
            }
            Ok(out)
        })
        .await?;
    let (zone, now) = (ctx.settings().time_zone, ctx.now());
    let bytes = ctx
        .cpu(move || {
            let t = lang.texts();
            let date = |at: &Option<PrimitiveDateTime>| {
                at.as_ref()
                    .map(|a| crate::i18n::format_datetime(a, zone, lang))
                    .unwrap_or_default()
            };
            let header: Vec<String> = [
                t.field_salutation,
                t.field_first_name,
                t.field_last_name,
                t.field_username,
                t.field_email,
                t.export_email_confirmed,
                t.field_personnel_number,
                t.field_user_type,
                t.field_groups,
                t.field_areas,
                t.field_status,
                t.export_invitation,
                t.export_invitation_until,
                t.field_admin_role,
                t.field_created,
                t.export_activated,
                t.field_last_login,
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
            let rows = people.into_iter().map(|p| {
                let u = &p.user;
                let invitation = {
                    use crate::domain::people::InvitationState::*;
                    let mut s = match u.invitation_state(now) {
                        NotInvited | None => String::new(),
                        Scheduled(at) => {
                            format!("{} {}", t.invitation_scheduled_for, date(&Some(at)))
                        }
                        Invited(until) => {
                            format!("{} {}", t.invitation_invited_until, date(&Some(until)))
                        }
                        Expired => t.invitation_expired.to_owned(),
                        Revoked => t.invitation_revoked_state.to_owned(),
                        Activated => t.invitation_activated.to_owned(),
                    };
                    if let Some(d) = u.invite_delivery
                        && !s.is_empty()
                    {
                        s.push_str(" · ");
                        s.push_str(t.delivery(d));
                    }
                    s
                };
                vec![
                    u.salutation
                        .map(|s| t.salutation(s))
                        .unwrap_or("")
                        .to_owned(),
                    u.first_name.clone(),
                    u.last_name.clone(),
                    u.username.clone(),
                    u.email.clone().unwrap_or_default(),
                    if u.email.is_none() {
                        String::new()
                    } else if u.email_confirmed {
                        t.yes.to_owned()
                    } else {
                        t.no.to_owned()
                    },
                    u.personnel_number.clone().unwrap_or_default(),
                    t.user_type(u.user_type).to_owned(),
                    // A name with a comma in quotes: an import reads it back as one.
                    crate::domain::import::join_names(&p.groups),
                    crate::domain::import::join_names(&p.areas),
                    t.status(u.status).to_owned(),
                    invitation,
                    date(&u.invitation_expires_at),
                    u.admin_role.map(|r| t.role(r)).unwrap_or("").to_owned(),
                    date(&Some(u.created_at)),
                    date(&p.activated_at),
                    date(&u.last_login_at),
                ]
            });
            crate::spreadsheet::write::xlsx_streamed(
                t.export_sheet,
                &header,
                &[
                    10.0, 16.0, 18.0, 20.0, 30.0, 10.0, 14.0, 12.0, 24.0, 20.0, 12.0, 22.0, 16.0,
                    18.0, 16.0, 16.0, 16.0,
                ],
                rows,
            )
        })
        .await?
        .map_err(ServiceError::Spreadsheet)?;
    let name = format!(
        "{}-{}.xlsx",
        lang.texts().export_file,
        crate::i18n::format_datetime(&now, zone, Lang::En)
            .split(' ')
            .next()
            .unwrap_or("")
    );
    Ok((name, bytes))
}
