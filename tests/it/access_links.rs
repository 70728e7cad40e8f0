//! /access-links and /a/…: Zugangslinks. An admin makes a set of one-time
//! links that grant a user type, group and area; only his browser sees
//! their addresses, for a while; a phone opens one (the GET uses nothing),
//! registers once and is `aktiv` with what the link grants; a used,
//! revoked or expired link registers nobody; of two registrations at the
//! same instant exactly one wins; the QR letters decode to the links.

use einlass::domain::{AdminRole, UserStatus};
use einlass::jobs::mail::drain;
use reqwest::StatusCode;
use time::Duration;

use crate::invitations::{form_keys, mailbox_links, path_of};
use crate::qr::decode;
use crate::support::{TestApp, assert_redirect, extract_csrf, form_encode, location, value_of};

const PASSWORD: &str = "Tulpe-Fahrrad-Wolke-7";

/// Makes a set through the form; returns its id and the links its page
/// shows to this browser.
async fn make_set(app: &TestApp, fields: &[(&str, &str)]) -> (i64, Vec<String>) {
    let (_, form) = app.get_html("/access-links/new").await;
    let key = value_of(&form, "input[name=form_key]").expect("the form carries a key");
    let mut all: Vec<(&str, &str)> = vec![("form_key", &key)];
    all.extend_from_slice(fields);
    let res = app.post("/access-links/new", &all).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "created");
    let to = location(&res);
    let id: i64 = to.trim_start_matches("/access-links/").parse().unwrap();
    (id, shown_links(app, id).await)
}

async fn shown_links(app: &TestApp, id: i64) -> Vec<String> {
    let (status, page) = app.get_html(&format!("/access-links/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    match crate::support::text_of(&page, "textarea#access-urls") {
        Some(text) => text.lines().map(str::to_owned).collect(),
        None => Vec::new(),
    }
}

async fn make_unit(app: &TestApp, kind: &str, name: &str) -> i64 {
    let res = app.post(&format!("/{kind}"), &[("name", name)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.unit_id(kind, name).await
}

/// Opens the link in this browser (a phone): GET the link, on to /join.
async fn open(app: &mut TestApp, link: &str) -> (StatusCode, String) {
    let res = app.get(&path_of(link)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{link}");
    assert_eq!(location(&res), "/join");
    app.forget_csrf();
    app.get_html("/join").await
}

async fn register(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let (csrf, link) = form_keys(app, "/join").await;
    let mut all: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("link", &link),
        ("password", PASSWORD),
        ("password_repeat", PASSWORD),
    ];
    all.extend_from_slice(fields);
    app.post_raw("/join", &all).await
}

/// Runs `f` in a fresh browser (a phone) and comes back.
async fn on_phone<T>(app: &mut TestApp, f: impl AsyncFnOnce(&mut TestApp) -> T) -> T {
    let mut phone = TestApp::new_client();
    app.swap_browser(&mut phone);
    let out = f(app).await;
    app.swap_browser(&mut phone);
    out
}

db_test!(a_link_registers_one_person_with_what_it_grants, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let group = make_unit(&app, "groups", "Lager").await;
    let area = make_unit(&app, "areas", "Werk Süd").await;
    let (group_s, area_s) = (group.to_string(), area.to_string());
    let (id, links) = make_set(
        &app,
        &[
            ("count", "3"),
            ("valid_days", "7"),
            ("label", "Aushilfen Sommer"),
            ("user_type", "extern"),
            ("group", &group_s),
            ("area", &area_s),
            ("area_role", "redaktion"),
        ],
    )
    .await;
    assert_eq!(links.len(), 3, "three addresses shown");
    let base = app.ctx.settings().public_base_url.clone();
    for l in &links {
        assert!(l.starts_with(base.trim_end_matches('/')), "{l}");
        assert!(path_of(l).starts_with("/a/ELA_"), "{l}");
    }
    // No token is stored anywhere.
    let dump = app.dump();
    for l in &links {
        assert!(!dump.contains(l.rsplit('/').next().unwrap()));
    }
    let (_, list) = app.get_html("/access-links").await;
    assert!(
        list.contains("Aushilfen Sommer") && list.contains("data-open=\"3\""),
        "{list}"
    );
    // A phone opens a link: twice, nothing used; then registers.
    let mut app = app;
    let link = links[0].clone();
    let res = on_phone(&mut app, async |app: &mut TestApp| {
        let (status, page) = open(app, &link).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Konto anlegen"));
        let (status, _) = open(app, &link).await;
        assert_eq!(status, StatusCode::OK);
        let res = register(
            app,
            &[
                ("first_name", "Jana"),
                ("last_name", "Zeit"),
                ("username", "jana.z"),
                ("email", "Jana@Example.org"),
            ],
        )
        .await;
        assert_redirect(&res, "/welcome");
        let (status, welcome) = app.get_html("/welcome").await;
        assert_eq!(status, StatusCode::OK, "signed in");
        // Her address waits for its confirmation, and the page says so.
        assert!(welcome.contains("data-unconfirmed"), "{welcome}");
        assert!(welcome.to_lowercase().contains("jana@example.org"));
        // The back button to the form: sent on, not told the link is dead.
        assert_redirect(&app.get("/join").await, "/welcome");
        res
    })
    .await;
    drop(res);
    let jana = app.user("jana.z").await.unwrap();
    assert_eq!(jana.status, UserStatus::Aktiv);
    assert_eq!(jana.email.as_deref(), Some("Jana@Example.org"));
    assert!(
        !jana.email_confirmed,
        "an address typed in is confirmed by its link"
    );
    assert_eq!(jana.user_type.as_str(), "extern");
    drain(&app.ctx).await.unwrap();
    assert_eq!(mailbox_links(&app, "/c/").await.len(), 1);
    let (_, person) = app.get_html(&format!("/users/{}", jana.id)).await;
    assert!(
        person.contains("Lager") && person.contains("Werk Süd"),
        "{person}"
    );
    assert!(person.contains("Redaktion"), "{person}");
    // The set's page says who used it; the used link is no longer shown.
    let (_, page) = app.get_html(&format!("/access-links/{id}")).await;
    assert!(page.contains("data-state=\"benutzt\""), "{page}");
    assert!(page.contains(&format!("/users/{}", jana.id)));
    assert_eq!(shown_links(&app, id).await.len(), 2);
    // The same link again: used, and nobody else gets in with it.
    let before = app.count_users().await;
    on_phone(&mut app, async |app: &mut TestApp| {
        let (status, page) = open(app, &link).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(page.contains("schon benutzt"), "{page}");
        let res = register(
            app,
            &[
                ("first_name", "Max"),
                ("last_name", "Zwei"),
                ("username", "max.z"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::GONE);
    })
    .await;
    assert_eq!(app.count_users().await, before);
    // She signs in with her username and password.
    on_phone(&mut app, async |app: &mut TestApp| {
        let res = app.login("jana.z", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    })
    .await;
    // Without an address, a proposed username is not enough: she must know it.
    let second = links[1].clone();
    on_phone(&mut app, async |app: &mut TestApp| {
        open(app, &second).await;
        let res = register(app, &[("first_name", "Olaf"), ("last_name", "Ohne")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("E-Mail-Adresse oder einen Benutzernamen"),
            "{page}"
        );
        // With an address the username is proposed from the name.
        let res = register(
            app,
            &[
                ("first_name", "Olaf"),
                ("last_name", "Ohne"),
                ("email", "olaf@example.org"),
            ],
        )
        .await;
        assert_redirect(&res, "/welcome");
    })
    .await;
    assert_eq!(
        app.user("olaf.ohne").await.unwrap().status,
        UserStatus::Aktiv
    );
    // Deleted since: the link stays used and leads to no dead account.
    let res = app.post(&format!("/users/{}/delete", jana.id), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&format!("/access-links/{id}")).await;
    assert!(page.contains("data-state=\"benutzt\""), "{page}");
    assert!(!page.contains(&format!("/users/{}", jana.id)), "{page}");
});

db_test!(taken_values_and_bad_input_use_nothing, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, links) = make_set(
        &app,
        &[
            ("count", "1"),
            ("valid_days", "3"),
            ("user_type", "mitarbeiter"),
        ],
    )
    .await;
    let link = links[0].clone();
    let mut app = app;
    on_phone(&mut app, async |app: &mut TestApp| {
        open(app, &link).await;
        // Someone else's username or address: said next to the field.
        let res = register(
            app,
            &[
                ("first_name", "Chef"),
                ("last_name", "Zwei"),
                ("username", "chef"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("vergeben"));
        // Hostile text: a NUL, a line break, a name of 10,000 characters.
        let long = "x".repeat(10_000);
        for (first, last) in [("A\0b", "C"), ("A\r\nB", "C"), (long.as_str(), "C")] {
            let res = register(
                app,
                &[
                    ("first_name", first),
                    ("last_name", last),
                    ("username", "neu.x"),
                ],
            )
            .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        // A password repeated wrong: nothing used, the form keeps the name.
        let (csrf, fp) = form_keys(app, "/join").await;
        let res = app
            .post_raw(
                "/join",
                &[
                    ("csrf", &csrf),
                    ("link", &fp),
                    ("first_name", "Nina"),
                    ("last_name", "Neu"),
                    ("username", "nina.n"),
                    ("password", PASSWORD),
                    ("password_repeat", "anders-als-oben-1"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("value=\"Nina\"") && !page.contains(PASSWORD));
        // Without the CSRF token: refused.
        let res = app
            .post_raw(
                "/join",
                &[("link", &fp), ("first_name", "N"), ("last_name", "N")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // And then it works: the link was not used by any of that.
        let res = register(
            app,
            &[
                ("first_name", "Nina"),
                ("last_name", "Neu"),
                ("username", "nina.n"),
            ],
        )
        .await;
        assert_redirect(&res, "/welcome");
    })
    .await;
    assert!(app.user("nina.n").await.is_some());
    assert!(app.user("neu.x").await.is_none());
});

db_test!(revoked_and_expired_links_register_nobody, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, links) = make_set(
        &app,
        &[("count", "3"), ("valid_days", "2"), ("user_type", "gast")],
    )
    .await;
    // One link revoked, then the rest.
    let res = app
        .post(&format!("/access-links/{id}/revoke"), &[("number", "2")])
        .await;
    assert_redirect(&res, &format!("/access-links/{id}"));
    let shown = shown_links(&app, id).await;
    assert_eq!(shown.len(), 2);
    assert!(!shown.contains(&links[1]));
    let mut app = app;
    let revoked = links[1].clone();
    on_phone(&mut app, async |app: &mut TestApp| {
        let (status, page) = open(app, &revoked).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(page.contains("gilt nicht"), "{page}");
    })
    .await;
    // Expiry: two days later the others are dead too.
    app.ctx.clock().advance(Duration::days(2));
    app.sign_in("chef").await;
    let expired = links[0].clone();
    on_phone(&mut app, async |app: &mut TestApp| {
        let (status, _) = open(app, &expired).await;
        assert_eq!(status, StatusCode::GONE);
    })
    .await;
    let (_, page) = app.get_html(&format!("/access-links/{id}")).await;
    assert!(
        page.contains("data-state=\"abgelaufen\"") && page.contains("data-state=\"widerrufen\"")
    );
    // Revoking all of a fresh set.
    let (id, links) = make_set(
        &app,
        &[("count", "2"), ("valid_days", "2"), ("user_type", "gast")],
    )
    .await;
    let res = app.post(&format!("/access-links/{id}/revoke"), &[]).await;
    assert_redirect(&res, &format!("/access-links/{id}"));
    assert!(shown_links(&app, id).await.is_empty());
    let link = links[0].clone();
    on_phone(&mut app, async |app: &mut TestApp| {
        let (status, _) = open(app, &link).await;
        assert_eq!(status, StatusCode::GONE);
    })
    .await;
    // Nothing left to revoke: said so.
    let res = app
        .post(&format!("/access-links/{id}/revoke"), &[("number", "1")])
        .await;
    assert_redirect(&res, &format!("/access-links/{id}"));
});

db_test!(
    two_registrations_at_the_same_instant_make_one_account,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        for round in 0..4 {
            let (_, links) = make_set(
                &app,
                &[
                    ("count", "1"),
                    ("valid_days", "1"),
                    ("user_type", "mitarbeiter"),
                ],
            )
            .await;
            // Two phones with the same link open, each with its form.
            let mut racers = Vec::new();
            for n in 0..2 {
                let mut phone = TestApp::new_client();
                app.swap_browser(&mut phone);
                open(&mut app, &links[0]).await;
                let (csrf, fp) = form_keys(&app, "/join").await;
                app.swap_browser(&mut phone);
                racers.push((phone, csrf, fp, format!("racer{round}x{n}")));
            }
            let post = |(phone, csrf, fp, name): &(reqwest::Client, String, String, String)| {
                let fields = form_encode(&[
                    ("csrf", csrf.as_str()),
                    ("link", fp.as_str()),
                    ("first_name", "Renn"),
                    ("last_name", "Fahrer"),
                    ("username", name.as_str()),
                    ("password", PASSWORD),
                    ("password_repeat", PASSWORD),
                ]);
                phone
                    .post(app.url("/join"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(fields)
                    .send()
            };
            let (a, b) = tokio::join!(post(&racers[0]), post(&racers[1]));
            let statuses = [a.expect("POST").status(), b.expect("POST").status()];
            let won = statuses
                .iter()
                .filter(|s| **s == StatusCode::SEE_OTHER)
                .count();
            let lost = statuses.iter().filter(|s| **s == StatusCode::GONE).count();
            assert_eq!((won, lost), (1, 1), "round {round}: {statuses:?}");
            let mut made = 0;
            for (_, _, _, name) in &racers {
                if app.user(name).await.is_some() {
                    made += 1;
                }
            }
            assert_eq!(made, 1, "round {round}: exactly one account");
        }
    }
);

db_test!(only_the_browser_that_made_a_set_sees_its_links, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (id, links) = make_set(
        &app,
        &[
            ("count", "2"),
            ("valid_days", "5"),
            ("user_type", "mitarbeiter"),
        ],
    )
    .await;
    assert_eq!(links.len(), 2);
    // The letters: one per open link, each code decodes to its link.
    let (status, letters) = app.get_html(&format!("/access-links/{id}/letters")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(letters.matches("class=\"letter\"").count(), 2, "{letters}");
    for (n, link) in links.iter().enumerate() {
        assert!(letters.contains(link.as_str()));
        let res = app.get(&format!("/access-links/{id}/{}.png", n + 1)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/png");
        if let Some(text) = decode(&res.bytes().await.unwrap()) {
            assert_eq!(&text, link, "the code holds exactly the link");
        }
    }
    let res = app.get(&format!("/access-links/{id}/9.png")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A double submit of the form makes one set (same key, same secret).
    let (_, form) = app.get_html("/access-links/new").await;
    let key = value_of(&form, "input[name=form_key]").unwrap();
    let fields = [
        ("form_key", key.as_str()),
        ("count", "4"),
        ("valid_days", "5"),
        ("user_type", "gast"),
    ];
    let first = app.post("/access-links/new", &fields).await;
    let second = app.post("/access-links/new", &fields).await;
    assert_eq!(location(&first), location(&second));
    // Another admin sees the set, not its addresses, letters or codes.
    let mut other = TestApp::new_client();
    let mut app = app;
    app.swap_browser(&mut other);
    app.login_as("kollegin", AdminRole::Administrator).await;
    let (status, page) = app.get_html(&format!("/access-links/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&links[0]) && !page.contains("access-urls"));
    let (_, letters) = app.get_html(&format!("/access-links/{id}/letters")).await;
    assert!(!letters.contains(&links[0]) && !letters.contains("class=\"letter\""));
    let res = app.get(&format!("/access-links/{id}/1.png")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A read-only admin may look, not make or revoke.
    app.swap_browser(&mut other);
    let mut reader = TestApp::new_client();
    app.swap_browser(&mut reader);
    app.login_as("leser", AdminRole::Lesezugriff).await;
    let (status, _) = app.get_html("/access-links").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_html("/access-links/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = app.post(&format!("/access-links/{id}/revoke"), &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.swap_browser(&mut reader);
    // Half an hour later the maker's browser (same session, in use all
    // the while) no longer sees them either.
    app.ctx.clock().advance(Duration::minutes(20));
    assert_eq!(shown_links(&app, id).await.len(), 2);
    app.ctx.clock().advance(Duration::minutes(11));
    assert!(shown_links(&app, id).await.is_empty());
    let (_, page) = app.get_html(&format!("/access-links/{id}")).await;
    assert!(page.contains("nur dem Browser"), "{page}");
});

db_test!(a_bad_form_makes_no_links, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, form) = app.get_html("/access-links/new").await;
    let key = value_of(&form, "input[name=form_key]").unwrap();
    let area = make_unit(&app, "areas", "Nord").await.to_string();
    for (count, days, group, area, label) in [
        ("0", "7", "", "", ""),
        ("5001", "7", "", "", ""),
        ("abc", "7", "", "", ""),
        ("1", "0", "", "", ""),
        ("1", "99999", "", "", ""),
        ("1", "7", "999999", "", ""),
        ("1", "7", "x", "", ""),
        ("1", "7", "", &area, "a\0b"),
    ] {
        let res = app
            .post(
                "/access-links/new",
                &[
                    ("form_key", &key),
                    ("count", count),
                    ("valid_days", days),
                    ("group", group),
                    ("area", area),
                    ("label", label),
                    ("user_type", "mitarbeiter"),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{count} {days} {group}"
        );
        let page = res.text().await.unwrap();
        assert!(page.contains("error-summary"), "{page}");
    }
    let (_, list) = app.get_html("/access-links").await;
    assert!(list.contains("Noch keine Zugangslinks"), "{list}");
    // Without the form's key: refused, nothing made.
    let res = app
        .post("/access-links/new", &[("count", "1"), ("valid_days", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let csrf = extract_csrf(&form);
    assert!(!csrf.is_empty());
});
