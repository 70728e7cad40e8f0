//! /users/{id}/photo: upload, re-encoding, refusal of anything else.

use std::io::Cursor;

use einlass::domain::AdminRole;
use reqwest::StatusCode;

use crate::support::{TestApp, assert_redirect, hits, text_of};

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 250) as u8, (y % 250) as u8, 120])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A small PNG of one grey that declares more pixels than any upload may
/// have (decompressed, `width` x `height` bytes).
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let pixels = vec![128u8; (width * height) as usize];
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(&pixels, width, height, image::ExtendedColorType::L8)
    .unwrap();
    out
}

async fn upload(
    app: &TestApp,
    user: einlass::domain::UserId,
    name: &str,
    bytes: Vec<u8>,
    with_csrf: bool,
) -> reqwest::Response {
    app.upload_photo(&user.to_string(), name, bytes, with_csrf)
        .await
}

db_test!(photos_are_uploaded_reencoded_and_removed, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    app.post(
        "/users/new",
        &[("first_name", "Fee"), ("last_name", "Foto")],
    )
    .await;
    let fee = app.user_id("fee.foto").await;
    let path = format!("/users/{fee}/photo");
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);

    let res = upload(&app, fee, "urlaub.png", png(1600, 1200), true).await;
    assert_redirect(&res, &format!("/users/{fee}"));
    let res = app.get(&path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("content-type").unwrap(), "image/jpeg");
    assert_eq!(
        res.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let stored = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (stored.width(), stored.height()),
        (512, 384),
        "shrunk to 512 px"
    );
    let (_, page) = app.get_html(&format!("/users/{fee}")).await;
    assert!(page.contains(&format!("src=\"/users/{fee}/photo?v=")));

    // Not an image, a fake name, an empty file, too large: refused at the field, old photo kept.
    for (name, bytes, message) in [
        (
            "foto.jpg",
            b"<script>alert(1)</script>".to_vec(),
            "JPEG oder PNG",
        ),
        ("foto.png", Vec::new(), "JPEG oder PNG"),
        ("riesig.png", vec![0u8; 6 * 1024 * 1024], "zu groß"),
    ] {
        let res = upload(&app, fee, name, bytes, true).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let error = text_of(&res.text().await.unwrap(), "#photo-error").unwrap_or_default();
        assert!(error.contains(message), "{name}: {error}");
    }
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);

    let res = upload(&app, fee, "ohne-csrf.png", png(10, 10), false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = app.post(&format!("/users/{fee}/photo/delete"), &[]).await;
    assert_redirect(&res, &format!("/users/{fee}"));
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    let (_, audit) = app.get_html("/audit?action=user.photo_set").await;
    assert_eq!(hits(&audit), 1);

    app.new_browser();
    app.login_as("leser", AdminRole::Lesezugriff).await;
    let res = upload(&app, fee, "foto.png", png(10, 10), true).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});
