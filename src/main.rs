//! The `einlass` binary: parse the command line, set up logging, hand over to
//! the library.

use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

use clap::Parser;
use einlass::cli::{AdminCommand, Cli, Command, DevCommand};
use einlass::clock::Clock;
use einlass::config::Config;
use einlass::services::{self, Actor};
use einlass::startup::Application;
use tracing_subscriber::EnvFilter;

/// mimalloc: the request path allocates a lot from several threads, where
/// glibc's allocator spent a tenth of the CPU (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_new(&cli.config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.config),
        Command::Migrate => migrate(&cli.config),
        Command::Admin(AdminCommand::Create(args)) => create_admin(&cli.config, args),
        Command::Healthcheck { url } => healthcheck(&cli.config, url),
        Command::Dev(DevCommand::Seed { users }) => seed(&cli.config, users),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("einlass: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone(), Clock::system()).map_err(|e| e.to_string())?;
        tracing::info!(
            "Einlass listens on http://{} ({})",
            config.bind.replace(":0", &format!(":{}", app.port())),
            einlass::db::redact_url(&config.database_url())
        );
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn connect(config: &Config) -> Result<einlass::db::DbPool, String> {
    einlass::db::connect(&config.database_url(), 2).map_err(|e| e.to_string())
}

fn migrate(config: &Config) -> Result<(), String> {
    let target =
        einlass::db::DatabaseTarget::parse(&config.database_url()).map_err(|e| e.to_string())?;
    let manager = einlass::db::DbManager::new(target).map_err(|e| e.to_string())?;
    let mut conn = r2d2::ManageConnection::connect(&manager)
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let n = einlass::db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    println!("{n} migration(s) applied");
    Ok(())
}

fn create_admin(config: &Config, args: einlass::cli::AdminCreateArgs) -> Result<(), String> {
    let pool = connect(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = Clock::system().now();
    services::settings::ensure(&mut conn, &config.initial_base_url(), now)
        .map_err(|e| e.to_string())?;
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let mut rest = String::new();
        let _ = std::io::stdin().read_to_string(&mut rest);
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let input = services::users::UserInput {
        first_name: args.first_name,
        last_name: args.last_name,
        username: args.username,
        email: args.email.unwrap_or_default(),
        is_staff: Some("on".into()),
        admin_role: args.role,
        start_password_mode: if password.is_some() {
            "set".into()
        } else {
            "generate".into()
        },
        start_password: password.clone().unwrap_or_default(),
        ..Default::default()
    };
    let actor = Actor::system("Kommandozeile");
    match services::users::create(&mut conn, &actor, &input, now, config.bcrypt_cost) {
        Ok(created) => {
            if password.is_some() {
                let changes = einlass::models::user::UserChanges {
                    must_change_password: Some(false),
                    ..Default::default()
                };
                einlass::models::user::update(&mut conn, created.user.id, &changes)
                    .map_err(|e| e.to_string())?;
            }
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "Admin created / Admin angelegt: {}",
                created.user.username
            );
            if let Some(generated) = created.generated_password {
                let _ = writeln!(
                    out,
                    "Start password (change at first sign-in) / Startpasswort: {}",
                    generated.expose()
                );
            }
            Ok(())
        }
        Err(services::ServiceError::Invalid(errors)) => {
            let t = einlass::i18n::Lang::En.texts();
            let details: Vec<String> = errors
                .0
                .iter()
                .map(|(f, e)| format!("{f}: {}", t.field_error(*e)))
                .collect();
            Err(details.join("; "))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn healthcheck(config: &Config, url: Option<String>) -> Result<(), String> {
    let base = url.unwrap_or_else(|| format!("http://{}", config.bind));
    let authority = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream =
        std::net::TcpStream::connect(&authority).map_err(|e| format!("{authority}: {e}"))?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET /healthz HTTP/1.0\r\nHost: {authority}\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status_line = response.lines().next().unwrap_or("");
    if status_line.contains(" 200 ") {
        println!("healthy");
        Ok(())
    } else {
        Err(format!("unhealthy: {status_line}"))
    }
}

fn seed(config: &Config, users: u32) -> Result<(), String> {
    let pool = connect(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = Clock::system().now();
    services::settings::ensure(&mut conn, &config.initial_base_url(), now)
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let n = services::seed::seed(&mut conn, users, now).map_err(|e| e.to_string())?;
    println!(
        "{n} users seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
