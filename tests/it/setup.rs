//! /setup: the one-time link that creates the first administrator.

use reqwest::StatusCode;
use time::Duration;

use crate::support::{TestApp, assert_redirect, extract_csrf};

fn link_path(app: &TestApp) -> String {
    let link = app
        .setup_link
        .clone()
        .expect("a fresh instance announces a setup link");
    // Built from the base URL: nobody chose one, so the address served at.
    assert!(
        link.starts_with(&format!("{}/setup/ELS_", app.address)),
        "built from the base URL: {link}"
    );
    link.trim_start_matches(&app.address).to_owned()
}

const FIRST_ADMIN: [(&str, &str); 6] = [
    ("first_name", "Ida"),
    ("last_name", "Admin"),
    ("username", "ida"),
    ("email", "ida@example.de"),
    ("password", "ein-gutes-passwort"),
    ("password_repeat", "ein-gutes-passwort"),
];

db_test!(setup_link_creates_the_first_administrator_once, |app| {
    let path = link_path(&app);
    // Opening the link changes nothing and moves the token out of the URL.
    for _ in 0..2 {
        let res = app.get(&path).await;
        assert_redirect(&res, "/setup");
    }
    let (status, form) = app.get_html("/setup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !form.contains("ELS_"),
        "the token never appears in the page"
    );
    let res = app
        .post(
            "/setup",
            &[
                ("first_name", "Ida"),
                ("last_name", "Admin"),
                ("username", "ida"),
                ("password", "kurz"),
                ("password_repeat", "kurz"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.post("/setup", &FIRST_ADMIN).await;
    assert_redirect(&res, "/");
    assert_eq!(
        app.get("/users").await.status(),
        StatusCode::OK,
        "signed in right away"
    );
    // The link is used up.
    app.new_browser();
    app.get(&path).await;
    let (status, page) = app.get_html("/setup").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Setup is done: the page says so, instead of asking for a restart.
    assert!(page.contains("bereits eingerichtet"), "{page}");
    assert!(!page.contains("Starten Sie Einlass neu"));
    let res = app.post("/setup", &FIRST_ADMIN).await;
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    // The address typed on the setup page counts as confirmed: "Passwort
    // vergessen" sends the first administrator a link.
    app.new_browser();
    let res = app
        .post("/forgot", &[("identifier", "ida@example.de")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let dump = app.dump();
    let outbox = dump
        .split("## ")
        .find(|t| t.starts_with("outbox_messages\n"))
        .expect("outbox");
    assert!(outbox.contains("ida@example.de"), "{outbox}");
});

db_test!(two_simultaneous_setups_exactly_one_wins, |app| {
    let path = link_path(&app);
    let mut browsers = Vec::new();
    for i in 0..2 {
        let client = TestApp::new_client();
        client.get(app.url(&path)).send().await.unwrap();
        let body = client
            .get(app.url("/setup"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = extract_csrf(&body);
        let username = format!("admin{i}");
        let fields = [
            ("csrf", token.as_str()),
            ("first_name", "A"),
            ("last_name", "B"),
            ("username", username.as_str()),
            ("password", "ein-gutes-passwort"),
            ("password_repeat", "ein-gutes-passwort"),
        ];
        let body = crate::support::form_encode(&fields);
        browsers.push(
            client
                .post(app.url("/setup"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        );
    }
    let mut handles = Vec::new();
    for b in browsers {
        handles.push(tokio::spawn(
            async move { b.send().await.unwrap().status() },
        ));
    }
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(app.count_users().await, 1);
});

db_test!(setup_link_expires, |app| {
    let path = link_path(&app);
    app.get(&path).await;
    app.ctx.clock().advance(Duration::minutes(61));
    let (status, _) = app.get_html("/setup").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(
        app.post("/setup", &FIRST_ADMIN).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count_users().await, 0);
    let (status, _) = app.get_html("/setup/ELS_ffff").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
});

db_test!(an_empty_setup_form_shows_every_error_at_once, |app| {
    let link = app.setup_link.clone().expect("setup link");
    let path = link
        .split_once("/setup/")
        .map(|(_, t)| format!("/setup/{t}"))
        .unwrap();
    app.get(&path).await;
    let res = app
        .post(
            "/setup",
            &[
                ("first_name", ""),
                ("last_name", ""),
                ("username", ""),
                ("email", ""),
                ("password", ""),
                ("password_repeat", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    for field in ["first_name", "last_name", "username", "password"] {
        assert!(
            body.contains(&format!("id=\"{field}-error\"")),
            "{field} flagged"
        );
        assert!(
            body.contains(&format!("href=\"#{field}\"")),
            "{field} in the summary"
        );
    }
});
