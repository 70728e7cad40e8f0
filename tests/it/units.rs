//! /groups and /areas.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::{assert_redirect, hits, location, text_of};

db_test!(groups_are_created_renamed_used_and_deleted, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app.post("/groups", &[("name", "Lager")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Back on the list, ready for the next one; the message links the new one.
    assert_eq!(location(&res), "/groups");
    let (_, list) = app.get_html("/groups").await;
    let lager = app.unit_id("groups", "Lager").await;
    assert_eq!(text_of(&list, ".flash").as_deref(), Some("Angelegt: Lager"));
    assert!(list.contains(&format!("<a href=\"/groups/{lager}\">Lager</a>")));
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
    // Names an import could not tell apart: the umlaut written out, or
    // full-width letters.
    for (alike, how) in [("Buero", "new"), ("ＬＡＧＥＲ", "new"), ("Buero", "rename")] {
        let res = if how == "new" {
            app.post("/groups", &[("name", alike)]).await
        } else {
            app.post(&format!("/groups/{lager}/rename"), &[("name", alike)])
                .await
        };
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{alike}");
        assert!(
            text_of(&res.text().await.unwrap(), "#name-error")
                .unwrap()
                .contains("fast gleichen Namen"),
            "{alike}"
        );
    }
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
    // With a member, deleting asks first and says how many memberships go.
    let before = app.dump();
    let res = app.post(&format!("/groups/{lager}/delete"), &[]).await;
    assert_redirect(&res, &format!("/groups/{lager}/delete"));
    let (status, page) = app.get_html(&format!("/groups/{lager}/delete")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("endet die Zuordnung einer Person"), "{page}");
    assert_eq!(
        crate::support::value_of(&page, "input[name=members]").as_deref(),
        Some("1")
    );
    // A stale confirmation (another count) deletes nothing either.
    let res = app
        .post(&format!("/groups/{lager}/delete"), &[("members", "0")])
        .await;
    assert_redirect(&res, &format!("/groups/{lager}/delete"));
    assert_eq!(
        app.dump(),
        before,
        "nothing deleted without the right confirmation"
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

db_test!(a_group_with_members_is_deleted_after_confirmation, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Technik")]).await;
    let technik = app.unit_id("groups", "Technik").await;
    app.seed(30).await;
    let (_, list) = app.get_html("/users").await;
    let ids = crate::support::row_user_ids(&list);
    let mut fields = vec![
        ("action", "add_to_group".to_owned()),
        ("group", technik.to_string()),
    ];
    fields.extend(ids.iter().take(12).map(|id| ("user", id.to_string())));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post("/users/bulk", &refs).await;
    assert_redirect(&res, "/users");
    let (_, page) = app.get_html(&format!("/groups/{technik}/delete")).await;
    // (Seeded people may belong already: the page counts them all.)
    let shown = crate::support::value_of(&page, "input[name=members]").unwrap();
    assert!(shown.parse::<i64>().unwrap() >= 12, "{shown}");
    assert!(
        page.contains(&format!("<strong>{shown}</strong>")),
        "{page}"
    );
    let memberships = || async { crate::support::rows_of(&app.dump(), "group_memberships").len() };
    let before = memberships().await;
    let res = app
        .post(&format!("/groups/{technik}/delete"), &[("members", &shown)])
        .await;
    assert_redirect(&res, "/groups");
    assert_eq!(
        memberships().await,
        before - shown.parse::<usize>().unwrap()
    );
    let (_, audit) = app.get_html("/audit?action=group.delete").await;
    assert!(
        audit.contains(&format!("Zuordnungen:</span> <del>{shown}</del>")),
        "{audit}"
    );
    assert_eq!(app.count_users().await, 31, "the people stay");
});

db_test!(people_are_found_by_name_and_added_in_one_step, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Lager")]).await;
    let lager = app.unit_id("groups", "Lager").await;
    for (first, last) in [
        ("Anna", "Müller"),
        ("Bernd", "Müller"),
        ("Carla", "Schmidt"),
    ] {
        app.post("/users/new", &[("first_name", first), ("last_name", last)])
            .await;
    }
    app.get("/groups").await; // (shows the last creation's message)
    // Typing a name, not a username, finds people (without script).
    let (status, page) = app.get_html(&format!("/groups/{lager}?find=Mueller")).await;
    assert_eq!(status, StatusCode::OK);
    let anna = app.user_id("anna.mueller").await;
    let bernd = app.user_id("bernd.mueller").await;
    assert!(page.contains(&format!("name=\"user\" value=\"{anna}\"")));
    assert!(page.contains(&format!("name=\"user\" value=\"{bernd}\"")));
    assert!(!page.contains("Schmidt"), "{page}");
    let res = app
        .post(
            &format!("/groups/{lager}/members"),
            &[("user", &anna.to_string()), ("user", &bernd.to_string())],
        )
        .await;
    assert_redirect(&res, &format!("/groups/{lager}"));
    let (_, page) = app.get_html(&format!("/groups/{lager}")).await;
    assert!(page.contains("Mitglieder (2)"));
    // Members already in are shown as such.
    let (_, page) = app.get_html(&format!("/groups/{lager}?find=Anna")).await;
    assert!(page.contains("schon Mitglied"));
    // Nonsense ids change nothing.
    let before = app.dump();
    let res = app
        .post(&format!("/groups/{lager}/members"), &[("user", "x1")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(&format!("/groups/{lager}/members"), &[("user", "99999")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.dump(), before);
});

db_test!(chosen_users_of_the_list_join_a_group_at_once, |app| {
    let chef = app.create_admin("chef", AdminRole::Administrator).await;
    app.login_as("verwalter", AdminRole::Benutzerverwaltung)
        .await;
    app.post("/groups", &[("name", "Schicht A")]).await;
    let group = app.unit_id("groups", "Schicht A").await.to_string();
    for (first, last) in [("Anna", "Arm"), ("Bert", "Bein")] {
        app.post("/users/new", &[("first_name", first), ("last_name", last)])
            .await;
    }
    let (_, list) = app.get_html("/users").await;
    assert!(list.contains("id=\"bulk\""), "a bulk form");
    let anna = app.user_id("anna.arm").await.to_string();
    let bert = app.user_id("bert.bein").await.to_string();
    let res = app
        .post(
            "/users/bulk",
            &[
                ("action", "add_to_group"),
                ("group", &group),
                ("user", &anna),
                ("user", &bert),
                ("back", "/users?q=a"),
            ],
        )
        .await;
    assert_redirect(&res, "/users?q=a");
    let (_, page) = app.get_html("/users").await;
    assert!(
        text_of(&page, ".flash").unwrap().contains("2"),
        "says how many"
    );
    assert_eq!(
        hits(&app.get_html(&format!("/users?group={group}")).await.1),
        2
    );
    // Nobody chosen, or no group: a message, nothing changes.
    let before = app.dump();
    let res = app
        .post(
            "/users/bulk",
            &[("action", "add_to_group"), ("group", &group)],
        )
        .await;
    assert_redirect(&res, "/users");
    let res = app
        .post(
            "/users/bulk",
            &[("action", "add_to_group"), ("user", &anna)],
        )
        .await;
    assert_redirect(&res, "/users");
    // Someone above the actor's role among the chosen: none are added.
    let res = app
        .post(
            "/users/bulk",
            &[
                ("action", "add_to_group"),
                ("group", &group),
                ("user", &chef.to_string()),
                ("user", &anna),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Another site as "back" is not followed.
    let res = app
        .post(
            "/users/bulk",
            &[
                ("action", "add_to_group"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_redirect(&res, "/users");
    assert_eq!(app.dump(), before);
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
        &format!("/areas/{mitte}/delete"),
    );
    let (_, list) = app.get_html("/areas").await;
    assert!(list.contains("Filiale Mitte"));
});

db_test!(
    deleting_a_unit_follows_the_role_rule_for_its_members,
    |app| {
        let chef = app.create_admin("chef", AdminRole::Administrator).await;
        app.login_as("verwalter", AdminRole::Benutzerverwaltung)
            .await;
        app.post("/groups", &[("name", "Leitung")]).await;
        let group = app.unit_id("groups", "Leitung").await;
        // Put the Administrator in behind the actor's back (the pages refuse it).
        app.db.sql(&format!(
            "INSERT INTO group_memberships (group_id, user_id) VALUES ({group}, {chef})"
        ));
        let before = app.dump();
        let res = app
            .post(&format!("/groups/{group}/delete"), &[("members", "1")])
            .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "removing him one by one is refused too"
        );
        assert_eq!(app.dump(), before);
    }
);

db_test!(
    adding_people_who_belong_already_changes_and_records_nothing,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        app.post("/groups", &[("name", "Empfang")]).await;
        let group = app.unit_id("groups", "Empfang").await.to_string();
        app.post(
            "/users/new",
            &[("first_name", "Anna"), ("last_name", "Arm")],
        )
        .await;
        let anna = app.user_id("anna.arm").await.to_string();
        let bulk = [
            ("action", "add_to_group"),
            ("group", group.as_str()),
            ("user", anna.as_str()),
        ];
        app.post("/users/bulk", &bulk).await;
        let (_, page) = app.get_html("/users").await;
        assert_eq!(
            text_of(&page, ".flash").as_deref(),
            Some("1 Person hinzugefügt.")
        );
        let before = app.dump();
        app.post("/users/bulk", &bulk).await;
        let (_, page) = app.get_html("/users").await;
        assert!(
            text_of(&page, ".flash")
                .unwrap()
                .starts_with("Niemand hinzugefügt")
        );
        app.post(
            &format!("/groups/{group}/members"),
            &[("user", anna.as_str())],
        )
        .await;
        assert_eq!(app.dump(), before, "no second membership, no audit entry");
    }
);

db_test!(a_confirmation_that_went_stale_says_so, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Küche")]).await;
    let group = app.unit_id("groups", "Küche").await;
    app.post(
        "/users/new",
        &[("first_name", "Anna"), ("last_name", "Arm")],
    )
    .await;
    app.post(
        &format!("/groups/{group}/members"),
        &[("member", "anna.arm")],
    )
    .await;
    let res = app
        .post(&format!("/groups/{group}/delete"), &[("members", "0")])
        .await;
    assert_redirect(&res, &format!("/groups/{group}/delete"));
    let (_, page) = app.get_html(&format!("/groups/{group}/delete")).await;
    let flash = text_of(&page, ".flash-error").unwrap();
    assert!(flash.contains("Inzwischen gehört 1 Person dazu"), "{flash}");
});

db_test!(a_search_with_more_hits_than_shown_says_so, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Alle")]).await;
    let group = app.unit_id("groups", "Alle").await;
    app.seed(60).await;
    let (_, page) = app
        .get_html(&format!("/groups/{group}?find=beispiel"))
        .await;
    assert!(page.contains("Gezeigt werden die ersten 25 von"), "{page}");
});

db_test!(a_length_error_names_the_limit, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app.post("/groups", &[("name", &"L".repeat(81))]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert_eq!(
        text_of(&body, "#name-error").as_deref(),
        Some("Zu lang (höchstens 80 Zeichen).")
    );
});

db_test!(
    a_name_a_spreadsheet_would_take_for_a_formula_is_refused,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let before = app.dump();
        for (path, name) in [
            ("/groups", "=SUMME(A1)"),
            ("/areas", "@Nord"),
            ("/groups", " +49"),
        ] {
            let res = app.post(path, &[("name", name)]).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            let body = res.text().await.unwrap();
            assert!(
                text_of(&body, "#name-error").is_some_and(|t| t.contains("=, + oder @")),
                "{body}"
            );
        }
        assert_eq!(app.dump(), before);
        // Inside a name they are fine; so is renaming to one without.
        let res = app.post("/groups", &[("name", "Lager = Versand")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let lager = app.unit_id("groups", "Lager = Versand").await;
        let res = app
            .post(&format!("/groups/{lager}/rename"), &[("name", "+Lager")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

db_test!(
    a_membership_needs_its_person_and_group_even_against_a_concurrent_delete,
    |app| {
        // Behind the app's back, as a foreign key is tested: PostgreSQL
        // checks memberships once per statement (migration 000020),
        // SQLite by its foreign keys; both must refuse the same.
        app.login_as("chef", AdminRole::Administrator).await;
        let res = app.post("/groups", &[("name", "Lager")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app.post("/areas", &[("name", "Werk Nord")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        app.post(
            "/users/new",
            &[("first_name", "Anna"), ("last_name", "Muster")],
        )
        .await;
        let group = app.unit_id("groups", "Lager").await;
        let area = app.unit_id("areas", "Werk Nord").await;
        let anna = app.user_id("anna.muster").await.get();
        let raw = || {
            let mut conn = app.db.raw();
            if !conn.is_postgres() {
                conn.execute("PRAGMA foreign_keys = ON");
            }
            conn
        };
        let mut conn = raw();
        for refused in [
            format!("INSERT INTO group_memberships (user_id, group_id) VALUES ({anna}, 999999)"),
            format!("INSERT INTO group_memberships (user_id, group_id) VALUES (999999, {group})"),
            format!(
                "INSERT INTO area_assignments (user_id, area_id, area_role) VALUES ({anna}, 999999, 'mitglied')"
            ),
            format!(
                "INSERT INTO area_assignments (user_id, area_id, area_role) VALUES (999999, {area}, 'mitglied')"
            ),
        ] {
            let err = conn.try_execute(&refused).unwrap_err();
            assert!(
                err.to_lowercase().contains("foreign key") || err.contains("no such"),
                "{refused}: {err}"
            );
        }
        conn.execute(&format!(
            "INSERT INTO group_memberships (user_id, group_id) VALUES ({anna}, {group}); \
             INSERT INTO area_assignments (user_id, area_id, area_role) VALUES ({anna}, {area}, 'leitung')"
        ));
        // A group or area with members is not deleted.
        assert!(
            conn.try_execute(&format!("DELETE FROM user_groups WHERE id = {group}"))
                .is_err()
        );
        assert!(
            conn.try_execute(&format!("DELETE FROM areas WHERE id = {area}"))
                .is_err()
        );
        conn.execute(&format!(
            "DELETE FROM group_memberships WHERE group_id = {group}; \
             DELETE FROM area_assignments WHERE area_id = {area}"
        ));
        // One transaction adds a member while another deletes the group
        // after emptying it: the delete waits and fails, or the member is
        // refused — never a membership of a group that is gone.
        let mut adding = raw();
        let begin = if adding.is_postgres() {
            "BEGIN"
        } else {
            "BEGIN IMMEDIATE"
        };
        adding.execute(&format!(
            "{begin}; INSERT INTO group_memberships (user_id, group_id) VALUES ({anna}, {group})"
        ));
        let mut deleting = raw();
        let deleter = std::thread::spawn(move || {
            deleting.try_execute(&format!(
                "{begin}; DELETE FROM group_memberships WHERE group_id = {group}; \
                 DELETE FROM user_groups WHERE id = {group}; COMMIT"
            ))
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        adding.execute("COMMIT");
        let deleted = deleter.join().unwrap();
        // PostgreSQL: the delete waited for the adding transaction's lock
        // on the group, then saw its member.
        assert!(!conn.is_postgres() || deleted.is_err(), "{deleted:?}");
        let dump = app.dump();
        let members = crate::support::rows_of(&dump, "group_memberships");
        let groups = crate::support::rows_of(&dump, "user_groups");
        match deleted {
            // The delete came second: it saw the new member and failed.
            Err(_) => {
                assert_eq!(members.len(), 1, "{dump}");
                assert_eq!(groups.len(), 1, "{dump}");
            }
            // (SQLite: the delete waited for the writer, then emptied the
            // group with the new member and deleted it.)
            Ok(()) => {
                assert!(members.is_empty(), "{dump}");
                assert!(groups.is_empty(), "{dump}");
            }
        }
        // A person deleted for good takes his memberships with him.
        conn.execute(&format!(
            "INSERT INTO area_assignments (user_id, area_id, area_role) VALUES ({anna}, {area}, 'mitglied'); \
             DELETE FROM users WHERE id = {anna}"
        ));
        assert!(crate::support::rows_of(&app.dump(), "area_assignments").is_empty());
    }
);

db_test!(
    two_spellings_of_one_name_made_at_once_make_one_group,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        for round in 0..3 {
            let (a, b) = (format!("Strasse {round}"), format!("Straße {round}"));
            let (fa, fb) = ([("name", a.as_str())], [("name", b.as_str())]);
            let (x, y) = tokio::join!(app.post("/groups", &fa), app.post("/groups", &fb));
            let mut statuses = [x.status(), y.status()];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY],
                "round {round}"
            );
            let made = app
                .ctx
                .units()
                .groups
                .iter()
                .filter(|g| g.name.ends_with(&format!(" {round}")))
                .count();
            assert_eq!(made, 1, "round {round}");
        }
    }
);
