//! Builds a running instance: database, settings, secrets, the HTTP server and
//! its housekeeping task. Tests build one per test on port 0.

use std::net::TcpListener;
use std::sync::RwLock;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::services::{self, ServiceError};
use crate::web::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DatabaseError),
    #[error("cannot prepare the database: {0}")]
    Service(#[from] ServiceError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("EINLASS_SECRET_KEY must be at least 32 characters long")]
    WeakSecret,
    #[error("EINLASS_BCRYPT_COST must be between 4 and 31")]
    BadCost,
}

pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
    /// The first-admin setup link, while no Administrator exists.
    pub setup_link: Option<String>,
}

impl Application {
    pub fn build(config: Config, clock: Clock) -> Result<Self, StartupError> {
        if !(4..=31).contains(&config.bcrypt_cost) {
            return Err(StartupError::BadCost);
        }
        let pool = db::connect(&config.database_url(), config.db_pool_size)?;
        let state = web::Data::new(prepare_state(pool, config, clock)?);
        let setup_link = announce_setup_link(&state)?;
        let listener = TcpListener::bind(&state.config.bind)
            .map_err(|e| StartupError::Bind(state.config.bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind(state.config.bind.clone(), e))?
            .port();
        let workers = match state.config.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(web::FormConfig::default().limit(crate::web::FORM_LIMIT))
                .app_data(web::PayloadConfig::new(crate::web::FORM_LIMIT))
                .wrap(from_fn(crate::web::frame))
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(crate::web::routes)
        })
        .workers(workers)
        .listen(listener)
        .map_err(|e| StartupError::Bind(state.config.bind.clone(), e))?
        .run();
        spawn_housekeeping(state.clone());
        Ok(Self {
            port,
            server,
            state,
            setup_link,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Settings row, CSRF key and the dummy hash for timing-equal logins.
pub fn prepare_state(pool: DbPool, config: Config, clock: Clock) -> Result<AppState, StartupError> {
    let mut conn = pool.get().map_err(db::DatabaseError::from)?;
    let settings = services::settings::ensure(&mut conn, &config.initial_base_url(), clock.now())?;
    let units = crate::models::unit::UnitCatalog::load(&mut conn).map_err(ServiceError::from)?;
    drop(conn);
    let csrf_key = match &config.secret_key {
        Some(k) if k.len() < 32 => return Err(StartupError::WeakSecret),
        Some(k) => k.as_bytes().to_vec(),
        None => settings.instance_secret.as_bytes().to_vec(),
    };
    let dummy_hash = crate::domain::password::dummy_hash(config.bcrypt_cost);
    Ok(AppState {
        db_permits: std::sync::Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize)),
        pool,
        config,
        clock,
        settings: RwLock::new(settings),
        units: RwLock::new(std::sync::Arc::new(units)),
        csrf_key,
        dummy_hash,
    })
}

/// While there is no Administrator, makes a fresh setup link and says on the
/// console how to create the first admin.
fn announce_setup_link(state: &AppState) -> Result<Option<String>, StartupError> {
    let mut conn = state.pool.get().map_err(db::DatabaseError::from)?;
    let Some(token) = services::setup::prepare_link(&mut conn, state.clock.now())? else {
        return Ok(None);
    };
    let link = format!(
        "{}/setup/{}",
        state.settings().public_base_url,
        token.expose()
    );
    eprintln!(
        "\n  Einlass has no administrator yet. / Einlass hat noch keinen Administrator.\n\
         \n  Open this one-time link within 60 minutes to create the first one:\n  Öffnen Sie diesen Einmal-Link innerhalb von 60 Minuten:\n\n    {link}\n\
         \n  Or on the command line / Oder auf der Kommandozeile:\n\n    einlass admin create --username admin --email admin@example.com\n"
    );
    Ok(Some(link))
}

/// Every 10 s: pick up settings, groups and areas changed by another
/// instance; every ~5 min:
/// forget expired sessions and old failed-login records; hourly on SQLite:
/// refresh the planner's statistics.
fn spawn_housekeeping(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let mut ticks: u64 = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            ticks += 1;
            let s = state.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let Ok(mut conn) = s.pool.get() else { return };
                match crate::models::settings::load(&mut conn) {
                    Ok(Some(row)) => s.set_settings(row),
                    Ok(None) => {}
                    Err(e) => db::note_failure(&e),
                }
                if let Ok(units) = crate::models::unit::UnitCatalog::load(&mut conn) {
                    s.set_units(units);
                }
                if ticks.is_multiple_of(30)
                    && let Err(e) =
                        services::auth::sweep(&mut conn, s.clock.now(), s.session_policy())
                {
                    tracing::warn!(error = %e, "housekeeping failed");
                }
                if ticks.is_multiple_of(360)
                    && let db::DbConn::Sqlite(_) = &*conn
                    && let Err(e) = db::refresh_statistics(&mut conn)
                {
                    tracing::warn!(error = %e, "PRAGMA optimize failed");
                }
            })
            .await;
        }
    });
}
