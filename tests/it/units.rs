//! /groups and /areas.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::{assert_redirect, hits, location, text_of};

db_test!(groups_are_created_renamed_used_and_deleted, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app.post("/groups", &[("name", "Lager")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let lager = app.unit_id("groups", "Lager").await;
    assert_eq!(location(&res), format!("/groups/{lager}"));
    let res = app.post("/groups", &[("name", "  LAGER ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&res.text().await.unwrap(), "#name-error")
            .unwrap()
            .contains("bereits vergeben")
    );
    assert_eq!(
        app.post("/groups", &[("name", "")]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.post("/groups", &[("name", "Büro")]).await;
    let res = app
        .post(&format!("/groups/{lager}/rename"), &[("name", "büro")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &format!("/groups/{lager}/rename"),
            &[("name", "Lager & Versand")],
        )
        .await;
    assert_redirect(&res, &format!("/groups/{lager}"));
    let (_, page) = app.get_html(&format!("/groups/{lager}")).await;
    assert!(
        page.contains("<h1>Lager &#38; Versand</h1>")
            || page.contains("<h1>Lager &amp; Versand</h1>"),
        "names are escaped"
    );

    // Assign a member by username; the group cannot be deleted while in use.
    app.post(
        "/users/new",
        &[("first_name", "Anna"), ("last_name", "Müller")],
    )
    .await;
    let res = app
        .post(
            &format!("/groups/{lager}/members"),
            &[("member", "anna.mueller")],
        )
        .await;
    assert_redirect(&res, &format!("/groups/{lager}"));
    let res = app
        .post(
            &format!("/groups/{lager}/members"),
            &[("member", "gibt.es.nicht")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.post(&format!("/groups/{lager}/delete"), &[]).await;
    assert_redirect(&res, &format!("/groups/{lager}"));
    let (_, page) = app.get_html(&format!("/groups/{lager}")).await;
    assert!(
        page.contains("Wird noch verwendet") && page.contains("Mitglieder: 1"),
        "refusal says why"
    );
    assert_eq!(
        app.get(&format!("/groups/{lager}")).await.status(),
        StatusCode::OK
    );
    let anna = app.user_id("anna.mueller").await;
    let (_, list) = app.get_html(&format!("/users?group={lager}")).await;
    assert_eq!(hits(&list), 1);
    let res = app
        .post(&format!("/groups/{lager}/members/{anna}/remove"), &[])
        .await;
    assert_redirect(&res, &format!("/groups/{lager}"));
    let res = app.post(&format!("/groups/{lager}/delete"), &[]).await;
    assert_redirect(&res, "/groups");
    assert_eq!(
        app.get(&format!("/groups/{lager}")).await.status(),
        StatusCode::NOT_FOUND
    );
});

db_test!(groups_in_the_user_form, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Pflege")]).await;
    app.post("/groups", &[("name", "Küche")]).await;
    let pflege = app.unit_id("groups", "Pflege").await.to_string();
    let kueche = app.unit_id("groups", "Küche").await.to_string();
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Bo"),
                ("last_name", "Bauer"),
                ("group", &pflege),
                ("group", &kueche),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let bo = app.user_id("bo.bauer").await;
    let (_, page) = app.get_html(&format!("/users/{bo}")).await;
    assert!(
        page.contains(">Pflege</a>") && page.contains(">Küche</a>"),
        "both groups"
    );
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Cem"),
                ("last_name", "C"),
                ("group", "987654"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown group refused"
    );
    let res = app
        .post(
            &format!("/users/{bo}/edit"),
            &[
                ("first_name", "Bo"),
                ("last_name", "Bauer"),
                ("username", "bo.bauer"),
                ("group", &kueche),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html(&format!("/users/{bo}")).await;
    assert!(
        page.contains(">Küche</a>") && !page.contains(">Pflege</a>"),
        "one group left"
    );
    let (_, list) = app.get_html(&format!("/users?group={pflege}")).await;
    assert_eq!(hits(&list), 0);
});

db_test!(areas_have_members_with_roles, |app| {
    app.login_as("chef", AdminRole::Benutzerverwaltung).await;
    app.post("/areas", &[("name", "Filiale Mitte")]).await;
    let mitte = app.unit_id("areas", "Filiale Mitte").await;
    app.post(
        "/users/new",
        &[
            ("first_name", "Dana"),
            ("last_name", "Dorn"),
            ("email", "dana@example.de"),
        ],
    )
    .await;
    let res = app
        .post(
            &format!("/areas/{mitte}/members"),
            &[("member", "DANA@example.de"), ("role", "leitung")],
        )
        .await;
    assert_redirect(&res, &format!("/areas/{mitte}"));
    let (_, page) = app.get_html(&format!("/areas/{mitte}")).await;
    assert!(page.contains("Leitung"));
    let res = app
        .post(
            &format!("/areas/{mitte}/members"),
            &[("member", "dana.dorn"), ("role", "kaiser")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_redirect(
        &app.post(&format!("/areas/{mitte}/delete"), &[]).await,
        &format!("/areas/{mitte}"),
    );
    let (_, list) = app.get_html("/areas").await;
    assert!(list.contains("Filiale Mitte"));
});
