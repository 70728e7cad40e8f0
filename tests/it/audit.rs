//! /audit.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

db_test!(every_admin_action_is_recorded_and_filterable, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Technik")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Emil"), ("last_name", "Ernst")],
    )
    .await;
    let emil = einlass::models::user::find_by_login(&mut app.conn(), "emil.ernst")
        .unwrap()
        .unwrap()
        .id;
    app.post(&format!("/users/{emil}/deactivate"), &[]).await;
    let (status, page) = app.get_html("/audit").await;
    assert_eq!(status, StatusCode::OK);
    for action in [
        "auth.login",
        "group.create",
        "user.create",
        "user.deactivate",
    ] {
        assert!(page.contains(action), "{action} recorded");
    }
    assert!(page.contains("Test chef (chef)"), "who");
    assert!(page.contains("Emil Ernst (emil.ernst)"), "on whom");
    let (_, filtered) = app.get_html("/audit?action=user.deactivate").await;
    assert!(filtered.contains("1 Treffer"));
    let (_, by_person) = app.get_html("/audit?q=EMIL%20ERNST").await;
    assert!(by_person.contains("2 Treffer"));
    let (_, none) = app
        .get_html("/audit?from=2000-01-01&until=2000-01-02")
        .await;
    assert!(none.contains("0 Treffer"));
    let (_, user_page) = app.get_html(&format!("/users/{emil}")).await;
    assert!(
        user_page.contains("user.deactivate"),
        "the user page shows his history"
    );
});
