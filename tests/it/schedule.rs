//! Scheduled invitations: `geplant` until their time, sent then (not
//! before) with a link valid from then on, cancelled by revoking, replaced
//! by a renewal; send times that cannot be meant are refused.

use std::time::Duration as StdDuration;

use einlass::domain::mail::Delivery;
use einlass::domain::{AdminRole, UserStatus, dates};
use einlass::jobs::mail::drain;
use reqwest::StatusCode;
use time::Duration;

use crate::invitations::{create_user, mailbox_links, open_link};
use crate::support::smtp::link_in;
use crate::support::{TestApp, location};

/// A local date (YYYY-MM-DD) `days` from the clock's now, in UTC terms
/// (the test schedules at midday, far from a date line).
fn day_ahead(app: &TestApp, days: i64) -> String {
    let d = (app.ctx.now() + Duration::days(days)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn schedule(app: &TestApp, id: i64, date: &str, time: &str) -> reqwest::Response {
    app.post(
        &format!("/users/{id}/invite"),
        &[("send_date", date), ("send_time", time)],
    )
    .await
}

smtp_test!(
    a_scheduled_invitation_goes_out_at_its_time_and_not_before,
    [],
    |app, sink| {
        app.login_as("chef", AdminRole::Administrator).await;
        let id = create_user(&app, "Gerd", "Später", "gerd@example.com", "none").await;
        let date = day_ahead(&app, 3);
        let res = schedule(&app, id, &date, "12:00").await;
        assert_eq!(location(&res), format!("/users/{id}"));
        let tz = app.ctx.settings().time_zone;
        let at = dates::parse_send_time(&date, "12:00", tz, app.ctx.now())
            .unwrap()
            .unwrap();
        let (_, page) = app.get_html(&format!("/users/{id}")).await;
        assert!(page.contains("Die Einladung ist geplant"), "the flash");
        assert!(page.contains("Einladung geplant für"), "the user page");
        assert!(page.contains("data-delivery=\"geplant\""));
        let summary = app.user("gerd@example.com").await.unwrap();
        assert_eq!(summary.status, UserStatus::Eingeladen);
        assert_eq!(summary.invite_delivery, Some(Delivery::Geplant));
        let (_, log) = app.get_html("/mail/log?status=geplant").await;
        assert!(log.contains("gerd@example.com"), "geplant in the log");
        // Not before its time.
        drain(&app.ctx).await.unwrap();
        app.ctx.clock().advance(Duration::days(2));
        drain(&app.ctx).await.unwrap();
        assert!(sink.messages().is_empty(), "nothing before the time");
        // At its time: sent, with a link valid from now on.
        let until = at - app.ctx.now();
        app.ctx.clock().advance(until + Duration::seconds(1));
        drain(&app.ctx).await.unwrap();
        let got = sink.wait_for(1, StdDuration::from_secs(10)).await;
        assert_eq!(got.len(), 1);
        let link = link_in(&got[0].text, "/i/").expect("a link");
        let summary = app.user("gerd@example.com").await.unwrap();
        assert_eq!(summary.invite_delivery, Some(Delivery::Gesendet));
        let validity = i64::from(app.ctx.settings().invitation_validity_days);
        let expires = summary.invitation_expires_at.unwrap();
        assert!(
            expires >= at + Duration::days(validity),
            "valid from the send time: {expires} vs {at}"
        );
        drain(&app.ctx).await.unwrap();
        assert_eq!(sink.messages().len(), 1, "sent once");
        let mut fresh = TestApp::new_client();
        app.swap_browser(&mut fresh);
        assert_eq!(open_link(&mut app, &link).await.0, StatusCode::OK);
    }
);

db_test!(
    a_scheduled_invitation_is_cancelled_by_revoking_or_replaced_by_a_renewal,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let a = create_user(&app, "Hanna", "Abbruch", "hanna@example.com", "none").await;
        let b = create_user(&app, "Ida", "Neu", "ida@example.com", "none").await;
        let date = day_ahead(&app, 2);
        schedule(&app, a, &date, "09:00").await;
        schedule(&app, b, &date, "09:00").await;
        // Cancel one; send the other now instead.
        let res = app.post(&format!("/users/{a}/invite/revoke"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app.post(&format!("/users/{b}/invite"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        app.ctx.clock().advance(Duration::days(3));
        app.login_as("chefin", AdminRole::Administrator).await;
        drain(&app.ctx).await.unwrap();
        let links = mailbox_links(&app, "/i/").await;
        assert_eq!(links.len(), 1, "only the renewal went out");
        assert_eq!(
            app.user("hanna@example.com").await.unwrap().status,
            UserStatus::Widerrufen
        );
        let (_, log) = app.get_html("/mail/log?status=abgebrochen").await;
        assert!(log.contains("hanna@example.com") && log.contains("ida@example.com"));
        let (_, log) = app.get_html("/mail/log?status=geplant").await;
        assert!(log.contains("Keine E-Mails"), "nothing left scheduled");
    }
);

db_test!(send_times_that_cannot_be_meant_are_refused, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let id = create_user(&app, "Jan", "Falsch", "jan@example.com", "none").await;
    let before = app.dump();
    let yesterday = day_ahead(&app, -1);
    let far = day_ahead(&app, 400);
    for (date, time, says) in [
        (yesterday.as_str(), "10:00", "nicht in der Zukunft"),
        (far.as_str(), "10:00", "ein Jahr im Voraus"),
        ("9999-01-01", "10:00", "ein Jahr im Voraus"),
        ("2027-02-30", "10:00", "Datum wie"),
        ("2027-01-04", "25:00", "Uhrzeit wie"),
        ("", "10:00", "Bitte"),
        ("2027-01-04\u{0}", "10:00", "Datum wie"),
    ] {
        let res = schedule(&app, id, date, time).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date} {time}"
        );
        let page = res.text().await.unwrap();
        assert!(page.contains(says), "{date} {time}: {says}");
        assert!(page.contains("aria-invalid=\"true\""), "tied to the field");
    }
    assert_eq!(app.dump(), before, "nothing changed");
});

db_test!(
    a_reminder_goes_once_per_invitation_to_those_still_invited,
    |app| {
        use einlass::services::invitations::send_reminders;
        app.login_as("chef", AdminRole::Administrator).await;
        let anna = create_user(&app, "Anna", "Wartet", "anna@example.com", "invite_now").await;
        create_user(&app, "Bert", "Aktiv", "bert@example.com", "invite_now").await;
        let carl = create_user(&app, "Carl", "Weg", "carl@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        // Off by default.
        app.ctx.clock().advance(Duration::days(12));
        assert_eq!(send_reminders(&app.ctx).await.unwrap(), 0, "off by default");
        app.ctx.clock().advance(Duration::days(-12));
        app.db
            .sql("UPDATE organisation_settings SET reminder_days_before = 3");
        einlass::services::settings::reload(&app.ctx).await.unwrap();
        // Whose link is whose: each page names its person.
        let mut anna_link = None;
        let mut bert_link = None;
        for link in mailbox_links(&app, "/i/").await {
            let mut tab = TestApp::new_client();
            app.swap_browser(&mut tab);
            let (_, page) = open_link(&mut app, &link).await;
            app.swap_browser(&mut tab);
            if page.contains("Anna") {
                anna_link = Some(link);
            } else if page.contains("Bert") {
                bert_link = Some(link);
            }
        }
        let (anna_link, bert_link) = (anna_link.unwrap(), bert_link.unwrap());
        // Bert activates, Carl is revoked.
        let mut tab = TestApp::new_client();
        app.swap_browser(&mut tab);
        open_link(&mut app, &bert_link).await;
        let res = crate::invitations::activate_as(&app, "Bert", "Aktiv").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "Bert activated");
        app.swap_browser(&mut tab);
        let res = app.post(&format!("/users/{carl}/invite/revoke"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let expires = app
            .user("anna@example.com")
            .await
            .unwrap()
            .invitation_expires_at;
        // Ten days in: not yet (14 days valid, 3 days before).
        app.ctx.clock().advance(Duration::days(10));
        assert_eq!(send_reminders(&app.ctx).await.unwrap(), 0, "not yet");
        // Eleven days and a minute: Anna, once.
        app.ctx
            .clock()
            .advance(Duration::days(1) + Duration::minutes(1));
        assert_eq!(send_reminders(&app.ctx).await.unwrap(), 1, "Anna only");
        assert_eq!(send_reminders(&app.ctx).await.unwrap(), 0, "once");
        app.ctx.clock().advance(Duration::hours(1));
        assert_eq!(send_reminders(&app.ctx).await.unwrap(), 0, "still once");
        drain(&app.ctx).await.unwrap();
        app.login_as("chefin", AdminRole::Administrator).await;
        let (_, log) = app.get_html("/mail/log?kind=reminder").await;
        assert!(log.contains("anna@example.com"));
        assert!(!log.contains("bert@example.com") && !log.contains("carl@example.com"));
        assert_eq!(
            app.user("anna@example.com")
                .await
                .unwrap()
                .invitation_expires_at,
            expires,
            "the invitation's expiry stays"
        );
        // The reminder's link works; Anna's first one died.
        let newest = mailbox_links(&app, "/i/").await.remove(0);
        assert_ne!(newest, anna_link);
        let mut tab = TestApp::new_client();
        app.swap_browser(&mut tab);
        assert_eq!(open_link(&mut app, &newest).await.0, StatusCode::OK);
        assert_eq!(open_link(&mut app, &anna_link).await.0, StatusCode::GONE);
        app.swap_browser(&mut tab);
        // A new invitation may be reminded of again.
        let res = app.post(&format!("/users/{anna}/invite"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        app.ctx
            .clock()
            .advance(Duration::days(11) + Duration::minutes(1));
        assert_eq!(
            send_reminders(&app.ctx).await.unwrap(),
            1,
            "the renewed invitation"
        );
    }
);

db_test!(
    all_newly_created_and_a_bulk_invitation_can_be_scheduled,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        create_user(&app, "Kai", "Eins", "kai@example.com", "none").await;
        create_user(&app, "Lea", "Zwei", "lea@example.com", "none").await;
        let (status, page) = app.get_html("/users/invite-created").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("name=\"send_date\""));
        let before = app.dump();
        let res = app
            .post(
                "/users/invite-created",
                &[("send_date", "2001-01-01"), ("send_time", "09:00")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("nicht in der Zukunft"));
        assert_eq!(app.dump(), before, "nothing started");
        let date = day_ahead(&app, 2);
        let res = app
            .post(
                "/users/invite-created",
                &[("send_date", &date), ("send_time", "09:00")],
            )
            .await;
        let task = location(&res);
        let id: i64 = task.trim_start_matches("/tasks/").parse().unwrap();
        einlass::services::tasks::run_until_done(&app.ctx, id)
            .await
            .unwrap();
        let (_, page) = app.get_html(&task).await;
        assert!(page.contains("data-task-scheduled"), "the task says when");
        for who in ["kai@example.com", "lea@example.com"] {
            let u = app.user(who).await.unwrap();
            assert_eq!(
                (u.status, u.invite_delivery),
                (UserStatus::Eingeladen, Some(Delivery::Geplant))
            );
        }
        drain(&app.ctx).await.unwrap();
        assert!(
            mailbox_links(&app, "/i/").await.is_empty(),
            "not before its time"
        );
        // A bulk invitation with a send time on its confirmation.
        let mia = create_user(&app, "Mia", "Drei", "mia@example.com", "none").await;
        let res = app
            .post(
                "/users/bulk",
                &[("action", "invite"), ("user", &mia.to_string())],
            )
            .await;
        let page = res.text().await.unwrap();
        assert!(
            page.contains("name=\"send_date\""),
            "the confirmation offers a time"
        );
        let key = crate::support::value_of(&page, "input[name=form_key]").unwrap();
        let confirmed = crate::support::value_of(&page, "input[name=confirmed]").unwrap();
        let run = |date: String| {
            vec![
                ("action", "invite".to_owned()),
                ("user", mia.to_string()),
                ("form_key", key.clone()),
                ("confirmed", confirmed.clone()),
                ("send_date", date),
                ("send_time", "09:00".to_owned()),
            ]
        };
        let fields = run("9999-12-31".into());
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post("/users/bulk/run", &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("ein Jahr im Voraus"));
        let fields = run(date.clone());
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post("/users/bulk/run", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", fields);
        let id: i64 = location(&res)
            .trim_start_matches("/tasks/")
            .parse()
            .unwrap();
        einlass::services::tasks::run_until_done(&app.ctx, id)
            .await
            .unwrap();
        let u = app.user("mia@example.com").await.unwrap();
        assert_eq!(u.invite_delivery, Some(Delivery::Geplant));
        // Their time comes: all three go out.
        app.ctx.clock().advance(Duration::days(3));
        app.login_as("chefin", AdminRole::Administrator).await;
        drain(&app.ctx).await.unwrap();
        assert_eq!(mailbox_links(&app, "/i/").await.len(), 3);
    }
);
