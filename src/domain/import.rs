//! The import's rules, without I/O: which field a column's title names (in
//! German or English, as people write it), which row holds the titles, the
//! admin's mapping, and what one row of a user import comes to.
//!
//! The pipeline is general over a [`Schema`] (the fields a kind of import
//! takes); the user import is [`USERS`]. A column whose title looks like a
//! password is never read: imported people get invitations, not passwords
//! from a file.

use std::collections::HashMap;

use super::errors::FieldError;
use super::text::{has_control, nfc};
use super::{EmailAddress, PersonName, PersonnelNumber, Salutation, UserType, Username};

/// A cell's text is cut after this many bytes when it is read (no field
/// takes as much; a cut value is refused, never used in part).
pub const MAX_CELL_BYTES: usize = 4096;

/// One non-empty row of a sheet: its number as the spreadsheet shows it
/// (1-based) and its cells by column, trailing empty cells left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<String>,
}

impl Row {
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map(String::as_str).unwrap_or("")
    }
}

/// The first non-empty rows of a sheet, among which its header row is
/// looked for.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Columns (of the first `width`) with a title that names a password among
/// the sheet's first rows: whatever header the admin picks, nothing of them
/// is shown or read.
pub fn secret_columns(rows: &[Row], width: usize) -> Vec<usize> {
    (0..width)
        .filter(|c| {
            rows.iter()
                .take(HEADER_SEARCH_ROWS)
                .any(|r| is_password_title(r.cell(*c)))
        })
        .collect()
}

/// Password columns: their cells below a line are emptied (a cell that is
/// itself a password title stays: it says what was there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secrets {
    pub below_line: u32,
    pub columns: Vec<usize>,
}

impl Secrets {
    pub fn blank(&self, rows: &mut [Row]) {
        for row in rows {
            for column in &self.columns {
                if let Some(cell) = row.cells.get_mut(*column)
                    && self.hides(row.line, *column, cell)
                {
                    *cell = String::new();
                }
            }
        }
    }

    /// Whether the cell of row `line` in `column` is emptied (its text
    /// given).
    pub fn hides(&self, line: u32, column: usize, text: &str) -> bool {
        line > self.below_line && self.columns.contains(&column) && !is_password_title(text)
    }
}

/// The title shown for `column`: none for a password column whose title
/// row (picked by the admin) holds something else there — another row's
/// cell may be a password.
pub fn shown_title(titles: &[String], secret: &[usize], column: usize) -> String {
    titles
        .get(column)
        .filter(|t| !secret.contains(&column) || is_password_title(t))
        .cloned()
        .unwrap_or_default()
}

/// A field a column can feed.
#[derive(Debug)]
pub struct FieldSpec {
    pub key: &'static str,
    /// Titles that name it, as [`title_key`] folds them.
    pub titles: &'static [&'static str],
    pub required: bool,
}

/// The fields of one kind of import.
#[derive(Debug)]
pub struct Schema {
    pub name: &'static str,
    pub fields: &'static [FieldSpec],
}

impl Schema {
    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The field a column title names, if any.
    pub fn field_for_title(&self, title: &str) -> Option<&'static FieldSpec> {
        let key = title_key(title);
        if key.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .find(|f| f.titles.contains(&key.as_str()))
    }

    /// Whether these rows start with (or hold, under title rows) a header
    /// this schema knows: a row naming at least two of its fields.
    pub fn recognises(&self, head: &[Row]) -> bool {
        self.header_row(head).is_some()
    }

    /// Fields that more than one of these titles names, with their columns
    /// (only the first is mapped; which one is meant is the admin's call, so
    /// such a file gets the mapping step).
    pub fn doubled(&self, titles: &[String]) -> Vec<(&'static str, Vec<usize>)> {
        let mut by_field: Vec<(&'static str, Vec<usize>)> = Vec::new();
        for (column, title) in titles.iter().enumerate() {
            if is_password_title(title) {
                continue;
            }
            if let Some(f) = self.field_for_title(title) {
                match by_field.iter_mut().find(|(k, _)| *k == f.key) {
                    Some((_, columns)) => columns.push(column),
                    None => by_field.push((f.key, vec![column])),
                }
            }
        }
        by_field.retain(|(_, columns)| columns.len() > 1);
        by_field
    }

    /// Empties every cell under a title that names a password, below the
    /// header row these rows (a sheet's first rows, or all of them) start
    /// with: what a password column holds is never read, kept or shown.
    pub fn blank_secrets(&self, rows: &mut [Row]) {
        if let Some(secrets) = self.secrets(rows) {
            secrets.blank(rows);
        }
    }

    /// Where [`Self::blank_secrets`] empties cells, by the first rows of
    /// `rows`: under the password titles of the header row; without a
    /// header this schema knows, under every password title among those
    /// rows (below the first row that has one). `None`: no such title.
    pub fn secrets(&self, rows: &[Row]) -> Option<Secrets> {
        let head = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
        let (title_row, columns) = match self.header_row(head) {
            Some(at) => (
                at,
                rows[at]
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(_, title)| is_password_title(title))
                    .map(|(column, _)| column)
                    .collect(),
            ),
            None => {
                let first = head
                    .iter()
                    .position(|r| r.cells.iter().any(|c| is_password_title(c)))?;
                let width = head.iter().map(|r| r.cells.len()).max().unwrap_or(0);
                (first, secret_columns(head, width))
            }
        };
        (!columns.is_empty()).then(|| Secrets {
            below_line: rows[title_row].line,
            columns,
        })
    }

    /// Index into `head` of the first row that names two or more fields.
    pub fn header_row(&self, head: &[Row]) -> Option<usize> {
        head.iter().position(|row| {
            let mut seen: Vec<&str> = Vec::new();
            for cell in &row.cells {
                if let Some(f) = self.field_for_title(cell)
                    && !seen.contains(&f.key)
                {
                    seen.push(f.key);
                }
            }
            seen.len() >= 2
        })
    }
}

const FIRST_NAME_TITLES: &[&str] = &[
    "vorname",
    "vornamen",
    "rufname",
    "firstname",
    "givenname",
    "forename",
    "first",
];
const LAST_NAME_TITLES: &[&str] = &[
    "nachname",
    "familienname",
    "zuname",
    "name",
    "lastname",
    "surname",
    "familyname",
    "last",
];
const PERSONNEL_NUMBER_TITLES: &[&str] = &[
    "personalnummer",
    "personalnr",
    "persnr",
    "pnr",
    "mitarbeiternummer",
    "mitarbeiternr",
    "personnelnumber",
    "personnelno",
    "employeeid",
    "employeenumber",
    "employeeno",
    "staffnumber",
    "staffid",
];
const USER_TYPE_TITLES: &[&str] = &[
    "nutzertyp",
    "benutzertyp",
    "nutzerart",
    "typ",
    "usertype",
    "type",
    "accounttype",
];
const GROUPS_TITLES: &[&str] = &[
    "gruppe",
    "gruppen",
    "benutzergruppe",
    "benutzergruppen",
    "group",
    "groups",
    "usergroup",
    "usergroups",
];

pub const USERS: Schema = Schema {
    name: "users",
    fields: &[
        FieldSpec {
            key: "salutation",
            titles: &[
                "anrede",
                "geschlecht",
                "salutation",
                "title",
                "gender",
                "briefanrede",
            ],
            required: false,
        },
        FieldSpec {
            key: "first_name",
            titles: FIRST_NAME_TITLES,
            required: true,
        },
        FieldSpec {
            key: "last_name",
            titles: LAST_NAME_TITLES,
            required: true,
        },
        FieldSpec {
            key: "username",
            titles: &[
                "benutzername",
                "nutzername",
                "anmeldename",
                "benutzerkennung",
                "kennung",
                "login",
                "loginname",
                "username",
                "userid",
                "user",
            ],
            required: false,
        },
        FieldSpec {
            key: "email",
            titles: &[
                "email",
                "mail",
                "emailadresse",
                "mailadresse",
                "emailaddress",
                "mailaddress",
                "dienstlicheemail",
                "workemail",
            ],
            required: false,
        },
        FieldSpec {
            key: "personnel_number",
            titles: PERSONNEL_NUMBER_TITLES,
            required: false,
        },
        FieldSpec {
            key: "user_type",
            titles: USER_TYPE_TITLES,
            required: false,
        },
        FieldSpec {
            key: "groups",
            titles: GROUPS_TITLES,
            required: false,
        },
        FieldSpec {
            key: "areas",
            titles: &[
                "bereich",
                "bereiche",
                "standort",
                "standorte",
                "bereichstandort",
                "bereichestandorte",
                "area",
                "areas",
                "location",
                "locations",
                "site",
                "sites",
            ],
            required: false,
        },
    ],
};

/// The registration whitelist's import: the criteria, the user type and
/// one group an entry grants.
pub const WHITELIST: Schema = Schema {
    name: "whitelist",
    fields: &[
        FieldSpec {
            key: "first_name",
            titles: FIRST_NAME_TITLES,
            required: true,
        },
        FieldSpec {
            key: "last_name",
            titles: LAST_NAME_TITLES,
            required: true,
        },
        FieldSpec {
            key: "personnel_number",
            titles: PERSONNEL_NUMBER_TITLES,
            required: false,
        },
        FieldSpec {
            key: "birth_date",
            titles: &[
                "geburtsdatum",
                "geburtstag",
                "gebdatum",
                "gebdat",
                "geboren",
                "birthdate",
                "dateofbirth",
                "birthday",
                "dob",
            ],
            required: false,
        },
        FieldSpec {
            key: "user_type",
            titles: USER_TYPE_TITLES,
            required: false,
        },
        FieldSpec {
            key: "group",
            titles: GROUPS_TITLES,
            required: false,
        },
    ],
};

/// The schema of this name (the reader child is told it by name).
pub fn schema(name: &str) -> Option<&'static Schema> {
    [&USERS, &WHITELIST].into_iter().find(|s| s.name == name)
}

/// A column title folded for comparison: lower case, German letters spelled
/// out, everything but letters and digits dropped ("E-Mail*" is "email",
/// "Pers.-Nr." is "persnr", "Gruppe(n)" is "gruppen").
pub fn title_key(title: &str) -> String {
    let mut out = String::new();
    for c in nfc(title).to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// A title that names a password (never read, whatever it holds).
pub fn is_password_title(title: &str) -> bool {
    let key = title_key(title);
    // "PIN", "PIN-Code", "PINs", "PIN (4-stellig)": the first word is it.
    let first_word = title
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .map(str::to_lowercase)
        .unwrap_or_default();
    [
        "passwort",
        "passwoert",
        "password",
        "kennwort",
        "kennwoert",
        "pwd",
        "passwd",
        "passcode",
        "passphrase",
        "zugangscode",
        "geheimzahl",
        "geheimnummer",
        "secret",
    ]
    .iter()
    .any(|p| key.contains(p))
        || matches!(first_word.as_str(), "pin" | "pins")
}

/// Why a column is not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ignored {
    /// Its title names no field (or the admin chose "nicht importieren").
    Unknown,
    /// Its title names a password.
    Password,
}

/// Which field each column feeds, and where the data starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The row with the titles (as the sheet numbers it); `None`: the data
    /// starts at the first row.
    pub header_line: Option<u32>,
    /// Per column: the field key it feeds.
    pub columns: Vec<Option<&'static str>>,
}

/// What is wrong with a mapping; each makes the admin map by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingProblem {
    /// A required field has no column.
    Missing(&'static str),
    /// Two columns feed one field.
    Twice(&'static str),
}

impl Mapping {
    /// The mapping found from the titles of the head rows, if a header row
    /// is recognised; else every column unmapped, data from the first row.
    pub fn recognise(schema: &Schema, head: &[Row]) -> Mapping {
        let Some(at) = schema.header_row(head) else {
            let width = head.iter().map(|r| r.cells.len()).max().unwrap_or(0);
            return Mapping {
                header_line: None,
                columns: vec![None; width],
            };
        };
        let header = &head[at];
        let mut columns: Vec<Option<&'static str>> = Vec::with_capacity(header.cells.len());
        for title in &header.cells {
            let field = if is_password_title(title) {
                None
            } else {
                schema
                    .field_for_title(title)
                    .map(|f| f.key)
                    .filter(|k| !columns.contains(&Some(*k)))
            };
            columns.push(field);
        }
        Mapping {
            header_line: Some(header.line),
            columns,
        }
    }

    /// What keeps this mapping from being used as it is.
    pub fn problems(&self, schema: &Schema) -> Vec<MappingProblem> {
        let mut out = Vec::new();
        for f in schema.fields {
            let n = self.columns.iter().filter(|c| **c == Some(f.key)).count();
            if n == 0 && f.required {
                out.push(MappingProblem::Missing(f.key));
            }
            if n > 1 {
                out.push(MappingProblem::Twice(f.key));
            }
        }
        out
    }

    /// The column a field is read from.
    pub fn column_of(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(key))
    }

    /// Stored form: field keys by column, comma-separated (empty for none).
    pub fn encode(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn decode(schema: &Schema, header_line: Option<u32>, text: &str) -> Mapping {
        let columns = if text.is_empty() {
            Vec::new()
        } else {
            text.split(',')
                .map(|k| schema.field(k).map(|f| f.key))
                .collect()
        };
        Mapping {
            header_line,
            columns,
        }
    }
}

/// The titles of the header row by column (empty without one).
pub fn titles(rows: &[Row], header_line: Option<u32>) -> Vec<String> {
    header_line
        .and_then(|line| rows.iter().find(|r| r.line == line))
        .map(|r| r.cells.clone())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- user rows

/// The most rows of data one file may have (the default of the setting).
pub const DEFAULT_MAX_ROWS: u32 = 200_000;

/// What the import will do with a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A new person.
    Neu,
    /// Update mode: an existing person changes.
    Aenderung,
    /// Update mode: an existing person, nothing to change.
    Unveraendert,
    /// Not importable (the problems say why).
    Fehler,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Neu,
        Outcome::Aenderung,
        Outcome::Unveraendert,
        Outcome::Fehler,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Neu => "neu",
            Outcome::Aenderung => "aenderung",
            Outcome::Unveraendert => "unveraendert",
            Outcome::Fehler => "fehler",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One reason a row is not imported, or one change it makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The field's value breaks its rule.
    Invalid(&'static str, FieldError),
    /// A name that starts like a formula (`=`, `+`, `@`).
    FormulaStart(&'static str),
    /// A formula's error value (`#NV`, `#DIV/0!`, …) instead of a value.
    ErrorValue(&'static str, String),
    /// A number with more digits than a spreadsheet keeps (16 or more), as
    /// it shows it: `1.23456789012346E+19`. Its last digits are lost.
    ShortenedNumber(&'static str, String),
    /// A date, a time or a truth value where a number belongs
    /// ([`converted_value`]).
    ConvertedValue(&'static str, String),
    /// A new person's number of digits is an account's number but for its
    /// leading zeros (`40` for `00040`), which a spreadsheet drops from a
    /// number cell: most likely that person, not someone new. Holds the
    /// account's number.
    PaddedNumberTaken(String),
    UnknownSalutation(String),
    UnknownUserType(String),
    /// Groups or areas the instance does not have.
    UnknownGroups(Vec<String>),
    UnknownAreas(Vec<String>),
    /// Missing groups (`"groups"`) or areas (`"areas"`) that are to be
    /// created but cannot be by these names (too long, or formula-like).
    UncreatableUnits(&'static str, Vec<String>),
    /// The same value in other rows of the file.
    DuplicateInFile(&'static str, Vec<u32>),
    /// Another account holds this value: the field and, where known, the
    /// holder (previews staged before it was kept have none).
    Taken(&'static str, Option<i64>),
    /// Update mode: the address was confirmed by its owner and stays.
    EmailConfirmed,
    /// Update mode: the personnel number and the address name two people.
    TwoPeople,
    /// Update mode: the row finds no account and gives no name, so it
    /// would be a new person without one.
    FoundNobody,
    /// Update mode: other rows of the file change the same person.
    SamePerson(Vec<u32>),
    /// Update mode: an account above the importing admin's role.
    AboveRole,
    /// Update mode: a field changes from `old` to `new`.
    Change(&'static str, String, String),
    /// Update mode, with a new address: the person's live invitation (to
    /// the old one) is withdrawn. A note, not a reason to refuse the row.
    InvitationWithdrawn,
}

impl Problem {
    /// The field the problem is about ("" for the row as a whole).
    pub fn field(&self) -> &'static str {
        match self {
            Problem::Invalid(f, _)
            | Problem::FormulaStart(f)
            | Problem::ErrorValue(f, _)
            | Problem::ShortenedNumber(f, _)
            | Problem::ConvertedValue(f, _)
            | Problem::DuplicateInFile(f, _)
            | Problem::Taken(f, _)
            | Problem::Change(f, _, _) => f,
            Problem::PaddedNumberTaken(_) => "personnel_number",
            Problem::UnknownSalutation(_) => "salutation",
            Problem::UnknownUserType(_) => "user_type",
            Problem::UnknownGroups(_) => "groups",
            Problem::UnknownAreas(_) => "areas",
            Problem::UncreatableUnits(f, _) => f,
            Problem::EmailConfirmed | Problem::InvitationWithdrawn => "email",
            Problem::TwoPeople
            | Problem::FoundNobody
            | Problem::AboveRole
            | Problem::SamePerson(_) => "",
        }
    }

    /// What an update does (a changed field, or a note on it), as opposed
    /// to a reason the row is refused.
    pub fn is_change(&self) -> bool {
        matches!(self, Problem::Change(..) | Problem::InvitationWithdrawn)
    }
}

/// Separators of the stored problem list (never in a value: control
/// characters are taken out of the values stored with them).
const NEXT: char = '\u{1e}';
const PART: char = '\u{1f}';

/// A value as a stored problem holds it (see [`encode_problems`]).
pub fn stored_text(value: &str) -> String {
    clean(value)
}

fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

fn field_key(key: &str) -> &'static str {
    USERS.field(key).map(|f| f.key).unwrap_or("")
}

pub fn encode_problems(problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        if !out.is_empty() {
            out.push(NEXT);
        }
        let parts: Vec<String> = match p {
            Problem::Invalid(f, e) => vec!["invalid".into(), (*f).into(), encode_field_error(*e)],
            Problem::FormulaStart(f) => vec!["formula".into(), (*f).into()],
            Problem::ErrorValue(f, v) => vec!["error_value".into(), (*f).into(), clean(v)],
            Problem::ShortenedNumber(f, v) => vec!["shortened".into(), (*f).into(), clean(v)],
            Problem::ConvertedValue(f, v) => vec!["converted".into(), (*f).into(), clean(v)],
            Problem::PaddedNumberTaken(v) => vec!["padded_taken".into(), clean(v)],
            Problem::UnknownSalutation(v) => vec!["salutation".into(), clean(v)],
            Problem::UnknownUserType(v) => vec!["user_type".into(), clean(v)],
            Problem::UnknownGroups(names) => {
                let mut v = vec!["groups".to_owned()];
                v.extend(names.iter().map(|n| clean(n)));
                v
            }
            Problem::UnknownAreas(names) => {
                let mut v = vec!["areas".to_owned()];
                v.extend(names.iter().map(|n| clean(n)));
                v
            }
            Problem::UncreatableUnits(f, names) => {
                let mut v = vec!["uncreatable".to_owned(), (*f).to_owned()];
                v.extend(names.iter().map(|n| clean(n)));
                v
            }
            Problem::DuplicateInFile(f, lines) => {
                let mut v = vec!["duplicate".to_owned(), (*f).to_owned()];
                v.extend(lines.iter().map(u32::to_string));
                v
            }
            Problem::Taken(f, holder) => vec![
                "taken".into(),
                (*f).into(),
                holder.map(|h| h.to_string()).unwrap_or_default(),
            ],
            Problem::EmailConfirmed => vec!["email_confirmed".into()],
            Problem::TwoPeople => vec!["two_people".into()],
            Problem::FoundNobody => vec!["found_nobody".into()],
            Problem::SamePerson(lines) => {
                let mut v = vec!["same_person".to_owned()];
                v.extend(lines.iter().map(u32::to_string));
                v
            }
            Problem::AboveRole => vec!["above_role".into()],
            Problem::InvitationWithdrawn => vec!["invitation_withdrawn".into()],
            Problem::Change(f, old, new) => {
                vec!["change".into(), (*f).into(), clean(old), clean(new)]
            }
        };
        out.push_str(&parts.join(&PART.to_string()));
    }
    out
}

pub fn decode_problems(text: &str) -> Vec<Problem> {
    text.split(NEXT)
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let parts: Vec<&str> = p.split(PART).collect();
            let arg = |i: usize| parts.get(i).copied().unwrap_or("");
            Some(match parts[0] {
                "invalid" => Problem::Invalid(field_key(arg(1)), decode_field_error(arg(2))?),
                "formula" => Problem::FormulaStart(field_key(arg(1))),
                "error_value" => Problem::ErrorValue(field_key(arg(1)), arg(2).into()),
                "shortened" => Problem::ShortenedNumber(field_key(arg(1)), arg(2).into()),
                "converted" => Problem::ConvertedValue(field_key(arg(1)), arg(2).into()),
                "padded_taken" => Problem::PaddedNumberTaken(arg(1).into()),
                "salutation" => Problem::UnknownSalutation(arg(1).into()),
                "user_type" => Problem::UnknownUserType(arg(1).into()),
                "groups" => {
                    Problem::UnknownGroups(parts[1..].iter().map(|s| (*s).into()).collect())
                }
                "areas" => Problem::UnknownAreas(parts[1..].iter().map(|s| (*s).into()).collect()),
                "uncreatable" => Problem::UncreatableUnits(
                    if arg(1) == "areas" { "areas" } else { "groups" },
                    parts[2..].iter().map(|s| (*s).into()).collect(),
                ),
                "duplicate" => Problem::DuplicateInFile(
                    field_key(arg(1)),
                    parts[2..].iter().filter_map(|s| s.parse().ok()).collect(),
                ),
                "taken" => Problem::Taken(field_key(arg(1)), arg(2).parse().ok()),
                "email_confirmed" => Problem::EmailConfirmed,
                "two_people" => Problem::TwoPeople,
                "found_nobody" => Problem::FoundNobody,
                "same_person" => {
                    Problem::SamePerson(parts[1..].iter().filter_map(|s| s.parse().ok()).collect())
                }
                "above_role" => Problem::AboveRole,
                "invitation_withdrawn" => Problem::InvitationWithdrawn,
                "change" => Problem::Change(field_key(arg(1)), arg(2).into(), arg(3).into()),
                _ => return None,
            })
        })
        .collect()
}

fn encode_field_error(e: FieldError) -> String {
    match e {
        FieldError::Required => "required".into(),
        FieldError::TooLong(n) => format!("too_long:{n}"),
        FieldError::InvalidEmail => "email".into(),
        FieldError::InvalidUsername => "username".into(),
        FieldError::InvalidCharacters => "characters".into(),
        FieldError::NameWithoutLetter => "no_letter".into(),
        FieldError::HiddenCharacter(c) => format!("hidden:{:x}", c as u32),
        FieldError::ForeignDigit(c) => format!("digit:{:x}", c as u32),
        FieldError::CellTooLong => "cell_too_long".into(),
        _ => "invalid".into(),
    }
}

fn decode_field_error(s: &str) -> Option<FieldError> {
    Some(match s {
        "required" => FieldError::Required,
        "email" => FieldError::InvalidEmail,
        "username" => FieldError::InvalidUsername,
        "characters" => FieldError::InvalidCharacters,
        "no_letter" => FieldError::NameWithoutLetter,
        "cell_too_long" => FieldError::CellTooLong,
        "invalid" => FieldError::InvalidChoice,
        s => {
            let char_of = |hex: &str| char::from_u32(u32::from_str_radix(hex, 16).ok()?);
            if let Some(hex) = s.strip_prefix("hidden:") {
                FieldError::HiddenCharacter(char_of(hex)?)
            } else if let Some(hex) = s.strip_prefix("digit:") {
                FieldError::ForeignDigit(char_of(hex)?)
            } else {
                FieldError::TooLong(s.strip_prefix("too_long:")?.parse().ok()?)
            }
        }
    })
}

/// A value of a closed vocabulary that names none of its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownWord;

/// A salutation as people write it; `Ok(None)` for none.
pub fn parse_salutation(value: &str) -> Result<Option<Salutation>, UnknownWord> {
    let key = title_key(value);
    Ok(Some(match key.as_str() {
        "" | "keine" | "none" | "ohne" | "k" | "na" => return Ok(None),
        "frau" | "fr" | "w" | "weiblich" | "female" | "f" | "ms" | "mrs" | "miss" => {
            Salutation::Frau
        }
        "herr" | "hr" | "m" | "maennlich" | "male" | "mr" => Salutation::Herr,
        "divers" | "d" | "x" | "diverse" | "nonbinary" | "nichtbinaer" | "inter" => {
            Salutation::Divers
        }
        _ => return Err(UnknownWord),
    }))
}

/// A user type as people write it; empty is a Mitarbeiter.
pub fn parse_user_type(value: &str) -> Result<UserType, UnknownWord> {
    Ok(match title_key(value).as_str() {
        "" | "mitarbeiter" | "mitarbeiterin" | "mitarbeitende" | "mitarbeitender" | "employee"
        | "staff" | "angestellte" | "angestellter" => UserType::Mitarbeiter,
        "extern" | "externe" | "externer" | "external" | "contractor" | "dienstleister" => {
            UserType::Extern
        }
        "gast" | "gaeste" | "guest" => UserType::Gast,
        _ => return Err(UnknownWord),
    })
}

/// What separates names in a group or area cell.
const NAME_SEPARATORS: [char; 4] = [',', ';', '\n', '\r'];

/// Names in a group or area cell: separated by commas, semicolons or line
/// breaks, trimmed, each once. A name in double quotes is one name even if
/// it holds a separator (`"Nord, Süd"; Lager`; `""` is a quote in it), as
/// [`join_names`] writes it; a quote that is not closed is a character.
pub fn split_names(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut push = |part: &str| {
        let name = nfc(part.trim());
        if !name.is_empty() && seen.insert(name.to_lowercase()) {
            out.push(name);
        }
    };
    let mut rest = value;
    loop {
        if let Some((name, after)) = quoted_name(rest) {
            push(&name);
            match after.strip_prefix(NAME_SEPARATORS) {
                Some(next) => rest = next,
                None => break,
            }
            continue;
        }
        match rest.split_once(NAME_SEPARATORS) {
            Some((part, next)) => {
                push(part);
                rest = next;
            }
            None => {
                push(rest);
                break;
            }
        }
    }
    out
}

/// A name in double quotes at the start of `text` (after blanks), with what
/// follows it: nothing, or a separator and more (after blanks). `None` if
/// `text` does not start so.
fn quoted_name(text: &str) -> Option<(String, &str)> {
    // Straight quotes, or the typographic ones a spreadsheet's autocorrect
    // makes of them (German „…“, English “…”).
    let start = text.trim_start_matches([' ', '\t']);
    let straight = start.starts_with('"');
    let inner = start.strip_prefix(['"', '„', '“'])?;
    // A straight quote is closed by one (`""` is a quote inside); a
    // typographic one by a typographic one.
    let closes = |c: char| {
        if straight {
            c == '"'
        } else {
            matches!(c, '“' | '”')
        }
    };
    let mut name = String::new();
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if !closes(c) {
            name.push(c);
            continue;
        }
        let after = &inner[i + c.len_utf8()..];
        if c == '"' && after.starts_with('"') {
            name.push('"');
            chars.next();
            continue;
        }
        let after = after.trim_start_matches([' ', '\t']);
        return (after.is_empty() || after.starts_with(NAME_SEPARATORS)).then_some((name, after));
    }
    None
}

/// Names as one cell, as [`split_names`] reads them back: separated by
/// ", ", a name that holds a separator or starts with a double quote put
/// in double quotes (its own quotes doubled).
pub fn join_names<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| {
            let n = n.as_ref();
            if n.contains(NAME_SEPARATORS) || n.trim_start().starts_with(['"', '„', '“']) {
                format!("\"{}\"", n.replace('"', "\"\""))
            } else {
                n.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The groups and areas a staged row adds, as stored: `group` or `area`, a
/// tab, the name; one per line (names hold no control characters:
/// `parse_user_row` refuses them).
pub fn encode_units<'a>(units: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (kind, name) in units {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(kind);
        out.push('\t');
        out.push_str(name);
    }
    out
}

/// The (kind, name) pairs of `encode_units`.
pub fn decode_units(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split('\n').filter_map(|line| line.split_once('\t'))
}

/// A whole number as a spreadsheet shows one with more digits than its
/// "General" format fits: `1.23456789012346E+19` (the reader writes those
/// from 16 digits on, where the file has lost the last ones), `1,23457E+16`
/// (a CSV that Excel saved in German shows 12 digits and more so, and keeps
/// no more than it shows). No number a person was given: text such as
/// `1E+5` or `2.5E-3` is no such number and stays as typed.
pub fn shortened_number(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    let whole = whole.strip_prefix('-').unwrap_or(whole);
    let Some(exponent) = exponent.strip_prefix('+') else {
        return false;
    };
    whole.len() == 1
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
        && exponent.parse::<u32>().is_ok_and(|e| e >= 11)
}

/// A value a spreadsheet made of what was typed, as the reader (or a CSV
/// that Excel or LibreOffice saved) shows it: a date (`31.12.9999`,
/// `1.2.2003`, `2/1/2003`, with a time `01.02.2003 10:30`), a time of day
/// (`10:30`, `10:30:00`, `10:30 AM`, an ODS time `PT10H30M00S`), a truth
/// value (`WAHR`, `FALSCH`; `TRUE`, `FALSE` from an English one). No
/// personnel number is one: `1-2-3` typed into a cell became a date, or a
/// column of check marks was taken for the numbers.
pub fn converted_value(text: &str) -> bool {
    fn number(part: &str, digits: std::ops::RangeInclusive<usize>, max: u32) -> Option<u32> {
        let n: u32 = (digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())??;
        (n <= max).then_some(n)
    }
    let clock = |t: &str| {
        let t = t
            .strip_suffix(" AM")
            .or_else(|| t.strip_suffix(" PM"))
            .unwrap_or(t);
        let mut parts = t.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(m), seconds, None) => {
                number(h, 1..=2, 23).is_some()
                    && number(m, 2..=2, 59).is_some()
                    && seconds.is_none_or(|s| number(s, 2..=2, 59).is_some())
            }
            _ => false,
        }
    };
    // German `1.2.2003` (day first); with slashes, month or day first
    // (`2/1/2003` in American, `1/2/2003` in British English).
    let date = |d: &str| {
        let slashes = d.contains('/');
        let mut parts = d.split(if slashes { '/' } else { '.' });
        let (Some(a), Some(b), Some(year), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let within = |p: &str, max: u32| number(p, 1..=2, max).is_some_and(|n| n > 0);
        number(year, 4..=4, 9999).is_some()
            && ((within(a, 31) && within(b, 12)) || (slashes && within(a, 12) && within(b, 31)))
    };
    // ISO 8601 durations as ODS writes a time of day: PT10H30M00S.
    let duration = |t: &str| {
        t.strip_prefix("PT").is_some_and(|rest| {
            let Some((h, rest)) = rest.split_once('H') else {
                return false;
            };
            let Some((m, rest)) = rest.split_once('M') else {
                return false;
            };
            let seconds = rest
                .strip_suffix('S')
                .map(|s| s.split('.').next().unwrap_or(s));
            number(h, 1..=4, 9999).is_some()
                && number(m, 1..=2, 59).is_some()
                && seconds.is_some_and(|s| number(s, 1..=2, 59).is_some())
        })
    };
    match text {
        "WAHR" | "FALSCH" | "TRUE" | "FALSE" => true,
        _ if duration(text) || clock(text) => true,
        _ => match text.split_once(' ') {
            Some((d, t)) => date(d) && clock(t),
            None => date(text),
        },
    }
}

/// Lines a file hides (by hand, by a filter, in a collapsed outline), kept
/// on a batch as ranges: "7-9,12".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HiddenLines(Vec<(u32, u32)>);

impl HiddenLines {
    /// From lines in order.
    pub fn of(lines: &[u32]) -> Self {
        let mut hidden = HiddenLines::default();
        for &line in lines {
            hidden.add(line, line);
        }
        hidden
    }

    /// Lines `first` to `last`, joined to the range before where they
    /// touch it (a sheet hiding a million rows makes one range).
    pub fn add(&mut self, first: u32, last: u32) {
        if let Some((start, end)) = self.0.last_mut()
            && *start <= first
            && end.saturating_add(1) >= first
        {
            *end = (*end).max(last);
        } else {
            self.0.push((first, last));
        }
    }

    /// How many ranges it holds.
    pub fn ranges(&self) -> usize {
        self.0.len()
    }

    /// In order and joined (a file may list its rows out of order).
    pub fn sorted(mut self) -> Self {
        if self.0.is_sorted() {
            return self;
        }
        self.0.sort_unstable();
        let mut joined = HiddenLines::default();
        for (first, last) in self.0 {
            joined.add(first, last);
        }
        joined
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (first, last)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&first.to_string());
            if last > first {
                out.push('-');
                out.push_str(&last.to_string());
            }
        }
        out
    }

    /// What [`encode`](Self::encode) wrote; anything else is left out.
    pub fn decode(text: &str) -> Self {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for part in text.split(',') {
            let (first, last) = part.split_once('-').unwrap_or((part, part));
            if let (Ok(first), Ok(last)) = (first.parse::<u32>(), last.parse::<u32>())
                && first <= last
                && ranges.last().is_none_or(|&(_, end)| end < first)
            {
                ranges.push((first, last));
            }
        }
        HiddenLines(ranges)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, line: u32) -> bool {
        let at = self.0.partition_point(|&(_, last)| last < line);
        self.0.get(at).is_some_and(|&(first, _)| first <= line)
    }

    /// How many hidden lines are rows of data (below the title row).
    pub fn count_below(&self, header: Option<u32>) -> u64 {
        let from = header.map_or(0, |h| h.saturating_add(1));
        self.0
            .iter()
            .filter(|&&(_, last)| last >= from)
            .map(|&(first, last)| u64::from(last - first.max(from)) + 1)
            .sum()
    }

    /// The first few hidden rows of data, as the page names them ("7–9, 12").
    pub fn shown_below(&self, header: Option<u32>, ranges: usize) -> (String, bool) {
        let from = header.map_or(0, |h| h.saturating_add(1));
        let mut below = self.0.iter().filter(|&&(_, last)| last >= from);
        let text = below
            .by_ref()
            .take(ranges)
            .map(|&(first, last)| {
                let first = first.max(from);
                if last > first {
                    format!("{first}–{last}")
                } else {
                    first.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        (text, below.next().is_some())
    }
}

/// Starts a formula in a spreadsheet program.
fn starts_formula(text: &str) -> bool {
    // An apostrophe of the text's own gets one more, so that taking the
    // first off on import gives the text back ("'-y", "'t Hooft").
    text.starts_with(['=', '+', '-', '@', '\t', '\r', '\n', '\''])
}

/// The value as it may go into a cell Einlass writes: text a spreadsheet
/// program could take for a formula gets an apostrophe in front.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_formula(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The value a cell Einlass exported stood for: its exports put an
/// apostrophe before text that would start a formula or starts with an
/// apostrophe itself ([`neutralise`]).
pub fn unneutralise(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\n', '\'']) => rest,
        _ => text,
    }
}

/// Whether the cell of `key` holds text quoted as literal (see
/// [`unneutralise`]): "'=1+1" is the text "=1+1", not a formula.
fn quoted(row: &Row, mapping: &Mapping, key: &str) -> bool {
    mapping
        .column_of(key)
        .is_some_and(|c| unneutralise(row.cell(c)).len() != row.cell(c).len())
}

/// A cell of a user row, as the import reads it: the apostrophe Einlass's
/// own exports put before formula-like text taken off, then trimmed.
fn value<'a>(row: &'a Row, mapping: &Mapping, key: &str) -> &'a str {
    mapping
        .column_of(key)
        .map(|c| unneutralise(row.cell(c)).trim())
        .unwrap_or("")
}

/// One row of a user import, parsed: the valid values and what is wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserRow {
    pub line: u32,
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    /// As given (valid), or `None` to be proposed.
    pub username: Option<String>,
    /// The address if it is valid.
    pub email: Option<String>,
    /// The address as the file gives it (for showing, valid or not).
    pub email_shown: String,
    pub personnel_number: Option<String>,
    /// A personnel number the row has but that is refused, as given (for
    /// showing and for the error list).
    pub number_shown: String,
    pub user_type: Option<UserType>,
    pub groups: Vec<String>,
    pub areas: Vec<String>,
    /// Which fields the file gives (update mode changes only these).
    pub given: Vec<&'static str>,
    pub problems: Vec<Problem>,
    /// A row refused as it was read: its cells as the file had them
    /// ([`encode_cells`]), for the error list. Empty otherwise (the values
    /// read are the cells then).
    pub cells: String,
}

impl UserRow {
    pub fn email_key(&self) -> Option<String> {
        self.email.as_deref().map(super::email::address_key)
    }
}

/// A cell that holds a formula's text instead of its result (`=…`, not
/// marked as text): no address or group name starts so.
fn formula_cell(row: &Row, mapping: &Mapping, key: &str, value: &str) -> bool {
    value.trim_start().starts_with('=') && !quoted(row, mapping, key)
}

pub fn formula_start(value: &str) -> bool {
    value.starts_with(['=', '+', '@'])
}

/// Whether a (trimmed) cell holds the error a spreadsheet shows for a
/// formula that failed: Excel's in English and German (`#N/A`, `#NV`,
/// `#WERT!`, …), as a computed result or as a CSV export writes it, and
/// LibreOffice's `Err:502`. Such a cell has no value to import; taken as
/// text it would become a name or a personnel number.
pub fn error_value(value: &str) -> bool {
    const ERRORS: [&str; 31] = [
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#UNKNOWN!",
        "#BUSY!",
        "#PYTHON!",
        "#EXTERNAL!",
        "#GETTING_DATA",
        "#WERT!",
        "#BEZUG!",
        "#ZAHL!",
        "#NV",
        "#ÜBERLAUF!",
        "#BERECHNEN!",
        "#FELD!",
        "#BLOCKIERT!",
        "#VERBINDEN!",
        "#UNBEKANNT!",
        "#AUSGELASTET!",
        "#DATEN_ABRUFEN",
        "#EXTERN!",
        "#KALK!",
    ];
    if let Some(code) = value.strip_prefix("Err:") {
        return code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
    }
    value.starts_with('#')
        && value.len() <= 16
        && ERRORS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(value) || e.to_lowercase() == value.to_lowercase())
}

/// Parses one data row by the mapping; every problem of the row is noted,
/// not only the first.
pub fn parse_user_row(row: &Row, mapping: &Mapping) -> UserRow {
    let mut out = UserRow {
        line: row.line,
        ..Default::default()
    };
    // A formula's error value stands for no value: the field says so and
    // is not read further (no second reason, such as "missing", for it).
    let mut failed: Vec<&'static str> = Vec::new();
    for f in USERS.fields {
        let v = value(row, mapping, f.key);
        if mapping.column_of(f.key).is_some() && !v.is_empty() {
            out.given.push(f.key);
        }
        if error_value(v) {
            failed.push(f.key);
            out.problems.push(Problem::ErrorValue(f.key, v.to_owned()));
        }
    }
    // A failed field reads as empty from here on.
    let read = |key: &str| {
        if failed.contains(&key) {
            ""
        } else {
            value(row, mapping, key)
        }
    };
    let mut name = |key: &'static str| -> String {
        if failed.contains(&key) {
            return printable(value(row, mapping, key));
        }
        let v = read(key);
        match PersonName::parse(v) {
            Ok(n) if formula_start(n.as_str()) && !quoted(row, mapping, key) => {
                out.problems.push(Problem::FormulaStart(key));
                n.as_str().to_owned()
            }
            Ok(n) => n.as_str().to_owned(),
            Err(e) => {
                out.problems.push(Problem::Invalid(key, e));
                printable(v)
            }
        }
    };
    let first = name("first_name");
    let last = name("last_name");
    out.first_name = first;
    out.last_name = last;
    let salutation = read("salutation");
    match parse_word(salutation, parse_salutation) {
        Ok(s) => out.salutation = s,
        Err(UnknownWord) => out
            .problems
            .push(Problem::UnknownSalutation(printable(salutation))),
    }
    let username = read("username");
    if !username.is_empty() {
        match Username::parse(username) {
            Ok(u) => out.username = Some(u.as_str().to_owned()),
            Err(e) => out.problems.push(Problem::Invalid("username", e)),
        }
    }
    if failed.contains(&"email") {
        out.email_shown = printable(value(row, mapping, "email"));
    }
    let email = read("email");
    if !email.is_empty() {
        out.email_shown = printable(email);
        match EmailAddress::parse(email) {
            Ok(e) => out.email = Some(e.as_str().to_owned()),
            // A formula whose result the file does not hold (not computed
            // since it was written): the advice, not "no address".
            Err(_) if formula_cell(row, mapping, "email", email) => {
                out.problems.push(Problem::FormulaStart("email"));
            }
            Err(e) => out.problems.push(Problem::Invalid("email", e)),
        }
    }
    if failed.contains(&"personnel_number") {
        out.number_shown = printable(value(row, mapping, "personnel_number"));
    }
    let number = read("personnel_number");
    match PersonnelNumber::parse(number) {
        Ok(Some(n)) if shortened_number(n.as_str()) => {
            out.problems.push(Problem::ShortenedNumber(
                "personnel_number",
                n.as_str().to_owned(),
            ));
            out.number_shown = printable(number);
        }
        Ok(Some(n)) if converted_value(n.as_str()) => {
            out.problems.push(Problem::ConvertedValue(
                "personnel_number",
                n.as_str().to_owned(),
            ));
            out.number_shown = printable(number);
        }
        Ok(Some(n)) if formula_start(n.as_str()) && !quoted(row, mapping, "personnel_number") => {
            out.problems.push(Problem::FormulaStart("personnel_number"));
            out.number_shown = printable(number);
        }
        Ok(n) => out.personnel_number = n.map(|n| n.as_str().to_owned()),
        Err(e) => {
            out.problems.push(Problem::Invalid("personnel_number", e));
            out.number_shown = printable(number);
        }
    }
    let user_type = read("user_type");
    match parse_word(user_type, parse_user_type) {
        Ok(t) => out.user_type = Some(t),
        Err(UnknownWord) => out
            .problems
            .push(Problem::UnknownUserType(printable(user_type))),
    }
    for (key, target) in [("groups", &mut out.groups), ("areas", &mut out.areas)] {
        let v = read(key);
        // The reader cut a longer cell: its last names are not all there.
        if v.len() > MAX_CELL_BYTES {
            out.problems
                .push(Problem::Invalid(key, FieldError::CellTooLong));
        } else if formula_cell(row, mapping, key, v) {
            out.problems.push(Problem::FormulaStart(key));
        } else if let Some(c) = v
            .chars()
            .find(|c| !matches!(c, '\n' | '\r') && crate::domain::text::is_forbidden(*c))
        {
            out.problems.push(Problem::Invalid(
                key,
                crate::domain::text::forbidden_character(c),
            ));
        } else {
            *target = split_names(v);
        }
    }
    if !out.problems.is_empty() {
        out.cells = encode_cells(row, mapping);
    }
    out
}

/// The cells of a row's mapped fields exactly as read (a NUL, which no
/// database text holds, as `�`: refused alike), each as its field, a tab,
/// its length in bytes, a tab and the cell (which may hold any character).
pub fn encode_cells(row: &Row, mapping: &Mapping) -> String {
    let mut out = String::new();
    for f in USERS.fields {
        if let Some(c) = mapping.column_of(f.key) {
            push_cell(&mut out, f.key, &row.cell(c).replace('\0', "\u{FFFD}"));
        }
    }
    out
}

fn push_cell(out: &mut String, key: &str, cell: &str) {
    out.push_str(&format!("{key}\t{}\t{cell}", cell.len()));
}

/// For a row refused only after it was read (a taken or doubled value, an
/// unknown group, …): cells that read back as the values it was read as,
/// for the fields the file gave (in [`encode_cells`]' form). Its values
/// passed every check of their own, so they are the cells but for blanks,
/// spelling of closed lists and Unicode form.
pub fn cells_of_values(row: &UserRow) -> String {
    let mut out = String::new();
    for key in &row.given {
        let value = match *key {
            "salutation" => match row.salutation {
                Some(Salutation::Frau) => "Frau".to_owned(),
                Some(Salutation::Herr) => "Herr".to_owned(),
                Some(Salutation::Divers) => "Divers".to_owned(),
                None => String::new(),
            },
            "first_name" => neutralise(&row.first_name).into_owned(),
            "last_name" => neutralise(&row.last_name).into_owned(),
            "username" => row.username.clone().unwrap_or_default(),
            "email" => neutralise(&row.email_shown).into_owned(),
            "personnel_number" => match &row.personnel_number {
                Some(n) => neutralise(n).into_owned(),
                None => neutralise(&row.number_shown).into_owned(),
            },
            "user_type" => match row.user_type {
                Some(UserType::Mitarbeiter) | None => "Mitarbeiter",
                Some(UserType::Extern) => "Extern",
                Some(UserType::Gast) => "Gast",
            }
            .to_owned(),
            "groups" => join_names(&row.groups),
            "areas" => join_names(&row.areas),
            _ => continue,
        };
        push_cell(&mut out, key, &value);
    }
    out
}

/// The cells of [`encode_cells`] by field (as far as `text` is such).
pub fn decode_cells(text: &str) -> std::collections::HashMap<String, String> {
    let mut cells = std::collections::HashMap::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once('\t')
        && let Some((len, after)) = after.split_once('\t')
        && let Ok(len) = len.parse::<usize>()
        && let Some(cell) = after.get(..len)
    {
        cells.insert(key.to_owned(), cell.to_owned());
        rest = &after[len..];
    }
    cells
}

/// A word of a closed list (salutation, user type) by `parse`, which folds
/// case and punctuation away: a control character in it is no spelling.
pub fn parse_word<T>(
    value: &str,
    parse: impl Fn(&str) -> Result<T, UnknownWord>,
) -> Result<T, UnknownWord> {
    if has_control(value) {
        return Err(UnknownWord);
    }
    parse(value)
}

/// A value for showing on the preview even when it is refused: control
/// characters as `�`, at most 100 characters.
fn printable(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if super::text::is_forbidden(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .take(100)
        .collect()
}

/// Marks every row whose value for `key` another row has too, naming the
/// other rows (an ambiguous value is imported for nobody).
pub fn mark_duplicates(
    rows: &mut [UserRow],
    field: &'static str,
    key_of: impl Fn(&UserRow) -> Option<String>,
) {
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(k) = key_of(row) {
            seen.entry(k).or_default().push(i);
        }
    }
    for indexes in seen.values().filter(|v| v.len() > 1) {
        for &i in indexes {
            let others: Vec<u32> = indexes
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| rows[j].line)
                .take(5)
                .collect();
            rows[i]
                .problems
                .push(Problem::DuplicateInFile(field, others));
        }
    }
}

// ---------------------------------------------------------------- batches

/// New people only, or also changes to people the file names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportMode {
    #[default]
    Create,
    Update,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Create => "create",
            ImportMode::Update => "update",
        }
    }

    /// What keeps a mapping of the user import from making a preview in
    /// this mode. In update mode a file with a column that finds people
    /// (personnel number, address or username) need not name them: a row
    /// without a name changes no name, and one that finds nobody is refused
    /// for the missing name as in a new-people import.
    pub fn mapping_problems(self, mapping: &Mapping) -> Vec<MappingProblem> {
        let mut problems = mapping.problems(&USERS);
        let finds_people = ["personnel_number", "email", "username"]
            .iter()
            .any(|k| mapping.column_of(k).is_some());
        if self == ImportMode::Update && finds_people {
            problems.retain(|p| !matches!(p, MappingProblem::Missing("first_name" | "last_name")));
        }
        problems
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ImportMode::Create, ImportMode::Update]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Where a batch stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchState {
    /// A workbook with several sheets: the admin picks one.
    Datei,
    /// The columns need the admin's mapping.
    Zuordnung,
    /// Rows staged; nothing written to the people yet.
    Vorschau,
    Importiert,
    Rueckgaengig,
    /// Undone, but for people who had taken their account.
    TeilweiseRueckgaengig,
    /// A preview dropped (or replaced by a new upload).
    Verworfen,
}

impl BatchState {
    pub const ALL: [BatchState; 7] = [
        BatchState::Datei,
        BatchState::Zuordnung,
        BatchState::Vorschau,
        BatchState::Importiert,
        BatchState::Rueckgaengig,
        BatchState::TeilweiseRueckgaengig,
        BatchState::Verworfen,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            BatchState::Datei => "datei",
            BatchState::Zuordnung => "zuordnung",
            BatchState::Vorschau => "vorschau",
            BatchState::Importiert => "importiert",
            BatchState::Rueckgaengig => "rueckgaengig",
            BatchState::TeilweiseRueckgaengig => "teilweise_rueckgaengig",
            BatchState::Verworfen => "verworfen",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Not yet written to the people: the steps before the commit.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            BatchState::Datei | BatchState::Zuordnung | BatchState::Vorschau
        )
    }
}

/// A batch as pages show it.
#[derive(Clone, Debug)]
pub struct ImportBatch {
    pub id: i64,
    pub state: BatchState,
    pub mode: ImportMode,
    pub file_name: String,
    pub format: String,
    pub sheet_name: Option<String>,
    pub header_line: Option<u32>,
    pub create_missing_units: bool,
    pub actor_label: String,
    pub created_at: time::PrimitiveDateTime,
    pub committed_at: Option<time::PrimitiveDateTime>,
    /// Who committed it (`actor_label` uploaded the file).
    pub committed_by: Option<String>,
    pub undone_at: Option<time::PrimitiveDateTime>,
    pub undone_by: Option<String>,
    pub preview_version: i32,
    pub counts: Counts,
    pub created: i64,
    pub updated: i64,
    pub removed: i64,
    pub kept: i64,
    /// Undo of an update: people whose values went back, and people of
    /// whom a value stayed (changed since the import).
    pub restored: i64,
    pub unrestored: i64,
    /// An open batch whose file has several sheets of data: another of
    /// them can be chosen.
    pub other_sheets: bool,
}

/// Rows of a preview by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: i64,
    pub new: i64,
    pub update: i64,
    pub unchanged: i64,
    pub error: i64,
}

/// One row of a preview as the page shows it.
#[derive(Clone, Debug)]
pub struct PreviewRow {
    pub line: u32,
    pub outcome: Outcome,
    pub salutation: Option<Salutation>,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub email: String,
    pub personnel_number: String,
    pub user_type: UserType,
    pub groups: Vec<String>,
    pub areas: Vec<String>,
    pub problems: Vec<Problem>,
}

/// What the mapping page shows: per column its title, first values and
/// field, and the rows that could hold the titles.
pub struct MappingPage {
    pub batch: ImportBatch,
    pub mapping: Mapping,
    pub titles: Vec<String>,
    pub samples: Vec<Vec<String>>,
    /// The first rows (line, first cells) to pick the title row from.
    pub head: Vec<Row>,
    pub problems: Vec<MappingProblem>,
    /// Fields that several column titles name (see [`Schema::doubled`]).
    pub doubled: Vec<(&'static str, Vec<usize>)>,
    /// Columns with a password title among their first rows: nothing of
    /// them is shown.
    pub secret_columns: Vec<usize>,
}

/// A preview page: the batch, a page of its rows (narrowed to an outcome),
/// the columns read and left out, and the groups and areas it would create.
pub struct Preview {
    pub batch: ImportBatch,
    pub rows: Vec<PreviewRow>,
    pub outcome: Option<Outcome>,
    /// First row number on this page (1-based among the narrowed rows).
    pub first: i64,
    pub next_after: Option<u32>,
    pub mapped: Vec<(String, &'static str)>,
    pub ignored: Vec<String>,
    pub to_create: Vec<(String, String)>,
    /// The file's format keeps no number formats (.xls) and rows to import
    /// have personnel numbers of digits only: leading zeros may be lost.
    pub zeros_hint: bool,
    /// Lines the file hides, and whether they are left out.
    pub hidden: HiddenLines,
    pub skip_hidden: bool,
    /// The accounts that hold a value a row on this page wants.
    pub holders: Vec<super::people::UserSummary>,
}

/// What an undo would do: how many people go, and who stays because he
/// has taken his account already.
pub struct UndoPlan {
    pub batch: ImportBatch,
    pub removable: i64,
    /// The first 200 of those who took their account (they stay).
    pub kept: Vec<super::people::UserSummary>,
    /// How many took their account (the list above may be shorter).
    pub kept_count: i64,
    /// People the import created who hold an admin role above the undoing
    /// admin's (given them since): he may not remove them, they stay.
    pub above_role_created: i64,
    /// People the import changed who now hold a role above his: their
    /// values stay as the import set them.
    pub above_role_changed: i64,
    /// The first 200 of both (created, then changed; in id order), named
    /// so the admin knows whom to ask.
    pub above_role: Vec<super::people::UserSummary>,
    /// Of the people to be removed, those changed since the import (by
    /// hand or by a later import): those changes go with them.
    pub removable_changed: i64,
    /// People the import changed who get all their previous values back.
    pub restorable: i64,
    /// People the import changed of whom a value stays (changed since, or
    /// its previous value another account's now); the rest comes back.
    pub changed_since: i64,
    /// The newest change to the batch's people the page knows of (an audit
    /// entry's id, 0 for none): an undo posted with it refuses to go on
    /// when someone was changed after it.
    pub last_change: i64,
}

impl UndoPlan {
    /// Someone created by the import stays: the admin undoes "the rest".
    pub fn keeps_someone(&self) -> bool {
        self.kept_count > 0 || self.above_role_created > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_trip_and_names_split_once_each() {
        let stored = encode_units([("group", "Lager Süd"), ("area", "Köln, Nord")]);
        assert_eq!(
            decode_units(&stored).collect::<Vec<_>>(),
            vec![("group", "Lager Süd"), ("area", "Köln, Nord")]
        );
        assert_eq!(decode_units("").count(), 0);
        assert_eq!(
            split_names("Lager; lager ,Büro\nBÜRO"),
            vec!["Lager", "Büro"]
        );
    }

    #[test]
    fn names_with_separators_are_quoted_and_read_back_as_one() {
        let names = [
            "Nord, Süd",
            "Nord",
            "Süd; Ost",
            "\"Zitat\" Gruppe",
            "A \"b\"",
        ];
        let cell = join_names(&names);
        assert_eq!(
            cell,
            "\"Nord, Süd\", Nord, \"Süd; Ost\", \"\"\"Zitat\"\" Gruppe\", A \"b\""
        );
        assert_eq!(split_names(&cell), names);
        // Typographic quotes inside straight ones are characters.
        let names = ["Team „Nord“, Süd", "„Ost“"];
        assert_eq!(split_names(&join_names(&names)), names);
        // Typographic quotes, as autocorrect makes them.
        assert_eq!(
            split_names("„Nord, Süd“; “Ost, West”, Lager"),
            ["Nord, Süd", "Ost, West", "Lager"]
        );
        // Typed by hand: blanks around quotes, other separators.
        assert_eq!(
            split_names(" \"Nord, Süd\" ;Lager\n\"Büro\""),
            ["Nord, Süd", "Lager", "Büro"]
        );
        // A quote not closed, or text after the closing one, is a character.
        assert_eq!(split_names("\"Nord, Süd"), ["\"Nord", "Süd"]);
        assert_eq!(split_names("\"Nord\" Süd, Ost"), ["\"Nord\" Süd", "Ost"]);
        assert_eq!(split_names("\"\", Lager"), ["Lager"]);
        assert_eq!(join_names::<&str>(&[]), "");
    }

    fn row(line: u32, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn a_password_column_is_emptied_under_its_header() {
        let row = |line: u32, cells: &[&str]| Row {
            line,
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
        };
        let mut rows = vec![
            row(1, &["Liste mit Passwort"]),
            row(2, &["Vorname", "Nachname", "Kennwort"]),
            row(3, &["Anna", "Muster", "geheim1"]),
            row(4, &["Pin", "Passwort"]),
        ];
        USERS.blank_secrets(&mut rows);
        assert_eq!(rows[0].cells, ["Liste mit Passwort"], "above the header");
        assert_eq!(rows[1].cells[2], "Kennwort", "the title stays");
        assert_eq!(rows[2].cells, ["Anna", "Muster", ""]);
        assert_eq!(rows[3].cells, ["Pin", "Passwort"], "other columns stay");
        // Without a header row nothing is known to be a password.
        let mut plain = vec![row(1, &["Anna", "geheim1"])];
        USERS.blank_secrets(&mut plain);
        assert_eq!(plain[0].cells, ["Anna", "geheim1"]);
        // Titles the schema does not know: under a password title all the
        // same.
        let mut unknown = vec![
            row(1, &["Wer", "Womit"]),
            row(2, &["Anna", "Passwort"]),
            row(3, &["Bernd", "geheim2"]),
        ];
        USERS.blank_secrets(&mut unknown);
        assert_eq!(unknown[1].cells, ["Anna", "Passwort"]);
        assert_eq!(unknown[2].cells, ["Bernd", ""]);
    }

    #[test]
    fn titles_are_recognised_in_german_and_english() {
        for (title, key) in [
            ("E-Mail", "email"),
            ("Email", "email"),
            ("Mail", "email"),
            ("E-Mail-Adresse", "email"),
            ("Vorname*", "first_name"),
            ("First name", "first_name"),
            ("Nachname", "last_name"),
            ("Last Name", "last_name"),
            ("Personalnummer", "personnel_number"),
            ("Pers.-Nr.", "personnel_number"),
            ("Employee ID", "personnel_number"),
            ("Gruppe(n)", "groups"),
            ("Groups", "groups"),
            ("Bereich/Standort", "areas"),
            ("Standort", "areas"),
            ("Anrede", "salutation"),
            ("Geschlecht", "salutation"),
            ("Nutzertyp", "user_type"),
            ("Benutzername", "username"),
        ] {
            assert_eq!(
                USERS.field_for_title(title).map(|f| f.key),
                Some(key),
                "{title}"
            );
        }
        assert!(USERS.field_for_title("Lieblingsfarbe").is_none());
        assert!(is_password_title("Passwort"));
        for title in [
            "PIN-Code",
            "PIN (4-stellig)",
            "PINs",
            "Passwörter",
            "Kennwörter",
            "Passcode",
            "Zugangscode",
            "Geheimzahl",
        ] {
            assert!(is_password_title(title), "{title}");
        }
        assert!(!is_password_title("Pinnwand"));
        assert!(is_password_title("Initial password"));
        assert!(!is_password_title("Vorname"));
    }

    #[test]
    fn the_header_may_follow_title_rows() {
        let head = vec![
            row(1, &["Mitarbeiterliste Werk Nord"]),
            row(3, &["Stand: 01.12.2026"]),
            row(5, &["Nachname", "Vorname", "Passwort", "E-Mail", "Hobby"]),
            row(6, &["Müller", "Anna", "geheim", "anna@example.com", "Rad"]),
        ];
        let m = Mapping::recognise(&USERS, &head);
        assert_eq!(m.header_line, Some(5));
        assert_eq!(
            m.columns,
            vec![
                Some("last_name"),
                Some("first_name"),
                None,
                Some("email"),
                None
            ]
        );
        assert!(m.problems(&USERS).is_empty());
        let decoded = Mapping::decode(&USERS, m.header_line, &m.encode());
        assert_eq!(decoded, m);
    }

    #[test]
    fn an_update_that_finds_people_needs_no_name_columns() {
        let head = vec![
            row(1, &["Personalnummer", "E-Mail"]),
            row(2, &["7", "a@b.de"]),
        ];
        let m = Mapping::recognise(&USERS, &head);
        assert_eq!(m.header_line, Some(1));
        assert!(ImportMode::Update.mapping_problems(&m).is_empty());
        assert_eq!(
            ImportMode::Create.mapping_problems(&m),
            vec![
                MappingProblem::Missing("first_name"),
                MappingProblem::Missing("last_name")
            ]
        );
        // Nothing that finds people: names are needed in either mode.
        let head = vec![row(1, &["Anrede", "Gruppen"]), row(2, &["Frau", "Lager"])];
        let m = Mapping::recognise(&USERS, &head);
        assert_eq!(
            ImportMode::Update.mapping_problems(&m),
            vec![
                MappingProblem::Missing("first_name"),
                MappingProblem::Missing("last_name")
            ]
        );
        // Other problems stay.
        let twice = Mapping {
            header_line: Some(1),
            columns: vec![Some("email"), Some("email")],
        };
        assert_eq!(
            ImportMode::Update.mapping_problems(&twice),
            vec![MappingProblem::Twice("email")]
        );
    }

    #[test]
    fn an_unknown_header_needs_a_mapping() {
        let head = vec![row(1, &["Wer", "Was"]), row(2, &["Anna", "x"])];
        let m = Mapping::recognise(&USERS, &head);
        assert_eq!(m.header_line, None);
        assert_eq!(
            m.problems(&USERS),
            vec![
                MappingProblem::Missing("first_name"),
                MappingProblem::Missing("last_name")
            ]
        );
        let twice = Mapping {
            header_line: Some(1),
            columns: vec![
                Some("first_name"),
                Some("last_name"),
                Some("email"),
                Some("email"),
            ],
        };
        assert_eq!(twice.problems(&USERS), vec![MappingProblem::Twice("email")]);
    }

    #[test]
    fn rows_are_parsed_with_every_problem() {
        let m = Mapping {
            header_line: Some(1),
            columns: vec![
                Some("salutation"),
                Some("first_name"),
                Some("last_name"),
                Some("email"),
                Some("personnel_number"),
                Some("groups"),
                Some("user_type"),
            ],
        };
        let ok = parse_user_row(
            &row(
                2,
                &[
                    "Fr.",
                    " Anna ",
                    "Mu\u{308}ller",
                    "Anna@Example.com",
                    "00123",
                    "Lager; Büro, Lager",
                    "",
                ],
            ),
            &m,
        );
        assert!(ok.problems.is_empty(), "{:?}", ok.problems);
        assert_eq!(ok.salutation, Some(Salutation::Frau));
        assert_eq!(ok.last_name, "Müller");
        assert_eq!(ok.email.as_deref(), Some("Anna@Example.com"));
        assert_eq!(ok.email_key().as_deref(), Some("anna@example.com"));
        assert_eq!(ok.personnel_number.as_deref(), Some("00123"));
        assert_eq!(ok.groups, vec!["Lager", "Büro"]);
        assert_eq!(ok.user_type, Some(UserType::Mitarbeiter));
        let bad = parse_user_row(
            &row(
                3,
                &[
                    "Käpt'n",
                    "=HYPERLINK(\"x\")",
                    "",
                    "kein-at",
                    "A\r\nB",
                    "",
                    "Chef",
                ],
            ),
            &m,
        );
        assert_eq!(
            bad.problems,
            vec![
                Problem::FormulaStart("first_name"),
                Problem::Invalid("last_name", FieldError::Required),
                Problem::UnknownSalutation("Käpt'n".into()),
                Problem::Invalid("email", FieldError::InvalidEmail),
                Problem::Invalid("personnel_number", FieldError::InvalidCharacters),
                Problem::UnknownUserType("Chef".into()),
            ]
        );
        // Einlass's own export: the apostrophe before a formula comes off.
        let exported = parse_user_row(&row(4, &["", "'-Anna", "Muster", "", "", "", ""]), &m);
        assert_eq!(exported.first_name, "-Anna");
    }

    #[test]
    fn control_and_replacement_characters_are_no_spelling() {
        let m = Mapping {
            header_line: Some(1),
            columns: vec![
                Some("salutation"),
                Some("first_name"),
                Some("last_name"),
                Some("user_type"),
            ],
        };
        // What a list of refused rows shows for a NUL comes back as U+FFFD.
        let row = parse_user_row(
            &row(2, &["Frau\0", "Nu\u{FFFD}ll", "Muster", "Gast\u{1}"]),
            &m,
        );
        assert_eq!(
            row.problems,
            vec![
                Problem::Invalid("first_name", FieldError::InvalidCharacters),
                Problem::UnknownSalutation("Frau\u{FFFD}".into()),
                Problem::UnknownUserType("Gast\u{FFFD}".into()),
            ]
        );
        assert_eq!(
            parse_word("Frau", parse_salutation),
            Ok(Some(Salutation::Frau))
        );
    }

    #[test]
    fn a_formula_error_value_is_named_and_read_as_no_value() {
        for e in [
            "#N/A",
            "#NV",
            "#nv",
            "#DIV/0!",
            "#WERT!",
            "#BEZUG!",
            "#ÜBERLAUF!",
            "#überlauf!",
            "Err:502",
        ] {
            assert!(error_value(e), "{e}");
        }
        for text in ["#1", "#NV1", "Err:50", "Err:5021", "#", "", "NV", "#Lager"] {
            assert!(!error_value(text), "{text}");
        }
        let m = Mapping {
            header_line: Some(1),
            columns: vec![
                Some("first_name"),
                Some("last_name"),
                Some("email"),
                Some("personnel_number"),
            ],
        };
        let row = parse_user_row(&row(2, &["Anna", " #NV ", "#N/A", "#DIV/0!"]), &m);
        // One reason each, not "missing" beside it; shown as the file has it.
        assert_eq!(
            row.problems,
            vec![
                Problem::ErrorValue("last_name", "#NV".into()),
                Problem::ErrorValue("email", "#N/A".into()),
                Problem::ErrorValue("personnel_number", "#DIV/0!".into()),
            ]
        );
        assert_eq!(row.last_name, "#NV");
        assert_eq!((row.email, row.email_shown.as_str()), (None, "#N/A"));
        assert_eq!(
            (row.personnel_number, row.number_shown.as_str()),
            (None, "#DIV/0!")
        );
        let stored = encode_problems(&row.problems);
        assert_eq!(decode_problems(&stored), row.problems);
    }

    #[test]
    fn duplicates_name_each_other() {
        let mut rows: Vec<UserRow> = [(2, "a@x.de"), (3, "b@x.de"), (7, "A@x.de")]
            .iter()
            .map(|(line, e)| UserRow {
                line: *line,
                email: Some((*e).into()),
                ..Default::default()
            })
            .collect();
        mark_duplicates(&mut rows, "email", UserRow::email_key);
        assert_eq!(
            rows[0].problems,
            vec![Problem::DuplicateInFile("email", vec![7])]
        );
        assert!(rows[1].problems.is_empty());
        assert_eq!(
            rows[2].problems,
            vec![Problem::DuplicateInFile("email", vec![2])]
        );
    }

    #[test]
    fn problems_survive_storage() {
        let all = vec![
            Problem::Invalid("email", FieldError::InvalidEmail),
            Problem::Invalid("first_name", FieldError::TooLong(100)),
            Problem::FormulaStart("last_name"),
            Problem::UnknownSalutation("Käpt'n".into()),
            Problem::UnknownUserType("Chef".into()),
            Problem::UnknownGroups(vec!["Lager".into(), "Büro\u{1e}x".into()]),
            Problem::UnknownAreas(vec!["Nord".into()]),
            Problem::DuplicateInFile("personnel_number", vec![4, 9]),
            Problem::Taken("username", None),
            Problem::Taken("email", Some(42)),
            Problem::EmailConfirmed,
            Problem::TwoPeople,
            Problem::AboveRole,
            Problem::Change("last_name", "Alt".into(), "Neu".into()),
            Problem::UncreatableUnits("areas", vec!["=cmd()".into()]),
            Problem::FoundNobody,
            Problem::Invalid("last_name", FieldError::NameWithoutLetter),
        ];
        let back = decode_problems(&encode_problems(&all));
        assert_eq!(back.len(), all.len());
        // Control characters leave a stored value; everything else is kept.
        assert_eq!(
            back[5],
            Problem::UnknownGroups(vec!["Lager".into(), "Bürox".into()])
        );
        for (i, (b, a)) in back.iter().zip(&all).enumerate() {
            if i != 5 {
                assert_eq!(b, a, "{i}");
            }
        }
        assert!(decode_problems("").is_empty());
        assert!(decode_problems("nonsense\u{1f}x").is_empty());
    }

    #[test]
    fn salutations_and_types_as_people_write_them() {
        assert_eq!(parse_salutation("Herr"), Ok(Some(Salutation::Herr)));
        assert_eq!(parse_salutation("männlich"), Ok(Some(Salutation::Herr)));
        assert_eq!(parse_salutation("Ms."), Ok(Some(Salutation::Frau)));
        assert_eq!(parse_salutation("d"), Ok(Some(Salutation::Divers)));
        assert_eq!(parse_salutation(""), Ok(None));
        assert!(parse_salutation("Dr.").is_err());
        assert_eq!(parse_user_type("Extern"), Ok(UserType::Extern));
        assert_eq!(parse_user_type("Guest"), Ok(UserType::Gast));
        assert!(parse_user_type("Chef").is_err());
    }

    #[test]
    fn hidden_lines_are_kept_as_ranges_and_counted_below_the_titles() {
        let hidden = HiddenLines::of(&[1, 4, 5, 6, 9, 11, 12]);
        assert_eq!(hidden.encode(), "1,4-6,9,11-12");
        assert_eq!(HiddenLines::decode(&hidden.encode()), hidden);
        assert!(hidden.contains(5) && hidden.contains(12) && !hidden.contains(7));
        assert_eq!(hidden.count_below(None), 7);
        assert_eq!(hidden.count_below(Some(4)), 5);
        assert_eq!(hidden.shown_below(Some(4), 2), ("5–6, 9".to_owned(), true));
        assert_eq!(hidden.shown_below(Some(11), 5), ("12".to_owned(), false));
        // A forged or damaged value: what reads as ranges in order.
        assert_eq!(HiddenLines::decode("3-2,x,5,4,7-8").encode(), "5,7-8");
        assert!(HiddenLines::decode("").is_empty());
    }

    #[test]
    fn numbers_a_spreadsheet_shortened_are_told_apart() {
        for text in [
            "1.23456789012346E+19",
            "1E+30",
            "-1.5E+16",
            "1,23457E+16",
            "1,23457E+11",
        ] {
            assert!(shortened_number(text), "{text}");
        }
        for text in [
            "00123",
            "E+12",
            "1E",
            "1E+",
            "12E+13",
            "AB-1E+15",
            "1.2.3E+14",
            "1e15x",
            "1E+5",
            "1.5E+3",
            "9.9E-10",
            "1E16",
            "1,5E+10",
        ] {
            assert!(!shortened_number(text), "{text}");
        }
    }

    #[test]
    fn dates_times_and_truth_values_are_no_numbers() {
        for text in [
            "WAHR",
            "FALSCH",
            "TRUE",
            "FALSE",
            "31.12.9999",
            "01.02.2003",
            "1.2.2003",
            "29.02.2024 10:30",
            "10:30",
            "0:05",
            "10:30:00",
            "10:30 AM",
            "2/1/2003",
            "12/31/9999",
            "PT10H30M00S",
            "PT0H05M00.000S",
            "1/2/2003 10:30 PM",
        ] {
            assert!(converted_value(text), "{text}");
        }
        for text in [
            "wahr",
            "00123",
            "1.2.3",
            "12.34.5678",
            "00.01.2000",
            "01.13.2000",
            "1.2.20034",
            "1.2.03",
            "P-1.2.2003",
            "10:3",
            "24:00",
            "10:60",
            "01.02.2003 x",
            "4711 10:30",
            "",
            "1/2/3",
            "1.2/2003",
            "13/13/2003",
            "10:30:0",
            "PT10H",
            "PTxHyM",
            "10:30 XM",
        ] {
            assert!(!converted_value(text), "{text}");
        }
    }
}
