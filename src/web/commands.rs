//! The web boundary: forms and query strings as typed by people, turned into
//! the typed commands and queries the services take. Every field error of a
//! form is collected at once, so the page can show them all.

use crate::domain::people::UserSort;
use crate::domain::settings::{parse_base_url, parse_colour, parse_validity_days};
use crate::domain::{
    AdminRole, EmailAddress, FieldError, FieldErrors, Language, Password, PersonName,
    PersonnelNumber, Salutation, TimeZone, UnitId, UserStatus, UserType, Username,
};
use crate::services::audit::AuditQuery as AuditFilterQuery;
use crate::services::settings::UpdateSettings;
use crate::services::setup::FirstAdministrator;
use crate::services::users::{
    CreateUser, ListCursor, PersonData, StartPassword, UniqueProbe, UpdateUser, UserQuery,
};
use crate::views::forms::{AuditQuery, SettingsForm, SetupForm, UserForm, UserListQuery};

fn choice<T: std::str::FromStr>(value: &str) -> Result<Option<T>, FieldError> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| FieldError::InvalidChoice),
    }
}

fn optional_email(value: &str) -> Result<Option<EmailAddress>, FieldError> {
    match value.trim() {
        "" => Ok(None),
        v => EmailAddress::parse(v).map(Some),
    }
}

/// The personal data of the user form.
fn person(form: &UserForm, errors: &mut FieldErrors) -> Option<PersonData> {
    let salutation = errors.take("salutation", choice::<Salutation>(&form.salutation));
    let first_name = errors.take("first_name", PersonName::parse(&form.first_name));
    let last_name = errors.take("last_name", PersonName::parse(&form.last_name));
    let email = errors.take("email", optional_email(&form.email));
    let personnel_number = errors.take(
        "personnel_number",
        PersonnelNumber::parse(&form.personnel_number),
    );
    let user_type = errors.take("user_type", choice::<UserType>(&form.user_type));
    let admin_role = if form.staff() {
        errors.take(
            "admin_role",
            form.admin_role
                .parse::<AdminRole>()
                .map(Some)
                .map_err(|_| FieldError::InvalidChoice),
        )
    } else {
        Some(None)
    };
    let mut groups: Vec<UnitId> = form.groups.clone();
    groups.sort_unstable();
    groups.dedup();
    Some(PersonData {
        salutation: salutation?,
        first_name: first_name?,
        last_name: last_name?,
        email: email?,
        personnel_number: personnel_number?,
        user_type: user_type?.unwrap_or(UserType::Mitarbeiter),
        groups,
        admin_role: admin_role?,
    })
}

/// The create form as a command. `generated` is the start password to use
/// when the admin chose "generate" (derived from the hand-over id).
pub fn create_user(form: &UserForm, generated: Password) -> Result<CreateUser, FieldErrors> {
    let mut errors = FieldErrors::default();
    let person = person(form, &mut errors);
    let username = match form.username.trim() {
        "" => Some(None),
        v => errors.take("username", Username::parse(v).map(Some)),
    };
    if form.start_password_mode == "invite_now" && form.email.trim().is_empty() {
        errors.add("email", FieldError::EmailNeededToInvite);
    }
    let start_password = match form.start_password_mode.as_str() {
        "" | "none" => Some(StartPassword::None),
        "invite_now" => Some(StartPassword::InviteNow),
        "generate" => Some(StartPassword::Generate(generated)),
        "set" => errors
            .take("start_password", Password::parse(&form.start_password))
            .map(|password| StartPassword::Set {
                password,
                must_change: true,
            }),
        _ => {
            errors.add("start_password_mode", FieldError::InvalidChoice);
            None
        }
    };
    match (person, username, start_password) {
        (Some(person), Some(username), Some(start_password)) if errors.is_empty() => {
            Ok(CreateUser {
                person,
                username,
                start_password,
                form_key: (!form.form_key.is_empty()).then(|| form.form_key.clone()),
                handover: None,
                address_confirmed: false,
            })
        }
        _ => Err(errors),
    }
}

/// The unique fields of a refused form that are valid by themselves.
pub fn unique_probe(form: &UserForm, except: Option<crate::domain::UserId>) -> UniqueProbe {
    UniqueProbe {
        username: Username::parse(form.username.trim()).ok(),
        email: optional_email(&form.email).ok().flatten(),
        personnel_number: PersonnelNumber::parse(&form.personnel_number)
            .ok()
            .flatten(),
        except,
    }
}

pub fn update_user(form: &UserForm) -> Result<UpdateUser, FieldErrors> {
    let mut errors = FieldErrors::default();
    let person = person(form, &mut errors);
    let username = errors.take("username", Username::parse(&form.username));
    match (person, username) {
        (Some(person), Some(username)) if errors.is_empty() => Ok(UpdateUser {
            person,
            username,
            invite_now: form.invite == "now",
            seen: Some(form.seen.trim().to_owned()).filter(|s| !s.is_empty()),
        }),
        _ => Err(errors),
    }
}

pub fn first_admin(form: &SetupForm) -> Result<FirstAdministrator, FieldErrors> {
    let mut errors = FieldErrors::default();
    let first_name = errors.take("first_name", PersonName::parse(&form.first_name));
    let last_name = errors.take("last_name", PersonName::parse(&form.last_name));
    let username = errors.take("username", Username::parse(&form.username));
    let email = errors.take("email", optional_email(&form.email));
    let password = errors.take("password", Password::parse(&form.password));
    if password.is_some() && !crate::domain::password::same(&form.password, &form.password_repeat) {
        errors.add("password_repeat", FieldError::PasswordMismatch);
    }
    match (first_name, last_name, username, email, password) {
        (Some(first_name), Some(last_name), Some(username), Some(email), Some(password))
            if errors.is_empty() =>
        {
            Ok(FirstAdministrator {
                person: PersonData {
                    salutation: None,
                    first_name,
                    last_name,
                    email,
                    personnel_number: None,
                    user_type: UserType::Mitarbeiter,
                    groups: Vec::new(),
                    admin_role: Some(AdminRole::Administrator),
                },
                username,
                password,
            })
        }
        _ => Err(errors),
    }
}

/// `current_zone`: the stored time zone, kept when sent back unchanged even
/// where the list no longer offers it (chosen before it did).
pub fn settings(form: &SettingsForm, current_zone: &str) -> Result<UpdateSettings, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = errors.take(
        "organisation_name",
        crate::domain::required_line(&form.organisation_name, 100),
    );
    let colour = errors.take("brand_colour", parse_colour(&form.brand_colour));
    let base = errors.take("public_base_url", parse_base_url(&form.public_base_url));
    let days = errors.take(
        "invitation_validity_days",
        parse_validity_days(&form.invitation_validity_days),
    );
    let reminder = errors.take(
        "reminder_days_before",
        crate::domain::settings::parse_reminder_days(&form.reminder_days_before, days),
    );
    let zone = errors.take(
        "time_zone",
        TimeZone::parse_offered(&form.time_zone)
            .or_else(|| {
                (form.time_zone.trim() == current_zone)
                    .then(|| TimeZone::parse(current_zone))
                    .flatten()
            })
            .ok_or(FieldError::InvalidTimeZone),
    );
    let lang = errors.take(
        "default_language",
        Language::parse(&form.default_language).ok_or(FieldError::InvalidChoice),
    );
    let app_name = errors.take(
        "app_name",
        crate::domain::optional_line(&form.app_name, 80).map(Option::unwrap_or_default),
    );
    let app_url = errors.take(
        "app_url",
        crate::domain::settings::parse_app_url(&form.app_url),
    );
    let welcome_text = errors.take(
        "welcome_text",
        crate::domain::settings::parse_long_text(&form.welcome_text, 2000),
    );
    match (
        name,
        colour,
        base,
        days,
        reminder,
        zone,
        lang,
        app_name,
        app_url,
        welcome_text,
    ) {
        (
            Some(name),
            Some(colour),
            Some(base),
            Some(days),
            Some(reminder),
            Some(zone),
            Some(lang),
            Some(app_name),
            Some(app_url),
            Some(welcome_text),
        ) if errors.is_empty() => Ok(UpdateSettings {
            organisation_name: name,
            brand_colour: colour,
            public_base_url: base,
            invitation_validity_days: days,
            reminder_days_before: reminder,
            time_zone: zone,
            default_language: lang,
            app_name,
            app_url,
            welcome_text,
            open_registration: form.open_registration(),
        }),
        _ => Err(errors),
    }
}

/// The list's filters. A value that is no value of its filter (`group=x`,
/// `status=unsinn`) is listed in `unreadable`: such a query finds nobody
/// and says so. An id of a group or area that no longer exists simply
/// matches nobody.
pub fn user_query(q: &UserListQuery) -> UserQuery {
    // A value that names nothing must not widen the list (nor a bulk
    // action's selection, nor an export) by being left out.
    let unreadable = [
        ("status", &q.status, q.status.parse::<UserStatus>().is_ok()),
        ("group", &q.group, q.group.parse::<i64>().is_ok()),
        ("area", &q.area, q.area.parse::<i64>().is_ok()),
        (
            "type",
            &q.user_type,
            q.user_type.parse::<UserType>().is_ok(),
        ),
        ("staff", &q.staff, matches!(q.staff.as_str(), "yes" | "no")),
        (
            "delivery",
            &q.delivery,
            crate::domain::mail::Delivery::parse(&q.delivery).is_some(),
        ),
        ("import", &q.import, q.import.trim().parse::<i64>().is_ok()),
    ]
    .into_iter()
    .filter(|(_, value, ok)| !ok && !value.is_empty())
    .map(|(field, _, _)| field)
    .collect();
    UserQuery {
        unreadable,
        text: q.q.clone(),
        status: q.status.parse::<UserStatus>().ok(),
        group: q.group.parse().ok(),
        area: q.area.parse().ok(),
        user_type: q.user_type.parse::<UserType>().ok(),
        staff: match q.staff.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        delivery: crate::domain::mail::Delivery::parse(&q.delivery),
        import_batch: q.import.trim().parse().ok(),
        sort: UserSort::parse(&q.sort),
        descending: q.dir == "desc",
        page: page_number(&q.page),
        cursor: match (q.after.parse::<i64>(), q.before.parse::<i64>()) {
            (Ok(id), _) => Some(ListCursor::After(crate::domain::UserId::new(id))),
            (_, Ok(id)) => Some(ListCursor::Before(crate::domain::UserId::new(id))),
            _ => None,
        },
    }
}

pub fn audit_query(q: &AuditQuery) -> AuditFilterQuery {
    AuditFilterQuery {
        action: q.action.clone(),
        text: q.q.clone(),
        from: q.from.clone(),
        until: q.until.clone(),
        page: page_number(&q.page),
    }
}

/// A page number; nonsense is page 1, huge numbers (also those beyond
/// any integer) are the last page.
pub fn page_number(value: &str) -> i64 {
    let value = value.trim();
    match value.parse::<i64>() {
        Ok(n) => n.clamp(1, MAX_PAGE),
        Err(_) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => MAX_PAGE,
        Err(_) => 1,
    }
}

/// Past every list's end: the lists show their last page for it.
const MAX_PAGE: i64 = 1_000_000;

/// A whole number typed into a field, within `low..=high`.
fn whole_number(value: &str, low: i64, high: i64) -> Result<i64, FieldError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (low..=high).contains(n))
        .ok_or(FieldError::NotBetween(low, high))
}

/// "Zugangslinks erstellen" as a command: every field's error at once.
pub fn access_links(
    form: &crate::views::forms::AccessLinksForm,
) -> Result<crate::services::access_links::NewLinks, FieldErrors> {
    use crate::domain::access::{Grant, MAX_LINKS_PER_SET, MAX_VALID_DAYS};
    let mut errors = FieldErrors::default();
    let count = errors.take("count", whole_number(&form.count, 1, MAX_LINKS_PER_SET));
    let valid_days = errors.take(
        "valid_days",
        whole_number(&form.valid_days, 1, MAX_VALID_DAYS),
    );
    let label = errors.take("label", crate::domain::single_line(&form.label, 100));
    let user_type = errors.take("user_type", choice::<UserType>(&form.user_type));
    let group = errors.take("group", choice::<UnitId>(&form.group));
    let area = errors.take("area", choice::<UnitId>(&form.area));
    let role = errors.take(
        "area_role",
        choice::<crate::domain::AreaRole>(&form.area_role),
    );
    match (count, valid_days, label, user_type, group, area, role) {
        (
            Some(count),
            Some(valid_days),
            Some(label),
            Some(user_type),
            Some(group),
            Some(area),
            Some(role),
        ) if errors.is_empty() => Ok(crate::services::access_links::NewLinks {
            count,
            valid_days,
            label,
            grant: Grant {
                user_type: user_type.unwrap_or(UserType::Mitarbeiter),
                group,
                area: area.map(|a| (a, role.unwrap_or(crate::domain::AreaRole::Mitglied))),
            },
        }),
        _ => Err(errors),
    }
}
