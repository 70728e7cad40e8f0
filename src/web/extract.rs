//! Extractors: the signed-in admin, CSRF-checked forms, the page context,
//! the request's language.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{AcceptLanguage, Header, Preference, Quality};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::domain::Refusal;
use crate::domain::people::SignedInAdmin;
use crate::error::AppError;
use crate::i18n::{Catalogue, Lang, Texts};
use crate::services::{Actor, auth};
use crate::views::{Flash, NavAdmin, Page};
use crate::web::{AppState, CsrfSeed, FLASH_COOKIE, LANG_COOKIE, SESSION_COOKIE};

type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

pub fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("app state missing".into()))
}

/// The token forms must carry: an HMAC under the instance secret of the
/// visitor's CSRF cookie and of his session cookie (none before sign-in).
/// It cannot be made without the secret, and a token of one session is
/// worth nothing in another.
pub fn csrf_token(key: &[u8], seed: &str, session: Option<&str>) -> String {
    match csrf_mac(key, seed, session) {
        Some(mac) => hex::encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

fn csrf_mac(key: &[u8], seed: &str, session: Option<&str>) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(b"csrf\0");
    mac.update(seed.as_bytes());
    mac.update(b"\0");
    mac.update(session.unwrap_or("").as_bytes());
    Some(mac)
}

fn csrf_matches(key: &[u8], seed: &str, session: Option<&str>, candidate: &str) -> bool {
    let Ok(candidate) = hex::decode(candidate.trim()) else {
        return false;
    };
    csrf_mac(key, seed, session).is_some_and(|mac| mac.verify_slice(&candidate).is_ok())
}

fn seed_of(req: &HttpRequest) -> String {
    req.extensions()
        .get::<CsrfSeed>()
        .map(|s| s.value.clone())
        .unwrap_or_default()
}

/// Whether the browser sent a session (not whether it is still valid).
pub fn has_session(req: &HttpRequest) -> bool {
    req.cookie(SESSION_COOKIE).is_some()
}

fn session_of(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned())
}

/// Whether the request's form token belongs to this browser and session.
fn csrf_ok(req: &HttpRequest, state: &AppState, token: &str) -> bool {
    let seed_was_sent = req
        .extensions()
        .get::<CsrfSeed>()
        .is_some_and(|s| !s.is_new);
    seed_was_sent
        && csrf_matches(
            &state.ctx.secrets().csrf_key,
            &seed_of(req),
            session_of(req).as_deref(),
            token,
        )
}

fn here(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}

/// The language of a request: the visitor's choice (cookie), else the
/// browser's Accept-Language, else the organisation's default.
pub fn request_lang(req: &HttpRequest, state: &AppState) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| browser_lang(req))
        .unwrap_or(state.ctx.settings().default_language)
}

/// The browser's most preferred language that Einlass speaks.
fn browser_lang(req: &HttpRequest) -> Option<Lang> {
    let mut ranked = AcceptLanguage::parse(req).ok()?.0;
    // Stable: equally weighted languages keep the browser's order.
    ranked.sort_by_key(|item| std::cmp::Reverse(item.quality));
    ranked
        .iter()
        .filter(|item| item.quality > Quality::ZERO)
        .find_map(|item| match &item.item {
            Preference::Specific(tag) => Lang::parse(tag.primary_language()),
            Preference::Any => None,
        })
}

/// Flash messages set by redirects: a key, or `k=key&name=…&id=…` for a
/// message about one person (see `web::named_flash`); unknown keys are ignored.
fn flash_for(t: &'static Texts, value: &str) -> Option<Flash> {
    if let Some(encoded) = value.strip_prefix("n.") {
        let query = String::from_utf8(hex::decode(encoded).ok()?).ok()?;
        let value = query.as_str();
        let mut key = String::new();
        let mut name = String::new();
        let mut href = None;
        for (k, v) in url::form_urlencoded::parse(value.as_bytes()) {
            match k.as_ref() {
                "k" => key = v.into_owned(),
                "name" => name = v.chars().filter(|c| !c.is_control()).take(250).collect(),
                // Only our own pages: /users/12, /groups/3, /areas/4.
                "href" => href = safe_subject_link(&v),
                _ => {}
            }
        }
        let text = match key.as_str() {
            "user_created" => t.user_created_named,
            "user_exists" => t.user_exists,
            "unit_created" => t.unit_created_named,
            _ => return None,
        };
        return Some(Flash {
            text: text.to_owned(),
            is_error: false,
            subject: href.map(|h| (h, name)),
        });
    }
    let key = value;
    let ok = |text: &str| {
        Some(Flash {
            text: text.to_owned(),
            is_error: false,
            subject: None,
        })
    };
    let err = |text: String| {
        Some(Flash {
            text,
            is_error: true,
            subject: None,
        })
    };
    match key {
        "logged_out" => ok(t.logged_out),
        "password_changed" => ok(t.password_changed),
        "user_updated" => ok(t.user_updated),
        "user_deactivated" => ok(t.user_deactivated),
        "user_reactivated" => ok(t.user_reactivated),
        "user_deleted" => ok(t.user_deleted),
        "areas_saved" => ok(t.areas_saved),
        "unit_renamed" => ok(t.unit_renamed),
        "unit_deleted" => ok(t.unit_deleted),
        "member_removed" => ok(t.member_removed),
        "settings_saved" => ok(t.settings_saved),
        "logo_saved" => ok(t.logo_saved),
        "logo_removed" => ok(t.logo_removed),
        "photo_saved" => ok(t.photo_saved),
        "photo_removed" => ok(t.photo_removed),
        "refused_last_admin" => err(t.refusal(Refusal::LastAdministrator)),
        "refused_self" => err(t.refusal(Refusal::NotOnYourself)),
        "refused_status" => err(t.refusal(Refusal::StatusDoesNotAllow)),
        "refused_import_stage" => err(t.refusal(Refusal::ImportStageDoesNotAllow)),
        "refused_import_undone" => err(t.refusal(Refusal::ImportUndoneAlready)),
        "refused_import_not_committed" => err(t.refusal(Refusal::ImportNothingToUndo)),
        "refused_import_role" => err(t.refusal(Refusal::ImportAboveYourRole)),
        "refused_import_older" => err(t.refusal(Refusal::ImportOlderPage)),
        "bulk_none_chosen" => err(t.bulk_none_chosen.to_owned()),
        "invited_wartend" => ok(t.invited_queued),
        "invited_blockiert" => err(t.invited_blocked.to_owned()),
        "invited_geplant" => ok(t.invited_scheduled),
        "invitation_revoked" => ok(t.invitation_revoked),
        "email_confirmation_sent" => ok(t.email_confirmation_sent),
        "resent_queued" => ok(t.resent_queued),
        "resent_blocked" => err(t.resent_blocked.to_owned()),
        "resend_refused" => err(t.resend_refused.to_owned()),
        "unblocked" => ok(t.unblocked),
        "template_saved" => ok(t.template_saved),
        "template_reset_done" => ok(t.template_reset_done),
        "template_not_edited" => ok(t.template_not_edited),
        "not_blocked" => ok(t.not_blocked),
        "import_done" => ok(t.import_done),
        "import_undone" => ok(t.import_undo_done),
        "import_discarded" => ok(t.import_discarded),
        "access_created" => ok(t.access_created_flash),
        "wl_criteria_saved" => ok(t.wl_criteria_saved),
        "requests_approved" => ok(t.requests_approved),
        "requests_rejected" => ok(t.requests_rejected),
        "requests_decided" => err(t.requests_decided.to_owned()),
        "requests_reason_invalid" => err(t.requests_reason_invalid.to_owned()),
        "wl_added" => ok(t.wl_added),
        "wl_deleted" => ok(t.wl_deleted),
        "wl_not_deleted" => err(t.wl_not_deleted.to_owned()),
        "wl_imported" => ok(t.wl_imported),
        "wl_import_changed" => err(t.wl_import_changed.to_owned()),
        "wl_import_discarded" => ok(t.wl_import_discarded),
        "wl_import_undone" => ok(t.wl_import_undone),
        "wl_import_undone_nothing" => ok(t.wl_import_undone_nothing),
        "access_revoked" => ok(t.access_revoked_flash),
        "access_nothing_revoked" => err(t.access_nothing_revoked.to_owned()),
        k if k.starts_with("invited_all_") => {
            let n: Vec<i64> = k
                .trim_start_matches("invited_all_")
                .split('_')
                .filter_map(|v| v.parse().ok())
                .collect();
            match n[..] {
                [queued, blocked, no_email, role] => {
                    ok(&t.invited_all(queued, blocked, no_email, role))
                }
                _ => None,
            }
        }
        "bulk_no_group" => err(t.bulk_no_group.to_owned()),
        k if k.starts_with("count_changed_") => {
            let n = k.rsplit('_').next()?.parse::<i64>().ok()?;
            err(t.members_now(n))
        }
        k if k.starts_with("bulk_added_") || k.starts_with("members_added_") => {
            let n = k.rsplit('_').next()?.parse::<i64>().ok()?;
            ok(&t.people_added(n))
        }
        k => {
            if let Some(n) = k.strip_prefix("refused_too_many_") {
                return n
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| err(t.refusal(Refusal::TooManyAtOnce(n))));
            }
            k.strip_prefix("refused_in_use_")
                .and_then(|n| n.parse::<i64>().ok())
                .and_then(|n| err(t.refusal(Refusal::UnitInUse(n))))
        }
    }
}

/// A flash link to one of our pages about a person or unit, nothing else.
fn safe_subject_link(href: &str) -> Option<String> {
    let (kind, id) = href.strip_prefix('/')?.split_once('/')?;
    let ok = matches!(kind, "users" | "groups" | "areas") && id.parse::<i64>().is_ok();
    ok.then(|| format!("/{kind}/{id}"))
}

/// The flash key for a refusal, for [`crate::web::redirect_with_flash`].
pub fn refusal_flash(r: Refusal) -> String {
    match r {
        Refusal::LastAdministrator => "refused_last_admin".into(),
        Refusal::NotOnYourself => "refused_self".into(),
        Refusal::UnitInUse(n) => format!("refused_in_use_{n}"),
        Refusal::TooManyAtOnce(n) => format!("refused_too_many_{n}"),
        Refusal::SelectionChanged => "refused_status".into(),
        Refusal::ImportStageDoesNotAllow => "refused_import_stage".into(),
        Refusal::ImportUndoneAlready => "refused_import_undone".into(),
        Refusal::ImportNothingToUndo => "refused_import_not_committed".into(),
        Refusal::ImportAboveYourRole => "refused_import_role".into(),
        Refusal::ImportOlderPage => "refused_import_older".into(),
        Refusal::StatusDoesNotAllow
        | Refusal::SetupDone
        | Refusal::LinkDead
        | Refusal::LinkUsed => "refused_status".into(),
    }
}

/// The page context for a visitor who is not signed in.
pub fn public_page(req: &HttpRequest, state: &AppState, nav: &'static str) -> Page {
    let settings = state.ctx.settings();
    let lang = request_lang(req, state);
    let t = lang.texts();
    Page {
        t,
        lang,
        csrf: csrf_token(
            &state.ctx.secrets().csrf_key,
            &seed_of(req),
            session_of(req).as_deref(),
        ),
        brand_version: settings.brand_colour.trim_start_matches('#').to_owned(),
        org_name: settings.organisation_name.clone(),
        logo_version: settings.logo_version.clone(),
        admin: None,
        flash: req
            .cookie(FLASH_COOKIE)
            .and_then(|c| flash_for(t, c.value())),
        nav,
        here: here(req),
        time_zone: settings.time_zone,
        person: None,
    }
}

/// A signed-in admin whose session is alive. Pages that take this are
/// unreachable without sign-in: the extractor answers with a redirect.
pub struct CurrentAdmin {
    pub admin: SignedInAdmin,
    pub session: String,
}

impl CurrentAdmin {
    pub fn actor(&self) -> Actor {
        Actor::admin(&self.admin)
    }

    pub fn page(&self, req: &HttpRequest, state: &AppState, nav: &'static str) -> Page {
        let mut p = public_page(req, state, nav);
        p.admin = Some(NavAdmin {
            name: self.admin.display_name.clone(),
            role: self.admin.role,
        });
        p
    }
}

impl FromRequest for CurrentAdmin {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            let next = if req.method() == actix_web::http::Method::GET {
                here(&req)
            } else {
                String::new()
            };
            let Some(plain) = session_of(&req) else {
                return Err(AppError::LoginRequired(next));
            };
            let admin = match auth::current_session(&state.ctx, &plain).await? {
                Some(auth::SessionHolder::Admin(admin)) => admin,
                // Signed in without admin access: his own page, not this one.
                Some(auth::SessionHolder::Person(_)) => return Err(AppError::Redirect("/me")),
                None => return Err(AppError::LoginRequired(next)),
            };
            if admin.must_change_password
                && req.path() != "/account/password"
                && req.path() != "/logout"
            {
                return Err(AppError::PasswordChangeRequired);
            }
            Ok(CurrentAdmin {
                admin,
                session: plain,
            })
        })
    }
}

/// Anyone signed in (a person without admin access, or an admin), for his
/// own pages under /me. A forced password change comes first.
pub struct SignedIn {
    pub id: crate::domain::UserId,
    pub display_name: String,
    pub username: String,
    pub must_change_password: bool,
    pub admin: Option<SignedInAdmin>,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        match &self.admin {
            Some(admin) => Actor::admin(admin),
            None => Actor::person(
                self.id,
                format!("{} ({})", self.display_name, self.username),
            ),
        }
    }

    pub fn page(&self, req: &HttpRequest, state: &AppState, nav: &'static str) -> Page {
        let mut p = public_page(req, state, nav);
        p.admin = self.admin.as_ref().map(|a| NavAdmin {
            name: a.display_name.clone(),
            role: a.role,
        });
        p.person = Some(self.display_name.clone());
        p
    }
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            let next = if req.method() == actix_web::http::Method::GET {
                here(&req)
            } else {
                String::new()
            };
            let Some(plain) = session_of(&req) else {
                return Err(AppError::LoginRequired(next));
            };
            let me = match auth::current_session(&state.ctx, &plain).await? {
                Some(auth::SessionHolder::Admin(a)) => SignedIn {
                    id: a.id,
                    display_name: a.display_name.clone(),
                    username: a.username.clone(),
                    must_change_password: a.must_change_password,
                    admin: Some(a),
                },
                Some(auth::SessionHolder::Person(p)) => SignedIn {
                    id: p.id,
                    display_name: p.display_name,
                    username: p.username,
                    must_change_password: p.must_change_password,
                    admin: None,
                },
                None => return Err(AppError::LoginRequired(next)),
            };
            if me.must_change_password && req.path() != "/me/password" && req.path() != "/logout" {
                return Err(AppError::Redirect("/me/password"));
            }
            Ok(me)
        })
    }
}

/// A form that carries nothing but its CSRF token (one-click actions).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A url-encoded form whose CSRF token has been checked. A handler cannot
/// get at the form data any other way, so no POST goes unchecked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let state = state_of(&req)?;
            // What a browser's form sends; another type (`text/plain` from
            // a crafted page, JSON) is no form, whatever its body holds.
            if let Some(kind) = req.headers().get(actix_web::http::header::CONTENT_TYPE) {
                let essence = kind
                    .to_str()
                    .ok()
                    .and_then(|v| v.split(';').next())
                    .map(|v| v.trim().to_ascii_lowercase());
                if essence.as_deref() != Some("application/x-www-form-urlencoded") {
                    return Err(AppError::UnsupportedMediaType(format!("{kind:?}")));
                }
            }
            let body = body
                .await
                .map_err(|e| AppError::BadRequest(format!("form body: {e}")))?;
            if body.len() > super::FORM_LIMIT {
                return Err(AppError::BadRequest("form too large".into()));
            }
            // Bytes that are no UTF-8 would reach the fields as U+FFFD.
            if !form_is_utf8(&body) {
                return Err(AppError::BadRequest("form is not UTF-8".into()));
            }
            let pairs: Vec<(String, String)> =
                serde_html_form::from_bytes(&body).unwrap_or_default();
            let token = pairs
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if !csrf_ok(&req, &state, token) {
                return Err(AppError::Csrf);
            }
            serde_html_form::from_bytes::<T>(&body)
                .map(CsrfForm)
                .map_err(|e| AppError::BadRequest(format!("form fields: {e}")))
        })
    }
}

/// Whether every key and value of a url-encoded body decodes to UTF-8.
fn form_is_utf8(body: &[u8]) -> bool {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    body.split(|b| *b == b'&').all(|pair| {
        let mut decoded = Vec::with_capacity(pair.len());
        let mut i = 0;
        while i < pair.len() {
            match pair[i] {
                b'%' if i + 2 < pair.len() => match (hex(pair[i + 1]), hex(pair[i + 2])) {
                    (Some(h), Some(l)) => {
                        decoded.push(h * 16 + l);
                        i += 3;
                        continue;
                    }
                    _ => decoded.push(b'%'),
                },
                b'+' => decoded.push(b' '),
                b => decoded.push(b),
            }
            i += 1;
        }
        std::str::from_utf8(&decoded).is_ok()
    })
}

/// A multipart form (file uploads) whose CSRF token has been checked. Text
/// fields and files are read into memory within hard limits; a file over the
/// limit is not read further and marked `oversized`.
pub struct CsrfMultipart {
    pub text: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

pub struct UploadedFile {
    pub field: String,
    /// The name the browser gave (not trusted: shown and stored cleaned).
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub oversized: bool,
}

const MAX_PARTS: usize = 16;
const MAX_TEXT_FIELD: usize = 4 * 1024;

impl CsrfMultipart {
    /// Takes the file sent in `field` out of the form.
    pub fn take_file(&mut self, field: &str) -> Option<UploadedFile> {
        let at = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.swap_remove(at))
    }
}

impl FromRequest for CsrfMultipart {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use futures_util::StreamExt;
        let req = req.clone();
        let mut multipart = actix_multipart::Multipart::new(req.headers(), payload.take());
        Box::pin(async move {
            let state = state_of(&req)?;
            let bad = |what: &str| AppError::BadRequest(format!("multipart: {what}"));
            let (mut text, mut files) = (Vec::new(), Vec::new());
            let mut parts = 0;
            while let Some(field) = multipart.next().await {
                // A part whose headers cannot be read: most often a file
                // name that is not UTF-8 or holds a control character.
                let mut field =
                    field.map_err(|e| AppError::BadUpload(format!("multipart part: {e}")))?;
                parts += 1;
                if parts > MAX_PARTS {
                    return Err(bad("too many parts"));
                }
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(str::to_owned);
                let is_file = file_name.is_some();
                // Spreadsheets for the import have their own (configured)
                // limit; every other upload is a photo.
                let file_limit =
                    if req.path() == "/imports" || req.path() == "/registration/imports" {
                        usize::try_from(state.ctx.config().import.max_bytes()).unwrap_or(usize::MAX)
                    } else {
                        crate::domain::photo::MAX_UPLOAD_BYTES
                    };
                let limit = if is_file { file_limit } else { MAX_TEXT_FIELD };
                let mut bytes = Vec::new();
                let mut oversized = false;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| bad(&e.to_string()))?;
                    if bytes.len() + chunk.len() > limit {
                        oversized = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if is_file {
                    files.push(UploadedFile {
                        field: name,
                        file_name: file_name.unwrap_or_default(),
                        bytes,
                        oversized,
                    });
                    if oversized {
                        break;
                    }
                } else if oversized {
                    return Err(bad("text field too long"));
                } else {
                    text.push((
                        name,
                        String::from_utf8(bytes).map_err(|_| bad("text is not UTF-8"))?,
                    ));
                }
            }
            let token = text
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if !csrf_ok(&req, &state, token) {
                return Err(AppError::Csrf);
            }
            Ok(CsrfMultipart { text, files })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_must_be_utf8() {
        assert!(form_is_utf8(b"a=%C3%BC&b=x+y&c="));
        assert!(form_is_utf8(b"a=100%"));
        assert!(!form_is_utf8(b"first_name=%FF%FEx"));
        assert!(!form_is_utf8(b"a=\xff"));
    }

    #[test]
    fn csrf_tokens_depend_on_key_seed_and_session() {
        let t = csrf_token(b"key-one", "seed", Some("session-a"));
        assert!(csrf_matches(b"key-one", "seed", Some("session-a"), &t));
        assert!(!csrf_matches(b"key-two", "seed", Some("session-a"), &t));
        assert!(!csrf_matches(b"key-one", "other", Some("session-a"), &t));
        assert!(!csrf_matches(b"key-one", "seed", Some("session-b"), &t));
        assert!(!csrf_matches(b"key-one", "seed", None, &t));
        assert!(!csrf_matches(b"key-one", "seed", Some("session-a"), ""));
        assert!(!csrf_matches(b"key-one", "seed", Some("session-a"), "zz"));
        let anonymous = csrf_token(b"key-one", "seed", None);
        assert!(csrf_matches(b"key-one", "seed", None, &anonymous));
    }
}

/// A query string as a struct, like `web::Query`, except that a key given
/// more than once counts once, with its first value: `?q=a&q=b` searches
/// for `a` and `?status=a&status=b` filters by `a`, as a link or a form
/// would have sent, instead of refusing the request (a filter value that
/// means nothing is ignored, not an error).
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = first_of_each_key(req.query_string());
        std::future::ready(
            web::Query::<T>::from_query(&query)
                .map(|q| Query(q.into_inner()))
                .map_err(Into::into),
        )
    }
}

/// The query string with each key's first value only (keys compared
/// decoded: `q` and `%71` are one key).
fn first_of_each_key(query: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if seen.insert(key.clone()) {
            out.append_pair(&key, &value);
        }
    }
    out.finish()
}

#[cfg(test)]
mod query_tests {
    use super::first_of_each_key;

    #[test]
    fn a_key_given_twice_counts_once_with_its_first_value() {
        assert_eq!(first_of_each_key("q=a&q=b&page=2"), "q=a&page=2");
        assert_eq!(first_of_each_key("%71=a+b&q=c"), "q=a+b");
        assert_eq!(
            first_of_each_key("q=%C3%BC%26x&status="),
            "q=%C3%BC%26x&status="
        );
        assert_eq!(first_of_each_key(""), "");
    }
}
