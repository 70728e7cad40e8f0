//! /audit.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::hits;

db_test!(every_admin_action_is_recorded_and_filterable, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Technik")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Emil"), ("last_name", "Ernst")],
    )
    .await;
    let emil = app.user_id("emil.ernst").await;
    app.post(&format!("/users/{emil}/deactivate"), &[]).await;
    let (status, page) = app.get_html("/audit").await;
    assert_eq!(status, StatusCode::OK);
    for action in [
        "auth.login",
        "group.create",
        "user.create",
        "user.deactivate",
    ] {
        assert!(page.contains(action), "{action} recorded");
    }
    assert!(page.contains("Test chef (chef)"), "who");
    assert!(page.contains("Emil Ernst (emil.ernst)"), "on whom");
    let (_, filtered) = app.get_html("/audit?action=user.deactivate").await;
    assert_eq!(hits(&filtered), 1);
    let (_, by_person) = app.get_html("/audit?q=EMIL%20ERNST").await;
    assert_eq!(hits(&by_person), 2);
    let (_, none) = app
        .get_html("/audit?from=2000-01-01&until=2000-01-02")
        .await;
    assert_eq!(hits(&none), 0);
    let (_, all) = app.get_html("/audit").await;
    assert_eq!(
        hits(&all),
        5,
        "chef created, login, group, user, deactivation"
    );
    let (_, user_page) = app.get_html(&format!("/users/{emil}")).await;
    assert!(
        user_page.contains("user.deactivate"),
        "the user page shows his history"
    );
});

db_test!(
    a_day_in_the_filter_is_a_day_in_the_instance_time_zone,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // Move the clock to 23:30 UTC of some coming day: 00:30 of the next day in Berlin.
        let now = app.ctx.now();
        let target = time::PrimitiveDateTime::new(
            now.date().next_day().unwrap(),
            time::macros::time!(23:30),
        );
        app.ctx.clock().advance(target - now);
        app.sign_in("chef").await;
        app.post("/groups", &[("name", "Nachtschicht")]).await;
        let utc_day = target.date();
        let berlin_day = utc_day.next_day().unwrap();
        let q = |day: time::Date| format!("/audit?action=group.create&from={day}&until={day}");
        assert_eq!(
            hits(&app.get_html(&q(berlin_day)).await.1),
            1,
            "the day it was in Berlin"
        );
        assert_eq!(
            hits(&app.get_html(&q(utc_day)).await.1),
            0,
            "not the UTC day"
        );
        // The list shows the local time too.
        let (_, page) = app.get_html("/audit?action=group.create").await;
        let shown = format!(
            "{:02}.{:02}.{} 00:30",
            berlin_day.day(),
            berlin_day.month() as u8,
            berlin_day.year()
        );
        assert!(page.contains(&shown), "{shown}");
    }
);

db_test!(deleted_people_are_named_but_not_linked, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post(
        "/users/new",
        &[("first_name", "Emil"), ("last_name", "Ernst")],
    )
    .await;
    let emil = app.user_id("emil.ernst").await;
    let link = format!("href=\"/users/{emil}\"");
    assert!(app.get_html("/audit").await.1.contains(&link));
    app.post(&format!("/users/{emil}/delete"), &[]).await;
    let (_, page) = app.get_html("/audit").await;
    assert!(page.contains("Emil Ernst (emil.ernst)"), "still named");
    assert!(!page.contains(&link), "no link to a page that is gone");
    assert_eq!(
        app.get(&format!("/users/{emil}")).await.status(),
        StatusCode::NOT_FOUND
    );
});

/// The text of every audit row of a page, as a reader sees it.
fn rows(page: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(page);
    let sel = scraper::Selector::parse("td[data-action]").unwrap();
    doc.select(&sel)
        .map(|td| {
            td.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

db_test!(entries_read_as_sentences_with_what_changed, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/areas", &[("name", "Werk Nord")]).await;
    app.post(
        "/users/new",
        &[
            ("first_name", "Anna"),
            ("last_name", "Müler"),
            ("then", "close"),
        ],
    )
    .await;
    let anna = app.user_id("anna.mueler").await;
    app.post(
        &format!("/users/{anna}/edit"),
        &[
            ("first_name", "Anna"),
            ("last_name", "Müller"),
            ("username", "anna.mueler"),
            ("user_type", "extern"),
            ("is_staff", "on"),
            ("admin_role", "lesezugriff"),
        ],
    )
    .await;
    let nord = app.unit_id("areas", "Werk Nord").await;
    let role_key = format!("role_{nord}");
    app.post(
        &format!("/users/{anna}/areas"),
        &[("area", &nord.to_string()), (&role_key, "leitung")],
    )
    .await;
    let (_, page) = app.get_html("/audit").await;
    let rows = rows(&page);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Test chef (chef) hat Anna Müler (anna.mueler) angelegt.")),
        "{rows:#?}"
    );
    let update = rows
        .iter()
        .find(|r| r.contains("geändert.") && r.contains("Nachname"))
        .unwrap_or_else(|| panic!("{rows:#?}"));
    assert!(update.starts_with("Test chef (chef) hat Anna Müller (anna.mueler) geändert."));
    assert!(
        update.contains("Nachname: Müler → wird zu Müller"),
        "{update}"
    );
    assert!(
        update.contains("Nutzertyp: Mitarbeiter → wird zu Extern"),
        "{update}"
    );
    assert!(
        update.contains("Rolle im Verwaltungsbereich: — → wird zu Lesezugriff"),
        "{update}"
    );
    assert!(
        rows.iter().any(|r| r.contains("die Bereiche von") && r.contains("Werk Nord: — → wird zu Leitung")),
        "area names, not ids: {rows:#?}"
    );
    assert!(!page.contains("status="), "no raw codes");
    // The reader's language.
    app.post("/lang", &[("lang", "en"), ("next", "/")]).await;
    let (_, english) = app.get_html("/audit").await;
    let rows = crate::audit::rows(&english);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Test chef (chef) created Anna Müler (anna.mueler).")),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Last name: Müler → becomes Müller")),
        "{rows:#?}"
    );
    // The filter menu names actions in words.
    assert!(english.contains(">User changed</option>"));
});
