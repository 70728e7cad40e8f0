//! Builds a running instance: the `Context` (database, settings, secrets,
//! caches), the jobs and the HTTP server. Tests build one per test on port 0.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::clock::Clock;
use crate::config::Config;
use crate::context::{Context, Database, Secrets};
use crate::db::{self, DatabaseTarget};
use crate::jobs::{self, Scheduler};
use crate::services::{self, ServiceError};
use crate::web::{AppState, TrustedProxies};

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
    #[error("EINLASS_TRUSTED_PROXIES: {0}")]
    TrustedProxies(String),
    #[error(
        "EINLASS_PUBLIC_BASE_URL must be an http(s) address without credentials, query or fragment, e.g. https://einlass.example.de"
    )]
    BadBaseUrl,
    #[error(transparent)]
    Mail(#[from] crate::mailer::MailerError),
}

/// Connects (migrating the database), loads or creates the settings and
/// builds the `Context` that everything else runs on.
pub fn build_context(config: Config, clock: Clock) -> Result<Context, StartupError> {
    build(config, clock, false)
}

/// `serving`: for the server, whose `config.bind` is the address it
/// listens on (see [`services::settings::bootstrap`]).
fn build(config: Config, clock: Clock, serving: bool) -> Result<Context, StartupError> {
    if !(4..=31).contains(&config.bcrypt_cost) {
        return Err(StartupError::BadCost);
    }
    let url = config.database_url();
    let sqlite = matches!(DatabaseTarget::parse(&url)?, DatabaseTarget::Sqlite(_));
    let pool = db::connect(&url, config.db_pool_size)?;
    let mut conn = pool.get().map_err(db::DatabaseError::from)?;
    let configured_base_url = match &config.public_base_url {
        Some(url) => Some(
            crate::domain::settings::parse_base_url(url).map_err(|_| StartupError::BadBaseUrl)?,
        ),
        None => None,
    };
    let boot = services::settings::bootstrap(
        &mut conn,
        &config.initial_base_url(),
        configured_base_url.as_deref(),
        serving,
        clock.now(),
    )?;
    if let Some(old) = &boot.replaced_base_url {
        tracing::warn!(
            stored = %old,
            configured = %boot.settings.public_base_url,
            "EINLASS_PUBLIC_BASE_URL differs from the stored public base URL; the environment wins and is stored"
        );
        eprintln!(
            "\n  Note / Hinweis: EINLASS_PUBLIC_BASE_URL ({}) replaces the stored public base URL ({old}).\n  Links are built from {} now.\n",
            boot.settings.public_base_url, boot.settings.public_base_url
        );
    }
    let (settings, instance_secret) = (boot.settings, boot.instance_secret);
    if services::maintenance::refresh_search_texts(&mut conn)? {
        tracing::info!("search texts brought up to the current folding");
    }
    if services::maintenance::refresh_email_keys(&mut conn)? {
        tracing::info!("address keys brought up to the current form");
    }
    if services::maintenance::refresh_personnel_numbers(&mut conn)? {
        tracing::info!("personnel numbers brought to their plain form");
    }
    let units = services::units::load_catalog(&mut conn).map_err(ServiceError::from)?;
    let mail_texts = services::templates::load(&mut conn).map_err(ServiceError::from)?;
    drop(conn);
    let csrf_key = match &config.secret_key {
        Some(k) if k.len() < 32 => return Err(StartupError::WeakSecret),
        Some(k) => k.as_bytes().to_vec(),
        None => instance_secret.into_bytes(),
    };
    let secrets = Secrets {
        csrf_key,
        dummy_hash: crate::domain::password::dummy_hash(config.bcrypt_cost),
    };
    let mailer = crate::mailer::Mailer::from_config(&config.mail)?;
    crate::mailer::sender_address(&config.mail, &settings.public_base_url)?;
    let wait = Duration::from_millis(config.queue_timeout_ms.max(1));
    let ctx = Context::new(
        Database::new(pool, wait, sqlite),
        config,
        clock,
        settings,
        units,
        secrets,
        mailer,
    );
    ctx.set_mail_texts(mail_texts);
    Ok(ctx)
}

pub struct Application {
    port: u16,
    server: Server,
    jobs: Scheduler,
    pub ctx: Context,
    /// The first-admin setup link, while no Administrator exists.
    pub setup_link: Option<String>,
}

impl Application {
    pub async fn build(config: Config, clock: Clock) -> Result<Self, StartupError> {
        let proxies =
            TrustedProxies::parse(&config.trusted_proxies).map_err(StartupError::TrustedProxies)?;
        let bind = config.bind.clone();
        let workers = match config.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        // Bound first: the settings learn the port it listens on (port 0
        // picks one), as the host was written.
        let listener = TcpListener::bind(&bind).map_err(|e| StartupError::Bind(bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind(bind.clone(), e))?
            .port();
        let mut config = config;
        if let Some((host, _)) = bind.rsplit_once(':') {
            config.bind = format!("{host}:{port}");
        }
        let ctx = tokio::task::spawn_blocking(move || build(config, clock, true))
            .await
            .map_err(|e| {
                StartupError::Service(ServiceError::Queue(
                    crate::context::QueueError::Unavailable(e.to_string()),
                ))
            })??;
        let setup_link = announce_setup_link(&ctx).await?;
        announce_mail(&ctx);
        let state = web::Data::new(AppState {
            ctx: ctx.clone(),
            proxies,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::FormConfig::default().limit(crate::web::FORM_LIMIT))
                .app_data(web::PayloadConfig::new(crate::web::FORM_LIMIT))
                .wrap(from_fn(crate::web::frame))
                .wrap(tracing_actix_web::TracingLogger::<crate::web::RedactedSpan>::new())
                .configure(crate::web::routes)
        })
        .workers(workers)
        .listen(listener)
        .map_err(|e| StartupError::Bind(bind.clone(), e))?
        .run();
        let jobs = Scheduler::start(ctx.clone(), jobs::standard(&ctx));
        Ok(Self {
            port,
            server,
            jobs,
            ctx,
            setup_link,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere: `stop(true)` lets requests in
    /// flight finish, then [`Application::run_until_stopped`] stops the jobs.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (Ctrl-C), then stops the jobs.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.jobs.stop().await;
        result
    }
}

/// Says on the console how mail leaves (or that it does not).
fn announce_mail(ctx: &Context) {
    match ctx.mailer() {
        crate::mailer::Mailer::Local => eprintln!(
            "\n  Mail / E-Mail: no SMTP server is configured. Messages do not leave this instance;\n  read them in the admin area under Postfach (/mail/mailbox).\n  To send them, set EINLASS_SMTP_HOST (and EINLASS_SMTP_PORT, _SECURITY, _USER, _PASSWORD,\n  EINLASS_MAIL_FROM); `einlass send-test-email you@example.com` checks the settings.\n"
        ),
        crate::mailer::Mailer::Smtp(smtp) => {
            tracing::info!(server = %smtp.describe, "mail goes out through SMTP");
        }
    }
}

/// While there is no Administrator, makes a fresh setup link and says on the
/// console how to create the first admin.
async fn announce_setup_link(ctx: &Context) -> Result<Option<String>, StartupError> {
    let Some(token) = services::setup::prepare_link(ctx).await? else {
        return Ok(None);
    };
    let link = ctx.settings().link(&format!("/setup/{}", token.expose()));
    eprintln!(
        "\n  Einlass has no administrator yet. / Einlass hat noch keinen Administrator.\n\
         \n  Open this one-time link within 60 minutes to create the first one:\n  Öffnen Sie diesen Einmal-Link innerhalb von 60 Minuten:\n\n    {link}\n\
         \n  Or on the command line / Oder auf der Kommandozeile:\n\n    einlass admin create --username admin --email admin@example.com\n"
    );
    Ok(Some(link))
}
