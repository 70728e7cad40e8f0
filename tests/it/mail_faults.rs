//! The mail system when things go wrong, against a real SMTP server: the
//! server down and back, a 550 for one address, 4xx answers, a refused
//! login, a worker killed in the middle of a batch, and two workers on one
//! PostgreSQL database.

use std::collections::HashMap;
use std::process::{Child, Command};
use std::time::{Duration as StdDuration, Instant};

use einlass::config::Config;
use einlass::domain::mail::Delivery;
use einlass::domain::{AdminRole, EmailAddress, PersonName, UserId, UserType};
use einlass::jobs::mail::drain;
use einlass::services::users::{CreateUser, PersonData, StartPassword};
use einlass::services::{self, Actor};
use time::Duration;

use crate::support::smtp::SmtpSink;
use crate::support::{Backend, TestApp, TestDb};

async fn invite(app: &TestApp, email: &str) -> UserId {
    let local = email.split('@').next().unwrap();
    let cmd = CreateUser {
        person: PersonData {
            salutation: None,
            first_name: PersonName::parse("Test").unwrap(),
            last_name: PersonName::parse(local).unwrap(),
            email: Some(EmailAddress::parse(email).unwrap()),
            personnel_number: None,
            user_type: UserType::Mitarbeiter,
            groups: Vec::new(),
            admin_role: None,
        },
        username: None,
        start_password: StartPassword::InviteNow,
        form_key: None,
        handover: None,
        address_confirmed: false,
    };
    services::users::create(&app.ctx, &Actor::system("test"), cmd)
        .await
        .unwrap()
        .id
}

async fn delivery(app: &TestApp, email: &str) -> Option<Delivery> {
    app.user(email).await.unwrap().invite_delivery
}

/// Message-ID → how often it arrived.
fn arrivals(sink: &SmtpSink) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for m in sink.messages() {
        *seen.entry(m.message_id).or_insert(0) += 1;
    }
    seen
}

smtp_test!(messages_wait_while_the_server_is_down, [], |app, sink| {
    sink.stop();
    for i in 0..3 {
        invite(&app, &format!("warten{i}@example.com")).await;
    }
    drain(&app.ctx).await.unwrap();
    for i in 0..3 {
        assert_eq!(
            delivery(&app, &format!("warten{i}@example.com")).await,
            Some(Delivery::Wartend)
        );
    }
    sink.restart();
    // The retry is due after its back-off, not before.
    drain(&app.ctx).await.unwrap();
    assert!(sink.messages().is_empty(), "no retry before the back-off");
    app.ctx.clock().advance(Duration::minutes(2));
    drain(&app.ctx).await.unwrap();
    let got = sink.wait_for(3, StdDuration::from_secs(10)).await;
    assert_eq!(got.len(), 3, "all three arrive once it is back");
    assert!(arrivals(&sink).values().all(|n| *n == 1), "each once");
    for i in 0..3 {
        assert_eq!(
            delivery(&app, &format!("warten{i}@example.com")).await,
            Some(Delivery::Gesendet)
        );
    }
    // Down for longer than the give-up time: failed, not retried for ever.
    sink.stop();
    invite(&app, "aufgeben@example.com").await;
    drain(&app.ctx).await.unwrap();
    app.ctx.clock().advance(Duration::hours(73));
    drain(&app.ctx).await.unwrap();
    assert_eq!(
        delivery(&app, "aufgeben@example.com").await,
        Some(Delivery::Fehlgeschlagen)
    );
    let dump = app.dump();
    assert!(dump.contains("gave_up"), "the reason is recorded");
});

smtp_test!(
    a_550_fails_and_blocks_only_that_address,
    ["--reject", "^nein@"],
    |app, sink| {
        invite(&app, "ja1@example.com").await;
        let nein = invite(&app, "nein@example.com").await;
        invite(&app, "ja2@example.com").await;
        drain(&app.ctx).await.unwrap();
        let got = sink.wait_for(2, StdDuration::from_secs(10)).await;
        assert_eq!(got.len(), 2);
        assert!(
            got.iter()
                .all(|m| !m.rcpt_tos.contains(&"nein@example.com".to_owned()))
        );
        assert_eq!(
            delivery(&app, "nein@example.com").await,
            Some(Delivery::Fehlgeschlagen)
        );
        assert_eq!(
            delivery(&app, "ja1@example.com").await,
            Some(Delivery::Gesendet)
        );
        app.login_as("chef", AdminRole::Administrator).await;
        let (_, page) = app.get_html(&format!("/users/{}", nein.get())).await;
        assert!(page.contains("User unknown"), "the server's text is shown");
        assert_eq!(
            app.dump().matches("Recipient address rejected").count(),
            2,
            "the answer is kept once on the message and once on the block"
        );
        assert!(page.contains("gesperrt"), "the block is shown");
        // The next invitation to that address is not sent: blockiert.
        let res = app
            .post(&format!("/users/{}/invite", nein.get()), &[])
            .await;
        assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
        assert_eq!(
            delivery(&app, "nein@example.com").await,
            Some(Delivery::Blockiert)
        );
        drain(&app.ctx).await.unwrap();
        assert_eq!(sink.messages().len(), 2, "nothing more went out");
        // Other addresses still go out.
        invite(&app, "ja3@example.com").await;
        drain(&app.ctx).await.unwrap();
        assert_eq!(sink.wait_for(3, StdDuration::from_secs(10)).await.len(), 3);
        // A mailbox is blocked in every spelling of its domain: the person
        // made anew with the Unicode form gets nothing either.
        let ascii = invite(&app, "nein@xn--mller-kva.de").await;
        drain(&app.ctx).await.unwrap();
        assert_eq!(
            delivery(&app, "nein@xn--mller-kva.de").await,
            Some(Delivery::Fehlgeschlagen)
        );
        services::users::delete(&app.ctx, &Actor::system("test"), ascii)
            .await
            .unwrap();
        invite(&app, "nein@müller.de").await;
        assert_eq!(
            delivery(&app, "nein@müller.de").await,
            Some(Delivery::Blockiert)
        );
        let (_, blocks) = app.get_html("/mail/blocked").await;
        assert!(blocks.contains("nein@müller.de"), "{blocks}");
    }
);

smtp_test!(
    a_451_is_retried_and_delivered_later,
    ["--tempfail", "2"],
    |app, sink| {
        invite(&app, "spaeter@example.com").await;
        drain(&app.ctx).await.unwrap();
        assert_eq!(
            delivery(&app, "spaeter@example.com").await,
            Some(Delivery::Wartend)
        );
        for _ in 0..3 {
            app.ctx.clock().advance(Duration::minutes(2));
            drain(&app.ctx).await.unwrap();
        }
        let got = sink.wait_for(1, StdDuration::from_secs(10)).await;
        assert_eq!(got.len(), 1);
        assert_eq!(
            delivery(&app, "spaeter@example.com").await,
            Some(Delivery::Gesendet)
        );
        let id = app.user_id("spaeter@example.com").await.get();
        app.login_as("chef", AdminRole::Administrator).await;
        let (_, page) = app.get_html(&format!("/users/{id}")).await;
        assert!(
            page.contains("3 Versuche"),
            "two refusals, then the delivery"
        );
        let got = &sink.messages()[0];
        assert!(got.header_names.iter().any(|h| h == "Message-ID"));
    }
);

smtp_test!(
    a_421_is_retried_too,
    ["--tempfail", "1", "--tempfail-code", "421"],
    |app, sink| {
        invite(&app, "schliessen@example.com").await;
        drain(&app.ctx).await.unwrap();
        assert_eq!(
            delivery(&app, "schliessen@example.com").await,
            Some(Delivery::Wartend)
        );
        app.ctx.clock().advance(Duration::minutes(2));
        drain(&app.ctx).await.unwrap();
        assert_eq!(sink.wait_for(1, StdDuration::from_secs(10)).await.len(), 1);
        assert_eq!(
            delivery(&app, "schliessen@example.com").await,
            Some(Delivery::Gesendet)
        );
    }
);

/// An app whose SMTP login is refused: the dashboard says what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_login_fails_with_advice_on_the_dashboard() {
    let Some(sink) = SmtpSink::start(&["--auth-fail"]) else {
        return;
    };
    let configure = sink.configure();
    let mut app = TestApp::spawn_on(TestDb::create(Backend::Sqlite), move |url| {
        let mut c: Config = configure(url);
        c.mail.smtp_user = Some("einlass".into());
        c.mail.smtp_password = Some("falsch".into());
        c
    })
    .await;
    invite(&app, "anmeldung@example.com").await;
    drain(&app.ctx).await.unwrap();
    assert_eq!(
        delivery(&app, "anmeldung@example.com").await,
        Some(Delivery::Fehlgeschlagen)
    );
    assert!(sink.messages().is_empty());
    app.login_as("chef", AdminRole::Administrator).await;
    let (_, page) = app.get_html("/").await;
    assert!(page.contains("data-mail-problem"), "shown on the dashboard");
    assert!(page.contains("EINLASS_SMTP_PASSWORD"), "with advice");
    // A refused login is the configuration's fault, not the address's.
    assert!(
        crate::support::rows_of(&app.dump(), "blocked_addresses").is_empty(),
        "no address blocked"
    );
}

/// `einlass mail work` as a process of its own on the test database.
fn mail_worker(db_url: &str, smtp_port: u16, base_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_einlass"))
        .args(["mail", "work"])
        .env("EINLASS_DATABASE_URL", db_url)
        .env("EINLASS_PUBLIC_BASE_URL", base_url)
        .env("EINLASS_SMTP_HOST", "127.0.0.1")
        .env("EINLASS_SMTP_PORT", smtp_port.to_string())
        .env("EINLASS_SMTP_SECURITY", "none")
        .env("EINLASS_MAIL_FROM", "einlass@werk.example")
        .env("EINLASS_LOG", "warn")
        .env("EINLASS_BCRYPT_COST", "4")
        .spawn()
        .expect("einlass runs")
}

fn without_serve_worker(sink: &SmtpSink) -> impl FnOnce(&str) -> Config + use<> {
    let configure = sink.configure();
    move |url| {
        let mut c = configure(url);
        c.mail.worker_in_serve = false;
        c
    }
}

async fn waiting(app: &TestApp) -> i64 {
    services::mail::health(&app.ctx).await.unwrap().waiting
}

async fn run_crash(backend: Backend) {
    let Some(sink) = SmtpSink::start(&["--delay-ms", "1"]) else {
        return;
    };
    let app = TestApp::spawn_on(TestDb::create(backend), without_serve_worker(&sink)).await;
    app.seed_new(2000).await;
    let queued = services::invitations::invite_all_created(&app.ctx, &Actor::system("test"))
        .await
        .unwrap()
        .queued;
    assert_eq!(queued, 2000);
    let base = app.ctx.settings().public_base_url.clone();
    let mut first = mail_worker(&app.db.url, sink.port, &base);
    // Killed in the middle of the batch.
    let start = Instant::now();
    while sink.messages().len() < 400 && start.elapsed() < StdDuration::from_secs(60) {
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let at_kill = sink.messages().len();
    assert!(
        at_kill < 2000,
        "the kill came in the middle ({at_kill} sent)"
    );
    // Its claimed messages wait for the lease: not due before it ends.
    let leased_until_later = |app: &TestApp| {
        let sql = if app.db.backend_name() == "postgres" {
            "UPDATE outbox_messages SET next_attempt_at = (now() AT TIME ZONE 'UTC') - interval '1 minute' \
             WHERE status = 'wartend' AND leased_by IS NOT NULL"
        } else {
            "UPDATE outbox_messages SET next_attempt_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 minute') \
             WHERE status = 'wartend' AND leased_by IS NOT NULL"
        };
        app.db.sql(sql);
    };
    // The lease runs out (moved to the past instead of waiting ten minutes;
    // the worker processes have real clocks), then a new worker alone
    // delivers the rest.
    leased_until_later(&app);
    let mut second = mail_worker(&app.db.url, sink.port, &base);
    let start = Instant::now();
    while waiting(&app).await > 0 && start.elapsed() < StdDuration::from_secs(120) {
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(waiting(&app).await, 0, "nothing left waiting");
    let seen = arrivals(&sink);
    assert_eq!(seen.len(), 2000, "every message delivered");
    let total: usize = seen.values().sum();
    let duplicates = total - 2000;
    eprintln!(
        "crash test ({}): {duplicates} duplicate(s), all with the Message-ID of the first copy",
        app.db.backend_name()
    );
    let bound = einlass::jobs::mail::unrecorded_at_most(app.ctx.mailer().concurrency());
    assert!(
        duplicates <= bound,
        "at most the in-flight messages come twice: {duplicates} > {bound}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_loses_nothing_sqlite() {
    run_crash(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_loses_nothing_postgres() {
    if let Some(backend) = Backend::postgres() {
        run_crash(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_send_each_message_once() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let Some(sink) = SmtpSink::start(&[]) else {
        return;
    };
    let app = TestApp::spawn_on(TestDb::create(backend), without_serve_worker(&sink)).await;
    app.seed_new(5000).await;
    let queued = services::invitations::invite_all_created(&app.ctx, &Actor::system("test"))
        .await
        .unwrap()
        .queued;
    assert_eq!(queued, 5000);
    let base = app.ctx.settings().public_base_url.clone();
    let mut workers = [
        mail_worker(&app.db.url, sink.port, &base),
        mail_worker(&app.db.url, sink.port, &base),
    ];
    let start = Instant::now();
    while waiting(&app).await > 0 && start.elapsed() < StdDuration::from_secs(180) {
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    for w in &mut workers {
        w.kill().unwrap();
        w.wait().unwrap();
    }
    let seen = arrivals(&sink);
    assert_eq!(seen.len(), 5000, "every message");
    assert!(
        seen.values().all(|n| *n == 1),
        "none twice: {:?}",
        seen.values().filter(|n| **n > 1).count()
    );
}

/// `einlass send-test-email ADDRESS` against the sink (`port`), or with no
/// SMTP server configured (`None`); `extra` adds environment.
fn send_test_email(
    db_url: &str,
    port: Option<u16>,
    address: &str,
    extra: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_einlass"));
    cmd.args(["send-test-email", address])
        .env("EINLASS_DATABASE_URL", db_url)
        .env("EINLASS_LOG", "warn");
    if let Some(port) = port {
        cmd.env("EINLASS_SMTP_HOST", "127.0.0.1")
            .env("EINLASS_SMTP_PORT", port.to_string())
            .env("EINLASS_SMTP_SECURITY", "none");
    }
    cmd.envs(extra.iter().copied());
    cmd.output().expect("einlass runs")
}

fn printed(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `einlass send-test-email` sends one message now and prints the answer;
/// a refusal and a missing SMTP server are clear errors; the password is
/// never printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_test_email_prints_the_servers_answer() {
    let Some(sink) = SmtpSink::start(&["--reject", "^nein@"]) else {
        return;
    };
    let db = TestDb::create(Backend::Sqlite);
    let port = Some(sink.port);
    // This server offers no AUTH: a configured login cannot happen.
    let secret = [
        ("EINLASS_SMTP_USER", "einlass"),
        ("EINLASS_SMTP_PASSWORD", "geheim-nicht-drucken"),
    ];
    let out = send_test_email(&db.url, port, "test@example.com", &secret);
    assert!(
        !printed(&out).contains("geheim-nicht-drucken"),
        "the password is never printed"
    );
    let out = send_test_email(&db.url, port, "test@example.com", &[]);
    assert!(out.status.success(), "{}", printed(&out));
    assert!(
        printed(&out).contains("250"),
        "the server's answer: {}",
        printed(&out)
    );
    assert_eq!(sink.wait_for(1, StdDuration::from_secs(5)).await.len(), 1);
    let refused = send_test_email(&db.url, port, "nein@example.com", &[]);
    assert!(!refused.status.success());
    assert!(printed(&refused).contains("550"), "{}", printed(&refused));
    let local = send_test_email(&db.url, None, "test@example.com", &[]);
    assert!(!local.status.success());
    assert!(printed(&local).contains("EINLASS_SMTP_HOST"));
}
