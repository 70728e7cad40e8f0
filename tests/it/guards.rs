//! Guards derived from the route table (`einlass::web::ROUTES`), so a new
//! route is covered the day it is added: every admin route needs a session,
//! every POST a CSRF token of this browser and session, and a refused POST
//! changes nothing in any table.

use einlass::domain::AdminRole;
use einlass::web::{Access, Method, ROUTES, Route};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::support::{TestApp, location};

/// The concrete paths of a route pattern, with these ids for its parameters.
fn paths(route: &Route, user: &str, unit: &str) -> Vec<String> {
    let concrete = route
        .path
        .replace(
            "{id}",
            if route.path.starts_with("/users") {
                user
            } else {
                unit
            },
        )
        .replace("{user_id}", user)
        .replace("{token}", "ELS_0000")
        .replace("{file}", "app.css")
        .replace("{kind}/{lang}", "invitation/de");
    if concrete.contains("{kind:groups|areas}") {
        vec![
            concrete.replace("{kind:groups|areas}", "groups"),
            concrete.replace("{kind:groups|areas}", "areas"),
        ]
    } else {
        vec![concrete]
    }
}

async fn post_anything(app: &TestApp, path: &str, csrf: Option<&str>) -> reqwest::Response {
    if path.ends_with("/photo") || path.ends_with("/imports") || path.ends_with("/logo") {
        let field = if path.ends_with("/imports") {
            "file"
        } else if path.ends_with("/logo") {
            "logo"
        } else {
            "photo"
        };
        let mut form = Form::new().part(
            field,
            Part::bytes(b"Vorname;Nachname\nAnna;Muster\n".to_vec())
                .file_name("x.png")
                .mime_str("image/png")
                .unwrap(),
        );
        if let Some(token) = csrf {
            form = form.text("csrf", token.to_owned());
        }
        return app
            .client
            .post(app.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap();
    }
    let mut fields = vec![
        ("name", "X"),
        ("first_name", "X"),
        ("last_name", "Y"),
        ("member", "chef"),
        ("organisation_name", "X"),
    ];
    if let Some(token) = csrf {
        fields.push(("csrf", token));
    }
    app.post_raw(path, &fields).await
}

#[test]
fn the_public_routes_are_exactly_these() {
    let mut public: Vec<String> = ROUTES
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| format!("{:?} {}", r.method, r.path))
        .collect();
    public.sort();
    assert_eq!(
        public,
        [
            "Get /a/{token}",
            "Get /activate",
            "Get /c/{token}",
            "Get /confirm",
            "Get /forgot",
            "Get /healthz",
            "Get /i/{token}",
            "Get /join",
            "Get /login",
            // The organisation's logo: on the sign-in and invitees' pages.
            "Get /logo",
            "Get /r/{token}",
            "Get /register",
            "Get /request-access",
            "Get /reset",
            "Get /setup",
            "Get /setup/{token}",
            "Get /static/brand.css",
            "Get /static/{file}",
            "Head /a/{token}",
            "Head /c/{token}",
            "Head /i/{token}",
            "Head /r/{token}",
            "Post /activate",
            "Post /confirm",
            "Post /forgot",
            "Post /join",
            "Post /lang",
            "Post /login",
            "Post /logout",
            "Post /register",
            "Post /request-access",
            "Post /reset",
            "Post /setup",
        ]
    );
}

db_test!(every_admin_route_needs_a_session, |app| {
    // Admin pages and a person's own pages alike.
    let admin_routes: Vec<&Route> = ROUTES
        .iter()
        .filter(|r| r.access != Access::Public)
        .collect();
    assert!(
        admin_routes
            .iter()
            .any(|r| r.path == "/users/{id}/photo" && r.method == Method::Get)
    );
    let token = app.csrf().await;
    for route in admin_routes {
        for path in paths(route, "1", "1") {
            let res = match route.method {
                Method::Get => app.get(&path).await,
                Method::Head => app.client.head(app.url(&path)).send().await.unwrap(),
                Method::Post => post_anything(&app, &path, Some(&token)).await,
            };
            assert_eq!(
                res.status(),
                StatusCode::SEE_OTHER,
                "{:?} {path}",
                route.method
            );
            assert!(
                location(&res).starts_with("/login"),
                "{:?} {path} -> {}",
                route.method,
                location(&res)
            );
        }
    }
    let res = app.get("/users?page=2").await;
    assert_eq!(location(&res), "/login?next=%2Fusers%3Fpage%3D2");
});

db_test!(
    every_post_needs_the_csrf_token_and_a_refusal_changes_nothing,
    |app| {
        let chef = app.login_as("chef", AdminRole::Administrator).await;
        app.post("/groups", &[("name", "Lager")]).await;
        let unit = app.unit_id("groups", "Lager").await.to_string();
        let before = app.dump();
        let forged = "ab".repeat(32);
        for route in ROUTES.iter().filter(|r| r.method == Method::Post) {
            for path in paths(route, &chef.to_string(), &unit) {
                for token in [None, Some(forged.as_str())] {
                    let res = post_anything(&app, &path, token).await;
                    assert_eq!(
                        res.status(),
                        StatusCode::FORBIDDEN,
                        "POST {path} with {token:?}"
                    );
                    assert!(
                        res.text().await.unwrap().contains("Formular abgelaufen"),
                        "{path}"
                    );
                }
            }
        }
        assert_eq!(app.dump(), before, "no table changed");
        assert_eq!(
            app.get("/").await.status(),
            StatusCode::OK,
            "still signed in"
        );
    }
);

db_test!(a_form_post_that_is_no_form_is_refused_as_such, |app| {
    // A body that reads like a form but says it is text or JSON (as a
    // crafted page's text/plain form sends it) is not read as a form.
    app.login_as("chef", AdminRole::Administrator).await;
    let csrf = app.csrf().await;
    let body = crate::support::form_encode(&[
        ("csrf", &csrf),
        ("first_name", "Tex"),
        ("last_name", "Plain"),
    ]);
    let before = app.dump();
    for kind in [
        "text/plain",
        "application/json",
        "text/plain; charset=utf-8",
    ] {
        let res = app
            .client
            .post(app.url("/users/new"))
            .header("content-type", kind)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{kind}");
    }
    assert_eq!(app.dump(), before, "nothing written");
    // The form's own type, with a charset, is a form.
    let res = app
        .client
        .post(app.url("/users/new"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

db_test!(
    a_reader_is_refused_every_change_and_nothing_changes,
    |app| {
        let chef = app.create_admin("chef", AdminRole::Administrator).await;
        let leser = app.login_as("leser", AdminRole::Lesezugriff).await;
        let (_, page) = app.get_html("/groups").await;
        let token = crate::support::extract_csrf(&page);
        let before = app.dump();
        // His own account and the session itself are his to use.
        let own = [
            "/logout",
            "/lang",
            "/login",
            "/setup",
            "/account/password",
            "/me/password",
            "/me/email",
            "/me/photo",
            // Public pages of invitees: a reader is a visitor there.
            "/forgot",
            "/activate",
            "/reset",
            "/confirm",
            "/join",
            "/register",
            "/request-access",
        ];
        for route in ROUTES.iter().filter(|r| r.method == Method::Post) {
            if own.contains(&route.path) {
                continue;
            }
            for target in [chef, leser] {
                for path in paths(route, &target.to_string(), "1") {
                    let res = post_anything(&app, &path, Some(&token)).await;
                    assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
                }
            }
        }
        assert_eq!(app.dump(), before, "no table changed");
    }
);

db_test!(
    a_path_asked_with_a_method_it_does_not_take_is_405_naming_the_ones_it_does,
    |app| {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for route in ROUTES {
            let name = match route.method {
                Method::Get => "GET",
                Method::Post => "POST",
                Method::Head => "HEAD",
            };
            for path in paths(route, "1", "1") {
                for method in [
                    reqwest::Method::PUT,
                    reqwest::Method::DELETE,
                    reqwest::Method::PATCH,
                    reqwest::Method::OPTIONS,
                ] {
                    let res = client
                        .request(method.clone(), app.url(&path))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(
                        res.status(),
                        StatusCode::METHOD_NOT_ALLOWED,
                        "{method} {path}"
                    );
                    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
                    assert!(
                        allow.split(", ").any(|m| m == name),
                        "{method} {path}: {allow}"
                    );
                    let body = res.text().await.unwrap();
                    assert!(body.contains("Anfrage nicht möglich"), "{path}: {body}");
                }
            }
        }
        // The methods named are exactly those of the path's routes.
        for (method, path, allow) in [
            (reqwest::Method::GET, "/logout", "POST"),
            (reqwest::Method::PUT, "/login", "GET, HEAD, POST"),
            (reqwest::Method::DELETE, "/healthz", "GET, HEAD"),
            // Escaped as the routes read it.
            (reqwest::Method::PUT, "/imp%6Frts", "GET, HEAD, POST"),
        ] {
            let res = client.request(method, app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
            assert_eq!(res.headers()["allow"], allow, "{path}");
        }
        let res = client
            .put(app.url("/users/1/nothing-here"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = client.get(app.url("/nothing-here")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // A visitor is led on to the sign-in, not to the admin area.
        let body = res.text().await.unwrap();
        assert!(body.contains("href=\"/login\""), "{body}");
        assert!(!body.contains("href=\"/\""), "{body}");
        // A signed-in admin to his overview.
        app.login_as("chef", AdminRole::Administrator).await;
        let (status, body) = app.get_html("/nothing-here").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Zur Übersicht"), "{body}");
    }
);
