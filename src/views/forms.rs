//! The fields of the forms and filters as the templates name them, kept as
//! typed so a refused form can be shown again. The web layer turns them into
//! typed service commands.

use serde::Deserialize;

use crate::domain::people::UserSummary;
use crate::domain::{Settings, UnitId};

/// The create and edit form of a user.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: String,
    pub personnel_number: String,
    pub user_type: String,
    #[serde(rename = "group")]
    pub groups: Vec<UnitId>,
    /// A checkbox: present (`on`) when ticked.
    pub is_staff: Option<String>,
    pub admin_role: String,
    /// `none`, `set` or `generate` (create form only).
    pub start_password_mode: String,
    pub start_password: String,
    /// Which save button of the create form was pressed: `close`, `new` or `areas`.
    pub then: String,
    /// The create form's own random key (a double submit creates one user).
    pub form_key: String,
    /// Edit form: `now` ("Einladung jetzt senden") or `later`.
    pub invite: String,
    /// Edit form: the person's [`crate::domain::people::UserSummary::edit_version`]
    /// when the form was made.
    pub seen: String,
}

impl UserForm {
    /// An empty create form, with the groups of the previous one when the
    /// admin creates several in a row. Admin access, once ticked, starts at
    /// the least powerful role.
    pub fn blank(groups: Vec<UnitId>) -> Self {
        Self {
            user_type: "mitarbeiter".into(),
            admin_role: "lesezugriff".into(),
            start_password_mode: "none".into(),
            groups,
            form_key: crate::domain::token::random_secret(),
            ..Default::default()
        }
    }

    /// The edit form of an existing user.
    pub fn of(user: &UserSummary, groups: Vec<UnitId>) -> Self {
        let seen = user.edit_version(&groups);
        Self {
            salutation: user
                .salutation
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            username: user.username.clone(),
            email: user.email.clone().unwrap_or_default(),
            personnel_number: user.personnel_number.clone().unwrap_or_default(),
            user_type: user.user_type.as_str().to_owned(),
            groups,
            is_staff: user.is_staff().then(|| "on".to_owned()),
            admin_role: user
                .admin_role
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            start_password_mode: "none".into(),
            start_password: String::new(),
            then: String::new(),
            form_key: String::new(),
            invite: "later".into(),
            seen,
        }
    }

    pub fn staff(&self) -> bool {
        self.is_staff.is_some()
    }
}

/// The settings form.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub organisation_name: String,
    pub brand_colour: String,
    pub public_base_url: String,
    pub invitation_validity_days: String,
    #[serde(default)]
    pub reminder_days_before: String,
    pub time_zone: String,
    pub default_language: String,
    #[serde(default)]
    pub app_name: String,
    #[serde(default)]
    pub app_url: String,
    #[serde(default)]
    pub welcome_text: String,
    /// A checkbox: present (`on`) when ticked.
    pub open_registration: Option<String>,
}

impl SettingsForm {
    pub fn open_registration(&self) -> bool {
        self.open_registration.is_some()
    }

    pub fn of(s: &Settings) -> Self {
        Self {
            organisation_name: s.organisation_name.clone(),
            brand_colour: s.brand_colour.clone(),
            public_base_url: s.public_base_url.clone(),
            invitation_validity_days: s.invitation_validity_days.to_string(),
            reminder_days_before: s.reminder_days_before.to_string(),
            time_zone: s.time_zone.name().to_owned(),
            default_language: s.default_language.code().to_owned(),
            app_name: s.app_name.clone(),
            app_url: s.app_url.clone(),
            welcome_text: s.welcome_text.clone(),
            open_registration: s.open_registration.then(|| "on".to_owned()),
        }
    }
}

/// The first-administrator form of the setup link.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: String,
    pub password: String,
    pub password_repeat: String,
}

/// The user list's filters, as typed (also used to build links).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserListQuery {
    pub q: String,
    pub status: String,
    pub group: String,
    pub area: String,
    #[serde(rename = "type")]
    pub user_type: String,
    pub staff: String,
    /// Delivery of the last invitation mail (wartend, gesendet, …).
    pub delivery: String,
    /// Only the people an import batch created.
    pub import: String,
    pub sort: String,
    pub dir: String,
    pub page: String,
    /// Keyset cursors of the name order: the page after / before this user id.
    pub after: String,
    pub before: String,
}

impl UserListQuery {
    /// Whether any filter (not sort or page) is set: the filter panel opens.
    pub fn any_filter(&self) -> bool {
        [
            &self.q,
            &self.status,
            &self.group,
            &self.area,
            &self.user_type,
            &self.staff,
            &self.delivery,
            &self.import,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

/// The audit log's filters, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub action: String,
    pub q: String,
    pub from: String,
    pub until: String,
    pub page: String,
}

/// "Zugangslinks erstellen" as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccessLinksForm {
    pub count: String,
    pub valid_days: String,
    pub label: String,
    pub user_type: String,
    /// A group's id, or empty for none.
    pub group: String,
    /// An area's id, or empty for none.
    pub area: String,
    pub area_role: String,
    /// Makes a double submit create one set.
    pub form_key: String,
}

/// A registration form of a public page as typed (the passwords are never
/// shown again).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub password: String,
    pub password_repeat: String,
    /// The fingerprint of the link the form was shown for.
    pub link: String,
}

impl JoinForm {
    pub fn registration(&self) -> crate::domain::access::RegistrationForm {
        crate::domain::access::RegistrationForm {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            account: self.account(),
        }
    }

    pub fn account(&self) -> crate::domain::access::AccountInput {
        crate::domain::access::AccountInput {
            email: self.email.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            password_repeat: self.password_repeat.clone(),
        }
    }
}

/// A whitelist entry as typed into the form.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: String,
    pub birth_date: String,
    pub user_type: String,
    pub group: String,
}

/// The public registration form (whitelist) as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: String,
    pub birth_date: String,
    pub email: String,
    pub username: String,
    pub password: String,
    pub password_repeat: String,
}

impl RegisterForm {
    pub fn probe(&self) -> crate::domain::registration::ProbeInput {
        crate::domain::registration::ProbeInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            personnel_number: self.personnel_number.clone(),
            birth_date: self.birth_date.clone(),
        }
    }

    pub fn account(&self) -> crate::domain::access::AccountInput {
        crate::domain::access::AccountInput {
            email: self.email.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            password_repeat: self.password_repeat.clone(),
        }
    }
}

/// "Zugang anfragen" as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub password: String,
    pub password_repeat: String,
    pub message: String,
}

impl RequestForm {
    pub fn account(&self) -> crate::domain::access::AccountInput {
        crate::domain::access::AccountInput {
            email: self.email.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            password_repeat: self.password_repeat.clone(),
        }
    }
}
