//! How mail leaves the instance: through SMTP (lettre, pooled connections),
//! or, with no SMTP server configured, into the in-app mailbox (the message
//! stays in the database and an admin reads it under Postfach). Builds the
//! MIME message from a stored copy and classifies the server's answer.
//!
//! Headers never carry user data as raw text: addresses are lettre's typed
//! `Address`es (parsed, so no CR/LF), display names and the subject are
//! made single-line before they reach lettre, which encodes them.

use std::time::{Duration, SystemTime};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;
use crate::domain::mail::{Attempt, FailureKind, classify_code};

/// The way out, chosen at start from the configuration.
#[derive(Clone)]
pub enum Mailer {
    Smtp(Box<SmtpMailer>),
    /// No SMTP server: the worker marks messages delivered to the in-app mailbox.
    Local,
}

#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// "host:port (security)", for messages; never the password.
    pub describe: String,
    pool_size: u32,
}

/// A message ready to be built: what the stored copy and the settings give.
pub struct Outgoing<'a> {
    pub message_id: String,
    pub from: &'a Address,
    pub from_name: &'a str,
    pub to: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("EINLASS_SMTP_SECURITY must be starttls, tls or none (got {0:?})")]
    Security(String),
    #[error("EINLASS_SMTP_HOST {0:?} is not a host name")]
    Host(String),
    #[error("EINLASS_SMTP_USER and EINLASS_SMTP_PASSWORD go together: set both or neither")]
    Credentials,
    #[error("EINLASS_SMTP_POOL_SIZE must be between 1 and 64")]
    PoolSize,
    #[error("EINLASS_MAIL_FROM {0:?} is not an email address")]
    From(String),
}

impl Mailer {
    pub fn from_config(config: &MailConfig) -> Result<Self, MailerError> {
        let Some(host) = config
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(Mailer::Local);
        };
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(MailerError::Host(host.to_owned()));
        }
        if !(1..=64).contains(&config.smtp_pool_size) {
            return Err(MailerError::PoolSize);
        }
        let security = config.smtp_security.trim().to_ascii_lowercase();
        let tls_params =
            || TlsParameters::new(host.to_owned()).map_err(|_| MailerError::Host(host.to_owned()));
        let (tls, default_port) = match security.as_str() {
            "starttls" => (Tls::Required(tls_params()?), 587),
            "tls" | "smtps" => (Tls::Wrapper(tls_params()?), 465),
            "none" => (Tls::None, 25),
            other => return Err(MailerError::Security(other.to_owned())),
        };
        let port = config.smtp_port.unwrap_or(default_port);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(config.smtp_timeout_secs.max(1))))
            .pool_config(PoolConfig::new().max_size(config.smtp_pool_size));
        match (&config.smtp_user, &config.smtp_password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => return Err(MailerError::Credentials),
        }
        Ok(Mailer::Smtp(Box::new(SmtpMailer {
            transport: builder.build(),
            describe: format!("{host}:{port} ({security})"),
            pool_size: config.smtp_pool_size,
        })))
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Mailer::Local)
    }

    /// How many messages may be on their way at once.
    pub fn concurrency(&self) -> usize {
        match self {
            Mailer::Smtp(s) => s.pool_size as usize,
            Mailer::Local => 1,
        }
    }
}

/// The sender address: EINLASS_MAIL_FROM, else einlass@ the public host.
pub fn sender_address(config: &MailConfig, public_base_url: &str) -> Result<Address, MailerError> {
    let text = match &config.mail_from {
        Some(from) => from.trim().to_owned(),
        None => {
            let host = url::Url::parse(public_base_url)
                .ok()
                .and_then(|u| u.host().map(|h| h.to_owned()));
            let host = match host {
                Some(url::Host::Domain(d)) if d.contains('.') => d,
                Some(url::Host::Domain(d)) => format!("{d}.localdomain"),
                Some(url::Host::Ipv4(ip)) => ip.to_string(),
                // No domain to name (an IPv6 address, `[::]` when bound to
                // all of them): a sender address must still parse.
                Some(url::Host::Ipv6(_)) | None => "localhost.localdomain".into(),
            };
            format!("einlass@{host}")
        }
    };
    text.parse::<Address>()
        .map_err(|_| MailerError::From(text.clone()))
}

/// An address as it goes on the wire: a domain in its own letters
/// (`info@bäckerei.de`, how Einlass keeps it) in its ASCII form
/// (`info@xn--bckerei-5wa.de`), which every mail server takes; a local
/// part with umlauts stays as it is (only servers with SMTPUTF8 take it).
fn deliverable(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) if !domain.is_ascii() => match idna::domain_to_ascii(domain) {
            Ok(ascii) => format!("{local}@{ascii}"),
            Err(_) => address.to_owned(),
        },
        _ => address.to_owned(),
    }
}

/// Single-line, bounded header text.
fn header_text(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Builds the MIME message: text and HTML alternatives, Message-ID, Date.
/// An address that does not parse is a permanent failure of that message.
pub fn build_message(out: &Outgoing<'_>) -> Result<Message, Attempt> {
    let to: Address = deliverable(out.to).parse().map_err(|_| {
        Attempt::Permanent(
            FailureKind::Rejected,
            format!("invalid recipient address {:?}", header_text(out.to)),
        )
    })?;
    let from = Mailbox::new(
        Some(header_text(out.from_name)).filter(|n| !n.is_empty()),
        out.from.clone(),
    );
    let to = Mailbox::new(Some(header_text(out.to_name)).filter(|n| !n.is_empty()), to);
    Message::builder()
        .from(from)
        .to(to)
        .subject(header_text(out.subject))
        .message_id(Some(out.message_id.clone()))
        .date(SystemTime::now())
        .multipart(MultiPart::alternative_plain_html(
            out.text.clone(),
            out.html.clone(),
        ))
        .map_err(|e| Attempt::Permanent(FailureKind::Rejected, format!("message: {e}")))
}

/// The plain text of a built message, for tests and the test command.
pub fn formatted(message: &Message) -> Vec<u8> {
    message.formatted()
}

impl SmtpMailer {
    pub async fn send(&self, message: Message) -> Attempt {
        match self.transport.send(message).await {
            Ok(response) => {
                let answer = response_text(response.code().into(), response.message());
                classify_code(response.code().into(), answer)
            }
            Err(e) => classify_error(&e),
        }
    }
}

fn response_text<'a>(code: u16, lines: impl Iterator<Item = &'a str>) -> String {
    let text: Vec<&str> = lines.collect();
    header_text(&format!("{code} {}", text.join(" ")))
}

/// An error of lettre as an attempt: the server's reply code where there is
/// one, TLS and certificate trouble as a configuration failure, everything
/// else on the connection (refused, reset, timeout) as temporary.
fn classify_error(e: &lettre::transport::smtp::Error) -> Attempt {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        // lettre names the server's text in its own message and again as
        // the source: keep it once.
        let text = s.to_string();
        if !chain.contains(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = s.source();
    }
    let chain = header_text(&chain);
    if let Some(code) = e.status() {
        return classify_code(code.into(), chain);
    }
    let lower = chain.to_lowercase();
    if e.is_tls() || lower.contains("certificate") || lower.contains("handshake") {
        return Attempt::Permanent(FailureKind::Tls, chain);
    }
    if lower.contains("authentication") || lower.contains("mechanism") {
        return Attempt::Permanent(FailureKind::Auth, chain);
    }
    Attempt::Transient(format!("no connection: {chain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Address {
        "einlass@example.com".parse().expect("address")
    }

    #[test]
    fn user_data_cannot_add_headers() {
        let from = sender();
        let out = Outgoing {
            message_id: "<m1@example.com>".into(),
            from: &from,
            from_name: "Werk\r\nBcc: evil@example.com",
            to: "anna@example.com",
            to_name: "Anna\r\nBcc: evil@example.com",
            subject: "Hallo\r\nBcc: evil@example.com\nX-Evil: 1",
            text: "Text".into(),
            html: "<p>HTML</p>".into(),
        };
        let raw =
            String::from_utf8(formatted(&build_message(&out).expect("builds"))).expect("utf-8");
        let headers = raw.split("\r\n\r\n").next().unwrap_or_default();
        for line in headers.lines() {
            assert!(
                !line.to_lowercase().starts_with("bcc:") && !line.starts_with("X-Evil"),
                "{line}"
            );
        }
        assert!(headers.contains("Message-ID: <m1@example.com>"));
        assert!(headers.contains("Date: "));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
    }

    #[test]
    fn a_domain_in_its_own_letters_goes_out_in_ascii_form() {
        let from = sender();
        let out = Outgoing {
            message_id: "<m3@example.com>".into(),
            from: &from,
            from_name: "",
            to: "info@bäckerei.de",
            to_name: "",
            subject: "s",
            text: "t".into(),
            html: "h".into(),
        };
        let message = build_message(&out).expect("builds");
        let to: Vec<String> = message
            .envelope()
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(to, vec!["info@xn--bckerei-5wa.de".to_owned()]);
        assert_eq!(deliverable("anna@example.com"), "anna@example.com");
    }

    #[test]
    fn a_recipient_with_a_line_break_is_refused() {
        let from = sender();
        let out = Outgoing {
            message_id: "<m2@example.com>".into(),
            from: &from,
            from_name: "",
            to: "anna@example.com\r\nRCPT TO:<evil@example.com>",
            to_name: "",
            subject: "s",
            text: "t".into(),
            html: "h".into(),
        };
        assert!(matches!(
            build_message(&out),
            Err(Attempt::Permanent(FailureKind::Rejected, _))
        ));
    }

    #[test]
    fn the_sender_defaults_to_the_public_host() {
        let cfg = MailConfig::none();
        assert_eq!(
            sender_address(&cfg, "https://einlass.werk.de")
                .map(|a| a.to_string())
                .ok(),
            Some("einlass@einlass.werk.de".into())
        );
        assert_eq!(
            sender_address(&cfg, "http://127.0.0.1:8080")
                .map(|a| a.to_string())
                .ok(),
            Some("einlass@127.0.0.1".into())
        );
        // Served on IPv6 (all addresses, or one): still an address.
        for url in [
            "http://[::]:8080",
            "http://[::1]:8080",
            "http://intranet:8080",
        ] {
            let from = sender_address(&cfg, url).map(|a| a.to_string());
            assert!(from.is_ok(), "{url}: {from:?}");
        }
        assert_eq!(
            sender_address(&cfg, "http://[::]:8080")
                .map(|a| a.to_string())
                .ok(),
            Some("einlass@localhost.localdomain".into())
        );
        let bad = MailConfig {
            mail_from: Some("not an address".into()),
            ..MailConfig::none()
        };
        assert!(sender_address(&bad, "https://x.de").is_err());
    }

    /// The pooled transport starts a task: it is built inside a runtime.
    #[tokio::test]
    async fn configuration_is_checked() {
        assert!(Mailer::from_config(&MailConfig::none()).is_ok_and(|m| m.is_local()));
        let with = |f: fn(&mut MailConfig)| {
            let mut c = MailConfig {
                smtp_host: Some("smtp.example.com".into()),
                ..MailConfig::none()
            };
            f(&mut c);
            Mailer::from_config(&c)
        };
        assert!(with(|_| {}).is_ok_and(|m| !m.is_local()));
        assert!(with(|c| c.smtp_security = "ssl3".into()).is_err());
        assert!(with(|c| c.smtp_user = Some("u".into())).is_err());
        assert!(with(|c| c.smtp_pool_size = 0).is_err());
        assert!(with(|c| c.smtp_host = Some("a b".into())).is_err());
    }
}
