//! The email log: every message, filtered and paged newest first; "Info"
//! shows a message in full with its link masked.

use einlass::domain::AdminRole;
use einlass::jobs::mail::drain;
use einlass::services::{self, Actor};
use reqwest::StatusCode;

use crate::support::TestApp;
use crate::support::smtp::link_in;

/// The message ids a log page lists, in order.
fn listed(page: &str) -> Vec<i64> {
    page.split("data-message=\"")
        .skip(1)
        .filter_map(|p| p.split('"').next()?.parse().ok())
        .collect()
}

/// The href of a pager link (rel), decoded.
fn pager(page: &str, rel: &str) -> Option<String> {
    let at = page.find(&format!("rel=\"{rel}\""))?;
    let start = page[..at].rfind("href=\"")? + 6;
    let end = start + page[start..].find('"')?;
    Some(page[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

async fn invite_many(app: &TestApp, n: u32) {
    app.seed_new(n).await;
    services::invitations::invite_all_created(&app.ctx, &Actor::system("test"))
        .await
        .unwrap();
    drain(&app.ctx).await.unwrap();
}

db_test!(the_log_pages_newest_first_and_filters, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    invite_many(&app, 120).await;
    let (status, first) = app.get_html("/mail/log").await;
    assert_eq!(status, StatusCode::OK);
    let page1 = listed(&first);
    assert_eq!(page1.len(), 50);
    assert!(page1.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(pager(&first, "prev").is_none());
    // A cursor naming no message is the first page, without a way "newer".
    for bad in ["before=0", "before=-9223372036854775808", "after=0"] {
        let (_, page) = app.get_html(&format!("/mail/log?{bad}")).await;
        assert_eq!(listed(&page), page1, "{bad}");
        assert!(pager(&page, "prev").is_none(), "{bad}");
    }
    assert!(
        first.contains("ins Postfach dieser Instanz zugestellt"),
        "the local answer in German"
    );
    let next = pager(&first, "next").expect("older messages");
    let (_, second) = app.get_html(&next).await;
    let page2 = listed(&second);
    assert_eq!(page2.len(), 50);
    assert!(page2[0] < page1[49], "continues where the first ended");
    let (_, third) = app.get_html(&pager(&second, "next").unwrap()).await;
    assert_eq!(listed(&third).len(), 20);
    assert!(pager(&third, "next").is_none(), "the oldest page ends");
    // And back again.
    let (_, back) = app.get_html(&pager(&third, "prev").unwrap()).await;
    assert_eq!(listed(&back), page2);
    let (_, back) = app.get_html(&pager(&back, "prev").unwrap()).await;
    assert_eq!(listed(&back), page1);
    // Filters: status, kind, part of the address, dates.
    let (_, page) = app
        .get_html("/mail/log?status=gesendet&kind=invitation")
        .await;
    assert_eq!(listed(&page).len(), 50);
    let (_, page) = app.get_html("/mail/log?status=fehlgeschlagen").await;
    assert!(listed(&page).is_empty());
    assert!(page.contains("Keine E-Mails"));
    let one = app.get_html("/mail/log").await.1;
    let address = one
        .split("/mail/log/")
        .nth(1)
        .and_then(|p| p.split('>').nth(1))
        .and_then(|p| p.split('<').next())
        .unwrap()
        .to_owned();
    let part = &address[..address.find('@').unwrap()];
    let (_, page) = app
        .get_html(&format!("/mail/log?recipient={}", part.to_uppercase()))
        .await;
    assert!(!listed(&page).is_empty(), "part of the address, any case");
    assert!(listed(&page).len() < 50);
    let (_, page) = app.get_html("/mail/log?from=2999-01-01").await;
    assert!(listed(&page).is_empty(), "nothing from the future");
    // Hostile filters: a clear error, nothing listed, never a 500.
    let (status, page) = app.get_html("/mail/log?from=31.02.2026").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"from-error\""), "{page}");
    assert!(listed(&page).is_empty());
    for bad in [
        "status=nonsense",
        "kind=%00",
        "recipient=%00",
        "before=-1",
        "after=abc",
        "until=9999-12-31",
    ] {
        let (status, _) = app.get_html(&format!("/mail/log?{bad}")).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{bad}: {status}"
        );
    }
    let (_, page) = app.get_html("/mail/log?status=nonsense").await;
    assert!(listed(&page).is_empty(), "an unknown status lists nothing");
});

db_test!(info_shows_the_whole_message_with_its_link_masked, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    invite_many(&app, 1).await;
    // The working link, from the in-app mailbox.
    let (_, mailbox) = app.get_html("/mail/mailbox").await;
    let id: String = mailbox
        .split("href=\"/mail/mailbox/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (_, message) = app.get_html(&format!("/mail/mailbox/{id}")).await;
    let link = link_in(&message, "/i/").expect("a link");
    let token = link.rsplit('/').next().unwrap().to_owned();
    let (status, info) = app.get_html(&format!("/mail/log/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!info.contains(&token), "the token never shows in the log");
    assert!(info.contains("/i/••••••••"), "masked in both parts");
    assert!(info.contains("Message-ID"));
    assert!(info.contains("data-status=\"gesendet\""));
    assert!(
        info.contains(&format!("sandbox src=\"/mail/log/{id}/html\"")),
        "the HTML part in a sandbox"
    );
    let res = app.get(&format!("/mail/log/{id}/html")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.starts_with("sandbox;") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(!html.contains(&token));
    assert!(html.contains("••••••••"));
    let (status, _) = app.get_html("/mail/log/999999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_html("/mail/log/%00").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A read-only admin reads the log (no links in it), not the mailbox.
    let mut reader = TestApp::new_client();
    app.swap_browser(&mut reader);
    app.login_as("leser", AdminRole::Lesezugriff).await;
    let (status, _) = app.get_html(&format!("/mail/log/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_html(&format!("/mail/mailbox/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

db_test!(the_log_pages_oldest_first_too, |app| {
    app.login_as("chef", AdminRole::Administrator).await;
    invite_many(&app, 120).await;
    let (status, first) = app.get_html("/mail/log?order=oldest").await;
    assert_eq!(status, StatusCode::OK);
    let page1 = listed(&first);
    assert_eq!(page1.len(), 50);
    assert!(page1.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert!(pager(&first, "prev").is_none(), "nothing before the oldest");
    let next = pager(&first, "next").expect("newer messages");
    assert!(next.contains("order=oldest"), "the order stays: {next}");
    let (_, second) = app.get_html(&next).await;
    let page2 = listed(&second);
    assert_eq!(page2.len(), 50);
    assert!(
        page2[0] > page1[49],
        "continues where the first ended: {page1:?} {page2:?} {next}"
    );
    let (_, third) = app.get_html(&pager(&second, "next").unwrap()).await;
    let page3 = listed(&third);
    assert_eq!(page3.len(), 20);
    assert!(pager(&third, "next").is_none(), "the newest page ends");
    let (_, newest) = app.get_html("/mail/log").await;
    assert_eq!(listed(&newest)[0], page3[19], "the same newest message");
    // And back again.
    let (_, back) = app.get_html(&pager(&third, "prev").unwrap()).await;
    assert_eq!(listed(&back), page2);
    let (_, back) = app.get_html(&pager(&back, "prev").unwrap()).await;
    assert_eq!(listed(&back), page1);
    assert!(pager(&back, "prev").is_none());
});
