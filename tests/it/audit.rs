//! /audit.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::hits;

db_test!(every_admin_action_is_recorded_and_filterable, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Technik")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Emil"), ("last_name", "Ernst")],
    )
    .await;
    let emil = app.user_id("emil.ernst").await;
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
    assert_eq!(hits(&filtered), 1);
    let (_, by_person) = app.get_html("/audit?q=EMIL%20ERNST").await;
    assert_eq!(hits(&by_person), 2);
    let (_, none) = app
        .get_html("/audit?from=2000-01-01&until=2000-01-02")
        .await;
    assert_eq!(hits(&none), 0);
    let (_, all) = app.get_html("/audit").await;
    assert_eq!(
        hits(&all),
        5,
        "chef created, login, group, user, deactivation"
    );
    let (_, user_page) = app.get_html(&format!("/users/{emil}")).await;
    assert!(
        user_page.contains("user.deactivate"),
        "the user page shows his history"
    );
});
