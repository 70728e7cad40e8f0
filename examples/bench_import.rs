//! The import benchmark's helpers (benches/import.sh runs them):
//!
//! - `generate FILE ROWS`: an .xlsx with ROWS people in 8 columns, about 1 %
//!   invalid addresses and 0.5 % addresses twice;
//! - `floor-read FILE`: calamine reading the file alone (its simplest API,
//!   the whole sheet as a range), best of three, in ms;
//! - `floor-insert DATABASE_URL FILE`: a bare insert of the same rows into
//!   the users table (SQLite: one prepared statement in one transaction;
//!   PostgreSQL: multi-row inserts), timed from BEGIN to COMMIT, in ms; the
//!   rows are deleted again afterwards (not timed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use calamine::{Data, Reader};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use einlass::db::DbConn;
use einlass::db::schema::users;

const FIRST: &[&str] = &[
    "Anna", "Bernd", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas",
    "Katrin", "Lukas", "Mia", "Noah", "Olga", "Paul", "Quirin", "Rita", "Sven", "Tanja", "Ümit",
    "Zoë",
];
const LAST: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Öztürk",
    "Yılmaz",
];
const GROUPS: &[&str] = &["Verwaltung", "Produktion", "Logistik", "Vertrieb"];
const AREAS: &[&str] = &["Standort Nord", "Standort Süd", "Werk Ost"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => generate(&args[2], args[3].parse().unwrap()),
        Some("floor-read") => floor_read(&args[2]),
        Some("floor-insert") => floor_insert(&args[2], &args[3]),
        _ => {
            eprintln!(
                "usage: bench_import generate FILE ROWS | floor-read FILE | floor-insert URL FILE"
            );
            std::process::exit(2);
        }
    }
}

fn generate(path: &str, rows: u32) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    sheet.set_name("Mitarbeiter").unwrap();
    let header = [
        "Anrede",
        "Vorname",
        "Nachname",
        "E-Mail",
        "Personalnummer",
        "Nutzertyp",
        "Gruppen",
        "Standort",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = i + 1;
        let first = FIRST[(i as usize * 7) % FIRST.len()];
        let last = LAST[(i as usize * 13) % LAST.len()];
        let email = if i % 100 == 37 {
            format!("kaputt{i}(at)import-firma.de")
        } else if i % 200 == 11 && i > 0 {
            // The address of the row before: twice in the file.
            format!("p{}@import-firma.de", i - 1)
        } else {
            format!("p{i}@import-firma.de")
        };
        let salutation = ["Frau", "Herr", "divers", ""][i as usize % 4];
        let values = [
            salutation.to_owned(),
            first.to_owned(),
            format!("{last}-{i}"),
            email,
            format!("I{i:07}"),
            if i % 10 == 0 { "Extern" } else { "Mitarbeiter" }.to_owned(),
            GROUPS[i as usize % GROUPS.len()].to_owned(),
            AREAS[i as usize % AREAS.len()].to_owned(),
        ];
        for (c, v) in values.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r, c as u16, v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

fn floor_read(path: &str) {
    let mut best = f64::MAX;
    let mut cells = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        cells = range.used_cells().count();
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!("floor_read_ms={best:.0} cells={cells}");
}

/// The rows of the file as the users table takes them, without any check.
fn rows_of(path: &str) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .skip(1)
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct Row {
    salutation: Option<String>,
    first_name: String,
    last_name: String,
    username: String,
    email: Option<String>,
    email_lower: Option<String>,
    email_confirmed: bool,
    personnel_number: Option<String>,
    user_type: String,
    is_staff: bool,
    status: String,
    must_change_password: bool,
    sort_name: String,
    search_text: String,
    created_at: time::PrimitiveDateTime,
    updated_at: time::PrimitiveDateTime,
}

fn floor_insert(url: &str, path: &str) {
    let now = time::OffsetDateTime::now_utc();
    let now = time::PrimitiveDateTime::new(now.date(), now.time());
    let rows: Vec<Row> = rows_of(path)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let get = |c: usize| r.get(c).cloned().unwrap_or_default();
            let email = format!("floor{i}@import-floor.de");
            Row {
                salutation: Some(get(0).to_lowercase()).filter(|s| !s.is_empty()),
                first_name: get(1),
                last_name: get(2),
                username: format!("floor.{i}"),
                email_lower: Some(email.clone()),
                email: Some(email),
                email_confirmed: false,
                personnel_number: Some(format!("F{i:07}")),
                user_type: "mitarbeiter".into(),
                is_staff: false,
                status: "angelegt".into(),
                must_change_password: false,
                sort_name: format!("{} {}", get(2), get(1)).to_lowercase(),
                search_text: format!("{} {} floor.{i}", get(1), get(2)).to_lowercase(),
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    let target = einlass::db::DatabaseTarget::parse(url).unwrap();
    let mut conn = einlass::db::DbManager::new(target)
        .unwrap()
        .establish()
        .unwrap();
    let started = Instant::now();
    match &mut conn {
        DbConn::Sqlite(c) => {
            c.batch_execute("BEGIN IMMEDIATE").unwrap();
            for row in &rows {
                diesel::insert_into(users::table)
                    .values(row)
                    .execute(c)
                    .unwrap();
            }
            c.batch_execute("COMMIT").unwrap();
        }
        DbConn::Postgres(c) => {
            c.batch_execute("BEGIN").unwrap();
            for chunk in rows.chunks(2000) {
                diesel::insert_into(users::table)
                    .values(chunk)
                    .execute(c)
                    .unwrap();
            }
            c.batch_execute("COMMIT").unwrap();
        }
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("floor_insert_ms={ms:.0} rows={}", rows.len());
    conn.batch_execute("DELETE FROM users WHERE email_lower LIKE '%@import-floor.de'")
        .unwrap();
}
