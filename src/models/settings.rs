//! The single row of organisation settings.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::organisation_settings as s;
use crate::domain::{Language, Settings, TimeZone};

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = s)]
pub struct OrganisationSettings {
    pub id: i32,
    pub organisation_name: String,
    pub brand_colour: String,
    pub public_base_url: String,
    pub invitation_validity_days: i32,
    pub time_zone: String,
    pub default_language: String,
    pub instance_secret: String,
    pub updated_at: PrimitiveDateTime,
    pub app_name: String,
    pub app_url: String,
    pub welcome_text: String,
    pub reminder_days_before: i32,
    pub registration_criteria: String,
    pub open_registration: bool,
    /// The base URL is the address `serve` listened on, chosen by nobody.
    pub public_base_url_from_bind: bool,
}

impl std::fmt::Debug for OrganisationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrganisationSettings")
            .field("organisation_name", &self.organisation_name)
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

impl OrganisationSettings {
    /// The settings without the secret. A time zone that the tz database
    /// no longer knows (after an upgrade) falls back to the default.
    pub fn snapshot(&self) -> Settings {
        Settings {
            organisation_name: self.organisation_name.clone(),
            brand_colour: self.brand_colour.clone(),
            public_base_url: self.public_base_url.clone(),
            invitation_validity_days: self.invitation_validity_days,
            reminder_days_before: self.reminder_days_before,
            time_zone: TimeZone::parse(&self.time_zone).unwrap_or_default(),
            default_language: Language::parse(&self.default_language).unwrap_or_default(),
            app_name: self.app_name.clone(),
            app_url: self.app_url.clone(),
            welcome_text: self.welcome_text.clone(),
            registration_criteria: crate::domain::registration::Criteria::decode(
                &self.registration_criteria,
            ),
            open_registration: self.open_registration,
        }
    }
}

pub fn load(conn: &mut DbConn) -> QueryResult<Option<OrganisationSettings>> {
    s::table
        .find(1)
        .select(OrganisationSettings::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, row: &OrganisationSettings) -> QueryResult<usize> {
    diesel::insert_into(s::table).values(row).execute(conn)
}

/// The base URL set to `url` while nobody has chosen one: this column
/// alone, and only where the stored flag still says so (an admin saving the
/// settings at the same instant wins). Whether it changed.
pub fn follow_bind(conn: &mut DbConn, url: &str, now: PrimitiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        s::table
            .find(1)
            .filter(s::public_base_url_from_bind.eq(true))
            .filter(s::public_base_url.ne(url)),
    )
    .set((s::public_base_url.eq(url), s::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn update(conn: &mut DbConn, row: &OrganisationSettings) -> QueryResult<usize> {
    diesel::update(s::table.find(1)).set(row).execute(conn)
}
