//! /users: create, validate, list, search, filter, edit, deactivate, delete, roles.

use einlass::domain::{AdminRole, UserStatus, UserType};
use einlass::services::{self, Actor};
use reqwest::StatusCode;

use crate::support::{TestApp, assert_redirect, hits, location, text_of, value_of};

const ANNA: [(&str, &str); 5] = [
    ("first_name", "Anna"),
    ("last_name", "Müller"),
    ("email", "Anna.Mueller@Example.de"),
    ("personnel_number", "4711"),
    ("then", "close"),
];

/// Form fields, the error element expected, and a part of its text.
type FieldCase = (
    Vec<(&'static str, &'static str)>,
    &'static str,
    &'static str,
);

async fn create(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post("/users/new", fields).await
}

db_test!(
    create_user_with_proposed_username_and_the_three_buttons,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = create(&app, &ANNA).await;
        assert_redirect(&res, "/users");
        let anna = app.user("anna.mueller").await.expect("anna exists");
        assert_eq!(anna.status, UserStatus::Angelegt);
        assert_eq!(anna.email.as_deref(), Some("Anna.Mueller@Example.de"));
        let (_, body) = app.get_html("/users").await;
        assert_eq!(
            text_of(&body, ".flash").as_deref(),
            Some("Angelegt: Anna Müller (anna.mueller)"),
            "flash on the list names him"
        );
        let (_, body) = app.get_html("/users").await;
        assert!(!body.contains("Angelegt: "), "flash shown once");

        // Same name again: anna.mueller2, and "save & create another" returns to the form.
        let res = create(
            &app,
            &[
                ("first_name", "Anna"),
                ("last_name", "Müller"),
                ("then", "new"),
            ],
        )
        .await;
        assert_redirect(&res, "/users/new");
        let second = app.user("anna.mueller2").await.expect("second anna");
        let res = create(
            &app,
            &[
                ("first_name", "Anna"),
                ("last_name", "Müller"),
                ("then", "areas"),
            ],
        )
        .await;
        let third = app.user("anna.mueller3").await.expect("third anna");
        assert_redirect(&res, &format!("/users/{}/areas", third.id));
        assert_ne!(second.id, third.id);
    }
);

db_test!(
    invalid_and_duplicate_fields_are_refused_at_the_field,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        assert_redirect(&create(&app, &ANNA).await, "/users");
        let before = app.dump();
        let cases: Vec<FieldCase> = vec![
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("email", "ANNA.MUELLER@example.DE"),
                ],
                "#email-error",
                // Whose it is, too.
                "bereits von einem anderen Konto verwendet: Anna Müller (anna.mueller).",
            ),
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("email", "kein-at-zeichen"),
                ],
                "#email-error",
                "Keine gültige E-Mail-Adresse",
            ),
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("username", "anna.mueller"),
                ],
                "#username-error",
                "vergeben: Anna Müller (anna.mueller).",
            ),
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("username", "Anna.Mueller"),
                ],
                "#username-error",
                "vergeben",
            ),
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("username", "bea b"),
                ],
                "#username-error",
                "Nur a–z",
            ),
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("personnel_number", "4711"),
                ],
                "#personnel_number-error",
                "Personalnummer ist bereits vergeben: Anna Müller (anna.mueller).",
            ),
            (
                vec![
                    ("first_name", ""),
                    ("last_name", "B"),
                    ("email", "bea@example.de"),
                ],
                "#first_name-error",
                "Bitte ausfüllen",
            ),
            (
                vec![("first_name", "Bea"), ("last_name", "  ")],
                "#last_name-error",
                "Bitte ausfüllen",
            ),
            (
                vec![("first_name", "Bea\r\nX"), ("last_name", "B")],
                "#first_name-error",
                "unzulässige Zeichen",
            ),
            (
                vec![
                    ("first_name", "Bea"),
                    ("last_name", "B"),
                    ("start_password_mode", "set"),
                    ("start_password", "kurz"),
                ],
                "#start_password-error",
                "Mindestens 8",
            ),
        ];
        for (fields, selector, message) in cases {
            let res = create(&app, &fields).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            let body = res.text().await.unwrap();
            let error = text_of(&body, selector)
                .unwrap_or_else(|| panic!("{selector} shown for {fields:?}"));
            assert!(error.contains(message), "{selector}: {error}");
            assert!(body.contains("es wurde nichts gespeichert"));
            // The form keeps what was typed.
            for (name, value) in fields
                .iter()
                .filter(|(n, _)| ["email", "username", "personnel_number", "last_name"].contains(n))
            {
                assert_eq!(
                    value_of(&body, &format!("input[name={name}]")).as_deref(),
                    Some(*value),
                    "{name} kept"
                );
            }
        }
        assert_eq!(app.dump(), before, "nothing saved in any table");
    }
);

db_test!(list_searches_filters_sorts_and_pages, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.seed(120).await;
    let (status, body) = app.get_html("/users").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hits(&body), 121, "all users counted");
    assert!(body.contains("Seite 1 von 3"));
    let (_, page3) = app.get_html("/users?page=3").await;
    assert!(page3.contains("Seite 3 von 3"));
    for page in ["999", "4294967296", "99999999999999999999"] {
        let (_, beyond) = app
            .get_html(&format!("/users?page={}", page.replace(' ', "+")))
            .await;
        assert!(
            beyond.contains("Seite 3 von 3"),
            "a page past the end shows the last one: {page}"
        );
    }
    let (_, nonsense) = app.get_html("/users?page=-5x").await;
    assert!(nonsense.contains("Seite 1 von 3"));
    let (_, padded) = app.get_html("/users?page=+00000000000000000000002+").await;
    assert!(padded.contains("Seite 2 von 3"));
    // Seeded person n is FIRST[n % 34] + LAST[(n / 34) % 34], username
    // "vorname.nachname{n}", an address unless n % 7 == 0. Müller is LAST[0],
    // so n < 34 are Müllers: "mueller1" is n = 1 and 10..=19, "ller1@" only n = 1.
    let (_, found) = app.get_html("/users?q=mueller1").await;
    assert_eq!(hits(&found), 11, "search by part of a username");
    let (_, found) = app.get_html("/users?q=ller1%40beispiel").await;
    assert_eq!(
        hits(&found),
        1,
        "search across the end of a username into its address"
    );
    let (_, one) = app
        .get_html("/users?q=lena.mueller1%40beispiel-firma")
        .await;
    assert_eq!(hits(&one), 1, "search by part of an email");
    let (_, by_pn) = app.get_html("/users?q=P0000002").await;
    assert_eq!(hits(&by_pn), 1, "search by personnel number");
    let (_, wild) = app.get_html("/users?q=%25").await;
    assert_eq!(hits(&wild), 0, "LIKE wildcards are literal");
    let (_, active) = app.get_html("/users?status=aktiv").await;
    assert_eq!(hits(&active), 61, "60 seeded active + the admin");
    let (_, staff) = app.get_html("/users?staff=yes").await;
    assert_eq!(hits(&staff), 1);
    let (_, guests) = app.get_html("/users?type=gast").await;
    assert_eq!(hits(&guests), 12);
    let group_id = app.unit_id("groups", "Verwaltung").await;
    let (_, in_group) = app.get_html(&format!("/users?group={group_id}")).await;
    assert_eq!(hits(&in_group), 12);
    // A sort or page that means nothing is the default; a filter value
    // that names nothing finds nobody and says so (ignored, it would list
    // everyone under an active filter, and offer them to a bulk action).
    let (_, bad) = app.get_html("/users?sort=%27%3B--&page=-4").await;
    assert_eq!(hits(&bad), 121);
    for query in [
        "status=unsinn",
        "group=abc",
        "group=999999999999999999999",
        "area=-",
        "type=chef",
        "staff=x",
        "delivery=x",
        "import=x",
    ] {
        let (status, bad) = app.get_html(&format!("/users?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(hits(&bad), 0, "{query}");
        assert!(bad.contains("data-filter-unreadable"), "{query}: {bad}");
    }
    let (_, unknown_group) = app.get_html("/users?group=-1").await;
    assert_eq!(hits(&unknown_group), 0, "an id of nothing finds nobody");
    let (_, desc) = app.get_html("/users?sort=email&dir=desc").await;
    assert!(desc.contains("aria-sort=\"descending\""));
    // By username (no column of its own: the username sits under the name).
    let (_, by_username) = app.get_html("/users?sort=username&dir=desc").await;
    let doc = scraper::Html::parse_document(&by_username);
    let sel = scraper::Selector::parse("td.name .sub .mono").unwrap();
    let names: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert!(names.len() > 10);
    assert_eq!(names, sorted);
});

db_test!(edit_keeps_rules_and_confirmed_email_is_locked, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(&app, &ANNA).await;
    create(
        &app,
        &[
            ("first_name", "Bea"),
            ("last_name", "Berg"),
            ("email", "bea@example.de"),
        ],
    )
    .await;
    let anna = app.user("anna.mueller").await.unwrap();
    let path = format!("/users/{}/edit", anna.id);
    let (status, form) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        value_of(&form, "input[name=email]").as_deref(),
        Some("Anna.Mueller@Example.de")
    );
    let edit = |email: &'static str, username: &'static str| {
        vec![
            ("first_name", "Anna"),
            ("last_name", "Müller-Lüdenscheidt"),
            ("username", username),
            ("email", email),
            ("user_type", "extern"),
        ]
    };
    let res = app
        .post(&path, &edit("BEA@example.de", "anna.mueller"))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(&path, &edit("anna@neu.example.de", "bea.berg"))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(&path, &edit("anna@neu.example.de", "anna.ml"))
        .await;
    assert_redirect(&res, &format!("/users/{}", anna.id));
    let anna = app.user("anna.ml").await.unwrap();
    assert_eq!(
        (
            anna.username.as_str(),
            anna.email.as_deref(),
            anna.user_type
        ),
        ("anna.ml", Some("anna@neu.example.de"), UserType::Extern)
    );
    // Once the person confirmed the address, admins cannot change it. No
    // service confirms an address yet (activation comes with invitations),
    // so the confirmation is written to the database directly.
    app.db.sql(&format!(
        "UPDATE users SET email_confirmed = TRUE WHERE id = {}",
        anna.id
    ));
    let (_, form) = app.get_html(&path).await;
    assert!(form.contains("readonly"));
    let res = app.post(&path, &edit("anders@example.de", "anna.ml")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&res.text().await.unwrap(), "#email-error")
            .unwrap()
            .contains("bestätigt")
    );
    let res = app
        .post(&path, &edit("anna@neu.example.de", "anna.ml"))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "unchanged confirmed email is fine"
    );
});

db_test!(deactivate_reactivate_and_delete, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let kollege = app
        .create_admin("kollege", AdminRole::Benutzerverwaltung)
        .await;
    let mut other = TestApp::new_client();
    app.swap_browser(&mut other);
    app.sign_in("kollege").await;
    app.swap_browser(&mut other);

    let res = app.post(&format!("/users/{kollege}/deactivate"), &[]).await;
    assert_redirect(&res, &format!("/users/{kollege}"));
    assert_eq!(
        app.user("kollege").await.unwrap().status,
        UserStatus::Deaktiviert
    );
    app.swap_browser(&mut other);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "deactivation ends his sessions"
    );
    let res = app.login("kollege", crate::support::PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a blocked account cannot sign in"
    );
    app.swap_browser(&mut other);

    let res = app.post(&format!("/users/{kollege}/reactivate"), &[]).await;
    assert_redirect(&res, &format!("/users/{kollege}"));
    assert_eq!(app.user("kollege").await.unwrap().status, UserStatus::Aktiv);

    let (status, confirm) = app.get_html(&format!("/users/{kollege}/delete")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("wirklich"));
    let res = app.post(&format!("/users/{kollege}/delete"), &[]).await;
    assert_redirect(&res, "/users");
    assert!(app.user("kollege").await.is_none());
    assert_eq!(
        app.get(&format!("/users/{kollege}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Username and email are free again.
    let res = create(
        &app,
        &[
            ("first_name", "Neu"),
            ("last_name", "Kollege"),
            ("username", "kollege"),
            ("email", "KOLLEGE@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, audit) = app.get_html("/audit?action=user.delete").await;
    assert!(
        audit.contains("kollege"),
        "the audit log keeps the deletion"
    );
});

db_test!(the_last_administrator_stays, |app| {
    let chef = app.login_as("chef", AdminRole::Administrator).await;
    for path in [
        format!("/users/{chef}/deactivate"),
        format!("/users/{chef}/delete"),
    ] {
        let res = app.post(&path, &[]).await;
        assert_redirect(&res, &format!("/users/{chef}"));
    }
    let (_, page) = app.get_html(&format!("/users/{chef}")).await;
    assert!(page.contains("Das können Sie nicht mit Ihrem eigenen Konto tun."));
    let zweiter = app.create_admin("zweiter", AdminRole::Administrator).await;
    // Another administrator may not remove the last one either, once he is the last.
    let res = app.post(&format!("/users/{zweiter}/deactivate"), &[]).await;
    assert_redirect(&res, &format!("/users/{zweiter}"));
    let res = app
        .post(
            &format!("/users/{chef}/edit"),
            &[
                ("first_name", "Test"),
                ("last_name", "chef"),
                ("username", "chef"),
                ("email", "chef@example.com"),
                ("is_staff", "on"),
                ("admin_role", "lesezugriff"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/users/{chef}"));
    assert_eq!(
        app.user("chef").await.unwrap().admin_role,
        Some(AdminRole::Administrator),
        "cannot demote himself as the last administrator"
    );
    assert!(
        app.get_html(&format!("/users/{chef}"))
            .await
            .1
            .contains("letzte aktive Administrator")
    );
});

db_test!(roles_limit_what_admins_may_do, |app| {
    let chef = app.create_admin("chef", AdminRole::Administrator).await;
    app.login_as("leser", AdminRole::Lesezugriff).await;
    assert_eq!(
        app.get("/users").await.status(),
        StatusCode::OK,
        "readers may read"
    );
    assert_eq!(app.get("/users/new").await.status(), StatusCode::FORBIDDEN);
    let before = app.dump();
    let res = create(&app, &ANNA).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Keine Berechtigung"));
    assert_eq!(app.dump(), before);
    assert_eq!(
        app.post("/groups", &[("name", "Lager")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/settings").await.status(), StatusCode::FORBIDDEN);

    app.new_browser();
    app.login_as("verwalter", AdminRole::Benutzerverwaltung)
        .await;
    let res = create(
        &app,
        &[
            ("first_name", "Max"),
            ("last_name", "Macht"),
            ("is_staff", "on"),
            ("admin_role", "administrator"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&res.text().await.unwrap(), "#admin_role-error")
            .unwrap()
            .contains("nicht vergeben")
    );
    let (_, form) = app.get_html("/users/new").await;
    assert!(
        !form.contains("value=\"administrator\""),
        "the form offers only grantable roles"
    );
    let res = create(
        &app,
        &[
            ("first_name", "Lea"),
            ("last_name", "Leser"),
            ("is_staff", "on"),
            ("admin_role", "lesezugriff"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/users/{chef}/edit")).await.status(),
        StatusCode::FORBIDDEN,
        "nobody edits above himself"
    );
    assert_eq!(
        app.post(&format!("/users/{chef}/deactivate"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/settings").await.status(), StatusCode::FORBIDDEN);
});

/// The form's fields plus a form key, as the create page would send them.
fn with_key<'a>(key: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("form_key", key)];
    all.extend_from_slice(fields);
    all
}

const OLGA: [(&str, &str); 4] = [
    ("first_name", "Olga"),
    ("last_name", "Ohnemail"),
    ("start_password_mode", "generate"),
    ("then", "close"),
];

db_test!(
    generated_start_password_is_handed_over_after_a_redirect,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let (_, form) = app.get_html("/users/new").await;
        let key = value_of(&form, "input[name=form_key]").expect("the form has a key");
        assert_eq!(key.len(), 64);
        let res = create(&app, &with_key(&key, &OLGA)).await;
        let olga = app.user_id("olga.ohnemail").await;
        let sheet_url = format!("/users/{olga}/credentials");
        assert_redirect(&res, &sheet_url);
        let (status, sheet) = app.get_html(&sheet_url).await;
        assert_eq!(status, StatusCode::OK);
        let password = text_of(&sheet, "#start-password").expect("password on the sheet");
        assert_eq!(password.chars().count(), 16);
        // A reload and a language switch show the same password again.
        let (_, again) = app.get_html(&sheet_url).await;
        assert_eq!(
            text_of(&again, "#start-password").as_deref(),
            Some(password.as_str())
        );
        app.post("/lang", &[("lang", "en"), ("next", &sheet_url)])
            .await;
        let (_, english) = app.get_html(&sheet_url).await;
        assert!(english.contains("<html lang=\"en\">"));
        assert_eq!(
            text_of(&english, "#start-password").as_deref(),
            Some(password.as_str())
        );
        app.post("/lang", &[("lang", "de"), ("next", "/")]).await;
        // Sending the same form again (a reload of the POST, a double click)
        // creates nobody.
        let users = app.count_users().await;
        let res = create(&app, &with_key(&key, &OLGA)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count_users().await, users);
        assert!(app.user("olga.ohnemail2").await.is_none());
        let summary = app.user("olga.ohnemail").await.unwrap();
        assert_eq!(summary.status, UserStatus::Aktiv);
        assert!(summary.must_change_password);
        assert!(
            !app.dump().contains(&password),
            "the password is stored nowhere"
        );
        // Another browser, even of the same admin, sees no password.
        let mut other = TestApp::new_client();
        app.swap_browser(&mut other);
        app.sign_in("chef").await;
        let (status, elsewhere) = app.get_html(&sheet_url).await;
        assert_eq!(status, StatusCode::OK);
        assert!(text_of(&elsewhere, "#start-password").is_none());
        assert!(elsewhere.contains("/start-password"), "offers a new one");
        app.swap_browser(&mut other);
        // "Fertig" ends the hand-over.
        let res = app
            .post(
                &format!("/users/{olga}/credentials/done"),
                &[("then", "close")],
            )
            .await;
        assert_redirect(&res, "/users");
        let (_, after) = app.get_html(&sheet_url).await;
        assert!(text_of(&after, "#start-password").is_none());
        // She is no admin: with her start password she signs in on the same
        // page and must choose her own password first, on her own page.
        app.new_browser();
        let wrong = app.login("olga.ohnemail", "ganz-falsch-99").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let right = app.login("olga.ohnemail", &password).await;
        assert_redirect(&right, "/me/password");
        app.forget_csrf();
        let res = app.get("/me").await;
        assert_redirect(&res, "/me/password");
        let res = app.get("/users").await;
        assert_redirect(&res, "/me");
        // Her own password; then, without an address, she is asked for one.
        let res = app
            .post(
                "/me/password",
                &[
                    ("current_password", password.as_str()),
                    ("new_password", "Olgas-eigenes-Passwort-1"),
                    ("repeat_password", "Olgas-eigenes-Passwort-1"),
                ],
            )
            .await;
        assert_redirect(&res, "/me/email");
        app.forget_csrf();
        let (status, question) = app.get_html("/me/email").await;
        assert_eq!(status, StatusCode::OK);
        assert!(question.contains("Passwort vergessen") && question.contains("data-skip"));
        // Not forced: her page opens without an address, and says what
        // "Passwort vergessen" cannot do for her.
        let (status, me) = app.get_html("/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            me.contains("kann „Passwort vergessen“ Ihnen nicht helfen"),
            "{me}"
        );
        let res = app
            .post("/me/email", &[("email", "kein-at"), ("from", "question")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.text().await.unwrap().contains("data-skip"),
            "the question again"
        );
        let res = app
            .post(
                "/me/email",
                &[("email", "olga@example.org"), ("from", "question")],
            )
            .await;
        assert_redirect(&res, "/me");
        let olga_now = app.user("olga.ohnemail").await.unwrap();
        assert_eq!(olga_now.email.as_deref(), Some("olga@example.org"));
        assert!(!olga_now.email_confirmed);
        let (_, me) = app.get_html("/me").await;
        assert!(me.contains("noch nicht bestätigt"), "{me}");
        assert_redirect(&app.get("/me/email").await, "/me");
        // Until she opens the link, "Passwort vergessen" sends her nothing.
        app.new_browser();
        let (_, forgot) = app.get_html("/forgot").await;
        let csrf = crate::support::extract_csrf(&forgot);
        app.post_raw(
            "/forgot",
            &[("csrf", &csrf), ("identifier", "olga.ohnemail")],
        )
        .await;
        einlass::jobs::mail::drain(&app.ctx).await.unwrap();
        app.sign_in("chef").await;
        let (_, log) = app.get_html("/mail/log?kind=password_reset").await;
        assert!(!log.contains("olga@example.org"), "{log}");
        // Later sign-ins go to her page.
        app.new_browser();
        assert_redirect(
            &app.login("olga.ohnemail", "Olgas-eigenes-Passwort-1").await,
            "/me",
        );
    }
);

db_test!(the_hand_over_expires, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(&app, &OLGA).await;
    let olga = app.user_id("olga.ohnemail").await;
    let sheet_url = format!("/users/{olga}/credentials");
    let (_, sheet) = app.get_html(&sheet_url).await;
    assert!(text_of(&sheet, "#start-password").is_some());
    // Behind the app's back: the hand-over ran out.
    app.db
        .sql("UPDATE secret_handovers SET expires_at = '2000-01-01 00:00:00'");
    let (_, gone) = app.get_html(&sheet_url).await;
    assert!(text_of(&gone, "#start-password").is_none());
});

db_test!(a_new_start_password_ends_everything_of_the_person, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let bert = app.create_admin("bert", AdminRole::Lesezugriff).await;
    let mut berts = TestApp::new_client();
    app.swap_browser(&mut berts);
    app.sign_in("bert").await;
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    app.swap_browser(&mut berts);
    // The user page links a confirmation page; nothing happens on GET.
    let (_, page) = app.get_html(&format!("/users/{bert}")).await;
    assert!(page.contains(&format!("href=\"/users/{bert}/start-password\"")));
    let before = app.dump();
    let (status, confirm) = app.get_html(&format!("/users/{bert}/start-password")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("alle Sitzungen"));
    assert_eq!(app.dump(), before);
    let res = app
        .post(&format!("/users/{bert}/start-password"), &[])
        .await;
    let sheet_url = format!("/users/{bert}/credentials");
    assert_redirect(&res, &sheet_url);
    let (_, sheet) = app.get_html(&sheet_url).await;
    let password = text_of(&sheet, "#start-password").expect("new start password");
    // Bert's session is over, his old password too; the new one must be changed.
    app.swap_browser(&mut berts);
    assert_eq!(app.get("/users").await.status(), StatusCode::SEE_OTHER);
    app.new_browser();
    assert_eq!(
        app.login("bert", crate::support::PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_redirect(&app.login("bert", &password).await, "/account/password");
    app.swap_browser(&mut berts);
    let (_, audit) = app.get_html("/audit").await;
    assert!(audit.contains("user.start_password") || audit.contains("Startpasswort"));
    // Readers may not; a blocked account gets none.
    let carl = app.create_admin("carl", AdminRole::Lesezugriff).await;
    app.post(&format!("/users/{carl}/deactivate"), &[]).await;
    let before = app.dump();
    let res = app
        .post(&format!("/users/{carl}/start-password"), &[])
        .await;
    assert_redirect(&res, &format!("/users/{carl}"));
    assert_eq!(app.dump(), before);
});

db_test!(
    a_double_submit_at_the_same_instant_creates_one_user,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let (_, form) = app.get_html("/users/new").await;
        let key = value_of(&form, "input[name=form_key]").unwrap();
        let fields = with_key(&key, &ANNA);
        let users = app.count_users().await;
        let (a, b) = tokio::join!(create(&app, &fields), create(&app, &fields));
        assert_eq!(a.status(), StatusCode::SEE_OTHER);
        assert_eq!(b.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count_users().await, users + 1);
    }
);

db_test!(areas_are_assigned_with_a_role, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(&app, &ANNA).await;
    let anna = app.user_id("anna.mueller").await;
    app.post("/areas", &[("name", "Werk Nord")]).await;
    app.post("/areas", &[("name", "Werk Süd")]).await;
    let nord = app.unit_id("areas", "Werk Nord").await;
    let sued = app.unit_id("areas", "Werk Süd").await;
    let (status, _) = app.get_html(&format!("/users/{anna}/areas")).await;
    assert_eq!(status, StatusCode::OK);
    let (n, s) = (nord.to_string(), sued.to_string());
    let (rn, rs) = (format!("role_{nord}"), format!("role_{sued}"));
    let res = app
        .post(
            &format!("/users/{anna}/areas"),
            &[("area", &n), (&rn, "leitung"), (&rs, "redaktion")],
        )
        .await;
    assert_redirect(&res, &format!("/users/{anna}"));
    let (_, page) = app.get_html(&format!("/users/{anna}")).await;
    assert!(page.contains("Werk Nord</a> (Leitung)"));
    assert!(!page.contains("Werk Süd</a>"), "only the ticked area");
    let before = app.dump();
    let res = app
        .post(
            &format!("/users/{anna}/areas"),
            &[("area", &s), (&rs, "chef")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(&format!("/users/{anna}/areas"), &[("area", "999999")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.dump(), before, "refused changes change nothing");
});

db_test!(status_counters_follow_every_change, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.seed(60).await;
    create(&app, &ANNA).await;
    let anna = app.user_id("anna.mueller").await;
    app.post(&format!("/users/{anna}/deactivate"), &[]).await;
    app.post(&format!("/users/{anna}/reactivate"), &[]).await;
    app.post(&format!("/users/{anna}/deactivate"), &[]).await;
    let victim = app.user_id("lena.mueller1").await;
    app.post(&format!("/users/{victim}/delete"), &[]).await;
    let actor = Actor::system("test");
    let exact = counters_match(&app, &actor, "after single changes").await;
    assert_eq!(app.count_users().await, 61);
    // Inviting everyone new in one statement, before and after the pending
    // deltas are folded into the counters (PostgreSQL's fold-counts job).
    services::invitations::invite_all_created(&app.ctx, &actor)
        .await
        .unwrap();
    counters_match(&app, &actor, "after the bulk invitation").await;
    services::maintenance::fold_counts(&app.ctx).await.unwrap();
    counters_match(&app, &actor, "after folding").await;
    let (_, page) = app.get_html("/users?status=deaktiviert").await;
    let expected = exact
        .iter()
        .find(|(s, _)| *s == UserStatus::Deaktiviert)
        .unwrap()
        .1;
    assert_eq!(hits(&page), expected);
});

/// The kept counters equal a count over the table; returns the counts.
async fn counters_match(app: &TestApp, actor: &Actor, when: &str) -> Vec<(UserStatus, i64)> {
    let key = |v: &mut Vec<(UserStatus, i64)>| v.sort_by_key(|(s, _)| s.as_str());
    let mut counted: Vec<(UserStatus, i64)> = services::dashboard::counts(&app.ctx, actor)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .collect();
    let mut exact = services::dashboard::counts_exactly(&app.ctx).await.unwrap();
    key(&mut counted);
    key(&mut exact);
    assert_eq!(counted, exact, "{when}");
    exact
}

fn listed_names(body: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("tbody tr td.name a").unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect()
}

db_test!(names_sort_like_a_phone_book_across_pages, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for (first, last) in [
        ("Nora", "Nowak"),
        ("Max", "Meyer"),
        ("Uwe", "Müller"),
        ("Ola", "Öztürk"),
        ("Pia", "Peters"),
    ] {
        create(
            &app,
            &[
                ("first_name", first),
                ("last_name", last),
                ("email", &format!("{first}@sort.example")),
            ],
        )
        .await;
    }
    let (_, body) = app.get_html("/users?q=sort.example").await;
    assert_eq!(
        listed_names(&body),
        [
            "Meyer, Max",
            "Müller, Uwe",
            "Nowak, Nora",
            "Öztürk, Ola",
            "Peters, Pia"
        ]
    );
    let (_, body) = app
        .get_html("/users?q=sort.example&sort=name&dir=desc")
        .await;
    assert_eq!(listed_names(&body)[0], "Peters, Pia");

    app.seed(130).await;
    let (_, first) = app.get_html("/users?q=beispiel-firma&page=1").await;
    let (_, second) = app.get_html("/users?q=beispiel-firma&page=2").await;
    let (a, b) = (listed_names(&first), listed_names(&second));
    assert_eq!(a.len(), 50);
    let mut all = a.clone();
    all.extend(b.clone());
    let keys: Vec<String> = all
        .iter()
        .map(|n| einlass::domain::username::sort_key(n))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "search results stay in order across pages");
    let usernames = |body: &str| -> Vec<String> {
        let doc = scraper::Html::parse_document(body);
        let sel = scraper::Selector::parse("tbody tr td:nth-child(2)").unwrap();
        doc.select(&sel)
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    let (ua, ub) = (usernames(&first), usernames(&second));
    assert!(
        ub.iter().all(|u| !ua.contains(u)),
        "pages do not repeat anyone"
    );
});

db_test!(search_follows_edits_and_deletions, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(
        &app,
        &[
            ("first_name", "Zoë"),
            ("last_name", "Quast"),
            ("email", "ZQ@Example.org"),
        ],
    )
    .await;
    let zoe = app.user_id("zoe.quast").await;
    assert_eq!(
        hits(&app.get_html("/users?q=QUAST").await.1),
        1,
        "case-insensitive"
    );
    assert_eq!(hits(&app.get_html("/users?q=zq%40example").await.1), 1);
    assert_eq!(
        hits(&app.get_html("/users?q=qu").await.1),
        1,
        "two characters work too"
    );
    let res = app
        .post(
            &format!("/users/{zoe}/edit"),
            &[
                ("first_name", "Zoë"),
                ("last_name", "Quandt"),
                ("username", "zoe.quandt"),
                ("email", "ZQ@Example.org"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        hits(&app.get_html("/users?q=quast").await.1),
        0,
        "the old name is gone from the index"
    );
    assert_eq!(hits(&app.get_html("/users?q=quandt").await.1), 1);
    app.post(&format!("/users/{zoe}/delete"), &[]).await;
    assert_eq!(
        hits(&app.get_html("/users?q=quandt").await.1),
        0,
        "deleted users are not found"
    );
});

db_test!(role_and_email_changes_end_the_persons_sessions, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let kollege = app
        .create_admin("kollege", AdminRole::Benutzerverwaltung)
        .await;
    let edit = |email: &'static str, role: &'static str| {
        vec![
            ("first_name", "Test"),
            ("last_name", "kollege"),
            ("username", "kollege"),
            ("email", email),
            ("is_staff", "on"),
            ("admin_role", role),
        ]
    };
    let mut other = TestApp::new_client();
    // Only the name changes: his session lives on.
    app.swap_browser(&mut other);
    app.sign_in("kollege").await;
    app.swap_browser(&mut other);
    let mut fields = edit("kollege@example.com", "benutzerverwaltung");
    fields[1] = ("last_name", "Kollegin");
    let res = app.post(&format!("/users/{kollege}/edit"), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.swap_browser(&mut other);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "a name change keeps sessions"
    );
    app.swap_browser(&mut other);
    // A new role ends it.
    let res = app
        .post(
            &format!("/users/{kollege}/edit"),
            &edit("kollege@example.com", "lesezugriff"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.swap_browser(&mut other);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "a role change ends sessions"
    );
    app.sign_in("kollege").await;
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    app.swap_browser(&mut other);
    // So does a new email address.
    let res = app
        .post(
            &format!("/users/{kollege}/edit"),
            &edit("neu@example.com", "lesezugriff"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.swap_browser(&mut other);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "an email change ends sessions"
    );
});

db_test!(search_folds_case_and_german_spellings, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(&app, &ANNA).await;
    create(
        &app,
        &[
            ("first_name", "Ömer"),
            ("last_name", "Özdemir"),
            ("then", "close"),
        ],
    )
    .await;
    create(
        &app,
        &[
            ("first_name", "Bernd"),
            ("last_name", "Mull"),
            ("then", "close"),
        ],
    )
    .await;
    for (q, expected) in [
        ("Müller", 1),
        ("MÜLLER", 1),
        ("Mueller", 1),
        ("muller", 1),
        ("Müller, Anna", 1),
        ("müller,anna", 1),
        ("Anna Müller", 1),
        ("anna  mueller", 1),
        ("Özdemir", 1),
        ("oezdemir", 1),
        ("OZDEMIR", 1),
        ("mull", 2),
        ("Anna Özdemir", 0),
    ] {
        let url = crate::support::form_encode(&[("q", q)]);
        assert_eq!(
            hits(&app.get_html(&format!("/users?{url}")).await.1),
            expected,
            "{q}"
        );
    }
    // The audit log folds the same way.
    for q in ["Özdemir", "özdemir", "OEZDEMIR", "Ozdemir"] {
        let url = crate::support::form_encode(&[("q", q)]);
        assert_eq!(
            hits(&app.get_html(&format!("/audit?{url}")).await.1),
            1,
            "audit {q}"
        );
    }
});

db_test!(
    search_texts_written_before_a_new_folding_are_recomputed,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        create(&app, &ANNA).await;
        // Behind the app's back: texts as an older version folded them.
        app.db.sql(
        "UPDATE users SET search_text = 'müller anna'; UPDATE audit_events SET search_text = ''; \
         UPDATE maintenance_marks SET version = 1",
    );
        assert_eq!(hits(&app.get_html("/users?q=mueller").await.1), 0);
        einlass::services::maintenance::migrate(&einlass::config::Config::for_database(
            &app.db.url,
        ))
        .unwrap();
        assert_eq!(hits(&app.get_html("/users?q=mueller").await.1), 1);
        assert_eq!(hits(&app.get_html("/users?q=Müller,%20Anna").await.1), 1);
        assert!(hits(&app.get_html("/audit?q=mueller").await.1) >= 1);
    }
);

/// The error messages of a refused form, by field id.
fn field_errors(body: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("p.error").unwrap();
    let mut ids: Vec<String> = doc
        .select(&sel)
        .filter_map(|e| e.value().attr("id"))
        .map(|id| id.trim_end_matches("-error").to_owned())
        .collect();
    ids.sort();
    ids
}

/// The links of the error summary.
fn summary_links(body: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("[data-error-summary] a").unwrap();
    let mut links: Vec<String> = doc
        .select(&sel)
        .filter_map(|e| e.value().attr("href"))
        .map(str::to_owned)
        .collect();
    links.sort();
    links
}

db_test!(every_error_of_a_form_shows_at_once, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(&app, &ANNA).await;
    let before = app.dump();
    // Four things wrong: a missing name, a bad address, a taken username and
    // a taken personnel number. One round shows all four.
    let res = create(
        &app,
        &[
            ("first_name", "Bert"),
            ("last_name", ""),
            ("username", "anna.mueller"),
            ("email", "kein-at-zeichen"),
            ("personnel_number", "4711"),
            ("start_password_mode", "set"),
            ("start_password", "ein-gutes-startpw"),
            ("then", "close"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    let expected = ["email", "last_name", "personnel_number", "username"];
    assert_eq!(field_errors(&body), expected);
    assert_eq!(
        summary_links(&body),
        expected.map(|f| format!("#{f}")),
        "the summary links to each field"
    );
    assert!(body.contains("autofocus"), "focus moves to the summary");
    // The typed start password is not sent back, and the page says so.
    assert!(!body.contains("ein-gutes-startpw"));
    assert!(body.contains("nicht erneut angezeigt"));
    assert_eq!(app.dump(), before);
    // The edit form does the same.
    create(
        &app,
        &[
            ("first_name", "Carla"),
            ("last_name", "Clausen"),
            ("then", "close"),
        ],
    )
    .await;
    let carla = app.user_id("carla.clausen").await;
    let before = app.dump();
    let res = app
        .post(
            &format!("/users/{carla}/edit"),
            &[
                ("first_name", ""),
                ("last_name", "Clausen"),
                ("username", "anna.mueller"),
                ("email", "Anna.Mueller@example.de"),
                ("personnel_number", "4711"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert_eq!(
        field_errors(&body),
        ["email", "first_name", "personnel_number", "username"]
    );
    assert!(
        !body.contains("Leer lassen"),
        "no proposal hint under a required field"
    );
    assert_eq!(app.dump(), before);
});

db_test!(admin_access_starts_at_the_least_powerful_role, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, form) = app.get_html("/users/new").await;
    let doc = scraper::Html::parse_document(&form);
    let sel = scraper::Selector::parse("#admin_role option[selected]").unwrap();
    let selected: Vec<_> = doc
        .select(&sel)
        .filter_map(|o| o.value().attr("value"))
        .collect();
    assert_eq!(selected, ["lesezugriff"]);
    assert!(!form.contains("title=\"required\""));
});

/// The user ids of a list page, in order, and its pager links by rel/label.
fn page_ids(body: &str) -> Vec<i64> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("td.name a").unwrap();
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|h| h.rsplit('/').next()?.parse().ok())
        .collect()
}

fn pager_link(body: &str, selector: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_owned)
}

/// The n-th link of the pager (first, previous, next, last).
fn nth_pager_link(body: &str, n: usize) -> Option<String> {
    pager_link(body, &format!(".pager li:nth-child({n}) a"))
}

db_test!(every_page_is_reachable_and_walks_agree, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.seed(1_120).await;
    let total = app.count_users().await;
    let pages = (total + 49) / 50;
    assert_eq!(pages, 23);
    // By page number (deep pages are counted from the end).
    let mut by_number = Vec::new();
    for page in 1..=pages {
        let (_, body) = app.get_html(&format!("/users?page={page}")).await;
        by_number.extend(page_ids(&body));
    }
    let mut unique = by_number.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len() as i64, total, "every user once");
    assert_eq!(by_number.len() as i64, total);
    // Forward through "next" (keyset), then back through "previous".
    let (_, mut body) = app.get_html("/users").await;
    let mut walked = page_ids(&body);
    while let Some(next) = nth_pager_link(&body, 4) {
        body = app.get_html(&next).await.1;
        walked.extend(page_ids(&body));
    }
    assert_eq!(walked, by_number, "next links walk the same order");
    assert!(body.contains("Seite 23 von 23"));
    let mut back = page_ids(&body);
    while let Some(prev) = nth_pager_link(&body, 2) {
        body = app.get_html(&prev).await.1;
        let mut ids = page_ids(&body);
        ids.extend(back);
        back = ids;
    }
    assert_eq!(back, by_number, "previous links walk it back");
    // "Last" and the page jump, with thousands separators in the counts.
    let (_, first) = app.get_html("/users").await;
    let last = nth_pager_link(&first, 5).expect("a last link");
    let (_, last_page) = app.get_html(&last).await;
    assert_eq!(page_ids(&last_page), by_number[22 * 50..]);
    let shown = einlass::i18n::format_number(total, einlass::domain::Language::De);
    assert!(shown.contains('.'), "{shown}");
    assert!(
        first.contains(&format!("{shown} Treffer")),
        "thousands separator"
    );
    assert!(
        first.contains("name=\"page\" type=\"number\""),
        "a page jump"
    );
    // Descending name order and other sorts reach their ends too.
    for sort in [
        "sort=name&dir=desc",
        "sort=email",
        "sort=created&dir=desc",
        "sort=status",
    ] {
        let mut seen = Vec::new();
        for page in 1..=pages {
            let (_, body) = app.get_html(&format!("/users?{sort}&page={page}")).await;
            seen.extend(page_ids(&body));
        }
        seen.sort_unstable();
        assert_eq!(seen, unique, "{sort}");
    }
});

db_test!(filters_fold_away_on_phones_unless_one_is_set, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, plain) = app.get_html("/users").await;
    assert!(plain.contains("<details class=\"more-filters\" data-open-wide>"));
    let (_, filtered) = app.get_html("/users?status=aktiv").await;
    assert!(filtered.contains("<details class=\"more-filters\" data-open-wide open>"));
});

db_test!(decomposed_and_invisible_characters, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create(&app, &ANNA).await;
    // "Jürgen" as macOS pastes it: u + combining diaeresis.
    create(
        &app,
        &[
            ("first_name", "Ju\u{308}rgen"),
            ("last_name", "Weiß"),
            ("then", "close"),
        ],
    )
    .await;
    let juergen = app
        .user("juergen.weiss")
        .await
        .expect("proposed from the composed name");
    assert_eq!(juergen.first_name, "Jürgen");
    for q in [
        "Jürgen",
        "Ju\u{308}rgen",
        "juergen",
        "Weiss",
        "Mu\u{308}ller",
    ] {
        let url = crate::support::form_encode(&[("q", q)]);
        assert_eq!(
            hits(&app.get_html(&format!("/users?{url}")).await.1),
            1,
            "{q:?}"
        );
    }
    // Characters that hide or reverse text are refused like control characters.
    let before = app.dump();
    for bad in ["\u{202e}live", "\u{200b}", "a\u{2066}b"] {
        let res = app.post("/groups", &[("name", bad)]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        let res = create(&app, &[("first_name", bad), ("last_name", "X")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    assert_eq!(app.dump(), before);
    // The audit search takes "Last, First" as the list shows it.
    let url = crate::support::form_encode(&[("q", "Müller, Anna")]);
    assert!(hits(&app.get_html(&format!("/audit?{url}")).await.1) >= 1);
});

db_test!(
    the_next_form_keeps_the_groups_across_the_credentials_sheet,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        app.post("/groups", &[("name", "Lager")]).await;
        let lager = app.unit_id("groups", "Lager").await.to_string();
        let res = create(
            &app,
            &[
                ("first_name", "Olga"),
                ("last_name", "Ohnemail"),
                ("group", &lager),
                ("start_password_mode", "generate"),
                ("then", "new"),
            ],
        )
        .await;
        let sheet = location(&res);
        let (_, page) = app.get_html(&sheet).await;
        let then = value_of(&page, "input[name=then]").unwrap();
        let res = app.post(&format!("{sheet}/done"), &[("then", &then)]).await;
        assert_redirect(&res, &format!("/users/new?group={lager}"));
        let (_, form) = app.get_html(&location(&res)).await;
        assert!(form.contains(&format!("value=\"{lager}\" checked")));
    }
);

db_test!(a_save_behind_a_long_write_answers_in_seconds, |app| {
    // PostgreSQL: another transaction (an import's commit) holds the
    // person. The form waits a few seconds, not the whole write: it says
    // so, keeps the entries and the version, and its connection is free.
    app.login_as("chef", AdminRole::Administrator).await;
    assert_redirect(&create(&app, &ANNA).await, "/users");
    let id = app.user_id("anna.mueller").await;
    let mut holder = app.db.raw();
    if !holder.is_postgres() {
        return;
    }
    let (_, form) = app.get_html(&format!("/users/{id}/edit")).await;
    let seen = value_of(&form, "input[name=seen]").unwrap();
    holder.execute(&format!(
        "BEGIN; SELECT id FROM users WHERE id = {id} FOR NO KEY UPDATE"
    ));
    let started = std::time::Instant::now();
    let res = app
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("first_name", "Annegret"),
                ("last_name", "Müller"),
                ("username", "anna.mueller"),
                ("email", "Anna.Mueller@Example.de"),
                ("personnel_number", "4711"),
                ("user_type", "mitarbeiter"),
                ("invite", "later"),
                ("seen", &seen),
            ],
        )
        .await;
    let waited = started.elapsed();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(waited < std::time::Duration::from_secs(8), "{waited:?}");
    let body = res.text().await.unwrap();
    assert!(body.contains("wird gerade anderweitig geändert"), "{body}");
    assert_eq!(
        value_of(&body, "input[name=first_name]").as_deref(),
        Some("Annegret")
    );
    assert_eq!(value_of(&body, "input[name=seen]"), Some(seen));
    holder.execute("ROLLBACK");
    assert_eq!(app.user("anna.mueller").await.unwrap().first_name, "Anna");
    // Free again: saved.
    let res = app
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("first_name", "Annegret"),
                ("last_name", "Müller"),
                ("username", "anna.mueller"),
                ("email", "Anna.Mueller@Example.de"),
                ("personnel_number", "4711"),
                ("user_type", "mitarbeiter"),
                ("invite", "later"),
                ("seen", &value_of(&form, "input[name=seen]").unwrap()),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/users/{id}"));
    // An import's commit holds the active Administrators' rows (and its own
    // people's): the form of someone else is saved at once all the same.
    let (_, form) = app.get_html(&format!("/users/{id}/edit")).await;
    holder.execute(
        "BEGIN; SELECT id FROM users WHERE admin_role = 'administrator' AND status = 'aktiv' \
         AND deleted_at IS NULL FOR NO KEY UPDATE",
    );
    let started = std::time::Instant::now();
    let res = app
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("first_name", "Anne"),
                ("last_name", "Müller"),
                ("username", "anna.mueller"),
                ("email", "Anna.Mueller@Example.de"),
                ("personnel_number", "4711"),
                ("user_type", "mitarbeiter"),
                ("invite", "later"),
                ("seen", &value_of(&form, "input[name=seen]").unwrap()),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/users/{id}"));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    holder.execute("ROLLBACK");
    assert_eq!(app.user("anna.mueller").await.unwrap().first_name, "Anne");
});

db_test!(the_flash_names_a_person_exactly_as_saved, |app| {
    // The flash cookie is percent-decoded when read: a name with "+", "%41"
    // or "&k=…" must come back as it was, not decoded twice.
    app.login_as("chef", AdminRole::Administrator).await;
    for first in ["A+B%41&x=1", "=a+1", "Z&k=user_deleted"] {
        let res = create(
            &app,
            &[
                ("first_name", first),
                ("last_name", "Test"),
                ("username", ""),
                ("then", "close"),
            ],
        )
        .await;
        assert_redirect(&res, "/users");
        let (_, body) = app.get_html("/users").await;
        let flash = text_of(&body, ".flash").unwrap_or_default();
        assert!(
            flash.starts_with(&format!("Angelegt: {first} Test")),
            "{first}: {flash}"
        );
    }
});

db_test!(
    an_edit_form_older_than_the_persons_last_change_saves_nothing,
    |app| {
        // Two admins open the same person's form; the first saves a new first
        // name; the second's save of the last name would write the old first
        // name back. It is refused, keeps his entries, and saves once sent
        // again knowingly.
        app.login_as("chef", AdminRole::Administrator).await;
        let res = create(&app, &ANNA).await;
        assert_redirect(&res, "/users");
        let id = app.user_id("anna.mueller").await;
        let (_, old_form) = app.get_html(&format!("/users/{id}/edit")).await;
        let old_seen =
            value_of(&old_form, "input[name=seen]").expect("the form carries its version");
        let edit = |first: &'static str, last: &'static str, seen: String| {
            let app = &app;
            async move {
                app.post(
                    &format!("/users/{id}/edit"),
                    &[
                        ("first_name", first),
                        ("last_name", last),
                        ("username", "anna.mueller"),
                        ("email", "Anna.Mueller@Example.de"),
                        ("personnel_number", "4711"),
                        ("user_type", "mitarbeiter"),
                        ("invite", "later"),
                        ("seen", &seen),
                    ],
                )
                .await
            }
        };
        let res = edit("Annegret", "Müller", old_seen.clone()).await;
        assert_redirect(&res, &format!("/users/{id}"));
        let res = edit("Anna", "Meier", old_seen).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains("Jemand hat diese Person geändert"), "{body}");
        // Every link of the error summary leads to something on the page.
        let doc = scraper::Html::parse_document(&body);
        let links = scraper::Selector::parse("[data-error-summary] a").unwrap();
        let targets: Vec<String> = doc
            .select(&links)
            .filter_map(|a| a.value().attr("href"))
            .map(|h| h.trim_start_matches('#').to_owned())
            .collect();
        assert!(targets.contains(&"seen".to_owned()), "{body}");
        for id in targets {
            let found = scraper::Selector::parse(&format!("[id=\"{id}\"]")).unwrap();
            assert!(doc.select(&found).next().is_some(), "#{id}: {body}");
        }
        assert_eq!(
            value_of(&body, "input[name=last_name]").as_deref(),
            Some("Meier")
        );
        let anna = app.user("anna.mueller").await.unwrap();
        assert_eq!(
            (anna.first_name.as_str(), anna.last_name.as_str()),
            ("Annegret", "Müller")
        );
        // Sent again from the page that said so: saved.
        let seen = value_of(&body, "input[name=seen]").unwrap();
        let res = edit("Anna", "Meier", seen).await;
        assert_redirect(&res, &format!("/users/{id}"));
        let anna = app.user("anna.mueller").await.unwrap();
        assert_eq!(
            (anna.first_name.as_str(), anna.last_name.as_str()),
            ("Anna", "Meier")
        );
    }
);

db_test!(
    one_mailbox_is_one_account_whichever_form_its_domain_is_written_in,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let jorg = [
            ("first_name", "Jörg"),
            ("last_name", "Müller"),
            ("email", "joerg@Müller.de"),
            ("then", "close"),
        ];
        assert_redirect(&create(&app, &jorg).await, "/users");
        let before = app.dump();
        // The same mailbox, its domain in ASCII form or in look-alike
        // letters that IDNA maps to it: taken.
        for email in [
            "joerg@xn--mller-kva.de",
            "JOERG@XN--MLLER-KVA.DE",
            "joerg@ｍüｌｌｅｒ.de",
            "joerg@Müller.ⅾe",
        ] {
            let res = create(
                &app,
                &[("first_name", "Bea"), ("last_name", "B"), ("email", email)],
            )
            .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
            let body = res.text().await.unwrap();
            assert!(
                text_of(&body, "#email-error")
                    .unwrap_or_default()
                    .contains("bereits von einem anderen Konto"),
                "{email}: {body}"
            );
        }
        // An invisible character would make it look the same: named.
        let res = create(
            &app,
            &[
                ("first_name", "Bea"),
                ("last_name", "B"),
                ("email", "joerg@müller.de\u{3164}"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(
            text_of(&body, "#email-error")
                .unwrap_or_default()
                .contains("U+3164"),
            "{body}"
        );
        // A domain no mail server has: refused as an address.
        let res = create(
            &app,
            &[
                ("first_name", "Bea"),
                ("last_name", "B"),
                ("email", "bea@xn--zz.de"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text_of(&res.text().await.unwrap(), "#email-error")
                .unwrap_or_default()
                .contains("Keine gültige E-Mail-Adresse")
        );
        assert_eq!(app.dump(), before);
        // Found by either form, as typed at the sign-in.
        let joerg = app.user("joerg@müller.de").await.expect("by unicode");
        assert_eq!(joerg.email.as_deref(), Some("joerg@Müller.de"));
        assert_eq!(
            app.user("Joerg@XN--MLLER-KVA.de").await.map(|u| u.id),
            Some(joerg.id)
        );
    }
);

db_test!(
    address_keys_stored_before_are_brought_to_one_form_of_the_domain,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        for (first, email) in [
            ("Jörg", "joerg@xn--mller-kva.de"),
            ("Anna", "anna@xn--mller-kva.de"),
        ] {
            let res = create(
                &app,
                &[
                    ("first_name", first),
                    ("last_name", "Müller"),
                    ("email", email),
                    ("then", "close"),
                ],
            )
            .await;
            assert_redirect(&res, "/users");
        }
        // Behind the app's back: keys as an older version made them (the
        // domain as written), and Anna's mailbox a second time in Unicode.
        app.db.sql(
            "UPDATE users SET email_lower = email WHERE email LIKE '%xn--%'; \
             UPDATE maintenance_marks SET version = 1 WHERE name = 'email_key'",
        );
        // And blocks keyed by the spelling (before version 3): Jörg's only
        // in ASCII, a mailbox in both.
        app.db.sql(
            "INSERT INTO blocked_addresses (address_lower, reason, blocked_at) VALUES \
             ('joerg@xn--mller-kva.de', 'rejected', '2026-01-01 00:00:00'), \
             ('zoe@xn--mller-kva.de', 'rejected', '2026-01-01 00:00:00'), \
             ('zoe@müller.de', 'rejected', '2026-01-02 00:00:00')",
        );
        let res = create(
            &app,
            &[
                ("first_name", "Anna"),
                ("last_name", "Zwei"),
                ("email", "anna@müller.de"),
                ("then", "close"),
            ],
        )
        .await;
        assert_redirect(&res, "/users");
        assert!(app.user("joerg@müller.de").await.is_none());
        einlass::services::maintenance::migrate(&einlass::config::Config::for_database(
            &app.db.url,
        ))
        .unwrap();
        // Jörg's key is the Unicode form now; the two Annas keep theirs
        // (which of them keeps the mailbox is the admin's call).
        let joerg = app.user("joerg@müller.de").await.expect("re-keyed");
        assert_eq!(joerg.email.as_deref(), Some("joerg@xn--mller-kva.de"));
        let unicode_anna = app.user("anna@müller.de").await.expect("second anna");
        assert_eq!(unicode_anna.last_name, "Zwei");
        // The blocks are keyed by the mailbox: one each, in Unicode.
        let (_, blocks) = app.get_html("/mail/blocked").await;
        assert!(blocks.contains("joerg@müller.de"), "{blocks}");
        assert_eq!(
            blocks.matches("zoe@").count(),
            blocks.matches("joerg@").count(),
            "one row each: {blocks}"
        );
        assert!(!blocks.contains("xn--"), "{blocks}");
        let joerg_page = app.get_html(&format!("/users/{}", joerg.id)).await.1;
        assert!(joerg_page.contains("gesperrt"), "{joerg_page}");
        let res = create(
            &app,
            &[
                ("first_name", "Jörg"),
                ("last_name", "Zwei"),
                ("email", "JOERG@müller.de"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

db_test!(a_number_in_full_width_digits_is_the_same_number, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = create(
        &app,
        &[
            ("first_name", "Anna"),
            ("last_name", "Breit"),
            ("personnel_number", "７７７"),
            ("then", "close"),
        ],
    )
    .await;
    assert_redirect(&res, "/users");
    let anna = app.user("anna.breit").await.unwrap();
    assert_eq!(anna.personnel_number.as_deref(), Some("777"));
    let before = app.dump();
    for (number, message) in [
        ("777", "Personalnummer ist bereits"),
        ("７７７", "Personalnummer ist bereits"),
        ("٧٧٧", "Bitte Ziffern als 0–9 schreiben"),
    ] {
        let res = create(
            &app,
            &[
                ("first_name", "Bea"),
                ("last_name", "B"),
                ("personnel_number", number),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{number}");
        let body = res.text().await.unwrap();
        assert!(
            text_of(&body, "#personnel_number-error")
                .unwrap_or_default()
                .contains(message),
            "{number}: {body}"
        );
    }
    assert_eq!(app.dump(), before);
    // The list finds it by the plain digits.
    assert_eq!(hits(&app.get_html("/users?q=777").await.1), 1);
});

db_test!(
    personnel_numbers_stored_before_are_brought_to_their_plain_form,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        for (first, number) in [
            ("Anna", "701"),
            ("Bea", "702"),
            ("Cem", "703"),
            ("Dora", "704"),
        ] {
            let res = create(
                &app,
                &[
                    ("first_name", first),
                    ("last_name", "Alt"),
                    ("personnel_number", number),
                    ("then", "close"),
                ],
            )
            .await;
            assert_redirect(&res, "/users");
        }
        // Behind the app's back: numbers as an older version kept them
        // (Bea's full-width 701 beside Anna's plain one, Cem's Arabic-Indic).
        app.db.sql(
            "UPDATE users SET personnel_number = '７０１' WHERE username = 'bea.alt'; \
             UPDATE users SET personnel_number = '٧٠٣' WHERE username = 'cem.alt'; \
             UPDATE users SET personnel_number = '７０４' WHERE username = 'dora.alt'; \
             UPDATE maintenance_marks SET version = 1 WHERE name = 'personnel_number'",
        );
        einlass::services::maintenance::migrate(&einlass::config::Config::for_database(
            &app.db.url,
        ))
        .unwrap();
        // Bea's plain form is Anna's, and Cem's has no plain form: kept
        // (an administrator's call).
        for (login, want) in [
            ("anna.alt", "701"),
            ("bea.alt", "７０１"),
            ("cem.alt", "٧٠٣"),
            ("dora.alt", "704"),
        ] {
            let got = app.user(login).await.unwrap().personnel_number;
            assert_eq!(got.as_deref(), Some(want), "{login}");
        }
    }
);
