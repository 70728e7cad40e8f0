//! A real SMTP server for the tests: `tests/smtp/sink.py` (PyPI aiosmtpd),
//! one process per test, on a loopback port, with faults on demand (550 for
//! some addresses, 4xx for the first messages, slow answers). Each received
//! message is a JSON file with the parts as Python's email parser decoded
//! them. Without python3 + aiosmtpd the tests that need it are skipped
//! (under `CI=true` they fail instead).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use einlass::config::Config;
use serde_json::Value;

use super::db::tempdir::TempDir;

pub struct SmtpSink {
    pub port: u16,
    pub dir: TempDir,
    args: Vec<String>,
    child: Option<Child>,
}

/// One message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub rcpt_tos: Vec<String>,
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    pub header_names: Vec<String>,
    pub text: String,
    pub html: String,
}

fn script() -> String {
    format!("{}/tests/smtp/sink.py", env!("CARGO_MANIFEST_DIR"))
}

fn available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl SmtpSink {
    /// Starts a server on a free port; `None` (test skipped) without aiosmtpd.
    pub fn start(args: &[&str]) -> Option<Self> {
        if !available() {
            assert!(
                std::env::var("CI").is_err(),
                "python3 -m pip install aiosmtpd is needed under CI"
            );
            eprintln!("skipped: python3 with aiosmtpd is not installed");
            return None;
        }
        let mut sink = Self {
            port: 0,
            dir: TempDir::new(),
            args: args.iter().map(|s| s.to_string()).collect(),
            child: None,
        };
        sink.launch();
        Some(sink)
    }

    fn launch(&mut self) {
        let mut child = Command::new("python3")
            .arg(script())
            .arg("--dir")
            .arg(&self.dir.path)
            .arg("--port")
            .arg(self.port.to_string())
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("PORT line");
        self.port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("sink said {line:?}"));
        self.child = Some(child);
    }

    /// The app's configuration: SMTP to this server, without TLS.
    pub fn configure(&self) -> impl FnOnce(&str) -> Config + use<> {
        let port = self.port;
        move |url| {
            let mut config = super::test_config(url);
            config.mail.smtp_host = Some("127.0.0.1".into());
            config.mail.smtp_port = Some(port);
            config.mail.smtp_security = "none".into();
            config.mail.mail_from = Some("einlass@werk.example".into());
            config.mail.smtp_timeout_secs = 5;
            config
        }
    }

    /// Stops the server (the port is free again, messages stay).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, with the same options.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    pub fn messages(&self) -> Vec<Received> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.dir.path) else {
            return out;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let v: Value = serde_json::from_str(&text).expect("json");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            out.push(Received {
                rcpt_tos: v["rcpt_tos"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                message_id: s("message_id"),
                from: s("from"),
                to: s("to"),
                subject: s("subject"),
                date: s("date"),
                header_names: v["header_names"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                text: s("text"),
                html: s("html"),
            });
        }
        out
    }

    /// Waits until at least `n` messages arrived (at most `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n || start.elapsed() > within {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The first link to this instance's path (`/i/`, `/r/`, `/c/`) in a text.
pub fn link_in(text: &str, path: &str) -> Option<String> {
    let at = text.find(path)?;
    let start = text[..at].rfind("http")?;
    let end = text[at..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .map_or(text.len(), |e| at + e);
    Some(text[start..end].to_owned())
}
