//! /registration and /register: the whitelist. Entries by form and by
//! import (a CSV as Excel writes it in a German locale: semicolons,
//! Windows-1252), the criteria, and the public page: a match admits one
//! person once with the entry's data; every kind of mismatch gets the same
//! answer; mismatches are rate-limited per address and per typed data; of
//! two registrations at the same instant exactly one wins.

use einlass::domain::access::AccountInput;
use einlass::domain::registration::ProbeInput;
use einlass::domain::{AdminRole, UserStatus};
use einlass::services::registration::{self, Registered};
use reqwest::StatusCode;

use crate::support::{TestApp, assert_redirect, form_encode, location};

const PASSWORD: &str = "Birke-Laterne-Kompass-5";

async fn add_entry(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post("/registration/entries", fields).await
}

/// The public form, from a browser without a session.
async fn register(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let (_, page) = app.get_html("/register").await;
    let csrf = crate::support::extract_csrf(&page);
    let mut all: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("password", PASSWORD),
        ("password_repeat", PASSWORD),
    ];
    all.extend_from_slice(fields);
    app.post_raw("/register", &all).await
}

async fn as_visitor<T>(app: &mut TestApp, f: impl AsyncFnOnce(&mut TestApp) -> T) -> T {
    let mut phone = TestApp::new_client();
    app.swap_browser(&mut phone);
    let out = f(app).await;
    app.swap_browser(&mut phone);
    out
}

fn anna<'a>(number: &'a str, username: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("first_name", "anna"),
        // Typed on a phone without umlauts: "Müller" without its dots.
        ("last_name", "MULLER"),
        ("personnel_number", number),
        ("username", username),
    ]
}

/// A dump without the rate limits' hits.
fn without_hits(dump: &str) -> String {
    dump.split("## ")
        .filter(|section| !section.starts_with("rate_limit_hits\n"))
        .collect::<Vec<_>>()
        .join("## ")
}

db_test!(a_match_admits_one_person_once_with_the_entrys_data, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app.post("/groups", &[("name", "Pflege")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let group = app.unit_id("groups", "Pflege").await.to_string();
    let res = add_entry(
        &app,
        &[
            ("first_name", "Anna"),
            ("last_name", "Müller"),
            ("personnel_number", "00123"),
            ("user_type", "extern"),
            ("group", &group),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let (_, page) = app.get_html("/registration").await;
    assert!(
        page.contains("Müller, Anna") && page.contains("00123"),
        "{page}"
    );
    let mut app = app;
    // The sign-in page offers the registration now.
    let (_, login) = as_visitor(&mut app, async |app: &mut TestApp| {
        app.get_html("/login").await
    })
    .await;
    assert!(login.contains("href=\"/register\""), "{login}");
    let before = app.dump();
    // Mismatches of every kind: the same answer, nothing written but the
    // rate-limit hits.
    for (first, last, number) in [
        ("Anna", "Müller", "123"),
        ("Anna", "Müller", "00124"),
        ("Anne", "Müller", "00123"),
        ("Anna", "Meier", "00123"),
    ] {
        let res = as_visitor(&mut app, async |app: &mut TestApp| {
            register(
                app,
                &[
                    ("first_name", first),
                    ("last_name", last),
                    ("personnel_number", number),
                    ("username", "anna.m"),
                ],
            )
            .await
        })
        .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{first} {last} {number}"
        );
        let page = res.text().await.unwrap();
        assert!(page.contains("data-no-match"), "{page}");
        assert!(page.contains("passen zu keinem Eintrag"));
        assert!(!page.contains(PASSWORD));
    }
    assert_eq!(
        without_hits(&app.dump()),
        without_hits(&before),
        "a mismatch writes nothing else"
    );
    // Folded names and the exact number match; the account has the
    // entry's spelling, number, type and group.
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        let res = register(app, &anna(" 00123 ", "anna.m")).await;
        assert_redirect(&res, "/welcome");
        let (status, _) = app.get_html("/me").await;
        assert_eq!(status, StatusCode::OK, "signed in");
        res
    })
    .await;
    drop(res);
    let person = app.user("anna.m").await.unwrap();
    assert_eq!(person.status, UserStatus::Aktiv);
    assert_eq!(
        (person.first_name.as_str(), person.last_name.as_str()),
        ("Anna", "Müller")
    );
    assert_eq!(person.personnel_number.as_deref(), Some("00123"));
    assert_eq!(person.user_type.as_str(), "extern");
    let (_, shown) = app.get_html(&format!("/users/{}", person.id)).await;
    assert!(shown.contains("Pflege"), "{shown}");
    let (_, list) = app.get_html("/registration").await;
    assert!(
        list.contains(&format!("/users/{}", person.id)),
        "the entry names who used it"
    );
    // Used: the same data again is a mismatch.
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(app, &anna("00123", "anna.zwei")).await
    })
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.user("anna.zwei").await.is_none());
    // A used entry cannot be deleted.
    let (_, list) = app.get_html("/registration").await;
    assert!(!list.contains("/registration/entries/1/delete") || !list.contains("data-entry=\"1\""));
    // Deleted since: the entry stays used and links to no dead account.
    let res = app.post(&format!("/users/{}/delete", person.id), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get_html("/registration").await;
    assert!(!list.contains(&format!("/users/{}", person.id)), "{list}");
    assert!(list.contains("benutzt"), "{list}");
});

db_test!(a_bad_entry_or_account_is_said_at_the_field, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for (fields, field) in [
        (
            vec![
                ("first_name", ""),
                ("last_name", "X"),
                ("personnel_number", "1"),
            ],
            "first_name",
        ),
        (
            vec![("first_name", "A"), ("last_name", "B")],
            "personnel_number",
        ),
        (
            vec![
                ("first_name", "A\0"),
                ("last_name", "B"),
                ("personnel_number", "1"),
            ],
            "first_name",
        ),
        (
            vec![
                ("first_name", "A"),
                ("last_name", "B"),
                ("personnel_number", "1"),
                ("birth_date", "31.02.1990"),
            ],
            "birth_date",
        ),
        (
            vec![
                ("first_name", "A"),
                ("last_name", "B"),
                ("personnel_number", "1"),
                ("birth_date", "01.01.9999"),
            ],
            "birth_date",
        ),
        (
            vec![
                ("first_name", "A"),
                ("last_name", "B"),
                ("personnel_number", "1"),
                ("group", "99999"),
            ],
            "group",
        ),
    ] {
        let res = add_entry(&app, &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    // One open entry per personnel number; an account's number is refused.
    let res = add_entry(
        &app,
        &[
            ("first_name", "A"),
            ("last_name", "B"),
            ("personnel_number", "7"),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let res = add_entry(
        &app,
        &[
            ("first_name", "C"),
            ("last_name", "D"),
            ("personnel_number", "7"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Diese Personalnummer steht schon auf der Liste")
    );
    // The registration's own fields: said next to them, before any lookup.
    let mut app = app;
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(
            app,
            &[
                ("first_name", "A"),
                ("last_name", "B"),
                ("personnel_number", "7"),
            ],
        )
        .await
    })
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("id=\"email-error\"") && !page.contains("data-no-match"),
        "{page}"
    );
    // A username somebody has is never told: without a match it is the one
    // neutral answer (usernames are made from names, the form would tell
    // who has an account), with one the account gets a username made from
    // the entry's name (telling it then would confirm the data to whoever
    // guessed them), and the welcome page names it.
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(
            app,
            &[
                ("first_name", "a"),
                ("last_name", "b"),
                ("personnel_number", "999"),
                ("username", "chef"),
            ],
        )
        .await
    })
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("data-no-match") && !page.contains("id=\"username-error\""),
        "{page}"
    );
    let welcome = as_visitor(&mut app, async |app: &mut TestApp| {
        let res = register(
            app,
            &[
                ("first_name", "a"),
                ("last_name", "b"),
                ("personnel_number", "7"),
                ("username", "chef"),
                ("email", "ab@example.org"),
            ],
        )
        .await;
        assert_redirect(&res, "/welcome");
        app.get_html("/welcome").await.1
    })
    .await;
    let ab = app.user("ab@example.org").await.unwrap();
    assert_eq!(ab.username, "a.b", "a username proposed from the name");
    assert!(
        welcome.contains("data-username") && welcome.contains("<strong>a.b</strong>"),
        "{welcome}"
    );
    assert!(!ab.email_confirmed);
    // An address with an account: the mismatch answer, the entry stays.
    let res = add_entry(
        &app,
        &[
            ("first_name", "E"),
            ("last_name", "F"),
            ("personnel_number", "8"),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(
            app,
            &[
                ("first_name", "E"),
                ("last_name", "F"),
                ("personnel_number", "8"),
                ("email", "AB@example.org"),
            ],
        )
        .await
    })
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("data-no-match"));
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(
            app,
            &[
                ("first_name", "E"),
                ("last_name", "F"),
                ("personnel_number", "8"),
                ("username", "e.f"),
            ],
        )
        .await
    })
    .await;
    assert_redirect(&res, "/welcome");
});

db_test!(entries_the_criteria_cannot_tell_apart_are_refused, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app
        .post(
            "/registration/criteria",
            &[("criterion", "last_name"), ("criterion", "birth_date")],
        )
        .await;
    assert_redirect(&res, "/registration");
    let res = add_entry(
        &app,
        &[
            ("first_name", "Anna"),
            ("last_name", "Zwilling"),
            ("birth_date", "1.1.2000"),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let res = add_entry(
        &app,
        &[
            ("first_name", "Berta"),
            ("last_name", "Zwilling"),
            ("birth_date", "01.01.2000"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("nicht unterscheiden"));
    // Told apart under the old criteria, not under new ones: nobody gets in
    // with the data both share.
    let res = app
        .post(
            "/registration/criteria",
            &[
                ("criterion", "first_name"),
                ("criterion", "last_name"),
                ("criterion", "birth_date"),
            ],
        )
        .await;
    assert_redirect(&res, "/registration");
    let res = add_entry(
        &app,
        &[
            ("first_name", "Berta"),
            ("last_name", "Zwilling"),
            ("birth_date", "01.01.2000"),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let res = app
        .post(
            "/registration/criteria",
            &[("criterion", "last_name"), ("criterion", "birth_date")],
        )
        .await;
    assert_redirect(&res, "/registration");
    let (_, page) = app.get_html("/registration").await;
    assert!(
        page.contains("data-ambiguous=\"2\""),
        "the page says so: {page}"
    );
    // Both are marked, and can be listed alone (among others they would be
    // pages apart).
    let res = add_entry(
        &app,
        &[
            ("first_name", "Clara"),
            ("last_name", "Anders"),
            ("birth_date", "3.3.2003"),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let (_, page) = app.get_html("/registration").await;
    assert_eq!(page.matches("data-ambiguous-entry").count(), 2, "{page}");
    assert_eq!(page.matches("<tr data-entry=").count(), 3, "{page}");
    assert!(page.contains("href=\"/registration?show=ambiguous#entries-title\""));
    let (_, only) = app.get_html("/registration?show=ambiguous").await;
    assert!(only.contains("data-only-ambiguous"), "{only}");
    assert_eq!(only.matches("<tr data-entry=").count(), 2, "{only}");
    assert_eq!(only.matches("data-ambiguous-entry").count(), 2, "{only}");
    assert!(!only.contains("Anders"), "{only}");
    let mut app = app;
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(
            app,
            &[
                ("last_name", "Zwilling"),
                ("birth_date", "1.1.2000"),
                ("username", "zw"),
            ],
        )
        .await
    })
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.user("zw").await.is_none());
    // The import says so per row.
    let file = "Nachname;Geburtsdatum;Vorname\r\nZwilling;1.1.2000;Carla\r\nEinzeln;2.2.2002;Dora\r\nEinzeln;02.02.2002;Emil\r\n";
    let res = upload(&app, "z.csv", file.as_bytes().to_vec()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&location(&res)).await;
    // Dora and Emil are one person to the criteria: neither goes on the list.
    assert!(page.contains("data-count=\"new\">0<"), "{page}");
    assert!(page.contains("data-count=\"refused\">3<"), "{page}");
});

db_test!(
    criteria_are_chosen_by_administrators_and_never_names_alone,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = add_entry(
            &app,
            &[
                ("first_name", "Lea"),
                ("last_name", "Lang"),
                ("personnel_number", "5"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        for chosen in [
            vec!["first_name", "last_name"],
            vec!["personnel_number"],
            vec![],
        ] {
            let fields: Vec<(&str, &str)> = chosen.iter().map(|c| ("criterion", *c)).collect();
            let res = app.post("/registration/criteria", &fields).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{chosen:?}");
            // The form shows what she ticked, not what is stored.
            let page = res.text().await.unwrap();
            for key in ["first_name", "last_name", "personnel_number", "birth_date"] {
                let ticked = format!(r#"name="criterion" value="{key}" checked"#);
                assert_eq!(
                    page.contains(&ticked),
                    chosen.contains(&key),
                    "{chosen:?} {key}"
                );
            }
        }
        let res = app
            .post(
                "/registration/criteria",
                &[("criterion", "nonsense"), ("criterion", "birth_date")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app
            .post(
                "/registration/criteria",
                &[("criterion", "last_name"), ("criterion", "birth_date")],
            )
            .await;
        assert_redirect(&res, "/registration");
        // Lea's entry has no birth date: it cannot match, and the page says so.
        let (_, page) = app.get_html("/registration").await;
        assert!(page.contains("data-unmatchable=\"1\""), "{page}");
        let res = add_entry(
            &app,
            &[
                ("first_name", "Max"),
                ("last_name", "Mai"),
                ("birth_date", "3.4.1985"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        let mut app = app;
        let (_, form) = as_visitor(&mut app, async |app: &mut TestApp| {
            app.get_html("/register").await
        })
        .await;
        assert!(form.contains("id=\"birth_date\"") && !form.contains("id=\"personnel_number\""));
        assert!(!form.contains("id=\"first_name\""));
        // A phone may offer what it knows of her, and neither capitalises
        // nor corrects her username or address.
        for attributes in [
            r#"name="last_name" type="text" value="" autocomplete="family-name""#,
            r#"name="birth_date" type="text" value="" autocomplete="bday""#,
            r#"autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck="false""#,
            r#"type="email" value="" autocomplete="email" autocapitalize="none""#,
        ] {
            assert!(form.contains(attributes), "{attributes}: {form}");
        }
        let res = as_visitor(&mut app, async |app: &mut TestApp| {
            register(
                app,
                &[
                    ("last_name", "mai"),
                    ("birth_date", "1985-04-03"),
                    ("username", "max.mai"),
                ],
            )
            .await
        })
        .await;
        assert_redirect(&res, "/welcome");
        assert_eq!(app.user("max.mai").await.unwrap().first_name, "Max");
        // A reader sees the list, changes nothing.
        let mut reader = TestApp::new_client();
        app.swap_browser(&mut reader);
        app.login_as("leser", AdminRole::Lesezugriff).await;
        let (status, _) = app.get_html("/registration").await;
        assert_eq!(status, StatusCode::OK);
        let res = add_entry(
            &app,
            &[
                ("first_name", "X"),
                ("last_name", "Y"),
                ("birth_date", "1.1.1990"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .post(
                "/registration/criteria",
                &[
                    ("criterion", "last_name"),
                    ("criterion", "personnel_number"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    mismatches_are_rate_limited_per_address_and_per_data,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = add_entry(
            &app,
            &[
                ("first_name", "Rita"),
                ("last_name", "Rate"),
                ("personnel_number", "42"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        let mut app = app;
        // Ten wrong guesses (of ten people) from one address, then even the
        // right data waits.
        for n in 0..10 {
            let (number, first) = (format!("9{n}"), format!("Rita{n}"));
            let res = as_visitor(&mut app, async |app: &mut TestApp| {
                register(
                    app,
                    &[
                        ("first_name", &first),
                        ("last_name", "Rate"),
                        ("personnel_number", &number),
                        ("username", "rita"),
                    ],
                )
                .await
            })
            .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "guess {n}");
        }
        let res = as_visitor(&mut app, async |app: &mut TestApp| {
            register(
                app,
                &[
                    ("first_name", "Rita"),
                    ("last_name", "Rate"),
                    ("personnel_number", "42"),
                    ("username", "rita"),
                ],
            )
            .await
        })
        .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(app.user("rita").await.is_none());
        // One person's data guessed from many addresses: five, then no more.
        let account = || {
            let mut errors = einlass::domain::FieldErrors::default();
            AccountInput {
                username: "rita.r".into(),
                password: PASSWORD.into(),
                password_repeat: PASSWORD.into(),
                ..Default::default()
            }
            .parse_into(&mut errors)
            .unwrap()
        };
        let probe = |first: &str| ProbeInput {
            first_name: first.into(),
            last_name: "Rate".into(),
            personnel_number: "42".into(),
            ..Default::default()
        };
        for n in 0..5 {
            let out = registration::register(
                &app.ctx,
                &probe("Falsch"),
                account(),
                &format!("10.0.0.{n}"),
            )
            .await
            .unwrap();
            assert!(matches!(out, Registered::NoMatch));
        }
        let out = registration::register(&app.ctx, &probe("Rita"), account(), "10.0.1.1")
            .await
            .unwrap();
        assert!(
            matches!(out, Registered::Throttled),
            "the number is locked for an hour"
        );
        app.ctx.clock().advance(time::Duration::minutes(61));
        let out = registration::register(&app.ctx, &probe("Rita"), account(), "10.0.1.1")
            .await
            .unwrap();
        assert!(matches!(out, Registered::In(..)));
        // Guessing the number for a known name, from many addresses: the
        // name is locked after five.
        app.sign_in("chef").await;
        let res = add_entry(
            &app,
            &[
                ("first_name", "Nora"),
                ("last_name", "Nummer"),
                ("personnel_number", "777"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        let guess = |number: &str| ProbeInput {
            first_name: "Nora".into(),
            last_name: "Nummer".into(),
            personnel_number: number.into(),
            ..Default::default()
        };
        let nora = || {
            let mut errors = einlass::domain::FieldErrors::default();
            AccountInput {
                username: "nora.n".into(),
                password: PASSWORD.into(),
                password_repeat: PASSWORD.into(),
                ..Default::default()
            }
            .parse_into(&mut errors)
            .unwrap()
        };
        for n in 0..5 {
            let out = registration::register(
                &app.ctx,
                &guess(&format!("70{n}")),
                nora(),
                &format!("10.0.2.{n}"),
            )
            .await
            .unwrap();
            assert!(matches!(out, Registered::NoMatch));
        }
        let out = registration::register(&app.ctx, &guess("777"), nora(), "10.0.3.1")
            .await
            .unwrap();
        assert!(
            matches!(out, Registered::Throttled),
            "the name is locked for an hour"
        );
        // A username somebody has, with data that match nothing: the one
        // neutral answer (only a match is told that a username is taken).
        let out = registration::register(&app.ctx, &probe("Falsch"), account(), "10.0.4.1").await;
        assert!(matches!(out, Ok(Registered::NoMatch)));
    }
);

db_test!(two_registrations_with_one_entry_make_one_account, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for round in 0..4 {
        let number = format!("R{round}");
        let res = add_entry(
            &app,
            &[
                ("first_name", "Renn"),
                ("last_name", "Fahrer"),
                ("personnel_number", &number),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        let mut racers = Vec::new();
        for n in 0..2 {
            let mut phone = TestApp::new_client();
            app.swap_browser(&mut phone);
            let (_, page) = app.get_html("/register").await;
            let csrf = crate::support::extract_csrf(&page);
            app.swap_browser(&mut phone);
            racers.push((phone, csrf, format!("renn{round}x{n}")));
        }
        let post = |(phone, csrf, name): &(reqwest::Client, String, String)| {
            phone
                .post(app.url("/register"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form_encode(&[
                    ("csrf", csrf.as_str()),
                    ("first_name", "Renn"),
                    ("last_name", "Fahrer"),
                    ("personnel_number", number.as_str()),
                    ("username", name.as_str()),
                    ("password", PASSWORD),
                    ("password_repeat", PASSWORD),
                ]))
                .send()
        };
        let (a, b) = tokio::join!(post(&racers[0]), post(&racers[1]));
        let mut statuses = [a.unwrap().status(), b.unwrap().status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY],
            "round {round}"
        );
        let mut made = 0;
        for (_, _, name) in &racers {
            made += usize::from(app.user(name).await.is_some());
        }
        assert_eq!(made, 1, "round {round}");
    }
});

/// A CSV as Excel saves it in a German locale: semicolons, Windows-1252.
fn csv(lines: &[&str]) -> Vec<u8> {
    let text = lines.join("\r\n");
    text.chars()
        .map(|c| match c {
            'ä' => 0xE4,
            'ö' => 0xF6,
            'ü' => 0xFC,
            'Ü' => 0xDC,
            'ß' => 0xDF,
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect()
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", app.csrf().await)
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("text/csv")
                .unwrap(),
        );
    app.client
        .post(app.url("/registration/imports"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

db_test!(
    a_list_from_an_xls_warns_that_numbers_lost_their_zeros,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // LibreOffice's .xls of the people list keeps 00123 as the number 123
        // (no format): someone registering with 00123 would not match.
        for (name, hint) in [("people.xls", true), ("people.xlsx", false)] {
            let bytes = std::fs::read(format!(
                "{}/tests/fixtures/import/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let res = upload(&app, name, bytes).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let (_, page) = app.get_html(&location(&res)).await;
            assert_eq!(page.contains("data-zeros-hint"), hint, "{name}: {page}");
            if hint {
                assert!(page.contains("führende Nullen"), "{page}");
            }
        }
    }
);

db_test!(rows_the_file_hides_are_not_put_on_the_list, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = crate::support::titled_sheet(&mut book, &["Vorname", "Nachname", "Personalnummer"]);
    for (row, first) in [(1u32, "Anna"), (2, "Bernd"), (3, "Chris"), (4, "Dana")] {
        ws.write_string(row, 0, first).unwrap();
        ws.write_string(row, 1, "Gefiltert").unwrap();
        ws.write_string(row, 2, format!("70{row}")).unwrap();
    }
    // Lines 3 and 5 (Bernd, Dana), as a filter hides them.
    ws.set_row_hidden(2).unwrap();
    ws.set_row_hidden(4).unwrap();
    // Line 6: a number of 17 digits typed as a number keeps 15.
    ws.write_string(5, 0, "Emil").unwrap();
    ws.write_string(5, 1, "Gefiltert").unwrap();
    ws.write_number(5, 2, 12_345_678_901_234_567f64).unwrap();
    // Line 7: a column of check marks taken for the numbers.
    ws.write_string(6, 0, "Fritz").unwrap();
    ws.write_string(6, 1, "Gefiltert").unwrap();
    ws.write_boolean(6, 2, true).unwrap();
    let res = upload(&app, "gefiltert.xlsx", book.save_to_buffer().unwrap()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&location(&res)).await;
    assert!(page.contains("data-count=\"new\">2<"), "{page}");
    assert!(page.contains("data-count=\"refused\">4<"), "{page}");
    let emil = page.split("data-refused=\"6\"").nth(1).unwrap_or("");
    assert!(emil.contains("mehr Stellen"), "{emil}");
    let fritz = page.split("data-refused=\"7\"").nth(1).unwrap_or("");
    assert!(fritz.contains("Wahrheitswert"), "{fritz}");
    // The refused value is shown as the file gave it.
    assert!(fritz.contains("data-given-number>WAHR<"), "{fritz}");
    for line in ["3", "5"] {
        let row = page
            .split(&format!("data-refused=\"{line}\""))
            .nth(1)
            .unwrap_or("");
        assert!(row.contains("In der Datei ausgeblendet"), "{line}: {row}");
    }
});

db_test!(a_formula_error_value_is_refused_on_the_list, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // openpyxl's file: Anna's personnel number is `#N/A`, Bernd's last
    // name `#DIV/0!` (computed errors); Chris is fine.
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/import/people-errors.xlsx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let res = upload(&app, "people-errors.xlsx", bytes).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&location(&res)).await;
    assert!(page.contains("data-count=\"new\">1<"), "{page}");
    assert!(page.contains("data-count=\"refused\">2<"), "{page}");
    for (line, value) in [("2", "#N/A"), ("3", "#DIV/0!")] {
        let row = page
            .split(&format!("data-refused=\"{line}\""))
            .nth(1)
            .unwrap_or("");
        assert!(row.contains("Fehlerwert"), "{row}");
        assert!(row.contains(&format!("„{value}“")), "named: {row}");
    }
});

db_test!(
    a_formula_is_refused_on_the_list_as_in_the_user_import,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        // openpyxl's file: Bernd's personnel number is a formula without its
        // result; Anna's address one too, in a column the list does not read.
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/import/people-formulas.xlsx",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let res = upload(&app, "people-formulas.xlsx", bytes).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, page) = app.get_html(&location(&res)).await;
        assert!(page.contains("data-count=\"new\">2<"), "{page}");
        assert!(page.contains("data-count=\"refused\">1<"), "{page}");
        let row = page.split("data-refused=\"3\"").nth(1).unwrap_or("");
        assert!(row.contains("wie eine Formel"), "{row}");
        // Typed formula-like text too; with the apostrophe Einlass's exports
        // put before it, it is text as typed.
        let file = csv(&[
            "Vorname;Nachname;Personalnummer",
            "=1+1;Formel;600",
            "'=Zitat;Literal;601",
        ]);
        let res = upload(&app, "liste.csv", file).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, page) = app.get_html(&location(&res)).await;
        assert!(page.contains("data-count=\"new\">1<"), "{page}");
        let row = page.split("data-refused=\"2\"").nth(1).unwrap_or("");
        assert!(row.contains("wie eine Formel"), "{row}");
        assert!(
            page.contains("=Zitat") && !page.contains("&#x27;=Zitat"),
            "{page}"
        );
    }
);

db_test!(an_import_previews_every_row_then_takes_all_or_none, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app.post("/groups", &[("name", "Küche")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = add_entry(
        &app,
        &[
            ("first_name", "Alt"),
            ("last_name", "Eintrag"),
            ("personnel_number", "300"),
        ],
    )
    .await;
    assert_redirect(&res, "/registration");
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Konto"),
                ("last_name", "Da"),
                ("personnel_number", "400"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Columns the titles do not name: the admin maps them; a needed one
    // left out is said, and nothing is staged until it is given.
    let res = upload(
        &app,
        "fremd.csv",
        csv(&["VN;NN;Code;Bemerkung", "Mara;Map;M-1;egal", "Mira;Map;M-2;"]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mapping_page = location(&res);
    let (_, page) = app.get_html(&mapping_page).await;
    assert!(
        page.contains("id=\"mapping-title\"") && page.contains("Mara"),
        "{page}"
    );
    let map = format!("{mapping_page}/mapping");
    let res = app
        .post(
            &map,
            &[
                ("col", "first_name"),
                ("col", "last_name"),
                ("col", ""),
                ("col", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("genau eine Spalte: Personalnummer"), "{page}");
    let res = app
        .post(
            &map,
            &[
                ("col", "first_name"),
                ("col", "first_name"),
                ("col", "personnel_number"),
                ("col", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &map,
            &[
                ("col", "first_name"),
                ("col", "nonsense"),
                ("col", ""),
                ("col", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post(
            &map,
            &[
                ("col", "first_name"),
                ("col", "last_name"),
                ("col", "personnel_number"),
                ("col", ""),
            ],
        )
        .await;
    assert_redirect(&res, &mapping_page);
    let (_, page) = app.get_html(&mapping_page).await;
    assert!(page.contains("data-count=\"new\">2<"), "{page}");
    // Mapped once: a second submit (another tab) changes nothing.
    let res = app
        .post(
            &map,
            &[
                ("col", "last_name"),
                ("col", "first_name"),
                ("col", "personnel_number"),
            ],
        )
        .await;
    assert_redirect(&res, &mapping_page);
    let res = app.post(&format!("{mapping_page}/discard"), &[]).await;
    assert_redirect(&res, &mapping_page);
    let file = csv(&[
        "Liste Sommer 2026",
        "",
        "Vorname;Nachname;Pers.-Nr.;Geburtsdatum;Gruppe;Nutzertyp",
        "Jürgen;Größe;00100;01.02.1990;Küche;Extern",
        "Eva;Zwei;00105;;;",
        "Fritz;Drei;00105;;;",
        "Olaf;Datum;101;31.02.1990;;",
        "Gert;Gruppe;102;;Garten;",
        "Alt;Nochmal;300;;;",
        "Konto;Da;400;;;",
        ";Ohnevorname;103;;;",
        // The group "Küche" as a system without umlauts writes it.
        "Nina;Neu;104;;KUECHE;",
        "1234;Zahlen;106;;;",
    ]);
    let res = upload(&app, "liste.csv", file).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let preview = location(&res);
    let (_, page) = app.get_html(&preview).await;
    assert!(page.contains("data-count=\"new\">2<"), "{page}");
    assert!(page.contains("data-count=\"refused\">8<"), "{page}");
    // The same number twice: on the list for neither row.
    for (line, words) in [
        (5, "steht auch in Zeile 6"),
        (6, "steht auch in Zeile 5"),
        (7, "Datum"),
        (8, "„Garten“"),
        (9, "Diese Personalnummer steht schon auf der Liste"),
        (10, "Konto"),
        (11, "Vorname"),
        (13, "Buchstaben"),
    ] {
        let row = page
            .split(&format!("data-refused=\"{line}\""))
            .nth(1)
            .unwrap_or("");
        let row = row.split("</tr>").next().unwrap();
        assert!(row.contains(words), "line {line}: {row}");
    }
    // Each new entry's group, by its own name.
    let nina = page
        .split("data-new=\"12\"")
        .nth(1)
        .and_then(|row| row.split("</tr>").next())
        .unwrap_or("");
    assert!(nina.contains("data-group>Küche<"), "{page}");
    // Nothing on the list yet.
    let (_, list) = app.get_html("/registration").await;
    assert!(!list.contains("Größe"));
    let commit = format!("{preview}/commit");
    let res = app.post(&commit, &[]).await;
    assert_redirect(&res, &preview);
    let res = app.post(&commit, &[]).await;
    assert_redirect(&res, &preview);
    let (_, list) = app.get_html("/registration").await;
    assert!(
        list.contains("Größe, Jürgen") && list.contains("Neu, Nina"),
        "{list}"
    );
    assert_eq!(list.matches("data-entry=").count(), 3, "taken once");
    // Jürgen registers with the imported data, typed as a phone would.
    let mut app = app;
    let res = as_visitor(&mut app, async |app: &mut TestApp| {
        register(
            app,
            &[
                ("first_name", "Juergen"),
                ("last_name", "groesse"),
                ("personnel_number", "00100"),
                ("username", "juergen"),
            ],
        )
        .await
    })
    .await;
    assert_redirect(&res, "/welcome");
    let j = app.user("juergen").await.unwrap();
    assert_eq!(j.user_type.as_str(), "extern");
    // Undo takes Nina's unused entry off the list, keeps Jürgen's.
    let res = app.post(&format!("{preview}/undo"), &[]).await;
    assert_redirect(&res, &preview);
    let (_, page) = app.get_html(&preview).await;
    assert!(
        page.contains("Die unbenutzten Einträge des Imports sind entfernt."),
        "{page}"
    );
    let (_, list) = app.get_html("/registration").await;
    assert!(
        !list.contains("Neu, Nina") && list.contains("Größe, Jürgen"),
        "{list}"
    );
    // A file that is no spreadsheet: a clear error, nothing staged.
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    png.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let res = upload(&app, "bild.csv", png).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(
    guesses_sent_at_once_get_no_more_comparisons_than_the_limit,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = add_entry(
            &app,
            &[
                ("first_name", "Rita"),
                ("last_name", "Rate"),
                ("personnel_number", "42"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        // Twenty guesses of Rita's number at the same instant from one phone:
        // each is counted before it is compared, so five are compared (the
        // per-person limit), the rest wait.
        let (phone, csrf) = crate::support::visitor(&app, "/register").await;
        let forms = (0..20)
            .map(|n| {
                vec![
                    ("csrf", csrf.clone()),
                    ("password", PASSWORD.to_owned()),
                    ("password_repeat", PASSWORD.to_owned()),
                    ("first_name", "Rita".to_owned()),
                    ("last_name", "Rate".to_owned()),
                    ("personnel_number", format!("9{n}")),
                    ("username", "rita".to_owned()),
                ]
            })
            .collect();
        let statuses: Vec<StatusCode> = crate::support::burst(&phone, app.url("/register"), forms)
            .await
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let compared = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        assert_eq!(compared, 5, "{statuses:?}");
        assert!(app.user("rita").await.is_none());
    }
);

db_test!(
    a_list_of_several_sheets_of_entries_is_refused_naming_them,
    |app| {
        // The list reads one sheet: a second sheet of entries would be left
        // out without a word.
        app.login_as("chef", AdminRole::Administrator).await;
        let mut book = rust_xlsxwriter::Workbook::new();
        for (sheet, number) in [("Werk Nord", "S-001"), ("Werk Süd", "S-002")] {
            let ws = book.add_worksheet();
            ws.set_name(sheet).unwrap();
            for (column, title) in ["Vorname", "Nachname", "Personalnummer"]
                .into_iter()
                .enumerate()
            {
                ws.write_string(0, column as u16, title).unwrap();
            }
            ws.write_string(1, 0, "Sina").unwrap();
            ws.write_string(1, 1, sheet).unwrap();
            ws.write_string(1, 2, number).unwrap();
        }
        let before = app.dump();
        assert!(before.contains("## registration_imports"), "{before}");
        let res = upload(&app, "werke.xlsx", book.save_to_buffer().unwrap()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(
            body.contains("Mehrere Tabellenblätter") && body.contains("Werk Nord, Werk Süd"),
            "{body}"
        );
        assert_eq!(
            crate::support::rows_of(&app.dump(), "registration_imports"),
            crate::support::rows_of(&before, "registration_imports"),
            "nothing written"
        );

        // A CSV of plain numbers warns that Excel drops leading zeros.
        let res = upload(
            &app,
            "liste.csv",
            "Vorname;Nachname;Personalnummer\nNina;Nummer;4711\n".into(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, page) = app.get_html(&location(&res)).await;
        assert!(page.contains("data-zeros-hint"), "{page}");
        assert!(page.contains("CSV-Datei"), "{page}");
    }
);

db_test!(a_list_import_that_lost_to_another_is_discarded, |app| {
    // Two previews put the same number on the list; the first is taken.
    // The second's "Übernehmen" could only fail again: it is discarded,
    // and the page says to upload the file again. An undo posted twice
    // says the second time that this step is over.
    app.login_as("chef", AdminRole::Administrator).await;
    let csv =
        |name: &str| format!("Vorname;Nachname;Personalnummer\n{name};Doppel;D-1\n").into_bytes();
    let res = upload(&app, "a.csv", csv("Erste")).await;
    let first = location(&res);
    let res = upload(&app, "b.csv", csv("Zweite")).await;
    let second = location(&res);
    let res = app.post(&format!("{first}/commit"), &[]).await;
    assert_redirect(&res, &first);
    let _ = app.get_html(&first).await;
    // Pressed twice: done, once.
    let res = app.post(&format!("{first}/commit"), &[]).await;
    assert_redirect(&res, &first);
    let (_, page) = app.get_html(&first).await;
    assert!(
        page.contains("Die Einträge stehen auf der Liste."),
        "{page}"
    );
    let res = app.post(&format!("{second}/commit"), &[]).await;
    assert_redirect(&res, &second);
    let (_, page) = app.get_html(&second).await;
    assert!(page.contains("Nichts übernommen"), "{page}");
    assert!(
        !page.contains(&format!("{second}/commit")),
        "no commit offered: {page}"
    );
    let res = app.post(&format!("{first}/undo"), &[]).await;
    assert_redirect(&res, &first);
    let _ = app.get_html(&first).await;
    let res = app.post(&format!("{first}/undo"), &[]).await;
    assert_redirect(&res, &first);
    let (_, page) = app.get_html(&first).await;
    assert!(page.contains("flash-error"), "{page}");
    // A commit sent again after the undo says why nothing happens.
    let res = app.post(&format!("{first}/commit"), &[]).await;
    assert_redirect(&res, &first);
    let (_, page) = app.get_html(&first).await;
    assert!(page.contains("flash-error"), "{page}");
    let (_, list) = app.get_html("/registration").await;
    assert!(!list.contains("Doppel"), "{list}");
});

/// Chooses the registration criteria.
async fn set_criteria(app: &TestApp, criteria: &[&str]) {
    let fields: Vec<(&str, &str)> = criteria.iter().map(|c| ("criterion", *c)).collect();
    let res = app.post("/registration/criteria", &fields).await;
    assert_redirect(&res, "/registration");
}

/// Commits a list import; the page it leads back to.
async fn commit_list(app: &TestApp, import: &str) -> String {
    let res = app.post(&format!("{import}/commit"), &[]).await;
    assert_redirect(&res, import);
    app.get_html(import).await.1
}

db_test!(
    a_list_commit_checks_the_list_and_accounts_as_they_are_then,
    |app| {
        // The commit reads the list and the accounts again (each once, not per
        // entry): a number an account took since the preview, or an entry
        // added by hand that the criteria cannot tell from a row, refuses the
        // whole commit; nothing of the file goes on the list.
        app.login_as("chef", AdminRole::Administrator).await;
        let res = upload(
            &app,
            "a.csv",
            csv(&[
                "Vorname;Nachname;Personalnummer",
                "Anna;Alt;N-1",
                "Bernd;Breit;N-2",
            ]),
        )
        .await;
        let numbers = location(&res);
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Nora"),
                    ("last_name", "Nummer"),
                    ("personnel_number", "N-2"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_redirect(&res, "/users");
        let page = commit_list(&app, &numbers).await;
        assert!(page.contains("Nichts übernommen"), "{page}");
        let (_, list) = app.get_html("/registration").await;
        assert!(!list.contains("Breit"), "{list}");

        // Criteria changed since the preview: a birth date is asked for now,
        // which the file's rows lack; no registration could match them.
        let res = upload(
            &app,
            "c.csv",
            csv(&["Vorname;Nachname;Personalnummer", "Carla;Kriterium;K-1"]),
        )
        .await;
        let before_criteria = location(&res);
        set_criteria(&app, &["last_name", "personnel_number", "birth_date"]).await;
        let page = commit_list(&app, &before_criteria).await;
        assert!(page.contains("Nichts übernommen"), "{page}");
        let (_, list) = app.get_html("/registration").await;
        assert!(!list.contains("Kriterium"), "{list}");

        set_criteria(&app, &["last_name", "birth_date"]).await;
        let file = csv(&[
            "Nachname;Geburtsdatum;Vorname",
            "Zwilling;1.1.2000;Carla",
            "Solo;3.3.2003;Sven",
        ]);
        let res = upload(&app, "z.csv", file.clone()).await;
        let twins = location(&res);
        let (_, page) = app.get_html(&twins).await;
        assert!(page.contains("data-count=\"new\">2<"), "{page}");
        let res = add_entry(
            &app,
            &[
                ("first_name", "Berta"),
                ("last_name", "Zwilling"),
                ("birth_date", "01.01.2000"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        let page = commit_list(&app, &twins).await;
        assert!(page.contains("Nichts übernommen"), "{page}");
        let (_, list) = app.get_html("/registration").await;
        assert!(!list.contains("Solo"), "{list}");

        // With nothing in the way the same file goes on the list.
        set_criteria(&app, &["first_name", "last_name", "birth_date"]).await;
        let res = upload(&app, "z.csv", file).await;
        let fresh = location(&res);
        let page = commit_list(&app, &fresh).await;
        assert!(
            page.contains("Die Einträge stehen auf der Liste."),
            "{page}"
        );
        let (_, list) = app.get_html("/registration").await;
        assert!(list.contains("Solo") && list.contains("Carla"), "{list}");
    }
);

db_test!(
    a_list_row_with_two_groups_or_an_unknown_type_says_what_is_possible,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = upload(
            &app,
            "t.csv",
            csv(&[
                "Vorname;Nachname;Personalnummer;Gruppe;Nutzertyp",
                "Ida;Zwei;T-1;IT, Lager;",
                "Jan;Typ;T-2;;Praktikant",
            ]),
        )
        .await;
        let (_, page) = app.get_html(&location(&res)).await;
        let row = |line: &str| {
            page.split(&format!("data-refused=\"{line}\""))
                .nth(1)
                .and_then(|r| r.split("</tr>").next())
                .unwrap_or("")
                .to_owned()
        };
        assert!(row("2").contains("eine Gruppe, nicht mehrere"), "{page}");
        assert!(row("3").contains("Mitarbeiter, Extern, Gast"), "{page}");
    }
);

db_test!(
    undoing_a_list_import_whose_entries_are_all_used_says_so,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = upload(
            &app,
            "a.csv",
            csv(&["Vorname;Nachname;Personalnummer", "Uwe;Used;U-1"]),
        )
        .await;
        let import = location(&res);
        let page = commit_list(&app, &import).await;
        assert!(
            page.contains("Die Einträge stehen auf der Liste."),
            "{page}"
        );
        app.db.raw().execute(
            "UPDATE registration_entries SET used_at = created_at WHERE personnel_number = 'U-1'",
        );
        let res = app.post(&format!("{import}/undo"), &[]).await;
        assert_redirect(&res, &import);
        let (_, page) = app.get_html(&import).await;
        assert!(page.contains("Nichts entfernt"), "{page}");
    }
);

db_test!(
    an_entry_whose_number_an_account_took_is_pointed_out,
    |app| {
        // The entry was made first, then the account (by hand or an import):
        // nobody can register with the entry now. The list says so, and whose
        // account it is.
        app.login_as("chef", AdminRole::Administrator).await;
        let res = add_entry(
            &app,
            &[
                ("first_name", "Anna"),
                ("last_name", "Ambig"),
                ("personnel_number", "AM-1"),
            ],
        )
        .await;
        assert_redirect(&res, "/registration");
        let (_, list) = app.get_html("/registration").await;
        assert!(!list.contains("data-held"), "{list}");
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Anders"),
                    ("last_name", "Jemand"),
                    ("username", "anders"),
                    ("personnel_number", "AM-1"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_redirect(&res, "/users");
        let anders = app.user_id("anders").await;
        let (_, list) = app.get_html("/registration").await;
        assert!(list.contains("data-held=\"1\""), "{list}");
        assert!(
            list.contains("1 offener Eintrag hat eine Personalnummer"),
            "{list}"
        );
        let row = list
            .split("data-held-by>")
            .nth(1)
            .and_then(|rest| rest.split("</span>").next())
            .unwrap_or("");
        assert!(
            row.contains(&format!("href=\"/users/{anders}\"")) && row.contains("Anders Jemand"),
            "{list}"
        );
    }
);

db_test!(a_list_names_a_hidden_character_or_a_foreign_digit, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let file =
        "Vorname;Nachname;Personalnummer\r\nWl;Drei;٥٥٥\r\nWl;Acht;5\u{200b}5\r\nWl;Neun;５５9\r\n";
    let res = upload(&app, "liste.csv", file.as_bytes().to_vec()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&location(&res)).await;
    let row = |line: &str| {
        page.split(&format!("data-refused=\"{line}\""))
            .nth(1)
            .unwrap_or("")
            .split("</tr>")
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        row("2").contains("Ziffer einer anderen Schrift"),
        "{}",
        row("2")
    );
    assert!(row("2").contains("U+0665"), "{}", row("2"));
    assert!(row("3").contains("unsichtbares Zeichen"), "{}", row("3"));
    assert!(row("3").contains("U+200B"), "{}", row("3"));
    // Full-width digits are the plain number.
    assert!(page.contains("data-count=\"new\">1<"), "{page}");
});
