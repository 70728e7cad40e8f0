//! The invitation benchmark (run by `benches/mail.sh`):
//!
//! 1. a fast SMTP sink on loopback (in this process, its own threads: it
//!    accepts every message, counts it and drops it);
//! 2. the floor: a bare lettre loop sends N prepared messages (rendered like
//!    Einlass renders invitations) through a pooled transport to the sink;
//! 3. Einlass: N users `angelegt` with an email, an admin signs in over HTTP
//!    and POSTs "Alle neu angelegten Benutzer einladen" (the request is timed;
//!    it starts the background task), the task queues the invitations (timed
//!    until it is done), then the mail worker delivers everything to the sink
//!    (timed).
//!
//!     cargo run --release --example bench_mail -- DATABASE_URL [N] [POOL] [quickack|delayed-ack]
//!
//! The database must be empty (the script makes a fresh one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use einlass::clock::Clock;
use einlass::config::Config;
use einlass::domain::mail::MailKind;
use einlass::domain::token::TokenPurpose;
use einlass::domain::{
    AdminRole, EmailAddress, Password, PersonName, PlainToken, UserType, Username,
};
use einlass::mailer::{Outgoing, build_message};
use einlass::services::mail::{Letter, MailEnv, Recipient, message_id, prepare};
use einlass::services::seed::SeedMix;
use einlass::services::users::{CreateUser, PersonData, StartPassword};
use einlass::services::{self, Actor};
use futures_util::StreamExt;
use lettre::AsyncTransport;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const PASSWORD: &str = "Bench-Passwort-2026";

/// A minimal SMTP server that says yes to everything. With `quickack` it
/// acknowledges every segment at once: lettre writes a message's body and
/// its final "." in two writes, and with Nagle on the client and delayed
/// ACKs on the server each message waits ~40 ms for that ACK (measured:
/// 90 messages/s over 4 connections). Several MTAs answer faster; the run
/// reports both.
async fn sink(listener: tokio::net::TcpListener, count: Arc<AtomicUsize>, quickack: bool) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let count = count.clone();
        let _ = stream.set_nodelay(true);
        let raw = quickack
            .then(|| socket2::SockRef::from(&stream).try_clone().ok())
            .flatten();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read);
            let _ = write.write_all(b"220 sink ESMTP\r\n").await;
            let mut line = String::new();
            let mut in_data = false;
            loop {
                line.clear();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if let Some(raw) = &raw {
                    let _ = raw.set_tcp_quickack(true);
                }
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        count.fetch_add(1, Ordering::Relaxed);
                        let _ = write.write_all(b"250 2.0.0 Ok: queued\r\n").await;
                    }
                    continue;
                }
                let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                let answer: &[u8] = match verb.as_str() {
                    "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                    "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 2.0.0 Ok\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 End data with <CR><LF>.<CR><LF>\r\n"
                    }
                    "QUIT" => {
                        let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                        return;
                    }
                    _ => b"502 5.5.2 Error: command not recognized\r\n",
                };
                if write.write_all(answer).await.is_err() {
                    return;
                }
            }
        });
    }
}

async fn wait_for(count: &AtomicUsize, n: usize, timeout: Duration) {
    let start = Instant::now();
    while count.load(Ordering::Relaxed) < n && start.elapsed() < timeout {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("DATABASE_URL");
    let n: usize = args.next().map_or(10_000, |v| v.parse().expect("N"));
    let pool: u32 = args.next().map_or(4, |v| v.parse().expect("POOL"));
    let quickack = args.next().is_none_or(|v| v != "delayed-ack");

    // The sink runs on a runtime of its own, so it never competes with the
    // measured code for a scheduler thread.
    let sink_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let port = std_listener.local_addr().unwrap().port();
    {
        let count = count.clone();
        sink_rt.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            sink(listener, count, quickack).await;
        });
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut config = Config::for_database(&url);
        config.bcrypt_cost = 4;
        config.log = "warn".into();
        config.mail.smtp_host = Some("127.0.0.1".into());
        config.mail.smtp_port = Some(port);
        config.mail.smtp_security = "none".into();
        config.mail.smtp_pool_size = pool;
        config.mail.mail_from = Some("einlass@bench.example".into());
        config.mail.worker_in_serve = false;
        let app = einlass::startup::Application::build(config, Clock::system())
            .await
            .expect("app starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let ctx = app.ctx.clone();
        tokio::spawn(app.run_until_stopped());

        // The floor: N prepared messages, a bare lettre loop, same pool size.
        let env = MailEnv::of(&ctx);
        let settings = ctx.settings();
        let from = "einlass@bench.example".parse().unwrap();
        let now = ctx.now();
        let building = Instant::now();
        let messages: Vec<lettre::Message> = (0..n)
            .map(|i| {
                let token = PlainToken::generate(TokenPurpose::Invitation);
                let address = format!("person{i}@beispiel-firma.de");
                let letter = Letter {
                    kind: MailKind::Invitation,
                    to: Recipient {
                        user: None,
                        address: &address,
                        salutation: None,
                        first_name: "Anna",
                        last_name: "Müller",
                        username: "anna.mueller",
                        language: settings.default_language,
                    },
                    link: Some((&token, "/i/", now)),
                    reason: "",
                };
                let row = prepare(&env, &letter, now);
                let link = settings.link(&format!("/i/{}", token.expose()));
                build_message(&Outgoing {
                    message_id: message_id(&settings, &row.message_key),
                    from: &from,
                    from_name: "Bench",
                    to: &address,
                    to_name: "Anna Müller",
                    subject: &row.subject,
                    text: row.body_text.replace(einlass::domain::mail::LINK_MARK, &link),
                    html: row.body_html.replace(einlass::domain::mail::LINK_MARK, &link),
                })
                .expect("message")
            })
            .collect();
        let built = building.elapsed();
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .tls(lettre::transport::smtp::client::Tls::None)
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(pool))
            .build();
        let started = Instant::now();
        let sent = futures_util::stream::iter(messages)
            .map(|m| {
                let t = transport.clone();
                async move { t.send(m).await.is_ok() }
            })
            .buffer_unordered(pool as usize)
            .filter(|ok| futures_util::future::ready(*ok))
            .count()
            .await;
        wait_for(&count, n, Duration::from_secs(60)).await;
        let floor = started.elapsed();
        assert_eq!(sent, n, "the floor sent everything");
        count.store(0, Ordering::Relaxed);

        // Einlass: N new users, an admin, the request over HTTP.
        services::seed::seed(&ctx, n as u32, SeedMix::NewWithEmail).await.unwrap();
        let admin = CreateUser {
            person: PersonData {
                salutation: None,
                first_name: PersonName::parse("Bench").unwrap(),
                last_name: PersonName::parse("Admin").unwrap(),
                email: Some(EmailAddress::parse("bench.admin@bench.example").unwrap()),
                personnel_number: None,
                user_type: UserType::Mitarbeiter,
                groups: Vec::new(),
                admin_role: Some(AdminRole::Administrator),
            },
            username: Some(Username::parse("bench").unwrap()),
            start_password: StartPassword::Set {
                password: Password::parse(PASSWORD).unwrap(),
                must_change: false,
            },
            form_key: None,
            handover: None,
            address_confirmed: false,
        };
        services::users::create(&ctx, &Actor::system("bench"), admin).await.unwrap();
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let csrf = |body: &str| {
            let at = body.find("name=\"csrf\" value=\"").expect("csrf") + 19;
            body[at..at + 64].to_owned()
        };
        let login = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
        let token = csrf(&login);
        let res = client
            .post(format!("{base}/login"))
            .form(&[("csrf", token.as_str()), ("identifier", "bench"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "signed in");
        let users = client.get(format!("{base}/users")).send().await.unwrap().text().await.unwrap();
        let token = csrf(&users);
        let started = Instant::now();
        let res = client
            .post(format!("{base}/users/invite-created"))
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        let request = started.elapsed();
        assert_eq!(res.status(), 303, "invited");
        // The request started a background task (kicked at once); it
        // queues the invitations in chunks.
        let task: i64 = res.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/tasks/")
            .parse()
            .expect("the task page");
        let view = services::tasks::run_until_done(&ctx, task).await.unwrap();
        let queued = started.elapsed();
        assert_eq!(view.done as usize, n, "every user invited");
        let waiting = services::mail::health(&ctx).await.unwrap().waiting;
        assert_eq!(waiting as usize, n, "every invitation queued");

        let started = Instant::now();
        while services::mail::health(&ctx).await.unwrap().waiting > 0 {
            einlass::jobs::mail::drain(&ctx).await.unwrap();
        }
        wait_for(&count, n, Duration::from_secs(60)).await;
        let delivery = started.elapsed();
        assert_eq!(count.load(Ordering::Relaxed), n, "the sink got every message once");

        let rate = |d: Duration| n as f64 / d.as_secs_f64();
        println!(
            "backend={} n={n} pool={pool} sink={} build_ms={:.0} request_ms={:.0} queued_s={:.2} einlass_s={:.2} einlass_per_s={:.0} floor_s={:.2} floor_per_s={:.0} ratio={:.2}",
            if url.starts_with("sqlite") { "sqlite" } else { "postgres" },
            if quickack { "quickack" } else { "delayed-ack" },
            built.as_secs_f64() * 1000.0,
            request.as_secs_f64() * 1000.0,
            queued.as_secs_f64(),
            delivery.as_secs_f64(),
            rate(delivery),
            floor.as_secs_f64(),
            rate(floor),
            delivery.as_secs_f64() / floor.as_secs_f64(),
        );
    });
}
