//! Command line: `serve` (default), `migrate`, `admin create`, `jobs run`,
//! `healthcheck`, `dev seed`. Every command that touches data goes through
//! the services, like the web pages do.

use std::io::{BufRead, Read, Write};

use clap::{Args, Parser, Subcommand};

use crate::clock::Clock;
use crate::config::Config;
use crate::context::Context;
use crate::domain::{
    AdminRole, EmailAddress, FieldErrors, Password, PersonName, UserType, Username,
};
use crate::i18n::{Catalogue, Lang};
use crate::services::users::{CreateUser, PersonData, StartPassword};
use crate::services::{self, Actor, ServiceError};
use crate::startup::{Application, build_context};

#[derive(Debug, Parser)]
#[command(
    name = "einlass",
    version,
    about = "Einlass: bring your people into your employee app"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage admin accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Scheduled work (it also runs inside `serve`).
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The mail worker.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Send one test message now, through the configured SMTP server, and
    /// print the server's answer (or what went wrong).
    SendTestEmail {
        /// Where to send it.
        address: String,
    },
    /// Ask a running instance whether it is healthy (exit code 0 = yes).
    Healthcheck {
        /// Base URL of the instance; default: http://<EINLASS_BIND>
        #[arg(long)]
        url: Option<String>,
    },
    /// Developer tools.
    #[command(subcommand)]
    Dev(DevCommand),
    /// Reads a spreadsheet from standard input within memory and time
    /// limits (started by the server for each upload; not for people).
    #[command(hide = true)]
    ReadSpreadsheet(crate::spreadsheet::runner::ChildArgs),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account (the first one or another).
    Create(AdminCreateArgs),
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long, default_value = "Admin")]
    pub first_name: String,
    #[arg(long, default_value = "Einlass")]
    pub last_name: String,
    /// administrator | benutzerverwaltung | lesezugriff
    #[arg(long, default_value = "administrator")]
    pub role: String,
    /// Read the password from the first line of standard input instead of
    /// generating one (a generated one is printed once and must be changed at first login).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run every job once (or only the named one) and exit.
    Run {
        #[arg(long)]
        only: Option<String>,
    },
    /// List the jobs and how often `serve` runs them.
    List,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Run a mail worker on its own (no web server) until Ctrl-C or SIGTERM.
    Work,
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Fill the database with realistic fake users, groups and areas (for benchmarks).
    Seed {
        #[arg(long, default_value_t = 1000)]
        users: u32,
        /// All of them `angelegt` with an email address (ready to invite).
        #[arg(long)]
        new: bool,
        /// Also this many past messages in the email log (all kinds and
        /// states, spread over the last weeks).
        #[arg(long, default_value_t = 0)]
        mails: u32,
    },
}

/// Runs a command; the error is a message for the console.
pub fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            let n = services::maintenance::migrate(&config).map_err(|e| e.to_string())?;
            println!("{n} migration(s) applied");
            Ok(())
        }
        Command::Admin(AdminCommand::Create(args)) => {
            with_context(config, |ctx| async move { create_admin(&ctx, args).await })
        }
        Command::Jobs(JobsCommand::Run { only }) => with_context(config, |ctx| async move {
            run_jobs(&ctx, only.as_deref()).await
        }),
        Command::Jobs(JobsCommand::List) => with_context(config, |ctx| async move {
            for job in crate::jobs::all(&ctx) {
                println!("{:<18} every {:?}", job.name(), job.interval());
            }
            Ok(())
        }),
        Command::Mail(MailCommand::Work) => with_context(config, |ctx| async move {
            crate::jobs::mail::work_until_stopped(&ctx)
                .await
                .map_err(|e| e.to_string())
        }),
        Command::SendTestEmail { address } => with_context(config, |ctx| async move {
            let answer = crate::jobs::mail::send_test(&ctx, &address).await?;
            println!("{answer}");
            Ok(())
        }),
        Command::Healthcheck { url } => healthcheck(&config, url),
        Command::ReadSpreadsheet(args) => {
            let schema = crate::domain::import::schema(&args.schema)
                .ok_or_else(|| format!("unknown schema {}", args.schema))?;
            match crate::spreadsheet::runner::child_main(&args, schema) {
                0 => Ok(()),
                code => Err(format!("reader stopped ({code})")),
            }
        }
        Command::Dev(DevCommand::Seed { users, new, mails }) => {
            with_context(config, |ctx| async move {
                let started = std::time::Instant::now();
                let mix = if new {
                    services::seed::SeedMix::NewWithEmail
                } else {
                    services::seed::SeedMix::Realistic
                };
                let n = services::seed::seed(&ctx, users, mix)
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "{n} users seeded in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                if mails > 0 {
                    let started = std::time::Instant::now();
                    let m = services::seed::seed_mails(&ctx, mails)
                        .await
                        .map_err(|e| e.to_string())?;
                    println!(
                        "{m} messages seeded in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                }
                Ok(())
            })
        }
    }
}

fn serve(config: Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let bind = config.bind.clone();
        let url = crate::config::redact_url(&config.database_url());
        let app = Application::build(config, Clock::system())
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(
            "Einlass listens on http://{} ({url})",
            bind.replace(":0", &format!(":{}", app.port()))
        );
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

/// Builds the `Context` and runs `f` on a small runtime of its own.
fn with_context<F, Fut>(config: Config, f: F) -> Result<(), String>
where
    F: FnOnce(Context) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The SMTP pool starts a task when it is built: inside the runtime.
    let _inside = runtime.enter();
    let ctx = build_context(config, Clock::system()).map_err(|e| e.to_string())?;
    runtime.block_on(f(ctx))
}

fn field_errors(errors: &FieldErrors) -> String {
    let t = Lang::En.texts();
    errors
        .iter()
        .map(|(f, e)| format!("{f}: {}", t.field_error(e)))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn create_admin(ctx: &Context, args: AdminCreateArgs) -> Result<(), String> {
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
    let mut errors = FieldErrors::default();
    let first_name = errors.take("first_name", PersonName::parse(&args.first_name));
    let last_name = errors.take("last_name", PersonName::parse(&args.last_name));
    let username = errors.take("username", Username::parse(&args.username));
    let email = match args.email.as_deref() {
        None | Some("") => Some(None),
        Some(e) => errors.take("email", EmailAddress::parse(e).map(Some)),
    };
    let role = errors.take(
        "role",
        args.role
            .parse::<AdminRole>()
            .map_err(|()| crate::domain::FieldError::InvalidChoice),
    );
    let start_password = match &password {
        Some(p) => errors
            .take("password", Password::parse(p))
            .map(|password| StartPassword::Set {
                password,
                must_change: false,
            }),
        None => Some(StartPassword::Generate(Password::generate())),
    };
    let (Some(first_name), Some(last_name), Some(username), Some(email), Some(role), Some(start)) =
        (first_name, last_name, username, email, role, start_password)
    else {
        return Err(field_errors(&errors));
    };
    let cmd = CreateUser {
        person: PersonData {
            salutation: None,
            first_name,
            last_name,
            email,
            personnel_number: None,
            user_type: UserType::Mitarbeiter,
            groups: Vec::new(),
            admin_role: Some(role),
        },
        username: Some(username),
        start_password: start,
        form_key: None,
        handover: None,
        address_confirmed: true,
    };
    match services::users::create(ctx, &Actor::system("Kommandozeile"), cmd).await {
        Ok(created) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "Admin created / Admin angelegt: {}", created.username);
            if let Some(generated) = created.generated_password {
                let _ = writeln!(
                    out,
                    "Start password (change at first sign-in) / Startpasswort: {}",
                    generated.expose()
                );
            }
            Ok(())
        }
        Err(ServiceError::Invalid(errors)) => Err(field_errors(&errors)),
        Err(e) => Err(e.to_string()),
    }
}

async fn run_jobs(ctx: &Context, only: Option<&str>) -> Result<(), String> {
    let jobs: Vec<_> = crate::jobs::all(ctx)
        .into_iter()
        .filter(|j| only.is_none_or(|name| j.name() == name))
        .collect();
    if jobs.is_empty() {
        return Err(format!("no job named {:?}", only.unwrap_or_default()));
    }
    let results = crate::jobs::run_once(ctx, &jobs).await;
    let mut failed = Vec::new();
    for (name, ok) in results {
        println!("{name}: {}", if ok { "ok" } else { "failed" });
        if !ok {
            failed.push(name);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")))
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
