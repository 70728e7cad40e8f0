//! The admin pages in a real browser: Debian's Chromium, driven by
//! `tests/browser/first_day.mjs` (playwright-core, axe-core from npm), walks
//! an admin's first day at 1280x800 and 360x640 and without JavaScript; axe
//! must find nothing and the console must stay clean. `.ci/run` installs
//! Chromium and the npm packages; elsewhere the test is skipped unless
//! CI=true (then a missing browser is a failure).
//!
//! `EINLASS_SCREENSHOTS=docs/screenshots cargo test browser` also writes the
//! screenshots the README shows.

use std::path::{Path, PathBuf};
use std::process::Command;

fn browser_kit() -> Option<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let ready = chromium.exists()
        && dir.join("node_modules/playwright-core").exists()
        && dir.join("node_modules/axe-core").exists();
    if ready {
        return Some((dir, chromium));
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("the browser tests need Chromium and `npm ci --prefix tests/browser` (see .ci/run)");
    }
    eprintln!("browser tests skipped: no Chromium or tests/browser/node_modules");
    None
}

db_test!(an_admins_first_day, |app| {
    let Some((dir, chromium)) = browser_kit() else {
        return;
    };
    let link = app
        .setup_link
        .clone()
        .expect("a fresh instance has a setup link");
    let setup_path = link
        .find("/setup/")
        .map(|i| link[i..].to_owned())
        .expect("a setup path");
    let shots = std::env::var("EINLASS_SCREENSHOTS")
        .ok()
        .filter(|_| app.db.backend_name() == "sqlite")
        .map(|d| Path::new(env!("CARGO_MANIFEST_DIR")).join(d));
    let address = app.address.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("node");
        cmd.current_dir(&dir)
            .arg("first_day.mjs")
            .arg(&address)
            .arg(&setup_path)
            .env("CHROMIUM", chromium);
        if let Some(shots) = shots {
            cmd.arg(shots);
        }
        cmd.output().expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the first day in Chromium found problems:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("first day: no problems"), "{stdout}");
});
