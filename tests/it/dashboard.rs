//! / — the admin's starting point.

use einlass::domain::AdminRole;

use crate::support::text_of;

/// The status badges of the overview with their counts.
fn status_tiles(body: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(".stat-grid a[href^=\"/users?status=\"]").unwrap();
    doc.select(&sel)
        .map(|a| {
            let href = a.value().attr("href").unwrap().to_owned();
            let n = a
                .select(&scraper::Selector::parse("strong").unwrap())
                .next()
                .unwrap();
            (href, n.text().collect())
        })
        .collect()
}

db_test!(a_new_instance_says_what_to_do_next, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, page) = app.get_html("/").await;
    assert!(page.contains("Erste Schritte"));
    for href in ["/settings", "/groups", "/users/new"] {
        assert!(page.contains(&format!("<a href=\"{href}\">")), "{href}");
    }
    // Only statuses in use today, each linking into the filtered list.
    assert_eq!(
        status_tiles(&page),
        [
            ("/users?status=angelegt".to_owned(), "0".to_owned()),
            ("/users?status=aktiv".to_owned(), "1".to_owned()),
            ("/users?status=deaktiviert".to_owned(), "0".to_owned()),
        ]
    );
    // Done step by step, the guide goes away.
    app.post(
        "/settings",
        &[
            ("organisation_name", "Sonnenhof"),
            ("brand_colour", "#0b5cad"),
            ("public_base_url", "http://127.0.0.1:0"),
            ("invitation_validity_days", "14"),
            ("time_zone", "Europe/Berlin"),
            ("default_language", "de"),
        ],
    )
    .await;
    let (_, page) = app.get_html("/").await;
    assert!(page.contains("✓"), "a done step is ticked");
    app.post("/groups", &[("name", "Pflege")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Anna"), ("last_name", "Arm")],
    )
    .await;
    let (_, page) = app.get_html("/").await;
    assert!(!page.contains("Erste Schritte"), "all done");
    assert_eq!(
        text_of(&page, "#people-title").as_deref(),
        Some("2 Benutzer insgesamt")
    );
    let anna = app.user_id("anna.arm").await;
    app.post(&format!("/users/{anna}/deactivate"), &[]).await;
    let (_, page) = app.get_html("/").await;
    assert!(
        status_tiles(&page).contains(&("/users?status=deaktiviert".to_owned(), "1".to_owned()))
    );
});
