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
