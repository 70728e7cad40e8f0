//! The built binary: migrate, admin create, serve + healthcheck, clear
//! messages for wrong database URLs.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Backend, TestDb};

fn einlass() -> Command {
    einlass_at(std::path::Path::new(env!("CARGO_BIN_EXE_einlass")))
}

/// The binary at `program`, as the tests run it.
fn einlass_at(program: &std::path::Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("DATABASE_URL")
        .env("EINLASS_BCRYPT_COST", "4")
        .env("EINLASS_LOG", "warn");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `einlass admin create` of "root" with a password read from standard input.
fn create_root(database_url: &str) -> std::process::Output {
    let mut child = einlass()
        .env("EINLASS_DATABASE_URL", database_url)
        .args([
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.de",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ein-sicheres-passwort\n")
        .unwrap();
    child.wait_with_output().unwrap()
}

fn cli_round_trip(db: &TestDb) {
    let out = einlass()
        .env("EINLASS_DATABASE_URL", &db.url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = create_root(&db.url);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("root"));
    // The console vouches for the address: "Passwort vergessen" reaches it.
    let dump = db.dump();
    let root = dump
        .lines()
        .find(|l| l.contains("root@example.de"))
        .expect("root's row");
    assert!(
        root.contains("'root@example.de',1,") || root.contains(",root@example.de,t,"),
        "confirmed: {root}"
    );
    let out = einlass()
        .env("EINLASS_DATABASE_URL", &db.url)
        .args(["admin", "create", "--username", "root"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a taken username is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("username"));

    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = einlass()
        .env("EINLASS_DATABASE_URL", &db.url)
        .env("EINLASS_BIND", &bind)
        .env("EINLASS_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let healthy = loop {
        let out = einlass()
            .env("EINLASS_BIND", &bind)
            .arg("healthcheck")
            .output()
            .unwrap();
        if out.status.success() {
            break true;
        }
        if started.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // A link with a token: the access log has the request, not the token.
    let token = format!("ELI_{}", "ab".repeat(32));
    {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&bind).unwrap();
        write!(stream, "GET /i/{token} HTTP/1.0\r\nHost: {bind}\r\n\r\n").unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.0 303") || answer.starts_with("HTTP/1.1 303"),
            "{answer}"
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    let _ = server.kill();
    let output = server.wait_with_output().unwrap();
    assert!(healthy, "the served app answers the healthcheck");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("INFO"), "it logged: {log}");
    assert!(
        log.contains("/i/[token]"),
        "the link request is in the access log: {log}"
    );
    assert!(!log.contains(&token), "the token is not: {log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes into a pipe: {log}"
    );
    let out = einlass()
        .env("EINLASS_BIND", &bind)
        .arg("healthcheck")
        .output()
        .unwrap();
    assert!(!out.status.success(), "a stopped app is unhealthy");
}

#[test]
fn binary_on_sqlite() {
    cli_round_trip(&TestDb::create(Backend::Sqlite));
}

#[test]
fn binary_on_postgres() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    cli_round_trip(&TestDb::create(backend));
}

#[test]
fn wrong_database_urls_name_the_cause() {
    let cases = [
        ("mysql://root@localhost/x", "unsupported database URL"),
        ("sqlite:///does/not/exist/einlass.sqlite3", "does not exist"),
        (
            "postgres://postgres:geheim@127.0.0.1:1/einlass",
            "cannot connect",
        ),
    ];
    for (url, expected) in cases {
        let out = einlass()
            .env("EINLASS_DATABASE_URL", url)
            .arg("migrate")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{url}: {stderr}");
        assert!(
            !stderr.contains("geheim"),
            "passwords are never printed: {stderr}"
        );
    }
}

/// A child process that is killed when the test ends, passed or not.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .expect("VmHWM")
}

/// The body of a GET.
async fn get_text(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// A server of `program` on a fresh port over `db`, with "root" created and
/// signed in: (the server, its base URL, the signed-in client).
async fn serve_signed_in(
    program: &std::path::Path,
    db: &TestDb,
) -> (KillOnDrop, String, reqwest::Client) {
    assert!(create_root(&db.url).status.success());
    let bind = format!("127.0.0.1:{}", free_port());
    let server = KillOnDrop(
        einlass_at(program)
            .env("EINLASS_DATABASE_URL", &db.url)
            .env("EINLASS_BIND", &bind)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{bind}");
    let client = crate::support::TestApp::new_client();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "server starts");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login = get_text(&client, format!("{base}/login")).await;
    let token = crate::support::extract_csrf(&login);
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("identifier", "root"),
            ("password", "ein-sicheres-passwort"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    (server, base, client)
}

/// The binary replaced (or deleted) while the server runs, as an upgrade
/// in place does: the server still reads uploads, with the reader of its
/// own build (not the new file, not nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_still_read_after_the_binary_was_replaced() {
    let dir = std::env::temp_dir().join(format!(
        "einlass-upgrade-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("einlass");
    std::fs::copy(env!("CARGO_BIN_EXE_einlass"), &program).unwrap();
    let db = TestDb::create(Backend::Sqlite);
    let (_server, base, client) = serve_signed_in(&program, &db).await;
    std::fs::remove_file(&program).unwrap();
    std::fs::write(&program, b"#!/bin/sh\nexit 1\n").unwrap();
    let page = get_text(&client, format!("{base}/imports")).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", crate::support::extract_csrf(&page))
        .text("mode", "create")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"Vorname;Nachname\r\nUwe;Update\r\n".to_vec())
                .file_name("liste.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let res = client
        .post(format!("{base}/imports"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let at = crate::support::location(&res);
    let preview = get_text(&client, format!("{base}{at}")).await;
    assert!(preview.contains("Update"), "{preview}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Eight large photos at once: each decodes to 120 MB, but no more than two
/// decodes run at a time, so the process stays far below eight times that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_photo_uploads_keep_memory_bounded() {
    use image::ImageEncoder;
    let db = TestDb::create(Backend::Sqlite);
    let (server, base, client) =
        serve_signed_in(std::path::Path::new(env!("CARGO_BIN_EXE_einlass")), &db).await;
    let form = |body: String| crate::support::extract_csrf(&body);
    let token = form(get_text(&client, format!("{base}/users/new")).await);
    client
        .post(format!("{base}/users/new"))
        .form(&[
            ("csrf", token.as_str()),
            ("first_name", "Fee"),
            ("last_name", "Foto"),
        ])
        .send()
        .await
        .unwrap();
    let list = get_text(&client, format!("{base}/users?q=fee.foto")).await;
    let fee = {
        let doc = scraper::Html::parse_document(&list);
        let link = scraper::Selector::parse("tbody tr td.name a").unwrap();
        doc.select(&link)
            .next()
            .and_then(|a| a.value().attr("href"))
            .and_then(|href| href.rsplit('/').next())
            .expect("Fee is listed")
            .to_owned()
    };
    // 7000 x 5700 RGB: just under the 40-megapixel limit, 120 MB decoded.
    let (w, h) = (7000u32, 5700u32);
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(
        &vec![90u8; (w * h * 3) as usize],
        w,
        h,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    let baseline = peak_rss_mb(server.0.id());
    let mut uploads = Vec::new();
    for _ in 0..8 {
        let form = reqwest::multipart::Form::new()
            .text("csrf", token.clone())
            .part(
                "photo",
                reqwest::multipart::Part::bytes(png.clone())
                    .file_name("gross.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
        let request = client
            .post(format!("{base}/users/{fee}/photo"))
            .multipart(form);
        uploads.push(tokio::spawn(async move {
            request.send().await.unwrap().status()
        }));
    }
    for upload in uploads {
        let status = upload.await.unwrap();
        assert_eq!(
            status,
            reqwest::StatusCode::SEE_OTHER,
            "each photo is taken"
        );
    }
    let peak = peak_rss_mb(server.0.id());
    assert!(
        peak < baseline + 450,
        "peak {peak} MB (baseline {baseline} MB): eight decodes at once would need about 1000 MB more"
    );
}

#[test]
fn jobs_run_once_and_report() {
    let db = TestDb::create(Backend::Sqlite);
    let out = einlass()
        .env("EINLASS_DATABASE_URL", &db.url)
        .args(["jobs", "run"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for job in [
        "refresh-caches: ok",
        "forget-expired: ok",
        "sweep-imports: ok",
        "optimize-sqlite: ok",
    ] {
        assert!(stdout.contains(job), "{stdout}");
    }
    let out = einlass()
        .env("EINLASS_DATABASE_URL", &db.url)
        .args(["jobs", "run", "--only", "gibt-es-nicht"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "an unknown job is an error");
}
