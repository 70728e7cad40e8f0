//! Things that happen at the same instant: two admins, twenty creates, a
//! flood of sign-ins, a database that is stuck. Each on both databases.

use std::collections::BTreeSet;
use std::time::Duration;

use einlass::domain::{AdminRole, UserStatus};
use reqwest::StatusCode;

use crate::support::{PASSWORD, TestApp, assert_redirect, form_encode, test_config};

/// POSTs a form from a browser (a cloned client shares its cookies).
async fn post_from(
    client: reqwest::Client,
    url: String,
    fields: Vec<(&'static str, String)>,
) -> StatusCode {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&fields))
        .send()
        .await
        .expect("POST")
        .status()
}

/// A second browser signed in as `username`; returns it with its form token.
async fn browser_of(app: &mut TestApp, username: &str) -> (reqwest::Client, String) {
    let mut other = TestApp::new_client();
    app.swap_browser(&mut other);
    app.sign_in(username).await;
    let token = app.csrf().await;
    app.swap_browser(&mut other);
    (other, token)
}

db_test!(two_administrators_removing_each_other_leave_one, |app| {
    let a = app.create_admin("erste", AdminRole::Administrator).await;
    let b = app.create_admin("zweite", AdminRole::Administrator).await;
    for round in 0..8 {
        let (client_a, token_a) = browser_of(&mut app, "erste").await;
        let (client_b, token_b) = browser_of(&mut app, "zweite").await;
        let (ra, rb) = tokio::join!(
            post_from(
                client_a,
                app.url(&format!("/users/{b}/deactivate")),
                vec![("csrf", token_a)]
            ),
            post_from(
                client_b,
                app.url(&format!("/users/{a}/deactivate")),
                vec![("csrf", token_b)]
            ),
        );
        assert_eq!(
            (ra, rb),
            (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER),
            "round {round}"
        );
        let active: Vec<&str> = {
            let mut v = Vec::new();
            for name in ["erste", "zweite"] {
                if app.user(name).await.unwrap().status == UserStatus::Aktiv {
                    v.push(name);
                }
            }
            v
        };
        assert_eq!(
            active.len(),
            1,
            "round {round}: exactly one administrator left: {active:?}"
        );
        // The survivor lifts the other's block for the next round.
        let (survivor, blocked) = if active[0] == "erste" {
            ("erste", b)
        } else {
            ("zweite", a)
        };
        let (client, token) = browser_of(&mut app, survivor).await;
        let status = post_from(
            client,
            app.url(&format!("/users/{blocked}/reactivate")),
            vec![("csrf", token)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
});

db_test!(
    twenty_simultaneous_anna_muellers_all_get_a_username,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let token = app.csrf().await;
        let mut tasks = Vec::new();
        for _ in 0..20 {
            tasks.push(tokio::spawn(post_from(
                app.client.clone(),
                app.url("/users/new"),
                vec![
                    ("csrf", token.clone()),
                    ("first_name", "Anna".into()),
                    ("last_name", "Müller".into()),
                    ("then", "close".into()),
                ],
            )));
        }
        for task in tasks {
            assert_eq!(
                task.await.unwrap(),
                StatusCode::SEE_OTHER,
                "every create succeeds"
            );
        }
        let mut names = BTreeSet::new();
        for n in 1..=20 {
            let username = if n == 1 {
                "anna.mueller".to_owned()
            } else {
                format!("anna.mueller{n}")
            };
            assert!(app.user(&username).await.is_some(), "{username}");
            names.insert(username);
        }
        assert_eq!(names.len(), 20);
        assert_eq!(app.count_users().await, 21);
    }
);

db_test!(a_typed_username_that_is_taken_stays_refused, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let token = app.csrf().await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        tasks.push(tokio::spawn(post_from(
            app.client.clone(),
            app.url("/users/new"),
            vec![
                ("csrf", token.clone()),
                ("first_name", "Bo".into()),
                ("last_name", format!("Bauer{i}")),
                ("username", "bo".into()),
                ("email", "bo@example.de".into()),
            ],
        )));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::UNPROCESSABLE_ENTITY),
        "the losers get the field error, never a 500: {statuses:?}"
    );
    assert_eq!(app.count_users().await, 2);
});

db_test!(concurrent_writers_do_not_fail, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let token = app.csrf().await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let fields = vec![("csrf", token.clone()), ("name", format!("Gruppe {i}"))];
        tasks.push(tokio::spawn(post_from(
            app.client.clone(),
            app.url(if i % 2 == 0 { "/groups" } else { "/areas" }),
            fields,
        )));
        tasks.push(tokio::spawn(post_from(
            app.client.clone(),
            app.url("/users/new"),
            vec![
                ("csrf", token.clone()),
                ("first_name", "Gleich".into()),
                ("last_name", format!("Zeitig{i}")),
            ],
        )));
    }
    for task in tasks {
        assert_eq!(
            task.await.unwrap(),
            StatusCode::SEE_OTHER,
            "no 'database is locked'"
        );
    }
    assert_eq!(app.count_users().await, 31);
});

fn one_connection_short_wait(url: &str) -> einlass::config::Config {
    let mut config = test_config(url);
    config.db_pool_size = 1;
    config.queue_timeout_ms = 400;
    config
}

db_test!(
    a_request_that_waits_too_long_gets_a_busy_page,
    one_connection_short_wait,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let token = app.csrf().await;
        // Another program holds a write lock on the groups.
        let mut holder = app.db.raw();
        if holder.is_postgres() {
            holder.execute("BEGIN; LOCK TABLE user_groups IN EXCLUSIVE MODE;");
        } else {
            holder.execute("BEGIN IMMEDIATE;");
        }
        // This create takes the only connection and waits for the lock ...
        let stuck = tokio::spawn(post_from(
            app.client.clone(),
            app.url("/groups"),
            vec![("csrf", token), ("name", "Wartend".into())],
        ));
        tokio::time::sleep(Duration::from_millis(200)).await;
        // ... so the next request waits for a turn, and gets a clear answer.
        let res = app.get("/users").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().get("retry-after").is_some());
        let body = res.text().await.unwrap();
        assert!(
            body.contains("Gerade überlastet") && body.contains("<main"),
            "{body}"
        );
        holder.execute("COMMIT;");
        assert_eq!(
            stuck.await.unwrap(),
            StatusCode::SEE_OTHER,
            "the waiting create finishes"
        );
        assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    }
);

fn real_bcrypt_one_connection(url: &str) -> einlass::config::Config {
    let mut config = test_config(url);
    config.bcrypt_cost = 12;
    config.db_pool_size = 1;
    config.queue_timeout_ms = 2_000;
    config
}

db_test!(
    a_flood_of_sign_ins_does_not_stall_admin_pages,
    real_bcrypt_one_connection,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let token = app.csrf().await;
        let mut attackers = TestApp::new_client();
        app.swap_browser(&mut attackers);
        let attacker_token = app.csrf().await;
        app.swap_browser(&mut attackers);
        let _ = token;
        // 16 clients guess passwords of unknown accounts: each guess costs a
        // bcrypt at cost 12, together several seconds of CPU.
        let mut flood = Vec::new();
        for i in 0..16 {
            flood.push(tokio::spawn(post_from(
                attackers.clone(),
                app.url("/login"),
                vec![
                    ("csrf", attacker_token.clone()),
                    ("identifier", format!("rate{i}")),
                    ("password", "falsch-falsch".into()),
                ],
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        // With a single connection and a 2 s limit, admin pages would get 503
        // if the hashing held the connection.
        for _ in 0..5 {
            let res = app.get("/users").await;
            assert_eq!(res.status(), StatusCode::OK, "admin pages stay available");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for attempt in flood {
            let status = attempt.await.unwrap();
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::SERVICE_UNAVAILABLE,
                "{status}"
            );
        }
        let res = app.login("chef", PASSWORD).await;
        assert_redirect(&res, "/");
    }
);

db_test!(adding_the_same_member_at_once_is_no_error, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Lager")]).await;
    app.post("/areas", &[("name", "Werk")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Anna"), ("last_name", "Müller")],
    )
    .await;
    let group = app.unit_id("groups", "Lager").await;
    let area = app.unit_id("areas", "Werk").await;
    let token = app.csrf().await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        tasks.push(tokio::spawn(post_from(
            app.client.clone(),
            app.url(&format!("/groups/{group}/members")),
            vec![("csrf", token.clone()), ("member", "anna.mueller".into())],
        )));
        let role = if i % 2 == 0 { "leitung" } else { "mitglied" };
        tasks.push(tokio::spawn(post_from(
            app.client.clone(),
            app.url(&format!("/areas/{area}/members")),
            vec![
                ("csrf", token.clone()),
                ("member", "anna.mueller".into()),
                ("role", role.into()),
            ],
        )));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::SEE_OTHER);
    }
    let (_, page) = app.get_html(&format!("/groups/{group}")).await;
    assert!(page.contains("Mitglieder (1)"), "one membership");
    let (_, page) = app.get_html(&format!("/areas/{area}")).await;
    assert!(page.contains("Mitglieder (1)"), "one assignment");
});

db_test!(
    an_action_on_a_person_racing_his_deletion_never_fails,
    |app| {
        // Deleting locks the administrators, then the person; a QR code or an
        // invitation locks the person, then records the admin's action. On
        // PostgreSQL the two once deadlocked (a 500 for one of them).
        app.login_as("chef", AdminRole::Administrator).await;
        app.create_admin("zweite", AdminRole::Administrator).await;
        let (other, other_token) = browser_of(&mut app, "zweite").await;
        let token = app.csrf().await;
        for round in 0..6 {
            let username = format!("ziel{round}");
            let res = app
                .post(
                    "/users/new",
                    &[
                        ("first_name", "Ziel"),
                        ("last_name", "Person"),
                        ("username", &username),
                        ("email", &format!("{username}@example.org")),
                        ("user_type", "mitarbeiter"),
                        ("start_password_mode", "none"),
                        ("then", "close"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let id = app.user_id(&username).await;
            let action = if round % 2 == 0 { "qr" } else { "invite" };
            let (a, b) = tokio::join!(
                post_from(
                    app.client.clone(),
                    app.url(&format!("/users/{id}/{action}")),
                    vec![("csrf", token.clone())]
                ),
                post_from(
                    other.clone(),
                    app.url(&format!("/users/{id}/delete")),
                    vec![("csrf", other_token.clone())]
                ),
            );
            assert!(
                a.as_u16() < 500 && b.as_u16() < 500,
                "round {round} ({action}): {a} {b}"
            );
            assert!(app.user(&username).await.is_none(), "deleted in the end");
        }
    }
);

/// Signs in as an Administrator who has made the group "Lager" and the
/// person anna.mueller; returns the group's id.
async fn chef_with_group_and_anna(app: &mut TestApp) -> i64 {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Lager")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Anna"), ("last_name", "Müller")],
    )
    .await;
    app.unit_id("groups", "Lager").await
}

db_test!(
    deleting_a_group_while_a_member_is_added_ends_one_way,
    |app| {
        // Another admin's transaction adds a member and has not committed
        // when the delete starts: the delete waits for it and then sees the
        // member (it asks for confirmation), instead of deleting the group
        // under the new membership (on PostgreSQL once a 500).
        let group = chef_with_group_and_anna(&mut app).await;
        let anna = app.user_id("anna.mueller").await;
        let token = app.csrf().await;
        let mut holder = app.db.raw();
        let begin = if holder.is_postgres() {
            "BEGIN;"
        } else {
            "BEGIN IMMEDIATE;"
        };
        holder.execute(&format!(
            "{begin} INSERT INTO group_memberships (user_id, group_id) VALUES ({anna}, {group});"
        ));
        let delete = tokio::spawn(post_from(
            app.client.clone(),
            app.url(&format!("/groups/{group}/delete")),
            vec![("csrf", token), ("members", String::new())],
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
        holder.execute("COMMIT;");
        assert_eq!(delete.await.unwrap(), StatusCode::SEE_OTHER);
        let (_, page) = app.get_html(&format!("/groups/{group}")).await;
        assert!(page.contains("Mitglieder (1)"), "group and member stay");
    }
);

db_test!(
    adding_a_member_to_a_group_being_deleted_ends_one_way,
    |app| {
        // The group's delete has not committed when another admin adds a
        // member: the add waits and is refused (the group is gone), with a
        // page that says so, and no membership points at nothing.
        let group = chef_with_group_and_anna(&mut app).await;
        let token = app.csrf().await;
        let mut holder = app.db.raw();
        let begin = if holder.is_postgres() {
            "BEGIN;"
        } else {
            "BEGIN IMMEDIATE;"
        };
        holder.execute(&format!(
            "{begin} DELETE FROM user_groups WHERE id = {group};"
        ));
        let add = tokio::spawn(post_from(
            app.client.clone(),
            app.url(&format!("/groups/{group}/members")),
            vec![("csrf", token), ("member", "anna.mueller".into())],
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
        holder.execute("COMMIT;");
        let status = add.await.unwrap();
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::CONFLICT,
            "{status}"
        );
        let dump = app.db.dump();
        let memberships: Vec<&str> = dump
            .split("## ")
            .find(|t| t.starts_with("group_memberships\n"))
            .expect("the table is dumped")
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .collect();
        assert!(
            memberships.is_empty(),
            "no membership left: {memberships:?}"
        );
        let res = app.get(&format!("/groups/{group}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);
