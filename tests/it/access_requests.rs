//! /request-access and the dashboard's queue: open registration is off by
//! default; switched on, anyone may ask; the account is `ausstehend` and
//! cannot sign in until approved; a rejection (with its reason) and an
//! approval reach the person by the editable mails; a taken address gets
//! the same answer and makes nothing; two admins deciding at once decide
//! once.

use einlass::domain::{AdminRole, UserStatus};
use einlass::jobs::mail::drain;
use reqwest::StatusCode;

use crate::support::{TestApp, assert_redirect, extract_csrf};

const PASSWORD: &str = "Anfrage-Kastanie-77";

async fn open_registration(app: &TestApp, on: bool) {
    let base = app.ctx.settings().public_base_url.clone();
    let mut fields = vec![
        ("organisation_name", "Einlass"),
        ("brand_colour", "#0b5cad"),
        ("public_base_url", base.as_str()),
        ("invitation_validity_days", "14"),
        ("time_zone", "Europe/Berlin"),
        ("default_language", "de"),
    ];
    if on {
        fields.push(("open_registration", "on"));
    }
    let res = app.post("/settings", &fields).await;
    assert_redirect(&res, "/settings");
    assert_eq!(app.ctx.settings().open_registration, on);
}

async fn ask(app: &mut TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut phone = TestApp::new_client();
    app.swap_browser(&mut phone);
    let (_, page) = app.get_html("/request-access").await;
    let csrf = extract_csrf(&page);
    let mut all: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("password", PASSWORD),
        ("password_repeat", PASSWORD),
    ];
    all.extend_from_slice(fields);
    let res = app.post_raw("/request-access", &all).await;
    app.swap_browser(&mut phone);
    res
}

async fn can_sign_in(app: &mut TestApp, login: &str) -> bool {
    let mut phone = TestApp::new_client();
    app.swap_browser(&mut phone);
    let res = app.login(login, PASSWORD).await;
    app.swap_browser(&mut phone);
    res.status() == StatusCode::SEE_OTHER
}

db_test!(requests_wait_for_an_admin_who_approves_or_rejects, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // Off by default: no page, no link, nothing made.
    let mut visitor = TestApp::new_client();
    app.swap_browser(&mut visitor);
    let (status, page) = app.get_html("/request-access").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    let (_, login) = app.get_html("/login").await;
    assert!(!login.contains("/request-access"));
    app.swap_browser(&mut visitor);
    open_registration(&app, true).await;
    let mut app = app;
    let res = ask(
        &mut app,
        &[
            ("first_name", "Paula"),
            ("last_name", "Anfrage"),
            ("email", "paula@example.org"),
            ("message", "Küche, Standort Nord"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("data-request-sent"));
    let res = ask(
        &mut app,
        &[
            ("first_name", "Rolf"),
            ("last_name", "Nein"),
            ("username", "rolf.n"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let paula = app.user("paula@example.org").await.unwrap();
    assert_eq!(paula.status, UserStatus::Ausstehend);
    // A form anyone may fill in mails nobody: nothing until a decision.
    drain(&app.ctx).await.unwrap();
    let (_, mailbox) = app.get_html("/mail/mailbox").await;
    assert!(!mailbox.contains("paula@example.org"), "{mailbox}");
    // With an address the username is not chosen (it would tell whether
    // the address has an account).
    let res = ask(
        &mut app,
        &[
            ("first_name", "Uwe"),
            ("last_name", "Beides"),
            ("email", "uwe@example.org"),
            ("username", "uwe"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("id=\"username-error\""));
    assert!(app.user("uwe@example.org").await.is_none());
    assert!(
        !can_sign_in(&mut app, "paula.anfrage").await,
        "pending cannot sign in"
    );
    // The queue on the dashboard.
    let (_, dash) = app.get_html("/").await;
    assert!(dash.contains("data-requests=\"2\""), "{dash}");
    assert!(dash.contains("Küche, Standort Nord"));
    let res = app
        .post(&format!("/access-requests/{}/approve", paula.id), &[])
        .await;
    assert_redirect(&res, "/#requests-title");
    assert_eq!(
        app.user("paula@example.org").await.unwrap().status,
        UserStatus::Aktiv
    );
    assert!(can_sign_in(&mut app, "paula@example.org").await);
    // Deciding again: refused, nothing changes.
    let res = app
        .post(
            &format!("/access-requests/{}/reject", paula.id),
            &[("reason", "x")],
        )
        .await;
    assert_redirect(&res, "/#requests-title");
    assert_eq!(
        app.user("paula@example.org").await.unwrap().status,
        UserStatus::Aktiv
    );
    let rolf = app.user("rolf.n").await.unwrap();
    // His page offers the decision too; a reason too long decides nothing.
    let (_, page) = app.get_html(&format!("/users/{}", rolf.id)).await;
    assert!(
        page.contains("data-request-actions") && !page.contains("/deactivate\""),
        "{page}"
    );
    let long = "x".repeat(301);
    let res = app
        .post(
            &format!("/access-requests/{}/reject", rolf.id),
            &[("reason", &long)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.user("rolf.n").await.unwrap().status,
        UserStatus::Ausstehend
    );
    let res = app
        .post(
            &format!("/access-requests/{}/reject", rolf.id),
            &[("reason", "Bitte über die Personalabteilung.")],
        )
        .await;
    assert_redirect(&res, "/#requests-title");
    assert_eq!(
        app.user("rolf.n").await.unwrap().status,
        UserStatus::Abgelehnt
    );
    assert!(
        !can_sign_in(&mut app, "rolf.n").await,
        "rejected cannot sign in"
    );
    // Paula got a confirmation link and the approval; Rolf has no address.
    drain(&app.ctx).await.unwrap();
    let (_, mailbox) = app.get_html("/mail/mailbox").await;
    assert!(mailbox.contains("paula@example.org"), "{mailbox}");
    assert!(mailbox.contains("ist freigeschaltet"), "{mailbox}");
    assert_eq!(
        crate::invitations::mailbox_links(&app, "/c/").await.len(),
        1,
        "a confirmation link with the approval"
    );
    // The queue is empty now.
    let (_, dash) = app.get_html("/").await;
    assert!(!dash.contains("data-requests="));
});

db_test!(
    a_rejection_mail_carries_its_reason_also_when_sent_again,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        open_registration(&app, true).await;
        let mut app = app;
        let res = ask(
            &mut app,
            &[
                ("first_name", "Rita"),
                ("last_name", "Raus"),
                ("email", "rita@example.org"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let rita = app.user("rita@example.org").await.unwrap();
        let res = app
            .post(
                &format!("/access-requests/{}/reject", rita.id),
                &[("reason", "Nur für Beschäftigte.")],
            )
            .await;
        assert_redirect(&res, "/#requests-title");
        drain(&app.ctx).await.unwrap();
        let (_, log) = app.get_html("/mail/log?kind=access_rejected").await;
        let id: String = log
            .split("href=\"/mail/log/")
            .nth(1)
            .unwrap()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (_, message) = app.get_html(&format!("/mail/log/{id}")).await;
        assert!(message.contains("Nur für Beschäftigte."), "{message}");
        let res = app.post(&format!("/mail/log/{id}/resend"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        drain(&app.ctx).await.unwrap();
        let (_, log) = app.get_html("/mail/log?kind=access_rejected").await;
        let ids: Vec<String> = log
            .split("href=\"/mail/log/")
            .skip(1)
            .map(|s| s.chars().take_while(char::is_ascii_digit).collect())
            .filter(|s: &String| !s.is_empty())
            .collect();
        let copy = ids.iter().find(|i| **i != id).expect("a copy");
        let (_, message) = app.get_html(&format!("/mail/log/{copy}")).await;
        assert!(
            message.contains("Nur für Beschäftigte."),
            "the copy has the reason: {message}"
        );
    }
);

db_test!(
    a_taken_address_gets_the_same_answer_and_makes_nothing,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        open_registration(&app, true).await;
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Vorhanden"),
                    ("last_name", "Schon"),
                    ("email", "da@example.org"),
                    ("user_type", "mitarbeiter"),
                    ("start_password_mode", "none"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let before = app.count_users().await;
        let mut app = app;
        let taken = ask(
            &mut app,
            &[
                ("first_name", "Eve"),
                ("last_name", "Probe"),
                ("email", "DA@example.org"),
            ],
        )
        .await;
        let fresh = ask(
            &mut app,
            &[
                ("first_name", "Eve"),
                ("last_name", "Probe"),
                ("email", "neu@example.org"),
            ],
        )
        .await;
        assert_eq!(taken.status(), fresh.status());
        let (a, b) = (taken.text().await.unwrap(), fresh.text().await.unwrap());
        let strip = |s: &str| extract_csrf(s);
        assert_eq!(
            a.replace(&strip(&a), ""),
            b.replace(&strip(&b), ""),
            "the same page"
        );
        assert_eq!(
            app.count_users().await,
            before + 1,
            "only the free address made one"
        );
        // Bad input: said at the fields, nothing made.
        let res = ask(&mut app, &[("first_name", "A\0"), ("last_name", "")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("id=\"first_name-error\"") && page.contains("id=\"email-error\""));
        // Five requests an hour per address.
        for n in 0..3 {
            let name = format!("flut{n}");
            let res = ask(
                &mut app,
                &[
                    ("first_name", "F"),
                    ("last_name", "Flut"),
                    ("username", &name),
                ],
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK, "{n}");
        }
        let res = ask(
            &mut app,
            &[
                ("first_name", "F"),
                ("last_name", "Flut"),
                ("username", "flut9"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(app.user("flut9").await.is_none());
        // Switched off again: the page is gone, pending requests stay.
        open_registration(&app, false).await;
        let mut visitor = TestApp::new_client();
        app.swap_browser(&mut visitor);
        let (status, _) = app.get_html("/request-access").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.swap_browser(&mut visitor);
        // A reader sees no queue and cannot decide.
        let pending = app.user("neu@example.org").await.unwrap();
        let mut reader = TestApp::new_client();
        app.swap_browser(&mut reader);
        app.login_as("leser", AdminRole::Lesezugriff).await;
        let (_, dash) = app.get_html("/").await;
        assert!(!dash.contains("data-requests="));
        let res = app
            .post(&format!("/access-requests/{}/approve", pending.id), &[])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        app.swap_browser(&mut reader);
        assert_eq!(
            app.user("neu@example.org").await.unwrap().status,
            UserStatus::Ausstehend
        );
        // An account an Administrator gave admin rights is not decided by
        // Benutzerverwaltung.
        app.db.sql(&format!(
            "UPDATE users SET is_staff = true, admin_role = 'administrator' WHERE id = {}",
            pending.id
        ));
        let mut manager = TestApp::new_client();
        app.swap_browser(&mut manager);
        app.login_as("verwalter", AdminRole::Benutzerverwaltung)
            .await;
        let res = app
            .post(&format!("/access-requests/{}/approve", pending.id), &[])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        app.swap_browser(&mut manager);
    }
);

db_test!(two_admins_deciding_at_once_decide_once, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    open_registration(&app, true).await;
    app.create_admin("zweite", AdminRole::Benutzerverwaltung)
        .await;
    let mut app = app;
    for round in 0..4 {
        let email = format!("p{round}@example.org");
        let res = ask(
            &mut app,
            &[("first_name", "P"), ("last_name", "Q"), ("email", &email)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let id = app.user(&email).await.unwrap().id;
        let mut other = TestApp::new_client();
        app.swap_browser(&mut other);
        app.sign_in("zweite").await;
        let other_csrf = app.csrf().await;
        app.swap_browser(&mut other);
        let mine = app.csrf().await;
        let approve = app
            .client
            .post(app.url(&format!("/access-requests/{id}/approve")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::support::form_encode(&[("csrf", &mine)]))
            .send();
        let reject = other
            .post(app.url(&format!("/access-requests/{id}/reject")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::support::form_encode(&[
                ("csrf", &other_csrf),
                ("reason", "nein"),
            ]))
            .send();
        let (a, b) = tokio::join!(approve, reject);
        let flashes: Vec<String> = [a.unwrap(), b.unwrap()]
            .iter()
            .map(|r| {
                r.cookies()
                    .find(|c| c.name() == "einlass_flash")
                    .map(|c| c.value().to_owned())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            flashes.iter().filter(|f| *f == "requests_decided").count(),
            1,
            "round {round}: {flashes:?}"
        );
        let status = app.user(&email).await.unwrap().status;
        assert!(matches!(status, UserStatus::Aktiv | UserStatus::Abgelehnt));
        drain(&app.ctx).await.unwrap();
    }
});

db_test!(a_decision_racing_a_delete_ends_one_way, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    open_registration(&app, true).await;
    app.create_admin("zweite", AdminRole::Administrator).await;
    let mut app = app;
    for round in 0..4 {
        let name = format!("weg{round}");
        let res = ask(
            &mut app,
            &[
                ("first_name", "W"),
                ("last_name", "Eg"),
                ("username", &name),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let id = app.user(&name).await.unwrap().id;
        let mut other = TestApp::new_client();
        app.swap_browser(&mut other);
        app.sign_in("zweite").await;
        let other_csrf = app.csrf().await;
        app.swap_browser(&mut other);
        let mine = app.csrf().await;
        let approve = app
            .client
            .post(app.url(&format!("/access-requests/{id}/approve")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::support::form_encode(&[("csrf", &mine)]))
            .send();
        let delete = other
            .post(app.url(&format!("/users/{id}/delete")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::support::form_encode(&[("csrf", &other_csrf)]))
            .send();
        let (a, b) = tokio::join!(approve, delete);
        let (a, b) = (a.unwrap().status(), b.unwrap().status());
        assert!(
            a.as_u16() < 500 && b.as_u16() < 500,
            "round {round}: {a} {b} (no deadlock)"
        );
    }
});
