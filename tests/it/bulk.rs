//! Bulk actions on the user list: a confirmation that counts who is
//! affected and who is left out and why, then a task that changes each
//! eligible person once (audited), even when its runner dies half-way.

use einlass::domain::tasks::TaskKind;
use einlass::domain::{AdminRole, UserStatus};
use einlass::services::tasks::{self, Selection};
use einlass::services::{self, Actor};
use reqwest::StatusCode;

use crate::invitations::create_user;
use crate::support::{TestApp, location, rows_of};

fn without_task_runner(url: &str) -> einlass::config::Config {
    let mut c = crate::support::test_config(url);
    c.tasks_in_serve = false;
    c
}

/// A dump without what changes on its own meanwhile: the session table (a
/// request may touch its session) and PostgreSQL's per-status counters (the
/// fold-counts job folds the seed's deltas whenever it runs).
fn without_sessions(dump: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for line in dump.lines() {
        if line.starts_with("## ") {
            skip = matches!(
                line,
                "## admin_sessions" | "## user_status_counts" | "## user_status_count_deltas"
            );
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Rows of a table that hold this exact value (SQLite's dump quotes it,
/// PostgreSQL's lists it between commas).
fn count_in(dump: &str, table: &str, value: &str) -> usize {
    let (quoted, listed) = (format!("'{value}'"), format!(",{value},"));
    rows_of(dump, table)
        .iter()
        .filter(|r| r.contains(&quoted) || r.contains(&listed))
        .count()
}

db_test!(
    a_bulk_action_over_a_filter_of_ten_thousand_does_each_once_and_survives_a_restart,
    without_task_runner,
    |app| {
        let chef = app.login_as("chef", AdminRole::Benutzerverwaltung).await;
        app.seed_new(10_000).await;
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Ohne"),
                    ("last_name", "Adresse"),
                    ("user_type", "mitarbeiter"),
                    ("start_password_mode", "none"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        app.create_admin("oberchef", AdminRole::Administrator).await;
        // The confirmation: counts, reasons, nothing changed yet.
        let before = app.dump();
        let res = app
            .post(
                "/users/bulk",
                &[
                    ("action", "invite"),
                    ("scope", "filter"),
                    ("f_status", "angelegt"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("data-count=\"affected\"><strong>10.000<"),
            "{page}"
        );
        assert!(page.contains("data-skip=\"no_email\""), "without address");
        assert_eq!(
            without_sessions(&app.dump()),
            without_sessions(&before),
            "a confirmation changes nothing"
        );
        let key = crate::support::value_of(&page, "input[name=form_key]").unwrap();
        let confirmed = crate::support::value_of(&page, "input[name=confirmed]").unwrap();
        let run = [
            ("action", "invite"),
            ("scope", "filter"),
            ("f_status", "angelegt"),
            ("form_key", key.as_str()),
            ("confirmed", confirmed.as_str()),
        ];
        let res = app.post("/users/bulk/run", &run).await;
        let task_page = location(&res);
        assert!(task_page.starts_with("/tasks/"), "{task_page}");
        // A double submit: the same task.
        let again = app.post("/users/bulk/run", &run).await;
        assert_eq!(location(&again), task_page);
        let id: i64 = task_page.trim_start_matches("/tasks/").parse().unwrap();
        // One chunk, then the runner dies; its lease holds the task...
        assert_eq!(
            tasks::run_one_chunk_and_die(&app.ctx).await.unwrap(),
            Some(id)
        );
        let (_, page) = app.get_html(&task_page).await;
        assert!(page.contains("data-task-running"), "still running");
        app.db.raw().execute(&format!(
            "UPDATE bulk_tasks SET leased_by = 'dead-runner', lease_until = '2999-01-01 00:00:00' WHERE id = {id}"
        ));
        assert_eq!(tasks::run_pending(&app.ctx).await.unwrap(), 0, "leased");
        // ... until it runs out: another runner finishes it.
        app.db.raw().execute(&format!(
            "UPDATE bulk_tasks SET lease_until = '2000-01-01 00:00:00' WHERE id = {id}"
        ));
        let view = tasks::run_until_done(&app.ctx, id).await.unwrap();
        assert_eq!(
            (view.planned, view.done, view.skipped_changed),
            (10_000, 10_000, 0)
        );
        assert_eq!(view.skipped_no_email, 1);
        let dump = app.dump();
        assert_eq!(
            count_in(&dump, "users", "eingeladen"),
            10_000,
            "each invited"
        );
        assert_eq!(
            count_in(&dump, "outbox_messages", "invitation"),
            10_000,
            "one invitation each, none twice"
        );
        assert_eq!(
            count_in(&dump, "audit_events", "user.invite"),
            10_000,
            "each audited"
        );
        assert_eq!(
            count_in(&dump, "audit_events", "task.invite"),
            1,
            "one summary"
        );
        let (_, page) = app.get_html(&task_page).await;
        assert!(page.contains("data-count=\"done\">10.000<"), "the summary");
        // A second run over the same filter finds nobody.
        let res = app
            .post(
                "/users/bulk",
                &[
                    ("action", "invite"),
                    ("scope", "filter"),
                    ("f_status", "angelegt"),
                ],
            )
            .await;
        let page = res.text().await.unwrap();
        assert!(
            page.contains("data-count=\"affected\"><strong>0<"),
            "nobody left"
        );
        let _ = chef;
    }
);

db_test!(
    bulk_actions_skip_by_status_role_and_self_and_change_the_rest,
    without_task_runner,
    |app| {
        let chef = app.login_as("chef", AdminRole::Benutzerverwaltung).await;
        let actor = Actor {
            user_id: Some(chef),
            label: "chef".into(),
            role: AdminRole::Benutzerverwaltung,
        };
        let a = create_user(&app, "Anna", "Eins", "anna@example.com", "invite_now").await;
        let b = create_user(&app, "Bert", "Zwei", "bert@example.com", "invite_now").await;
        let c = create_user(&app, "Carl", "Drei", "carl@example.com", "none").await;
        let boss = app.create_admin("oberchef", AdminRole::Administrator).await;
        let ids = |v: &[i64]| v.iter().map(|i| einlass::domain::UserId::new(*i)).collect();
        // Revoke: Anna and Bert; Carl is not invited; the boss is above.
        let all = vec![a, b, c, boss.get(), chef.get()];
        let plan = tasks::plan_bulk(
            &app.ctx,
            &actor,
            TaskKind::Revoke,
            Selection::Chosen(ids(&all)),
        )
        .await
        .unwrap();
        assert_eq!(plan.affected.len(), 2);
        assert_eq!((plan.wrong_status, plan.above_role), (2, 1));
        let id = tasks::start_bulk(
            &app.ctx,
            &actor,
            TaskKind::Revoke,
            Selection::Chosen(ids(&all)),
            None,
            None,
            None,
        )
        .await
        .unwrap();
        let view = tasks::run_until_done(&app.ctx, id).await.unwrap();
        assert_eq!(view.done, 2);
        assert_eq!(
            app.user("anna@example.com").await.unwrap().status,
            UserStatus::Widerrufen
        );
        // Deactivate: everyone but himself and the boss.
        let plan = tasks::plan_bulk(
            &app.ctx,
            &actor,
            TaskKind::Deactivate,
            Selection::Chosen(ids(&all)),
        )
        .await
        .unwrap();
        assert_eq!(
            (plan.affected.len(), plan.yourself, plan.above_role),
            (3, 1, 1)
        );
        let id = tasks::start_bulk(
            &app.ctx,
            &actor,
            TaskKind::Deactivate,
            Selection::Chosen(ids(&all)),
            None,
            None,
            None,
        )
        .await
        .unwrap();
        tasks::run_until_done(&app.ctx, id).await.unwrap();
        assert_eq!(
            app.user("carl@example.com").await.unwrap().status,
            UserStatus::Deaktiviert
        );
        assert_eq!(app.user("chef").await.unwrap().status, UserStatus::Aktiv);
        // Reactivate, then delete them: gone from the list.
        let three = vec![a, b, c];
        let id = tasks::start_bulk(
            &app.ctx,
            &actor,
            TaskKind::Reactivate,
            Selection::Chosen(ids(&three)),
            None,
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(tasks::run_until_done(&app.ctx, id).await.unwrap().done, 3);
        let id = tasks::start_bulk(
            &app.ctx,
            &actor,
            TaskKind::Delete,
            Selection::Chosen(ids(&three)),
            None,
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(tasks::run_until_done(&app.ctx, id).await.unwrap().done, 3);
        assert!(app.user("anna@example.com").await.is_none(), "deleted");
        // The page path: chosen rows, a confirmation, a task page.
        let d = create_user(&app, "Dora", "Vier", "dora@example.com", "none").await;
        let res = app
            .post(
                "/users/bulk",
                &[("action", "invite"), ("user", &d.to_string())],
            )
            .await;
        let page = res.text().await.unwrap();
        assert!(page.contains("Jetzt ausführen"), "{page}");
        let key = crate::support::value_of(&page, "input[name=form_key]").unwrap();
        let confirmed = crate::support::value_of(&page, "input[name=confirmed]").unwrap();
        // A confirmation without its key (a crafted post) starts nothing.
        let res = app
            .post(
                "/users/bulk/run",
                &[
                    ("action", "invite"),
                    ("user", &d.to_string()),
                    ("confirmed", &confirmed),
                ],
            )
            .await;
        assert_eq!(res.status(), 400);
        assert_eq!(
            app.user("dora@example.com").await.unwrap().status,
            UserStatus::Angelegt
        );
        let res = app
            .post(
                "/users/bulk/run",
                &[
                    ("action", "invite"),
                    ("user", &d.to_string()),
                    ("form_key", &key),
                    ("confirmed", &confirmed),
                ],
            )
            .await;
        let task_page = location(&res);
        let id: i64 = task_page.trim_start_matches("/tasks/").parse().unwrap();
        tasks::run_until_done(&app.ctx, id).await.unwrap();
        assert_eq!(
            app.user("dora@example.com").await.unwrap().status,
            UserStatus::Eingeladen
        );
        // Someone joins the filter after the confirmation: nothing is done,
        // the confirmation is shown again as it is now.
        create_user(&app, "Zed", "Eins", "zed1@example.com", "none").await;
        let res = app
            .post(
                "/users/bulk",
                &[
                    ("action", "deactivate"),
                    ("scope", "filter"),
                    ("f_q", "Zed"),
                ],
            )
            .await;
        let page = res.text().await.unwrap();
        assert!(
            page.contains("data-count=\"affected\"><strong>1<"),
            "{page}"
        );
        let key = crate::support::value_of(&page, "input[name=form_key]").unwrap();
        let confirmed = crate::support::value_of(&page, "input[name=confirmed]").unwrap();
        create_user(&app, "Zed", "Zwei", "zed2@example.com", "none").await;
        let res = app
            .post(
                "/users/bulk/run",
                &[
                    ("action", "deactivate"),
                    ("scope", "filter"),
                    ("f_q", "Zed"),
                    ("form_key", &key),
                    ("confirmed", &confirmed),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let page = res.text().await.unwrap();
        assert!(page.contains("data-selection-changed"));
        assert!(
            page.contains("data-count=\"affected\"><strong>2<"),
            "as it is now"
        );
        assert_eq!(
            app.user("zed1@example.com").await.unwrap().status,
            UserStatus::Angelegt
        );
        // A filter value that names nothing does not widen the selection.
        for (field, bad) in [
            ("f_status", "drop"),
            ("f_group", "abc"),
            ("f_staff", "x"),
            ("f_type", "x"),
        ] {
            let res = app
                .post(
                    "/users/bulk",
                    &[("action", "delete"), ("scope", "filter"), (field, bad)],
                )
                .await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{field}={bad}");
        }
        // A reader gets no confirmation.
        let mut reader = TestApp::new_client();
        app.swap_browser(&mut reader);
        app.login_as("leser", AdminRole::Lesezugriff).await;
        let res = app
            .post(
                "/users/bulk",
                &[("action", "delete"), ("user", &d.to_string())],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let _ = services::tasks::MAX_BULK;
    }
);

db_test!(
    runners_with_nothing_to_do_never_wait_for_a_long_write,
    |app| {
        // A long write holds the lock, as an import's commit does for
        // seconds: SQLite's one write lock, PostgreSQL's table locks that a
        // claim's row locks would wait for.
        let mut raw = app.db.raw();
        if raw.is_postgres() {
            raw.execute("BEGIN; LOCK TABLE bulk_tasks, outbox_messages IN EXCLUSIVE MODE;");
        } else {
            raw.execute("BEGIN IMMEDIATE; UPDATE bulk_tasks SET id = id;");
        }
        let started = std::time::Instant::now();
        assert_eq!(tasks::run_pending(&app.ctx).await.unwrap(), 0);
        let claimed = services::mail::claim(&app.ctx, "idle-worker", 10)
            .await
            .unwrap();
        assert!(claimed.is_empty());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "nothing to do is found without the lock: {:?}",
            started.elapsed()
        );
        raw.execute("ROLLBACK;");
    }
);
