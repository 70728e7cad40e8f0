//! /imports: spreadsheets made by other programs (tests/fixtures/import,
//! see make.sh), every outcome of the preview, the mapping and sheet steps,
//! the commit (atomic, once), undo in all its cases, the update mode, the
//! export round trip, and files that try to break the reader.

use einlass::domain::{AdminRole, UserStatus};
use einlass::services::{self, Actor};
use reqwest::StatusCode;

use crate::support::{TestApp, assert_redirect, location, value_of};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The groups and area the fixture names (all but "Unbekannt").
async fn fixture_units(app: &TestApp) {
    let system = Actor::system("test");
    for name in ["Lager", "Versand"] {
        services::units::create(
            &app.ctx,
            &system,
            einlass::domain::units::UnitKind::Group,
            name,
        )
        .await
        .unwrap();
    }
    services::units::create(
        &app.ctx,
        &system,
        einlass::domain::units::UnitKind::Area,
        "Werk Nord",
    )
    .await
    .unwrap();
}

/// Uploads and follows to the batch page; (batch id, page).
async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>, mode: &str) -> (i64, String) {
    let res = app.upload_import(name, bytes, mode).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let at = location(&res);
    let id: i64 = at.trim_start_matches("/imports/").parse().unwrap();
    let (status, page) = app.get_html(&at).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    (id, page)
}

/// The preview's rows: (line, outcome, notes).
fn preview_rows(page: &str) -> Vec<(u32, String, String)> {
    let doc = scraper::Html::parse_document(page);
    let row = scraper::Selector::parse("table[data-preview] tbody tr").unwrap();
    let notes = scraper::Selector::parse("td:last-child").unwrap();
    doc.select(&row)
        .map(|tr| {
            (
                tr.value().attr("data-line").unwrap().parse().unwrap(),
                tr.value().attr("data-outcome").unwrap().to_owned(),
                tr.select(&notes)
                    .next()
                    .map(|n| n.text().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn version(page: &str) -> String {
    crate::support::value_of(page, "input[name=version]").unwrap()
}

/// Chooses "create the missing groups and areas" on a preview; the preview
/// as it is then.
async fn create_missing_units(app: &TestApp, id: i64) -> String {
    let res = app
        .post(&format!("/imports/{id}/units"), &[("create", "1")])
        .await;
    assert_redirect(&res, &format!("/imports/{id}"));
    app.get_html(&format!("/imports/{id}")).await.1
}

/// Undoes a batch as an admin does: the confirmation page, then its button
/// (with the newest change the page showed).
async fn post_undo(app: &TestApp, id: i64, form: &[(&str, &str)]) -> reqwest::Response {
    let (_, page) = app.get_html(&format!("/imports/{id}/undo")).await;
    let seen = page
        .split(r#"name="seen" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("0")
        .to_owned();
    let mut all = vec![("seen", seen.as_str())];
    all.extend_from_slice(form);
    app.post(&format!("/imports/{id}/undo"), &all).await
}

async fn commit(app: &TestApp, id: i64, page: &str) -> reqwest::Response {
    app.post(
        &format!("/imports/{id}/commit"),
        &[("version", &version(page))],
    )
    .await
}

/// Posts a mapping (title row 1) and follows to the preview it makes.
async fn map_columns(app: &TestApp, id: i64, columns: &[(&str, &str)]) -> String {
    let mut form = vec![("header_line", "1")];
    form.extend_from_slice(columns);
    let res = app.post(&format!("/imports/{id}/mapping"), &form).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    app.get_html(&format!("/imports/{id}")).await.1
}

/// What the fixture's rows come to in a fresh instance.
fn assert_fixture_preview(page: &str, format: &str) {
    let rows = preview_rows(page);
    let outcome = |line: u32| {
        rows.iter()
            .find(|r| r.0 == line)
            .unwrap_or_else(|| panic!("{format}: row {line} in {rows:?}"))
            .clone()
    };
    assert_eq!(rows.len(), 8, "{format}: {rows:?}");
    // Anna and Frank share an address: neither is imported.
    assert_eq!(outcome(4).1, "fehler", "{format}");
    assert!(
        outcome(4)
            .2
            .contains("doppelt in der Datei, auch in Zeile 9"),
        "{format}: {:?}",
        outcome(4)
    );
    assert_eq!(outcome(9).1, "fehler", "{format}");
    assert_eq!(outcome(5).1, "neu", "{format}: {:?}", outcome(5));
    assert_eq!(outcome(6).1, "neu", "{format}");
    assert_eq!(outcome(7).1, "neu", "{format}: no address is fine");
    assert!(
        outcome(8).2.contains("E-Mail"),
        "{format}: {:?}",
        outcome(8)
    );
    assert!(
        outcome(10).2.contains("Vorname"),
        "{format}: {:?}",
        outcome(10)
    );
    assert!(
        outcome(11).2.contains("Unbekannt"),
        "{format}: {:?}",
        outcome(11)
    );
    assert!(
        page.contains("Passwort"),
        "{format}: the password column is listed as not imported"
    );
    assert!(
        !page.contains("geheim1"),
        "{format}: a password is never read"
    );
}

db_test!(files_from_other_programs_preview_alike, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    fixture_units(&app).await;
    for name in [
        "people.xlsx",
        "people-libreoffice.xlsx",
        "people.xls",
        "people.ods",
        "people-semicolon-1252.csv",
        "people-comma-utf8.csv",
    ] {
        let before = app.count_users().await;
        let (id, page) = upload(&app, name, fixture(name), "create").await;
        assert_fixture_preview(&page, name);
        // Only the .xls lost the zeros of 00123: the preview says so.
        assert_eq!(
            page.contains("data-zeros-hint"),
            name == "people.xls",
            "{name}: {page}"
        );
        // Nothing is written by a preview.
        assert_eq!(app.count_users().await, before);
        // Undo before any commit: refused, in the import's words.
        let res = post_undo(&app, id, &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, body) = app.get_html(&location(&res)).await;
        assert!(body.contains("nichts rückgängig zu machen"), "{body}");
        let res = app.post(&format!("/imports/{id}/discard"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // Umlauts from the Windows-1252 file arrive as such.
    let (_, page) = upload(
        &app,
        "x.csv",
        fixture("people-semicolon-1252.csv"),
        "create",
    )
    .await;
    assert!(page.contains("Öztürk"), "{page}");
});

db_test!(
    a_formula_without_its_result_is_refused_not_read_as_empty,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let name = "people-formulas.xlsx";
        let (_, page) = upload(&app, name, fixture(name), "create").await;
        let rows = preview_rows(&page);
        let outcome = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
        // openpyxl stored the formulas, not their results: the cells show
        // the formula and the rows are refused (before, Bernd came in
        // without his personnel number).
        assert_eq!(outcome(2).1, "fehler", "{rows:?}");
        // The advice, also for an address (not "no valid address").
        assert!(
            outcome(2)
                .2
                .contains("E-Mail: beginnt mit =, + oder @ wie eine Formel"),
            "{rows:?}"
        );
        assert_eq!(outcome(3).1, "fehler", "{rows:?}");
        assert!(outcome(3).2.contains("Personalnummer"), "{rows:?}");
        assert!(page.contains("=LOWER(A2)"), "{page}");
        assert!(page.contains("=1000+ROW()"), "{page}");
        // A formula in a column the import does not read changes nothing.
        assert_eq!(outcome(4).1, "neu", "{rows:?}");
    }
);

db_test!(a_formula_error_value_is_refused_with_its_name, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // openpyxl's file holds computed errors (`t="e"`): a lookup that
    // found no personnel number, a division by zero as a last name.
    let name = "people-errors.xlsx";
    let (_, page) = upload(&app, name, fixture(name), "create").await;
    let rows = preview_rows(&page);
    let outcome = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
    assert_eq!(outcome(2).1, "fehler", "{rows:?}");
    assert!(outcome(2).2.contains("Fehlerwert"), "{rows:?}");
    assert!(outcome(2).2.contains("#N/A"), "{rows:?}");
    assert_eq!(outcome(3).1, "fehler", "{rows:?}");
    assert!(outcome(3).2.contains("#DIV/0!"), "{rows:?}");
    assert_eq!(outcome(4).1, "neu", "{rows:?}");
    // German Excel's CSV writes its own words for them.
    let file =
        "Vorname;Nachname;Personalnummer\r\n#NV;Muster;P-1\r\nDora;Klar;#WERT!\r\nEmil;Gut;P-3\r\n";
    let (_, page) = upload(&app, "liste.csv", file.as_bytes().to_vec(), "create").await;
    let rows = preview_rows(&page);
    let outcome = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
    assert_eq!(outcome(2).1, "fehler", "{rows:?}");
    assert!(outcome(2).2.contains("#NV"), "{rows:?}");
    // A group or area cell that is a formula's text gets the advice too.
    let file = "Vorname;Nachname;Gruppen;Bereich\r\nAnna;Eins;=1+1;\r\nBea;Zwei;;=A2\r\n";
    let (_, formulas) = upload(&app, "formeln.csv", file.as_bytes().to_vec(), "create").await;
    let formulas = preview_rows(&formulas);
    assert!(
        formulas[0]
            .2
            .contains("Gruppen: beginnt mit =, + oder @ wie eine Formel"),
        "{formulas:?}"
    );
    assert!(formulas[1].2.contains("Bereich"), "{formulas:?}");
    assert!(formulas[1].2.contains("wie eine Formel"), "{formulas:?}");
    assert_eq!(outcome(3).1, "fehler", "{rows:?}");
    assert!(outcome(3).2.contains("#WERT!"), "{rows:?}");
    assert_eq!(outcome(4).1, "neu", "{rows:?}");
});

db_test!(
    commit_creates_the_new_rows_once_and_undo_removes_them,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        let before = app.count_users().await;
        let (id, page) = upload(&app, "people.xlsx", fixture("people.xlsx"), "create").await;
        // Two tabs, or a double click: one batch, written once.
        let (a, b) = tokio::join!(commit(&app, id, &page), commit(&app, id, &page));
        assert_redirect(&a, &format!("/imports/{id}"));
        assert_redirect(&b, &format!("/imports/{id}"));
        assert_eq!(app.count_users().await, before + 3);
        let bernd = app.user("bernd@example.com").await.unwrap();
        assert_eq!(bernd.personnel_number.as_deref(), Some("00456"));
        assert_eq!(bernd.username, "bernd.schmidt");
        assert_eq!(bernd.status, UserStatus::Angelegt);
        let chris = app.user("chris@example.com").await.unwrap();
        assert_eq!(chris.personnel_number.as_deref(), Some("00789"));
        assert_eq!(chris.username, "chris.oeztuerk");
        let dana = app.user("dana.weiss-lang").await.unwrap();
        assert_eq!(dana.email, None);
        let (_, user_page) = app.get_html(&format!("/users/{}", bernd.id)).await;
        assert!(
            user_page.contains("Lager") && user_page.contains("Versand"),
            "{user_page}"
        );
        // The batch page, the users of the import, the history.
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(batch.contains("data-count=\"created\">3<"), "{batch}");
        let (_, list) = app.get_html(&format!("/users?import={id}")).await;
        assert_eq!(crate::support::hits(&list), 3, "{list}");
        let (_, history) = app.get_html("/imports").await;
        assert!(
            history.contains(&format!("data-import=\"{id}\"")),
            "{history}"
        );
        let (_, audit) = app.get_html("/audit").await;
        assert!(audit.contains("people.xlsx"), "{audit}");
        // Undo: exactly these three go.
        let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
        assert!(plan.contains("data-count=\"removable\">3<"), "{plan}");
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.count_users().await, before);
        assert!(app.user("bernd@example.com").await.is_none());
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(batch.contains("data-state=\"rueckgaengig\""), "{batch}");
        // A second undo does nothing; the commit form of old does nothing.
        let res = post_undo(&app, id, &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.count_users().await, before);
    }
);

/// A CSV file as people write one (semicolons, German titles).
/// A workbook Einlass wrote, read as an import reads it.
fn read_book(book: &[u8]) -> einlass::spreadsheet::Workbook {
    einlass::spreadsheet::read::read(
        book,
        None,
        &einlass::spreadsheet::Limits::for_rows(100),
        &|_| false,
    )
    .unwrap()
}

fn csv(lines: &[&str]) -> Vec<u8> {
    lines.join("\r\n").into_bytes()
}

db_test!(every_outcome_has_its_reason, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    fixture_units(&app).await;
    // Someone who is there already: his address, username and number.
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Vera"),
                ("last_name", "Vorhanden"),
                ("username", "vera"),
                ("email", "vera@example.com"),
                ("personnel_number", "P-1"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (id, page) = upload(
        &app,
        "liste.csv",
        csv(&[
            "Vorname;Nachname;E-Mail;Benutzername;Personalnummer;Gruppen;Bereich;Nutzertyp",
            "Neu;Mensch;neu@example.com;;P-2;Lager;Werk Nord;Extern",
            "Adresse;Vergeben;VERA@example.com;;;;;",
            "Name;Vergeben;name@example.com;vera;;;;",
            "Nummer;Vergeben;nummer@example.com;;P-1;;;",
            "Ohne;;ohne@example.com;;;;;",
            "Falsche;Adresse;nicht@;;;;;",
            "Doppel;Eins;doppel@example.com;;P-9;;;",
            "Doppel;Zwei;Doppel@Example.com;;;;;",
            "Gruppe;Fehlt;gruppe@example.com;;;Kantine;Werk Süd;",
            "Typ;Falsch;typ@example.com;;;;;Chef",
            "=HYPERLINK(\"http://x\");Formel;formel@example.com;;;;;",
            "<script>alert(1)</script>;Skript;skript@example.com;;;;;",
            "Zeilen\u{1}umbruch;Steuer;steuer@example.com;;;;;",
            "Nummer;Formel;nformel@example.com;;=7;;;",
        ]),
        "create",
    )
    .await;
    let rows = preview_rows(&page);
    let at = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
    assert_eq!(at(2).1, "neu", "{:?}", at(2));
    for (line, reason) in [
        (3, "E-Mail: schon vergeben"),
        (4, "Benutzername: schon vergeben"),
        (5, "Personalnummer: schon vergeben"),
        (6, "Nachname: Bitte ausfüllen"),
        (7, "E-Mail"),
        (8, "doppelt in der Datei, auch in Zeile 9"),
        (9, "doppelt in der Datei, auch in Zeile 8"),
        (10, "Gruppe gibt es nicht: Kantine"),
        (10, "Bereich gibt es nicht: Werk Süd"),
        (11, "unbekannter Nutzertyp „Chef“"),
        (12, "wie eine Formel"),
        (14, "Vorname"),
    ] {
        let row = at(line);
        assert_eq!(row.1, "fehler", "{line}: {row:?}");
        assert!(row.2.contains(reason), "{line}: {reason} in {row:?}");
    }
    // The holder is named, and linked.
    let vera = app.user_id("vera").await;
    for line in [3, 4, 5] {
        assert!(
            at(line).2.contains("Vera Vorhanden (vera)"),
            "{:?}",
            at(line)
        );
    }
    assert_eq!(
        page.matches(&format!("<a href=\"/users/{vera}\" data-holder>"))
            .count(),
        3,
        "{page}"
    );
    // Markup in a name is only text.
    assert_eq!(at(13).1, "neu");
    assert!(!page.contains("<script>alert"), "escaped");
    assert!(
        page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"),
        "shown as text"
    );
    // Missing groups and areas can be created with the import.
    let page = create_missing_units(&app, id).await;
    let rows = preview_rows(&page);
    assert_eq!(rows.iter().find(|r| r.0 == 10).unwrap().1, "neu");
    assert!(page.contains("data-to-create"), "{page}");
    let to_create = crate::support::text_of(&page, "[data-to-create]").unwrap();
    assert!(
        to_create.contains("Bereiche/Standorte: Werk Süd"),
        "{to_create}"
    );
    // A user type other than the usual one is shown with the name.
    assert!(page.contains("data-user-type>Extern<"), "{page}");
    // Only the errors, and as a workbook to fix them in.
    let (_, errors_page) = app.get_html(&format!("/imports/{id}?outcome=fehler")).await;
    assert!(preview_rows(&errors_page).iter().all(|r| r.1 == "fehler"));
    let res = app.get(&format!("/imports/{id}/errors.xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let book = res.bytes().await.unwrap().to_vec();
    let read = read_book(&book);
    let text: String = read
        .rows
        .iter()
        .flat_map(|r| r.cells.clone())
        .collect::<Vec<_>>()
        .join("|");
    assert!(
        text.contains("schon vergeben an ein anderes Konto – Vera Vorhanden (vera)"),
        "{text}"
    );
    assert!(
        text.contains("|=HYPERLINK(\"http://x\")|"),
        "the file's own cell, a text cell: {text}"
    );
    assert!(
        text.ends_with("|=7"),
        "a refused number is listed as given: {text}"
    );
    let before = app.count_users().await;
    let (_, page) = app.get_html(&format!("/imports/{id}")).await;
    let res = commit(&app, id, &page).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert_eq!(app.count_users().await, before + 3, "rows 2, 10 and 13");
    let kantine = app.unit_id("groups", "Kantine").await;
    assert!(kantine > 0);
    let neu = app.user("neu@example.com").await.unwrap();
    assert_eq!(neu.user_type, einlass::domain::UserType::Extern);
    assert_eq!(neu.personnel_number.as_deref(), Some("P-2"));
});

db_test!(unknown_titles_lead_to_a_mapping, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "wer.csv",
        csv(&[
            "Wer;Womit;Zweitname",
            "Anna;anna@example.com;Muster",
            "Bernd;bernd@example.com;Beispiel",
        ]),
        "create",
    )
    .await;
    assert!(page.contains("Spalten zuordnen"), "{page}");
    assert!(page.contains("anna@example.com"), "examples are shown");
    // A field for two columns is refused, naming the field.
    let res = app
        .post(
            &format!("/imports/{id}/mapping"),
            &[
                ("header_line", "1"),
                ("col0", "first_name"),
                ("col1", "email"),
                ("col2", "email"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("Mehr als eine Spalte für E-Mail"), "{body}");
    assert!(body.contains("Keine Spalte für Nachname"), "{body}");
    let res = app
        .post(
            &format!("/imports/{id}/mapping"),
            &[
                ("header_line", "1"),
                ("col0", "first_name"),
                ("col1", "email"),
                ("col2", "last_name"),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let (_, page) = app.get_html(&format!("/imports/{id}")).await;
    let rows = preview_rows(&page);
    assert_eq!(rows.len(), 2, "{page}");
    assert!(rows.iter().all(|r| r.1 == "neu"), "{rows:?}");
    // Data from the first row when there are no titles at all.
    let res = app
        .post(
            &format!("/imports/{id}/mapping"),
            &[
                ("header_line", ""),
                ("col0", "first_name"),
                ("col1", "email"),
                ("col2", "last_name"),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let (_, page) = app.get_html(&format!("/imports/{id}")).await;
    assert_eq!(preview_rows(&page).len(), 3);
});

db_test!(two_columns_titled_like_one_field_ask_which, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // "E-Mail" and "Mail": a work and a private address, say.
    let (id, page) = upload(
        &app,
        "zwei.csv",
        csv(&[
            "Vorname;Nachname;E-Mail;Mail",
            "Anna;Muster;anna@firma.example;anna@privat.example",
        ]),
        "create",
    )
    .await;
    assert!(
        page.contains("Spalten zuordnen"),
        "not a silent choice: {page}"
    );
    assert!(
        page.contains("Mehrere Spalten heißen wie das Feld „E-Mail“ (C, D)."),
        "{page}"
    );
    let page = map_columns(
        &app,
        id,
        &[
            ("col0", "first_name"),
            ("col1", "last_name"),
            ("col2", ""),
            ("col3", "email"),
        ],
    )
    .await;
    assert_eq!(preview_rows(&page).len(), 1, "{page}");
    assert!(page.contains("anna@privat.example"), "{page}");
    assert!(!page.contains("anna@firma.example"), "{page}");
});

db_test!(a_password_column_is_never_shown_kept_or_mapped, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // Recognised titles: the reader empties the column before anything
    // keeps it; the mapping page shows no examples of it.
    let (id, page) = upload(&app, "people.ods", fixture("people.ods"), "create").await;
    assert!(!page.contains("geheim1"), "{page}");
    let (_, mapping) = app.get_html(&format!("/imports/{id}/mapping")).await;
    assert!(
        mapping.contains("Passwort"),
        "the title is listed: {mapping}"
    );
    assert!(!mapping.contains("geheim1"), "{mapping}");
    // Titles the import does not know, a header chosen by hand: a column
    // titled like a password feeds no field, whatever is chosen for it.
    let (id, page) = upload(
        &app,
        "wer.csv",
        csv(&["Wer;Womit;Kennwort", "Anna;Muster;anna@example.com"]),
        "create",
    )
    .await;
    assert!(!page.contains("anna@example.com"), "no examples: {page}");
    // Nothing to choose for it: the page says it is never read.
    assert!(page.contains("data-secret-column"), "{page}");
    assert!(!page.contains("name=\"col2\""), "{page}");
    let page = map_columns(
        &app,
        id,
        &[
            ("col0", "first_name"),
            ("col1", "last_name"),
            ("col2", "email"),
        ],
    )
    .await;
    assert_eq!(preview_rows(&page).len(), 1, "{page}");
    assert!(!page.contains("anna@example.com"), "{page}");
});

db_test!(
    an_xls_number_that_lost_its_zeros_is_still_the_persons,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        // From the .xlsx Bernd's number arrives as shown: 00456.
        let (id, page) = upload(&app, "people.xlsx", fixture("people.xlsx"), "create").await;
        commit(&app, id, &page).await;
        let bernd = app.user("bernd@example.com").await.unwrap();
        assert_eq!(bernd.personnel_number.as_deref(), Some("00456"));
        // LibreOffice's .xls of the same list keeps the number 456 and not its
        // format: in update mode it is still Bernd's 00456, nothing changes.
        let (id, page) = upload(&app, "people.xls", fixture("people.xls"), "update").await;
        let rows = preview_rows(&page);
        let row = rows.iter().find(|r| r.0 == 5).expect("Bernd's row");
        assert_eq!(row.1, "unveraendert", "{rows:?}");
        let res = app.post(&format!("/imports/{id}/discard"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // A new person from an .xls with 456 would double Bernd's number.
        let (_, page) = upload(&app, "people.xls", fixture("people.xls"), "create").await;
        let rows = preview_rows(&page);
        let row = rows.iter().find(|r| r.0 == 5).expect("Bernd's row");
        assert_eq!(row.1, "fehler", "{rows:?}");
        assert!(row.2.contains("Personalnummer"), "{rows:?}");
        // Someone else has 0456: 456 names nobody by itself, Bernd's row
        // is his by the address, and his 00456 still stays.
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Otto"),
                    ("last_name", "Null"),
                    ("username", "otto"),
                    ("personnel_number", "0456"),
                    ("user_type", "mitarbeiter"),
                    ("start_password_mode", "none"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, page) = upload(&app, "people.xls", fixture("people.xls"), "update").await;
        let rows = preview_rows(&page);
        let row = rows.iter().find(|r| r.0 == 5).expect("Bernd's row");
        assert_eq!(row.1, "unveraendert", "{rows:?}");
    }
);

db_test!(one_new_group_spelled_two_ways_is_made_once, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, _) = upload(
        &app,
        "strasse.csv",
        csv(&[
            "Vorname;Nachname;E-Mail;Gruppen",
            "Anna;Weg;anna.weg@example.com;Strasse 1",
            "Bert;Weg;bert.weg@example.com;Straße 1",
        ]),
        "create",
    )
    .await;
    let page = create_missing_units(&app, id).await;
    assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
    // The first spelling is made; both people are in it.
    let units = app.ctx.units();
    let made: Vec<&str> = units
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .filter(|n| n.starts_with("Stra"))
        .collect();
    assert_eq!(made, ["Strasse 1"]);
    let strasse = app.unit_id("groups", "Strasse 1").await;
    let (_, members) = app.get_html(&format!("/users?group={strasse}")).await;
    assert_eq!(crate::support::hits(&members), 2, "{members}");
});

db_test!(
    undo_removes_the_groups_and_areas_the_import_made_unless_used,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        let (id, _) = upload(
            &app,
            "neu.csv",
            csv(&[
                "Vorname;Nachname;E-Mail;Gruppen;Standort",
                "Anna;Neu;anna.neu@example.com;Neu-Team, Lager;Neu-Standort",
                "Bert;Neu;bert.neu@example.com;Behalten;",
            ]),
            "create",
        )
        .await;
        let page = create_missing_units(&app, id).await;
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        // Made with the import, and in the pickers at once.
        let units = app.ctx.units();
        let group = |name: &str| units.groups.iter().find(|g| g.name == name).map(|g| g.id);
        assert!(group("Neu-Team").is_some());
        let kept = group("Behalten").expect("made by the commit");
        assert!(units.areas.iter().any(|a| a.name == "Neu-Standort"));
        // Someone from before the import joins "Behalten": it stays.
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Vera"),
                    ("last_name", "Vorher"),
                    ("username", "vera"),
                    ("user_type", "mitarbeiter"),
                    ("start_password_mode", "none"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        services::units::add_member(
            &app.ctx,
            &Actor::system("test"),
            einlass::domain::units::UnitKind::Group,
            kept,
            "vera",
            None,
        )
        .await
        .unwrap();
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let units = app.ctx.units();
        let names: Vec<&str> = units.groups.iter().map(|g| g.name.as_str()).collect();
        assert!(!names.contains(&"Neu-Team"), "{names:?}");
        assert!(names.contains(&"Behalten"), "in use: {names:?}");
        assert!(names.contains(&"Lager"), "from before: {names:?}");
        assert!(!units.areas.iter().any(|a| a.name == "Neu-Standort"));
        let (_, log) = app.get_html("/audit").await;
        assert!(
            log.contains("Neu-Team"),
            "the undo names what it removed: {log}"
        );
    }
);

/// Posts a step of batch `id` (`/imports/{id}/{action}`) and follows to
/// the page it leads to.
async fn step(app: &TestApp, id: i64, action: &str, form: [(&str, &str); 1]) -> String {
    let res = app.post(&format!("/imports/{id}/{action}"), &form).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    app.get_html(&format!("/imports/{id}")).await.1
}

/// A workbook with two sheets of people: Anna in "Werk Nord", Bernd in
/// "Werk Süd".
fn two_plants() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (sheet, person) in [("Werk Nord", "Anna"), ("Werk Süd", "Bernd")] {
        let ws = book.add_worksheet();
        ws.set_name(sheet).unwrap();
        ws.write_string(0, 0, "Vorname").unwrap();
        ws.write_string(0, 1, "Nachname").unwrap();
        ws.write_string(1, 0, person).unwrap();
        ws.write_string(1, 1, "Muster").unwrap();
    }
    book.save_to_buffer().unwrap()
}

db_test!(a_workbook_with_two_user_sheets_asks_which, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let bytes = two_plants();
    let (id, page) = upload(&app, "werke.xlsx", bytes, "create").await;
    assert!(page.contains("Welches Tabellenblatt?"), "{page}");
    let res = app
        .post(
            &format!("/imports/{id}/sheet"),
            &[("sheet", "Gibt es nicht")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(&format!("/imports/{id}/sheet"), &[("sheet", "Werk Süd")])
        .await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let (_, page) = app.get_html(&format!("/imports/{id}")).await;
    assert!(page.contains("Bernd") && !page.contains(">Anna<"), "{page}");
});

db_test!(another_sheet_replaces_the_preview_in_one_step, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, _) = upload(&app, "werke.xlsx", two_plants(), "create").await;
    let north = step(&app, id, "sheet", [("sheet", "Werk Nord")]).await;
    let before: u32 = version(&north).parse().unwrap();
    let south = step(&app, id, "sheet", [("sheet", "Werk Süd")]).await;
    assert!(south.contains("Bernd"), "{south}");
    // The next version is the new sheet's preview: the batch never
    // stood without one (a commit then would have found no preview
    // and no word of it), nor the new sheet with the old rows.
    assert_eq!(version(&south).parse::<u32>().unwrap(), before + 1);
    let res = app
        .post(
            &format!("/imports/{id}/commit"),
            &[("version", before.to_string().as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "the older preview");
});

db_test!(
    another_sheet_can_be_chosen_until_the_import_is_committed,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let bytes = two_plants();
        let (id, _) = upload(&app, "werke.xlsx", bytes, "create").await;
        let choose = |sheet| step(&app, id, "sheet", [("sheet", sheet)]);
        let south = choose("Werk Süd").await;
        assert!(
            south.contains("Bernd") && !south.contains(">Anna<"),
            "{south}"
        );
        assert!(
            south.contains(&format!("href=\"/imports/{id}/sheet\" data-other-sheet")),
            "the preview offers the other sheet: {south}"
        );
        // The choice again, with the sheet read marked and the way back.
        let (status, page) = app.get_html(&format!("/imports/{id}/sheet")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(r#"name="index" value="1" checked"#) && page.contains("data-keep-sheet"),
            "{page}"
        );
        // A sheet the file does not have (a forged form, a control
        // character): the choice again with the reason, nothing changed.
        for forged in ["Werk\0Süd", "x\r\ny", ""] {
            let res = app
                .post(&format!("/imports/{id}/sheet"), &[("sheet", forged)])
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{forged:?}");
        }
        // A second tab choosing the same sheet changes nothing: the first
        // tab's preview can still be committed...
        assert_eq!(version(&choose("Werk Süd").await), version(&south));
        // ...until another sheet is chosen: then that page is an older one.
        let north = choose("Werk Nord").await;
        assert!(
            north.contains("Anna") && !north.contains(">Bernd<"),
            "{north}"
        );
        let before = app.count_users().await;
        let res = commit(&app, id, &south).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(app.count_users().await, before, "nothing written");
        let res = commit(&app, id, &north).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("anna.muster").await.is_some());
        assert!(app.user("bernd.muster").await.is_none());
        // Committed: the file is gone and there is nothing to choose.
        let res = app.get(&format!("/imports/{id}/sheet")).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let res = app
            .post(&format!("/imports/{id}/sheet"), &[("sheet", "Werk Süd")])
            .await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("bernd.muster").await.is_none());
    }
);

db_test!(rows_the_file_hides_are_named_and_can_be_left_out, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "Vorname").unwrap();
    ws.write_string(0, 1, "Nachname").unwrap();
    for (row, first) in [(1, "Anna"), (2, "Bernd"), (3, "Chris"), (4, "Dana")] {
        ws.write_string(row, 0, first).unwrap();
        ws.write_string(row, 1, "Versteckt").unwrap();
    }
    // Lines 3 and 5 (Bernd, Dana), as a filter or a right click hides them.
    ws.set_row_hidden(2).unwrap();
    ws.set_row_hidden(4).unwrap();
    let (id, page) = upload(
        &app,
        "gefiltert.xlsx",
        book.save_to_buffer().unwrap(),
        "create",
    )
    .await;
    assert!(page.contains(r#"data-hidden-rows="2""#), "{page}");
    assert!(page.contains("3, 5"), "the lines are named: {page}");
    assert_eq!(page.matches("data-row-hidden").count(), 2, "{page}");
    assert_eq!(
        preview_rows(&page).len(),
        4,
        "imported like the others by default"
    );
    let skip = |on| step(&app, id, "hidden", [("skip", on)]);
    let left_out = skip("1").await;
    // The page before the choice is an older one: its commit is refused,
    // however fast it follows the click.
    let res = commit(&app, id, &page).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(app.user("bernd.versteckt").await.is_none());
    let lines: Vec<u32> = preview_rows(&left_out).iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 4], "{left_out}");
    assert!(left_out.contains("werden nicht importiert"), "{left_out}");
    assert!(!left_out.contains("data-row-hidden"), "{left_out}");
    assert_eq!(preview_rows(&skip("0").await).len(), 4);
    let left_out = skip("1").await;
    let res = commit(&app, id, &left_out).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert!(app.user("anna.versteckt").await.is_some());
    assert!(app.user("chris.versteckt").await.is_some());
    assert!(app.user("bernd.versteckt").await.is_none());
    assert!(app.user("dana.versteckt").await.is_none());
});

db_test!(
    sheets_are_chosen_by_their_place_and_an_empty_one_is_refused,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let mut book = rust_xlsxwriter::Workbook::new();
        // A soft hyphen in a name: shown, but no form would carry it back
        // as it is.
        for (sheet, person) in [
            ("Liste\u{ad}Nord", Some("Anna")),
            ("Leer", None),
            ("Süd", Some("Bernd")),
        ] {
            let ws = book.add_worksheet();
            ws.set_name(sheet).unwrap();
            if let Some(person) = person {
                ws.write_string(0, 0, "Vorname").unwrap();
                ws.write_string(0, 1, "Nachname").unwrap();
                ws.write_string(1, 0, person).unwrap();
                ws.write_string(1, 1, "Muster").unwrap();
            }
        }
        let (id, page) = upload(&app, "drei.xlsx", book.save_to_buffer().unwrap(), "create").await;
        assert!(
            page.contains(r#"name="index" value="1" disabled"#),
            "an empty sheet is not offered: {page}"
        );
        let preview = step(&app, id, "sheet", [("index", "0")]).await;
        assert!(
            preview.contains(">Anna<") || preview.contains("Anna Muster"),
            "{preview}"
        );
        for (index, why) in [
            ("1", "Dieses Tabellenblatt ist leer"),
            ("7", "gibt es in der Datei nicht"),
            ("x", "gibt es in der Datei nicht"),
        ] {
            let res = app
                .post(&format!("/imports/{id}/sheet"), &[("index", index)])
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{index}");
            let body = res.text().await.unwrap();
            assert!(body.contains(why), "{index}: {body}");
        }
        let (_, still) = app.get_html(&format!("/imports/{id}")).await;
        assert_eq!(version(&still), version(&preview), "nothing changed");
        let south = step(&app, id, "sheet", [("index", "2")]).await;
        assert!(south.contains("Bernd"), "{south}");
        // A sheet whose name starts like an option of a command line.
        let mut dashes = rust_xlsxwriter::Workbook::new();
        for (sheet, person) in [("-Liste", "Carla"), ("--sheet", "Dora")] {
            let ws = dashes.add_worksheet();
            ws.set_name(sheet).unwrap();
            ws.write_string(0, 0, "Vorname").unwrap();
            ws.write_string(0, 1, "Nachname").unwrap();
            ws.write_string(1, 0, person).unwrap();
            ws.write_string(1, 1, "Muster").unwrap();
        }
        let (id, _) = upload(
            &app,
            "minus.xlsx",
            dashes.save_to_buffer().unwrap(),
            "create",
        )
        .await;
        for (index, person) in [("1", "Dora"), ("0", "Carla")] {
            let preview = step(&app, id, "sheet", [("index", index)]).await;
            assert!(preview.contains(person), "{person}: {preview}");
        }
    }
);

db_test!(rows_hidden_by_openpyxl_and_libreoffice_are_found, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // A filter hides lines 3 and 5, a collapsed outline 8 and 9
    // (tests/fixtures/import/make_hidden.py; LibreOffice made the others).
    for name in [
        "people-hidden.xlsx",
        "people-hidden-libreoffice.xlsx",
        "people-hidden.ods",
    ] {
        let (id, page) = upload(&app, name, fixture(name), "create").await;
        assert!(page.contains(r#"data-hidden-rows="4""#), "{name}: {page}");
        assert!(page.contains("Zeilen 3, 5, 8–9"), "{name}: {page}");
        let left_out = step(&app, id, "hidden", [("skip", "1")]).await;
        let lines: Vec<u32> = preview_rows(&left_out).iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 4, 6, 7], "{name}");
        let res = app.post(&format!("/imports/{id}/discard"), &[]).await;
        assert_redirect(&res, "/imports");
    }
});

db_test!(
    personnel_numbers_arrive_as_their_number_format_shows_them,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // Numbers formatted "P"0000, \M\A-000, 000-000, 00000, General,
        // "PN "#, #,##0 and 0000" A" (tests/fixtures/import/make_numbers.py;
        // LibreOffice made the .ods, which stores the shown text).
        let expected = [
            ("anna", "P0007"),
            ("bernd", "MA-042"),
            ("chris", "012-345"),
            ("dana", "00123"),
            ("emil", "456"),
            ("frieda", "PN 789"),
            // A thousands separator is not part of a number's identity.
            ("gustav", "1234567"),
            ("hanna", "0055 A"),
        ];
        for name in ["people-numbers.xlsx", "people-numbers.ods"] {
            let (id, page) = upload(&app, name, fixture(name), "create").await;
            let rows = preview_rows(&page);
            assert_eq!(rows.len(), 8, "{name}: {rows:?}");
            assert!(rows.iter().all(|r| r.1 == "neu"), "{name}: {rows:?}");
            assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
            for (first, number) in expected {
                let address = format!("{first}.nummer@example.com");
                let person = app.user(&address).await.unwrap();
                assert_eq!(person.personnel_number.as_deref(), Some(number), "{name}");
            }
            let res = post_undo(&app, id, &[]).await;
            assert_redirect(&res, &format!("/imports/{id}"));
            assert!(app.user("anna.nummer@example.com").await.is_none());
        }
    }
);

db_test!(people_on_a_hidden_sheet_only_are_pointed_at, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // The only sheet with people is hidden; the visible one is empty.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("Leer").unwrap();
    let people = book.add_worksheet();
    people.set_name("Personal").unwrap();
    people.write_string(0, 0, "Vorname").unwrap();
    people.write_string(0, 1, "Nachname").unwrap();
    people.write_string(1, 0, "Anna").unwrap();
    people.write_string(1, 1, "Versteckt").unwrap();
    people.set_hidden(true);
    let before = app.dump();
    let res = app
        .upload_import("versteckt.xlsx", book.save_to_buffer().unwrap(), "create")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Ausgeblendete Blätter liest der Import nicht")
            && page.contains("ausgeblendet sind: Personal.")
            && page.contains("Einblenden"),
        "{page}"
    );
    assert_eq!(app.dump(), before, "nothing written");
});

db_test!(sheets_with_long_first_rows_are_offered_whole, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // Each sheet's first rows hold about 300 KB: more than the start of the
    // stored rows that is read for the sheets' heads.
    let mut book = rust_xlsxwriter::Workbook::new();
    for (sheet, person) in [("Erstes", "Anna"), ("Zweites", "Bernd")] {
        let ws = book.add_worksheet();
        ws.set_name(sheet).unwrap();
        ws.write_string(0, 0, "Vorname").unwrap();
        ws.write_string(0, 1, "Nachname").unwrap();
        for row in 1..30u32 {
            ws.write_string(row, 0, format!("{person}{row}")).unwrap();
            ws.write_string(row, 1, "Muster").unwrap();
            for column in 2..12u16 {
                ws.write_string(row, column, "x".repeat(1000)).unwrap();
            }
        }
    }
    let (id, page) = upload(&app, "lang.xlsx", book.save_to_buffer().unwrap(), "create").await;
    assert!(
        page.contains("Erstes") && page.contains("Zweites"),
        "{page}"
    );
    let preview = step(&app, id, "sheet", [("index", "1")]).await;
    assert!(preview.contains("Bernd1"), "{preview}");
    let (status, again) = app.get_html(&format!("/imports/{id}/sheet")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        again.contains(r#"name="index" value="1" checked"#),
        "{again}"
    );
});

db_test!(
    a_preview_option_waits_for_the_mapping_of_another_sheet,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("Gut").unwrap();
        for (column, title) in ["Vorname", "Nachname"].into_iter().enumerate() {
            ws.write_string(0, column as u16, title).unwrap();
        }
        ws.write_string(1, 0, "Anna").unwrap();
        ws.write_string(1, 1, "Muster").unwrap();
        let ws = book.add_worksheet();
        ws.set_name("Ohne Titel").unwrap();
        ws.write_string(0, 0, "Bernd").unwrap();
        ws.write_string(0, 1, "Muster").unwrap();
        let (id, preview) =
            upload(&app, "zwei.xlsx", book.save_to_buffer().unwrap(), "create").await;
        assert!(preview.contains("data-other-sheet"), "{preview}");
        // The mapping page of the first sheet, open in a tab.
        let (_, old_mapping) = app.get_html(&format!("/imports/{id}/mapping")).await;
        let old_version = value_of(&old_mapping, "input[name=version]").unwrap();
        let mapping = step(&app, id, "sheet", [("index", "1")]).await;
        let form = format!(r#"action="/imports/{id}/mapping""#);
        assert!(mapping.contains(&form), "{mapping}");
        // Its form maps the columns of a sheet no longer read: refused.
        let res = app
            .post(
                &format!("/imports/{id}/mapping"),
                &[
                    ("version", old_version.as_str()),
                    ("header_line", "1"),
                    ("col0", "first_name"),
                    ("col1", "last_name"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let (_, still) = app.get_html(&format!("/imports/{id}")).await;
        assert!(
            still.contains(&form),
            "still waiting for its mapping: {still}"
        );
        // The old preview tab's buttons: nothing happens, the mapping waits.
        for (action, field) in [("hidden", "skip"), ("units", "create")] {
            let page = step(&app, id, action, [(field, "1")]).await;
            assert!(page.contains(&form), "{action}: {page}");
        }
        let res = commit(&app, id, &preview).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("anna.muster").await.is_none());
        assert!(app.user("bernd.muster").await.is_none());
    }
);

db_test!(a_file_of_one_sheet_offers_no_other, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "x.csv",
        csv(&["Vorname;Nachname", "Anna;Muster"]),
        "create",
    )
    .await;
    assert!(!page.contains("data-other-sheet"), "{page}");
    let res = app.get(&format!("/imports/{id}/sheet")).await;
    assert_redirect(&res, &format!("/imports/{id}"));
});

db_test!(a_preview_gone_stale_writes_nothing, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "x.csv",
        csv(&[
            "Vorname;Nachname;E-Mail",
            "Anna;Muster;anna@example.com",
            "Bernd;Muster;bernd@example.com",
        ]),
        "create",
    )
    .await;
    // Meanwhile someone takes Anna's address.
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Andere"),
                ("last_name", "Anna"),
                ("email", "ANNA@example.com"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let before = app.dump();
    let res = commit(&app, id, &page).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Seit der Vorschau hat sich etwas geändert"),
        "{body}"
    );
    // The row that is different now is named (Anna's; Bernd's is as it was).
    let notice = crate::support::text_of(&body, "[data-import-stale]").unwrap();
    assert!(notice.ends_with("Anders als zuvor: Zeile 2."), "{notice}");
    assert!(
        app.user("bernd@example.com").await.is_none(),
        "nothing written"
    );
    assert_ne!(app.dump(), before, "the preview was made again");
    let rows = preview_rows(&body);
    assert_eq!(rows.iter().find(|r| r.0 == 2).unwrap().1, "fehler");
    // The new preview can be committed: Bernd only.
    let res = commit(&app, id, &body).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert!(app.user("bernd@example.com").await.is_some());
    assert_eq!(
        app.user("anna@example.com").await.unwrap().first_name,
        "Andere"
    );
});

db_test!(an_update_says_it_withdraws_a_live_invitation, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let id =
        crate::invitations::create_user(&app, "Ida", "Eingeladen", "ida@example.com", "invite_now")
            .await;
    let (batch, page) = upload(
        &app,
        "x.csv",
        csv(&["Benutzername;E-Mail", "ida.eingeladen;ida.neu@example.com"]),
        "update",
    )
    .await;
    let rows = preview_rows(&page);
    assert_eq!(rows[0].1, "aenderung", "{rows:?}");
    assert!(rows[0].2.contains("ida.neu@example.com"), "{rows:?}");
    assert!(
        rows[0]
            .2
            .contains("Einladung an die bisherige Adresse wird zurückgezogen"),
        "{rows:?}"
    );
    let res = commit(&app, batch, &page).await;
    assert_redirect(&res, &format!("/imports/{batch}"));
    let ida = app.user("ida.eingeladen").await.unwrap();
    assert_eq!(ida.status.as_str(), "widerrufen");
    // The invitation mail that had not left yet says why, in German.
    let (_, person) = app.get_html(&format!("/users/{id}")).await;
    assert!(!person.contains("the person&#39;s links died"), "{person}");
    assert!(!person.contains("invitation revoked"), "{person}");
    assert!(person.contains("Nicht gesendet"), "{person}");
    // Invited after the preview, which did not say so: the commit writes
    // nothing and the new preview says it.
    let jon =
        crate::invitations::create_user(&app, "Jon", "Later", "jon@example.com", "none").await;
    let (batch, page) = upload(
        &app,
        "y.csv",
        csv(&["Benutzername;E-Mail", "jon.later;jon.neu@example.com"]),
        "update",
    )
    .await;
    assert!(!preview_rows(&page)[0].2.contains("Einladung"), "{page}");
    let res = app.post(&format!("/users/{jon}/invite"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.user("jon.later").await.unwrap().status.as_str(),
        "eingeladen"
    );
    let res = commit(&app, batch, &page).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(
        preview_rows(&body)[0]
            .2
            .contains("Einladung an die bisherige Adresse wird zurückgezogen"),
        "{body}"
    );
    assert_eq!(
        app.user("jon.later").await.unwrap().email.as_deref(),
        Some("jon@example.com")
    );
});

db_test!(
    invisible_characters_and_long_cells_are_named_as_such,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let long_groups = "ä".repeat(2500);
        let (_, page) = upload(
            &app,
            "x.csv",
            csv(&[
                "Vorname;Nachname;Gruppen",
                "Anna;Mül\u{200E}ler;",
                &format!("Bernd;Bauer;{long_groups}"),
                "Carl;Christ;Lager\u{200B}",
            ]),
            "create",
        )
        .await;
        let rows = preview_rows(&page);
        let at = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
        assert_eq!(at(2).1, "fehler");
        assert!(at(2).2.contains("unsichtbares Zeichen"), "{:?}", at(2));
        assert!(at(2).2.contains("U+200E"), "{:?}", at(2));
        assert_eq!(at(3).1, "fehler");
        assert!(at(3).2.contains("4.096 Byte"), "{:?}", at(3));
        assert!(at(4).2.contains("U+200B"), "{:?}", at(4));
    }
);

db_test!(
    a_group_deleted_after_the_preview_is_not_made_again_unasked,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        let (id, _) = upload(
            &app,
            "x.csv",
            csv(&["Vorname;Nachname;Gruppen", "Anna;Alt;\"Lager, Neu\""]),
            "create",
        )
        .await;
        let page = create_missing_units(&app, id).await;
        let to_create = crate::support::text_of(&page, "[data-to-create]").unwrap();
        assert!(
            to_create.contains("Neu") && !to_create.contains("Lager"),
            "{to_create}"
        );
        // Another admin deletes Lager meanwhile.
        let lager = app.unit_id("groups", "Lager").await;
        let res = app.post(&format!("/groups/{lager}/delete"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.get(&format!("/groups/{lager}")).await.status(),
            StatusCode::NOT_FOUND
        );
        let res = commit(&app, id, &page).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body = res.text().await.unwrap();
        assert!(app.user("anna.alt").await.is_none(), "nothing written");
        // The new preview says it would make Lager: committing it does.
        let to_create = crate::support::text_of(&body, "[data-to-create]").unwrap();
        assert!(to_create.contains("Lager"), "{to_create}");
        let res = commit(&app, id, &body).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("anna.alt").await.is_some());
    }
);

db_test!(
    control_characters_from_a_file_never_reach_the_page_raw,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // Titles nobody recognises: the mapping step shows them and examples.
        let res = app
            .upload_import(
                "x.csv",
                csv(&["Foo\u{0};Bar\u{1b}[31m", "Anna\u{0};Muster"]),
                "create",
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (status, page) = app.get_html(&location(&res)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Foo\u{FFFD}"), "{page}");
        assert!(
            !page.contains('\u{0}') && !page.contains('\u{1b}'),
            "{page}"
        );
    }
);

db_test!(
    a_form_from_an_older_page_commits_nothing_and_spoils_nothing,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let (id, page) = upload(
            &app,
            "x.csv",
            csv(&["Vorname;Nachname", "Anna;Muster"]),
            "create",
        )
        .await;
        // A form of an older (or forged) preview version: nothing written, the
        // current preview shown as it is — not made again, so the page that
        // is current still commits.
        let res = app
            .post(&format!("/imports/{id}/commit"), &[("version", "999")])
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body = res.text().await.unwrap();
        assert!(body.contains("ältere Vorschau"), "{body}");
        assert_eq!(version(&body), version(&page));
        assert!(app.user("anna.muster").await.is_none());
        // A discarded import has no list of refused rows any more.
        let (gone, _) = upload(&app, "y.csv", csv(&["Vorname;Nachname", ";Ohne"]), "create").await;
        let res = app.get(&format!("/imports/{gone}/errors.xlsx")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.post(&format!("/imports/{gone}/discard"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app.get(&format!("/imports/{gone}/errors.xlsx")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Nor has an import that refused nothing.
        let res = app.get(&format!("/imports/{id}/errors.xlsx")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("anna.muster").await.is_some());
    }
);

db_test!(an_update_preview_gone_stale_overwrites_nobody, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Otto"),
                ("last_name", "Original"),
                ("username", "otto"),
                ("personnel_number", "Q7"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let file = |name: &str| {
        csv(&[
            "Personalnummer;Vorname;Nachname",
            &format!("Q7;Otto;{name}"),
        ])
    };
    // Two admins' files, previewed against "Original".
    let (a, page_a) = upload(&app, "a.csv", file("VonA"), "update").await;
    let (b, page_b) = upload(&app, "b.csv", file("VonB"), "update").await;
    assert!(page_b.contains("Original → VonB"), "{page_b}");
    let res = commit(&app, a, &page_a).await;
    assert_redirect(&res, &format!("/imports/{a}"));
    let otto = || async { app.user("otto").await.unwrap() };
    assert_eq!(otto().await.last_name, "VonA");
    // B's preview no longer holds: nothing written, the preview made anew.
    let res = commit(&app, b, &page_b).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert_eq!(otto().await.last_name, "VonA");
    assert!(body.contains("VonA → VonB"), "{body}");
    // Confirmed on the fresh preview, B's change is made.
    let res = commit(&app, b, &body).await;
    assert_redirect(&res, &format!("/imports/{b}"));
    assert_eq!(otto().await.last_name, "VonB");
    // A change the file does not make counts too: someone renames Otto's
    // first name by hand after the preview that found it unchanged.
    let (c, page_c) = upload(&app, "c.csv", file("VonC"), "update").await;
    let id = otto().await.id;
    let res = app
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("first_name", "Ottokar"),
                ("last_name", "VonB"),
                ("username", "otto"),
                ("personnel_number", "Q7"),
                ("user_type", "mitarbeiter"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = commit(&app, c, &page_c).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(body.contains("Ottokar → Otto"), "{body}");
    assert_eq!(otto().await.last_name, "VonB");
    // Undoing A: its "VonA" was changed since (by B), so it stays — the
    // undo page says so before, the batch page after.
    let (_, plan) = app.get_html(&format!("/imports/{a}/undo")).await;
    assert!(plan.contains("data-count=\"changed-since\">1<"), "{plan}");
    let res = post_undo(&app, a, &[]).await;
    assert_redirect(&res, &format!("/imports/{a}"));
    assert_eq!(otto().await.last_name, "VonB");
    let (_, batch) = app.get_html(&format!("/imports/{a}")).await;
    assert!(batch.contains("data-count=\"restored\">0<"), "{batch}");
    assert!(batch.contains("data-count=\"unrestored\">1<"), "{batch}");
    // Undoing B puts back what B found: VonA.
    let res = post_undo(&app, b, &[]).await;
    assert_redirect(&res, &format!("/imports/{b}"));
    assert_eq!(otto().await.last_name, "VonA");
    let (_, batch) = app.get_html(&format!("/imports/{b}")).await;
    assert!(batch.contains("data-count=\"restored\">1<"), "{batch}");
    assert!(!batch.contains("data-count=\"unrestored\""), "{batch}");
    // A stale row after one already written: the whole commit rolls back.
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Paula"),
                ("last_name", "Vorher"),
                ("username", "paula"),
                ("personnel_number", "Q8"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (e, page_e) = upload(
        &app,
        "e.csv",
        csv(&[
            "Personalnummer;Vorname;Nachname",
            "Q7;Otto;VonE",
            "Q8;Paula;Nachher",
        ]),
        "update",
    )
    .await;
    let paula = app.user("paula").await.unwrap().id;
    let res = app
        .post(
            &format!("/users/{paula}/edit"),
            &[
                ("first_name", "Paulina"),
                ("last_name", "Vorher"),
                ("username", "paula"),
                ("personnel_number", "Q8"),
                ("user_type", "mitarbeiter"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let before = otto().await.last_name;
    let res = commit(&app, e, &page_e).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(otto().await.last_name, before, "Otto's row was rolled back");
    assert_eq!(app.user("paula").await.unwrap().last_name, "Vorher");
    // Two rows for one person (by number, and by username): neither is
    // taken — after the first was written the second would always be stale.
    let (_, page) = upload(
        &app,
        "d.csv",
        csv(&[
            "Personalnummer;Benutzername;Vorname;Nachname",
            "Q7;;Otto;VonD",
            ";otto;Otto;VonE",
        ]),
        "update",
    )
    .await;
    let rows = preview_rows(&page);
    for (line, other) in [(2, "3"), (3, "2")] {
        let row = rows.iter().find(|r| r.0 == line).unwrap();
        assert_eq!(row.1, "fehler", "{rows:?}");
        assert!(
            row.2
                .contains(&format!("Dieselbe Person ändert auch Zeile {other}")),
            "{rows:?}"
        );
    }
});

db_test!(undo_keeps_who_activated_and_says_so, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "x.csv",
        csv(&[
            "Vorname;Nachname;E-Mail",
            "Anna;Muster;anna@example.com",
            "Bernd;Muster;bernd@example.com",
        ]),
        "create",
    )
    .await;
    commit(&app, id, &page).await;
    let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
    assert!(batch.contains("data-count=\"not-invited\">2<"), "{batch}");
    // The batch invites its people through the bulk confirmation.
    let res = app
        .post(
            "/users/bulk",
            &[
                ("action", "invite"),
                ("scope", "filter"),
                ("f_import", &id.to_string()),
            ],
        )
        .await;
    let confirm = res.text().await.unwrap();
    assert!(
        confirm.contains("data-count=\"affected\"><strong>2<"),
        "{confirm}"
    );
    let key = crate::support::value_of(&confirm, "input[name=form_key]").unwrap();
    let fp = crate::support::value_of(&confirm, "input[name=confirmed]").unwrap();
    let res = app
        .post(
            "/users/bulk/run",
            &[
                ("action", "invite"),
                ("scope", "filter"),
                ("f_import", &id.to_string()),
                ("form_key", &key),
                ("confirmed", &fp),
            ],
        )
        .await;
    let task: i64 = location(&res)
        .trim_start_matches("/tasks/")
        .parse()
        .unwrap();
    services::tasks::run_until_done(&app.ctx, task)
        .await
        .unwrap();
    einlass::jobs::mail::drain(&app.ctx).await.unwrap();
    let links = crate::invitations::mailbox_links(&app, "/i/").await;
    assert_eq!(links.len(), 2);
    // Everyone is invited: the batch page no longer offers it.
    let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
    assert!(!batch.contains("data-invite-import"), "{batch}");
    // Somebody (whoever's link comes first) activates.
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    let (status, form) = crate::invitations::open_link(&mut app, &links[0]).await;
    assert_eq!(status, StatusCode::OK);
    let first = crate::support::value_of(&form, "input[name=first_name]").unwrap();
    let res = crate::invitations::activate_as(&app, &first, "Muster").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.swap_browser(&mut chef);
    let (active, other) = if first == "Anna" {
        ("anna@example.com", "bernd@example.com")
    } else {
        ("bernd@example.com", "anna@example.com")
    };
    // Undo says who stays and wants consent for the rest.
    let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
    assert!(plan.contains("data-count=\"kept\">1<"), "{plan}");
    assert!(plan.contains(&first), "{plan}");
    let res = post_undo(&app, id, &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "no consent, nothing done"
    );
    let body = res.text().await.unwrap();
    assert!(body.contains("data-undo-changed"), "{body}");
    assert!(body.contains("noch nichts rückgängig"), "{body}");
    assert!(app.user(other).await.is_some());
    let res = post_undo(&app, id, &[("rest", "1")]).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert_eq!(app.user(active).await.unwrap().status, UserStatus::Aktiv);
    assert!(app.user(other).await.is_none());
    let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
    assert!(
        batch.contains("data-state=\"teilweise_rueckgaengig\""),
        "{batch}"
    );
    assert!(batch.contains("data-count=\"kept\">1<"), "{batch}");
    // The removed person's link is dead.
    let mut fresh = TestApp::new_client();
    app.swap_browser(&mut fresh);
    let dead = app.get(&crate::invitations::path_of(&links[1])).await;
    let page = app
        .get(&location(&dead))
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(!page.contains("name=\"password\""), "{page}");
});

db_test!(
    update_mode_changes_field_by_field_and_undo_puts_it_back,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        let (id, page) = upload(
            &app,
            "stamm.csv",
            csv(&[
                "Personalnummer;Vorname;Nachname;E-Mail;Gruppen",
                "100;Anna;Alt;anna@example.com;Lager",
                "101;Bernd;Bleibt;bernd@example.com;",
            ]),
            "create",
        )
        .await;
        commit(&app, id, &page).await;
        // The next file: Anna married and joins Versand; Bernd unchanged; Carl new.
        let (id2, page) = upload(
            &app,
            "stamm2.csv",
            csv(&[
                "Personalnummer;Vorname;Nachname;E-Mail;Gruppen",
                "100;Anna;Neu;anna@example.com;Lager, Versand",
                "101;Bernd;Bleibt;bernd@example.com;",
                "102;Carl;Neu;carl@example.com;",
            ]),
            "update",
        )
        .await;
        let rows = preview_rows(&page);
        let at = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
        assert_eq!(at(2).1, "aenderung", "{rows:?}");
        assert!(at(2).2.contains("Nachname: Alt → Neu"), "{:?}", at(2));
        assert!(at(2).2.contains("Gruppen: + Versand"), "{:?}", at(2));
        assert_eq!(at(3).1, "unveraendert");
        assert_eq!(at(4).1, "neu");
        // A number and an address of two different people: refused, saying so.
        let (other, conflict) = upload(
            &app,
            "stamm-konflikt.csv",
            csv(&[
                "Personalnummer;Vorname;Nachname;E-Mail",
                "100;Dora;Zwei;bernd@example.com",
            ]),
            "update",
        )
        .await;
        let rows = preview_rows(&conflict);
        assert_eq!(rows[0].1, "fehler");
        assert_eq!(
            rows[0].2,
            "Personalnummer und E-Mail-Adresse gehören zu zwei verschiedenen Konten."
        );
        app.post(&format!("/imports/{other}/discard"), &[]).await;
        let res = commit(&app, id2, &page).await;
        assert_redirect(&res, &format!("/imports/{id2}"));
        assert!(app.user("carl@example.com").await.is_some());
        let anna = app.user("anna@example.com").await.unwrap();
        assert_eq!(anna.last_name, "Neu");
        let id3 = id2;
        let (_, user_page) = app.get_html(&format!("/users/{}", anna.id)).await;
        assert!(user_page.contains("Versand"), "{user_page}");
        let (_, batch) = app.get_html(&format!("/imports/{id3}")).await;
        assert!(batch.contains("data-count=\"updated\">1<"), "{batch}");
        // Undo: her name and groups as before.
        let (_, plan) = app.get_html(&format!("/imports/{id3}/undo")).await;
        assert!(plan.contains("data-count=\"restorable\">1<"), "{plan}");
        let res = post_undo(&app, id3, &[]).await;
        assert_redirect(&res, &format!("/imports/{id3}"));
        let anna = app.user("anna@example.com").await.unwrap();
        assert_eq!(anna.last_name, "Alt");
        // A second undo (another tab) says what happened.
        let res = post_undo(&app, id3, &[]).await;
        assert_redirect(&res, &format!("/imports/{id3}"));
        let (_, again) = app.get_html(&format!("/imports/{id3}")).await;
        assert!(again.contains("schon rückgängig gemacht"), "{again}");
        let versand = app.unit_id("groups", "Versand").await;
        let (_, members) = app.get_html(&format!("/users?group={versand}")).await;
        assert_eq!(crate::support::hits(&members), 0, "{members}");
        assert!(app.user("carl@example.com").await.is_none());
        let (_, audit) = app.get_html("/audit").await;
        assert!(audit.contains("per Import geändert"), "{audit}");
    }
);

db_test!(
    the_export_reimported_in_update_mode_changes_nothing,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        let (id, page) = upload(&app, "people.xlsx", fixture("people.xlsx"), "create").await;
        commit(&app, id, &page).await;
        // A username-only person and a hostile name, made by hand.
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "-Minus"),
                    ("last_name", "Ohne Adresse"),
                    ("user_type", "gast"),
                    ("salutation", "divers"),
                    ("start_password_mode", "none"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // Text quoted as literal, a name with an apostrophe of its own, and a
        // group whose name holds the separators of a cell.
        services::units::create(
            &app.ctx,
            &Actor::system("test"),
            einlass::domain::units::UnitKind::Group,
            "Nord, Süd",
        )
        .await
        .unwrap();
        let (id, page) = upload(
            &app,
            "quoted.csv",
            csv(&[
                "Vorname;Nachname;Benutzername;Personalnummer;Gruppen",
                "'=Anna+1;'t Hooft;hooft;'+49;\"Nord, Süd; Lager\"",
            ]),
            "create",
        )
        .await;
        let rows = preview_rows(&page);
        assert_eq!(rows.len(), 1, "{page}");
        assert_eq!(rows[0].1, "neu", "{rows:?}");
        // The preview quotes the one name as the file did.
        assert!(
            page.contains("&quot;Nord, Süd&quot;, Lager")
                || page.contains("&#34;Nord, Süd&#34;, Lager"),
            "{page}"
        );
        commit(&app, id, &page).await;
        let hooft = app.user("hooft").await.unwrap();
        assert_eq!(hooft.first_name, "=Anna+1");
        assert_eq!(hooft.last_name, "'t Hooft");
        assert_eq!(hooft.personnel_number.as_deref(), Some("+49"));
        let (_, user_page) = app.get_html(&format!("/users/{}", hooft.id)).await;
        assert!(
            user_page.contains("Nord, Süd") && user_page.contains("Lager"),
            "{user_page}"
        );
        // Groups named like the parts: the export quotes the name with a
        // comma, so the round trip still reads it as one.
        for name in ["Nord", "Süd"] {
            services::units::create(
                &app.ctx,
                &Actor::system("test"),
                einlass::domain::units::UnitKind::Group,
                name,
            )
            .await
            .unwrap();
        }
        let res = app.get("/users/export.xlsx").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        let book = res.bytes().await.unwrap().to_vec();
        let read = read_book(&book);
        let all: Vec<String> = read.rows.iter().flat_map(|r| r.cells.clone()).collect();
        assert!(all.contains(&"'-Minus".to_owned()), "neutralised: {all:?}");
        assert!(all.contains(&"00456".to_owned()), "{all:?}");
        assert!(all.contains(&"Lager, \"Nord, Süd\"".to_owned()), "{all:?}");
        // Filtered as on screen.
        let res = app.get("/users/export.xlsx?type=gast").await;
        let only = res.bytes().await.unwrap().to_vec();
        let read_only = read_book(&only);
        assert_eq!(read_only.rows.len(), 2, "title row and the guest");
        // Round trip: everyone known, nothing to change.
        let before = app.dump();
        let (id, page) = upload(&app, "export.xlsx", book, "update").await;
        let rows = preview_rows(&page);
        assert!(!rows.is_empty());
        assert!(
            rows.iter().all(|r| r.1 == "unveraendert"),
            "{:?}",
            rows.iter()
                .filter(|r| r.1 != "unveraendert")
                .collect::<Vec<_>>()
        );
        assert!(page.contains("data-nothing-changes"), "{page}");
        let res = app.post(&format!("/imports/{id}/discard"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let _ = before;
    }
);

db_test!(
    an_update_adds_to_areas_and_groups_without_touching_what_is_there,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        fixture_units(&app).await;
        let (id, page) = upload(
            &app,
            "stamm.csv",
            csv(&[
                "Personalnummer;Vorname;Nachname",
                "100;Anna;Alt",
                "101;Bernd;Bleibt",
                "102;Carl;Christ",
            ]),
            "create",
        )
        .await;
        commit(&app, id, &page).await;
        let (id, page) = upload(
            &app,
            "stamm2.csv",
            csv(&[
                "Personalnummer;Nachname;Gruppen;Standort",
                "100;Neu;Lager;Werk Nord",
                "101;Bleibt;Versand;Werk Nord",
                "102;Christ;Lager;",
            ]),
            "update",
        )
        .await;
        let rows = preview_rows(&page);
        assert!(rows.iter().all(|r| r.1 == "aenderung"), "{rows:?}");
        // Between preview and commit an admin makes Anna the head of Werk
        // Nord and puts her in Lager by hand.
        let nord = app.unit_id("areas", "Werk Nord").await;
        let res = app
            .post(
                &format!("/areas/{nord}/members"),
                &[("member", "anna.alt"), ("role", "leitung")],
            )
            .await;
        assert_redirect(&res, &format!("/areas/{nord}"));
        let lager = app.unit_id("groups", "Lager").await;
        let res = app
            .post(
                &format!("/groups/{lager}/members"),
                &[("member", "anna.alt")],
            )
            .await;
        assert_redirect(&res, &format!("/groups/{lager}"));
        // Carl too: then his row changes nothing.
        let res = app
            .post(
                &format!("/groups/{lager}/members"),
                &[("member", "carl.christ")],
            )
            .await;
        assert_redirect(&res, &format!("/groups/{lager}"));
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(batch.contains("data-count=\"updated\">2<"), "{batch}");
        let (_, audit) = app.get_html("/audit?action=user.import_update").await;
        assert!(audit.contains("Anna"), "{audit}");
        assert!(!audit.contains("Carl Christ"), "{audit}");
        // Each member's row on the area page.
        let member_rows = |page: &str| -> Vec<String> {
            let doc = scraper::Html::parse_document(page);
            let tr = scraper::Selector::parse("table tbody tr").unwrap();
            doc.select(&tr)
                .map(|r| r.text().collect::<Vec<_>>().join(" "))
                .collect()
        };
        let (_, area) = app.get_html(&format!("/areas/{nord}")).await;
        let rows = member_rows(&area);
        let anna_row = rows.iter().find(|r| r.contains("anna.alt")).unwrap();
        assert!(anna_row.contains("Leitung"), "her role stays: {rows:?}");
        assert!(
            rows.iter()
                .any(|r| r.contains("bernd.bleibt") && r.contains("Mitglied")),
            "{rows:?}"
        );
        assert_eq!(app.user("anna.alt").await.unwrap().last_name, "Neu");
        let bernd = app.user("bernd.bleibt").await.unwrap();
        assert_eq!(bernd.last_name, "Bleibt");
        // The undo takes away what the import added, and only that.
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, area) = app.get_html(&format!("/areas/{nord}")).await;
        let rows = member_rows(&area);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(
            rows[0].contains("anna.alt") && rows[0].contains("Leitung"),
            "{rows:?}"
        );
        let (_, members) = app.get_html(&format!("/users?group={lager}")).await;
        assert_eq!(
            crate::support::hits(&members),
            2,
            "Anna and Carl: {members}"
        );
        let versand = app.unit_id("groups", "Versand").await;
        let (_, members) = app.get_html(&format!("/users?group={versand}")).await;
        assert_eq!(crate::support::hits(&members), 0, "{members}");
        assert_eq!(app.user("anna.alt").await.unwrap().last_name, "Alt");
    }
);

db_test!(an_undo_leaves_memberships_changed_since, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    fixture_units(&app).await;
    let (id, page) = upload(
        &app,
        "stamm.csv",
        csv(&[
            "Personalnummer;Vorname;Nachname",
            "100;Anna;Alt",
            "101;Bernd;Bleibt",
        ]),
        "create",
    )
    .await;
    commit(&app, id, &page).await;
    let (id, page) = upload(
        &app,
        "stamm2.csv",
        csv(&[
            "Personalnummer;Gruppen;Standort",
            "100;Versand;Werk Nord",
            "101;;Werk Nord",
        ]),
        "update",
    )
    .await;
    let res = commit(&app, id, &page).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    // Since: Bernd heads Werk Nord, Anna left Versand.
    let nord = app.unit_id("areas", "Werk Nord").await;
    let res = app
        .post(
            &format!("/areas/{nord}/members"),
            &[("member", "bernd.bleibt"), ("role", "leitung")],
        )
        .await;
    assert_redirect(&res, &format!("/areas/{nord}"));
    let versand = app.unit_id("groups", "Versand").await;
    let anna = app.user_id("anna.alt").await;
    let res = app
        .post(&format!("/groups/{versand}/members/{anna}/remove"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
    assert!(plan.contains("data-count=\"changed-since\">2<"), "{plan}");
    assert!(!plan.contains("data-count=\"restorable\""), "{plan}");
    let res = post_undo(&app, id, &[]).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
    assert!(batch.contains("data-count=\"unrestored\">2<"), "{batch}");
    assert!(batch.contains("data-state=\"rueckgaengig\""), "{batch}");
    // Bernd heads Werk Nord still; Anna's place there, the import's, went.
    let (_, area) = app.get_html(&format!("/areas/{nord}")).await;
    let doc = scraper::Html::parse_document(&area);
    let tr = scraper::Selector::parse("table tbody tr").unwrap();
    let rows: Vec<String> = doc
        .select(&tr)
        .map(|r| r.text().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("bernd.bleibt") && rows[0].contains("Leitung"),
        "{rows:?}"
    );
});

db_test!(
    an_update_of_every_field_is_found_by_search_and_undone,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let (id, page) = upload(
            &app,
            "stamm.csv",
            csv(&[
                "Anrede;Vorname;Nachname;E-Mail;Benutzername;Personalnummer;Nutzertyp",
                "Frau;Anna;Alt;anna@example.com;anna.alt;100;Mitarbeiter",
                "Herr;Bernd;Bleibt;bernd@example.com;bernd.b;101;Mitarbeiter",
            ]),
            "create",
        )
        .await;
        commit(&app, id, &page).await;
        let before = app.user("anna.alt").await.unwrap();
        // Found by her number: everything else changes; Bernd only his type.
        let (id, page) = upload(
            &app,
            "stamm2.csv",
            csv(&[
                "Anrede;Vorname;Nachname;E-Mail;Benutzername;Personalnummer;Nutzertyp",
                "divers;Annika;Zeder;zeder@example.com;a.zeder;100;Extern",
                "Herr;Bernd;Bleibt;bernd@example.com;bernd.b;101;Gast",
            ]),
            "update",
        )
        .await;
        let rows = preview_rows(&page);
        assert!(rows.iter().all(|r| r.1 == "aenderung"), "{rows:?}");
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let anna = app.user("a.zeder").await.unwrap();
        assert_eq!(anna.id, before.id);
        assert_eq!(
            (
                anna.salutation.map(|s| s.as_str()),
                anna.first_name.as_str(),
                anna.last_name.as_str(),
                anna.email.as_deref(),
                anna.personnel_number.as_deref(),
                anna.user_type.as_str(),
            ),
            (
                Some("divers"),
                "Annika",
                "Zeder",
                Some("zeder@example.com"),
                Some("100"),
                "extern"
            )
        );
        assert_eq!(
            app.user("bernd.b").await.unwrap().user_type.as_str(),
            "gast"
        );
        // The list finds her by the new values and no longer by the old ones,
        // and sorts her by the new name.
        for (query, n) in [("zeder", 1), ("a.zeder", 1), ("annika", 1), ("anna.alt", 0)] {
            let (_, list) = app.get_html(&format!("/users?q={query}")).await;
            assert_eq!(crate::support::hits(&list), n, "{query}");
        }
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let anna = app.user("anna.alt").await.unwrap();
        assert_eq!(
            (
                anna.salutation.map(|s| s.as_str()),
                anna.first_name.as_str(),
                anna.last_name.as_str(),
                anna.email.as_deref(),
                anna.user_type.as_str(),
            ),
            (
                Some("frau"),
                "Anna",
                "Alt",
                Some("anna@example.com"),
                "mitarbeiter"
            )
        );
        assert_eq!(
            app.user("bernd.b").await.unwrap().user_type.as_str(),
            "mitarbeiter"
        );
        for (query, n) in [("zeder", 0), ("anna.alt", 1), ("anna alt", 1)] {
            let (_, list) = app.get_html(&format!("/users?q={query}")).await;
            assert_eq!(crate::support::hits(&list), n, "{query}");
        }
    }
);

db_test!(the_template_comes_back_as_an_empty_import, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for lang in ["de", "en"] {
        let res = app
            .get(&format!("/imports/template.xlsx?lang={lang}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap().to_vec();
        let (_, page) = upload(&app, "vorlage.xlsx", bytes, "create").await;
        // Titles recognised (no mapping step), no rows, nothing to import.
        assert!(
            page.contains("Keine Zeile kann übernommen werden"),
            "{lang}: {page}"
        );
        let (_, page) = app.get_html("/imports").await;
        assert!(page.contains("vorlage.xlsx"));
    }
});

/// A zip whose one part unpacks to `size` bytes of the same letter.
fn zip_bomb(part: &str, size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(size > u32::MAX as usize);
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file(part, options).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// An .xlsx (our own writer) with these cells: (row, column, text).
fn xlsx_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn small_limits(url: &str) -> einlass::config::Config {
    let mut config = crate::support::test_config(url);
    config.import.max_mb = 2;
    config.import.max_rows = 50;
    config.import.reader_memory_mb = 256;
    config.import.reader_seconds = 20;
    config
}

db_test!(
    hostile_files_get_a_clear_error_and_write_nothing,
    small_limits,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let xlsx = fixture("people.xlsx");
        let mut random = vec![0u8; 4096];
        for (i, b) in random.iter_mut().enumerate() {
            *b = (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3];
        }
        let many_rows: Vec<String> = std::iter::once("Vorname;Nachname".to_owned())
            .chain((0..60).map(|i| format!("A{i};B{i}")))
            .collect();
        // More than the reader takes (it counts title rows in): the admin
        // is told the setting's number all the same.
        let very_many_rows: Vec<String> = std::iter::once("Vorname;Nachname".to_owned())
            .chain((0..120).map(|i| format!("A{i};B{i}")))
            .collect();
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("random.xlsx", random, "Dateiformat wird nicht erkannt"),
            ("halb.xlsx", xlsx[..xlsx.len() / 2].to_vec(), "beschädigt"),
            (
                "passwort.xlsx",
                fixture("people-password.xlsx"),
                "mit einem Passwort geschützt",
            ),
            (
                "bild.xlsx",
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
                "Dateiformat wird nicht erkannt",
            ),
            ("leer.csv", Vec::new(), "leer"),
            (
                "bombe.xlsx",
                zip_bomb("xl/worksheets/sheet1.xml", 300 << 20),
                "entpackt zu groß",
            ),
            (
                "weit.xlsx",
                xlsx_with(&[
                    (0, 0, "Vorname"),
                    (0, 1, "Nachname"),
                    (1_048_575, 16_383, "x"),
                ]),
                "zu vielen Spalten",
            ),
            (
                "lang.csv",
                many_rows.join("\n").into_bytes(),
                "zu viele Zeilen",
            ),
            (
                "sehr-viele.csv",
                very_many_rows.join("\n").into_bytes(),
                "(höchstens 50)",
            ),
            ("gross.csv", vec![b'a'; 3 << 20], "zu groß"),
            // The form sent without a file chosen.
            ("", Vec::new(), "Bitte wählen Sie eine Datei aus"),
        ];
        let before = app.dump();
        for (name, bytes, message) in cases {
            let res = app.upload_import(name, bytes, "create").await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            let body = res.text().await.unwrap();
            assert!(body.contains(message), "{name}: {message} in {body}");
            assert!(body.contains("Es wurde nichts gespeichert"), "{name}");
        }
        // A mode the form does not offer.
        let res = app
            .upload_import("a.csv", csv(&["Vorname;Nachname", "A;B"]), "delete")
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(app.dump(), before, "nothing written");
        // A file whose name lies: the content decides.
        let (_, page) = upload(&app, "liste.csv", xlsx.clone(), "create").await;
        assert_eq!(preview_rows(&page).len(), 8);
        // An empty sheet and a header-only sheet: a preview with nothing to do.
        let (_, page) = upload(&app, "kopf.csv", csv(&["Vorname;Nachname"]), "create").await;
        assert!(
            page.contains("Keine Zeile kann übernommen werden"),
            "{page}"
        );
        assert!(page.contains("data-no-rows"), "{page}");
        assert!(!page.contains("Auf niemanden"), "the import's own words");
    }
);

/// The LibreOffice fixture with its shared strings replaced by what
/// `entries` writes (inside `<sst>`).
fn with_shared_strings(entries: impl FnOnce(&mut dyn std::io::Write)) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut src =
        zip::ZipArchive::new(std::io::Cursor::new(fixture("people-libreoffice.xlsx"))).unwrap();
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        if name == "xl/sharedStrings.xml" {
            continue;
        }
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut part, &mut data).unwrap();
        zip.start_file(name, options).unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">").unwrap();
    entries(&mut zip);
    zip.write_all(b"</sst>").unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

db_test!(
    a_reader_out_of_memory_is_an_error_not_a_dead_server,
    |url| {
        let mut config = crate::support::test_config(url);
        config.import.reader_memory_mb = 64;
        config
    },
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // Three million shared strings: calamine loads them all at once.
        let bytes = with_shared_strings(|zip| {
            for i in 0..3_000_000 {
                write!(zip, "<si><t>s{i}</t></si>").unwrap();
            }
        });
        let before = app.dump();
        let res = app.upload_import("strings.xlsx", bytes, "create").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("Speicher"), "{body}");
        assert_eq!(app.dump(), before);
        // The server goes on: the next file is read.
        let (_, page) = upload(&app, "people.xlsx", fixture("people.xlsx"), "create").await;
        assert_eq!(preview_rows(&page).len(), 8);
    }
);

db_test!(
    millions_of_shared_strings_are_refused_before_they_are_loaded,
    |app| {
        // A few hundred KB that list more strings than any sheet may hold
        // cells: refused while unpacking, in a moment, not after the reader
        // has loaded them all (the single import turn held for half a minute).
        app.login_as("chef", AdminRole::Administrator).await;
        let entries = b"<si/>".repeat(100_000);
        let bytes = with_shared_strings(|zip| {
            for _ in 0..125 {
                zip.write_all(&entries).unwrap();
            }
        });
        assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
        let before = app.dump();
        let started = std::time::Instant::now();
        let res = app.upload_import("strings.xlsx", bytes, "create").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("zu viele gefüllte Zellen"), "{body}");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(app.dump(), before);
    }
);

db_test!(undo_racing_an_activation_goes_one_way, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for round in 0..4 {
        let address = format!("race{round}@example.com");
        let (id, page) = upload(
            &app,
            "race.csv",
            csv(&[
                "Vorname;Nachname;E-Mail",
                &format!("Rena;Rennen{round};{address}"),
            ]),
            "create",
        )
        .await;
        commit(&app, id, &page).await;
        let person = app.user(&address).await.unwrap().id;
        services::invitations::invite(&app.ctx, &Actor::system("test"), person, None, None)
            .await
            .unwrap();
        einlass::jobs::mail::drain(&app.ctx).await.unwrap();
        let link = crate::invitations::mailbox_links(&app, "/i/")
            .await
            .remove(0);
        // The invitee's own browser opens the link and sends the form
        // while the admin undoes the import.
        let invitee = TestApp::new_client();
        let res = invitee
            .get(app.url(&crate::invitations::path_of(&link)))
            .send()
            .await
            .unwrap();
        let form_page = invitee
            .get(app.url(&location(&res)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::support::extract_csrf(&form_page);
        let fp = crate::support::value_of(&form_page, "input[name=link]").unwrap();
        let last = format!("Rennen{round}");
        let body = crate::support::form_encode(&[
            ("csrf", &csrf),
            ("link", &fp),
            ("first_name", "Rena"),
            ("last_name", &last),
            ("password", "Sonnenblume-Fahrrad-42"),
            ("password_repeat", "Sonnenblume-Fahrrad-42"),
        ]);
        let (activation, undo) = tokio::join!(
            invitee
                .post(app.url("/activate"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send(),
            post_undo(&app, id, &[("rest", "1")]),
        );
        let activation = activation.unwrap();
        assert_redirect(&undo, &format!("/imports/{id}"));
        match app.user(&address).await {
            // Activated first: kept, and the batch says so.
            Some(u) => {
                assert_eq!(u.status, UserStatus::Aktiv, "round {round}");
                assert_eq!(activation.status(), StatusCode::SEE_OTHER);
                let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
                assert!(batch.contains("data-count=\"kept\">1<"), "{batch}");
            }
            // Undone first: the activation found a dead link, no session.
            None => {
                assert_ne!(
                    activation.status(),
                    StatusCode::SEE_OTHER,
                    "round {round}: activated a removed person"
                );
                let me = invitee.get(app.url("/me")).send().await.unwrap();
                assert_ne!(me.status(), StatusCode::OK, "round {round}: signed in");
            }
        }
    }
});

db_test!(ten_thousand_rows_in_one_batch, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    fixture_units(&app).await;
    let mut lines = vec!["Vorname;Nachname;E-Mail;Personalnummer;Gruppen".to_owned()];
    for i in 0..10_000 {
        lines.push(format!("Vor{i};Nach{i};p{i}@example.com;{i:05};Lager"));
    }
    // 1 % invalid, a few duplicates.
    for i in (0..10_000).step_by(100) {
        lines[i + 1] = format!("Vor{i};Nach{i};kaputt{i};{i:05};Lager");
    }
    lines.push("Vor5;Doppelt;p5@example.com;99999;".into());
    let before = app.count_users().await;
    let (id, page) = upload(&app, "gross.csv", lines.join("\n").into_bytes(), "create").await;
    assert!(page.contains("data-outcome=\"neu\""), "{page}");
    let res = commit(&app, id, &page).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    // 10,000 rows: 100 invalid, row 7 and the last share an address.
    assert_eq!(app.count_users().await, before + 10_000 - 100 - 1);
    let (_, list) = app
        .get_html(&format!(
            "/users?import={id}&group={}",
            app.unit_id("groups", "Lager").await
        ))
        .await;
    assert!(list.contains("9.899"), "{}", &list[..2000.min(list.len())]);
    let res = post_undo(&app, id, &[]).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert_eq!(app.count_users().await, before);
    // The kept per-status figures agree with a count.
    services::maintenance::fold_counts(&app.ctx).await.unwrap();
    let (_, dashboard) = app.get_html("/users?status=angelegt").await;
    assert_eq!(crate::support::hits(&dashboard), 0);
});

/// An .xlsx of `rows` people under a title, an empty row and `titles` (row
/// 3), with a password in the last column; row 11's address is invalid and
/// the last row has the first row's address.
fn large_xlsx(titles: [&str; 5], rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "Mitarbeiterliste 2026").unwrap();
    for (c, t) in titles.iter().enumerate() {
        ws.write_string(2, c as u16, *t).unwrap();
    }
    for i in 0..rows {
        let email = match i {
            10 => "kaputt".to_owned(),
            i if i == rows - 1 => "p0@example.com".to_owned(),
            i => format!("p{i}@example.com"),
        };
        let r = 3 + i;
        ws.write_string(r, 0, format!("Vor{i}")).unwrap();
        ws.write_string(r, 1, format!("Nach{i}")).unwrap();
        ws.write_string(r, 2, email).unwrap();
        ws.write_string(r, 3, format!("{i:05}")).unwrap();
        ws.write_string(r, 4, format!("geheim{i}x")).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The rows as read that a batch keeps.
async fn kept_grid(app: &TestApp, id: i64) -> Vec<u8> {
    use diesel::prelude::*;
    use einlass::db::schema::import_batches as b;
    let grid: Option<Vec<u8>> = app
        .ctx
        .db()
        .run(move |conn| -> Result<_, services::ServiceError> {
            Ok(b::table.find(id).select(b::grid).first(conn)?)
        })
        .await
        .unwrap();
    grid.unwrap()
}

// A large .xlsx is parsed while the reader still reads it (in chunks of
// rows): the outcome is the same as for a file read whole — duplicates
// across chunks name each other, a password column is emptied in every
// chunk, and a file that needs the mapping step is read whole again.
db_test!(a_large_xlsx_read_in_chunks_previews_as_a_whole, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let rows = 9_000;
    let before = app.count_users().await;
    let file = large_xlsx(
        [
            "Vorname",
            "Nachname",
            "E-Mail",
            "Personalnummer",
            "Passwort",
        ],
        rows,
    );
    let (id, page) = upload(&app, "gross.xlsx", file, "create").await;
    assert!(page.contains("Neu: <strong>8.997<"), "{page}");
    assert!(page.contains("Fehler: <strong>3<"), "{page}");
    let (_, errors) = app.get_html(&format!("/imports/{id}?outcome=fehler")).await;
    let errors = preview_rows(&errors);
    let lines: Vec<u32> = errors.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![4, 14, 3 + rows], "{errors:?}");
    assert!(errors[0].2.contains("Zeile 9.003"), "{errors:?}");
    assert!(errors[2].2.contains("Zeile 4"), "{errors:?}");
    let grid = String::from_utf8_lossy(&kept_grid(&app, id).await).into_owned();
    assert!(
        grid.contains("Vor8999") && grid.contains("Vor0"),
        "every row is kept"
    );
    assert!(!grid.contains("geheim"), "a password is never kept");
    let res = commit(&app, id, &page).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert_eq!(app.count_users().await, before + 8_997);
    let last = app.user("p8998@example.com").await;
    assert!(last.is_some(), "a person of the last rows is in");

    // Titles the import does not know: mapped by hand, every row counts.
    let file = large_xlsx(["Wer", "Womit", "Adresse", "Nummer", "Kennwort"], rows);
    let (id, page) = upload(&app, "andere.xlsx", file, "create").await;
    assert!(page.contains("Spalten zuordnen"), "{page}");
    let mut form = vec![("header_line", "3")];
    form.extend_from_slice(&[
        ("col0", "first_name"),
        ("col1", "last_name"),
        ("col2", "email"),
        ("col3", "personnel_number"),
    ]);
    let res = app.post(&format!("/imports/{id}/mapping"), &form).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let (_, page) = app.get_html(&format!("/imports/{id}")).await;
    // Against the people just made: every row's number and address is
    // taken now.
    assert!(page.contains("Fehler: <strong>9.000<"), "{page}");
    assert!(!page.contains("geheim"), "{page}");
    // Under a password title the reader empties what it knows no header
    // for, too.
    assert!(!kept_grid_has(&app, id, "geheim").await);
    assert!(kept_grid_has(&app, id, "Kennwort").await);
});

/// The .xlsx with `extra` put at the end of its first sheet's rows.
fn with_late_rows(xlsx: &[u8], extra: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(bytes).unwrap();
            bytes = text
                .replace("</sheetData>", &format!("{extra}</sheetData>"))
                .into_bytes();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
    out.into_inner()
}

// Cells that come back to a row after thousands of others (a file listing
// its rows out of order): the rows handed on early are void, every row is
// read whole, and nothing of a password column is kept.
db_test!(a_large_xlsx_with_rows_out_of_order_reads_whole, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let file = large_xlsx(
        [
            "Vorname",
            "Nachname",
            "E-Mail",
            "Personalnummer",
            "Passwort",
        ],
        9_000,
    );
    let late = concat!(
        r#"<row r="6"><c r="E6" t="inlineStr"><is><t>geheimspät</t></is></c>"#,
        r#"<c r="G6" t="inlineStr"><is><t>spätzelle</t></is></c></row>"#
    );
    let (id, page) = upload(&app, "spaet.xlsx", with_late_rows(&file, late), "create").await;
    assert!(page.contains("Neu: <strong>8.997<"), "{page}");
    assert!(kept_grid_has(&app, id, "spätzelle").await);
    assert!(!kept_grid_has(&app, id, "geheim").await);
});

async fn kept_grid_has(app: &TestApp, id: i64, text: &str) -> bool {
    String::from_utf8_lossy(&kept_grid(app, id).await).contains(text)
}

/// How many staged rows batch `id` keeps.
async fn staged_rows(app: &TestApp, id: i64) -> Result<i64, services::ServiceError> {
    app.ctx
        .db()
        .run(move |conn| -> Result<i64, services::ServiceError> {
            use diesel::prelude::*;
            use einlass::db::schema::import_rows as r;
            Ok(r::table
                .filter(r::batch_id.eq(id))
                .count()
                .get_result(conn)?)
        })
        .await
}

db_test!(a_number_longer_than_a_spreadsheet_keeps_is_refused, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = crate::support::titled_sheet(&mut book, &["Vorname", "Nachname", "Personalnummer"]);
    // Typed as numbers: 17 digits keep 15 (Excel shows 1,23457E+16), 12
    // keep all of them.
    for (row, first, number) in [
        (1u32, "Anna", 12_345_678_901_234_567f64),
        (2, "Bernd", 123_456_789_012f64),
    ] {
        ws.write_string(row, 0, first).unwrap();
        ws.write_string(row, 1, "Lang").unwrap();
        ws.write_number(row, 2, number).unwrap();
    }
    let (_, page) = upload(&app, "lang.xlsx", book.save_to_buffer().unwrap(), "create").await;
    let rows = preview_rows(&page);
    let anna = rows.iter().find(|r| r.0 == 2).unwrap();
    assert_eq!(anna.1, "fehler", "{page}");
    assert!(anna.2.contains("mehr Stellen"), "{anna:?}");
    assert!(
        anna.2.contains("1.2345678901234568E+16") || anna.2.contains("E+16"),
        "{anna:?}"
    );
    let bernd = rows.iter().find(|r| r.0 == 3).unwrap();
    assert_eq!(bernd.1, "neu", "{page}");
    assert!(page.contains("123456789012"), "{page}");
});

db_test!(a_date_or_a_truth_value_is_no_personnel_number, |app| {
    // `1-2-3` typed into a cell becomes a date, a column of check marks
    // holds truth values: neither is a number a person was given. As cells
    // of a workbook and as the text a CSV holds of them.
    app.login_as("chef", AdminRole::Administrator).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = crate::support::titled_sheet(&mut book, &["Vorname", "Nachname", "Personalnummer"]);
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (row, first) in [(1u32, "Anna"), (2, "Bernd"), (3, "Chris")] {
        ws.write_string(row, 0, first).unwrap();
        ws.write_string(row, 1, "Zelle").unwrap();
    }
    ws.write_boolean(1, 2, true).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(9999, 12, 31).unwrap();
    ws.write_datetime_with_format(2, 2, &date, &date_format)
        .unwrap();
    ws.write_string(3, 2, "00123").unwrap();
    let (_, page) = upload(
        &app,
        "zellen.xlsx",
        book.save_to_buffer().unwrap(),
        "create",
    )
    .await;
    let rows = preview_rows(&page);
    for (line, shown) in [(2, "WAHR"), (3, "31.12.9999")] {
        let row = rows.iter().find(|r| r.0 == line).unwrap();
        assert_eq!(row.1, "fehler", "{page}");
        assert!(
            row.2.contains("Datum, eine Uhrzeit oder ein Wahrheitswert") && row.2.contains(shown),
            "{row:?}"
        );
    }
    let chris = rows.iter().find(|r| r.0 == 4).unwrap();
    assert_eq!(chris.1, "neu", "{page}");

    let csv = "Vorname;Nachname;Personalnummer\r\nDora;Text;FALSCH\r\nEmil;Text;1.2.2003\r\nFrida;Text;1.2.3\r\n";
    let (_, page) = upload(&app, "zellen.csv", csv.as_bytes().to_vec(), "create").await;
    let outcomes: Vec<(u32, String)> = preview_rows(&page)
        .into_iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(
        outcomes,
        [
            (2, "fehler".to_owned()),
            (3, "fehler".into()),
            (4, "neu".into())
        ],
        "{page}"
    );
});

db_test!(
    a_malformed_upload_says_what_to_do_and_writes_nothing,
    |app| {
        // A file name that is not UTF-8, or holds a control character (a
        // script's upload, not a browser's): the form cannot be read. The page
        // says so and what to do; no batch is started.
        app.login_as("chef", AdminRole::Administrator).await;
        let csrf = app.csrf().await;
        let before = crate::support::rows_of(&app.dump(), "import_batches");
        for name in [&b"\xff.csv"[..], b"bell\x07.csv", b"nul\x00.csv"] {
            let mut body =
                b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n".to_vec();
            body.extend_from_slice(csrf.as_bytes());
            body.extend_from_slice(
                b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"",
            );
            body.extend_from_slice(name);
            body.extend_from_slice(
            b"\"\r\nContent-Type: text/csv\r\n\r\nVorname;Nachname\r\nAnna;Muster\r\n\r\n--XyZ--\r\n",
        );
            let res = app
                .client
                .post(app.url("/imports"))
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name:?}");
            let page = res.text().await.unwrap();
            assert!(
                page.contains("Datei nicht empfangen")
                    && page.contains("Benennen Sie die Datei um"),
                "{page}"
            );
        }
        assert_eq!(
            crate::support::rows_of(&app.dump(), "import_batches"),
            before
        );
    }
);

db_test!(
    a_group_written_without_umlauts_is_the_group_with_them,
    |app| {
        // A file from a system without umlauts: "Kueche" is the group "Küche",
        // "STRASSE 1" the area "Straße 1". Shown and joined as such, and not
        // made a second time when missing ones are created.
        app.login_as("chef", AdminRole::Administrator).await;
        let system = Actor::system("test");
        use einlass::domain::units::UnitKind;
        for (kind, name) in [(UnitKind::Group, "Küche"), (UnitKind::Area, "Straße 1")] {
            services::units::create(&app.ctx, &system, kind, name)
                .await
                .unwrap();
        }
        let (id, page) = upload(
            &app,
            "ohne-umlaute.csv",
            csv(&[
                "Vorname;Nachname;E-Mail;Gruppen;Bereich",
                "Kurt;Koch;kurt@example.com;Kueche;STRASSE 1",
                "Nina;Neu;nina@example.com;Kueche, Kantine;",
            ]),
            "create",
        )
        .await;
        let rows = preview_rows(&page);
        assert_eq!(rows[0].1, "neu", "{page}");
        assert!(page.contains("Küche"), "{page}");
        assert_eq!(rows[1].1, "fehler", "Kantine is unknown: {page}");
        let page = create_missing_units(&app, id).await;
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let units = app.ctx.units();
        let names: Vec<&str> = units.groups.iter().map(|g| g.name.as_str()).collect();
        assert!(
            names.contains(&"Kantine") && !names.iter().any(|n| n.contains("Kueche")),
            "{names:?}"
        );
        assert!(!units.areas.iter().any(|a| a.name.contains("STRASSE")));
        let kueche = units.groups.iter().find(|g| g.name == "Küche").unwrap().id;
        drop(units);
        let (_, group) = app.get_html(&format!("/groups/{kueche}")).await;
        assert!(group.contains("Kurt") && group.contains("Nina"), "{group}");
    }
);

db_test!(committed_imports_keep_only_their_refused_rows, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let file = csv(&[
        "Vorname;Nachname;E-Mail",
        "Anna;Ruhig;anna.ruhig@example.com",
        "Bernd;Ruhig;kein-at-zeichen",
        "Chris;Ruhig;chris.ruhig@example.com",
    ]);
    let (done, page) = upload(&app, "fertig.csv", file.clone(), "create").await;
    let res = commit(&app, done, &page).await;
    assert_redirect(&res, &format!("/imports/{done}"));
    let (open, _) = upload(&app, "offen.csv", file, "create").await;
    assert_eq!(staged_rows(&app, done).await.unwrap(), 3);
    assert_eq!(services::imports::sweep_settled(&app.ctx).await.unwrap(), 1);
    assert_eq!(staged_rows(&app, done).await.unwrap(), 1, "the refused row");
    assert_eq!(
        staged_rows(&app, open).await.unwrap(),
        3,
        "a preview keeps all"
    );
    assert_eq!(services::imports::sweep_settled(&app.ctx).await.unwrap(), 0);
    // The error list and the undo still work.
    let res = app.get(&format!("/imports/{done}/errors.xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let book = read_book(&res.bytes().await.unwrap());
    assert!(
        book.rows
            .iter()
            .any(|r| r.cells.iter().any(|c| c == "kein-at-zeichen")),
        "{:?}",
        book.rows
    );
    let res = post_undo(&app, done, &[]).await;
    assert_redirect(&res, &format!("/imports/{done}"));
    assert!(app.user("anna.ruhig").await.is_none());
    assert!(app.user("chris.ruhig").await.is_none());
});

db_test!(imports_left_open_for_a_week_are_discarded, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let csv = |name: &str| format!("Vorname;Nachname;E-Mail\nAlt;{name};{name}@example.com\n");
    let (old, _) = upload(&app, "alt.csv", csv("alt").into_bytes(), "create").await;
    app.ctx.clock().advance(time::Duration::days(6));
    app.sign_in("chef").await;
    let (recent, _) = upload(&app, "neu.csv", csv("neu").into_bytes(), "create").await;
    assert_eq!(services::imports::sweep_open(&app.ctx).await.unwrap(), 0);
    app.ctx.clock().advance(time::Duration::days(2));
    assert_eq!(services::imports::sweep_open(&app.ctx).await.unwrap(), 1);
    app.sign_in("chef").await;
    // A discarded import's page leads to the history.
    let res = app.get(&format!("/imports/{old}")).await;
    assert_redirect(&res, "/imports");
    let staged = |id| staged_rows(&app, id);
    assert_eq!(staged(old).await.unwrap(), 0, "its staged rows are gone");
    assert_eq!(staged(recent).await.unwrap(), 1, "the recent preview stays");
    let (_, page) = app.get_html(&format!("/imports/{recent}")).await;
    assert!(page.contains("data-preview"), "{page}");
});

db_test!(
    cut_cells_formula_numbers_and_old_mac_lines_are_refused_not_guessed,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // A group cell longer than a cell may be (the reader cut it): refused
        // whole, never imported with its last names missing.
        let many: Vec<String> = (0..400).map(|i| format!("Projekt-Team-{i:03}")).collect();
        let csv = format!(
            "Vorname;Nachname;E-Mail;Personalnummer;Gruppen\n\
         Pia;Team;pia@example.com;1;\"{}\"\n\
         Fritz;Formel;fritz@example.com;=5;\n\
         Gerd;Gruppe;gerd@example.com;2;=1+1\n\
         Ina;Richtig;ina@example.com;3;Lager\n",
            many.join(", ")
        );
        let (id, _) = upload(&app, "lang.csv", csv.into_bytes(), "create").await;
        let page = create_missing_units(&app, id).await;
        let rows = preview_rows(&page);
        let at = |line: u32| rows.iter().find(|r| r.0 == line).cloned().unwrap();
        assert_eq!(at(2).1, "fehler", "{:?}", at(2));
        assert!(at(2).2.contains("Die Zelle ist zu lang"), "{:?}", at(2));
        assert_eq!(at(3).1, "fehler", "{:?}", at(3));
        assert!(at(3).2.contains("wie eine Formel"), "{:?}", at(3));
        // A group that is a formula's text is not made, and the row says
        // so (with the advice for formulas).
        assert_eq!(at(4).1, "fehler", "{:?}", at(4));
        assert!(
            at(4)
                .2
                .contains("Gruppen: beginnt mit =, + oder @ wie eine Formel"),
            "{:?}",
            at(4)
        );
        assert_eq!(at(5).1, "neu", "{:?}", at(5));
        assert!(!page.contains("Projekt-Te…"), "no cut name to create");
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("pia@example.com").await.is_none());
        assert!(app.user("ina@example.com").await.is_some());
        let (_, groups) = app.get_html("/groups").await;
        assert!(
            !groups.contains("=1+1") && !groups.contains("Projekt-Team"),
            "{groups}"
        );
        // Lines that end with a carriage return alone (old Mac files) are lines.
        let csv = "Vorname;Nachname;E-Mail\rAnna;Alt;anna.alt@example.com\rBert;Alt;bert.alt@example.com\r";
        let (_, page) = upload(&app, "mac.csv", csv.as_bytes().to_vec(), "create").await;
        let rows = preview_rows(&page);
        assert_eq!(
            rows.iter().map(|r| (r.0, r.1.as_str())).collect::<Vec<_>>(),
            vec![(2, "neu"), (3, "neu")],
            "{page}"
        );
    }
);

db_test!(
    csv_in_utf16_without_a_mark_or_with_a_stray_nul_is_read_and_its_row_refused,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // Some exports write UTF-16 without a byte-order mark.
        let text = "Vorname;Nachname;E-Mail\nJürgen;Öz;juergen@example.com\n";
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (_, page) = upload(&app, "unicode.csv", utf16, "create").await;
        let rows = preview_rows(&page);
        assert_eq!(
            rows.iter().map(|r| (r.0, r.1.as_str())).collect::<Vec<_>>(),
            vec![(2, "neu")],
            "{page}"
        );
        assert!(page.contains("Jürgen"), "{page}");
        // Windows-1252 with a NUL inside a name: the file is read, that row
        // is refused by name, the other one imported.
        let bytes =
            b"Vorname;Nachname;E-Mail\nJ\xfcrgen;M\x00ller;jm@example.com\nUte;Ost;ute@example.com\n"
                .to_vec();
        let (id, page) = upload(&app, "nul.csv", bytes, "create").await;
        let rows = preview_rows(&page);
        assert_eq!(
            rows.iter().map(|r| (r.0, r.1.as_str())).collect::<Vec<_>>(),
            vec![(2, "fehler"), (3, "neu")],
            "{page}"
        );
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert!(app.user("ute@example.com").await.is_some());
        assert!(app.user("jm@example.com").await.is_none());
    }
);

db_test!(
    two_uploads_at_the_same_instant_both_get_their_preview,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let file = |n: u32| {
            let mut lines = vec!["Vorname;Nachname;E-Mail".to_owned()];
            lines.extend((0..500).map(|i| format!("P{n}x{i};Q;p{n}x{i}@example.com")));
            lines.join("\n").into_bytes()
        };
        // One import is prepared at a time; the other waits for its turn.
        let (a, b) = tokio::join!(
            app.upload_import("a.csv", file(1), "create"),
            app.upload_import("b.csv", file(2), "create")
        );
        let mut ids = Vec::new();
        for res in [a, b] {
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let at = location(&res);
            let (_, page) = app.get_html(&at).await;
            assert!(page.contains("data-preview"), "{page}");
            assert_eq!(
                preview_rows(&page).len(),
                50,
                "the first page of 500 new rows"
            );
            ids.push(at);
        }
        assert_ne!(ids[0], ids[1]);
    }
);

db_test!(an_undo_leaves_people_above_the_admins_role_alone, |app| {
    // A user-management admin imports; an Administrator then makes two of
    // the import's people Administrators. His undo may change neither: the
    // one created stays, the one updated keeps the imported address (else
    // an undo could put any address back on an Administrator's account).
    app.login_as("verwaltung", AdminRole::Benutzerverwaltung)
        .await;
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Yvonne"),
                ("last_name", "Ypsilon"),
                ("username", "yvonne"),
                ("email", "alt@example.org"),
                ("personnel_number", "Y1"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (id, page) = upload(
        &app,
        "x.csv",
        csv(&[
            "Personalnummer;Vorname;Nachname;E-Mail",
            "Y1;Yvonne;Ypsilon;yvonne@example.com",
            "Z1;Zora;Zett;zora@example.com",
            "W1;Willi;Weh;willi@example.com",
        ]),
        "update",
    )
    .await;
    let res = commit(&app, id, &page).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let (yvonne, zora) = (app.user_id("yvonne").await, app.user_id("zora.zett").await);
    app.db.raw().execute(&format!(
        "UPDATE users SET is_staff = TRUE, admin_role = 'administrator' WHERE id IN ({yvonne}, {zora})"
    ));
    let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
    assert!(plan.contains("data-count=\"removable\">1<"), "{plan}");
    assert!(plan.contains("data-count=\"above-role\">2<"), "{plan}");
    // Named, so the admin knows whom to ask.
    let named = plan
        .split("data-above-role")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or("");
    assert!(
        named.contains(&format!("href=\"/users/{yvonne}\""))
            && named.contains(&format!("href=\"/users/{zora}\"")),
        "{plan}"
    );
    assert!(!plan.contains("data-count=\"restorable\""), "{plan}");
    assert!(plan.contains("Benutzer wird entfernt."), "{plan}");
    // Undone without consent: nothing happens.
    let res = post_undo(&app, id, &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(app.user("willi.weh").await.is_some());
    let res = post_undo(&app, id, &[("rest", "1")]).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    assert!(app.user("willi.weh").await.is_none(), "Willi went");
    assert!(app.user("zora.zett").await.is_some(), "Zora stays");
    let y = app.user("yvonne").await.unwrap();
    assert_eq!(y.email.as_deref(), Some("yvonne@example.com"));
    let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
    assert!(
        batch.contains("data-state=\"teilweise_rueckgaengig\""),
        "{batch}"
    );
});

db_test!(
    an_undo_that_leaves_an_imported_value_standing_is_partial,
    |app| {
        // Nobody the import made stays, but values it wrote do: an updated
        // person holds a role above the undoing admin's, another's previous
        // address belongs to someone else now. The batch says "partly", as it
        // does for people kept; a value changed by hand since leaves nothing
        // of the import and keeps the state "undone".
        app.login_as("verwaltung", AdminRole::Benutzerverwaltung)
            .await;
        for (first, email, number) in [
            ("Yvonne", "y-alt@example.org", "Y1"),
            ("Xaver", "x-alt@example.org", "X1"),
            ("Vera", "v-alt@example.org", "V1"),
        ] {
            let res = app
                .post(
                    "/users/new",
                    &[
                        ("first_name", first),
                        ("last_name", "Alt"),
                        ("email", email),
                        ("personnel_number", number),
                        ("user_type", "mitarbeiter"),
                        ("start_password_mode", "none"),
                        ("then", "close"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        let update = |rows: &[&str]| {
            let mut lines = vec!["Personalnummer;Vorname;Nachname;E-Mail"];
            lines.extend_from_slice(rows);
            csv(&lines)
        };
        // 1. A role above the undoing admin's.
        let (id, page) = upload(
            &app,
            "a.csv",
            update(&["Y1;Yvonne;Neu;y@example.com"]),
            "update",
        )
        .await;
        assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
        assert_eq!(app.user("yvonne.alt").await.unwrap().last_name, "Neu");
        let yvonne = app.user_id("yvonne.alt").await;
        app.db.raw().execute(&format!(
            "UPDATE users SET is_staff = TRUE, admin_role = 'administrator' WHERE id = {yvonne}"
        ));
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.user("yvonne.alt").await.unwrap().last_name, "Neu");
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(
            batch.contains("data-state=\"teilweise_rueckgaengig\""),
            "{batch}"
        );
        assert!(batch.contains("data-count=\"unrestored\">1<"), "{batch}");
        // 2. The previous address is someone else's now.
        let (id, page) = upload(
            &app,
            "b.csv",
            update(&["X1;Xaver;Neu;x@example.com"]),
            "update",
        )
        .await;
        assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
        let vera = app.user_id("vera.alt").await;
        app.db.raw().execute(&format!(
        "UPDATE users SET email = 'x-alt@example.org', email_lower = 'x-alt@example.org' WHERE id = {vera}"
    ));
        // The undo page says so before: his value will stay.
        let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
        assert!(plan.contains("data-count=\"changed-since\">1<"), "{plan}");
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let x = app.user("xaver.alt").await.unwrap();
        assert_eq!(x.email.as_deref(), Some("x@example.com"));
        assert_eq!(x.last_name, "Alt", "what could go back went back");
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(
            batch.contains("data-state=\"teilweise_rueckgaengig\""),
            "{batch}"
        );
        // 3. Changed by hand since: nothing of the import is left.
        let (id, page) = upload(&app, "c.csv", update(&["V1;Vera;Neu;"]), "update").await;
        assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
        app.db.raw().execute(&format!(
            "UPDATE users SET last_name = 'VonHand' WHERE id = {vera}"
        ));
        let res = post_undo(&app, id, &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.user("vera.alt").await.unwrap().last_name, "VonHand");
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(batch.contains("data-state=\"rueckgaengig\""), "{batch}");
        assert!(batch.contains("data-count=\"unrestored\">1<"), "{batch}");
    }
);

db_test!(an_update_file_without_names_changes_what_it_gives, |app| {
    // The addresses IT sent, by personnel number: no name column. Found
    // people keep their names; a number that finds nobody would be a new
    // person without a name and is refused for it. In a new-people import
    // the same file needs the name columns mapped first.
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "stamm.csv",
        csv(&[
            "Personalnummer;Vorname;Nachname",
            "200;Anna;Alt",
            "201;Bernd;Bleibt",
        ]),
        "create",
    )
    .await;
    assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
    let addresses = csv(&[
        "Personalnummer;E-Mail",
        "200;anna@example.com",
        "201;",
        "299;niemand@example.com",
    ]);
    let (id, page) = upload(&app, "adressen.csv", addresses.clone(), "update").await;
    let rows = preview_rows(&page);
    let at = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
    assert_eq!(at(2).1, "aenderung", "{rows:?}");
    assert!(
        at(2).2.contains("E-Mail: — → anna@example.com"),
        "{:?}",
        at(2)
    );
    assert!(!at(2).2.contains("Vorname"), "{:?}", at(2));
    assert!(page.contains("Anna"), "the row shows whom it found: {page}");
    assert_eq!(at(3).1, "unveraendert", "{rows:?}");
    assert_eq!(at(4).1, "fehler", "{rows:?}");
    assert!(at(4).2.starts_with("Findet kein Konto"), "{:?}", at(4));
    assert!(
        !at(4).2.contains("Vorname:"),
        "one reason, not two: {:?}",
        at(4)
    );
    assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
    let anna = app.user("anna.alt").await.unwrap();
    assert_eq!(anna.email.as_deref(), Some("anna@example.com"));
    assert_eq!(
        (anna.first_name.as_str(), anna.last_name.as_str()),
        ("Anna", "Alt")
    );
    assert_eq!(app.user("bernd.bleibt").await.unwrap().first_name, "Bernd");
    // The same address in other letters' case is no change, confirmed or
    // not (a change would end her links; a confirmed one would be refused).
    for confirmed in [false, true] {
        if confirmed {
            app.db.raw().execute(
                "UPDATE users SET email_confirmed = TRUE WHERE email = 'anna@example.com'",
            );
        }
        let (id, page) = upload(
            &app,
            "gross.csv",
            csv(&[
                "Personalnummer;E-Mail;Nachname",
                "200;Anna@Example.COM;Alt",
                "201;;Bleibt",
            ]),
            "update",
        )
        .await;
        let rows = preview_rows(&page);
        assert!(rows.iter().all(|r| r.1 == "unveraendert"), "{rows:?}");
        app.post(&format!("/imports/{id}/discard"), &[]).await;
    }
    let (id, page) = upload(
        &app,
        "gross2.csv",
        csv(&["Personalnummer;E-Mail;Nachname", "200;Anna@Example.COM;Neu"]),
        "update",
    )
    .await;
    assert_eq!(preview_rows(&page)[0].1, "aenderung");
    assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
    let anna = app.user("anna.alt").await.unwrap();
    assert_eq!(anna.email.as_deref(), Some("anna@example.com"));
    assert_eq!(anna.last_name, "Neu");
    app.db
        .raw()
        .execute("UPDATE users SET last_name = 'Alt' WHERE email = 'anna@example.com'");
    // An empty name cell in a file with name columns changes no name either.
    let (id, page) = upload(
        &app,
        "namen.csv",
        csv(&["Personalnummer;Vorname;Nachname", "201;;Neu"]),
        "update",
    )
    .await;
    let rows = preview_rows(&page);
    assert_eq!(rows[0].1, "aenderung", "{rows:?}");
    assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
    let bernd = app
        .user("bernd.neu")
        .await
        .or(app.user("bernd.bleibt").await)
        .unwrap();
    assert_eq!(
        (bernd.first_name.as_str(), bernd.last_name.as_str()),
        ("Bernd", "Neu")
    );
    // The same addresses as new people: the mapping asks for the names.
    let res = app.upload_import("adressen.csv", addresses, "create").await;
    let (_, mapping) = app.get_html(&location(&res)).await;
    assert!(
        mapping.contains("Vorname und Nachname sind nötig."),
        "{mapping}"
    );
    assert!(!mapping.contains("data-preview"), "{mapping}");
});

db_test!(an_undo_counts_only_people_still_there, |app| {
    // Import A creates people, import B updates them, A is undone: B's undo
    // page no longer counts them among those it gives their values back.
    app.login_as("chef", AdminRole::Administrator).await;
    let file = |last: &str| {
        csv(&[
            "Personalnummer;Vorname;Nachname",
            &format!("P1;Paula;{last}"),
            &format!("P2;Peter;{last}"),
        ])
    };
    let (a, page) = upload(&app, "a.csv", file("Alt"), "create").await;
    assert_redirect(&commit(&app, a, &page).await, &format!("/imports/{a}"));
    let (b, page) = upload(&app, "b.csv", file("Neu"), "update").await;
    assert_redirect(&commit(&app, b, &page).await, &format!("/imports/{b}"));
    let (_, plan) = app.get_html(&format!("/imports/{b}/undo")).await;
    assert!(plan.contains("data-count=\"restorable\">2<"), "{plan}");
    let res = post_undo(&app, a, &[]).await;
    assert_redirect(&res, &format!("/imports/{a}"));
    let (_, plan) = app.get_html(&format!("/imports/{b}/undo")).await;
    assert!(!plan.contains("data-count=\"restorable\""), "{plan}");
});

db_test!(the_error_list_uploaded_again_refuses_the_same_rows, |app| {
    // The error list repeats each refused row's cells as the file had them,
    // in the file's columns: uploaded again unchanged, every row is refused
    // again (nothing cut, defaulted, proposed or quoted into a value).
    app.login_as("chef", AdminRole::Administrator).await;
    let long = "L".repeat(200);
    let (id, page) = upload(
        &app,
        "liste.csv",
        csv(&[
            "Anrede;Vorname;Nachname;E-Mail;Benutzername;Personalnummer;Gruppen",
            &format!("Frau;Lang;{long};lang@example.com;;;"),
            "Herr;Bad;User;bad@example.com;bad user!;;",
            "Dr.;Titel;Anrede;titel@example.com;;;",
            "=HYPERLINK(\"http://x\");Formel;formel@example.com;;;;",
            "Frau;Nummer;Formel;nformel@example.com;;=A1;",
            "Frau;Steuer\u{1}zeichen;Name;steuer@example.com;;;",
            "Herr;Doppel;Eins;doppel@example.com;;;\"\"\"Nord, Süd\"\"; Lager\"",
            "Herr;Doppel;Zwei;DOPPEL@example.com;;;",
            "Frau;Gut;Person;gut@example.com;;P-1;",
        ]),
        "create",
    )
    .await;
    let rows = preview_rows(&page);
    let errors = rows.iter().filter(|r| r.1 == "fehler").count();
    assert_eq!(errors, 8, "{rows:?}");
    let res = app.get(&format!("/imports/{id}/errors.xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let book = res.bytes().await.unwrap().to_vec();
    let read = read_book(&book);
    // Row, reason, then the file's columns in its order.
    assert_eq!(
        read.rows[0].cells[2..],
        [
            "Anrede",
            "Vorname",
            "Nachname",
            "E-Mail",
            "Benutzername",
            "Personalnummer",
            "Gruppen"
        ]
    );
    let has =
        |column: usize, value: &str| read.rows[1..].iter().any(|r| r.cell(column + 2) == value);
    assert!(has(2, &long), "not cut");
    assert!(has(4, "bad user!"));
    assert!(has(0, "Dr."));
    assert!(has(1, "Steuer\u{1}zeichen"), "{:?}", read.rows);
    assert!(has(5, "=A1"));
    // Refused after it was read (a doubled address): its values, which
    // read back the same (a name with a comma in quotes).
    assert!(has(6, "\"Nord, Süd\", Lager"), "{:?}", read.rows);
    // Uploaded again: the same rows, each refused again.
    let (_, again) = upload(&app, "liste - Fehler.xlsx", book, "create").await;
    let rows = preview_rows(&again);
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(rows.iter().all(|r| r.1 == "fehler"), "{rows:?}");
});

db_test!(an_error_list_adds_no_value_the_file_did_not_give, |app| {
    // Update mode, a file without a user type: the error list has no such
    // column, so fixing the address and uploading the list changes only
    // what the file gave.
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Xaver"),
                ("last_name", "Extern"),
                ("username", "xaver"),
                ("personnel_number", "X1"),
                ("user_type", "extern"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (id, _) = upload(
        &app,
        "x.csv",
        csv(&[
            "Personalnummer;Vorname;Nachname;E-Mail",
            "X1;Xaver;Extern;kaputt@",
        ]),
        "update",
    )
    .await;
    let book = app
        .get(&format!("/imports/{id}/errors.xlsx"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let read = read_book(&book);
    assert_eq!(
        read.rows[0].cells[2..],
        ["Personalnummer", "Vorname", "Nachname", "E-Mail"]
    );
    assert_eq!(
        read.rows[1].cells[2..],
        ["X1", "Xaver", "Extern", "kaputt@"]
    );
});

db_test!(a_forged_mapping_changes_nothing, |app| {
    // Values the mapping page never offers: a row that is no row of the
    // file, a column past the data, a field the import does not know.
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "zwei.csv",
        csv(&[
            "Vorname;Nachname;E-Mail;Mail",
            "Anna;Muster;anna@firma.example;anna@privat.example",
        ]),
        "create",
    )
    .await;
    assert!(page.contains("Spalten zuordnen"), "{page}");
    let good = [
        ("col0", "first_name"),
        ("col1", "last_name"),
        ("col3", "email"),
    ];
    for (key, value) in [
        ("header_line", "-1"),
        ("header_line", "abc"),
        ("header_line", "99999"),
        ("header_line", "4294967296"),
        ("col999", "username"),
        ("col4", "username"),
        ("col2", "password"),
    ] {
        let mut form: Vec<(&str, &str)> = good.to_vec();
        form.retain(|(k, _)| *k != key);
        if key != "header_line" {
            form.push(("header_line", "1"));
        }
        form.push((key, value));
        let res = app.post(&format!("/imports/{id}/mapping"), &form).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{key}={value}");
        let (_, page) = app.get_html(&format!("/imports/{id}")).await;
        assert!(page.contains("Spalten zuordnen"), "{key}={value}: {page}");
    }
    let page = map_columns(&app, id, &good).await;
    assert_eq!(preview_rows(&page).len(), 1, "{page}");
});

db_test!(a_csv_quote_never_closed_is_named_with_its_line, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let body = csv(&[
        "Vorname;Nachname",
        "Anna;Muster",
        "\"Bernd;Muster",
        "Chris;Muster",
    ]);
    let before = app.dump();
    let res = app.upload_import("liste.csv", body, "create").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("nicht geschlossen") && page.contains("in Zeile 3."),
        "{page}"
    );
    assert_eq!(app.dump(), before, "nothing written");
});

db_test!(the_undo_page_says_whose_changes_since_go_too, |app| {
    // Undoing a create import removes its people with what was changed on
    // them since: the page counts those, so nobody's work goes unnoticed.
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(
        &app,
        "a.csv",
        csv(&[
            "Personalnummer;Vorname;Nachname",
            "Q1;Paula;Pohl",
            "Q2;Peter;Pan",
        ]),
        "create",
    )
    .await;
    assert_redirect(&commit(&app, id, &page).await, &format!("/imports/{id}"));
    let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
    assert!(plan.contains("data-count=\"removable\">2<"), "{plan}");
    assert!(!plan.contains("removable-changed"), "{plan}");
    let seen_before = plan
        .split(r#"name="seen" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let paula = app.user_id("paula.pohl").await;
    let res = app
        .post(
            &format!("/users/{paula}/edit"),
            &[
                ("first_name", "Paula"),
                ("last_name", "Pohl-Neu"),
                ("username", "paula.pohl"),
                ("personnel_number", "Q1"),
                ("user_type", "mitarbeiter"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, plan) = app.get_html(&format!("/imports/{id}/undo")).await;
    assert!(
        plan.contains("data-count=\"removable-changed\">1<")
            && plan.contains("davon seit dem Import geändert"),
        "{plan}"
    );
    // A second admin confirms the page he opened before that edit: nothing
    // goes, and he sees the page as it is now.
    let res = app
        .post(&format!("/imports/{id}/undo"), &[("seen", &seen_before)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let again = res.text().await.unwrap();
    assert!(
        again.contains("data-undo-changed")
            && again.contains("wurden Personen aus diesem Import geändert")
            && again.contains("data-count=\"removable-changed\">1<"),
        "{again}"
    );
    assert!(app.user("paula.pohl").await.is_some(), "nothing undone");
    // So too for a membership given on a group's page (audited on the
    // group, not on her).
    let seen_now = again
        .split(r#"name="seen" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    app.post("/groups", &[("name", "Nachtschicht")]).await;
    let night = app.unit_id("groups", "Nachtschicht").await;
    services::units::add_member(
        &app.ctx,
        &Actor::system("test"),
        einlass::domain::units::UnitKind::Group,
        einlass::domain::UnitId::new(night),
        "paula.pohl",
        None,
    )
    .await
    .unwrap();
    let res = app
        .post(&format!("/imports/{id}/undo"), &[("seen", &seen_now)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(app.user("paula.pohl").await.is_some(), "nothing undone");
    assert_redirect(&post_undo(&app, id, &[]).await, &format!("/imports/{id}"));
    assert!(app.user("paula.pohl").await.is_none());
});

db_test!(
    a_preview_changing_someone_above_the_committers_role_stays_its_makers,
    |app| {
        // An Administrator previews an update that changes another
        // Administrator; a user-management admin's commit is refused with
        // that reason and leaves the preview as it was, which its maker
        // then commits. Who uploaded and who committed are both shown.
        let boss = app.create_admin("boss", AdminRole::Administrator).await;
        let _ = boss;
        app.login_as("chef", AdminRole::Administrator).await;
        let (id, page) = upload(
            &app,
            "x.csv",
            csv(&[
                "Benutzername;Vorname;Nachname;E-Mail",
                "boss;Bossi;boss;boss@example.com",
            ]),
            "update",
        )
        .await;
        let rows = preview_rows(&page);
        assert_eq!(rows.len(), 1, "{page}");
        assert_eq!(rows[0].1, "aenderung", "{page}");
        app.login_as("verw", AdminRole::Benutzerverwaltung).await;
        let (_, seen) = app.get_html(&format!("/imports/{id}")).await;
        let res = commit(&app, id, &seen).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, after) = app.get_html(&format!("/imports/{id}")).await;
        assert!(after.contains("über Ihrer Rolle"), "{after}");
        assert_eq!(preview_rows(&after)[0].1, "aenderung", "{after}");
        assert_eq!(
            version(&after),
            version(&page),
            "the preview was not made again"
        );
        assert_eq!(app.user("boss").await.unwrap().first_name, "Test");
        // A preview verw makes refuses the row; once chef makes it again
        // (an option), it is his, and verw's commit is refused again.
        let res = app
            .post(&format!("/imports/{id}/units"), &[("create", "0")])
            .await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, own) = app.get_html(&format!("/imports/{id}")).await;
        assert_eq!(preview_rows(&own)[0].1, "fehler", "{own}");
        app.sign_in("chef").await;
        let res = app
            .post(&format!("/imports/{id}/units"), &[("create", "0")])
            .await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, page) = app.get_html(&format!("/imports/{id}")).await;
        assert_eq!(preview_rows(&page)[0].1, "aenderung", "{page}");
        app.sign_in("verw").await;
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, after) = app.get_html(&format!("/imports/{id}")).await;
        assert!(after.contains("über Ihrer Rolle"), "{after}");
        assert_eq!(version(&after), version(&page), "the preview stays chef's");
        app.sign_in("chef").await;
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.user("boss").await.unwrap().first_name, "Bossi");

        // A file chef uploads and verw commits names both.
        let (id, page) = upload(
            &app,
            "y.csv",
            csv(&["Vorname;Nachname", "Vera;Vau"]),
            "create",
        )
        .await;
        app.sign_in("verw").await;
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, done) = app.get_html(&format!("/imports/{id}")).await;
        let uploaded = done.find("Hochgeladen").expect("uploaded line");
        let committed = done[uploaded..].find("Importiert").expect("committed line") + uploaded;
        assert!(done[uploaded..committed].contains("(chef)"), "{done}");
        assert!(done[committed..].contains("(verw)"), "{done}");
        let (_, history) = app.get_html("/imports").await;
        assert!(history.contains("hochgeladen von"), "{history}");
        // A second submit of the commit says it is done.
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, again) = app.get_html(&format!("/imports/{id}")).await;
        assert!(again.contains("Import abgeschlossen."), "{again}");
        // After an undo, a commit is a step the import has left.
        let res = post_undo(&app, id, &[("rest", "1")]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, undone) = app.get_html(&format!("/imports/{id}")).await;
        assert!(undone.contains("flash-error"), "{undone}");
        assert!(app.user("vera.vau").await.is_none());
    }
);

db_test!(
    a_mapping_sent_again_from_an_older_page_shows_the_current_preview,
    |app| {
        // The back button after a mapping: the page's form is of the version
        // before. Sent again, it changes nothing and shows the current preview
        // with a word on why, not an error page.
        app.login_as("chef", AdminRole::Administrator).await;
        let (id, page) = upload(
            &app,
            "wer.csv",
            csv(&["Wer;Womit;Zweitname", "Anna;anna@example.com;Muster"]),
            "create",
        )
        .await;
        let old = version(&page);
        let mapped = [
            ("header_line", "1"),
            ("col0", "first_name"),
            ("col1", "email"),
            ("col2", "last_name"),
        ];
        let mut form = vec![("version", old.as_str())];
        form.extend_from_slice(&mapped);
        let res = app.post(&format!("/imports/{id}/mapping"), &form).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        let (_, preview) = app.get_html(&format!("/imports/{id}")).await;
        assert_eq!(preview_rows(&preview)[0].1, "neu", "{preview}");
        // The same page again, Zweitname now as the first name.
        let res = app
            .post(
                &format!("/imports/{id}/mapping"),
                &[
                    ("version", old.as_str()),
                    ("header_line", "1"),
                    ("col0", "last_name"),
                    ("col1", "email"),
                    ("col2", "first_name"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body = res.text().await.unwrap();
        assert!(body.contains("ältere Zuordnung"), "{body}");
        assert_eq!(version(&body), version(&preview), "{body}");
        assert_eq!(preview_rows(&body).len(), 1, "the current preview: {body}");
    }
);

db_test!(a_number_that_lost_its_leading_zeros_is_its_holders, |app| {
    // Excel drops the zeros of "00040" typed into a number cell (and a CSV
    // opened and saved in it). Such a "40" is the person with 00040: an
    // update leaves his number, a new person with it is refused, naming
    // the number; a number of someone else but for its zeros is refused
    // as a change.
    app.login_as("chef", AdminRole::Administrator).await;
    for (user, number) in [
        ("fritz", "00040"),
        ("greta", "G7"),
        ("hans", "00077"),
        ("ida", "0088"),
        ("jan", "00088"),
    ] {
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Test"),
                    ("last_name", user),
                    ("username", user),
                    ("email", &format!("{user}@example.org")),
                    ("personnel_number", number),
                    ("user_type", "mitarbeiter"),
                    ("start_password_mode", "none"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let (id, page) = upload(
        &app,
        "u.csv",
        csv(&[
            "E-Mail;Personalnummer;Vorname;Nachname",
            "fritz@example.org;40;Fritzi;fritz",
            "greta@example.org;88;Test;greta",
            ";77;Hansi;hans",
        ]),
        "update",
    )
    .await;
    let rows = preview_rows(&page);
    assert_eq!(rows[0].1, "aenderung", "{page}");
    assert!(!rows[0].2.contains("00040"), "his number stays: {page}");
    // 88 is Ida's 0088 or Jan's 00088: not a number Greta may get.
    assert_eq!(rows[1].1, "fehler", "{page}");
    assert!(
        rows[1].2.contains("führenden Nullen") && rows[1].2.contains("„00088“"),
        "{page}"
    );
    // 77 finds Hans by his 00077 and leaves it.
    assert_eq!(rows[2].1, "aenderung", "{page}");
    assert!(!rows[2].2.contains("77"), "{page}");
    let res = commit(&app, id, &page).await;
    assert_redirect(&res, &format!("/imports/{id}"));
    let fritz = app.user("fritz").await.unwrap();
    assert_eq!(fritz.first_name, "Fritzi");
    assert_eq!(fritz.personnel_number.as_deref(), Some("00040"));
    assert_eq!(
        app.user("greta").await.unwrap().personnel_number.as_deref(),
        Some("G7")
    );

    app.post("/lang", &[("lang", "en"), ("next", "/")]).await;
    let (_, page) = upload(
        &app,
        "n.csv",
        csv(&["Vorname;Nachname;Personalnummer", "Neu;Mann;40"]),
        "create",
    )
    .await;
    let rows = preview_rows(&page);
    assert_eq!(rows[0].1, "fehler", "{page}");
    assert!(
        rows[0].2.contains("leading zeros") && rows[0].2.contains("“00040”"),
        "English quotes: {page}"
    );
});

db_test!(an_address_is_the_same_in_either_form_of_its_domain, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Jörg"),
                ("last_name", "Müller"),
                ("email", "joerg@müller.de"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = upload(
        &app,
        "liste.csv",
        csv(&[
            "Vorname;Nachname;E-Mail",
            "Jörg;Zwei;JOERG@xn--mller-kva.de",
            "Eva;Eins;eva@xn--mller-kva.de",
            "Eva;Zwei;Eva@Müller.DE",
            "Kaputt;Domain;kaputt@xn--zz.de",
            "Breit;Domain;joerg@ｍüｌｌｅｒ.de",
            "Unsichtbar;Zeichen;eva@müller.de\u{3164}",
        ]),
        "create",
    )
    .await;
    let rows = preview_rows(&page);
    let at = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
    assert_eq!(at(2).1, "fehler", "{rows:?}");
    assert!(at(2).2.contains("E-Mail: schon vergeben"), "{rows:?}");
    assert!(
        at(3).2.contains("doppelt in der Datei, auch in Zeile 4"),
        "{rows:?}"
    );
    assert!(
        at(4).2.contains("doppelt in der Datei, auch in Zeile 3"),
        "{rows:?}"
    );
    assert_eq!(at(5).1, "fehler", "{rows:?}");
    assert!(at(5).2.contains("E-Mail"), "{rows:?}");
    assert!(at(6).2.contains("E-Mail: schon vergeben"), "{rows:?}");
    assert!(at(7).2.contains("U+3164"), "{rows:?}");
});

db_test!(
    a_number_in_full_width_digits_is_the_same_number_in_a_file,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let (_, page) = upload(
            &app,
            "liste.csv",
            csv(&[
                "Vorname;Nachname;Personalnummer",
                "Anna;Eins;４５６",
                "Bea;Zwei;456",
                "Cem;Drei;٤٥٧",
                "Dora;Vier;458",
            ]),
            "create",
        )
        .await;
        let rows = preview_rows(&page);
        let at = |line: u32| rows.iter().find(|r| r.0 == line).unwrap().clone();
        assert!(
            at(2).2.contains("doppelt in der Datei, auch in Zeile 3"),
            "{rows:?}"
        );
        assert!(
            at(3).2.contains("doppelt in der Datei, auch in Zeile 2"),
            "{rows:?}"
        );
        assert_eq!(at(4).1, "fehler", "{rows:?}");
        assert!(at(4).2.contains("Ziffern als 0–9"), "{rows:?}");
        assert_eq!(at(5).1, "neu", "{rows:?}");
    }
);

db_test!(
    an_update_finds_the_same_mailbox_in_the_other_form_of_its_domain,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        for (first, email, number) in [
            ("Jörg", "joerg@müller.de", "P-1"),
            ("Eva", "eva@example.com", "P-2"),
        ] {
            let res = app
                .post(
                    "/users/new",
                    &[
                        ("first_name", first),
                        ("last_name", "Müller"),
                        ("email", email),
                        ("personnel_number", number),
                        ("then", "close"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        let preview = |lines: &'static [&'static str]| {
            let app = &app;
            async move {
                let (_, page) = upload(app, "liste.csv", csv(lines), "update").await;
                preview_rows(&page)
            }
        };
        // His own mailbox: nothing changes (his link and spelling stay).
        let rows = preview(&["Personalnummer;E-Mail", "P-1;JOERG@XN--MLLER-KVA.DE"]).await;
        assert_eq!(rows[0].1, "unveraendert", "{rows:?}");
        // Someone else's: his, as the database would say.
        let rows = preview(&["Personalnummer;E-Mail", "P-2;joerg@xn--mller-kva.de"]).await;
        assert_eq!(rows[0].1, "fehler", "{rows:?}");
        assert!(rows[0].2.contains("zwei verschiedenen Konten"), "{rows:?}");
    }
);

db_test!(a_preview_page_past_the_last_row_is_the_first_page, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, page) = upload(&app, "people.xlsx", fixture("people.xlsx"), "create").await;
    assert_eq!(preview_rows(&page).len(), 8);
    for (query, to) in [
        ("after=9001", format!("/imports/{id}")),
        (
            "outcome=neu&after=4294967295",
            format!("/imports/{id}?outcome=neu"),
        ),
    ] {
        let res = app.get(&format!("/imports/{id}?{query}")).await;
        assert_redirect(&res, &to);
    }
    // A page that has rows is shown.
    let (status, page) = app.get_html(&format!("/imports/{id}?after=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!preview_rows(&page).is_empty());
});
