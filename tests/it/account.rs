//! /login, /logout, /lang, /account/password: sessions, throttling, CSRF.

use einlass::domain::AdminRole;
use reqwest::StatusCode;
use time::Duration;

use crate::support::{PASSWORD, TestApp, assert_redirect, extract_csrf, rows_of, text_of};

fn session_of(res: &reqwest::Response) -> Option<String> {
    res.cookies()
        .find(|c| c.name() == "einlass_session")
        .map(|c| c.value().to_owned())
}

db_test!(login_logout_and_session_renewal, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    let res = app.login("chef", PASSWORD).await;
    assert_redirect(&res, "/");
    let first_session = session_of(&res).expect("session cookie");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .find(|v| v.starts_with("einlass_session"))
        .unwrap_or_default();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure over plain http: {cookie}"
    );
    app.forget_csrf();
    let (status, body) = app.get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Übersicht"));

    // Logging in again gives a new session id.
    let res = app.login("CHEF@example.com", PASSWORD).await;
    assert_redirect(&res, "/");
    let second_session = session_of(&res).expect("session cookie");
    assert_ne!(first_session, second_session);
    app.forget_csrf();

    let res = app.post("/logout", &[]).await;
    assert_redirect(&res, "/login");
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);

    // The old cookie is dead on the server, not just forgotten by the browser.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .header("cookie", format!("einlass_session={second_session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

db_test!(unknown_user_and_wrong_password_answer_alike, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    let wrong = app.login("chef", "falsches-passwort").await;
    let wrong_status = wrong.status();
    let wrong_text = text_of(&wrong.text().await.unwrap(), "#login-error");
    let unknown = app.login("niemand", "falsches-passwort").await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), wrong_status);
    assert_eq!(
        text_of(&unknown.text().await.unwrap(), "#login-error"),
        wrong_text
    );
    assert!(wrong_text.unwrap().contains("falsch"));
    // Identifiers that cannot name an account get the same answer.
    for odd in ["chef\0", "ch\r\nef", "\0", &"x".repeat(1000)] {
        let res = app.login(odd, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{odd:?}");
        assert_eq!(
            text_of(&res.text().await.unwrap(), "#login-error"),
            text_of(
                &app.login("niemand", "x").await.text().await.unwrap(),
                "#login-error"
            )
        );
    }
});

/// The same form `times` times at once from this browser.
async fn burst(
    app: &TestApp,
    path: &str,
    fields: &[(&'static str, &str)],
    times: usize,
) -> Vec<(StatusCode, String)> {
    let mut form = vec![("csrf", app.csrf().await)];
    form.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    crate::support::burst(&app.client, app.url(path), vec![form; times]).await
}

db_test!(
    guesses_sent_at_once_get_no_more_checks_than_the_limit,
    |app| {
        app.create_admin("chef", AdminRole::Administrator).await;
        // Twenty wrong sign-ins at the same instant: each is counted before
        // bcrypt runs, so at most five are checked, the rest are throttled.
        let answers = burst(
            &app,
            "/login",
            &[("identifier", "chef"), ("password", "falsch-falsch")],
            20,
        )
        .await;
        let checked = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
            .count();
        assert_eq!(
            checked,
            5,
            "{:?}",
            answers.iter().map(|a| a.0).collect::<Vec<_>>()
        );
        assert_eq!(
            app.login("chef", PASSWORD).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        // The same on the password-change form of a session left open.
        app.ctx.clock().advance(Duration::minutes(16));
        app.login_as("anna", AdminRole::Administrator).await;
        let answers = burst(
            &app,
            "/account/password",
            &[
                ("current_password", "falsch"),
                ("new_password", "neues-passwort-1"),
                ("repeat_password", "neues-passwort-1"),
            ],
            20,
        )
        .await;
        let wrong = answers
            .iter()
            .filter(|(_, page)| page.contains("Das Passwort ist falsch"))
            .count();
        assert_eq!(wrong, 5);
        // Successful sign-ins give their count back: a shared office address
        // is not closed by people who type their password right.
        app.ctx.clock().advance(Duration::minutes(16));
        for _ in 0..25 {
            app.new_browser();
            assert_eq!(
                app.login("chef", PASSWORD).await.status(),
                StatusCode::SEE_OTHER
            );
        }
    }
);

db_test!(login_is_throttled_per_account, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    for _ in 0..5 {
        assert_eq!(
            app.login("chef", "falsch-falsch").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused now, and the answer is the same for unknown accounts.
    let res = app.login("chef", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..5 {
        app.login("niemand", "falsch-falsch").await;
    }
    assert_eq!(
        app.login("niemand", "falsch-falsch").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // After the window the account may try again.
    app.ctx.clock().advance(Duration::minutes(16));
    assert_eq!(
        app.login("chef", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
});

db_test!(login_is_throttled_per_address, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    for i in 0..20 {
        let name = format!("raten{i}");
        assert_eq!(
            app.login(&name, "falsch-falsch").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login("chef", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
});

fn behind_proxy(url: &str) -> einlass::config::Config {
    let mut config = crate::support::test_config(url);
    config.trusted_proxies = "127.0.0.1/32, ::1".into();
    config
}

/// Signs in with this client address in `X-Forwarded-For`.
async fn login_via_proxy(app: &TestApp, client: &str, user: &str, password: &str) -> StatusCode {
    let token = app.csrf().await;
    let body = crate::support::form_encode(&[
        ("csrf", &token),
        ("identifier", user),
        ("password", password),
    ]);
    app.client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", format!("{client}, 127.0.0.1"))
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

db_test!(
    behind_a_trusted_proxy_each_client_has_its_own_limit,
    behind_proxy,
    |app| {
        app.create_admin("chef", AdminRole::Administrator).await;
        for i in 0..20 {
            let status = login_via_proxy(&app, "203.0.113.7", &format!("raten{i}"), "falsch").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(
            login_via_proxy(&app, "203.0.113.7", "chef", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "the guessing client is throttled"
        );
        assert_eq!(
            login_via_proxy(&app, "198.51.100.1", "chef", PASSWORD).await,
            StatusCode::SEE_OTHER,
            "another client behind the same proxy is not"
        );
    }
);

db_test!(forwarding_headers_of_untrusted_peers_are_ignored, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    for i in 0..20 {
        // Each attempt claims another address; without a trusted proxy that is ignored.
        let client = format!("203.0.113.{i}");
        let status = login_via_proxy(&app, &client, &format!("raten{i}"), "falsch").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_via_proxy(&app, "198.51.100.1", "chef", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
});

db_test!(
    post_without_valid_csrf_is_refused_and_changes_nothing,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let before = app.dump();
        let fields = [
            ("first_name", "Anna"),
            ("last_name", "Müller"),
            ("then", "close"),
        ];
        let res = app.post_raw("/users/new", &fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let body = res.text().await.unwrap();
        assert!(body.contains("Formular abgelaufen"), "{body}");
        let mut forged = vec![("csrf", "00".repeat(32))];
        forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            app.post_raw("/users/new", &forged).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post_raw("/groups", &[("name", "Lager")]).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post_raw("/logout", &[]).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.dump(), before, "nothing changed in any table");
        // Still logged in: the refused logout did nothing.
        assert_eq!(app.get("/").await.status(), StatusCode::OK);
    }
);

db_test!(a_token_of_another_session_is_refused, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, page) = app.get_html("/groups").await;
    let mine = extract_csrf(&page);
    // A second browser with its own CSRF cookie and its own session.
    let mut other = TestApp::new_client();
    app.swap_browser(&mut other);
    app.sign_in("chef").await;
    let (_, page) = app.get_html("/groups").await;
    let theirs = extract_csrf(&page);
    assert_ne!(mine, theirs);
    let before = app.dump();
    let res = app
        .post_raw("/groups", &[("csrf", &mine), ("name", "Fremd")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "token of another session"
    );
    assert_eq!(app.dump(), before);
    let res = app
        .post_raw("/groups", &[("csrf", &theirs), ("name", "Eigen")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "its own token works");
});

db_test!(sign_in_issues_a_new_csrf_seed, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    // An attacker planted this browser's CSRF cookie and knows its token.
    let (_, page) = app.get_html("/login").await;
    let planted = extract_csrf(&page);
    let res = app
        .post_raw(
            "/login",
            &[
                ("csrf", &planted),
                ("identifier", "chef"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&res, "/");
    let rotated = res.cookies().any(|c| c.name() == "einlass_csrf");
    assert!(rotated, "sign-in sets a new CSRF cookie");
    let before = app.dump();
    let res = app
        .post_raw("/groups", &[("csrf", &planted), ("name", "Untergeschoben")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the planted token is dead"
    );
    assert_eq!(app.dump(), before);
});

db_test!(idle_sessions_expire, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.ctx.clock().advance(Duration::minutes(20));
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    app.ctx.clock().advance(Duration::minutes(20));
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "activity keeps the session alive"
    );
    app.ctx.clock().advance(Duration::minutes(31));
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
});

db_test!(sessions_end_after_the_absolute_limit, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for _ in 0..25 {
        app.ctx.clock().advance(Duration::minutes(29));
        let _ = app.get("/").await;
    }
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
});

db_test!(expired_sessions_are_swept_by_the_job, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.login("chef", "falsch").await;
    assert_eq!(rows_of(&app.dump(), "admin_sessions").len(), 1);
    assert_eq!(rows_of(&app.dump(), "rate_limit_hits").len(), 2);
    app.ctx.clock().advance(Duration::hours(25));
    let jobs = einlass::jobs::standard(&app.ctx);
    let results = einlass::jobs::run_once(&app.ctx, &jobs).await;
    assert!(results.iter().all(|(_, ok)| *ok), "{results:?}");
    let dump = app.dump();
    assert!(
        rows_of(&dump, "admin_sessions").is_empty(),
        "expired sessions are gone"
    );
    assert!(
        rows_of(&dump, "rate_limit_hits").is_empty(),
        "old hits are gone"
    );
});

db_test!(password_change_ends_other_sessions, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let mut other = TestApp::new_client();
    app.swap_browser(&mut other);
    app.sign_in("chef").await;
    app.swap_browser(&mut other);
    // the first browser changes the password
    let res = app
        .post(
            "/account/password",
            &[
                ("current_password", "falsch"),
                ("new_password", "neues-passwort-1"),
                ("repeat_password", "neues-passwort-1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "neues-passwort-1"),
                ("repeat_password", "neues-passwort-1"),
            ],
        )
        .await;
    assert_redirect(&res, "/");
    app.forget_csrf();
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "the changing browser stays signed in"
    );
    app.swap_browser(&mut other);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "the other browser is signed out"
    );
});

db_test!(
    the_current_password_cannot_be_guessed_on_the_change_form,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let change = |current: &'static str| {
            [
                ("current_password", current),
                ("new_password", "neues-passwort-1"),
                ("repeat_password", "neues-passwort-1"),
            ]
        };
        // A session left open: wrong guesses count as failed sign-ins of the
        // account; after five, even the right password is not checked.
        for _ in 0..5 {
            let res = app.post("/account/password", &change("falsch")).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let res = app.post("/account/password", &change(PASSWORD)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("Zu viele Versuche"), "{page}");
        // The sign-in form is closed for the account too.
        let mut other = TestApp::new_client();
        app.swap_browser(&mut other);
        let res = app.login("chef", PASSWORD).await;
        let page = res.text().await.unwrap();
        assert!(page.contains("Zu viele fehlgeschlagene"), "{page}");
        app.swap_browser(&mut other);
        // Once the window has passed, the right password changes it and the
        // count starts again.
        app.ctx.clock().advance(Duration::minutes(16));
        let res = app.post("/account/password", &change(PASSWORD)).await;
        assert_redirect(&res, "/");
        assert!(rows_of(&app.dump(), "rate_limit_hits").is_empty());
    }
);

db_test!(start_password_must_be_changed_first, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Paula"),
                ("last_name", "Pförtner"),
                ("username", "paula"),
                ("is_staff", "on"),
                ("admin_role", "lesezugriff"),
                ("start_password_mode", "set"),
                ("start_password", "start-passwort-1"),
                ("then", "close"),
            ],
        )
        .await;
    assert_redirect(&res, "/users");
    app.new_browser();
    let res = app.login("paula", "start-passwort-1").await;
    assert_redirect(&res, "/account/password");
    app.forget_csrf();
    assert_redirect(&app.get("/users").await, "/account/password");
    // Neither the start password itself nor a common password will do.
    for (new, message) in [
        ("start-passwort-1", "muss sich vom bisherigen unterscheiden"),
        ("passwort", "gehört zu den häufigsten"),
        ("Passwort", "gehört zu den häufigsten"),
        ("START-PASSWORT-1", "muss sich vom bisherigen unterscheiden"),
        ("          ", "Bitte ausfüllen"),
    ] {
        let before = app.dump();
        let res = app
            .post(
                "/account/password",
                &[
                    ("current_password", "start-passwort-1"),
                    ("new_password", new),
                    ("repeat_password", new),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        let body = res.text().await.unwrap();
        let error = crate::support::text_of(&body, "#new_password-error").unwrap_or_default();
        assert!(error.contains(message), "{new}: {error}");
        assert_eq!(app.dump(), before, "a refused change changes nothing");
    }
    let res = app
        .post(
            "/account/password",
            &[
                ("current_password", "start-passwort-1"),
                ("new_password", "mein-eigenes-pw"),
                ("repeat_password", "mein-eigenes-pw"),
            ],
        )
        .await;
    assert_redirect(&res, "/");
    app.forget_csrf();
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
});

db_test!(language_follows_choice_then_browser_then_setting, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, body) = app.get_html("/users").await;
    assert!(body.contains("<html lang=\"de\">"));
    assert!(body.contains("Neuer Benutzer"));
    for (header, expected) in [
        ("en-GB,en;q=0.9", "New user"),
        ("fr-FR, de;q=0.5, en;q=0.4", "Neuer Benutzer"),
        ("en;q=0, de;q=0.1", "Neuer Benutzer"),
        ("fr, it", "Neuer Benutzer"),
        ("*", "Neuer Benutzer"),
        ("en-US;q=0.8, de;q=0.9", "Neuer Benutzer"),
        ("nonsense;;;q=x", "Neuer Benutzer"),
    ] {
        let res = app
            .client
            .get(app.url("/users"))
            .header("accept-language", header)
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains(expected), "{header}");
    }
    let res = app
        .post("/lang", &[("lang", "en"), ("next", "/users?status=aktiv")])
        .await;
    assert_redirect(&res, "/users?status=aktiv");
    let res = app
        .client
        .get(app.url("/users"))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(
        body.contains("<html lang=\"en\">") && body.contains("New user"),
        "choice beats the browser"
    );
    let res = app
        .post(
            "/lang",
            &[("lang", "de"), ("next", "https://evil.example/")],
        )
        .await;
    assert_redirect(&res, "/");
    assert!(app.get_html("/users").await.1.contains("Neuer Benutzer"));
});

db_test!(
    reset_requests_sent_at_once_send_no_more_mail_than_the_limit,
    |app| {
        app.create_admin("chef", AdminRole::Administrator).await;
        // Behind the app's back: an address confirmed (no service confirms
        // an admin's address without a mail round trip).
        app.db
            .sql("UPDATE users SET email_confirmed = TRUE WHERE username = 'chef'");
        // Twenty "Passwort vergessen" for one account at the same instant (a
        // mailbox flooded on purpose): three mails, as one after the other.
        let (browser, csrf) = crate::support::visitor(&app, "/forgot").await;
        let form = vec![
            ("csrf", csrf),
            ("identifier", "chef@example.com".to_owned()),
        ];
        let answers = crate::support::burst(&browser, app.url("/forgot"), vec![form; 20]).await;
        assert!(answers.iter().all(|(s, _)| *s == StatusCode::OK));
        let mails = rows_of(&app.dump(), "outbox_messages")
            .iter()
            .filter(|row| row.contains("password_reset"))
            .count();
        assert_eq!(mails, 3);
    }
);
