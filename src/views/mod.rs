//! Askama template structs and the page context every page shares. Views
//! know the domain's plain structs and the texts; they import no models,
//! services or web code, so a template can never reach the database.

pub mod forms;
pub mod imports;

use askama::Template;
use time::PrimitiveDateTime;

use crate::domain::audit::AuditEntry;
use crate::domain::people::{AreaChoice, UserDetail, UserListRow, UserSummary};
use crate::domain::units::{Unit, UnitDetail, UnitKind, UnitWithCount};
use crate::domain::{
    AdminRole, AreaRole, FieldError, FieldErrors, Page as ListPage, Salutation, TimeZone, UnitId,
    UserId, UserStatus, UserType,
};
use crate::i18n::{Lang, Texts, format_datetime};
use forms::{AuditQuery, SettingsForm, SetupForm, UserForm, UserListQuery};

/// Filters the templates use besides askama's own.
mod filters {
    /// Text as someone typed it, with control characters (a NUL, an escape
    /// sequence) shown as U+FFFD: refused input is shown again, but raw
    /// control bytes never reach the HTML. Escaping happens after it, as usual.
    #[askama::filter_fn]
    pub fn printable(
        value: impl std::fmt::Display,
        _: &dyn askama::Values,
    ) -> askama::Result<String> {
        Ok(value
            .to_string()
            .chars()
            .map(|c| {
                if crate::domain::text::is_forbidden(c) {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect())
    }

    /// [`printable`] for a multi-line field (a textarea): line breaks stay.
    #[askama::filter_fn]
    pub fn printable_lines(
        value: impl std::fmt::Display,
        _: &dyn askama::Values,
    ) -> askama::Result<String> {
        Ok(value
            .to_string()
            .replace("\r\n", "\n")
            .chars()
            .map(|c| {
                if c != '\n' && crate::domain::text::is_forbidden(c) {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect())
    }
}

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
    /// The organisation's logo by version (`/logo?v=…`), if it has one.
    pub logo_version: Option<String>,
    pub admin: Option<NavAdmin>,
    pub flash: Option<Flash>,
    /// Which menu entry is current.
    pub nav: &'static str,
    /// Path and query of this request, for "back here" after a language switch.
    pub here: String,
    pub time_zone: TimeZone,
    /// A signed-in person (his own pages): the name the header shows.
    pub person: Option<String>,
}

/// One piece of an audit sentence: text, or a name (linked where the
/// person or unit still exists).
pub struct SentencePart {
    pub text: String,
    pub is_name: bool,
    pub href: Option<String>,
}

/// An audit entry as pages show it: a sentence in the reader's language and
/// the changed fields, before → after.
pub struct AuditLine {
    pub parts: Vec<SentencePart>,
    /// Field, value before (`None`: a count of what the action did, shown
    /// without one), value after.
    pub changes: Vec<(String, Option<String>, String)>,
    pub legacy: Option<String>,
}

pub struct Flash {
    pub text: String,
    pub is_error: bool,
    /// A person the message is about: (link, name).
    pub subject: Option<(String, String)>,
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

    pub fn fe(&self, errors: &FieldErrors, field: &str) -> Option<String> {
        errors.get(field).map(|e| self.t.field_error(e))
    }

    /// A count as the language writes it (100.000 / 100,000).
    pub fn number<N: std::borrow::Borrow<i64>>(&self, n: N) -> String {
        crate::i18n::format_number(*n.borrow(), self.lang)
    }

    /// A UTC timestamp in the organisation's time zone, as the language writes dates.
    pub fn datetime(&self, at: &PrimitiveDateTime) -> String {
        format_datetime(at, self.time_zone, self.lang)
    }

    pub fn opt_datetime(&self, at: &Option<PrimitiveDateTime>) -> String {
        at.as_ref()
            .map_or_else(|| self.t.never.to_owned(), |a| self.datetime(a))
    }

    /// An audit entry as a sentence with its changes.
    pub fn audit_line(&self, e: &AuditEntry) -> AuditLine {
        let sentence = self.t.audit_sentence(&e.action);
        let target_href = e.target_user.map(|id| format!("/users/{id}"));
        let mut parts = Vec::new();
        let mut rest = sentence;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            if start > 0 {
                parts.push(SentencePart {
                    text: rest[..start].to_owned(),
                    is_name: false,
                    href: None,
                });
            }
            let (text, href) = match &rest[start + 1..start + len] {
                "actor" => (e.actor_label.clone(), None),
                "target" => (
                    e.target_label.clone().unwrap_or_default(),
                    target_href.clone(),
                ),
                "member" => (e.member().unwrap_or_default().to_owned(), None),
                other => (other.to_owned(), None),
            };
            parts.push(SentencePart {
                text,
                is_name: true,
                href,
            });
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            parts.push(SentencePart {
                text: rest.to_owned(),
                is_name: false,
                href: None,
            });
        }
        let changes = e
            .changes
            .iter()
            .filter(|c| c.field != "member")
            // A task's "skipped because …" counts only where it skipped someone.
            .filter(|c| {
                !((c.field == "blocked" || c.field.starts_with("skipped_")) && c.after == "0")
            })
            // A value that stayed (a renewal leaves the status "eingeladen").
            .filter(|c| c.before != c.after)
            .map(|c| {
                // An invitation names the address it went to: not a change
                // of the address.
                if e.action.starts_with("user.invite") && c.field == "email" && c.before.is_empty()
                {
                    return (self.t.audit_sent_to.to_owned(), None, c.after.clone());
                }
                let count = c.before.is_empty() && crate::i18n::Texts::audit_is_count(&c.field);
                (
                    self.t.audit_field(&c.field),
                    (!count).then(|| self.t.audit_value(&c.field, &c.before)),
                    self.t.audit_value(&c.field, &c.after),
                )
            })
            .collect();
        AuditLine {
            parts,
            changes,
            legacy: e.details.clone(),
        }
    }

    pub fn status(&self, s: &UserStatus) -> &'static str {
        self.t.status(*s)
    }

    /// The delivery states the list filters by (cancelled mail is not a state of a user).
    pub fn all_deliveries(&self) -> Vec<(&'static str, &'static str)> {
        use crate::domain::mail::Delivery::*;
        [Geplant, Wartend, Gesendet, Fehlgeschlagen, Blockiert]
            .into_iter()
            .map(|d| (d.as_str(), self.t.delivery(d)))
            .collect()
    }

    pub fn delivery(&self, d: &crate::domain::mail::Delivery) -> &'static str {
        self.t.delivery(*d)
    }

    /// A server's answer as recorded; the in-app mailbox's in the reader's
    /// language.
    pub fn mail_answer(&self, answer: &str) -> String {
        let t = self.t;
        match answer {
            crate::domain::mail::LOCAL_ANSWER => t.mail_local_answer.to_owned(),
            // Einlass's own notes on messages it did not send.
            "replaced by a newer invitation" => t.note_replaced.to_owned(),
            "invitation revoked" => t.note_revoked.to_owned(),
            "the invitation no longer applies" => t.note_no_longer.to_owned(),
            "the invitation was used" => t.note_used.to_owned(),
            "the person's links died" => t.note_links_died.to_owned(),
            "import undone" => t.note_import_undone.to_owned(),
            _ => answer.to_owned(),
        }
    }

    pub fn task_kind(&self, k: &crate::domain::tasks::TaskKind) -> &'static str {
        use crate::domain::tasks::TaskKind::*;
        let t = self.t;
        match *k {
            InviteCreated => t.task_invite_created,
            Invite => t.bulk_invite,
            Resend => t.bulk_resend,
            Revoke => t.bulk_revoke,
            Reactivate => t.bulk_reactivate,
            Deactivate => t.bulk_deactivate,
            Delete => t.bulk_delete,
            Letters => t.bulk_letters,
        }
    }

    pub fn mail_kind(&self, k: &crate::domain::mail::MailKind) -> &'static str {
        self.t.mail_kind(*k)
    }

    /// The invitation at a glance: "eingeladen bis 15.12.2026 10:00", …
    pub fn invitation(&self, u: &UserSummary, now: &PrimitiveDateTime) -> String {
        use crate::domain::people::InvitationState::*;
        let t = self.t;
        match u.invitation_state(*now) {
            NotInvited => t.invitation_not_invited.to_owned(),
            Scheduled(at) => format!("{} {}", t.invitation_scheduled_for, self.datetime(&at)),
            Invited(until) => format!("{} {}", t.invitation_invited_until, self.datetime(&until)),
            Expired => t.invitation_expired.to_owned(),
            Revoked => t.invitation_revoked_state.to_owned(),
            Activated => t.invitation_activated.to_owned(),
            None => t.empty_value.to_owned(),
        }
    }

    pub fn role(&self, r: &Option<AdminRole>) -> &'static str {
        r.map_or("", |r| self.t.role(r))
    }

    pub fn user_type(&self, t: &UserType) -> &'static str {
        self.t.user_type(*t)
    }

    pub fn salutation(&self, s: &Option<Salutation>) -> &'static str {
        s.map_or("", |s| self.t.salutation(s))
    }

    pub fn area_role(&self, r: &AreaRole) -> &'static str {
        self.t.area_role(*r)
    }

    pub fn opt_area_role(&self, r: &Option<AreaRole>) -> &'static str {
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

    /// A stored `JJJJ-MM-TT` date as the language writes it.
    pub fn iso_date(&self, d: &str) -> String {
        let parts: Vec<&str> = d.split('-').collect();
        match (self.lang, &parts[..]) {
            (Lang::De, [y, m, day]) => format!("{day}.{m}.{y}"),
            _ => d.to_owned(),
        }
    }

    pub fn wl_import_state(&self, state: &str) -> &'static str {
        match state {
            "zuordnung" => self.t.wl_state_mapping,
            "vorschau" => self.t.wl_state_preview,
            "importiert" => self.t.wl_state_imported,
            "verworfen" => self.t.wl_state_discarded,
            _ => self.t.wl_state_undone,
        }
    }

    /// The hint under a new password: the rule, or — when a refused form
    /// comes back without the password typed — to type it again.
    pub fn password_hint(&self, dropped: bool) -> &'static str {
        if dropped {
            self.t.password_retype
        } else {
            self.t.password_hint
        }
    }

    pub fn access_state(&self, s: &crate::domain::access::LinkStatus) -> &'static str {
        use crate::domain::access::LinkStatus;
        match s {
            LinkStatus::Offen => self.t.access_state_offen,
            LinkStatus::Benutzt => self.t.access_state_benutzt,
            LinkStatus::Abgelaufen => self.t.access_state_abgelaufen,
            LinkStatus::Widerrufen => self.t.access_state_widerrufen,
        }
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
    /// The browser sent a session: the way on is the overview (an admin's
    /// dashboard, a person's own page); otherwise the sign-in page, not an
    /// admin area a visitor of a public page has no business in.
    pub signed_in: bool,
}

#[derive(Template)]
#[template(path = "pages/login.html")]
pub struct LoginView {
    pub p: Page,
    pub identifier: String,
    pub next: String,
    pub error: Option<&'static str>,
    /// The whitelist has open entries: offer the registration page.
    pub may_register: bool,
    /// Open registration is on: offer "Zugang anfragen".
    pub may_request: bool,
}

#[derive(Template)]
#[template(path = "pages/setup.html")]
pub struct SetupView {
    pub p: Page,
    pub input: SetupForm,
    pub errors: FieldErrors,
    pub link_valid: bool,
    /// A typed password that is not sent back after an error.
    pub password_dropped: bool,
    /// The link is dead because setup is done (an Administrator exists).
    pub setup_done: bool,
}

impl SetupView {
    pub fn password_hint(&self) -> &'static str {
        self.p.password_hint(self.password_dropped)
    }
}

#[derive(Template)]
#[template(path = "pages/account_password.html")]
pub struct PasswordView {
    pub p: Page,
    pub must_change: bool,
    pub errors: FieldErrors,
    /// Where the form goes: /account/password (admins) or /me/password.
    pub action: &'static str,
}

/// The activation page of an invitation link.
#[derive(Template)]
#[template(path = "pages/invitee/activate.html")]
pub struct ActivateView {
    pub p: Page,
    pub link: crate::domain::people::LinkState,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub welcome_text: String,
    pub errors: FieldErrors,
    pub password_dropped: bool,
    /// The fingerprint of the link this form belongs to.
    pub link_check: String,
    /// The submit came from a form of another link (an older tab).
    pub link_changed: bool,
}

impl ActivateView {
    pub fn invitee(&self) -> Option<&crate::domain::people::Invitee> {
        match &self.link {
            crate::domain::people::LinkState::Live(i) => Some(i),
            _ => None,
        }
    }

    pub fn is_used(&self) -> bool {
        self.link == crate::domain::people::LinkState::Used
    }

    pub fn password_hint(&self) -> &'static str {
        self.p.password_hint(self.password_dropped)
    }

    /// The welcome text's paragraphs (the admin's text, or the standard one).
    pub fn welcome(&self) -> Vec<String> {
        welcome_paragraphs(&self.welcome_text, self.p.t.activate_welcome_default)
    }
}

#[derive(Template)]
#[template(path = "pages/invitee/welcome.html")]
pub struct WelcomeView {
    pub p: Page,
    pub name: String,
    /// What he signs in with (a registration may have made it from his
    /// name).
    pub username: String,
    pub app_name: String,
    pub app_url: String,
    /// His address, while a link to confirm it is on its way.
    pub unconfirmed: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/invitee/forgot.html")]
pub struct ForgotView {
    pub p: Page,
    pub identifier: String,
    pub sent: bool,
}

#[derive(Template)]
#[template(path = "pages/invitee/reset.html")]
pub struct ResetView {
    pub p: Page,
    /// The account's username while the link is live, for password managers.
    pub username: Option<String>,
    pub errors: FieldErrors,
    pub password_dropped: bool,
    pub link_check: String,
}

impl ResetView {
    pub fn password_hint(&self) -> &'static str {
        self.p.password_hint(self.password_dropped)
    }
}

#[derive(Template)]
#[template(path = "pages/invitee/confirm.html")]
pub struct ConfirmView {
    pub p: Page,
    pub live: bool,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "pages/invitee/profile.html")]
pub struct ProfileView {
    pub p: Page,
    pub profile: crate::domain::people::Profile,
    pub email: String,
    pub errors: FieldErrors,
}

/// The in-app mailbox (no SMTP server configured).
#[derive(Template)]
#[template(path = "pages/mail/mailbox.html")]
pub struct MailboxView {
    pub p: Page,
    pub entries: Vec<crate::domain::mail::MailboxEntry>,
    pub local_only: bool,
    pub older: Option<i64>,
}

/// The email log's filter as typed (shown back in the form).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MailLogQuery {
    /// "oldest": oldest first; else newest first.
    pub order: String,
    pub status: String,
    pub kind: String,
    pub recipient: String,
    pub from: String,
    pub until: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "pages/mail/log.html")]
pub struct MailLogView {
    pub p: Page,
    pub query: MailLogQuery,
    pub entries: Vec<crate::domain::mail::LogEntry>,
    pub errors: crate::domain::FieldErrors,
    pub older_url: Option<String>,
    pub newer_url: Option<String>,
}

impl MailLogView {
    pub fn error(&self, field: &str) -> Option<String> {
        self.p.fe(&self.errors, field)
    }

    pub fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        crate::domain::mail::MailKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), self.p.t.mail_kind(k)))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "pages/mail/log_message.html")]
pub struct MailLogMessageView {
    pub p: Page,
    pub message: crate::domain::mail::LogMessage,
    pub resend: crate::domain::mail::ResendCheck,
}

impl MailLogMessageView {
    /// The person to renew the invitation of, when that is the way on.
    pub fn renew_user(&self) -> Option<i64> {
        use crate::domain::mail::ResendCheck::*;
        match &self.resend {
            InvitationExpired(u) | InvitationRevoked(u) => Some(u.get()),
            _ => None,
        }
    }

    /// Why nothing is sent again (empty when it can be).
    pub fn resend_reason(&self) -> &'static str {
        use crate::domain::mail::ResendCheck::*;
        let t = self.p.t;
        match &self.resend {
            Possible { .. } => "",
            AlreadyResent(_) => t.resend_already,
            Scheduled(_) => t.resend_scheduled,
            InvitationExpired(_) => t.resend_expired,
            InvitationRevoked(_) => t.resend_revoked,
            AlreadyActive(_) => t.resend_active,
            Deactivated(_) => t.resend_deactivated,
            UserGone => t.resend_user_gone,
            NoAddress(_) => t.resend_no_address,
            NoLongerApplies => t.resend_no_longer,
            Blocked(_) => t.resend_blocked,
            TooMany => t.resend_too_many,
        }
    }

    /// The blocked-address list, showing this address.
    pub fn blocked_url(&self, address: &str) -> String {
        with_query("/mail/blocked", "q", address)
    }

    /// The person this message was to, for a link to his page.
    pub fn person(&self) -> Option<i64> {
        use crate::domain::mail::ResendCheck::*;
        match &self.resend {
            InvitationExpired(u) | InvitationRevoked(u) | AlreadyActive(u) | Deactivated(u)
            | NoAddress(u) | Scheduled(u) => Some(u.get()),
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/mail/templates.html")]
pub struct TemplatesView {
    pub p: Page,
    pub templates: Vec<crate::domain::templates::TemplateSummary>,
}

impl TemplatesView {
    pub fn lang_name(&self, l: &Lang) -> &'static str {
        match l {
            Lang::De => self.p.t.lang_de,
            Lang::En => self.p.t.lang_en,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/mail/template_edit.html")]
pub struct TemplateEditView {
    pub p: Page,
    pub kind: crate::domain::mail::MailKind,
    pub language: Lang,
    pub subject: String,
    pub body: String,
    pub errors: crate::domain::templates::TemplateErrors,
    pub edited: Option<(PrimitiveDateTime, String)>,
}

impl TemplateEditView {
    /// `/mail/templates/<kind>/<lang>`
    pub fn path(&self) -> String {
        format!(
            "/mail/templates/{}/{}",
            self.kind.as_str(),
            self.language.code()
        )
    }

    pub fn lang_name(&self) -> &'static str {
        match self.language {
            Lang::De => self.p.t.lang_de,
            Lang::En => self.p.t.lang_en,
        }
    }

    pub fn subject_error(&self) -> Option<String> {
        self.errors
            .subject
            .as_ref()
            .map(|e| self.p.t.template_error(self.kind, e))
    }

    pub fn body_error(&self) -> Option<String> {
        self.errors
            .body
            .as_ref()
            .map(|e| self.p.t.template_error(self.kind, e))
    }

    /// The placeholders of this kind: `{{name}}` and what it stands for.
    pub fn placeholders(&self) -> Vec<(String, &'static str)> {
        self.kind
            .placeholders()
            .iter()
            .map(|p| (p.token(), self.p.t.placeholder(*p)))
            .collect()
    }
}

/// `path?key=value`, the value encoded.
fn with_query(path: &str, key: &str, value: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish();
    format!("{path}?{query}")
}

#[derive(Template)]
#[template(path = "pages/mail/blocked.html")]
pub struct BlockedListView {
    pub p: Page,
    pub q: String,
    pub entries: Vec<crate::domain::mail::BlockedEntry>,
    pub older_url: Option<String>,
}

impl BlockedListView {
    /// The email log, filtered to this address.
    pub fn log_url(&self, address: &str) -> String {
        with_query("/mail/log", "recipient", address)
    }

    pub fn no_error(&self) -> Option<String> {
        None
    }

    pub fn reason(&self, reason: &str) -> &'static str {
        match reason {
            "rejected" => self.p.t.blocked_reason_rejected,
            _ => self.p.t.blocked_reason_rejected,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/users/invite_all_later.html")]
pub struct InviteAllLaterView {
    pub p: Page,
    pub send_date: String,
    pub send_time: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/users/bulk_confirm.html")]
pub struct BulkConfirmView {
    pub p: Page,
    pub kind: crate::domain::tasks::TaskKind,
    pub affected: i64,
    pub no_email: i64,
    pub wrong_status: i64,
    pub above_role: i64,
    pub yourself: i64,
    /// The fields that carry the selection to the run.
    pub carried: Vec<(&'static str, String)>,
    /// Who is affected, as the start checks it again.
    pub fingerprint: String,
    /// Why the confirmation is shown again.
    pub notice: Option<String>,
    pub form_key: String,
    pub send_date: String,
    pub send_time: String,
    pub errors: FieldErrors,
    pub back: String,
}

impl BulkConfirmView {
    pub fn skipped(&self) -> i64 {
        self.no_email + self.wrong_status + self.above_role + self.yourself
    }

    pub fn what_happens(&self) -> &'static str {
        use crate::domain::tasks::TaskKind::*;
        let t = self.p.t;
        match self.kind {
            Invite | InviteCreated => t.bulk_invite_does,
            Resend => t.bulk_resend_does,
            Revoke => t.bulk_revoke_does,
            Reactivate => t.bulk_reactivate_does,
            Deactivate => t.bulk_deactivate_does,
            Delete => t.bulk_delete_does,
            Letters => t.bulk_letters_does,
        }
    }

    pub fn is_destructive(&self) -> bool {
        matches!(
            self.kind,
            crate::domain::tasks::TaskKind::Delete | crate::domain::tasks::TaskKind::Deactivate
        )
    }
}

#[derive(Template)]
#[template(path = "pages/tasks/show.html")]
pub struct TaskPage {
    pub p: Page,
    pub task: crate::domain::tasks::TaskView,
    /// The admin started it again while it ran (or just after).
    pub again: bool,
}

impl TaskPage {
    pub fn kind_name(&self) -> &'static str {
        self.p.task_kind(&self.task.kind)
    }

    /// How the summary names what was done.
    pub fn done_label(&self) -> &'static str {
        if self.task.kind.sends_mail() {
            self.p.t.task_invited
        } else {
            self.p.t.task_done_count
        }
    }

    pub fn stopped_text(&self) -> &'static str {
        if self.task.kind.sends_mail() {
            self.p.t.task_stopped_actor
        } else {
            self.p.t.task_stopped_actor_bulk
        }
    }

    pub fn changed_label(&self) -> &'static str {
        if self.task.kind == crate::domain::tasks::TaskKind::InviteCreated {
            self.p.t.task_skipped_changed
        } else {
            self.p.t.task_skipped_changed_bulk
        }
    }

    pub fn state_name(&self) -> &'static str {
        use crate::domain::tasks::TaskState::*;
        match self.task.state {
            Laufend => self.p.t.task_running,
            Fertig => self.p.t.task_done_state,
            Abgebrochen => self.p.t.task_stopped_state,
        }
    }

    /// The invited whose mail goes out (done, less the blocked ones).
    pub fn invited(&self) -> i64 {
        self.task.done - self.task.blocked
    }
}

#[derive(Template)]
#[template(path = "pages/mail/message.html")]
pub struct MailboxMessageView {
    pub p: Page,
    pub entry: crate::domain::mail::MailboxEntry,
}

impl MailboxMessageView {
    /// The text part in pieces: (text, is the link).
    pub fn parts(&self) -> Vec<(String, bool)> {
        match &self.entry.link {
            Some(link) if !link.is_empty() => {
                let mut out = Vec::new();
                let mut rest = self.entry.text.as_str();
                while let Some(at) = rest.find(link.as_str()) {
                    out.push((rest[..at].to_owned(), false));
                    out.push((link.clone(), true));
                    rest = &rest[at + link.len()..];
                }
                out.push((rest.to_owned(), false));
                out
            }
            _ => vec![(self.entry.text.clone(), false)],
        }
    }
}

/// "Einladung senden" for a user without an address: ask for one first.
#[derive(Template)]
#[template(path = "pages/users/invite.html")]
pub struct InviteView {
    pub p: Page,
    pub user: UserSummary,
    pub email: String,
    pub send_date: String,
    pub send_time: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
pub struct DashboardView {
    pub p: Page,
    pub overview: crate::domain::dashboard::Overview,
    pub mail: crate::domain::mail::MailHealth,
    /// Access requests waiting for a decision (the oldest first).
    pub requests: Vec<crate::services::access_requests::PendingRequest>,
    pub requests_total: i64,
}

impl DashboardView {
    /// Advice for a sending failure that is the configuration's fault.
    pub fn mail_advice(&self) -> Option<(&'static str, &str)> {
        let (kind, answer, _) = self.mail.configuration_failure.as_ref()?;
        let advice = match kind {
            crate::domain::mail::FailureKind::Auth => self.p.t.mail_auth_failed,
            _ => self.p.t.mail_tls_failed,
        };
        Some((advice, answer.as_str()))
    }
}

impl DashboardView {
    pub fn steps_open(&self) -> bool {
        self.overview.steps.iter().any(|(_, done)| !done)
    }

    /// A step's title, what it is for, and where it is done.
    pub fn step(
        &self,
        s: &crate::domain::dashboard::SetupStep,
    ) -> (&'static str, &'static str, &'static str) {
        use crate::domain::dashboard::SetupStep::*;
        let t = self.p.t;
        match s {
            Organisation => (t.step_org_title, t.step_org_text, "/settings"),
            Units => (t.step_units_title, t.step_units_text, "/groups"),
            People => (t.step_people_title, t.step_people_text, "/users/new"),
        }
    }
}

/// A sortable column header: label, sort key, link, current `aria-sort`.
pub struct SortLink {
    pub label: &'static str,
    pub key: &'static str,
    pub url: String,
    pub aria_sort: &'static str,
}

#[derive(Template)]
#[template(path = "pages/users/list.html")]
pub struct UserListView {
    pub p: Page,
    pub query: UserListQuery,
    pub rows: Vec<UserListRow>,
    pub list: ListPage<()>,
    pub groups: Vec<Unit>,
    pub areas: Vec<Unit>,
    pub sort_links: Vec<SortLink>,
    pub pager: Pager,
    pub errors: FieldErrors,
    /// When the page was made (invitation states depend on it).
    pub now: PrimitiveDateTime,
}

impl UserListView {
    /// Whether a filter's value (not the search's) names nothing.
    pub fn filter_unreadable(&self) -> bool {
        self.errors.iter().any(|(field, _)| field != "q")
    }

    /// The bulk actions offered, (code, label).
    pub fn bulk_actions(&self) -> Vec<(&'static str, &'static str)> {
        crate::domain::tasks::BULK_ACTIONS
            .iter()
            .map(|k| (k.as_str(), self.p.task_kind(k)))
            .collect()
    }

    /// The list's filter, for "alle Treffer dieses Filters".
    pub fn bulk_filter(&self) -> Vec<(&'static str, String)> {
        let q = &self.query;
        [
            ("f_q", &q.q),
            ("f_status", &q.status),
            ("f_group", &q.group),
            ("f_area", &q.area),
            ("f_type", &q.user_type),
            ("f_staff", &q.staff),
            ("f_delivery", &q.delivery),
            ("f_import", &q.import),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
    }

    pub fn jump_action(&self) -> &'static str {
        "/users"
    }

    /// "Exportieren": the same filters and order, as a spreadsheet.
    pub fn export_url(&self) -> String {
        let q = &self.query;
        query_link(
            "/users/export.xlsx",
            &[
                ("q", &q.q),
                ("status", &q.status),
                ("group", &q.group),
                ("area", &q.area),
                ("type", &q.user_type),
                ("staff", &q.staff),
                ("delivery", &q.delivery),
                ("import", &q.import),
                ("sort", &q.sort),
                ("dir", &q.dir),
            ],
        )
    }

    /// The filters and sort the page jump keeps.
    pub fn jump_fields(&self) -> Vec<(&'static str, String)> {
        let q = &self.query;
        set_fields(&[
            ("q", &q.q),
            ("status", &q.status),
            ("group", &q.group),
            ("area", &q.area),
            ("type", &q.user_type),
            ("staff", &q.staff),
            ("delivery", &q.delivery),
            ("import", &q.import),
            ("sort", &q.sort),
            ("dir", &q.dir),
        ])
    }
}

/// The filter fields that are set, for hidden inputs of a page jump.
fn set_fields(fields: &[(&'static str, &String)]) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, (*v).clone()))
        .collect()
}

/// `path?k=v&…` with the values percent-encoded; empty values left out.
fn query_link(path: &str, pairs: &[(&str, &String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Links of a paged list; `None` where there is nowhere to go.
pub struct Pager {
    pub first_url: Option<String>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub last_url: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/users/form.html")]
pub struct UserFormView {
    pub p: Page,
    pub input: UserForm,
    pub errors: FieldErrors,
    pub groups: Vec<Unit>,
    /// `None` for the create form.
    pub editing: Option<UserSummary>,
    /// A typed start password that is not sent back after an error.
    pub password_dropped: bool,
    /// Who holds a value the form wants (username, email, personnel number).
    pub holders: Vec<(&'static str, UserSummary)>,
}

impl UserFormView {
    /// The hint under the start password: after an error it says why the
    /// field is empty again.
    pub fn start_password_hint(&self) -> &'static str {
        if self.password_dropped {
            self.p.t.password_retype
        } else {
            self.p.t.start_password_hint
        }
    }

    pub fn has_group(&self, id: &UnitId) -> bool {
        self.input.groups.contains(id)
    }

    /// The edit form asks "Einladung jetzt senden / später" while the person
    /// can be invited (or re-invited) and his address is not confirmed.
    pub fn offers_invitation(&self) -> bool {
        self.editing.as_ref().is_some_and(|u| {
            !u.email_confirmed && (u.status.invite().is_ok() || u.status.renew().is_ok())
        })
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

    /// The field's error; a value another account holds names that account.
    pub fn error(&self, field: &str) -> Option<String> {
        let text = self.p.fe(&self.errors, field)?;
        let taken = self.errors.get(field).is_some_and(FieldError::is_taken);
        Some(match self.holders.iter().find(|(f, _)| *f == field) {
            Some((_, holder)) if taken => {
                format!("{}: {}.", text.trim_end_matches('.'), holder.label())
            }
            _ => text,
        })
    }
}

#[derive(Template)]
#[template(path = "pages/users/show.html")]
pub struct UserShowView {
    pub p: Page,
    pub detail: UserDetail,
    pub photo_error: Option<FieldError>,
}

impl UserShowView {
    /// Changes with every new photo, so browsers do not show an old one.
    pub fn photo_version(&self) -> i64 {
        self.detail.user.updated_at.assume_utc().unix_timestamp()
    }

    pub fn photo_error_text(&self) -> Option<String> {
        self.photo_error.map(|e| self.p.t.field_error(e))
    }

    pub fn is_blocked(&self) -> bool {
        self.detail.user.status == UserStatus::Deaktiviert
    }

    /// An access request waiting for a decision.
    pub fn is_pending(&self) -> bool {
        self.detail.user.status == UserStatus::Ausstehend
    }

    /// Blocking applies (not to a request waiting or rejected).
    pub fn may_deactivate(&self) -> bool {
        self.detail.user.status.deactivate().is_ok()
    }

    /// "Einladung senden" applies (first one, or again after revocation or expiry).
    pub fn may_invite(&self) -> bool {
        self.detail.user.status.invite().is_ok()
    }

    /// "Erneuern" and "Widerrufen" apply: the invitation is live.
    pub fn may_renew(&self) -> bool {
        self.detail.user.status.renew().is_ok()
    }

    pub fn is_inactive(&self) -> bool {
        self.detail.user.status == UserStatus::Inaktiv
    }

    /// Whether "Neues Startpasswort vergeben" applies to the person's status.
    pub fn may_get_start_password(&self) -> bool {
        self.detail.user.status.set_start_password().is_ok()
    }
}

#[derive(Template)]
#[template(path = "pages/users/delete.html")]
pub struct UserDeleteView {
    pub p: Page,
    pub user: UserSummary,
}

#[derive(Template)]
#[template(path = "pages/users/start_password.html")]
pub struct StartPasswordView {
    pub p: Page,
    pub user: UserSummary,
}

/// The QR code page of a person (`web::qr`).
#[derive(Template)]
#[template(path = "pages/users/qr.html")]
pub struct QrView {
    pub p: Page,
    pub user: UserSummary,
    /// `None`: no code in this browser now (never made here, or over).
    pub link: Option<crate::services::invitations::HandedOverLink>,
    /// A new code may be made (the status allows an invitation).
    pub may_issue: bool,
}

impl QrView {
    /// Until when the person's current link lives, when he has one (a new
    /// code would replace it, a printed letter too).
    pub fn live_link_until(&self) -> Option<PrimitiveDateTime> {
        self.user
            .invitation_expires_at
            .filter(|_| self.user.status == UserStatus::Eingeladen)
    }
}

/// The printed letter with one person's code.
#[derive(Template)]
#[template(path = "print/qr_letter.html")]
pub struct QrLetterView {
    pub p: Page,
    pub login_url: String,
    pub link: crate::services::invitations::HandedOverLink,
}

/// The printed letters of many people (`web::qr::letters`).
#[derive(Template)]
#[template(path = "print/letters.html")]
pub struct LettersView {
    pub p: Page,
    pub login_url: String,
    pub id: i64,
    /// `None`: this browser may not show them (made elsewhere, too long ago).
    pub letters: Option<crate::services::letters::Letters>,
}

#[derive(Template)]
#[template(path = "pages/users/credentials.html")]
pub struct CredentialsView {
    pub p: Page,
    pub user_id: UserId,
    pub display_name: String,
    pub username: String,
    /// `None`: the hand-over is over (expired, done, another browser).
    pub password: Option<String>,
    pub login_url: String,
    /// Where "Fertig" leads (`close`, `new`, `areas`, `user`).
    pub then_page: String,
    /// Until when this sheet shows the password.
    pub shown_until: Option<PrimitiveDateTime>,
}

#[derive(Template)]
#[template(path = "pages/users/areas.html")]
pub struct UserAreasView {
    pub p: Page,
    pub user: UserSummary,
    pub choices: Vec<AreaChoice>,
    pub error: Option<FieldError>,
}

impl UserAreasView {
    pub fn role_is(&self, choice: &AreaChoice, role: &str) -> bool {
        choice.role.unwrap_or(AreaRole::Mitglied).as_str() == role
    }
}

/// Texts and links that differ between groups and areas.
pub struct UnitTexts {
    pub title: &'static str,
    pub new_label: &'static str,
    pub base: &'static str,
    pub filter_param: &'static str,
    pub with_roles: bool,
}

impl UnitTexts {
    pub fn of(kind: UnitKind, t: &'static Texts) -> Self {
        match kind {
            UnitKind::Group => UnitTexts {
                title: t.groups_title,
                new_label: t.group_new,
                base: "/groups",
                filter_param: "group",
                with_roles: false,
            },
            UnitKind::Area => UnitTexts {
                title: t.areas_title,
                new_label: t.area_new,
                base: "/areas",
                filter_param: "area",
                with_roles: true,
            },
        }
    }
}

#[derive(Template)]
#[template(path = "pages/units/list.html")]
pub struct UnitListView {
    pub p: Page,
    pub kind: UnitTexts,
    pub units: Vec<UnitWithCount>,
    pub name: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/units/show.html")]
pub struct UnitShowView {
    pub p: Page,
    pub kind: UnitTexts,
    pub detail: UnitDetail,
    pub name: String,
    pub member_login: String,
    pub errors: FieldErrors,
    /// The member search as typed, and the people it found (with whether
    /// each already belongs).
    pub find: String,
    pub candidates: Vec<(UserSummary, bool)>,
    /// How many the search matched (more than shown: narrow it down).
    pub candidates_total: i64,
}

#[derive(Template)]
#[template(path = "pages/units/delete.html")]
pub struct UnitDeleteView {
    pub p: Page,
    pub kind: UnitTexts,
    pub detail: UnitDetail,
}

#[derive(Template)]
#[template(path = "pages/settings.html")]
pub struct SettingsView {
    pub p: Page,
    pub input: SettingsForm,
    pub errors: FieldErrors,
    /// EINLASS_PUBLIC_BASE_URL is set: the field is read-only.
    pub base_url_fixed: bool,
}

impl SettingsView {
    pub fn common_zones(&self) -> &'static [&'static str] {
        &TimeZone::COMMON
    }

    pub fn all_zones(&self) -> Vec<&'static str> {
        TimeZone::all_names()
    }

    /// The zone shown, when the list does not offer it (stored before the
    /// list was the only way to choose): offered on its own, selected, so a
    /// save does not silently swap it for the list's first.
    pub fn unlisted_zone(&self) -> Option<&str> {
        // Only a zone the tz database knows (a refused form may hold anything).
        let z = self.input.time_zone.as_str();
        (TimeZone::parse(z).is_some_and(|tz| tz.name() == z)
            && !TimeZone::all_names().contains(&z)
            && !TimeZone::COMMON.contains(&z))
        .then_some(z)
    }

    /// The colour as typed, if it is one (the picker needs `#rrggbb`).
    pub fn colour_value(&self) -> String {
        crate::domain::settings::parse_colour(&self.input.brand_colour)
            .unwrap_or_else(|_| crate::domain::settings::DEFAULT_BRAND.to_owned())
    }

    /// The shade links and buttons get from the colour as typed.
    pub fn shade(&self) -> String {
        crate::domain::settings::accessible_shade(&self.colour_value())
    }

    pub fn shade_differs(&self) -> bool {
        self.shade() != self.colour_value()
    }
}

#[derive(Template)]
#[template(path = "pages/audit.html")]
pub struct AuditView {
    pub p: Page,
    pub query: AuditQuery,
    pub events: ListPage<AuditEntry>,
    /// The same page without the rows, for the pager.
    pub list: ListPage<()>,
    pub actions: Vec<String>,
    pub pager: Pager,
    pub errors: FieldErrors,
}

impl AuditView {
    pub fn jump_action(&self) -> &'static str {
        "/audit"
    }

    pub fn jump_fields(&self) -> Vec<(&'static str, String)> {
        let q = &self.query;
        set_fields(&[
            ("q", &q.q),
            ("action", &q.action),
            ("from", &q.from),
            ("until", &q.until),
        ])
    }
}

/// Zugangslinks: every set, newest first (`web::access_links`).
#[derive(Template)]
#[template(path = "pages/access/list.html")]
pub struct AccessListView {
    pub p: Page,
    pub sets: ListPage<crate::domain::access::LinkSet>,
    pub now: PrimitiveDateTime,
}

/// "Zugangslinks erstellen".
#[derive(Template)]
#[template(path = "pages/access/new.html")]
pub struct AccessNewView {
    pub p: Page,
    pub input: forms::AccessLinksForm,
    pub groups: Vec<Unit>,
    pub areas: Vec<Unit>,
    pub errors: FieldErrors,
    pub max_links: i64,
    pub max_days: i64,
}

impl AccessNewView {
    pub fn error(&self, field: &str) -> Option<String> {
        self.p.fe(&self.errors, field)
    }
}

/// One set of access links: its links with their state, and (for the
/// browser that made it, for a while) their addresses.
#[derive(Template)]
#[template(path = "pages/access/show.html")]
pub struct AccessSetView {
    pub p: Page,
    pub detail: crate::domain::access::SetDetail,
    /// `None`: this browser cannot show the addresses (any more).
    pub shown: Option<Vec<crate::domain::access::ShownLink>>,
    pub now: PrimitiveDateTime,
}

impl AccessSetView {
    /// The open links' addresses, one per line (to copy all at once).
    pub fn all_urls(&self) -> String {
        self.shown
            .iter()
            .flatten()
            .map(|l| l.url.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The QR letters of a set's open links, one per page.
#[derive(Template)]
#[template(path = "print/access_letters.html")]
pub struct AccessLettersView {
    pub p: Page,
    pub login_url: String,
    pub set: crate::domain::access::LinkSet,
    /// `None`: this browser cannot show them (any more).
    pub links: Option<Vec<crate::domain::access::ShownLink>>,
}

/// The public page of an access link: the registration form while the
/// link is open; else what happened.
#[derive(Template)]
#[template(path = "pages/invitee/join.html")]
pub struct JoinView {
    pub p: Page,
    pub state: crate::domain::access::AccessState,
    pub input: forms::JoinForm,
    pub errors: FieldErrors,
    pub welcome_text: String,
    pub password_dropped: bool,
    pub link_check: String,
    pub link_changed: bool,
}

impl JoinView {
    pub fn live_until(&self) -> Option<PrimitiveDateTime> {
        match self.state {
            crate::domain::access::AccessState::Live { expires_at } => Some(expires_at),
            _ => None,
        }
    }

    pub fn is_used(&self) -> bool {
        self.state == crate::domain::access::AccessState::Used
    }

    pub fn password_hint(&self) -> &'static str {
        self.p.password_hint(self.password_dropped)
    }

    pub fn welcome(&self) -> Vec<String> {
        welcome_paragraphs(&self.welcome_text, self.p.t.join_welcome_default)
    }
}

/// The organisation's welcome text (or the page's own when it has none) as
/// paragraphs: blank lines separate them.
fn welcome_paragraphs(text: &str, default: &str) -> Vec<String> {
    let text = if text.trim().is_empty() {
        default
    } else {
        text
    };
    text.split("\n\n")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Registrierung: the whitelist, its criteria, adding an entry, imports.
#[derive(Template)]
#[template(path = "pages/registration/list.html")]
pub struct WhitelistView {
    pub p: Page,
    pub list: crate::services::registration::Whitelist,
    pub q: String,
    pub entry: forms::EntryForm,
    pub errors: FieldErrors,
    pub criteria_error: Option<String>,
    /// The criteria a refused save asked for, shown as the admin ticked them.
    pub criteria_asked: Option<Vec<crate::domain::registration::Criterion>>,
    pub import_error: Option<String>,
    pub groups: Vec<Unit>,
    pub may_set_criteria: bool,
}

impl WhitelistView {
    pub fn error(&self, field: &str) -> Option<String> {
        self.p.fe(&self.errors, field)
    }

    pub fn has(&self, key: &str) -> bool {
        self.list.criteria.iter().any(|c| c.key() == key)
    }

    /// Whether the criteria form ticks `key`: as asked by a refused save,
    /// else as stored.
    pub fn ticked(&self, key: &str) -> bool {
        match &self.criteria_asked {
            Some(asked) => asked.iter().any(|c| c.key() == key),
            None => self.has(key),
        }
    }

    /// The list's address for page `n`, with the search (or the choice of
    /// entries that cannot be told apart) kept.
    pub fn page_href(&self, n: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if self.list.only_ambiguous {
            query.append_pair("show", "ambiguous");
        } else if !self.q.is_empty() {
            query.append_pair("q", &self.q);
        }
        query.append_pair("page", &n.to_string());
        format!("/registration?{}", query.finish())
    }

    pub fn criterion_label(&self, key: &str) -> &'static str {
        if key == "birth_date" {
            self.p.t.field_birth_date
        } else {
            self.p.t.field_label(key)
        }
    }
}

/// One import into the whitelist: its preview, or what became of it.
#[derive(Template)]
#[template(path = "pages/registration/import.html")]
pub struct WhitelistImportView {
    pub p: Page,
    pub preview: crate::services::registration::ImportPreview,
    /// The mapping lacked a needed field or fed one twice.
    pub mapping_error: Option<String>,
    /// The groups, to name each new entry's.
    pub groups: Vec<Unit>,
}

impl WhitelistImportView {
    /// The name of a new entry's group ("" for none).
    pub fn group_name(&self, id: &Option<UnitId>) -> &str {
        id.and_then(|id| self.groups.iter().find(|g| g.id == id))
            .map_or("", |g| g.name.as_str())
    }

    /// The fields a column can feed, for the mapping's menus: (key, label).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        crate::domain::import::WHITELIST
            .fields
            .iter()
            .map(|f| {
                let label = match f.key {
                    "birth_date" => self.p.t.field_birth_date,
                    "group" => self.p.t.field_group,
                    k => self.p.t.field_label(k),
                };
                (f.key, label.to_owned())
            })
            .collect()
    }

    pub fn needed_labels(&self) -> String {
        self.preview
            .mapping
            .iter()
            .flat_map(|m| m.needed.iter())
            .map(|k| {
                self.fields()
                    .into_iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, l)| l)
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A refused row's reason in words.
    pub fn problem(&self, code: &str, other: &Option<i32>) -> String {
        let t = self.p.t;
        if code == "row:hidden" {
            return t.wl_problem_hidden.to_owned();
        }
        let (field, what) = code.split_once(':').unwrap_or((code, ""));
        let (what, value) = what.split_once(':').unwrap_or((what, ""));
        let label = if field == "birth_date" {
            t.field_birth_date
        } else {
            t.field_label(field)
        };
        let text = match what {
            "required" => t.fe_required.to_owned(),
            "characters" => t.fe_invalid_chars.to_owned(),
            "no_letter" => t.fe_name_without_letter.to_owned(),
            "digit" | "hidden" => {
                let c = u32::from_str_radix(value, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                t.field_error(if what == "digit" {
                    crate::domain::FieldError::ForeignDigit(c)
                } else {
                    crate::domain::FieldError::HiddenCharacter(c)
                })
            }
            "too_long" => t.wl_problem_too_long.to_owned(),
            "invalid" if field == "user_type" => t.wl_problem_user_type.to_owned(),
            "invalid" => t.wl_problem_invalid.to_owned(),
            "date" => t.fe_invalid_birth_date.to_owned(),
            "date_range" => t.wl_problem_date_range.to_owned(),
            "unknown" if value.contains([',', ';']) => format!(
                "{}{value}{} – {}",
                t.q_open, t.q_close, t.wl_problem_one_group
            ),
            "unknown" if value.is_empty() => t.wl_problem_unknown_group.to_owned(),
            "unknown" => format!(
                "{}{value}{} – {}",
                t.q_open, t.q_close, t.wl_problem_unknown_group
            ),
            "twice" => format!(
                "{} {}",
                t.wl_problem_twice,
                other.map(|l| l.to_string()).unwrap_or_default()
            ),
            "on_list" if field == "personnel_number" => t.fe_number_on_the_list.to_owned(),
            "on_list" => t.fe_on_the_list.to_owned(),
            "account" => t.fe_personnel_taken.to_owned(),
            "formula" => t.pr_formula.to_owned(),
            "shortened" => t.pr_shortened_number.to_owned(),
            "converted" => t.pr_converted_value.to_owned(),
            "error_value" if value.is_empty() => t.pr_error_value.to_owned(),
            "error_value" => format!("{}{value}{} – {}", t.q_open, t.q_close, t.pr_error_value),
            _ => t.wl_problem_invalid.to_owned(),
        };
        format!("{label}: {text}")
    }
}

/// The public registration page (the whitelist).
#[derive(Template)]
#[template(path = "pages/invitee/register.html")]
pub struct RegisterView {
    pub p: Page,
    pub criteria: crate::domain::registration::Criteria,
    pub input: forms::RegisterForm,
    pub errors: FieldErrors,
    /// The data matched no entry (one neutral message).
    pub no_match: bool,
    pub password_dropped: bool,
}

impl RegisterView {
    pub fn has(&self, key: &str) -> bool {
        self.criteria.iter().any(|c| c.key() == key)
    }

    pub fn password_hint(&self) -> &'static str {
        self.p.password_hint(self.password_dropped)
    }
}

/// "Zugang anfragen" (open registration): the form, or that it was sent.
#[derive(Template)]
#[template(path = "pages/invitee/request.html")]
pub struct RequestView {
    pub p: Page,
    pub input: forms::RequestForm,
    pub errors: FieldErrors,
    pub sent: bool,
    pub password_dropped: bool,
}

impl RequestView {
    pub fn password_hint(&self) -> &'static str {
        self.p.password_hint(self.password_dropped)
    }
}

/// The first sign-in's question: an email address? (may be skipped)
#[derive(Template)]
#[template(path = "pages/invitee/email_question.html")]
pub struct EmailQuestionView {
    pub p: Page,
    pub email: String,
    pub errors: FieldErrors,
}
