//! /users/{id}/qr: the activation link as a QR code. The PNG is read by a
//! real decoder (Debian's zbarimg, installed by `.ci/run`; elsewhere the
//! decoding is skipped unless CI=true) and the link it holds activates the
//! account; a new code kills every older link; the code shows only in the
//! browser and session that made it, and only while its link lives.

use einlass::domain::people::LinkState;
use einlass::domain::token::PlainToken;
use einlass::domain::{AdminRole, UserStatus};
use einlass::jobs::mail::drain;
use einlass::services;
use reqwest::StatusCode;

use crate::invitations::{activate_as, create_user, mailbox_links, open_link, path_of};
use crate::support::{TestApp, assert_redirect, value_of};

/// What zbarimg reads in a PNG; `None` when zbarimg is not installed here
/// (a failure under CI).
pub(crate) fn decode(png: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("einlass-qr-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("code.png");
    std::fs::write(&file, png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw", "-Sbinary"])
        .arg(&file)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(o) => {
            assert!(o.status.success(), "zbarimg found no code");
            Some(String::from_utf8(o.stdout).unwrap().trim_end().to_owned())
        }
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("the QR tests need zbarimg (Debian zbar-tools, see .ci/run)")
        }
        Err(_) => {
            eprintln!("QR decoding skipped: no zbarimg");
            None
        }
    }
}

fn rand_suffix() -> String {
    einlass::domain::token::random_secret()[..12].to_owned()
}

/// Creates a person without an address (status `angelegt`), first name
/// `Pia` unless the username starts with another one (`zoe.z` is Zoe).
async fn create_without_email(app: &TestApp, username: &str) -> i64 {
    let first = match username.split('.').next() {
        Some("zoe") => "Zoe",
        Some("bea") => "Bea",
        _ => "Pia",
    };
    let res = app
        .post(
            "/users/new",
            &[
                ("first_name", first),
                ("last_name", "Ohnemail"),
                ("username", username),
                ("user_type", "mitarbeiter"),
                ("start_password_mode", "none"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.user_id(username).await.get()
}

/// Makes a code on the person's QR page; returns the link the page shows.
async fn make_code(app: &TestApp, id: i64) -> String {
    let res = app.post(&format!("/users/{id}/qr"), &[]).await;
    assert_redirect(&res, &format!("/users/{id}/qr"));
    let (status, page) = app.get_html(&format!("/users/{id}/qr")).await;
    assert_eq!(status, StatusCode::OK);
    value_of(&page, "input#qr-link").expect("the page shows the link")
}

async fn is_live(app: &TestApp, link: &str) -> bool {
    let token = link.rsplit('/').next().unwrap();
    let state = services::invitations::link_state(&app.ctx, &PlainToken::from_untrusted(token))
        .await
        .unwrap();
    matches!(state, LinkState::Live(_))
}

db_test!(a_qr_code_holds_the_link_and_the_link_activates, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let id = create_without_email(&app, "pia.o").await;
    let (_, user_page) = app.get_html(&format!("/users/{id}")).await;
    assert!(user_page.contains(&format!("href=\"/users/{id}/qr\"")));
    // Before: what a code does, and the button; no image.
    let (_, page) = app.get_html(&format!("/users/{id}/qr")).await;
    assert!(page.contains("QR-Code erzeugen"), "{page}");
    assert!(page.contains("früheren Einladungslinks"), "{page}");
    assert!(!page.contains("code.png"));
    let link = make_code(&app, id).await;
    let base = app.ctx.settings().public_base_url.clone();
    assert!(link.starts_with(base.trim_end_matches('/')), "{link}");
    assert!(path_of(&link).starts_with("/i/ELI_"), "{link}");
    assert_eq!(
        app.user("pia.o").await.unwrap().status,
        UserStatus::Eingeladen
    );
    // The image, its download and the SVG.
    let res = app.get(&format!("/users/{id}/qr/code.png")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    let png = res.bytes().await.unwrap();
    if let Some(text) = decode(&png) {
        assert_eq!(text, link, "the code holds exactly the link");
    }
    let res = app
        .get(&format!("/users/{id}/qr/code.png?download=1"))
        .await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment; filename=\"einladung-pia.o.png\"")
    );
    let res = app.get(&format!("/users/{id}/qr/code.svg")).await;
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().contains("<svg"));
    // The letter names the person, the link and the login address.
    let (status, letter) = app.get_html(&format!("/users/{id}/qr/letter")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        letter.contains("Pia Ohnemail") && letter.contains(&link),
        "{letter}"
    );
    assert!(letter.contains("pia.o"));
    // No mail went out: nobody has an address here.
    assert!(mailbox_links(&app, "/i/").await.is_empty());
    // A phone opens the link and activates.
    let mut phone = TestApp::new_client();
    let mut app = app;
    app.swap_browser(&mut phone);
    let (status, page) = open_link(&mut app, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let res = activate_as(&app, "Pia", "Ohnemail").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.swap_browser(&mut phone);
    let pia = app.user("pia.o").await.unwrap();
    assert_eq!(pia.status, UserStatus::Aktiv);
    // Used: the admin's page shows no code any more.
    let res = app.get(&format!("/users/{id}/qr/code.png")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, page) = app.get_html(&format!("/users/{id}/qr")).await;
    assert!(!page.contains("code.png"), "{page}");
});

db_test!(
    a_new_code_kills_older_links_and_shows_only_where_it_was_made,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let id = create_user(&app, "Max", "Post", "max@example.com", "invite_now").await;
        drain(&app.ctx).await.unwrap();
        let mailed = mailbox_links(&app, "/i/").await;
        assert_eq!(mailed.len(), 1);
        assert!(is_live(&app, &mailed[0]).await);
        let first = make_code(&app, id).await;
        assert!(!is_live(&app, &mailed[0]).await, "the mailed link died");
        assert!(is_live(&app, &first).await);
        let second = make_code(&app, id).await;
        assert_ne!(first, second);
        assert!(!is_live(&app, &first).await, "the first code died");
        assert!(is_live(&app, &second).await);
        // Another admin (another browser and session) sees no code.
        let mut other = TestApp::new_client();
        let mut app = app;
        app.swap_browser(&mut other);
        app.login_as("kollegin", AdminRole::Administrator).await;
        let (_, page) = app.get_html(&format!("/users/{id}/qr")).await;
        assert!(!page.contains("code.png") && !page.contains(&second));
        let res = app.get(&format!("/users/{id}/qr/code.png")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        app.swap_browser(&mut other);
        // A renewal by mail ends the code on the page too.
        let res = app.post(&format!("/users/{id}/invite"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(!is_live(&app, &second).await);
        let res = app.get(&format!("/users/{id}/qr/code.png")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // "Fertig" ends the showing, not the link.
        let third = make_code(&app, id).await;
        let res = app.post(&format!("/users/{id}/qr/done"), &[]).await;
        assert_redirect(&res, &format!("/users/{id}"));
        let (_, page) = app.get_html(&format!("/users/{id}/qr")).await;
        assert!(!page.contains(&third));
        assert!(
            page.contains("data-live-link"),
            "the page says a link is live: {page}"
        );
        assert!(is_live(&app, &third).await);
        // A code handed over by hand does not confirm the address on file:
        // its own confirmation mail does.
        let mut phone = TestApp::new_client();
        app.swap_browser(&mut phone);
        let (status, _) = open_link(&mut app, &third).await;
        assert_eq!(status, StatusCode::OK);
        let res = activate_as(&app, "Max", "Post").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        app.swap_browser(&mut phone);
        let max = app.user("max@example.com").await.unwrap();
        assert_eq!(max.status, UserStatus::Aktiv);
        assert!(!max.email_confirmed);
        drain(&app.ctx).await.unwrap();
        assert_eq!(mailbox_links(&app, "/c/").await.len(), 1);
    }
);

db_test!(
    codes_need_the_right_to_manage_people_and_a_status_that_invites,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let id = create_without_email(&app, "lea.l").await;
        let active = create_without_email(&app, "ali.a").await;
        make_code(&app, active).await;
        let link = value_of(
            &app.get_html(&format!("/users/{active}/qr")).await.1,
            "input#qr-link",
        )
        .unwrap();
        let mut phone = TestApp::new_client();
        let mut app = app;
        app.swap_browser(&mut phone);
        open_link(&mut app, &link).await;
        activate_as(&app, "Ali", "A").await;
        app.swap_browser(&mut phone);
        // An active person gets no code: the page says why, a POST is refused.
        let (_, page) = app.get_html(&format!("/users/{active}/qr")).await;
        assert!(
            page.contains("kein Einladungslink erzeugt werden"),
            "{page}"
        );
        let before = app.dump();
        let res = app.post(&format!("/users/{active}/qr"), &[]).await;
        assert_ne!(res.status(), StatusCode::OK);
        assert!(!res.status().is_server_error());
        let after = app.dump();
        let changed: Vec<_> = after.lines().filter(|l| !before.contains(l)).collect();
        assert!(changed.is_empty(), "nothing changed: {changed:?}");
        // Read-only admins see no code and make none.
        let mut reader = TestApp::new_client();
        app.swap_browser(&mut reader);
        app.login_as("leser", AdminRole::Lesezugriff).await;
        let res = app.post(&format!("/users/{id}/qr"), &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.user("lea.l").await.unwrap().status,
            UserStatus::Angelegt
        );
    }
);

/// The letters page's letters: (user id, the link printed on it).
fn letters_on(page: &str) -> Vec<(i64, String)> {
    let doc = scraper::Html::parse_document(page);
    let letter = scraper::Selector::parse("article.letter").unwrap();
    let img = scraper::Selector::parse("img.letter-code").unwrap();
    let link = scraper::Selector::parse(".letter-link").unwrap();
    doc.select(&letter)
        .map(|a| {
            let src = a.select(&img).next().unwrap().value().attr("src").unwrap();
            let id = src.rsplit('/').next().unwrap().trim_end_matches(".png");
            let text = a.select(&link).next().unwrap().text().collect::<String>();
            (id.parse().unwrap(), text.trim().to_owned())
        })
        .collect()
}

db_test!(
    letters_for_a_group_one_page_each_from_the_group_page,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let zoe = create_without_email(&app, "zoe.z").await;
        let bea = create_without_email(&app, "bea.b").await;
        // Already in: no letter for him.
        let res = app
            .post(
                "/users/new",
                &[
                    ("first_name", "Aktiv"),
                    ("last_name", "Schon"),
                    ("username", "aktiv.s"),
                    ("user_type", "mitarbeiter"),
                    ("start_password_mode", "generate"),
                    ("then", "close"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let aktiv = app.user_id("aktiv.s").await.get();
        let res = app.post("/groups", &[("name", "Lager")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let group = app.unit_id("groups", "Lager").await;
        for id in [zoe, bea, aktiv] {
            let res = app
                .post(
                    "/users/bulk",
                    &[
                        ("action", "add_to_group"),
                        ("group", &group.to_string()),
                        ("user", &id.to_string()),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        // The group page offers the letters; the confirmation counts.
        let (_, page) = app.get_html(&format!("/groups/{group}")).await;
        assert!(page.contains("data-letters-for-members"), "{page}");
        let res = app
            .post(
                "/users/bulk",
                &[
                    ("action", "letters"),
                    ("scope", "filter"),
                    ("f_group", &group.to_string()),
                    ("back", &format!("/groups/{group}")),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("data-count=\"affected\"><strong>2<"),
            "{page}"
        );
        assert!(page.contains("data-skip=\"status\""), "{page}");
        let key = value_of(&page, "input[name=form_key]").unwrap();
        let confirmed = value_of(&page, "input[name=confirmed]").unwrap();
        let group_s = group.to_string();
        let run = [
            ("action", "letters"),
            ("scope", "filter"),
            ("f_group", group_s.as_str()),
            ("form_key", key.as_str()),
            ("confirmed", confirmed.as_str()),
        ];
        let res = app.post("/users/bulk/run", &run).await;
        let at = crate::support::location(&res);
        assert!(at.starts_with("/letters/"), "{at}");
        // A double submit makes no second set (the first stays valid).
        let again = app.post("/users/bulk/run", &run).await;
        assert_eq!(crate::support::location(&again), at);
        let (status, page) = app.get_html(&at).await;
        assert_eq!(status, StatusCode::OK);
        let letters = letters_on(&page);
        // One page each, in name order (Bea before Zoe), none for Aktiv.
        assert_eq!(
            letters.iter().map(|l| l.0).collect::<Vec<_>>(),
            vec![bea, zoe],
            "{page}"
        );
        for (id, link) in &letters {
            assert!(is_live(&app, link).await, "{link}");
            let res = app.get(&format!("{at}/{id}.png")).await;
            assert_eq!(res.status(), StatusCode::OK);
            if let Some(text) = decode(&res.bytes().await.unwrap()) {
                assert_eq!(&text, link);
            }
        }
        assert_eq!(
            app.user("zoe.z").await.unwrap().status,
            UserStatus::Eingeladen
        );
        // Another admin sees no letters and no codes.
        let mut other = TestApp::new_client();
        let mut app = app;
        app.swap_browser(&mut other);
        app.login_as("kollege", AdminRole::Administrator).await;
        let (status, page) = app.get_html(&at).await;
        assert_eq!(status, StatusCode::OK);
        assert!(letters_on(&page).is_empty());
        let res = app.get(&format!("{at}/{zoe}.png")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        app.swap_browser(&mut other);
        // Bea activates with her letter; then hers is no longer shown.
        let bea_link = letters[0].1.clone();
        let mut phone = TestApp::new_client();
        app.swap_browser(&mut phone);
        let (status, _) = open_link(&mut app, &bea_link).await;
        assert_eq!(status, StatusCode::OK);
        let res = activate_as(&app, "Bea", "Ohnemail").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        app.swap_browser(&mut phone);
        let (_, page) = app.get_html(&at).await;
        assert_eq!(
            letters_on(&page).iter().map(|l| l.0).collect::<Vec<_>>(),
            vec![zoe]
        );
        assert!(page.contains("data-letters-dropped=\"1\""), "{page}");
        let res = app.get(&format!("{at}/{bea}.png")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);

db_test!(
    letters_for_more_than_a_print_holds_are_refused_up_front,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        app.seed_new(5_001).await;
        let before = app.dump();
        let res = app
            .post(
                "/users/bulk",
                &[
                    ("action", "letters"),
                    ("scope", "filter"),
                    ("f_status", "angelegt"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let back = crate::support::location(&res);
        let (_, page) = app.get_html(&back).await;
        assert!(page.contains("5.000"), "the limit is named: {page}");
        let after = app.dump();
        let changed: Vec<_> = after.lines().filter(|l| !before.contains(l)).collect();
        assert!(
            changed.iter().all(|l| l.starts_with("admin_sessions")),
            "nothing else changed: {changed:?}"
        );
    }
);

db_test!(
    printed_links_get_no_reminder_and_a_repeated_filter_print_finds_the_first,
    |app| {
        use einlass::services::invitations::send_reminders;
        app.login_as("chef", AdminRole::Administrator).await;
        let max = create_user(&app, "Max", "Brief", "max@example.com", "none").await;
        // Letters for everyone `angelegt`: after the first submit nobody is,
        // and the repeat still finds the first print.
        let res = app
            .post(
                "/users/bulk",
                &[
                    ("action", "letters"),
                    ("scope", "filter"),
                    ("f_status", "angelegt"),
                ],
            )
            .await;
        let page = res.text().await.unwrap();
        let key = value_of(&page, "input[name=form_key]").unwrap();
        let confirmed = value_of(&page, "input[name=confirmed]").unwrap();
        let run = [
            ("action", "letters"),
            ("scope", "filter"),
            ("f_status", "angelegt"),
            ("form_key", key.as_str()),
            ("confirmed", confirmed.as_str()),
        ];
        let first = crate::support::location(&app.post("/users/bulk/run", &run).await);
        assert!(first.starts_with("/letters/"), "{first}");
        let again = app.post("/users/bulk/run", &run).await;
        assert_eq!(crate::support::location(&again), first);
        // The repeat hands the same secret over again: a browser that lost
        // the first answer (and its cookie) still gets the letters.
        assert!(again.headers().get("set-cookie").is_some());
        let (_, page) = app.get_html(&first).await;
        let letters = letters_on(&page);
        assert_eq!(letters.iter().map(|l| l.0).collect::<Vec<_>>(), vec![max]);
        // Reminders are on and the link is due: a printed link is not
        // replaced by a reminder's.
        app.db
            .sql("UPDATE organisation_settings SET reminder_days_before = 14");
        einlass::services::settings::reload(&app.ctx).await.unwrap();
        app.ctx.clock().advance(time::Duration::days(1));
        assert_eq!(send_reminders(&app.ctx).await.unwrap(), 0);
        assert!(is_live(&app, &letters[0].1).await);
    }
);
