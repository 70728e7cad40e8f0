//! Askama template structs and the page context every page shares.

use askama::Template;
use time::PrimitiveDateTime;

use crate::domain::{AdminRole, AreaRole, FieldError, Salutation, UserStatus, UserType};
use crate::i18n::{Lang, Texts};
use crate::models::Page as ListPage;
use crate::models::audit::AuditEvent;
use crate::models::unit::{Member, Unit};
use crate::models::user::User;
use crate::services::FieldErrors;
use crate::services::settings::SettingsInput;
use crate::services::setup::SetupInput;
use crate::services::users::UserInput;

/// The signed-in admin as the layout shows him.
pub struct NavAdmin {
    pub name: String,
    pub role: AdminRole,
}

/// What every page needs: language, CSRF token, organisation, admin, flash.
pub struct Page {
    pub t: &'static Texts,
    pub lang: Lang,
    pub csrf: String,
    pub org_name: String,
    pub brand_version: String,
    pub admin: Option<NavAdmin>,
    pub flash: Option<Flash>,
    /// Which menu entry is current.
    pub nav: &'static str,
    /// Path and query of this request, for "back here" after a language switch.
    pub here: String,
    pub time_zone: String,
}

pub struct Flash {
    pub text: String,
    pub is_error: bool,
}

impl Page {
    pub fn may_manage_users(&self) -> bool {
        self.admin
            .as_ref()
            .is_some_and(|a| a.role.may_manage_users())
    }

    pub fn may_manage_settings(&self) -> bool {
        self.admin
            .as_ref()
            .is_some_and(|a| a.role.may_manage_settings())
    }

    pub fn is_nav(&self, entry: &str) -> bool {
        self.nav == entry
    }

    pub fn fe(&self, errors: &FieldErrors, field: &str) -> Option<&'static str> {
        errors.get(field).map(|e| self.t.field_error(e))
    }

    /// A UTC timestamp in the organisation's time zone, as the language writes dates.
    pub fn datetime(&self, at: &PrimitiveDateTime) -> String {
        crate::web::format_datetime(at, &self.time_zone, self.lang)
    }

    pub fn opt_datetime(&self, at: &Option<PrimitiveDateTime>) -> String {
        at.as_ref()
            .map_or_else(|| self.t.never.to_owned(), |a| self.datetime(a))
    }

    pub fn status(&self, s: &str) -> &'static str {
        s.parse::<UserStatus>().map_or("?", |s| self.t.status(s))
    }

    pub fn role(&self, r: &Option<String>) -> &'static str {
        r.as_deref()
            .and_then(|r| r.parse::<AdminRole>().ok())
            .map_or("", |r| self.t.role(r))
    }

    pub fn user_type(&self, s: &str) -> &'static str {
        s.parse::<UserType>().map_or("?", |t| self.t.user_type(t))
    }

    pub fn salutation(&self, s: &Option<String>) -> &'static str {
        s.as_deref()
            .and_then(|s| s.parse::<Salutation>().ok())
            .map_or("", |s| self.t.salutation(s))
    }

    pub fn area_role(&self, r: &Option<AreaRole>) -> &'static str {
        r.map_or("", |r| self.t.area_role(r))
    }

    pub fn all_statuses(&self) -> Vec<(&'static str, &'static str)> {
        UserStatus::ALL
            .iter()
            .map(|s| (s.as_str(), self.t.status(*s)))
            .collect()
    }

    pub fn all_user_types(&self) -> Vec<(&'static str, &'static str)> {
        UserType::ALL
            .iter()
            .map(|s| (s.as_str(), self.t.user_type(*s)))
            .collect()
    }

    pub fn all_salutations(&self) -> Vec<(&'static str, &'static str)> {
        Salutation::ALL
            .iter()
            .map(|s| (s.as_str(), self.t.salutation(*s)))
            .collect()
    }

    pub fn all_area_roles(&self) -> Vec<(&'static str, &'static str)> {
        AreaRole::ALL
            .iter()
            .map(|s| (s.as_str(), self.t.area_role(*s)))
            .collect()
    }

    /// Roles the signed-in admin may grant.
    pub fn grantable_roles(&self) -> Vec<(&'static str, &'static str)> {
        let Some(admin) = &self.admin else {
            return Vec::new();
        };
        AdminRole::ALL
            .iter()
            .filter(|r| admin.role.may_grant(**r))
            .map(|r| (r.as_str(), self.t.role(*r)))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorView {
    pub p: Page,
    pub title: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "pages/login.html")]
pub struct LoginView {
    pub p: Page,
    pub identifier: String,
    pub next: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "pages/setup.html")]
pub struct SetupView {
    pub p: Page,
    pub input: SetupInput,
    pub errors: FieldErrors,
    pub link_valid: bool,
}

#[derive(Template)]
#[template(path = "pages/account_password.html")]
pub struct PasswordView {
    pub p: Page,
    pub must_change: bool,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
pub struct DashboardView {
    pub p: Page,
    pub total: i64,
    pub by_status: Vec<(&'static str, &'static str, i64)>,
}

/// A user row on the list with its groups.
pub struct UserRow {
    pub user: User,
    pub groups: String,
}

/// Current list filters, as typed (also used to build links).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct UserListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub area: String,
    #[serde(default, rename = "type")]
    pub user_type: String,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Template)]
#[template(path = "pages/users/list.html")]
pub struct UserListView {
    pub p: Page,
    pub query: UserListQuery,
    pub rows: Vec<UserRow>,
    pub list: ListPage<()>,
    pub groups: Vec<Unit>,
    pub areas: Vec<Unit>,
    /// Links: (label, url) for sort headers, pages.
    pub sort_links: Vec<(&'static str, &'static str, String, &'static str)>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/users/form.html")]
pub struct UserFormView {
    pub p: Page,
    pub input: UserInput,
    pub errors: FieldErrors,
    pub groups: Vec<Unit>,
    /// `None` for the create form.
    pub editing: Option<User>,
}

impl UserFormView {
    pub fn has_group(&self, id: &i64) -> bool {
        self.input.group_ids.contains(id)
    }

    pub fn email_locked(&self) -> bool {
        self.editing.as_ref().is_some_and(|u| u.email_confirmed)
    }

    pub fn mode_is(&self, mode: &str) -> bool {
        let current = if self.input.start_password_mode.is_empty() {
            "none"
        } else {
            self.input.start_password_mode.as_str()
        };
        current == mode
    }

    pub fn error(&self, field: &str) -> Option<&'static str> {
        self.p.fe(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "pages/users/show.html")]
pub struct UserShowView {
    pub p: Page,
    pub user: User,
    pub groups: Vec<Unit>,
    pub areas: Vec<(Unit, Option<AreaRole>)>,
    pub events: Vec<AuditEvent>,
    pub may_change: bool,
    pub is_self: bool,
    pub has_photo: bool,
    pub photo_error: Option<FieldError>,
}

impl UserShowView {
    /// Changes with every new photo, so browsers do not show an old one.
    pub fn photo_version(&self) -> i64 {
        self.user.updated_at.assume_utc().unix_timestamp()
    }

    pub fn photo_error_text(&self) -> Option<&'static str> {
        self.photo_error.map(|e| self.p.t.field_error(e))
    }

    pub fn is_blocked(&self) -> bool {
        self.user.status() == UserStatus::Deaktiviert
    }
}

#[derive(Template)]
#[template(path = "pages/users/delete.html")]
pub struct UserDeleteView {
    pub p: Page,
    pub user: User,
}

#[derive(Template)]
#[template(path = "pages/users/credentials.html")]
pub struct CredentialsView {
    pub p: Page,
    pub user: User,
    pub password: String,
    pub login_url: String,
    pub next_url: String,
}

pub struct AreaChoice {
    pub area: Unit,
    pub role: Option<AreaRole>,
}

impl AreaChoice {
    pub fn role_is(&self, r: &str) -> bool {
        self.role.map_or("mitglied", |x| x.as_str()) == r
    }
}

#[derive(Template)]
#[template(path = "pages/users/areas.html")]
pub struct UserAreasView {
    pub p: Page,
    pub user: User,
    pub choices: Vec<AreaChoice>,
    pub error: Option<FieldError>,
}

/// Texts and links that differ between groups and areas.
pub struct UnitTexts {
    pub title: &'static str,
    pub new_label: &'static str,
    pub base: &'static str,
    pub filter_param: &'static str,
    pub with_roles: bool,
}

#[derive(Template)]
#[template(path = "pages/units/list.html")]
pub struct UnitListView {
    pub p: Page,
    pub kind: UnitTexts,
    pub units: Vec<(Unit, i64)>,
    pub name: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/units/show.html")]
pub struct UnitShowView {
    pub p: Page,
    pub kind: UnitTexts,
    pub unit: Unit,
    pub members: Vec<Member>,
    pub member_count: i64,
    pub name: String,
    pub member_login: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/settings.html")]
pub struct SettingsView {
    pub p: Page,
    pub input: SettingsInput,
    pub errors: FieldErrors,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Template)]
#[template(path = "pages/audit.html")]
pub struct AuditView {
    pub p: Page,
    pub query: AuditQuery,
    pub events: ListPage<AuditEvent>,
    pub actions: Vec<String>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}
