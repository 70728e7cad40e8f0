//! E-Mail-Vorlagen: edited texts are checked (the link placeholder, known
//! placeholders only, no control characters), previewed with sample data,
//! used for the next message as a real SMTP server receives it (user data
//! escaped, no header injection), reset to the shipped text, and audited.

use std::time::Duration as StdDuration;

use einlass::domain::AdminRole;
use einlass::jobs::mail::drain;
use reqwest::StatusCode;

use crate::invitations::create_user;
use crate::support::{TestApp, location, rows_of};

const EDIT: &str = "/mail/templates/invitation/de";

db_test!(
    a_template_without_its_link_or_with_an_unknown_placeholder_is_refused,
    |app| {
        app.login_as("chef", AdminRole::Benutzerverwaltung).await;
        let (status, list) = app.get_html("/mail/templates").await;
        assert_eq!(status, StatusCode::OK);
        for kind in [
            "invitation",
            "reminder",
            "password_reset",
            "email_confirmation",
            "access_approved",
            "access_rejected",
        ] {
            for lang in ["de", "en"] {
                assert!(
                    list.contains(&format!("data-template=\"{kind}-{lang}\"")),
                    "{kind} {lang}"
                );
            }
        }
        let before = app.dump();
        let res = app
            .post(
                EDIT,
                &[("subject", "Hallo"), ("body", "Ein Text ohne Link")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("braucht den Platzhalter {{link}}"),
            "names the link"
        );
        assert!(page.contains("aria-invalid=\"true\""), "tied to the field");
        assert!(page.contains("Ein Text ohne Link"), "the input is kept");
        let res = app
            .post(
                EDIT,
                &[
                    ("subject", "Hallo {{Spitzname}}"),
                    ("body", "{{link}} {{Grund}}"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Unbekannter Platzhalter {{Spitzname}}"),
            "names it"
        );
        assert!(
            page.contains("Unbekannter Platzhalter {{Grund}}"),
            "not for this kind"
        );
        let res = app
            .post(
                EDIT,
                &[
                    ("subject", "Hallo\r\nBcc: evil@example.com"),
                    ("body", "{{link}}"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = app
            .post(EDIT, &[("subject", "Hallo"), ("body", "{{link}}\u{0}")])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.dump(), before, "nothing saved");
        // Unknown kinds and languages are not pages.
        for bad in [
            "/mail/templates/test/de",
            "/mail/templates/invitation/fr",
            "/mail/templates/x/de",
        ] {
            assert_eq!(app.get(bad).await.status(), StatusCode::NOT_FOUND, "{bad}");
        }
        // A read-only admin does not edit.
        let mut reader = TestApp::new_client();
        app.swap_browser(&mut reader);
        app.login_as("leser", AdminRole::Lesezugriff).await;
        assert_eq!(app.get(EDIT).await.status(), StatusCode::FORBIDDEN);
        let res = app
            .post(EDIT, &[("subject", "x"), ("body", "{{link}}")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(the_preview_shows_both_parts_with_sample_data, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    let res = app.get(&format!("{EDIT}/preview")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("sandbox"), "{csp}");
    let page = res.text().await.unwrap();
    assert!(page.contains("Frau Beispiel"), "sample data");
    assert!(page.contains("BEISPIEL-LINK"), "a sample link");
    assert!(page.contains("Textfassung"), "the text part too");
    // The unsaved text of the form, escaped.
    let res = app
        .post(
            &format!("{EDIT}/preview"),
            &[
                ("subject", "Vorschau {{Vorname}}"),
                ("body", "<b>fett</b>\n\n{{link}}"),
            ],
        )
        .await;
    let page = res.text().await.unwrap();
    assert!(page.contains("Vorschau Erika"));
    assert!(page.contains("&lt;b&gt;fett&lt;/b&gt;") && !page.contains("<b>fett</b>"));
    let res = app
        .post(
            &format!("{EDIT}/preview"),
            &[("subject", "x"), ("body", "kein Link")],
        )
        .await;
    assert!(res.text().await.unwrap().contains("{{link}}"), "the error");
    assert!(
        rows_of(&app.dump(), "mail_templates").is_empty(),
        "a preview saves nothing"
    );
});

smtp_test!(
    a_saved_template_is_what_the_server_receives_and_reset_restores_it,
    [],
    |app, sink| {
        app.login_as("chef", AdminRole::Administrator).await;
        let res = app
        .post(
            EDIT,
            &[
                ("subject", "Willkommen, {{Vorname}}!"),
                (
                    "body",
                    "{{Anrede}}\r\n\r\n<b>Bitte</b> richten Sie Ihren Zugang ein:\r\n\r\n{{link}}\r\n\r\nGültig bis {{Ablaufdatum}}.",
                ),
            ],
        )
        .await;
        assert_eq!(location(&res), EDIT);
        let (_, page) = app.get_html(EDIT).await;
        assert!(page.contains("Die Vorlage ist gespeichert"));
        assert!(page.contains("Auf Standard zurücksetzen"));
        // Hostile user data: markup in a name, a line break smuggled in.
        let id = create_user(
            &app,
            "<script>x</script>",
            "Neu",
            "anna@example.com",
            "none",
        )
        .await;
        let crlf = if app.db.backend_name() == "postgres" {
            "chr(13) || chr(10)"
        } else {
            "char(13) || char(10)"
        };
        app.db.sql(&format!(
        "UPDATE users SET first_name = first_name || {crlf} || 'Bcc: evil@example.com' WHERE id = {id}"
    ));
        let res = app.post(&format!("/users/{id}/invite"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        drain(&app.ctx).await.unwrap();
        let got = sink.wait_for(1, StdDuration::from_secs(10)).await;
        let m = &got[0];
        assert_eq!(
            m.rcpt_tos,
            vec!["anna@example.com".to_owned()],
            "no injected recipient"
        );
        assert!(
            m.subject.starts_with("Willkommen, <script>x</script>"),
            "{}",
            m.subject
        );
        assert!(
            !m.subject.contains('\n')
                && !m.header_names.iter().any(|h| h.eq_ignore_ascii_case("bcc"))
        );
        assert!(
            m.html.contains("&lt;script&gt;") && !m.html.contains("<script>"),
            "escaped"
        );
        assert!(
            m.html.contains("&lt;b&gt;Bitte&lt;/b&gt;"),
            "the admin's markup is text"
        );
        assert!(m.text.contains("richten Sie Ihren Zugang ein") && m.text.contains("/i/"));
        // Reset: the shipped text again, and both changes are audited.
        let res = app.post(&format!("{EDIT}/reset"), &[]).await;
        assert_eq!(location(&res), EDIT);
        let (_, page) = app.get_html(EDIT).await;
        assert!(
            page.contains("Ihre Einladung: {{Organisation}}"),
            "the shipped subject"
        );
        assert!(
            !page.contains("Auf Standard zurücksetzen"),
            "nothing to reset"
        );
        assert!(rows_of(&app.dump(), "mail_templates").is_empty());
        let (_, audit) = app.get_html("/audit").await;
        assert!(audit.contains("E-Mail-Vorlage"), "audited");
        assert!(audit.contains("auf den Standard zurückgesetzt"));
    }
);
