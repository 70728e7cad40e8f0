//! Hostile input, tried the way an attacker would: every field of every form
//! the app renders, every query parameter, dates no calendar holds, a small
//! PNG that decodes to a huge image, a broken database. Never a 500 with
//! details, never a change where a refusal was answered.

use einlass::domain::AdminRole;
use einlass::web::{Access, Method, ROUTES};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::support::{TestApp, form_encode, hits, text_of};

/// A form as the browser would send it: where, how, and its fields.
#[derive(Debug)]
struct FormSpec {
    method: String,
    action: String,
    fields: Vec<(String, String)>,
}

fn forms_of(page_path: &str, body: &str) -> Vec<FormSpec> {
    let doc = scraper::Html::parse_document(body);
    let form_sel = scraper::Selector::parse("form").unwrap();
    let field_sel = scraper::Selector::parse("input, select, textarea, button").unwrap();
    let option_sel = scraper::Selector::parse("option").unwrap();
    let mut forms = Vec::new();
    for form in doc.select(&form_sel) {
        if form.value().attr("enctype") == Some("multipart/form-data") {
            continue;
        }
        let method = form.value().attr("method").unwrap_or("get").to_lowercase();
        let action = form.value().attr("action").unwrap_or(page_path).to_owned();
        let mut fields = Vec::new();
        let mut button_taken = false;
        for field in form.select(&field_sel) {
            let el = field.value();
            let Some(name) = el.attr("name") else {
                continue;
            };
            let kind = el.attr("type").unwrap_or("text");
            let value = match el.name() {
                "select" => field
                    .select(&option_sel)
                    .find(|o| o.value().attr("selected").is_some())
                    .or_else(|| field.select(&option_sel).next())
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or("")
                    .to_owned(),
                "textarea" => field.text().collect(),
                "button" => {
                    if button_taken {
                        continue;
                    }
                    button_taken = true;
                    el.attr("value").unwrap_or("").to_owned()
                }
                _ if matches!(kind, "checkbox" | "radio") && el.attr("checked").is_none() => {
                    continue;
                }
                _ => el.attr("value").unwrap_or("").to_owned(),
            };
            fields.push((name.to_owned(), value));
        }
        forms.push(FormSpec {
            method,
            action,
            fields,
        });
    }
    forms
}

async fn submit(app: &TestApp, form: &FormSpec, fields: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if form.method == "post" {
        app.post_raw(&form.action, &pairs).await
    } else {
        let query = form_encode(&pairs);
        app.get(&format!("{}?{query}", form.action)).await
    }
}

const HOSTILE: [&str; 4] = ["x\0y", "\0", "a\r\nb", "\u{1b}[31m"];

db_test!(control_characters_in_every_field_and_parameter, |app| {
    let chef = app.login_as("chef", AdminRole::Administrator).await;
    app.post("/groups", &[("name", "Lager")]).await;
    app.post("/areas", &[("name", "Werk")]).await;
    app.post(
        "/users/new",
        &[("first_name", "Anna"), ("last_name", "Müller")],
    )
    .await;
    let anna = app.user_id("anna.mueller").await.to_string();
    let group = app.unit_id("groups", "Lager").await.to_string();
    let area = app.unit_id("areas", "Werk").await.to_string();
    let mut pages = vec!["/login".to_owned()];
    for route in ROUTES
        .iter()
        .filter(|r| r.method == Method::Get && r.access == Access::Admin)
        // A message and a task page have no form to attack (and none
        // exists here).
        .filter(|r| {
            ![
                "/mail/mailbox/{id}",
                "/mail/log/{id}",
                "/mail/log/{id}/html",
                "/tasks/{id}",
                // Import steps need a batch (tests/it/imports.rs attacks
                // them); downloads have no forms.
                "/imports/{id}",
                "/imports/{id}/mapping",
                "/imports/{id}/sheet",
                "/imports/{id}/undo",
                "/imports/{id}/errors.xlsx",
                "/imports/template.xlsx",
                "/users/export.xlsx",
                // A code exists only after its POST (tests/it/qr.rs).
                "/users/{id}/qr/code.png",
                "/users/{id}/qr/code.svg",
                "/users/{id}/qr/letter",
                "/letters/{id}/{file}",
                // A set of access links exists only after its POST
                // (tests/it/access_links.rs attacks its forms).
                "/access-links/{id}",
                "/access-links/{id}/letters",
                "/access-links/{id}/{file}",
                // An import into the whitelist exists only after its upload
                // (tests/it/registration.rs).
                "/registration/imports/{id}",
            ]
            .contains(&r.path)
        })
    {
        let path = route
            .path
            .replace("{user_id}", &chef.to_string())
            .replace("{kind}/{lang}", "invitation/de");
        if path.contains("{kind:groups|areas}") {
            pages.push(
                path.replace("{kind:groups|areas}", "groups")
                    .replace("{id}", &group),
            );
            pages.push(
                path.replace("{kind:groups|areas}", "areas")
                    .replace("{id}", &area),
            );
        } else {
            pages.push(path.replace("{id}", &anna));
        }
    }
    let mut tried = 0;
    for page in &pages {
        let (status, body) = app.get_html(page).await;
        if page.ends_with("/photo") {
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{page}");
        for form in forms_of(page, &body) {
            // Signing out would end the test; it has no field to attack anyway.
            if form.action == "/logout" {
                continue;
            }
            for (i, (name, _)) in form.fields.iter().enumerate() {
                if name == "csrf" {
                    continue;
                }
                for bad in HOSTILE {
                    let mut fields = form.fields.clone();
                    fields[i].1 = bad.to_owned();
                    let res = submit(&app, &form, &fields).await;
                    let status = res.status();
                    let body = res.text().await.unwrap();
                    assert!(
                        !status.is_server_error(),
                        "{} {} with {name}={bad:?}: {status}",
                        form.method,
                        form.action
                    );
                    assert!(body.is_empty() || body.contains("<html"), "{}", form.action);
                    assert!(
                        !body.contains(['\0', '\u{1b}']),
                        "{} echoes a raw control character of {name}",
                        form.action
                    );
                    tried += 1;
                }
            }
        }
        // Parameters that no form carries.
        for param in [
            "page", "sort", "dir", "next", "status", "type", "staff", "group", "area",
        ] {
            for bad in HOSTILE {
                let url = format!("{page}?{}", form_encode(&[(param, bad)]));
                let status = app.get(&url).await.status();
                assert!(!status.is_server_error(), "{url}: {status}");
                tried += 1;
            }
        }
    }
    assert!(tried > 300, "the crawl reached the forms: {tried} requests");
    // The header's language form was among them: back to German.
    app.post("/lang", &[("lang", "de"), ("next", "/")]).await;
    // The decided answers, one per kind of input.
    let (status, body) = app.get_html("/users?q=m%C3%BC%00ller").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a search term is refused at its field"
    );
    assert!(
        text_of(&body, "#q-error")
            .unwrap()
            .contains("unzulässige Zeichen")
    );
    assert_eq!(hits(&body), 0);
    let (status, body) = app.get_html("/audit?q=%00").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&body, "#q-error").is_some());
    let (status, body) = app.get_html("/audit?action=user.create%00").await;
    assert_eq!(status, StatusCode::OK, "an action filter is a lookup");
    assert_eq!(hits(&body), 0);
    let res = app
        .post(
            &format!("/groups/{group}/members"),
            &[("member", "anna.mueller\0")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a member lookup finds nobody"
    );
    assert!(
        text_of(&res.text().await.unwrap(), "#member-error")
            .unwrap()
            .contains("Kein Benutzer")
    );
    let res = app
        .post(
            "/users/new",
            &[("first_name", "Nu\0ll"), ("last_name", "Byte")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "stored text is refused"
    );
    assert!(text_of(&res.text().await.unwrap(), "#first_name-error").is_some());
});

db_test!(control_characters_before_sign_in, |app| {
    app.create_admin("chef", AdminRole::Administrator).await;
    let (_, body) = app.get_html("/login").await;
    for form in forms_of("/login", &body) {
        for (i, (name, _)) in form.fields.iter().enumerate() {
            if name == "csrf" {
                continue;
            }
            for bad in HOSTILE {
                let mut fields = form.fields.clone();
                fields[i].1 = bad.to_owned();
                let status = submit(&app, &form, &fields).await.status();
                assert!(
                    !status.is_server_error(),
                    "{} {name}={bad:?}: {status}",
                    form.action
                );
            }
        }
    }
    for url in ["/login?next=%00", "/setup/%00", "/setup/ELS_%00"] {
        let status = app.get(url).await.status();
        assert!(!status.is_server_error(), "{url}: {status}");
    }
});

db_test!(dates_out_of_range_are_field_errors, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    for (query, field, message) in [
        ("from=9999-12-31", "from", "zwischen den Jahren"),
        ("until=-9999-01-01", "until", "zwischen den Jahren"),
        ("from=99999-01-01", "from", "zwischen den Jahren"),
        ("until=%2B10000-01-01", "until", ""),
        ("from=1899-12-31", "from", "zwischen den Jahren"),
        ("from=2026-02-30", "from", "Datum wie"),
        ("until=gestern", "until", "Datum wie"),
        ("from=2026-13-01&until=0000-00-00", "from", ""),
    ] {
        let (status, body) = app.get_html(&format!("/audit?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let error = text_of(&body, &format!("#{field}-error")).unwrap_or_default();
        assert!(
            !error.is_empty() && error.contains(message),
            "{query}: {error:?}"
        );
        assert_eq!(hits(&body), 0, "{query}: an unusable filter lists nothing");
    }
    let (status, body) = app
        .get_html("/audit?from=2026-05-02&until=2026-05-01")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&body, "#until-error")
            .unwrap()
            .contains("vor dem Anfang")
    );
    let (status, body) = app
        .get_html("/audit?from=1900-01-01&until=9998-12-31")
        .await;
    assert_eq!(status, StatusCode::OK, "the edges of the range are fine");
    assert_eq!(hits(&body), 2);
});

/// A PNG of one grey colour that decodes to `width` x `height` pixels.
fn bomb(width: u32, height: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(
        &vec![128u8; (width * height) as usize],
        width,
        height,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    out
}

fn bomb_12000() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| bomb(12_000, 12_000))
}

async fn upload(app: &TestApp, user: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.upload_photo(user, "klein.png", bytes, true).await
}

db_test!(a_png_bomb_is_refused_before_it_is_decoded, |app| {
    let bytes = bomb_12000();
    assert!(
        bytes.len() < 512 * 1024,
        "small on the wire: {} bytes",
        bytes.len()
    );
    app.login_as("chef", AdminRole::Administrator).await;
    app.post(
        "/users/new",
        &[("first_name", "Fee"), ("last_name", "Foto")],
    )
    .await;
    let fee = app.user_id("fee.foto").await.to_string();
    let before = app.dump();
    let res = upload(&app, &fee, bytes.to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = text_of(&res.text().await.unwrap(), "#photo-error").unwrap_or_default();
    assert!(error.contains("zu viele Pixel"), "{error}");
    // Many at once: all refused, nothing stored.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let form = Form::new().text("csrf", app.csrf().await).part(
            "photo",
            Part::bytes(bytes.to_vec())
                .file_name("b.png")
                .mime_str("image/png")
                .unwrap(),
        );
        let request = app
            .client
            .post(app.url(&format!("/users/{fee}/photo")))
            .multipart(form);
        tasks.push(tokio::spawn(async move {
            request.send().await.unwrap().status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.dump(), before, "nothing stored");
    // Without the right to change the person, nothing is even looked at.
    app.new_browser();
    app.login_as("leser", AdminRole::Lesezugriff).await;
    let res = upload(&app, &fee, bytes.to_vec()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = upload(&app, "999999", bytes.to_vec()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});

db_test!(a_failing_database_gives_a_page_without_details, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    // Behind the app's back: the audit log's table disappears.
    app.db.sql("DROP TABLE audit_events");
    let (status, body) = app.get_html("/audit").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("Ein Fehler ist aufgetreten") && body.contains("<main"));
    let lower = body.to_lowercase();
    for leak in [
        "audit_events",
        "select",
        "relation",
        "no such table",
        "diesel",
        "panicked",
        "src/",
        "backtrace",
    ] {
        assert!(!lower.contains(leak), "the page shows {leak:?}");
    }
});
