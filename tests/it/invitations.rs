//! Invitations end to end: create → invite → the mail (in-app mailbox or a
//! real SMTP server) → the link → activation → sign-in; expiry on an
//! injected clock, renew, revoke, purpose binding, races, the nightly rules,
//! "Passwort vergessen", and no raw token anywhere.

use std::time::Duration as StdDuration;

use einlass::domain::{AdminRole, UserId, UserStatus};
use einlass::jobs::mail::drain;
use einlass::services::{self, Actor};
use reqwest::StatusCode;
use time::Duration;

use crate::support::smtp::{Received, link_in};
use crate::support::{TestApp, assert_redirect, extract_csrf, location};

const NEW_PASSWORD: &str = "Sonnenblume-Fahrrad-42";

/// Creates a user through the form; `mode` is the create form's choice
/// (`invite_now`, `none`, …). Returns his id.
pub(crate) async fn create_user(
    app: &TestApp,
    first: &str,
    last: &str,
    email: &str,
    mode: &str,
) -> i64 {
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", first),
                ("last_name", last),
                ("email", email),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", mode),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "created");
    app.user_id(email).await.get()
}

/// The path (and query) of an absolute link of this instance.
pub(crate) fn path_of(link: &str) -> String {
    let after_scheme = link.split_once("://").map_or(link, |(_, r)| r);
    after_scheme
        .find('/')
        .map_or("/".to_owned(), |i| after_scheme[i..].to_owned())
}

/// Every link of `path` in the in-app mailbox, newest first.
pub(crate) async fn mailbox_links(app: &TestApp, path: &str) -> Vec<String> {
    let (status, list) = app.get_html("/mail/mailbox").await;
    assert_eq!(status, StatusCode::OK);
    let mut links = Vec::new();
    for piece in list.split("href=\"/mail/mailbox/").skip(1) {
        let id: String = piece.chars().take_while(char::is_ascii_digit).collect();
        if id.is_empty() {
            continue;
        }
        let (_, message) = app.get_html(&format!("/mail/mailbox/{id}")).await;
        if let Some(link) = link_in(&message, path) {
            links.push(link);
        }
    }
    links
}

/// Opens a link in a fresh browser the way a phone would: GET the link,
/// follow to the clean page. Returns (status of the page, its body).
pub(crate) async fn open_link(app: &mut TestApp, link: &str) -> (StatusCode, String) {
    let res = app.get(&path_of(link)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{link}");
    let clean = location(&res);
    assert!(!clean.contains("EL"), "the token leaves the URL: {clean}");
    app.forget_csrf();
    app.get_html(&clean).await
}

/// The CSRF token and the link fingerprint of the form on a link page.
pub(crate) async fn form_keys(app: &TestApp, path: &str) -> (String, String) {
    let (_, body) = app.get_html(path).await;
    let link = crate::support::value_of(&body, "input[name=link]").unwrap_or_default();
    (extract_csrf(&body), link)
}

/// Submits the activation form of the link open in this browser.
pub(crate) async fn activate_as(app: &TestApp, first: &str, last: &str) -> reqwest::Response {
    let (csrf, link_fp) = form_keys(app, "/activate").await;
    app.post_raw(
        "/activate",
        &[
            ("csrf", &csrf),
            ("link", &link_fp),
            ("first_name", first),
            ("last_name", last),
            ("password", NEW_PASSWORD),
            ("password_repeat", NEW_PASSWORD),
        ],
    )
    .await
}

/// Every text column of every table, searched for any raw token.
fn assert_no_raw_token(app: &TestApp, tokens: &[&str]) {
    let dump = app.dump();
    for t in tokens {
        let token = t.rsplit('/').next().unwrap_or(t);
        assert!(
            !dump.contains(token),
            "raw token {token} found in the database"
        );
    }
    for prefix in ["ELI_", "ELR_", "ELC_", "ELS_"] {
        assert!(
            !dump.contains(prefix),
            "something shaped like a token ({prefix}) is stored"
        );
    }
}

db_test!(invite_and_activate_through_the_in_app_mailbox, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let id = create_user(&app, "Anna", "Müller", "anna@example.com", "invite_now").await;
    let anna = app.user("anna@example.com").await.unwrap();
    assert_eq!(anna.status, UserStatus::Eingeladen);
    drain(&app.ctx).await.unwrap();
    let (_, page) = app.get_html(&format!("/users/{id}")).await;
    assert!(page.contains("data-delivery=\"gesendet\""), "delivered");
    assert!(page.contains("eingeladen bis"), "the state at a glance");
    let links = mailbox_links(&app, "/i/").await;
    assert_eq!(links.len(), 1, "one invitation in the mailbox");
    let link = links[0].clone();
    assert!(link.starts_with(&app.ctx.settings().public_base_url));

    // GET and HEAD, three times each, in another browser: nothing changes.
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    let before = app.dump();
    for _ in 0..3 {
        let head = app
            .client
            .head(app.url(&path_of(&link)))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::SEE_OTHER);
        let (status, page) = open_link(&mut app, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Zugang einrichten"));
        assert!(page.contains("anna.mueller"), "his username is shown");
    }
    assert_eq!(app.dump(), before, "opening the link changed nothing");

    // Password policy applies; nothing is used up by a refused form.
    let (csrf, link_fp) = form_keys(&app, "/activate").await;
    let res = app
        .post_raw(
            "/activate",
            &[
                ("csrf", &csrf),
                ("link", &link_fp),
                ("first_name", "Anna"),
                ("last_name", "Müller"),
                ("password", "kurz"),
                ("password_repeat", "kurz"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.user("anna@example.com").await.unwrap().status,
        UserStatus::Eingeladen
    );

    let res = app
        .post_raw(
            "/activate",
            &[
                ("csrf", &csrf),
                ("link", &link_fp),
                ("first_name", "Anna"),
                ("last_name", "Müller-Lüdenscheidt"),
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_redirect(&res, "/welcome");
    app.forget_csrf();
    let (status, welcome) = app.get_html("/welcome").await;
    assert_eq!(status, StatusCode::OK);
    assert!(welcome.contains("Sie sind drin"));
    // Her address came with the invitation: nothing to confirm.
    assert!(!welcome.contains("data-unconfirmed"));
    // The back button to the form: signed in, she is sent on, not told
    // that her link is dead.
    let res = app.get("/activate").await;
    assert_redirect(&res, "/welcome");
    let anna = app.user("anna@example.com").await.unwrap();
    assert_eq!(anna.status, UserStatus::Aktiv);
    assert!(anna.email_confirmed);
    assert_eq!(anna.last_name, "Müller-Lüdenscheidt");

    // The link is used: it says so, and works no more.
    let (status, page) = open_link(&mut app, &link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("schon benutzt"));

    // He signs in on the same page as admins and lands on his own page.
    app.new_browser();
    let res = app.login("anna@example.com", NEW_PASSWORD).await;
    assert_redirect(&res, "/me");
    app.forget_csrf();
    let (status, me) = app.get_html("/me").await;
    assert_eq!(status, StatusCode::OK);
    assert!(me.contains("anna.mueller"));
    // Admin pages stay closed to him.
    for path in ["/", "/users", "/mail/mailbox", "/settings"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/me", "{path}");
    }
    assert_no_raw_token(&app, &[&link]);
});

smtp_test!(invite_through_a_real_smtp_server, [], |app, sink| {
    app.login_as("chef", AdminRole::Administrator).await;
    // A forged Host header must not reach the link.
    let token = app.csrf().await;
    let res = app
        .client
        .post(app.url("/users/new"))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::support::form_encode(&[
            ("csrf", &token),
            ("first_name", "Bernd"),
            ("last_name", "Özdemir"),
            ("email", "bernd@example.com"),
            ("user_type", "mitarbeiter"),
            ("start_password_mode", "invite_now"),
            ("then", "close"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    drain(&app.ctx).await.unwrap();
    let got = sink.wait_for(1, StdDuration::from_secs(10)).await;
    assert_eq!(got.len(), 1, "one message at the server");
    let m: &Received = &got[0];
    assert_eq!(m.rcpt_tos, vec!["bernd@example.com".to_owned()]);
    assert!(m.message_id.starts_with('<') && m.message_id.ends_with('>'));
    assert!(!m.date.is_empty(), "Date header");
    assert!(m.from.contains("einlass@werk.example"), "{}", m.from);
    assert!(m.to.contains("bernd@example.com"));
    assert!(m.subject.contains("Einladung"));
    let text_link = link_in(&m.text, "/i/").expect("link in the text part");
    let html_link = link_in(&m.html, "/i/").expect("link in the HTML part");
    assert_eq!(text_link, html_link);
    assert!(text_link.starts_with(&app.ctx.settings().public_base_url));
    assert!(!text_link.contains("evil"));
    assert!(m.html.contains("Özdemir") || m.text.contains("Özdemir"));

    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    let (status, _) = open_link(&mut app, &text_link).await;
    assert_eq!(status, StatusCode::OK);
    let res = activate_as(&app, "Bernd", "Özdemir").await;
    assert_redirect(&res, "/welcome");
    app.new_browser();
    assert_redirect(&app.login("bernd.oezdemir", NEW_PASSWORD).await, "/me");
    assert_no_raw_token(&app, &[&text_link]);
});

db_test!(the_link_works_until_its_last_second, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create_user(&app, "Carla", "Neu", "carla@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let link = mailbox_links(&app, "/i/").await.remove(0);
    let expires = app
        .user("carla@example.com")
        .await
        .unwrap()
        .invitation_expires_at
        .unwrap();
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    let now = app.ctx.now();
    app.ctx
        .clock()
        .advance(expires - now - Duration::seconds(1));
    let (status, page) = open_link(&mut app, &link).await;
    assert_eq!(status, StatusCode::OK, "one second before expiry");
    assert!(page.contains("Zugang einrichten"));
    let link_fp = crate::support::value_of(&page, "input[name=link]").unwrap();
    app.ctx.clock().advance(Duration::seconds(2));
    let (status, page) = open_link(&mut app, &link).await;
    assert_eq!(status, StatusCode::GONE, "one second after");
    assert!(page.contains("gilt nicht"));
    // A submit after expiry activates nothing.
    let csrf = extract_csrf(&page);
    let res = app
        .post_raw(
            "/activate",
            &[
                ("csrf", &csrf),
                ("link", &link_fp),
                ("first_name", "Carla"),
                ("last_name", "Neu"),
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::GONE);
    // The nightly rule makes the user inaktiv.
    services::rules::apply(&app.ctx).await.unwrap();
    assert_eq!(
        app.user("carla@example.com").await.unwrap().status,
        UserStatus::Inaktiv
    );
});

db_test!(
    the_delivery_filter_counts_each_live_persons_current_invitation,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let id = create_user(&app, "Erna", "Zweimal", "erna@example.com", "invite_now").await;
        create_user(&app, "Fritz", "Einmal", "fritz@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        let (_, page) = app.get_html("/users?delivery=gesendet").await;
        assert_eq!(crate::support::hits(&page), 2);
        // Renewed: two mails sent to Erna, she is one person in one state.
        app.post(&format!("/users/{id}/invite"), &[]).await;
        let (_, page) = app.get_html("/users?delivery=wartend").await;
        assert_eq!(crate::support::hits(&page), 1, "her current mail waits");
        assert!(page.contains("Zweimal"));
        let (_, page) = app.get_html("/users?delivery=gesendet").await;
        assert_eq!(
            crate::support::hits(&page),
            1,
            "her first mail is no longer hers to count"
        );
        drain(&app.ctx).await.unwrap();
        let (_, page) = app.get_html("/users?delivery=gesendet").await;
        assert_eq!(crate::support::hits(&page), 2);
        // Combined with another filter the same answer comes the other way.
        let (_, page) = app.get_html("/users?delivery=gesendet&q=Zweimal").await;
        assert_eq!(crate::support::hits(&page), 1);
        // Deleted: no longer counted.
        app.post(&format!("/users/{id}/delete"), &[]).await;
        let (_, page) = app.get_html("/users?delivery=gesendet").await;
        assert_eq!(crate::support::hits(&page), 1, "{page}");
        assert!(!page.contains("Zweimal"));
    }
);

db_test!(renew_revoke_and_purpose_binding, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let id = create_user(&app, "Dora", "Alt", "dora@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let first = mailbox_links(&app, "/i/").await.remove(0);
    // Renew: the old link dies, the new one works.
    let (status, page) = app.get_html(&format!("/users/{id}/invite")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an invited user can be invited again"
    );
    assert!(page.contains("dora@example.com"), "{page}");
    let res = app.post(&format!("/users/{id}/invite"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    drain(&app.ctx).await.unwrap();
    let links = mailbox_links(&app, "/i/").await;
    assert_eq!(links.len(), 2);
    let second = links.iter().find(|l| **l != first).unwrap().clone();
    // The log says where the invitations went, not that the address
    // changed, and a renewal's status that stayed is not a change.
    let (_, log) = app.get_html("/audit?q=dora").await;
    assert!(
        log.contains("Gesendet an:</span> <span class=\"count\">dora@example.com"),
        "{log}"
    );
    assert!(!log.contains("eingeladen</del>"), "{log}");
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    assert_eq!(open_link(&mut app, &first).await.0, StatusCode::GONE);
    assert_eq!(open_link(&mut app, &second).await.0, StatusCode::OK);
    // An invitation token is no reset token.
    let token = second.rsplit('/').next().unwrap();
    let (status, _) = open_link(&mut app, &format!("/r/{token}")).await;
    assert_eq!(
        status,
        StatusCode::GONE,
        "invitation token at the reset page"
    );
    // Revoke: dead at once.
    app.swap_browser(&mut chef);
    let res = app.post(&format!("/users/{id}/invite/revoke"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.user("dora@example.com").await.unwrap().status,
        UserStatus::Widerrufen
    );
    app.swap_browser(&mut chef);
    assert_eq!(open_link(&mut app, &second).await.0, StatusCode::GONE);
    assert_no_raw_token(&app, &[&first, &second]);
});

db_test!(two_redeems_at_once_activate_once, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create_user(&app, "Emil", "Zwei", "emil@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let link = mailbox_links(&app, "/i/").await.remove(0);
    let mut tabs = Vec::new();
    for _ in 0..4 {
        let mut tab = TestApp::new_client();
        app.swap_browser(&mut tab);
        open_link(&mut app, &link).await;
        let (csrf, link_fp) = form_keys(&app, "/activate").await;
        app.swap_browser(&mut tab);
        tabs.push((tab, csrf, link_fp));
    }
    let url = app.url("/activate");
    let posts = tabs.into_iter().map(|(tab, csrf, link_fp)| {
        let url = url.clone();
        tokio::spawn(async move {
            tab.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(crate::support::form_encode(&[
                    ("csrf", &csrf),
                    ("link", &link_fp),
                    ("first_name", "Emil"),
                    ("last_name", "Zwei"),
                    ("password", NEW_PASSWORD),
                    ("password_repeat", NEW_PASSWORD),
                ]))
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let mut statuses = Vec::new();
    for p in posts {
        statuses.push(p.await.unwrap());
    }
    let won = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(won, 1, "exactly one activation: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::GONE)
    );
    let dump = app.dump();
    let activations = dump.matches("user.activate").count();
    assert_eq!(activations, 1, "one audit entry");
});

db_test!(password_and_email_changes_kill_outstanding_links, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let id = create_user(&app, "Fritz", "Wechsel", "fritz@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let old = mailbox_links(&app, "/i/").await.remove(0);
    // The admin changes the unconfirmed address and chooses "später".
    let res = app
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("first_name", "Fritz"),
                ("last_name", "Wechsel"),
                ("username", "fritz.wechsel"),
                ("email", "fritz.neu@example.com"),
                ("user_type", "mitarbeiter"),
                ("invite", "later"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let fritz = app.user("fritz.neu@example.com").await.unwrap();
    assert_eq!(
        fritz.status,
        UserStatus::Widerrufen,
        "no dead link waits as eingeladen"
    );
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    assert_eq!(open_link(&mut app, &old).await.0, StatusCode::GONE);
    app.swap_browser(&mut chef);
    // "Jetzt senden" after the change: a new link to the new address.
    let res = app
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("first_name", "Fritz"),
                ("last_name", "Wechsel"),
                ("username", "fritz.wechsel"),
                ("email", "fritz.neu@example.com"),
                ("user_type", "mitarbeiter"),
                ("invite", "now"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    drain(&app.ctx).await.unwrap();
    let newest = mailbox_links(&app, "/i/").await.remove(0);
    assert_ne!(newest, old);
    // He activates, then asks for a reset link, then changes his password:
    // the reset link dies.
    app.swap_browser(&mut chef);
    open_link(&mut app, &newest).await;
    let res = activate_as(&app, "Fritz", "Wechsel").await;
    assert_redirect(&res, "/welcome");
    app.forget_csrf();
    services::self_service::request_reset(&app.ctx, "fritz.wechsel", "test")
        .await
        .unwrap();
    drain(&app.ctx).await.unwrap();
    app.swap_browser(&mut chef);
    let reset = mailbox_links(&app, "/r/").await.remove(0);
    app.swap_browser(&mut chef);
    let res = app
        .post(
            "/me/password",
            &[
                ("current_password", NEW_PASSWORD),
                ("new_password", "Ganz-anderes-Passwort-7"),
                ("repeat_password", "Ganz-anderes-Passwort-7"),
            ],
        )
        .await;
    assert_redirect(&res, "/me");
    let mut other = TestApp::new_client();
    app.swap_browser(&mut other);
    assert_eq!(open_link(&mut app, &reset).await.0, StatusCode::GONE);
});

db_test!(forgot_password_answers_the_same_for_everyone, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let active = create_user(&app, "Gina", "Aktiv", "gina@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let link = mailbox_links(&app, "/i/").await.remove(0);
    let blocked = create_user(&app, "Hugo", "Gesperrt", "hugo@example.com", "none").await;
    app.post(&format!("/users/{blocked}/deactivate"), &[]).await;
    create_user(&app, "Ida", "Angelegt", "ida@example.com", "none").await;
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    open_link(&mut app, &link).await;
    let res = activate_as(&app, "Gina", "Aktiv").await;
    assert_redirect(&res, "/welcome");
    let _ = active;
    // One anonymous browser asks for all four.
    app.new_browser();
    let mut answers = Vec::new();
    for who in [
        "gina@example.com",
        "niemand@example.com",
        "hugo@example.com",
        "ida@example.com",
    ] {
        let res = app.post("/forgot", &[("identifier", who)]).await;
        let status = res.status();
        let cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = res.text().await.unwrap();
        answers.push((who, status, cookies, body));
    }
    for (who, status, cookies, body) in &answers {
        assert_eq!(*status, answers[0].1, "{who}");
        assert_eq!(cookies, &answers[0].2, "{who}");
        assert_eq!(body, &answers[0].3, "{who}");
    }
    assert_eq!(answers[0].1, StatusCode::OK);
    drain(&app.ctx).await.unwrap();
    app.swap_browser(&mut chef);
    let resets = mailbox_links(&app, "/r/").await;
    assert_eq!(resets.len(), 1, "only the active account gets a mail");
    // The reset link: used once, the person is in, other sessions end.
    app.swap_browser(&mut chef);
    let (status, page) = open_link(&mut app, &resets[0]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("gina.aktiv"));
    let csrf = extract_csrf(&page);
    let link_fp = crate::support::value_of(&page, "input[name=link]").unwrap();
    let res = app
        .post_raw(
            "/reset",
            &[
                ("csrf", &csrf),
                ("link", &link_fp),
                ("password", "Neues-Passwort-99"),
                ("password_repeat", "Neues-Passwort-99"),
            ],
        )
        .await;
    assert_redirect(&res, "/welcome");
    let (status, _) = open_link(&mut app, &resets[0]).await;
    assert_eq!(status, StatusCode::GONE, "used once");
    // A reset token is no invitation token.
    let token = resets[0].rsplit('/').next().unwrap();
    assert_eq!(
        open_link(&mut app, &format!("/i/{token}")).await.0,
        StatusCode::GONE
    );
    app.new_browser();
    assert_redirect(&app.login("gina.aktiv", "Neues-Passwort-99").await, "/me");
    assert_no_raw_token(&app, &[&link, &resets[0]]);
});

/// Places the clock at a local wall time of Europe/Berlin.
fn set_berlin(app: &TestApp, y: i32, m: u8, d: u8, h: u8, min: u8, s: u8) {
    use time_tz::PrimitiveDateTimeExt;
    let local = time::PrimitiveDateTime::new(
        time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap(),
        time::Time::from_hms(h, min, s).unwrap(),
    );
    let zone = time_tz::timezones::get_by_name("Europe/Berlin").unwrap();
    let utc = local
        .assume_timezone(zone)
        .take_first()
        .unwrap()
        .to_offset(time::UtcOffset::UTC);
    let target = time::PrimitiveDateTime::new(utc.date(), utc.time());
    let now = app.ctx.now();
    app.ctx.clock().advance(target - now);
}

db_test!(reactivated_by_hand_must_sign_in_before_midnight, |app| {
    // Days in Europe/Berlin: an ordinary one, the one with 23 hours and
    // the one with 25.
    let admin = app.create_admin("chef", AdminRole::Administrator).await;
    let _ = admin;
    let actor = Actor::system("test");
    for (i, (y, m, d)) in [(2030, 1, 15), (2030, 3, 31), (2030, 10, 27)]
        .into_iter()
        .enumerate()
    {
        let email = format!("lena{i}@example.com");
        create_via_service(&app, &email).await;
        let id = app.user_id(&email).await;
        set_berlin(&app, y, m, d, 9, 0, 0);
        services::invitations::invite(&app.ctx, &actor, id, None, None)
            .await
            .unwrap();
        // The invitation runs out unused: inaktiv.
        app.ctx.clock().advance(Duration::days(15));
        services::rules::apply(&app.ctx).await.unwrap();
        assert_eq!(app.user(&email).await.unwrap().status, UserStatus::Inaktiv);
        // Reactivated by hand on the day (y, m, d) at 10:00 local.
        set_berlin(&app, y, m, d, 10, 0, 0);
        services::users::unblock(&app.ctx, &actor, id)
            .await
            .unwrap();
        assert_eq!(app.user(&email).await.unwrap().status, UserStatus::Aktiv);
        set_berlin(&app, y, m, d, 23, 59, 59);
        services::rules::apply(&app.ctx).await.unwrap();
        assert_eq!(
            app.user(&email).await.unwrap().status,
            UserStatus::Aktiv,
            "{y}-{m}-{d} 23:59:59"
        );
        app.ctx.clock().advance(Duration::seconds(1));
        services::rules::apply(&app.ctx).await.unwrap();
        assert_eq!(
            app.user(&email).await.unwrap().status,
            UserStatus::Inaktiv,
            "{y}-{m}-{d} 00:00:00"
        );
        // Idempotent.
        services::rules::apply(&app.ctx).await.unwrap();
        assert_eq!(app.user(&email).await.unwrap().status, UserStatus::Inaktiv);
    }
});

async fn create_via_service(app: &TestApp, email: &str) {
    use einlass::domain::{EmailAddress, PersonName, UserType};
    use einlass::services::users::{CreateUser, PersonData, StartPassword};
    let local = email.split('@').next().unwrap();
    let cmd = CreateUser {
        person: PersonData {
            salutation: None,
            first_name: PersonName::parse("Lena").unwrap(),
            last_name: PersonName::parse(local).unwrap(),
            email: Some(EmailAddress::parse(email).unwrap()),
            personnel_number: None,
            user_type: UserType::Mitarbeiter,
            groups: Vec::new(),
            admin_role: None,
        },
        username: None,
        start_password: StartPassword::None,
        form_key: None,
        handover: None,
        address_confirmed: false,
    };
    services::users::create(&app.ctx, &Actor::system("test"), cmd)
        .await
        .unwrap();
}

db_test!(invite_all_created_queues_and_says_what_it_skipped, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for i in 0..5 {
        create_via_service(&app, &format!("massen{i}@example.com")).await;
    }
    // One without an address.
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Ohne"),
                ("last_name", "Mail"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.post("/users/invite-created", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let task = crate::support::location(&res);
    assert!(task.starts_with("/tasks/"), "{task}");
    // The task page refreshes itself until the task is done.
    let page = finished_task_page(&app, &task).await;
    assert!(page.contains("data-task-state=\"fertig\""), "{page}");
    assert!(page.contains("data-count=\"done\">5<"), "{page}");
    assert!(page.contains("data-count=\"no_email\">1<"), "{page}");
    assert!(page.contains("keine E-Mail-Adresse"));
    assert!(
        !page.contains("http-equiv=\"refresh\""),
        "a finished task stops refreshing"
    );
    for i in 0..5 {
        let u = app.user(&format!("massen{i}@example.com")).await.unwrap();
        assert_eq!(u.status, UserStatus::Eingeladen);
    }
    drain(&app.ctx).await.unwrap();
    assert_eq!(mailbox_links(&app, "/i/").await.len(), 5);
    let (_, page) = app.get_html("/users?delivery=gesendet").await;
    assert_eq!(crate::support::hits(&page), 5, "filterable by delivery");
    // One summary entry in the audit log, beside each user's own.
    let (_, log) = app.get_html("/audit").await;
    assert!(
        log.contains("alle neu angelegten Benutzer eingeladen"),
        "{log}"
    );
    // Nobody left to invite: nothing happens twice. Just after the task
    // (a late double click) its page says it has just run.
    let res = app.post("/users/invite-created", &[]).await;
    assert_redirect(&res, &format!("{task}?again=1"));
    let (_, page) = app.get_html(&format!("{task}?again=1")).await;
    assert!(page.contains("eben gelaufen"), "{page}");
    // Later, the list says that nobody is left and who was left out.
    app.db
        .raw()
        .execute("UPDATE bulk_tasks SET finished_at = '2000-01-01 00:00:00'");
    let res = app.post("/users/invite-created", &[]).await;
    assert_redirect(&res, "/users");
    let (_, page) = app.get_html("/users").await;
    assert!(page.contains("Niemand zum Einladen"), "{page}");
    assert!(
        page.contains("1 übersprungen: keine E-Mail-Adresse"),
        "{page}"
    );
    drain(&app.ctx).await.unwrap();
    assert_eq!(mailbox_links(&app, "/i/").await.len(), 5);
});

fn chef_actor(id: UserId) -> Actor {
    Actor {
        user_id: Some(id),
        label: "chef".into(),
        role: AdminRole::Administrator,
    }
}

/// The task page once the task has ended (it refreshes itself meanwhile).
async fn finished_task_page(app: &TestApp, path: &str) -> String {
    for _ in 0..300 {
        let (status, page) = app.get_html(path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if !page.contains("data-task-state=\"laufend\"") {
            return page;
        }
        assert!(
            page.contains("http-equiv=\"refresh\""),
            "a running task refreshes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("task {path} did not end");
}

/// Background tasks run only when the test says so.
fn without_task_runner(url: &str) -> einlass::config::Config {
    let mut c = crate::support::test_config(url);
    c.tasks_in_serve = false;
    c
}

db_test!(
    a_double_click_starts_one_task_and_a_dead_runner_is_taken_over,
    without_task_runner,
    |app| {
        let chef = app.login_as("chef", AdminRole::Administrator).await;
        for i in 0..3 {
            create_via_service(&app, &format!("doppelt{i}@example.com")).await;
        }
        let actor = chef_actor(chef);
        // A runner takes the task and dies before its first chunk: the lease
        // holds it for a minute.
        let start = services::invitations::start_invite_all_created(&app.ctx, &actor)
            .await
            .unwrap();
        let id = start.task.expect("a task");
        let again = services::invitations::start_invite_all_created(&app.ctx, &actor)
            .await
            .unwrap();
        assert_eq!(again.task, Some(id), "the running task, not a second one");
        assert!(again.already_running);
        let res = app.post("/users/invite-created", &[]).await;
        assert_eq!(
            crate::support::location(&res),
            format!("/tasks/{id}?again=1")
        );
        let (_, page) = app.get_html(&format!("/tasks/{id}?again=1")).await;
        assert!(page.contains("läuft schon"), "{page}");
        app.db.raw().execute(&format!(
        "UPDATE bulk_tasks SET leased_by = 'dead-runner', lease_until = '2999-01-01 00:00:00' WHERE id = {id}"
    ));
        assert_eq!(
            services::tasks::run_pending(&app.ctx).await.unwrap(),
            0,
            "leased: not taken"
        );
        let u = app.user("doppelt0@example.com").await.unwrap();
        assert_eq!(u.status, UserStatus::Angelegt, "nothing done yet");
        // The lease runs out (a restart, another instance): the task is taken over.
        app.db.raw().execute(&format!(
            "UPDATE bulk_tasks SET lease_until = '2000-01-01 00:00:00' WHERE id = {id}"
        ));
        let view = services::tasks::run_until_done(&app.ctx, id).await.unwrap();
        assert_eq!((view.done, view.planned), (3, 3));
        for i in 0..3 {
            let u = app.user(&format!("doppelt{i}@example.com")).await.unwrap();
            assert_eq!(u.status, UserStatus::Eingeladen);
        }
        drain(&app.ctx).await.unwrap();
        assert_eq!(mailbox_links(&app, "/i/").await.len(), 3, "one mail each");
    }
);

db_test!(
    a_task_whose_admin_lost_his_rights_stops,
    without_task_runner,
    |app| {
        let chef = app.login_as("chef", AdminRole::Administrator).await;
        create_via_service(&app, "verwaist@example.com").await;
        let actor = chef_actor(chef);
        let id = services::invitations::start_invite_all_created(&app.ctx, &actor)
            .await
            .unwrap()
            .task
            .unwrap();
        // Before the runner's turn, the admin is demoted to read-only.
        app.db
            .raw()
            .execute("UPDATE users SET admin_role = 'lesezugriff' WHERE username = 'chef'");
        let view = services::tasks::run_until_done(&app.ctx, id).await.unwrap();
        assert_eq!(view.state, einlass::domain::tasks::TaskState::Abgebrochen);
        assert_eq!(view.done, 0);
        let u = app.user("verwaist@example.com").await.unwrap();
        assert_eq!(u.status, UserStatus::Angelegt, "nothing done in his name");
    }
);

db_test!(inviting_needs_an_address, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Kein"),
                ("last_name", "Postfach"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "invite_now"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("Für eine Einladung per E-Mail ist eine E-Mail-Adresse nötig"));
    assert_eq!(app.count_users().await, 1, "nothing saved");
    // Created without one, "Einladung senden" asks for the address first.
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", "Kein"),
                ("last_name", "Postfach"),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = app.user_id("kein.postfach").await.get();
    let (status, page) = app.get_html(&format!("/users/{id}/invite")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"email\""));
    let res = app
        .post(&format!("/users/{id}/invite"), &[("email", "kein@")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &format!("/users/{id}/invite"),
            &[("email", "kein@example.com")],
        )
        .await;
    assert_redirect(&res, &format!("/users/{id}"));
    assert_eq!(
        app.user("kein.postfach").await.unwrap().status,
        UserStatus::Eingeladen
    );
    // A deactivated person gets no invitation form, but the answer.
    let res = app.post(&format!("/users/{id}/deactivate"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.get(&format!("/users/{id}/invite")).await;
    assert_redirect(&res, &format!("/users/{id}"));
    let (_, page) = app.get_html(&format!("/users/{id}")).await;
    assert!(
        page.contains("im aktuellen Status des Benutzers nicht möglich"),
        "{page}"
    );
});

db_test!(a_form_of_an_older_link_does_not_act_on_a_newer_one, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create_user(&app, "Ida", "Test", "ida@example.com", "invite_now").await;
    create_user(&app, "Hans", "Test", "hans@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let links = mailbox_links(&app, "/i/").await;
    assert_eq!(links.len(), 2);
    let (hans_link, ida_link) = (links[0].clone(), links[1].clone());
    let mut chef = TestApp::new_client();
    app.swap_browser(&mut chef);
    // Ida's form in one tab, then Hans's link opened in another tab.
    let (_, ida_page) = open_link(&mut app, &ida_link).await;
    assert!(ida_page.contains("ida.test"));
    let (csrf, ida_fp) = form_keys(&app, "/activate").await;
    open_link(&mut app, &hans_link).await;
    let res = app
        .post_raw(
            "/activate",
            &[
                ("csrf", &csrf),
                ("link", &ida_fp),
                ("first_name", "Ida"),
                ("last_name", "Test"),
                ("password", NEW_PASSWORD),
                ("password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("hans.test"), "the form of the link now open");
    assert_eq!(
        app.user("hans@example.com").await.unwrap().status,
        UserStatus::Eingeladen
    );
    assert_eq!(
        app.user("hans@example.com").await.unwrap().last_name,
        "Test"
    );
    assert_eq!(
        app.user("ida@example.com").await.unwrap().status,
        UserStatus::Eingeladen
    );
});

db_test!(a_link_path_cannot_set_cookie_attributes, |app| {
    let res = app
        .get("/i/abc%3B%20Domain%3D127.0.0.1%3B%20Path%3D%2F")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for cookie in res.headers().get_all("set-cookie") {
        let c = cookie.to_str().unwrap();
        assert!(!c.contains("Domain="), "{c}");
        assert!(!c.starts_with("einlass_invite=abc"), "{c}");
    }
});

db_test!(
    an_expired_invitee_comes_back_through_forgot_password,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        create_user(&app, "Olaf", "Spaet", "olaf@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        app.ctx.clock().advance(Duration::days(15));
        services::rules::apply(&app.ctx).await.unwrap();
        assert_eq!(
            app.user("olaf@example.com").await.unwrap().status,
            UserStatus::Inaktiv
        );
        let mut chef = TestApp::new_client();
        app.swap_browser(&mut chef);
        let res = app
            .post("/forgot", &[("identifier", "olaf@example.com")])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        drain(&app.ctx).await.unwrap();
        // The admin's session ran out while the clock moved: sign in again.
        app.swap_browser(&mut chef);
        app.new_browser();
        app.sign_in("chef").await;
        let reset = mailbox_links(&app, "/r/").await.remove(0);
        app.new_browser();
        let (status, page) = open_link(&mut app, &reset).await;
        assert_eq!(status, StatusCode::OK);
        let csrf = extract_csrf(&page);
        let link_fp = crate::support::value_of(&page, "input[name=link]").unwrap();
        let res = app
            .post_raw(
                "/reset",
                &[
                    ("csrf", &csrf),
                    ("link", &link_fp),
                    ("password", NEW_PASSWORD),
                    ("password_repeat", NEW_PASSWORD),
                ],
            )
            .await;
        assert_redirect(&res, "/welcome");
        let olaf = app.user("olaf@example.com").await.unwrap();
        assert_eq!(
            olaf.status,
            UserStatus::Aktiv,
            "inaktiv becomes aktiv through a reset"
        );
        assert!(olaf.email_confirmed);
    }
);

db_test!(an_activated_person_may_add_his_own_photo, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    create_user(&app, "Pia", "Bild", "pia@example.com", "invite_now").await;
    drain(&app.ctx).await.unwrap();
    let link = mailbox_links(&app, "/i/").await.remove(0);
    app.new_browser();
    open_link(&mut app, &link).await;
    let res = activate_as(&app, "Pia", "Bild").await;
    assert_redirect(&res, "/welcome");
    app.forget_csrf();
    let (_, me) = app.get_html("/me").await;
    let token = extract_csrf(&me);
    let send = |bytes: Vec<u8>, name: &str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", token.clone())
            .part(
                "photo",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        app.client.post(app.url("/me/photo")).multipart(form).send()
    };
    // Not an image: a clear field error, nothing stored.
    let res = send(b"not a picture".to_vec(), "x.png").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("photo-error"));
    let res = send(crate::photos::png(900, 600), "pia.png").await.unwrap();
    assert_redirect(&res, "/me");
    let photo = app.get("/me/photo").await;
    assert_eq!(photo.status(), StatusCode::OK);
    assert_eq!(photo.headers()["content-type"], "image/jpeg", "re-encoded");
    let bytes = photo.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert!(
        img.width() <= 512 && img.height() <= 512,
        "shrunk like an admin's upload"
    );
});
