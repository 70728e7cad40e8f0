//! Registrierung: the whitelist. An admin stores the data people will
//! register with (the instance's criteria: some of Vorname, Nachname,
//! Personalnummer, Geburtsdatum); on the public page a person types the
//! same, and a match admits him once. How values are compared:
//!
//! - every value is trimmed and Unicode-normalised (NFC) first;
//! - names as the user search folds them: case, German spellings (`ü` is
//!   `ue`, `ß` is `ss`), other accents, hyphens and runs of spaces do not
//!   matter (`Müller-Lüdenscheidt` matches `mueller ludenscheidt`);
//! - a personnel number exactly, letter case and leading zeros included;
//! - a birth date as a calendar date, typed `TT.MM.JJJJ` or `JJJJ-MM-TT`.

use time::{Date, Month};

use super::text::{has_control, search_fold};
use super::{FieldError, FieldErrors, PersonName, PersonnelNumber, UnitId, UserType};

/// What an entry can be matched by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    FirstName,
    LastName,
    PersonnelNumber,
    BirthDate,
}

impl Criterion {
    pub const ALL: [Criterion; 4] = [
        Criterion::FirstName,
        Criterion::LastName,
        Criterion::PersonnelNumber,
        Criterion::BirthDate,
    ];

    /// The form field and setting key.
    pub fn key(self) -> &'static str {
        match self {
            Criterion::FirstName => "first_name",
            Criterion::LastName => "last_name",
            Criterion::PersonnelNumber => "personnel_number",
            Criterion::BirthDate => "birth_date",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key.trim())
    }
}

/// The criteria an instance matches registrations by: at least two, and
/// at least one that is not a name (names alone are easy to guess).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criteria(Vec<Criterion>);

impl Criteria {
    pub fn new(mut chosen: Vec<Criterion>) -> Result<Self, FieldError> {
        chosen.sort_unstable();
        chosen.dedup();
        let secret = chosen
            .iter()
            .any(|c| matches!(c, Criterion::PersonnelNumber | Criterion::BirthDate));
        if chosen.len() < 2 || !secret {
            return Err(FieldError::CriteriaTooWeak);
        }
        Ok(Self(chosen))
    }

    /// As stored in the settings (`first_name,last_name,...`); an unknown or
    /// too weak stored value falls back to the default.
    pub fn decode(stored: &str) -> Self {
        let chosen: Vec<Criterion> = stored.split(',').filter_map(Criterion::from_key).collect();
        Self::new(chosen).unwrap_or_default()
    }

    pub fn encode(&self) -> String {
        self.0.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
    }

    pub fn has(&self, c: Criterion) -> bool {
        self.0.contains(&c)
    }

    pub fn iter(&self) -> impl Iterator<Item = Criterion> + '_ {
        self.0.iter().copied()
    }

    /// The first criterion's field (where an entry's conflict is said).
    pub fn first_field(&self) -> &'static str {
        self.0.first().map_or("last_name", |c| c.key())
    }

    /// What an entry is matched by: its compared values of these criteria
    /// (two entries with the same probe cannot be told apart).
    pub fn probe_of(
        &self,
        first_key: &str,
        last_key: &str,
        number: Option<&str>,
        birth: Option<&str>,
    ) -> Probe {
        Probe {
            first_name: self.has(Criterion::FirstName).then(|| first_key.to_owned()),
            last_name: self.has(Criterion::LastName).then(|| last_key.to_owned()),
            personnel_number: if self.has(Criterion::PersonnelNumber) {
                number.map(str::to_owned)
            } else {
                None
            },
            birth_date: if self.has(Criterion::BirthDate) {
                birth.map(str::to_owned)
            } else {
                None
            },
        }
    }
}

impl Default for Criteria {
    fn default() -> Self {
        Self(vec![
            Criterion::FirstName,
            Criterion::LastName,
            Criterion::PersonnelNumber,
        ])
    }
}

/// A name as registrations compare it: folded as the search folds it, then
/// an umlaut, its spelled-out form and the bare vowel are one (`ü`, `ue`
/// and `u`: `Müller-Lüdenscheidt` is `mueller ludenscheidt` is `Muller-
/// Ludenscheidt`), as people type on phones without umlauts in either way.
/// Migration 2026-12-11-000026 folds the stored keys in the same steps.
pub fn name_match_key(name: &str) -> String {
    search_fold(&name.replace('-', " "))
        .replace("ae", "a")
        .replace("oe", "o")
        .replace("ue", "u")
}

/// A personnel number as registrations compare it: exactly, trimmed, in
/// the plain form entries are stored in (`７７７` is `777`, see
/// [`crate::domain::PersonnelNumber::parse`]).
pub fn number_match_key(number: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let number = number.trim();
    if number.is_ascii() {
        number.to_owned()
    } else {
        number.nfkc().collect()
    }
}

/// A birth date as typed: `TT.MM.JJJJ` (one-digit day and month allowed)
/// or `JJJJ-MM-TT`, between 1900 and `today`.
pub fn parse_birth_date(input: &str, today: Date) -> Result<Date, FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(FieldError::Required);
    }
    let parts: Vec<&str> = if input.contains('.') {
        let mut p: Vec<&str> = input.split('.').collect();
        p.reverse();
        p
    } else {
        input.split('-').collect()
    };
    let [year, month, day] = parts[..] else {
        return Err(FieldError::InvalidBirthDate);
    };
    let number = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(year, 4), number(month, 2), number(day, 2))
    else {
        return Err(FieldError::InvalidBirthDate);
    };
    if year < 100 {
        // "1.2.90": a two-digit year is ambiguous for a birth date.
        return Err(FieldError::InvalidBirthDate);
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(FieldError::InvalidBirthDate)?;
    let date = Date::from_calendar_date(i32::from(year), month, day as u8)
        .map_err(|_| FieldError::InvalidBirthDate)?;
    if date.year() < 1900 || date > today {
        return Err(FieldError::BirthDateRange);
    }
    Ok(date)
}

/// A date as entries store it (`JJJJ-MM-TT`, which sorts and compares).
pub fn date_key(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A whitelist entry as the admin gives it (form or import row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryData {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub personnel_number: Option<PersonnelNumber>,
    pub birth_date: Option<Date>,
    pub user_type: UserType,
    pub group: Option<UnitId>,
}

/// An entry's fields as typed, before they parse.
#[derive(Clone, Debug, Default)]
pub struct EntryInput {
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: String,
    pub birth_date: String,
    pub user_type: Option<UserType>,
    pub group: Option<UnitId>,
}

impl EntryInput {
    /// Every field's error at once; each chosen criterion must have a
    /// value (an entry without it could never match).
    pub fn parse(&self, criteria: &Criteria, today: Date) -> Result<EntryData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = errors.take("first_name", PersonName::parse(&self.first_name));
        let last_name = errors.take("last_name", PersonName::parse(&self.last_name));
        let personnel_number = errors
            .take(
                "personnel_number",
                PersonnelNumber::parse(&self.personnel_number),
            )
            .flatten();
        if criteria.has(Criterion::PersonnelNumber)
            && personnel_number.is_none()
            && errors.get("personnel_number").is_none()
        {
            errors.add("personnel_number", FieldError::Required);
        }
        let birth_date = if self.birth_date.trim().is_empty() {
            if criteria.has(Criterion::BirthDate) {
                errors.add("birth_date", FieldError::Required);
            }
            None
        } else {
            errors.take("birth_date", parse_birth_date(&self.birth_date, today))
        };
        match (first_name, last_name) {
            (Some(first_name), Some(last_name)) if errors.is_empty() => Ok(EntryData {
                first_name,
                last_name,
                personnel_number,
                birth_date,
                user_type: self.user_type.unwrap_or(UserType::Mitarbeiter),
                group: self.group,
            }),
            _ => Err(errors),
        }
    }
}

/// What a person typed on the public page for the criteria, as compared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Probe {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub personnel_number: Option<String>,
    pub birth_date: Option<String>,
}

/// The criteria fields of the public page as typed.
#[derive(Clone, Debug, Default)]
pub struct ProbeInput {
    pub first_name: String,
    pub last_name: String,
    pub personnel_number: String,
    pub birth_date: String,
}

impl ProbeInput {
    /// The keys to look entries up by; a field that is empty or malformed
    /// is said at the field (that tells nothing about the list).
    pub fn parse(&self, criteria: &Criteria, today: Date) -> Result<Probe, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut probe = Probe::default();
        let text = |field: &'static str, value: &str, errors: &mut FieldErrors| {
            let value = value.trim();
            if value.is_empty() {
                errors.add(field, FieldError::Required);
                None
            } else if has_control(value) {
                errors.add(field, FieldError::InvalidCharacters);
                None
            } else if value.chars().count() > 100 {
                errors.add(field, FieldError::TooLong(100));
                None
            } else {
                Some(value.to_owned())
            }
        };
        for c in criteria.iter() {
            match c {
                Criterion::FirstName => {
                    probe.first_name = text("first_name", &self.first_name, &mut errors)
                        .map(|v| name_match_key(&v));
                }
                Criterion::LastName => {
                    probe.last_name =
                        text("last_name", &self.last_name, &mut errors).map(|v| name_match_key(&v));
                }
                Criterion::PersonnelNumber => {
                    probe.personnel_number =
                        text("personnel_number", &self.personnel_number, &mut errors)
                            .map(|v| number_match_key(&v));
                }
                Criterion::BirthDate => {
                    probe.birth_date = errors
                        .take("birth_date", parse_birth_date(&self.birth_date, today))
                        .map(date_key);
                }
            }
        }
        if errors.is_empty() {
            Ok(probe)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 06);

    #[test]
    fn criteria_need_two_and_one_that_is_not_a_name() {
        use Criterion::*;
        assert!(Criteria::new(vec![FirstName, LastName]).is_err());
        assert!(Criteria::new(vec![PersonnelNumber]).is_err());
        assert!(Criteria::new(vec![BirthDate, BirthDate]).is_err());
        let c = Criteria::new(vec![BirthDate, LastName]).unwrap();
        assert_eq!(c.encode(), "last_name,birth_date");
        assert_eq!(Criteria::decode(&c.encode()), c);
        assert_eq!(Criteria::decode("first_name,nonsense"), Criteria::default());
    }

    #[test]
    fn names_compare_folded_numbers_exactly() {
        assert_eq!(
            name_match_key("  Müller-Lüdenscheidt "),
            name_match_key("mueller luedenscheidt")
        );
        // Umlauts typed either way, or without their dots, even mixed.
        for typed in [
            "mueller ludenscheidt",
            "Muller-Ludenscheidt",
            "MÜLLER lüdenscheidt",
        ] {
            assert_eq!(
                name_match_key(typed),
                name_match_key("Müller-Lüdenscheidt"),
                "{typed}"
            );
        }
        assert_eq!(name_match_key("Jurgen"), name_match_key("Jürgen"));
        assert_eq!(name_match_key("Loetz"), name_match_key("Lötz"));
        assert_eq!(name_match_key("Baer"), name_match_key("Bär"));
        assert_ne!(name_match_key("Anna"), name_match_key("Anne"));
        assert_eq!(name_match_key("José"), name_match_key("JOSE"));
        assert_eq!(name_match_key("Ju\u{308}rgen"), name_match_key("Jürgen"));
        assert_ne!(number_match_key("00123"), number_match_key("123"));
        assert_ne!(number_match_key("a7"), number_match_key("A7"));
        assert_eq!(number_match_key(" 00123 "), "00123");
        // As a typed number is stored: full-width digits are plain ones.
        assert_eq!(number_match_key("０１２３"), "0123");
        assert_eq!(
            number_match_key("０１２３"),
            crate::domain::PersonnelNumber::parse("０１２３")
                .unwrap()
                .unwrap()
                .as_str()
        );
    }

    #[test]
    fn birth_dates_in_both_spellings_and_only_real_ones() {
        let d = date!(1990 - 02 - 01);
        assert_eq!(parse_birth_date("01.02.1990", TODAY), Ok(d));
        assert_eq!(parse_birth_date("1.2.1990", TODAY), Ok(d));
        assert_eq!(parse_birth_date("1990-02-01", TODAY), Ok(d));
        for bad in [
            "31.02.1990",
            "1.2.90",
            "1990/02/01",
            "x",
            "01.02.+1990",
            "1.2.3.4",
        ] {
            assert_eq!(
                parse_birth_date(bad, TODAY),
                Err(FieldError::InvalidBirthDate),
                "{bad}"
            );
        }
        assert_eq!(
            parse_birth_date("01.01.9999", TODAY),
            Err(FieldError::BirthDateRange)
        );
        assert_eq!(
            parse_birth_date("01.01.1899", TODAY),
            Err(FieldError::BirthDateRange)
        );
        assert_eq!(
            parse_birth_date("07.12.2026", TODAY),
            Err(FieldError::BirthDateRange),
            "tomorrow"
        );
        assert_eq!(
            parse_birth_date("99999-01-01", TODAY),
            Err(FieldError::InvalidBirthDate)
        );
        assert_eq!(date_key(d), "1990-02-01");
    }

    #[test]
    fn an_entry_needs_every_chosen_criterion() {
        let criteria = Criteria::new(vec![Criterion::LastName, Criterion::BirthDate]).unwrap();
        let input = EntryInput {
            first_name: "Anna".into(),
            last_name: "Muster".into(),
            ..Default::default()
        };
        let errors = input.parse(&criteria, TODAY).unwrap_err();
        assert_eq!(errors.get("birth_date"), Some(FieldError::Required));
        let ok = EntryInput {
            birth_date: "3.4.1985".into(),
            ..input
        }
        .parse(&criteria, TODAY)
        .unwrap();
        assert_eq!(ok.birth_date, Some(date!(1985 - 04 - 03)));
        assert_eq!(ok.personnel_number, None);
    }

    #[test]
    fn a_probe_asks_for_the_chosen_criteria_only() {
        let criteria = Criteria::default();
        let probe = ProbeInput {
            first_name: " ANNA ".into(),
            last_name: "Müller".into(),
            personnel_number: "007".into(),
            birth_date: "not asked".into(),
        }
        .parse(&criteria, TODAY)
        .unwrap();
        assert_eq!(probe.first_name.as_deref(), Some("anna"));
        assert_eq!(probe.last_name.as_deref(), Some("muller"));
        assert_eq!(probe.personnel_number.as_deref(), Some("007"));
        assert_eq!(probe.birth_date, None);
        let errors = ProbeInput::default().parse(&criteria, TODAY).unwrap_err();
        assert_eq!(errors.get("personnel_number"), Some(FieldError::Required));
        let errors = ProbeInput {
            first_name: "a\0".into(),
            ..Default::default()
        }
        .parse(&criteria, TODAY)
        .unwrap_err();
        assert_eq!(
            errors.get("first_name"),
            Some(FieldError::InvalidCharacters)
        );
    }
}
