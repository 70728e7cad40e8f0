//! Organisation settings: created with defaults at first start, edited by
//! Administrators only.

use serde::Deserialize;
use time::PrimitiveDateTime;

use crate::db::{DbConn, write_tx};
use crate::domain::{FieldError, required_line, token::random_secret};
use crate::models::settings::{self, OrganisationSettings};
use crate::services::audit::{self, Target};
use crate::services::{Actor, FieldErrors, ServiceError, ServiceResult};

pub const DEFAULT_TIME_ZONE: &str = "Europe/Berlin";

/// Loads the settings, creating the row with defaults when there is none.
pub fn ensure(
    conn: &mut DbConn,
    base_url: &str,
    now: PrimitiveDateTime,
) -> ServiceResult<OrganisationSettings> {
    write_tx(conn, |conn| {
        if let Some(existing) = settings::load(conn)? {
            return Ok(existing);
        }
        let row = OrganisationSettings {
            id: 1,
            organisation_name: "Einlass".into(),
            brand_colour: "#0b5cad".into(),
            public_base_url: base_url.trim_end_matches('/').to_owned(),
            invitation_validity_days: 14,
            time_zone: DEFAULT_TIME_ZONE.into(),
            default_language: "de".into(),
            instance_secret: random_secret(),
            updated_at: now,
        };
        settings::insert(conn, &row)?;
        Ok(row)
    })
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SettingsInput {
    #[serde(default)]
    pub organisation_name: String,
    #[serde(default)]
    pub brand_colour: String,
    #[serde(default)]
    pub public_base_url: String,
    #[serde(default)]
    pub invitation_validity_days: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub default_language: String,
}

impl SettingsInput {
    pub fn from_row(row: &OrganisationSettings) -> Self {
        Self {
            organisation_name: row.organisation_name.clone(),
            brand_colour: row.brand_colour.clone(),
            public_base_url: row.public_base_url.clone(),
            invitation_validity_days: row.invitation_validity_days.to_string(),
            time_zone: row.time_zone.clone(),
            default_language: row.default_language.clone(),
        }
    }
}

pub fn parse_colour(input: &str) -> Result<String, FieldError> {
    let v = input.trim().to_lowercase();
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(v)
    } else {
        Err(FieldError::InvalidColour)
    }
}

pub fn parse_base_url(input: &str) -> Result<String, FieldError> {
    let v = input.trim().trim_end_matches('/');
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or(FieldError::InvalidUrl)?;
    let host = rest.split('/').next().unwrap_or("");
    let ok = !host.is_empty()
        && v.len() <= 200
        && !v.contains(['?', '#', ' ', '"', '<', '>', '\\'])
        && !v.chars().any(char::is_control)
        && !host.contains('@');
    if ok {
        Ok(v.to_owned())
    } else {
        Err(FieldError::InvalidUrl)
    }
}

pub fn valid_time_zone(name: &str) -> bool {
    time_tz::timezones::get_by_name(name).is_some()
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    input: &SettingsInput,
    now: PrimitiveDateTime,
) -> ServiceResult<OrganisationSettings> {
    if !actor.role.may_manage_settings() {
        return Err(ServiceError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let name = errors.take(
        "organisation_name",
        required_line(&input.organisation_name, 100),
    );
    let colour = errors.take("brand_colour", parse_colour(&input.brand_colour));
    let base = errors.take("public_base_url", parse_base_url(&input.public_base_url));
    let days = errors.take(
        "invitation_validity_days",
        input
            .invitation_validity_days
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or(FieldError::OutOfRange),
    );
    let tz = input.time_zone.trim().to_owned();
    if !valid_time_zone(&tz) {
        errors.add("time_zone", FieldError::InvalidTimeZone);
    }
    let lang = input.default_language.trim().to_owned();
    if lang != "de" && lang != "en" {
        errors.add("default_language", FieldError::InvalidChoice);
    }
    let (Some(name), Some(colour), Some(base), Some(days), true) =
        (name, colour, base, days, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        let mut row = settings::load(conn)?.ok_or(ServiceError::NotFound)?;
        row.organisation_name = name;
        row.brand_colour = colour;
        row.public_base_url = base;
        row.invitation_validity_days = days;
        row.time_zone = tz;
        row.default_language = lang;
        row.updated_at = now;
        settings::update(conn, &row)?;
        audit::record(
            conn,
            now,
            actor,
            "settings.update",
            Some(Target {
                kind: "settings",
                id: None,
                label: row.organisation_name.clone(),
            }),
            None,
        )?;
        Ok(row)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_urls() {
        assert_eq!(parse_colour("#0B5CAD"), Ok("#0b5cad".into()));
        assert!(parse_colour("red").is_err());
        assert!(parse_colour("#12345g").is_err());
        assert_eq!(
            parse_base_url("https://einlass.example.de/"),
            Ok("https://einlass.example.de".into())
        );
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("https://").is_err());
        assert!(parse_base_url("https://a.de/x?y").is_err());
        assert!(parse_base_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn time_zones_come_from_the_tz_database() {
        assert!(valid_time_zone("Europe/Berlin"));
        assert!(valid_time_zone("Europe/Vienna"));
        assert!(!valid_time_zone("Mars/Olympus"));
    }
}
