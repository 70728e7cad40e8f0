//! TestApp: the real server on port 0 over a fresh database, a cookie-keeping
//! client that does not follow redirects, and helpers per page. Data is set
//! up through HTTP or the services, like the app itself does it.

pub mod db;
pub mod smtp;

use std::sync::OnceLock;

use einlass::clock::Clock;
use einlass::config::Config;
use einlass::context::Context;
use einlass::domain::people::UserSummary;
use einlass::domain::{AdminRole, EmailAddress, Password, PersonName, UserId, UserType, Username};
use einlass::services::users::{CreateUser, PersonData, StartPassword};
use einlass::services::{self, Actor};
use reqwest::{Response, StatusCode};

pub use db::{Backend, TestDb};

/// Runs a test body on SQLite and on PostgreSQL with an app that sends
/// through a real SMTP server (`support::smtp`, started with these options).
macro_rules! smtp_test {
    ($name:ident, [$($opt:expr),*], |$app:ident, $sink:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: $crate::support::Backend) {
                let Some(mut $sink) = $crate::support::smtp::SmtpSink::start(&[$($opt),*]) else {
                    return;
                };
                #[allow(unused_mut)]
                let mut $app = $crate::support::TestApp::spawn_on(
                    $crate::support::TestDb::create(backend),
                    $sink.configure(),
                )
                .await;
                $body
                #[allow(unreachable_code)]
                $sink.stop();
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(backend) = $crate::support::Backend::postgres() else {
                    return;
                };
                run(backend).await;
            }
        }
    };
}

/// Runs a test body on SQLite and on PostgreSQL.
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        db_test!($name, $crate::support::test_config, |$app| $body);
    };
    ($name:ident, $config:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                #[allow(unused_mut)]
                let mut $app = $crate::support::TestApp::spawn_on(
                    $crate::support::TestDb::create($crate::support::Backend::Sqlite),
                    $config,
                )
                .await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(backend) = $crate::support::Backend::postgres() else {
                    return;
                };
                #[allow(unused_mut)]
                let mut $app = $crate::support::TestApp::spawn_on(
                    $crate::support::TestDb::create(backend),
                    $config,
                )
                .await;
                $body
            }
        }
    };
}

pub const PASSWORD: &str = "richtig-geheim-123";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub ctx: Context,
    pub setup_link: Option<String>,
    /// Dropped with the app: removes the test database.
    pub db: TestDb,
    csrf: OnceLock<String>,
    server: actix_web::dev::ServerHandle,
    running: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A test ends with its server stopped: requests still in flight (a flood
/// the test no longer waits for) finish, the jobs stop, and only then are
/// the pool and the database dropped. Nothing of a finished test may still
/// talk to a database while the test process exits.
impl Drop for TestApp {
    fn drop(&mut self) {
        let server = self.server.clone();
        let running = self.running.take();
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async move {
                server.stop(true).await;
                if let Some(running) = running {
                    let _ = running.await;
                }
            })
        });
    }
}

pub fn test_config(database_url: &str) -> Config {
    let mut config = Config::for_database(database_url);
    config.bcrypt_cost = 4;
    config.workers = 1;
    config.db_pool_size = 4;
    // The test runner is not einlass: uploads are read by the real binary.
    config.import.reader = Some(env!("CARGO_BIN_EXE_einlass").into());
    config
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_on(TestDb::create(backend), test_config).await
    }

    pub async fn spawn_on(db: TestDb, configure: impl FnOnce(&str) -> Config) -> Self {
        let config = configure(&db.url);
        let app = einlass::startup::Application::build(config, Clock::system())
            .await
            .expect("app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let ctx = app.ctx.clone();
        let setup_link = app.setup_link.clone();
        let server = app.handle();
        let running = Some(tokio::spawn(app.run_until_stopped()));
        Self {
            address,
            client: Self::new_client(),
            ctx,
            setup_link,
            db,
            csrf: OnceLock::new(),
            server,
            running,
        }
    }

    pub fn new_client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A fresh browser: no cookies, no session.
    pub fn new_browser(&mut self) {
        self.client = Self::new_client();
        self.csrf = OnceLock::new();
    }

    /// Swaps in another browser (and forgets the cached form token).
    pub fn swap_browser(&mut self, other: &mut reqwest::Client) {
        std::mem::swap(other, &mut self.client);
        self.csrf = OnceLock::new();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// The CSRF token this browser's forms carry (read from a real page).
    pub async fn csrf(&self) -> String {
        if let Some(t) = self.csrf.get() {
            return t.clone();
        }
        let (_, body) = self.get_html("/login").await;
        let token = extract_csrf(&body);
        let _ = self.csrf.set(token.clone());
        token
    }

    /// Forgets the cached form token (after the session changed).
    pub fn forget_csrf(&mut self) {
        self.csrf = OnceLock::new();
    }

    /// POSTs a form with this browser's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(fields))
            .send()
            .await
            .expect("POST")
    }

    /// Creates an admin account through the service (as the CLI would) and returns his id.
    pub async fn create_admin(&self, username: &str, role: AdminRole) -> UserId {
        let cmd = CreateUser {
            person: PersonData {
                salutation: None,
                first_name: PersonName::parse("Test").unwrap(),
                last_name: PersonName::parse(username).unwrap(),
                email: Some(EmailAddress::parse(&format!("{username}@example.com")).unwrap()),
                personnel_number: None,
                user_type: UserType::Mitarbeiter,
                groups: Vec::new(),
                admin_role: Some(role),
            },
            username: Some(Username::parse(username).unwrap()),
            start_password: StartPassword::Set {
                password: Password::parse(PASSWORD).unwrap(),
                must_change: false,
            },
            form_key: None,
            handover: None,
            address_confirmed: false,
        };
        services::users::create(&self.ctx, &Actor::system("test"), cmd)
            .await
            .expect("admin created")
            .id
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/login",
            &[("identifier", username), ("password", password)],
        )
        .await
    }

    /// Creates an admin with this role and signs this browser in as him.
    pub async fn login_as(&mut self, username: &str, role: AdminRole) -> UserId {
        let id = self.create_admin(username, role).await;
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
        // Sign-in gives the browser a new CSRF seed.
        self.forget_csrf();
        id
    }

    /// Signs this browser in as an existing account.
    pub async fn sign_in(&mut self, username: &str) {
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
        self.forget_csrf();
    }

    /// A live user by username or email, through the service.
    pub async fn user(&self, login: &str) -> Option<UserSummary> {
        services::users::find_by_login(&self.ctx, &Actor::system("test"), login)
            .await
            .expect("lookup")
    }

    pub async fn user_id(&self, login: &str) -> UserId {
        self.user(login).await.expect("user exists").id
    }

    pub async fn count_users(&self) -> i64 {
        services::users::count(&self.ctx).await.expect("count")
    }

    pub async fn seed(&self, users: u32) {
        services::seed::seed(&self.ctx, users, services::seed::SeedMix::Realistic)
            .await
            .expect("seed");
    }

    /// Seeds users who are all `angelegt` with an email address.
    pub async fn seed_new(&self, users: u32) {
        services::seed::seed(&self.ctx, users, services::seed::SeedMix::NewWithEmail)
            .await
            .expect("seed");
    }

    /// The id of a group or area by name, read from its list page.
    pub async fn unit_id(&self, kind: &str, name: &str) -> i64 {
        let (_, body) = self.get_html(&format!("/{kind}")).await;
        let doc = scraper::Html::parse_document(&body);
        let sel = scraper::Selector::parse("tbody tr td:first-child a").unwrap();
        doc.select(&sel)
            .find(|a| a.text().collect::<String>() == name)
            .and_then(|a| a.value().attr("href"))
            .and_then(|href| href.rsplit('/').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{kind} {name:?} listed"))
    }

    /// Uploads a photo for a user as the photo form does (optionally without the token).
    pub async fn upload_photo(
        &self,
        user: &str,
        name: &str,
        bytes: Vec<u8>,
        with_csrf: bool,
    ) -> Response {
        self.post_file(
            &format!("/users/{user}/photo"),
            "photo",
            name,
            bytes,
            with_csrf,
        )
        .await
    }

    /// A form of one file field (and its CSRF token, unless left out), as a
    /// browser sends it.
    pub async fn post_file(
        &self,
        path: &str,
        field: &str,
        name: &str,
        bytes: Vec<u8>,
        with_csrf: bool,
    ) -> Response {
        let mut form = reqwest::multipart::Form::new();
        if with_csrf {
            form = form.text("csrf", self.csrf().await);
        }
        form = form.part(
            field.to_owned(),
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
        self.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// Uploads a spreadsheet to the import as its form does.
    pub async fn upload_import(&self, name: &str, bytes: Vec<u8>, mode: &str) -> Response {
        let form = reqwest::multipart::Form::new()
            .text("csrf", self.csrf().await)
            .text("mode", mode.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_owned())
                    .mime_str("application/octet-stream")
                    .expect("mime"),
            );
        self.client
            .post(self.url("/imports"))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// Every row of every table, as text: "nothing changed" means this is equal.
    pub fn dump(&self) -> String {
        self.db.dump()
    }
}

/// A browser without a session, and the form token of the page at `path`.
pub async fn visitor(app: &TestApp, path: &str) -> (reqwest::Client, String) {
    let client = TestApp::new_client();
    let page = client
        .get(app.url(path))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    let csrf = extract_csrf(&page);
    (client, csrf)
}

/// Posts every form to `url` at the same instant from one browser (each
/// carries its own CSRF field); the statuses and pages, in order.
pub async fn burst(
    client: &reqwest::Client,
    url: String,
    forms: Vec<Vec<(&'static str, String)>>,
) -> Vec<(StatusCode, String)> {
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let fields: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form_encode(&fields))
                    .send()
                    .await
                    .expect("POST");
                (res.status(), res.text().await.expect("page"))
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("task"));
    }
    out
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        query.append_pair(k, v);
    }
    query.finish()
}

pub fn extract_csrf(body: &str) -> String {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(r#"input[name="csrf"]"#).expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("page has a CSRF field")
        .to_owned()
}

/// Text of the first element matching a CSS selector.
pub fn text_of(body: &str, selector: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_owned())
}

/// Value attribute of the first element matching a CSS selector.
pub fn value_of(body: &str, selector: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

/// The number of hits a list page reports ("121 Treffer · 1–50" is 121).
pub fn hits(body: &str) -> i64 {
    let count = text_of(body, "p.count").expect("the page shows a count");
    count
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a number first: {count:?}"))
}

/// The user ids of the rows of a user list page, in order.
pub fn row_user_ids(body: &str) -> Vec<i64> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("td.name a").expect("selector");
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|h| h.rsplit('/').next()?.parse().ok())
        .collect()
}

/// The rows of one table in a [`TestApp::dump`].
pub fn rows_of(dump: &str, table: &str) -> Vec<String> {
    dump.split(&format!("## {table}\n"))
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|l| !l.starts_with("## "))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

pub fn assert_redirect(res: &Response, to: &str) {
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "expected redirect to {to}"
    );
    assert_eq!(location(res), to);
}

/// The workbook's new sheet, with `titles` in its first row.
pub fn titled_sheet<'a>(
    book: &'a mut rust_xlsxwriter::Workbook,
    titles: &[&str],
) -> &'a mut rust_xlsxwriter::Worksheet {
    let ws = book.add_worksheet();
    for (column, title) in titles.iter().enumerate() {
        ws.write_string(0, column as u16, *title).unwrap();
    }
    ws
}
