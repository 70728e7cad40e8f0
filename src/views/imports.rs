//! The import pages: upload and history, sheet choice, column mapping,
//! preview, the batch after its commit, and its undo.

use askama::Template;

use super::{Page, filters};
use crate::domain::import::{
    BatchState, ImportBatch, MappingPage, MappingProblem, Outcome, Preview, Problem, USERS,
    UndoPlan,
};

/// Helpers every import page shares.
fn column_letter(column: usize) -> String {
    let mut column = column;
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "pages/imports/index.html")]
pub struct ImportsView {
    pub p: Page,
    pub batches: Vec<ImportBatch>,
    pub older: Option<i64>,
    /// Why the last upload was refused (nothing was stored).
    pub error: Option<String>,
    pub mode: String,
    pub max_mb: u64,
    pub max_rows: u32,
}

impl ImportsView {
    pub fn state(&self, b: &ImportBatch) -> &'static str {
        self.p.t.import_state(b.state)
    }

    pub fn href(&self, b: &ImportBatch) -> String {
        format!("/imports/{}", b.id)
    }

    pub fn other_lang(&self) -> &'static str {
        self.p.t.other_language_code
    }
}

#[derive(Template)]
#[template(path = "pages/imports/sheet.html")]
pub struct ImportSheetView {
    pub p: Page,
    pub batch: ImportBatch,
    pub sheets: Vec<crate::spreadsheet::Sheet>,
    pub chosen: String,
    pub error: Option<String>,
}

impl ImportSheetView {
    /// A sheet was read already: the page offers another (and the way
    /// back to the one read).
    pub fn rechoosing(&self) -> bool {
        self.batch.state != crate::domain::import::BatchState::Datei
    }
}

#[derive(Template)]
#[template(path = "pages/imports/mapping.html")]
pub struct ImportMappingView {
    pub p: Page,
    pub page: MappingPage,
    pub shown_problems: bool,
}

impl ImportMappingView {
    pub fn letter(&self, column: &usize) -> String {
        column_letter(*column)
    }

    pub fn columns(&self) -> Vec<usize> {
        (0..self.page.mapping.columns.len()).collect()
    }

    pub fn title(&self, column: &usize) -> String {
        crate::domain::import::shown_title(&self.page.titles, &self.page.secret_columns, *column)
    }

    pub fn samples(&self, column: &usize) -> String {
        self.page
            .samples
            .get(*column)
            .map(|s| {
                s.iter()
                    .filter(|v| !v.is_empty())
                    .map(|v| v.chars().take(40).collect::<String>())
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    }

    pub fn field_of(&self, column: &usize) -> &'static str {
        self.page
            .mapping
            .columns
            .get(*column)
            .copied()
            .flatten()
            .unwrap_or("")
    }

    /// A column titled like a password: never read, so nothing to choose.
    pub fn is_secret(&self, column: &usize) -> bool {
        self.page.secret_columns.contains(column)
    }

    pub fn is_field(&self, column: &usize, key: &str) -> bool {
        self.field_of(column) == key
    }

    pub fn fields(&self) -> Vec<(&'static str, &'static str)> {
        USERS
            .fields
            .iter()
            .map(|f| (f.key, self.p.t.import_field(f.key)))
            .collect()
    }

    pub fn is_header(&self, line: &u32) -> bool {
        self.page.mapping.header_line == Some(*line)
    }

    pub fn head_label(&self, row: &crate::domain::import::Row) -> String {
        let cells: Vec<String> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !c.trim().is_empty()
                    && (!self.page.secret_columns.contains(i)
                        || crate::domain::import::is_password_title(c))
            })
            .map(|(_, c)| c)
            .take(5)
            .map(|c| c.chars().take(24).collect())
            .collect();
        format!(
            "{} {}: {}",
            self.p.t.import_line,
            self.p.number(i64::from(row.line)),
            cells.join(", ")
        )
    }

    /// "Several columns are titled like the field E-Mail (D, F)." per field.
    pub fn doubled(&self) -> Vec<String> {
        self.page
            .doubled
            .iter()
            .map(|(field, columns)| {
                let letters: Vec<String> = columns.iter().map(|c| self.letter(c)).collect();
                let t = self.p.t;
                format!(
                    "{} {}{}{} ({}).",
                    t.import_mapping_doubled,
                    t.q_open,
                    t.import_field(field),
                    t.q_close,
                    letters.join(", ")
                )
            })
            .collect()
    }

    pub fn problem(&self, p: &MappingProblem) -> String {
        match p {
            MappingProblem::Missing(f) => {
                format!(
                    "{} {}.",
                    self.p.t.import_mapping_missing,
                    self.p.t.import_field(f)
                )
            }
            MappingProblem::Twice(f) => {
                format!(
                    "{} {}.",
                    self.p.t.import_mapping_twice,
                    self.p.t.import_field(f)
                )
            }
        }
    }
}

#[derive(Template)]
#[template(path = "pages/imports/preview.html")]
pub struct ImportPreviewView {
    pub p: Page,
    pub preview: Preview,
    pub notice: Option<String>,
}

impl ImportPreviewView {
    /// Rows of data the file hides (below the title row).
    pub fn hidden_count(&self) -> u64 {
        self.preview
            .hidden
            .count_below(self.preview.batch.header_line)
    }

    /// The first of them, as lines ("Zeilen 7–9, 12 …", "Zeile 7").
    pub fn hidden_shown(&self) -> String {
        let (text, more) = self
            .preview
            .hidden
            .shown_below(self.preview.batch.header_line, 12);
        let word = if self.hidden_count() == 1 {
            self.p.t.import_line_word
        } else {
            self.p.t.import_lines
        };
        if more {
            format!("{word} {text} …")
        } else {
            format!("{word} {text}")
        }
    }

    /// A row on the page the file hides (and that is imported).
    pub fn row_hidden(&self, line: &u32) -> bool {
        !self.preview.skip_hidden && self.preview.hidden.contains(*line)
    }

    pub fn outcome(&self, o: &Outcome) -> &'static str {
        self.p.t.import_outcome(*o)
    }

    pub fn problem(&self, p: &Problem) -> String {
        self.p.t.import_problem(p)
    }

    /// The account that holds what a "taken" problem names, if it is known.
    pub fn holder(&self, p: &Problem) -> Option<&crate::domain::people::UserSummary> {
        match p {
            Problem::Taken(_, Some(id)) => self.preview.holders.iter().find(|u| u.id.get() == *id),
            _ => None,
        }
    }

    pub fn field(&self, key: &&'static str) -> &'static str {
        self.p.t.import_field(key)
    }

    /// Outcome filters with their counts: (code, label, count, current).
    pub fn filters(&self) -> Vec<(&'static str, &'static str, i64, bool)> {
        let c = &self.preview.batch.counts;
        let mut out = vec![("", self.p.t.all, c.total, self.preview.outcome.is_none())];
        for (o, n) in [
            (Outcome::Neu, c.new),
            (Outcome::Aenderung, c.update),
            (Outcome::Unveraendert, c.unchanged),
            (Outcome::Fehler, c.error),
        ] {
            if n > 0 || self.preview.outcome == Some(o) {
                out.push((
                    o.as_str(),
                    self.p.t.import_outcome(o),
                    n,
                    self.preview.outcome == Some(o),
                ));
            }
        }
        out
    }

    pub fn filter_href(&self, code: &&str) -> String {
        if code.is_empty() {
            format!("/imports/{}", self.preview.batch.id)
        } else {
            format!("/imports/{}?outcome={code}", self.preview.batch.id)
        }
    }

    pub fn next_href(&self) -> Option<String> {
        let after = self.preview.next_after?;
        let base = format!("/imports/{}?after={after}", self.preview.batch.id);
        Some(match self.preview.outcome {
            Some(o) => format!("{base}&outcome={}", o.as_str()),
            None => base,
        })
    }

    pub fn first_href(&self) -> Option<String> {
        (self.preview.first > 1)
            .then(|| self.filter_href(&self.preview.outcome.map(Outcome::as_str).unwrap_or("")))
    }

    /// The groups and the areas the import creates, each kind with its
    /// label: ("Gruppen", "Nachtdienst, Springer").
    pub fn to_create(&self) -> Vec<(&'static str, String)> {
        [
            ("group", self.p.t.field_groups),
            ("area", self.p.t.field_areas),
        ]
        .into_iter()
        .filter_map(|(kind, label)| {
            let names: Vec<&str> = self
                .preview
                .to_create
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, n)| n.as_str())
                .collect();
            (!names.is_empty()).then(|| (label, names.join(", ")))
        })
        .collect()
    }

    /// Group or area names as a file would give them: one with a comma or
    /// semicolon in double quotes ("Nord, Süd" is one name, not two).
    pub fn names(&self, names: &[String]) -> String {
        crate::domain::import::join_names(names)
    }

    /// A user type other than the usual one (Mitarbeiter), to show.
    pub fn other_type(&self, row: &crate::domain::import::PreviewRow) -> Option<&'static str> {
        (row.user_type != crate::domain::UserType::Mitarbeiter)
            .then(|| self.p.t.user_type(row.user_type))
    }

    pub fn importable(&self) -> i64 {
        self.preview.batch.counts.new + self.preview.batch.counts.update
    }

    pub fn has_unknown_units(&self) -> bool {
        self.preview.batch.create_missing_units
            || self.preview.rows.iter().any(|r| {
                r.problems
                    .iter()
                    .any(|p| matches!(p, Problem::UnknownGroups(_) | Problem::UnknownAreas(_)))
            })
            || self.preview.outcome == Some(Outcome::Fehler)
    }

    pub fn is_update(&self) -> bool {
        self.preview.batch.mode == crate::domain::import::ImportMode::Update
    }

    pub fn last_row(&self) -> i64 {
        self.preview.first + self.preview.rows.len() as i64 - 1
    }

    pub fn shown_total(&self) -> i64 {
        let c = &self.preview.batch.counts;
        match self.preview.outcome {
            None => c.total,
            Some(Outcome::Neu) => c.new,
            Some(Outcome::Aenderung) => c.update,
            Some(Outcome::Unveraendert) => c.unchanged,
            Some(Outcome::Fehler) => c.error,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/imports/batch.html")]
pub struct ImportBatchView {
    pub p: Page,
    pub batch: ImportBatch,
    /// People of the batch not invited yet.
    pub not_invited: i64,
}

impl ImportBatchView {
    pub fn state(&self) -> &'static str {
        self.p.t.import_state(self.batch.state)
    }

    pub fn may_undo(&self) -> bool {
        self.batch.state == BatchState::Importiert
    }

    pub fn users_href(&self) -> String {
        format!("/users?import={}", self.batch.id)
    }
}

#[derive(Template)]
#[template(path = "pages/imports/undo.html")]
pub struct ImportUndoView {
    pub p: Page,
    pub plan: UndoPlan,
    /// Why the page is shown again (someone took his account, or was
    /// changed, after the admin looked): nothing was undone yet.
    pub changed: Option<&'static str>,
}

impl ImportUndoView {
    pub fn may_undo(&self) -> bool {
        self.plan.batch.state == BatchState::Importiert
    }
}
