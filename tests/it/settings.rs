//! /settings.

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::{assert_redirect, text_of};

fn valid() -> Vec<(&'static str, &'static str)> {
    vec![
        ("organisation_name", "Pflegeheim Sonnenhof"),
        ("brand_colour", "#AA3300"),
        ("public_base_url", "https://einlass.sonnenhof.example/"),
        ("invitation_validity_days", "21"),
        ("time_zone", "Europe/Vienna"),
        ("default_language", "en"),
    ]
}

db_test!(administrators_change_settings, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (status, form) = app.get_html("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"14\""), "default validity is 14 days");
    assert!(form.contains("Europe/Berlin"));
    let res = app.post("/settings", &valid()).await;
    assert_redirect(&res, "/settings");
    let s = app.ctx.settings();
    assert_eq!(
        (
            s.organisation_name.as_str(),
            s.brand_colour.as_str(),
            s.public_base_url.as_str(),
            s.invitation_validity_days,
            s.time_zone.name(),
            s.default_language.code()
        ),
        (
            "Pflegeheim Sonnenhof",
            "#aa3300",
            "https://einlass.sonnenhof.example",
            21,
            "Europe/Vienna",
            "en"
        )
    );
    let css = app.get("/static/brand.css").await.text().await.unwrap();
    assert!(css.contains("#aa3300"));
    // The default language now applies to visitors without a choice or browser preference.
    let mut fresh = crate::support::TestApp::new_client();
    app.swap_browser(&mut fresh);
    assert!(
        app.get_html("/login")
            .await
            .1
            .contains("<html lang=\"en\">")
    );
    app.swap_browser(&mut fresh);
    // Cookies become Secure once the base URL is https.
    let res = app.post("/lang", &[("lang", "de"), ("next", "/")]).await;
    let set_cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
});

db_test!(invalid_settings_are_refused_at_the_field, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let cases = [
        ("organisation_name", "", "#organisation_name-error"),
        ("brand_colour", "red", "#brand_colour-error"),
        (
            "public_base_url",
            "javascript:alert(1)",
            "#public_base_url-error",
        ),
        (
            "invitation_validity_days",
            "0",
            "#invitation_validity_days-error",
        ),
        (
            "invitation_validity_days",
            "viele",
            "#invitation_validity_days-error",
        ),
        ("time_zone", "Mars/Olympus", "#time_zone-error"),
    ];
    for (field, value, selector) in cases {
        let mut fields = valid();
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        let res = app.post("/settings", &fields).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        assert!(
            text_of(&res.text().await.unwrap(), selector).is_some(),
            "{selector}"
        );
    }
    assert_eq!(
        app.ctx.settings().organisation_name,
        "Einlass",
        "nothing saved"
    );
    let res = app.post("/settings", &[("default_language", "fr")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
});

fn with(field: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    valid()
        .into_iter()
        .map(|(k, v)| if k == field { (k, value) } else { (k, v) })
        .collect()
}

/// The two colours of brand.css: (links and buttons, header stripe).
async fn brand(app: &crate::support::TestApp) -> (String, String) {
    let css = app.get("/static/brand.css").await.text().await.unwrap();
    let var = |name: &str| {
        css.split(&format!("{name}: "))
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .unwrap_or_default()
            .to_owned()
    };
    (var("--brand"), var("--brand-stripe"))
}

db_test!(any_colour_keeps_links_and_buttons_readable, |app| {
    use einlass::domain::settings::{AA_CONTRAST, contrast};
    app.login_as("chef", AdminRole::Administrator).await;
    // A yellow that would give 1.2:1: accepted, the stripe keeps it, text
    // gets a darker shade of it.
    assert_redirect(
        &app.post("/settings", &with("brand_colour", "#FFEB3B"))
            .await,
        "/settings",
    );
    let (shade, stripe) = brand(&app).await;
    assert_eq!(stripe, "#ffeb3b");
    assert!(contrast(&shade, "#ffffff") >= AA_CONTRAST, "{shade}");
    let (_, page) = app.get_html("/settings").await;
    assert!(page.contains(&shade), "the page says which shade is used");
    assert!(page.contains("type=\"color\""), "a colour picker");
    // Shorthand as in CSS.
    assert_redirect(
        &app.post("/settings", &with("brand_colour", "#0f0")).await,
        "/settings",
    );
    assert_eq!(app.ctx.settings().brand_colour, "#00ff00");
    let (shade, _) = brand(&app).await;
    assert!(contrast(&shade, "#ffffff") >= AA_CONTRAST, "{shade}");
    // A dark colour stays as chosen.
    app.post("/settings", &with("brand_colour", "#0b5cad"))
        .await;
    assert_eq!(brand(&app).await, ("#0b5cad".into(), "#0b5cad".into()));
});

db_test!(the_logo_is_uploaded_shown_everywhere_and_removed, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, page) = app.get_html("/settings").await;
    assert!(!page.contains("/logo?v="), "no logo yet");
    assert_eq!(app.get("/logo").await.status(), StatusCode::NOT_FOUND);
    // A wide PNG: shrunk into its box, served as a PNG Einlass wrote.
    let res = app
        .post_file(
            "/settings/logo",
            "logo",
            "logo.png",
            crate::photos::png(1600, 400),
            true,
        )
        .await;
    assert_redirect(&res, "/settings");
    let (_, page) = app.get_html("/settings").await;
    let version = app.ctx.settings().logo_version.clone().expect("a version");
    assert!(
        page.contains(&format!("src=\"/logo?v={version}\"")),
        "{page}"
    );
    let res = app.get(&format!("/logo?v={version}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let logo = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((logo.width(), logo.height()), (800, 200));
    // On the pages of people who are not signed in, too.
    let mut visitor = crate::support::TestApp::new_client();
    app.swap_browser(&mut visitor);
    let (_, login) = app.get_html("/login").await;
    assert_eq!(app.get("/logo").await.status(), StatusCode::OK);
    app.swap_browser(&mut visitor);
    assert!(login.contains("class=\"brand-logo\""), "{login}");
    // Not an image, a bomb, an empty upload, no CSRF token: refused, the
    // logo stays.
    let before = app.ctx.settings().logo_version.clone();
    for (name, bytes, error) in [
        (
            "evil.png",
            b"<svg onload=alert(1)>".to_vec(),
            "JPEG oder PNG",
        ),
        ("bomb.png", crate::photos::bomb_png(7_000, 7_000), "Pixel"),
        ("leer.png", Vec::new(), "JPEG oder PNG"),
    ] {
        let res = app
            .post_file("/settings/logo", "logo", name, bytes, true)
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = res.text().await.unwrap();
        let text = text_of(&body, "#logo-error").unwrap_or_default();
        assert!(text.contains(error), "{name}: {text}");
    }
    let res = app
        .post_file(
            "/settings/logo",
            "logo",
            "x.png",
            crate::photos::png(10, 10),
            false,
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.ctx.settings().logo_version, before);
    // Saving the other settings keeps it.
    assert_redirect(&app.post("/settings", &valid()).await, "/settings");
    assert_eq!(app.ctx.settings().logo_version, before);
    // Only Administrators change it.
    app.login_as("verwaltung", AdminRole::Benutzerverwaltung)
        .await;
    let res = app
        .post_file(
            "/settings/logo",
            "logo",
            "x.png",
            crate::photos::png(10, 10),
            true,
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.post("/settings/logo/delete", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    app.new_browser();
    app.login("chef", crate::support::PASSWORD).await;
    app.forget_csrf();
    assert_redirect(&app.post("/settings/logo/delete", &[]).await, "/settings");
    assert_eq!(app.ctx.settings().logo_version, None);
    assert_eq!(app.get("/logo").await.status(), StatusCode::NOT_FOUND);
    let (_, audit) = app.get_html("/audit").await;
    assert!(audit.contains("uploaded the logo"), "{audit}");
    assert!(audit.contains("removed the logo"), "{audit}");
});

db_test!(time_zones_are_picked_from_a_list, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, page) = app.get_html("/settings").await;
    assert!(page.contains("<select id=\"time_zone\""));
    assert!(page.contains("<option value=\"America/New_York\">"));
    assert_redirect(
        &app.post("/settings", &with("time_zone", "America/New_York"))
            .await,
        "/settings",
    );
    let before = app.dump();
    // Unknown, or known to the tz database but not offered (Etc/GMT+5 is
    // UTC−5): refused, nothing changes.
    for zone in ["Mars/Olympus", "CET", "Etc/GMT+5", "EST5EDT"] {
        let res = app.post("/settings", &with("time_zone", zone)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{zone}");
    }
    assert_eq!(app.dump(), before);
    // A zone stored before the list was the only way stays what it is: the
    // page shows it selected, and a save that sends it back keeps it.
    app.db
        .raw()
        .execute("UPDATE organisation_settings SET time_zone = 'CET'");
    einlass::services::settings::reload(&app.ctx).await.unwrap();
    assert_eq!(app.ctx.settings().time_zone.name(), "CET");
    let (_, page) = app.get_html("/settings").await;
    assert!(page.contains("<option value=\"CET\" selected>"), "{page}");
    assert_redirect(
        &app.post("/settings", &with("time_zone", "CET")).await,
        "/settings",
    );
    assert_eq!(app.ctx.settings().time_zone.name(), "CET");
});

/// A public base URL in the environment wins over the stored one, is
/// stored, said on the console (and in the audit log), and read-only on the
/// settings page.
fn config_with_base_url(url: &str) -> einlass::config::Config {
    let mut config = crate::support::test_config(url);
    config.public_base_url = Some("http://127.0.0.1:35021/".into());
    config
}

db_test!(the_configured_base_url_wins_over_the_stored_one, |app| {
    assert!(
        app.ctx
            .settings()
            .public_base_url
            .starts_with("http://127.0.0.1")
    );
    let second = einlass::startup::Application::build(
        config_with_base_url(&app.db.url),
        einlass::clock::Clock::system(),
    )
    .await
    .expect("starts");
    assert_eq!(
        second.ctx.settings().public_base_url,
        "http://127.0.0.1:35021"
    );
    let link = second
        .setup_link
        .clone()
        .expect("no admin yet: a setup link");
    assert!(link.starts_with("http://127.0.0.1:35021/setup/"), "{link}");
    drop(second);
    // The first instance reads the stored value after its cache refresh.
    einlass::services::settings::reload(&app.ctx).await.unwrap();
    assert_eq!(app.ctx.settings().public_base_url, "http://127.0.0.1:35021");
});

db_test!(an_unchosen_base_url_follows_the_address_served_at, |app| {
    // Nobody chose a base URL: links use the address the server listens on.
    assert_eq!(app.ctx.settings().public_base_url, app.address);
    // A first `einlass admin create` (default bind 8080) stored its bind
    // address; the server then runs on another port.
    app.db.raw().execute(
        "UPDATE organisation_settings SET public_base_url = 'http://127.0.0.1:8080', \
         public_base_url_from_bind = TRUE",
    );
    let mut cli = crate::support::test_config(&app.db.url);
    cli.bind = "127.0.0.1:8080".into();
    let ctx = einlass::startup::build_context(cli, einlass::clock::Clock::system()).unwrap();
    assert_eq!(ctx.settings().public_base_url, "http://127.0.0.1:8080");
    let url = app.db.url.clone();
    let start = || async {
        einlass::startup::Application::build(
            crate::support::test_config(&url),
            einlass::clock::Clock::system(),
        )
        .await
        .expect("starts")
    };
    let second = start().await;
    let served_at = format!("http://127.0.0.1:{}", second.port());
    assert_eq!(second.ctx.settings().public_base_url, served_at);
    drop(second);
    // Chosen on the settings page: it stays, wherever the server runs.
    app.login_as("chef", AdminRole::Administrator).await;
    assert_redirect(
        &app.post(
            "/settings",
            &with("public_base_url", "https://einlass.example.org"),
        )
        .await,
        "/settings",
    );
    let third = start().await;
    assert_eq!(
        third.ctx.settings().public_base_url,
        "https://einlass.example.org"
    );
});

db_test!(
    a_configured_base_url_is_read_only_in_the_settings,
    config_with_base_url,
    |app| {
        app.login_as("chef", AdminRole::Administrator).await;
        let (_, page) = app.get_html("/settings").await;
        assert!(page.contains("EINLASS_PUBLIC_BASE_URL"));
        assert_redirect(&app.post("/settings", &valid()).await, "/settings");
        assert_eq!(app.ctx.settings().public_base_url, "http://127.0.0.1:35021");
        // The read-only field is not checked: empty or missing is fine.
        assert_redirect(
            &app.post("/settings", &with("public_base_url", "")).await,
            "/settings",
        );
        assert_eq!(app.ctx.settings().public_base_url, "http://127.0.0.1:35021");
        assert_eq!(app.ctx.settings().organisation_name, "Pflegeheim Sonnenhof");
    }
);
