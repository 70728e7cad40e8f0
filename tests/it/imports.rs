//! /imports: spreadsheets made by other programs (tests/fixtures/import,
//! see make.sh), every outcome of the preview, the mapping and sheet steps,
//! the commit (atomic, once), undo in all its cases, the update mode, the
//! export round trip, and files that try to break the reader.

use einlass::domain::{AdminRole, UserStatus};
use einlass::services::{self, Actor};
use reqwest::StatusCode;

use crate::support::{TestApp, assert_redirect, location};

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

async fn commit(app: &TestApp, id: i64, page: &str) -> reqwest::Response {
    app.post(
        &format!("/imports/{id}/commit"),
        &[("version", &version(page))],
    )
    .await
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
        // Nothing is written by a preview.
        assert_eq!(app.count_users().await, before);
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
        let res = app.post(&format!("/imports/{id}/undo"), &[]).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.count_users().await, before);
        assert!(app.user("bernd@example.com").await.is_none());
        let (_, batch) = app.get_html(&format!("/imports/{id}")).await;
        assert!(batch.contains("data-state=\"rueckgaengig\""), "{batch}");
        // A second undo does nothing; the commit form of old does nothing.
        let res = app.post(&format!("/imports/{id}/undo"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = commit(&app, id, &page).await;
        assert_redirect(&res, &format!("/imports/{id}"));
        assert_eq!(app.count_users().await, before);
    }
);
