//! Mail texts as data: per kind of message and language a subject and a
//! body with placeholders (`{{Vorname}}`, `{{link}}`, …), the shipped
//! defaults, the check an edited text must pass, and rendering into the
//! plain-text part and the branded HTML frame.
//!
//! Everything in a template is plain text: the admin's words and the
//! person's data are escaped alike in HTML, and nothing of either can reach
//! a header (the subject is one line; control characters are refused at
//! save and removed from values). A placeholder is `{{name}}`, the name
//! matched without regard to case or surrounding spaces.

use std::collections::HashMap;

use super::Language;
use super::mail::{LINK_MARK, MailKind};

/// What a template may put in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placeholder {
    Link,
    Anrede,
    Vorname,
    Nachname,
    Benutzername,
    Ablaufdatum,
    Organisation,
    App,
    AppUrl,
    Grund,
}

impl Placeholder {
    pub const ALL: [Placeholder; 10] = [
        Placeholder::Link,
        Placeholder::Anrede,
        Placeholder::Vorname,
        Placeholder::Nachname,
        Placeholder::Benutzername,
        Placeholder::Ablaufdatum,
        Placeholder::Organisation,
        Placeholder::App,
        Placeholder::AppUrl,
        Placeholder::Grund,
    ];

    /// The name between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Link => "link",
            Placeholder::Anrede => "Anrede",
            Placeholder::Vorname => "Vorname",
            Placeholder::Nachname => "Nachname",
            Placeholder::Benutzername => "Benutzername",
            Placeholder::Ablaufdatum => "Ablaufdatum",
            Placeholder::Organisation => "Organisation",
            Placeholder::App => "App",
            Placeholder::AppUrl => "App-URL",
            Placeholder::Grund => "Grund",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// `{{name}}`, as the editor shows it.
    pub fn token(self) -> String {
        format!("{{{{{}}}}}", self.name())
    }
}

/// The kinds whose texts the admins edit, in the order the page lists them.
pub const EDITABLE: [MailKind; 6] = [
    MailKind::Invitation,
    MailKind::Reminder,
    MailKind::PasswordReset,
    MailKind::EmailConfirmation,
    MailKind::AccessApproved,
    MailKind::AccessRejected,
];

impl MailKind {
    /// Whether its message carries a one-time link (its template must too).
    pub fn carries_link(self) -> bool {
        matches!(
            self,
            MailKind::Invitation
                | MailKind::Reminder
                | MailKind::PasswordReset
                | MailKind::EmailConfirmation
        )
    }

    /// The placeholders its template may use.
    pub fn placeholders(self) -> &'static [Placeholder] {
        use Placeholder::*;
        match self {
            MailKind::Invitation | MailKind::Reminder => &[
                Link,
                Anrede,
                Vorname,
                Nachname,
                Benutzername,
                Ablaufdatum,
                Organisation,
                App,
                AppUrl,
            ],
            MailKind::PasswordReset | MailKind::EmailConfirmation => &[
                Link,
                Anrede,
                Vorname,
                Nachname,
                Benutzername,
                Ablaufdatum,
                Organisation,
            ],
            MailKind::AccessApproved => &[
                Anrede,
                Vorname,
                Nachname,
                Benutzername,
                Organisation,
                App,
                AppUrl,
            ],
            MailKind::AccessRejected => &[Anrede, Vorname, Nachname, Organisation, Grund],
            MailKind::Test => &[Organisation],
        }
    }

    pub fn is_editable(self) -> bool {
        EDITABLE.contains(&self)
    }
}

/// A subject and a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub body: String,
}

/// The text Einlass ships for a kind and language.
pub fn shipped(kind: MailKind, lang: Language) -> MailText {
    let (subject, body) = shipped_str(kind, lang);
    MailText {
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

fn shipped_str(kind: MailKind, lang: Language) -> (&'static str, &'static str) {
    use Language::*;
    use MailKind::*;
    match (kind, lang) {
        (Invitation, De) => (
            "Ihre Einladung: {{Organisation}}",
            "{{Anrede}}\n\n{{Organisation}} lädt Sie ein. Öffnen Sie den folgenden Link, legen Sie Ihr Passwort fest, und Ihr Zugang ist bereit:\n\n{{link}}\n\nDer Link gilt bis {{Ablaufdatum}} und nur einmal. Ihr Benutzername: {{Benutzername}}\n\nWenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.",
        ),
        (Invitation, En) => (
            "Your invitation: {{Organisation}}",
            "{{Anrede}}\n\n{{Organisation}} invites you. Open the following link, choose your password, and your access is ready:\n\n{{link}}\n\nThe link is valid until {{Ablaufdatum}} and works once. Your username: {{Benutzername}}\n\nIf you did not expect this invitation, you can ignore this email.",
        ),
        (Reminder, De) => (
            "Erinnerung: Ihre Einladung zu {{Organisation}} läuft bald ab",
            "{{Anrede}}\n\nSie haben Ihren Zugang zu {{Organisation}} noch nicht eingerichtet. Mit diesem Link legen Sie Ihr Passwort fest:\n\n{{link}}\n\nDer Link gilt bis {{Ablaufdatum}} und nur einmal; frühere Links aus unseren E-Mails gelten nicht mehr. Ihr Benutzername: {{Benutzername}}",
        ),
        (Reminder, En) => (
            "Reminder: your invitation to {{Organisation}} expires soon",
            "{{Anrede}}\n\nyou have not set up your access to {{Organisation}} yet. Use this link to choose your password:\n\n{{link}}\n\nThe link is valid until {{Ablaufdatum}} and works once; earlier links from our emails no longer work. Your username: {{Benutzername}}",
        ),
        (PasswordReset, De) => (
            "Neues Passwort für {{Organisation}}",
            "{{Anrede}}\n\njemand hat für Ihr Konto ein neues Passwort angefordert. Mit diesem Link legen Sie es fest:\n\n{{link}}\n\nDer Link gilt bis {{Ablaufdatum}} und nur einmal. Wenn Sie kein neues Passwort angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.",
        ),
        (PasswordReset, En) => (
            "New password for {{Organisation}}",
            "{{Anrede}}\n\nsomeone asked for a new password for your account. Use this link to choose it:\n\n{{link}}\n\nThe link is valid until {{Ablaufdatum}} and works once. If you did not ask for a new password, ignore this email: your password stays as it is.",
        ),
        (EmailConfirmation, De) => (
            "Bitte bestätigen Sie Ihre E-Mail-Adresse",
            "{{Anrede}}\n\nbitte bestätigen Sie, dass diese Adresse zu Ihrem Konto bei {{Organisation}} gehört:\n\n{{link}}\n\nDer Link gilt bis {{Ablaufdatum}}. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail.",
        ),
        (EmailConfirmation, En) => (
            "Please confirm your email address",
            "{{Anrede}}\n\nplease confirm that this address belongs to your account at {{Organisation}}:\n\n{{link}}\n\nThe link is valid until {{Ablaufdatum}}. If this was not you, ignore this email.",
        ),
        (AccessApproved, De) => (
            "Ihr Zugang zu {{Organisation}} ist freigeschaltet",
            "{{Anrede}}\n\nIhre Anfrage wurde genehmigt: Ihr Zugang zu {{Organisation}} ist jetzt freigeschaltet. Sie melden sich mit Ihrem Benutzernamen {{Benutzername}} und Ihrem Passwort an.\n\n{{App}} {{App-URL}}",
        ),
        (AccessApproved, En) => (
            "Your access to {{Organisation}} is ready",
            "{{Anrede}}\n\nyour request was approved: your access to {{Organisation}} is ready. Sign in with your username {{Benutzername}} and your password.\n\n{{App}} {{App-URL}}",
        ),
        (AccessRejected, De) => (
            "Ihre Zugangsanfrage bei {{Organisation}}",
            "{{Anrede}}\n\nIhre Anfrage für einen Zugang zu {{Organisation}} wurde leider abgelehnt.\n\n{{Grund}}\n\nBei Fragen wenden Sie sich bitte an Ihre Ansprechperson in der Organisation.",
        ),
        (AccessRejected, En) => (
            "Your access request at {{Organisation}}",
            "{{Anrede}}\n\nyour request for access to {{Organisation}} was declined.\n\n{{Grund}}\n\nIf you have questions, please ask your contact at the organisation.",
        ),
        (Test, De) => (
            "Test-E-Mail von Einlass ({{Organisation}})",
            "Diese E-Mail kommt von Einlass. Wenn sie angekommen ist, funktioniert der Versand.",
        ),
        (Test, En) => (
            "Test email from Einlass ({{Organisation}})",
            "This email comes from Einlass. If it arrived, sending works.",
        ),
    }
}

/// The label of the button that stands for the link in the HTML part.
pub fn button_label(kind: MailKind, lang: Language) -> &'static str {
    use Language::*;
    use MailKind::*;
    match (kind, lang) {
        (Invitation | Reminder, De) => "Zugang einrichten",
        (Invitation | Reminder, En) => "Set up my access",
        (PasswordReset, De) => "Neues Passwort festlegen",
        (PasswordReset, En) => "Choose a new password",
        (EmailConfirmation, De) => "E-Mail-Adresse bestätigen",
        (EmailConfirmation, En) => "Confirm email address",
        (_, De) => "Link öffnen",
        (_, En) => "Open link",
    }
}

/// The edited texts (kinds without an entry use [`shipped`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MailTexts(HashMap<(MailKind, Language), MailText>);

impl MailTexts {
    pub fn new(edited: impl IntoIterator<Item = (MailKind, Language, MailText)>) -> Self {
        Self(edited.into_iter().map(|(k, l, t)| ((k, l), t)).collect())
    }

    /// The text in use for a kind and language.
    pub fn get(&self, kind: MailKind, lang: Language) -> MailText {
        self.0
            .get(&(kind, lang))
            .cloned()
            .unwrap_or_else(|| shipped(kind, lang))
    }

    pub fn is_edited(&self, kind: MailKind, lang: Language) -> bool {
        self.0.contains_key(&(kind, lang))
    }
}

/// One template as the overview lists it.
#[derive(Clone, Debug)]
pub struct TemplateSummary {
    pub kind: MailKind,
    pub language: Language,
    pub subject: String,
    /// Edited (not the shipped text): when and by whom.
    pub edited: Option<(time::PrimitiveDateTime, String)>,
}

/// Why an edited subject or body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    Required,
    TooLong(usize),
    /// A control character (or, in the subject, a line break).
    ControlCharacters,
    /// `{{` without its `}}`.
    Unclosed,
    /// A placeholder this kind does not know (its name as written).
    Unknown(String),
    /// A kind that carries a link needs `{{link}}` in its body.
    LinkMissing,
    /// The link belongs in the body, not in the subject.
    LinkInSubject,
    /// `=?` in the subject (the start of a MIME encoded word).
    EncodedWord,
}

/// Characters that change how text around them shows without being seen:
/// line and paragraph separators, bidirectional overrides, zero-width ones.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The errors of an edited template, per field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateErrors {
    pub subject: Option<TemplateError>,
    pub body: Option<TemplateError>,
}

impl TemplateErrors {
    pub fn is_empty(&self) -> bool {
        self.subject.is_none() && self.body.is_none()
    }
}

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;

/// Checks an edited template of `kind` and returns it normalised (line
/// breaks as `\n`, tabs as spaces, the subject and the ends trimmed).
pub fn check(kind: MailKind, subject: &str, body: &str) -> Result<MailText, TemplateErrors> {
    let subject = subject.trim().to_owned();
    let body = body
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ")
        .trim()
        .to_owned();
    let mut errors = TemplateErrors::default();
    let allowed = kind.placeholders();
    fn field<'t>(
        text: &'t str,
        max: usize,
        line_breaks: bool,
        allowed: &[Placeholder],
    ) -> Result<Vec<Piece<'t>>, TemplateError> {
        if text.is_empty() {
            return Err(TemplateError::Required);
        }
        if text.chars().count() > max {
            return Err(TemplateError::TooLong(max));
        }
        if text
            .chars()
            .any(|c| (c.is_control() && !(line_breaks && c == '\n')) || invisible(c))
            || text.contains(LINK_MARK)
        {
            return Err(TemplateError::ControlCharacters);
        }
        // An encoded word ("=?utf-8?b?…?=") would be decoded by mail
        // programs into text nobody sees here.
        if !line_breaks && text.contains("=?") {
            return Err(TemplateError::EncodedWord);
        }
        let pieces = pieces(text)?;
        for p in &pieces {
            if let Piece::Unknown(name) = p {
                return Err(TemplateError::Unknown((*name).to_owned()));
            }
            if let Piece::Var(v) = p
                && !allowed.contains(v)
            {
                return Err(TemplateError::Unknown(v.name().to_owned()));
            }
        }
        Ok(pieces)
    }
    match field(&subject, SUBJECT_MAX, false, allowed) {
        Ok(p) if p.contains(&Piece::Var(Placeholder::Link)) => {
            errors.subject = Some(TemplateError::LinkInSubject)
        }
        Ok(_) => {}
        Err(e) => errors.subject = Some(e),
    }
    match field(&body, BODY_MAX, true, allowed) {
        Ok(p) if kind.carries_link() && !p.contains(&Piece::Var(Placeholder::Link)) => {
            errors.body = Some(TemplateError::LinkMissing)
        }
        Ok(_) => {}
        Err(e) => errors.body = Some(e),
    }
    if errors.is_empty() {
        Ok(MailText { subject, body })
    } else {
        Err(errors)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Var(Placeholder),
    /// `{{…}}` naming no placeholder (refused at save; kept as text when
    /// a stored template has one).
    Unknown(&'a str),
}

/// Splits a template into text and placeholders.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let Some(len) = after.find("}}") else {
            return Err(TemplateError::Unclosed);
        };
        let inner = &after[..len];
        if inner.contains("{{") || inner.contains('\n') {
            return Err(TemplateError::Unclosed);
        }
        out.push(match Placeholder::parse(inner) {
            Some(p) => Piece::Var(p),
            None => Piece::Unknown(inner.trim()),
        });
        rest = &after[len + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// The values a message's text is made of.
#[derive(Clone, Debug, Default)]
pub struct MailVars {
    pub salutation_line: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub organisation: String,
    /// The link's expiry as the reader's language writes dates ("" if none).
    pub expires: String,
    pub app_name: String,
    pub app_url: String,
    /// Why an access request was declined ("" if no reason was given).
    pub reason: String,
}

impl MailVars {
    fn value(&self, p: Placeholder) -> &str {
        match p {
            Placeholder::Link => LINK_MARK,
            Placeholder::Anrede => &self.salutation_line,
            Placeholder::Vorname => &self.first_name,
            Placeholder::Nachname => &self.last_name,
            Placeholder::Benutzername => &self.username,
            Placeholder::Ablaufdatum => &self.expires,
            Placeholder::Organisation => &self.organisation,
            Placeholder::App => &self.app_name,
            Placeholder::AppUrl => &self.app_url,
            Placeholder::Grund => &self.reason,
        }
    }

    /// Sample values for the preview.
    pub fn sample(lang: Language, organisation: &str, app_name: &str, app_url: &str) -> Self {
        let de = lang == Language::De;
        Self {
            salutation_line: if de {
                "Guten Tag Frau Beispiel,".into()
            } else {
                "Hello Erika Beispiel,".into()
            },
            first_name: "Erika".into(),
            last_name: "Beispiel".into(),
            username: "erika.beispiel".into(),
            organisation: organisation.into(),
            expires: if de {
                "15.01.2027 09:00".into()
            } else {
                "15/01/2027 09:00".into()
            },
            app_name: app_name.into(),
            app_url: app_url.into(),
            reason: if de {
                "Wir konnten Sie keiner Abteilung zuordnen.".into()
            } else {
                "We could not match you to a department.".into()
            },
        }
    }
}

/// A message as it is stored: subject, text and HTML, the link as [`LINK_MARK`].
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The frame's look: the organisation's name and its readable colour.
pub struct Frame<'a> {
    pub organisation: &'a str,
    pub colour: &'a str,
    pub footer: &'a str,
}

/// Removes what must never reach a header or a line of its own.
pub fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pieces of a stored text; one that no longer parses (it cannot be
/// saved so) is shown as it is.
fn stored_pieces(text: &str) -> Vec<Piece<'_>> {
    pieces(text).unwrap_or_else(|_| vec![Piece::Text(text)])
}

/// Plain text with the values put in (the link as [`LINK_MARK`]).
fn fill_text(pieces: &[Piece<'_>], vars: &MailVars) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(Placeholder::Link) => out.push_str(LINK_MARK),
            Piece::Var(v) => out.push_str(&one_line(vars.value(*v))),
            Piece::Unknown(name) => {
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            }
        }
    }
    out
}

/// Renders `text` for a message of `kind` in `lang`: the subject on one
/// line, the text part, and the HTML part in the branded frame.
pub fn render(
    kind: MailKind,
    lang: Language,
    text: &MailText,
    vars: &MailVars,
    frame: &Frame<'_>,
) -> Rendered {
    let subject_pieces: Vec<Piece<'_>> = stored_pieces(&text.subject)
        .into_iter()
        .filter(|p| *p != Piece::Var(Placeholder::Link))
        .collect();
    let subject = one_line(&fill_text(&subject_pieces, vars));
    let body = text.body.replace("\r\n", "\n");
    let plain = format!(
        "{}\n\n-- \n{}\n",
        fill_text(&stored_pieces(&body), vars).trim_end(),
        one_line(frame.organisation)
    );
    let colour = escape_html(frame.colour);
    let mut paragraphs = String::new();
    for para in body.split("\n\n") {
        let pieces = stored_pieces(para.trim());
        let only_link = !pieces.is_empty()
            && pieces.iter().all(|p| match p {
                Piece::Var(Placeholder::Link) => true,
                Piece::Text(t) => t.trim().is_empty(),
                _ => false,
            });
        if only_link {
            paragraphs.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{LINK_MARK}\" style=\"display:inline-block;background:{colour};color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:bold\">{b}</a></p>\
                 <p style=\"font-size:13px;color:#555555;word-break:break-all\">{LINK_MARK}</p>",
                b = escape_html(button_label(kind, lang)),
            ));
            continue;
        }
        let mut html = String::new();
        for p in &pieces {
            match p {
                Piece::Text(t) => html.push_str(&escape_html(t)),
                Piece::Var(Placeholder::Link) => html.push_str(&format!(
                    "<a href=\"{LINK_MARK}\" style=\"color:{colour};word-break:break-all\">{LINK_MARK}</a>"
                )),
                Piece::Var(v) => html.push_str(&escape_html(&one_line(vars.value(*v)))),
                Piece::Unknown(name) => html.push_str(&escape_html(&format!("{{{{{name}}}}}"))),
            }
        }
        // A paragraph that is empty once filled (an optional value left
        // blank) leaves no gap.
        if html.trim().is_empty() {
            continue;
        }
        paragraphs.push_str(&format!(
            "<p style=\"margin:0 0 16px\">{}</p>",
            html.trim().replace('\n', "<br>")
        ));
    }
    let org = escape_html(&one_line(frame.organisation));
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
         <body style=\"margin:0;padding:0;background:#f4f4f5\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f4f5\"><tr><td align=\"center\" style=\"padding:24px 12px\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:560px;background:#ffffff;border-radius:8px;border-top:6px solid {colour};font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2328\">\
         <tr><td style=\"padding:20px 24px 0;font-size:18px;font-weight:bold\">{org}</td></tr>\
         <tr><td style=\"padding:16px 24px 8px\">{paragraphs}</td></tr>\
         <tr><td style=\"padding:12px 24px 20px;font-size:12px;color:#6b7280;border-top:1px solid #e5e7eb\">{footer}</td></tr>\
         </table></td></tr></table></body></html>",
        lang = lang.code(),
        title = escape_html(&subject),
        footer = escape_html(frame.footer),
    );
    Rendered {
        subject,
        text: plain,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(first: &str) -> MailVars {
        MailVars {
            salutation_line: format!("Guten Tag {first} Müller,"),
            first_name: first.into(),
            last_name: "Müller".into(),
            username: "anna.mueller".into(),
            organisation: "Werk <Nord> & Co".into(),
            expires: "15.12.2026 10:00".into(),
            ..Default::default()
        }
    }

    fn frame() -> Frame<'static> {
        Frame {
            organisation: "Werk <Nord> & Co",
            colour: "#0b5cad",
            footer: "Gesendet von Einlass",
        }
    }

    fn render_shipped(kind: MailKind, lang: Language, v: &MailVars) -> Rendered {
        render(kind, lang, &shipped(kind, lang), v, &frame())
    }

    #[test]
    fn an_invitation_has_its_link_in_both_parts_and_user_data_escaped() {
        let r = render_shipped(MailKind::Invitation, Language::De, &vars("Anna"));
        assert_eq!(r.subject, "Ihre Einladung: Werk <Nord> & Co");
        assert!(r.text.contains(LINK_MARK));
        assert!(r.text.contains("anna.mueller"));
        assert!(r.html.contains(&format!("href=\"{LINK_MARK}\"")));
        assert!(r.html.contains("Werk &lt;Nord&gt; &amp; Co"));
        assert!(!r.html.contains("<Nord>"));
        assert!(r.html.contains("15.12.2026 10:00"));
    }

    #[test]
    fn markup_and_line_breaks_in_names_go_nowhere() {
        let r = render_shipped(
            MailKind::Invitation,
            Language::En,
            &vars("<b>x</b>\r\nBcc: evil@example.com"),
        );
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
        assert!(!r.html.contains("<b>x</b>"));
        assert!(!r.text.contains("\r\nBcc"));
    }

    #[test]
    fn every_shipped_text_passes_its_own_check_and_renders() {
        for kind in MailKind::ALL {
            for lang in Language::ALL {
                let t = shipped(kind, lang);
                if kind.is_editable() {
                    assert_eq!(check(kind, &t.subject, &t.body), Ok(t.clone()), "{kind:?}");
                }
                let r = render_shipped(kind, lang, &vars("Anna"));
                assert!(
                    !r.subject.is_empty() && !r.subject.contains("{{"),
                    "{kind:?}"
                );
                assert!(!r.text.contains("{{") && !r.html.contains("{{"), "{kind:?}");
                assert_eq!(r.text.contains(LINK_MARK), kind.carries_link(), "{kind:?}");
            }
        }
    }

    #[test]
    fn a_template_needs_its_link_and_known_placeholders() {
        let k = MailKind::Invitation;
        let e = check(k, "Hallo", "Ohne Link").unwrap_err();
        assert_eq!(e.body, Some(TemplateError::LinkMissing));
        let e = check(k, "Hallo {{Spitzname}}", "{{link}}").unwrap_err();
        assert_eq!(e.subject, Some(TemplateError::Unknown("Spitzname".into())));
        let e = check(k, "Hallo", "{{link}} {{Grund}}").unwrap_err();
        assert_eq!(e.body, Some(TemplateError::Unknown("Grund".into())));
        let e = check(k, "Hallo {{link}}", "{{link}}").unwrap_err();
        assert_eq!(e.subject, Some(TemplateError::LinkInSubject));
        let e = check(k, "Hallo", "{{link}} {{Vorname").unwrap_err();
        assert_eq!(e.body, Some(TemplateError::Unclosed));
        let e = check(k, "Hal\u{0}lo", "{{link}}").unwrap_err();
        assert_eq!(e.subject, Some(TemplateError::ControlCharacters));
        let e = check(k, "Hallo \u{202e}dlrow", "{{link}}\u{2028}x").unwrap_err();
        assert_eq!(e.subject, Some(TemplateError::ControlCharacters));
        assert_eq!(e.body, Some(TemplateError::ControlCharacters));
        let e = check(k, "=?utf-8?b?QmNjOiBldmlsQHguY29t?=", "{{link}}").unwrap_err();
        assert_eq!(e.subject, Some(TemplateError::EncodedWord));
        let e = check(k, "", &"x".repeat(BODY_MAX + 1)).unwrap_err();
        assert_eq!(e.subject, Some(TemplateError::Required));
        assert_eq!(e.body, Some(TemplateError::TooLong(BODY_MAX)));
        // Case and spaces do not matter; CR LF becomes LF.
        let ok = check(k, " Hallo {{ vorname }} ", "Hi\r\n\r\n{{LINK}}").unwrap();
        assert_eq!(ok.subject, "Hallo {{ vorname }}");
        assert_eq!(ok.body, "Hi\n\n{{LINK}}");
        // Kinds without a link need none.
        assert!(check(MailKind::AccessRejected, "Nein", "Leider {{Grund}}").is_ok());
    }

    #[test]
    fn an_admins_markup_is_text_and_an_inline_link_is_a_link() {
        let t = check(
            MailKind::Invitation,
            "<b>Willkommen</b> {{Vorname}}",
            "<script>alert(1)</script>\nHier: {{link}} bis {{Ablaufdatum}}",
        )
        .unwrap();
        let r = render(
            MailKind::Invitation,
            Language::De,
            &t,
            &vars("<i>A</i>"),
            &frame(),
        );
        assert_eq!(r.subject, "<b>Willkommen</b> <i>A</i>");
        assert!(!r.html.contains("<script>") && r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<i>A</i>"));
        assert!(r.html.contains(&format!("<a href=\"{LINK_MARK}\"")));
        assert!(
            r.text
                .contains(&format!("Hier: {LINK_MARK} bis 15.12.2026 10:00"))
        );
    }

    #[test]
    fn an_empty_optional_value_leaves_no_empty_paragraph() {
        let mut v = vars("Anna");
        v.reason = String::new();
        let r = render_shipped(MailKind::AccessRejected, Language::De, &v);
        assert!(!r.html.contains("<p style=\"margin:0 0 16px\"></p>"));
    }
}
