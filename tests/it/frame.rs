//! What every response carries: security headers, error pages, static files.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

db_test!(security_headers_on_every_response, |app| {
    for path in ["/login", "/", "/static/app.css", "/nope"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        if !path.starts_with("/static") {
            assert_eq!(h.get("cache-control").unwrap(), "no-store", "{path}");
        }
    }
    app.new_browser();
    let res = app.get("/login").await;
    let csrf_cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"),
        "{csrf_cookie}"
    );
});

db_test!(error_pages_are_in_the_layout_and_language, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (status, body) = app.get_html("/users/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body.contains("Seite nicht gefunden") && body.contains("<main"),
        "404 inside the layout"
    );
    let res = app
        .client
        .get(app.url("/gibt-es-nicht"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = res.text().await.unwrap();
    assert!(body.contains("Page not found") && body.contains("<html lang=\"en\">"));
    for path in [
        "/users/abc",
        "/users/99999999999999999999999",
        "/groups/-",
        "/users/1/areas/x",
    ] {
        let (status, body) = app.get_html(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            body.contains("Seite nicht gefunden"),
            "{path}: our page, not a bare error"
        );
        assert!(!body.to_lowercase().contains("panicked") && !body.contains("ParseIntError"));
    }
    let (status, body) = app.get_html("/users?q=%ZZ&page=%FF").await;
    assert!(
        status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    assert!(
        body.contains("<html"),
        "a malformed query still gets a page"
    );
    // A key given twice counts once, with its first value, on every list.
    for path in [
        "/users?q=zzzz&q=b&status=aktiv&status=angelegt&page=1&page=2",
        "/audit?q=a&q=b",
        "/imports?before=1&before=2",
        "/mail/log?recipient=a&recipient=b&order=oldest&order=x",
        "/access-links?page=1&page=x",
        "/registration?q=a&q=b",
    ] {
        let (status, body) = app.get_html(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, body) = app
        .get_html("/users?q=zzzz&q=b&status=aktiv&status=angelegt")
        .await;
    assert_eq!(
        crate::support::value_of(&body, "input[name=q]").as_deref(),
        Some("zzzz")
    );
    // Oversized or malformed forms are a clear 400/403, never a 500.
    let big = "x".repeat(200_000);
    let res = app.post("/groups", &[("name", &big)]).await;
    assert!(
        res.status() == StatusCode::BAD_REQUEST
            || res.status() == StatusCode::PAYLOAD_TOO_LARGE
            || res.status() == StatusCode::FORBIDDEN,
        "{}",
        res.status()
    );
    let res = app
        .post(
            "/users/new",
            &[
                ("group", "keine-zahl"),
                ("first_name", "A"),
                ("last_name", "B"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("Ungültige Anfrage"));
});

db_test!(static_files_and_health, |app| {
    let res = app.get("/static/app.css").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        app.get("/static/../Cargo.toml").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/static/app.js").await.status(), StatusCode::OK);
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
});

/// Killed database connections (a PostgreSQL restart, a dropped network) cost
/// at most one failed request each, then the pool has fresh ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_postgres_connections_are_replaced() {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, PgConnection};
    let Some(backend) = crate::support::Backend::postgres() else {
        return;
    };
    let mut app = crate::support::TestApp::spawn(backend.clone()).await;
    app.login_as("chef", AdminRole::Administrator).await;
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    let crate::support::Backend::Postgres(server) = backend else {
        unreachable!()
    };
    let connections = crate::support::test_config("").db_pool_size;
    let name = url::Url::parse(&app.db.url).unwrap().path()[1..].to_owned();
    let mut admin = PgConnection::establish(&server).unwrap();
    admin
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .unwrap();
    let mut failures = 0;
    let mut recovered = false;
    for _ in 0..(connections + 4) {
        let status = app.get("/users").await.status();
        if status == StatusCode::OK {
            recovered = true;
            break;
        }
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        failures += 1;
    }
    assert!(recovered, "the app recovers by itself");
    assert!(failures <= connections, "{failures} failed requests");
}

db_test!(every_page_answers_head_like_get_without_a_body, |app| {
    for path in ["/healthz", "/login", "/forgot", "/register"] {
        let res = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK, "HEAD {path}");
        assert!(
            res.bytes().await.unwrap().is_empty(),
            "no body for HEAD {path}"
        );
    }
    // An admin page without a session: the same answer as GET (to sign-in).
    let res = app.client.head(app.url("/users")).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    // HEAD changes nothing: a link opened by HEAD is still live.
    let before = app.dump();
    let res = app.client.head(app.url("/join")).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::GONE);
    assert_eq!(app.dump(), before);
});
