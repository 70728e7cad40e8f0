//! "Erneut senden" from the email log and the blocked addresses: a fresh
//! link that kills the old one, the right offer when there is nothing to
//! resend, one copy per double click, at most three copies per hour, and a
//! 550 that blocks an address until an admin unblocks it.

use std::time::Duration as StdDuration;

use einlass::domain::{AdminRole, UserStatus};
use einlass::jobs::mail::drain;
use reqwest::StatusCode;
use time::Duration;

use crate::invitations::{activate_as, create_user, mailbox_links, open_link};
use crate::support::smtp::link_in;
use crate::support::{TestApp, location, rows_of};

/// The newest message of the log (its id).
async fn newest_message(app: &TestApp) -> i64 {
    let (_, page) = app.get_html("/mail/log").await;
    page.split("data-message=\"")
        .nth(1)
        .and_then(|p| p.split('"').next()?.parse().ok())
        .expect("a message in the log")
}

/// Posts "Erneut senden" for a message; where it leads.
async fn resend(app: &TestApp, id: i64) -> String {
    let res = app.post(&format!("/mail/log/{id}/resend"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "resend {id}");
    let to = location(&res);
    assert!(to.starts_with("/mail/log/"), "{to}");
    to
}

fn messages(app: &TestApp) -> usize {
    rows_of(&app.dump(), "outbox_messages").len()
}

smtp_test!(
    a_resent_invitation_has_a_fresh_link_and_the_old_one_dies,
    [],
    |app, sink| {
        app.login_as("chef", AdminRole::Administrator).await;
        create_user(&app, "Anna", "Neu", "anna@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        let first = sink.wait_for(1, StdDuration::from_secs(10)).await;
        let old_link = link_in(&first[0].text, "/i/").expect("a link");
        let original = newest_message(&app).await;
        let (_, info) = app.get_html(&format!("/mail/log/{original}")).await;
        assert!(info.contains(&format!("action=\"/mail/log/{original}/resend\"")));
        assert!(
            info.contains("neuen Link"),
            "the page says a fresh link goes out"
        );
        // A double click: two posts, one copy.
        let to = resend(&app, original).await;
        let again = resend(&app, original).await;
        assert_eq!(to, again, "the second click shows the same copy");
        let copy: i64 = to.trim_start_matches("/mail/log/").parse().unwrap();
        assert_ne!(copy, original);
        assert_eq!(messages(&app), 2, "one copy");
        drain(&app.ctx).await.unwrap();
        let got = sink.wait_for(2, StdDuration::from_secs(10)).await;
        assert_eq!(got.len(), 2);
        let new_link = got
            .iter()
            .filter_map(|m| link_in(&m.text, "/i/"))
            .find(|l| *l != old_link)
            .expect("a fresh link");
        // The old link is dead, the new one activates the account.
        let mut chef = TestApp::new_client();
        app.swap_browser(&mut chef);
        assert_eq!(open_link(&mut app, &old_link).await.0, StatusCode::GONE);
        assert_eq!(open_link(&mut app, &new_link).await.0, StatusCode::OK);
        let res = activate_as(&app, "Anna", "Neu").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "activated");
        assert_eq!(
            app.user("anna@example.com").await.unwrap().status,
            UserStatus::Aktiv
        );
        // Active now: nothing to resend, and the page says so.
        app.swap_browser(&mut chef);
        let (_, info) = app.get_html(&format!("/mail/log/{copy}")).await;
        assert!(info.contains("schon aktiviert"), "nothing to do");
        assert!(!info.contains(&format!("action=\"/mail/log/{copy}/resend\"")));
        assert_eq!(resend(&app, copy).await, format!("/mail/log/{copy}"));
        assert_eq!(messages(&app), 2, "nothing queued");
        let (_, audit) = app.get_html("/audit").await;
        assert!(audit.contains("erneut gesendet"), "audited");
    }
);

db_test!(
    a_revoked_invitation_is_not_resent_but_can_be_renewed,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let id = create_user(&app, "Bernd", "Weg", "bernd@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        let original = newest_message(&app).await;
        let res = app.post(&format!("/users/{id}/invite/revoke"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, info) = app.get_html(&format!("/mail/log/{original}")).await;
        assert!(info.contains("widerrufen"), "the page says why");
        assert!(
            info.contains(&format!("href=\"/users/{id}/invite\"")),
            "and offers to renew"
        );
        assert_eq!(
            resend(&app, original).await,
            format!("/mail/log/{original}")
        );
        let (_, after) = app.get_html(&format!("/mail/log/{original}")).await;
        assert!(after.contains("Nicht erneut gesendet"), "the flash says so");
        assert_eq!(messages(&app), 1, "nothing queued");
        assert_eq!(
            app.user("bernd@example.com").await.unwrap().status,
            UserStatus::Widerrufen
        );
        // An expired one offers the same.
        let other = create_user(&app, "Carla", "Alt", "carla@example.com", "invite_now").await;
        let late = newest_message(&app).await;
        app.ctx.clock().advance(Duration::days(400));
        app.login_as("chefin", AdminRole::Administrator).await;
        let (_, info) = app.get_html(&format!("/mail/log/{late}")).await;
        assert!(info.contains("abgelaufen"), "expired");
        assert!(info.contains(&format!("href=\"/users/{other}/invite\"")));
    }
);

db_test!(resending_is_limited_per_recipient_and_hour, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create_user(&app, "Dora", "Oft", "dora@example.com", "invite_now").await;
    let mut current = newest_message(&app).await;
    for _ in 0..3 {
        let to = resend(&app, current).await;
        let next: i64 = to.trim_start_matches("/mail/log/").parse().unwrap();
        assert_ne!(next, current, "a copy");
        current = next;
    }
    assert_eq!(messages(&app), 4);
    // The fourth copy within the hour is refused, clearly.
    let (_, info) = app.get_html(&format!("/mail/log/{current}")).await;
    assert!(
        info.contains("letzten Stunde schon 3-mal"),
        "the limit is named"
    );
    assert_eq!(resend(&app, current).await, format!("/mail/log/{current}"));
    assert_eq!(messages(&app), 4, "nothing queued");
    // An hour later it may go again; the mailbox has only the newest link.
    app.ctx.clock().advance(Duration::minutes(61));
    app.login_as("chefin", AdminRole::Administrator).await;
    let to = resend(&app, current).await;
    assert_ne!(to, format!("/mail/log/{current}"));
    assert_eq!(messages(&app), 5);
    drain(&app.ctx).await.unwrap();
    assert_eq!(
        mailbox_links(&app, "/i/").await.len(),
        1,
        "older copies were cancelled unsent"
    );
    // An address of an internationalised domain counts the same way (the
    // allowance is kept by mailbox, whichever way the domain is written).
    create_user(
        &app,
        "Ida",
        "Punycode",
        "ida@xn--mller-kva.de",
        "invite_now",
    )
    .await;
    let mut current = newest_message(&app).await;
    for _ in 0..3 {
        let to = resend(&app, current).await;
        current = to.trim_start_matches("/mail/log/").parse().unwrap();
    }
    let before = messages(&app);
    assert_eq!(resend(&app, current).await, format!("/mail/log/{current}"));
    assert_eq!(messages(&app), before, "the fourth is refused");
});

db_test!(two_admins_resending_at_once_make_one_copy, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create_user(&app, "Emil", "Zwei", "emil@example.com", "invite_now").await;
    let original = newest_message(&app).await;
    let path = format!("/mail/log/{original}/resend");
    let (a, b, c) = tokio::join!(
        app.post(&path, &[]),
        app.post(&path, &[]),
        app.post(&path, &[])
    );
    let to: Vec<String> = [a, b, c].iter().map(location).collect();
    assert!(to.windows(2).all(|w| w[0] == w[1]), "{to:?}");
    assert_eq!(messages(&app), 2, "one copy");
});

smtp_test!(
    a_550_blocks_the_address_until_it_is_unblocked,
    ["--reject", "^nein@"],
    |app, sink| {
        app.login_as("chef", AdminRole::Administrator).await;
        let id = create_user(&app, "Nils", "Nein", "nein@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        let failed = newest_message(&app).await;
        let (_, blocked) = app.get_html("/mail/blocked").await;
        assert!(blocked.contains("nein@example.com"), "listed");
        assert!(blocked.contains("User unknown"), "with the server's answer");
        let (_, list) = app.get_html("/users?q=nein").await;
        assert!(
            list.contains("Adresse gesperrt"),
            "the user list shows the block"
        );
        // Blocked: the resend is refused and points at the list.
        let (_, info) = app.get_html(&format!("/mail/log/{failed}")).await;
        assert!(info.contains("gesperrt"));
        assert!(info.contains("href=\"/mail/blocked?q=nein%40example.com\""));
        assert_eq!(resend(&app, failed).await, format!("/mail/log/{failed}"));
        // A read-only admin cannot unblock.
        let mut reader = TestApp::new_client();
        app.swap_browser(&mut reader);
        app.login_as("leser", AdminRole::Lesezugriff).await;
        let res = app
            .post("/mail/blocked/unblock", &[("address", "nein@example.com")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        app.swap_browser(&mut reader);
        // Unblock (audited), then send again: it is tried again for real.
        let res = app
            .post("/mail/blocked/unblock", &[("address", "NEIN@example.com")])
            .await;
        assert_eq!(location(&res), "/mail/blocked");
        let (_, blocked) = app.get_html("/mail/blocked").await;
        assert!(blocked.contains("Die Adresse ist entsperrt"));
        assert!(!blocked.contains("data-address=\"nein@example.com\""));
        let (_, user) = app.get_html(&format!("/users/{id}")).await;
        assert!(!user.contains("Diese Adresse ist gesperrt"));
        let (_, audit) = app.get_html("/audit").await;
        assert!(audit.contains("entsperrt"), "audited");
        let to = resend(&app, failed).await;
        let copy: i64 = to.trim_start_matches("/mail/log/").parse().unwrap();
        assert_ne!(copy, failed);
        drain(&app.ctx).await.unwrap();
        let (_, info) = app.get_html(&format!("/mail/log/{copy}")).await;
        assert!(
            info.contains("data-status=\"fehlgeschlagen\""),
            "sent and refused again"
        );
        assert!(info.contains("User unknown"));
        assert!(sink.messages().is_empty(), "the server took nothing");
        let (_, blocked) = app.get_html("/mail/blocked").await;
        assert!(
            blocked.contains("data-address=\"nein@example.com\""),
            "blocked again"
        );
    }
);
