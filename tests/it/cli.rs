//! The built binary: migrate, admin create, serve + healthcheck, clear
//! messages for wrong database URLs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Backend, TestDb};

fn einlass() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_einlass"));
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
    let mut child = einlass()
        .env("EINLASS_DATABASE_URL", &db.url)
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
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ein-sicheres-passwort\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("root"));
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
    let _ = server.kill();
    let _ = server.wait();
    assert!(healthy, "the served app answers the healthcheck");
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
