//! /login, /logout, /lang, /account/password: sessions, throttling, CSRF.

use einlass::domain::AdminRole;
use reqwest::StatusCode;
use time::Duration;

use crate::support::{PASSWORD, TestApp, assert_redirect, location, text_of};

db_test!(admin_pages_need_login, |app| {
    for path in [
        "/",
        "/users",
        "/users/new",
        "/users/1",
        "/users/1/edit",
        "/users/1/areas",
        "/users/1/delete",
        "/groups",
        "/groups/1",
        "/areas",
        "/areas/1",
        "/settings",
        "/audit",
        "/account/password",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            location(&res).starts_with("/login"),
            "{path} -> {}",
            location(&res)
        );
    }
    for path in [
        "/users/new",
        "/users/1/edit",
        "/users/1/deactivate",
        "/users/1/delete",
        "/groups",
        "/areas/1/rename",
        "/settings",
    ] {
        let res = app.post(path, &[("name", "x")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST {path}");
        assert!(location(&res).starts_with("/login"), "POST {path}");
    }
    let res = app.get("/users?page=2").await;
    assert_eq!(location(&res), "/login?next=/users%3Fpage%3D2");
});

db_test!(login_logout_and_session_renewal, |app| {
    app.create_admin("chef", AdminRole::Administrator);
    let res = app.login("chef", PASSWORD).await;
    assert_redirect(&res, "/");
    let first_session = res
        .cookies()
        .find(|c| c.name() == "einlass_session")
        .map(|c| c.value().to_owned())
        .expect("session cookie");
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
    let (status, body) = app.get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Übersicht"));

    // Logging in again gives a new session id.
    let res = app.login("CHEF@example.com", PASSWORD).await;
    assert_redirect(&res, "/");
    let second_session = res
        .cookies()
        .find(|c| c.name() == "einlass_session")
        .map(|c| c.value().to_owned())
        .expect("session cookie");
    assert_ne!(first_session, second_session);

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
    app.create_admin("chef", AdminRole::Administrator);
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
});

db_test!(login_is_throttled_per_account, |app| {
    app.create_admin("chef", AdminRole::Administrator);
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
    app.state.clock.advance(Duration::minutes(16));
    assert_eq!(
        app.login("chef", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
});

db_test!(login_is_throttled_per_address, |app| {
    app.create_admin("chef", AdminRole::Administrator);
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

db_test!(
    post_without_valid_csrf_is_refused_and_changes_nothing,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let before = app.count_users();
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
        assert_eq!(app.count_users(), before);
        // Still logged in: the refused logout did nothing.
        assert_eq!(app.get("/").await.status(), StatusCode::OK);
        // A token from another browser does not work here either.
        let token = app.csrf().await;
        let mut other = TestApp::new_client();
        std::mem::swap(&mut other, &mut app.client);
        let res = app
            .post_raw(
                "/login",
                &[
                    ("csrf", &token),
                    ("identifier", "chef"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(idle_sessions_expire, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.state.clock.advance(Duration::minutes(20));
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    app.state.clock.advance(Duration::minutes(20));
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "activity keeps the session alive"
    );
    app.state.clock.advance(Duration::minutes(31));
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
});

db_test!(sessions_end_after_the_absolute_limit, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for _ in 0..25 {
        app.state.clock.advance(Duration::minutes(29));
        let _ = app.get("/").await;
    }
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
});

db_test!(password_change_ends_other_sessions, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let mut other = TestApp::new_client();
    std::mem::swap(&mut other, &mut app.client);
    let _ = app.csrf().await;
    // second browser logs in too
    let res = {
        let (_, body) = app.get_html("/login").await;
        let token = crate::support::extract_csrf(&body);
        app.post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("identifier", "chef"),
                ("password", PASSWORD),
            ],
        )
        .await
    };
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    std::mem::swap(&mut other, &mut app.client);
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
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "the changing browser stays signed in"
    );
    std::mem::swap(&mut other, &mut app.client);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "the other browser is signed out"
    );
});

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
    assert_redirect(&app.get("/users").await, "/account/password");
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
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
});

db_test!(language_follows_choice_then_browser_then_setting, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, body) = app.get_html("/users").await;
    assert!(body.contains("<html lang=\"de\">"));
    assert!(body.contains("Neuer Benutzer"));
    let res = app
        .client
        .get(app.url("/users"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("New user"));
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
