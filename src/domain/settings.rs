//! The organisation's settings as the rest of the app reads them (the cached
//! snapshot in `Context`), the UI languages and the instance's time zone.

use std::fmt;

/// A language the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
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

    /// Any zone of the tz database: what a stored setting is read with (an
    /// instance may hold a name chosen before the list was the only way).
    pub fn parse(name: &str) -> Option<Self> {
        time_tz::timezones::get_by_name(name.trim()).map(Self)
    }

    /// A zone the settings offer ([`Self::all_names`]): what a new choice
    /// is checked with. A legacy name the list leaves out (`CET`,
    /// `EST5EDT`, `Etc/GMT+5`, which is UTC−5) is refused, not stored where
    /// the page could not show it selected.
    pub fn parse_offered(name: &str) -> Option<Self> {
        let name = name.trim();
        if !Self::offered(name) {
            return None;
        }
        Self::parse(name)
    }

    fn offered(name: &str) -> bool {
        name.contains('/') && !name.starts_with("Etc/") && !name.starts_with("SystemV/")
            || name == "UTC"
    }

    pub fn name(self) -> &'static str {
        use time_tz::TimeZone as _;
        self.0.name()
    }

    pub fn tz(self) -> &'static time_tz::Tz {
        self.0
    }

    /// The zones offered first (the organisations Einlass is made for).
    pub const COMMON: [&'static str; 5] = [
        "Europe/Berlin",
        "Europe/Vienna",
        "Europe/Zurich",
        "Europe/Luxembourg",
        "UTC",
    ];

    /// Every zone of the tz database by region (`Europe/Berlin`, not the
    /// legacy aliases like `CET`), sorted, plus `UTC`.
    pub fn all_names() -> Vec<&'static str> {
        use time_tz::TimeZone as _;
        let mut names: Vec<&'static str> = time_tz::timezones::iter()
            .map(|tz| tz.name())
            .filter(|n| Self::offered(n))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
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
    /// Remind this many days before an invitation expires (0: no reminders).
    pub reminder_days_before: i32,
    pub time_zone: TimeZone,
    pub default_language: Language,
    /// The organisation's app people are sent to once they are in ("" = none).
    pub app_name: String,
    pub app_url: String,
    /// Shown to invitees on the activation page ("" = a standard text).
    pub welcome_text: String,
    /// What a registration through the whitelist must match.
    pub registration_criteria: super::registration::Criteria,
    /// Anyone may ask for an account (it waits for an admin's approval).
    pub open_registration: bool,
    /// The organisation's logo, by version (for its address; `None`: none).
    pub logo_version: Option<String>,
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
    let digits = v.strip_prefix('#').unwrap_or(&v);
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(super::FieldError::InvalidColour);
    }
    match digits.len() {
        6 => Ok(format!("#{digits}")),
        // #0f0 is #00ff00, as in CSS.
        3 => Ok(digits.chars().fold(String::from("#"), |mut out, c| {
            out.push(c);
            out.push(c);
            out
        })),
        _ => Err(super::FieldError::InvalidColour),
    }
}

/// The contrast text needs on its background (WCAG 2 AA, normal text).
pub const AA_CONTRAST: f64 = 4.5;

fn rgb(hex: &str) -> Option<[u8; 3]> {
    let d = hex.strip_prefix('#')?;
    if d.len() != 6 {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(d.get(i..i + 2)?, 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio of two `#rrggbb` colours (1 to 21).
pub fn contrast(a: &str, b: &str) -> f64 {
    let (Some(a), Some(b)) = (rgb(a), rgb(b)) else {
        return 1.0;
    };
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The darkest light background brand-coloured text sits on (badges, tinted
/// messages): the shade must read on it too, not only on white.
pub const DARKEST_TINT: &str = "#e8ebee";

/// The organisation's colour as links and buttons use it: the colour itself
/// when it reaches AA contrast as text on the pages' light backgrounds (and
/// so white text on it does), else the same hue darkened just enough. So any
/// colour may be chosen, and every page stays readable.
pub fn accessible_shade(colour: &str) -> String {
    let Some(base) = rgb(colour) else {
        return DEFAULT_BRAND.to_owned();
    };
    let mut factor = 1.0_f64;
    loop {
        let scaled = base.map(|c| (f64::from(c) * factor).round().clamp(0.0, 255.0) as u8);
        let hex = format!("#{:02x}{:02x}{:02x}", scaled[0], scaled[1], scaled[2]);
        if contrast(&hex, DARKEST_TINT) >= AA_CONTRAST || factor <= 0.0 {
            return hex;
        }
        factor -= 0.02;
    }
}

/// The colour of a new instance.
pub const DEFAULT_BRAND: &str = "#0b5cad";

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

/// The organisation's app: empty, or an http(s) address without credentials.
pub fn parse_app_url(input: &str) -> Result<String, super::FieldError> {
    use super::FieldError::InvalidUrl;
    let v = input.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    if v.len() > 500 || super::text::has_control(v) {
        return Err(InvalidUrl);
    }
    let url = url::Url::parse(v).map_err(|_| InvalidUrl)?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    if ok {
        Ok(url.as_str().to_owned())
    } else {
        Err(InvalidUrl)
    }
}

/// A text of several lines (the welcome text): line breaks kept (a lone
/// CR is one too), a tab a space, other control characters refused, at
/// most `max_chars`.
pub fn parse_long_text(input: &str, max_chars: usize) -> Result<String, super::FieldError> {
    let lines = input
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ");
    let v = super::text::nfc(lines.trim());
    if v.chars().any(|c| c != '\n' && super::text::is_forbidden(c)) {
        return Err(super::FieldError::InvalidCharacters);
    }
    if v.chars().count() > max_chars {
        return Err(super::FieldError::TooLong(max_chars));
    }
    Ok(v)
}

/// Invitation links are valid for 1 to 365 days.
/// Days before expiry for the reminder: 0 (off) up to one less than the
/// validity (a reminder must come after the invitation).
pub fn parse_reminder_days(input: &str, validity: Option<i32>) -> Result<i32, super::FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(0);
    }
    let days = input
        .parse::<i32>()
        .ok()
        .filter(|d| (0..=364).contains(d))
        .ok_or(super::FieldError::ReminderDays)?;
    match validity {
        Some(v) if days > 0 && days >= v => Err(super::FieldError::ReminderAfterExpiry),
        _ => Ok(days),
    }
}

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
    fn a_long_text_keeps_its_lines_however_they_end_and_refuses_other_controls() {
        assert_eq!(
            parse_long_text("Hallo\r\nWelt\rund\tdu\n", 100),
            Ok("Hallo\nWelt\nund du".to_owned())
        );
        assert_eq!(
            parse_long_text("Hallo\u{0}", 100),
            Err(super::super::FieldError::InvalidCharacters)
        );
        assert_eq!(
            parse_long_text("abc", 2),
            Err(super::super::FieldError::TooLong(2))
        );
    }

    #[test]
    fn the_zone_list_offers_every_region_and_parses_back() {
        let all = TimeZone::all_names();
        assert!(all.len() > 300);
        for name in TimeZone::COMMON.iter().chain(all.iter()) {
            assert!(TimeZone::parse_offered(name).is_some(), "{name}");
        }
        assert!(all.contains(&"Europe/Berlin") && all.contains(&"America/New_York"));
    }

    #[test]
    fn every_colour_gets_a_readable_shade() {
        // Dark enough already: kept as chosen.
        assert_eq!(accessible_shade("#0b5cad"), "#0b5cad");
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 0.01);
        // A yellow that gives 1.2:1 on white is darkened, hue kept.
        assert!(contrast("#ffeb3b", "#ffffff") < 1.3);
        for colour in [
            "#ffeb3b", "#ffffff", "#00ff00", "#f0f0f0", "#000000", "#ff0000",
        ] {
            let shade = accessible_shade(colour);
            assert!(
                contrast(&shade, "#ffffff") >= AA_CONTRAST,
                "{colour} -> {shade}"
            );
            assert!(
                contrast(&shade, DARKEST_TINT) >= AA_CONTRAST,
                "{colour} -> {shade} on tints"
            );
        }
        let yellow = accessible_shade("#ffeb3b");
        let [r, g, b] = rgb(&yellow).unwrap();
        assert!(r >= g && g > b, "still a yellow hue: {yellow}");
    }

    #[test]
    fn colours_and_urls() {
        assert_eq!(parse_colour("#0B5CAD"), Ok("#0b5cad".into()));
        assert_eq!(parse_colour("#0f0"), Ok("#00ff00".into()));
        assert_eq!(parse_colour(" 0B5CAD "), Ok("#0b5cad".into()));
        for bad in ["red", "#12345g", "#1234", "", "#", "#0f0f", "#ÿÿÿ"] {
            assert!(parse_colour(bad).is_err(), "{bad}");
        }
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
        // Known to the tz database, but not offered: refused.
        for legacy in ["CET", "EST5EDT", "GMT", "Etc/GMT+5"] {
            assert!(TimeZone::parse_offered(legacy).is_none(), "{legacy}");
            assert!(!TimeZone::all_names().contains(&legacy), "{legacy}");
            // Stored before, still read as it is.
            assert!(TimeZone::parse(legacy).is_some(), "{legacy}");
        }
        assert!(TimeZone::parse_offered("UTC").is_some());
        assert!(TimeZone::parse_offered(" Europe/Vienna ").is_some());
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
