//! "Nobody changes an account above his own role", on every route that
//! changes a person: the user pages and the group and area member routes.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::TestApp;

/// A Benutzerverwaltung admin, an Administrator in a group and an area, and
/// an ordinary user; the browser is signed in as the Benutzerverwaltung.
async fn setting(app: &mut TestApp) -> (String, String, i64, i64) {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Leitung")]).await;
    app.post("/areas", &[("name", "Zentrale")]).await;
    let group = app.unit_id("groups", "Leitung").await;
    let area = app.unit_id("areas", "Zentrale").await;
    app.post(&format!("/groups/{group}/members"), &[("member", "chef")])
        .await;
    app.post(
        &format!("/areas/{area}/members"),
        &[("member", "chef"), ("role", "mitglied")],
    )
    .await;
    app.post(
        "/users/new",
        &[("first_name", "Otto"), ("last_name", "Normal")],
    )
    .await;
    app.new_browser();
    app.login_as("verwalter", AdminRole::Benutzerverwaltung)
        .await;
    let chef = app.user_id("chef").await.to_string();
    let otto = app.user_id("otto.normal").await.to_string();
    (chef, otto, group, area)
}

db_test!(group_member_routes_respect_the_role_rule, |app| {
    let (chef, otto, group, _) = setting(&mut app).await;
    let before = app.dump();
    let res = app
        .post(&format!("/groups/{group}/members/{chef}/remove"), &[])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "removing an Administrator"
    );
    assert_eq!(app.dump(), before);
    let res = app.post("/groups", &[("name", "Andere")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let other = app.unit_id("groups", "Andere").await;
    let before_add = app.dump();
    let res = app
        .post(&format!("/groups/{other}/members"), &[("member", "chef")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "adding an Administrator"
    );
    let res = app
        .post(
            &format!("/groups/{other}/members"),
            &[("member", "CHEF@example.com")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "by email too");
    assert_eq!(app.dump(), before_add);
    // People at or below his own role are his to manage.
    let res = app
        .post(
            &format!("/groups/{group}/members"),
            &[("member", "otto.normal")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post(&format!("/groups/{group}/members/{otto}/remove"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

db_test!(area_member_routes_respect_the_role_rule, |app| {
    let (chef, _, _, area) = setting(&mut app).await;
    let before = app.dump();
    for role in ["leitung", "mitglied", "redaktion"] {
        let res = app
            .post(
                &format!("/areas/{area}/members"),
                &[("member", "chef"), ("role", role)],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "changing an Administrator's area role to {role}"
        );
    }
    let res = app
        .post(&format!("/areas/{area}/members/{chef}/remove"), &[])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "removing an Administrator from an area"
    );
    assert_eq!(app.dump(), before, "nothing changed");
    let res = app
        .post(
            &format!("/areas/{area}/members"),
            &[("member", "otto.normal"), ("role", "leitung")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

db_test!(user_routes_respect_the_role_rule, |app| {
    let (chef, _, _, area) = setting(&mut app).await;
    let before = app.dump();
    let area = area.to_string();
    let role_key = format!("role_{area}");
    let cases: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/users/{chef}/edit"),
            vec![
                ("first_name", "Chef"),
                ("last_name", "Anders"),
                ("username", "chef"),
            ],
        ),
        (format!("/users/{chef}/deactivate"), vec![]),
        (format!("/users/{chef}/reactivate"), vec![]),
        (format!("/users/{chef}/delete"), vec![]),
        (
            format!("/users/{chef}/areas"),
            vec![("area", area.as_str()), (role_key.as_str(), "leitung")],
        ),
        (format!("/users/{chef}/areas"), vec![]),
        (format!("/users/{chef}/photo/delete"), vec![]),
    ];
    for (path, fields) in cases {
        let res = app.post(&path, &fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    for path in [
        format!("/users/{chef}/edit"),
        format!("/users/{chef}/areas"),
        format!("/users/{chef}/delete"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
    }
    assert_eq!(app.dump(), before, "nothing changed");
});
