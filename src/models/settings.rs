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
    /// The logo's version (`None`: no logo). Written only with the logo
    /// ([`put_logo`], [`delete_logo`]), never by [`update`].
    pub logo_version: Option<String>,
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
            logo_version: self.logo_version.clone(),
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
    // The logo's version is the logo's to write (an upload at the same
    // instant is not undone by a save of the other settings): `None` is
    // left out of the statement.
    let row = OrganisationSettings {
        logo_version: None,
        ..row.clone()
    };
    diesel::update(s::table.find(1)).set(&row).execute(conn)
}

/// The organisation's logo as stored.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::db::schema::organisation_logo)]
pub struct Logo {
    pub id: i32,
    pub png: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub updated_at: PrimitiveDateTime,
}

pub fn load_logo(conn: &mut DbConn) -> QueryResult<Option<Logo>> {
    use crate::db::schema::organisation_logo as l;
    l::table
        .find(1)
        .select(Logo::as_select())
        .first(conn)
        .optional()
}

/// Stores the logo (replacing one) and its version in the settings.
pub fn put_logo(conn: &mut DbConn, logo: &Logo, version: &str) -> QueryResult<()> {
    use crate::db::schema::organisation_logo as l;
    diesel::delete(l::table).execute(conn)?;
    diesel::insert_into(l::table).values(logo).execute(conn)?;
    diesel::update(s::table.find(1))
        .set(s::logo_version.eq(Some(version)))
        .execute(conn)?;
    Ok(())
}

/// Removes the logo; whether there was one.
pub fn delete_logo(conn: &mut DbConn) -> QueryResult<bool> {
    use crate::db::schema::organisation_logo as l;
    let n = diesel::delete(l::table).execute(conn)?;
    diesel::update(s::table.find(1))
        .set(s::logo_version.eq(None::<String>))
        .execute(conn)?;
    Ok(n > 0)
}
