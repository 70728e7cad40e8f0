//! Organisation settings: created with defaults at first start, cached in
//! the `Context`, edited by Administrators only.

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::audit::diff;
use crate::domain::token::random_secret;
use crate::domain::{Language, Settings, TimeZone};
use crate::models::settings::{self, OrganisationSettings};
use crate::services::audit::{self, Target};
use crate::services::{Actor, ServiceError, ServiceResult};

/// What start-up found: the settings, the instance secret, and the stored
/// public base URL that `EINLASS_PUBLIC_BASE_URL` replaced (to warn about).
pub struct Bootstrapped {
    pub settings: Settings,
    pub instance_secret: String,
    pub replaced_base_url: Option<String>,
}

/// The settings and the instance secret, creating the row with defaults
/// when there is none (first start). A public base URL set in the
/// environment (`configured`) wins over the stored one and is stored, so
/// links always use the address the operator configured last. Without one,
/// the first start stores `base_url` (the bind address); while nobody has
/// chosen another, `serve` keeps it to the address it listens on (`serving`:
/// a first `einlass admin create` ran with the default bind, the server
/// then on another port).
pub fn bootstrap(
    conn: &mut DbConn,
    base_url: &str,
    configured: Option<&str>,
    serving: bool,
    now: time::PrimitiveDateTime,
) -> ServiceResult<Bootstrapped> {
    let configured = configured.map(|c| c.trim().trim_end_matches('/').to_owned());
    let base_url = base_url.trim_end_matches('/');
    write_tx(conn, |conn| {
        let mut replaced = None;
        let row = match settings::load(conn)? {
            Some(mut existing) => {
                if configured.is_none()
                    && serving
                    && existing.public_base_url_from_bind
                    && existing.public_base_url != base_url
                    && settings::follow_bind(conn, base_url, now)?
                {
                    tracing::info!(
                        from = %existing.public_base_url,
                        to = %base_url,
                        "public base URL follows the address served at (nobody chose one)"
                    );
                    audit::record(
                        conn,
                        now,
                        &Actor::system("EINLASS_BIND"),
                        "settings.base_url_from_bind",
                        Some(settings_target(&existing.organisation_name)),
                        crate::domain::audit::encode_changes(&[crate::domain::audit::Change::new(
                            "public_base_url",
                            &existing.public_base_url,
                            base_url,
                        )]),
                    )?;
                    existing.public_base_url = base_url.to_owned();
                }
                if configured.is_some() && existing.public_base_url_from_bind {
                    existing.public_base_url_from_bind = false;
                    settings::update(conn, &existing)?;
                }
                if let Some(url) = &configured
                    && *url != existing.public_base_url
                {
                    replaced = Some(std::mem::replace(
                        &mut existing.public_base_url,
                        url.clone(),
                    ));
                    existing.updated_at = now;
                    settings::update(conn, &existing)?;
                    audit::record(
                        conn,
                        now,
                        &Actor::system("EINLASS_PUBLIC_BASE_URL"),
                        "settings.base_url_from_environment",
                        Some(settings_target(&existing.organisation_name)),
                        replaced.as_ref().and_then(|old| {
                            crate::domain::audit::encode_changes(&[
                                crate::domain::audit::Change::new("public_base_url", old, url),
                            ])
                        }),
                    )?;
                }
                existing
            }
            None => {
                let row = OrganisationSettings {
                    id: 1,
                    organisation_name: "Einlass".into(),
                    brand_colour: "#0b5cad".into(),
                    public_base_url: base_url.to_owned(),
                    invitation_validity_days: 14,
                    reminder_days_before: 0,
                    time_zone: TimeZone::DEFAULT_NAME.into(),
                    default_language: Language::De.code().into(),
                    instance_secret: random_secret(),
                    updated_at: now,
                    app_name: String::new(),
                    app_url: String::new(),
                    welcome_text: String::new(),
                    registration_criteria: crate::domain::registration::Criteria::default()
                        .encode(),
                    open_registration: false,
                    public_base_url_from_bind: configured.is_none(),
                    logo_version: None,
                };
                settings::insert(conn, &row)?;
                row
            }
        };
        Ok(Bootstrapped {
            settings: row.snapshot(),
            instance_secret: row.instance_secret,
            replaced_base_url: replaced,
        })
    })
}

/// The settings as an audit entry names them: by the organisation.
fn settings_target(organisation_name: &str) -> Target {
    Target {
        kind: "settings",
        id: None,
        label: organisation_name.to_owned(),
    }
}

/// Picks up settings changed by another instance.
pub async fn reload(ctx: &Context) -> ServiceResult<()> {
    let row = ctx
        .db()
        .run(|conn| -> ServiceResult<_> { Ok(settings::load(conn)?) })
        .await?;
    if let Some(row) = row {
        ctx.set_settings(row.snapshot());
    }
    Ok(())
}

/// New settings, each value already valid.
#[derive(Clone, Debug)]
pub struct UpdateSettings {
    pub organisation_name: String,
    pub brand_colour: String,
    pub public_base_url: String,
    pub invitation_validity_days: i32,
    pub reminder_days_before: i32,
    pub time_zone: TimeZone,
    pub default_language: Language,
    pub app_name: String,
    pub app_url: String,
    pub welcome_text: String,
    pub open_registration: bool,
}

pub async fn update(ctx: &Context, actor: &Actor, cmd: UpdateSettings) -> ServiceResult<()> {
    if !actor.role.may_manage_settings() {
        return Err(ServiceError::Forbidden);
    }
    let (actor, now) = (actor.clone(), ctx.now());
    let base_url_fixed = ctx.config().public_base_url.is_some();
    let row = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<OrganisationSettings> {
                let mut row = settings::load(conn)?.ok_or(ServiceError::NotFound)?;
                let before = row.clone();
                row.organisation_name = cmd.organisation_name;
                row.brand_colour = cmd.brand_colour;
                // Set in the environment: that address stays. Changed here,
                // it is chosen: no longer the address the server listens on.
                if !base_url_fixed {
                    if cmd.public_base_url != row.public_base_url {
                        row.public_base_url_from_bind = false;
                    }
                    row.public_base_url = cmd.public_base_url;
                }
                row.invitation_validity_days = cmd.invitation_validity_days;
                row.reminder_days_before = cmd.reminder_days_before;
                row.time_zone = cmd.time_zone.name().to_owned();
                row.default_language = cmd.default_language.code().to_owned();
                row.app_name = cmd.app_name;
                row.app_url = cmd.app_url;
                row.welcome_text = cmd.welcome_text;
                row.open_registration = cmd.open_registration;
                row.updated_at = now;
                settings::update(conn, &row)?;
                let mut changes = Vec::new();
                for (field, old, new) in [
                    (
                        "organisation_name",
                        &before.organisation_name,
                        &row.organisation_name,
                    ),
                    ("brand_colour", &before.brand_colour, &row.brand_colour),
                    (
                        "public_base_url",
                        &before.public_base_url,
                        &row.public_base_url,
                    ),
                    ("time_zone", &before.time_zone, &row.time_zone),
                    (
                        "default_language",
                        &before.default_language,
                        &row.default_language,
                    ),
                    ("app_name", &before.app_name, &row.app_name),
                    ("app_url", &before.app_url, &row.app_url),
                    ("welcome_text", &before.welcome_text, &row.welcome_text),
                ] {
                    diff(&mut changes, field, old, new);
                }
                diff(
                    &mut changes,
                    "invitation_validity_days",
                    &before.invitation_validity_days.to_string(),
                    &row.invitation_validity_days.to_string(),
                );
                diff(
                    &mut changes,
                    "open_registration",
                    &before.open_registration.to_string(),
                    &row.open_registration.to_string(),
                );
                diff(
                    &mut changes,
                    "reminder_days_before",
                    &before.reminder_days_before.to_string(),
                    &row.reminder_days_before.to_string(),
                );
                audit::record_changes(
                    conn,
                    now,
                    &actor,
                    "settings.update",
                    Some(settings_target(&row.organisation_name)),
                    &changes,
                )?;
                // Read again: the logo's version is not this save's.
                Ok(settings::load(conn)?.unwrap_or(row))
            })
        })
        .await?;
    ctx.set_settings(row.snapshot());
    Ok(())
}

/// The organisation's logo, as pages and letters show it: re-encoded
/// within the photo limits (a small file that declares a huge image is
/// refused before it is decoded), transparency kept.
pub async fn set_logo(ctx: &Context, actor: &Actor, upload: Vec<u8>) -> ServiceResult<()> {
    if !actor.role.may_manage_settings() {
        return Err(ServiceError::Forbidden);
    }
    let logo = ctx
        .photo_decode(move || crate::domain::photo::normalise_logo(&upload))
        .await?
        .map_err(|e| ServiceError::Invalid(crate::domain::FieldErrors::single("logo", e.into())))?;
    let (actor, now) = (actor.clone(), ctx.now());
    let row = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<OrganisationSettings> {
                use sha2::{Digest, Sha256};
                let digest = Sha256::digest(&logo.png);
                let version: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                settings::put_logo(
                    conn,
                    &settings::Logo {
                        id: 1,
                        png: logo.png,
                        width: i32::try_from(logo.width).unwrap_or(i32::MAX),
                        height: i32::try_from(logo.height).unwrap_or(i32::MAX),
                        updated_at: now,
                    },
                    &version,
                )?;
                let row = settings::load(conn)?.ok_or(ServiceError::NotFound)?;
                audit::record(
                    conn,
                    now,
                    &actor,
                    "settings.logo",
                    Some(settings_target(&row.organisation_name)),
                    None,
                )?;
                Ok(row)
            })
        })
        .await?;
    ctx.set_settings(row.snapshot());
    Ok(())
}

/// Removes the logo (pages and letters show the name alone again).
pub async fn remove_logo(ctx: &Context, actor: &Actor) -> ServiceResult<()> {
    if !actor.role.may_manage_settings() {
        return Err(ServiceError::Forbidden);
    }
    let (actor, now) = (actor.clone(), ctx.now());
    let row = ctx
        .db()
        .run(move |conn| {
            write_tx(conn, |conn| -> ServiceResult<OrganisationSettings> {
                let had = settings::delete_logo(conn)?;
                let row = settings::load(conn)?.ok_or(ServiceError::NotFound)?;
                if had {
                    audit::record(
                        conn,
                        now,
                        &actor,
                        "settings.logo_removed",
                        Some(settings_target(&row.organisation_name)),
                        None,
                    )?;
                }
                Ok(row)
            })
        })
        .await?;
    ctx.set_settings(row.snapshot());
    Ok(())
}

/// The logo's PNG, if there is one (shown to anyone: it is on the public
/// pages).
pub async fn logo(ctx: &Context) -> ServiceResult<Option<Vec<u8>>> {
    Ok(ctx
        .db()
        .run(|conn| -> ServiceResult<_> { Ok(settings::load_logo(conn)?) })
        .await?
        .map(|l| l.png))
}
