//! The organisation's settings as the rest of the app reads them (the cached
//! snapshot in `Context`), the UI languages and the instance's time zone.

use std::fmt;

/// A language the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::De, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "de" => Some(Language::De),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// A time zone of the tz database, by its IANA name.
#[derive(Clone, Copy)]
pub struct TimeZone(&'static time_tz::Tz);

impl TimeZone {
    pub const DEFAULT_NAME: &'static str = "Europe/Berlin";

    pub fn parse(name: &str) -> Option<Self> {
        time_tz::timezones::get_by_name(name.trim()).map(Self)
    }

    pub fn name(self) -> &'static str {
        use time_tz::TimeZone as _;
        self.0.name()
    }

    pub fn tz(self) -> &'static time_tz::Tz {
        self.0
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self(time_tz::timezones::db::europe::BERLIN)
    }
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Organisation settings without secrets.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub organisation_name: String,
    /// `#rrggbb`, lowercase.
    pub brand_colour: String,
    /// Without a trailing slash.
    pub public_base_url: String,
    pub invitation_validity_days: i32,
    pub time_zone: TimeZone,
    pub default_language: Language,
}

impl Settings {
    /// Cookies get `Secure` when people reach the instance over https.
    pub fn uses_https(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }

    /// An absolute link to a path of this instance (links are never built from a request).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_base_url)
    }
}

/// A brand colour as `#rrggbb`, lowercased.
pub fn parse_colour(input: &str) -> Result<String, super::FieldError> {
    let v = input.trim().to_lowercase();
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(v)
    } else {
        Err(super::FieldError::InvalidColour)
    }
}

/// The public base URL: http(s), a host, no credentials, query or fragment;
/// normalised by the `url` crate and stored without a trailing slash.
pub fn parse_base_url(input: &str) -> Result<String, super::FieldError> {
    use super::FieldError::InvalidUrl;
    let v = input.trim();
    if v.is_empty() || v.len() > 200 || super::text::has_control(v) {
        return Err(InvalidUrl);
    }
    let url = url::Url::parse(v).map_err(|_| InvalidUrl)?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if ok {
        Ok(url.as_str().trim_end_matches('/').to_owned())
    } else {
        Err(InvalidUrl)
    }
}

/// Invitation links are valid for 1 to 365 days.
pub fn parse_validity_days(input: &str) -> Result<i32, super::FieldError> {
    input
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or(super::FieldError::OutOfRange)
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
            parse_base_url("https://Einlass.Example.de/"),
            Ok("https://einlass.example.de".into())
        );
        assert_eq!(
            parse_base_url("https://example.de/einlass/"),
            Ok("https://example.de/einlass".into())
        );
        for bad in [
            "ftp://x",
            "https://",
            "https://a.de/x?y",
            "https://a.de/#x",
            "javascript:alert(1)",
            "https://user:pw@a.de",
            "https://a.de\0",
            "einlass.example.de",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
        assert!(parse_base_url("https://a.de\0x").is_err());
        assert_eq!(parse_validity_days(" 21 "), Ok(21));
        assert!(parse_validity_days("0").is_err() && parse_validity_days("viele").is_err());
    }

    #[test]
    fn time_zones_come_from_the_tz_database() {
        assert_eq!(
            TimeZone::parse("Europe/Vienna").map(TimeZone::name),
            Some("Europe/Vienna")
        );
        assert!(TimeZone::parse("Mars/Olympus").is_none());
        assert!(TimeZone::parse("Europe/Berlin\0").is_none());
        assert_eq!(TimeZone::default().name(), TimeZone::DEFAULT_NAME);
    }

    #[test]
    fn languages_parse_from_codes() {
        assert_eq!(Language::parse(" EN "), Some(Language::En));
        assert_eq!(Language::parse("fr"), None);
        for l in Language::ALL {
            assert_eq!(Language::parse(l.code()), Some(l));
        }
    }
}
