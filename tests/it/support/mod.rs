//! TestApp: the real server on port 0 over a fresh database, a cookie-keeping
//! client that does not follow redirects, and helpers per page.

pub mod db;

use std::sync::OnceLock;

use actix_web::web;
use einlass::clock::Clock;
use einlass::config::Config;
use einlass::domain::AdminRole;
use einlass::services::{self, Actor};
use einlass::web::AppState;
use reqwest::{Response, StatusCode};

pub use db::{Backend, TestDb};

/// Runs a test body on SQLite and on PostgreSQL.
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                #[allow(unused_mut)]
                let mut $app =
                    $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await;
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some(backend) = $crate::support::Backend::postgres() else {
                    return;
                };
                #[allow(unused_mut)]
                let mut $app = $crate::support::TestApp::spawn(backend).await;
                $body
            }
        }
    };
}

pub const PASSWORD: &str = "richtig-geheim-123";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub setup_link: Option<String>,
    /// Dropped with the app: removes the test database.
    _db: TestDb,
    csrf: OnceLock<String>,
}

pub fn test_config(database_url: &str) -> Config {
    let mut config = Config::for_database(database_url);
    config.bcrypt_cost = 4;
    config.workers = 1;
    config.db_pool_size = 4;
    config
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        let db = TestDb::create(backend);
        Self::spawn_on(db, test_config).await
    }

    pub async fn spawn_on(db: TestDb, configure: fn(&str) -> Config) -> Self {
        let config = configure(&db.url);
        let app =
            einlass::startup::Application::build(config, Clock::system()).expect("app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        let setup_link = app.setup_link.clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            client: Self::new_client(),
            state,
            setup_link,
            _db: db,
            csrf: OnceLock::new(),
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

    /// POSTs a form with this browser's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = form_encode(fields);
        self.client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Creates an admin account directly (as the CLI would) and returns his id.
    pub fn create_admin(&self, username: &str, role: AdminRole) -> i64 {
        let input = services::users::UserInput {
            first_name: "Test".into(),
            last_name: username.into(),
            username: username.into(),
            email: format!("{username}@example.com"),
            is_staff: Some("on".into()),
            admin_role: role.as_str().into(),
            start_password_mode: "set".into(),
            start_password: PASSWORD.into(),
            ..Default::default()
        };
        let mut conn = self.state.pool.get().expect("conn");
        let created = services::users::create(
            &mut conn,
            &Actor::system("test"),
            &input,
            self.state.now(),
            4,
        )
        .expect("admin created");
        let changes = einlass::models::user::UserChanges {
            must_change_password: Some(false),
            ..Default::default()
        };
        einlass::models::user::update(&mut conn, created.user.id, &changes)
            .expect("no forced change");
        created.user.id
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/login",
            &[("identifier", username), ("password", password)],
        )
        .await
    }

    /// Creates an admin with this role and signs this browser in as him.
    pub async fn login_as(&self, username: &str, role: AdminRole) -> i64 {
        let id = self.create_admin(username, role);
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
        id
    }

    pub fn database_url(&self) -> String {
        self._db.url.clone()
    }

    pub fn conn(&self) -> einlass::db::PooledConn {
        self.state.pool.get().expect("conn")
    }

    pub fn count_users(&self) -> i64 {
        einlass::models::user::count(&mut self.conn(), &Default::default()).expect("count")
    }
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
