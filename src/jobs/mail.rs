//! The mail worker: claims due messages (with a lease), sends them outside
//! any transaction, and records each answer as it comes. Runs every second
//! inside `einlass serve`, alone as `einlass mail work`, once in `jobs run`.
//!
//! Results are recorded in small groups as they arrive (whatever is ready),
//! and a send waits while its answer cannot be handed over, so a worker
//! killed in the middle of a batch leaves only the messages in flight
//! unrecorded ([`unrecorded_at_most`]: 28 for a pool of 4): they are sent
//! again after the lease, with the same Message-ID.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::{Semaphore, mpsc};

use super::{Job, JobResult};
use crate::context::Context;
use crate::domain::mail::Attempt;
use crate::mailer::{self, Mailer, Outgoing, SmtpMailer};
use crate::services::mail::{self as mail_service, Claimed};

type DrainResult = Result<usize, Box<dyn std::error::Error + Send + Sync>>;

pub struct MailWorker;

impl Job for MailWorker {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn run(&self, ctx: Context) -> BoxFuture<'static, JobResult> {
        Box::pin(async move {
            let sent = drain(&ctx).await?;
            if sent > 0 {
                tracing::debug!(sent, "mail handed over");
            }
            Ok(())
        })
    }
}

/// Sends everything that is due now; returns how many outcomes were recorded.
pub async fn drain(ctx: &Context) -> DrainResult {
    let mut recorded = 0;
    let worker = ctx.worker_id().to_owned();
    let batch_size = (ctx.mailer().concurrency() * 250).clamp(250, 2000) as i64;
    loop {
        let batch = mail_service::claim(ctx, &worker, batch_size).await?;
        if batch.is_empty() {
            return Ok(recorded);
        }
        let full = batch.len() as i64 == batch_size;
        recorded += match ctx.mailer() {
            Mailer::Local => {
                let results = batch
                    .into_iter()
                    .map(|m| {
                        (
                            m.facts,
                            Attempt::Sent("delivered to the in-app mailbox".into()),
                        )
                    })
                    .collect();
                mail_service::record(ctx, &worker, "local", results).await?
            }
            Mailer::Smtp(smtp) => send_batch(ctx, smtp, &worker, batch).await?,
        };
        if !full {
            return Ok(recorded);
        }
    }
}

/// Answers that may wait for their turn to be recorded.
fn waiting_answers(concurrency: usize) -> usize {
    concurrency * 2
}

/// Answers recorded in one transaction at most.
fn recorded_together(concurrency: usize) -> usize {
    (concurrency * 4).clamp(8, 64)
}

/// How many messages a worker killed at the worst moment can leave sent
/// but unrecorded (sent again after the lease, with the same Message-ID):
/// the sends in flight, the answers waiting, and the group being recorded.
pub fn unrecorded_at_most(concurrency: usize) -> usize {
    concurrency + waiting_answers(concurrency) + recorded_together(concurrency)
}

async fn send_batch(
    ctx: &Context,
    smtp: &SmtpMailer,
    worker: &str,
    batch: Vec<Claimed>,
) -> DrainResult {
    let settings = ctx.settings();
    let config = &ctx.config().mail;
    let from = Arc::new(mailer::sender_address(config, &settings.public_base_url)?);
    let from_name: Arc<str> = config
        .mail_from_name
        .clone()
        .unwrap_or_else(|| settings.organisation_name.clone())
        .into();
    let concurrency = ctx.mailer().concurrency();
    let slots = Arc::new(Semaphore::new(concurrency));
    let record_at_most = recorded_together(concurrency);
    // Once the server cannot be reached, the rest of the batch waits for
    // the next round instead of timing out one by one.
    let unreachable = Arc::new(AtomicBool::new(false));
    // A small channel: a send that cannot hand its answer over waits (and
    // holds its slot), so sent-but-unrecorded messages stay few.
    let (tx, mut rx) =
        mpsc::channel::<(mail_service::Facts, Attempt)>(waiting_answers(concurrency));
    for message in batch {
        let (smtp, slots, unreachable, tx) =
            (smtp.clone(), slots.clone(), unreachable.clone(), tx.clone());
        let (from, from_name) = (from.clone(), from_name.clone());
        tokio::spawn(async move {
            let Ok(_slot) = slots.acquire_owned().await else {
                return;
            };
            // Answers can no longer be recorded (the database failed): send
            // nothing more; the lease brings these messages back unsent.
            if tx.is_closed() {
                return;
            }
            let attempt = if unreachable.load(Ordering::Relaxed) {
                Attempt::Transient("not tried: the SMTP server was unreachable".into())
            } else {
                let out = Outgoing {
                    message_id: message.message_id,
                    from: &from,
                    from_name: &from_name,
                    to: &message.to,
                    to_name: &message.to_name,
                    subject: &message.subject,
                    text: message.text,
                    html: message.html,
                };
                match mailer::build_message(&out) {
                    Ok(built) => smtp.send(built).await,
                    Err(refused) => refused,
                }
            };
            if let Attempt::Transient(answer) = &attempt
                && answer.starts_with("no connection")
            {
                unreachable.store(true, Ordering::Relaxed);
            }
            let _ = tx.send((message.facts, attempt)).await;
        });
    }
    drop(tx);
    let mut recorded = 0;
    let mut ready = Vec::with_capacity(64);
    while rx.recv_many(&mut ready, record_at_most).await > 0 {
        let results = std::mem::take(&mut ready);
        // A busy or briefly locked database gets a few more tries: an answer
        // that is not recorded means the message is sent again later.
        let mut tries = 0;
        loop {
            match mail_service::record(ctx, worker, "smtp", results.clone()).await {
                Ok(n) => {
                    recorded += n;
                    break;
                }
                Err(error) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(%error, tries, "recording mail answers failed; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(error) => {
                    // Stop the batch: closing the channel keeps the waiting
                    // sends from going out.
                    rx.close();
                    return Err(error.into());
                }
            }
        }
    }
    Ok(recorded)
}

/// `einlass mail work`: drains the queue every second until Ctrl-C or
/// SIGTERM; a batch in progress finishes first.
pub async fn work_until_stopped(
    ctx: &Context,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut stop = std::pin::pin!(shutdown_signal());
    tracing::info!(
        worker = ctx.worker_id(),
        local = ctx.mailer().is_local(),
        "mail worker started"
    );
    loop {
        tokio::select! {
            _ = &mut stop => break,
            result = drain(ctx) => {
                if let Err(error) = result {
                    tracing::warn!(%error, "mail run failed; trying again in a second");
                }
            }
        }
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
    tracing::info!("mail worker stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `einlass send-test-email ADDRESS`: one message, sent now, not queued;
/// the server's answer, or an error an admin can act on.
pub async fn send_test(ctx: &Context, address: &str) -> Result<String, String> {
    let Mailer::Smtp(smtp) = ctx.mailer() else {
        return Err("No SMTP server is configured (EINLASS_SMTP_HOST is unset): mail stays in the in-app mailbox. / Kein SMTP-Server eingerichtet.".into());
    };
    let to = crate::domain::EmailAddress::parse(address)
        .map_err(|_| format!("{address:?} is not an email address / ist keine E-Mail-Adresse"))?;
    let settings = ctx.settings();
    let config = &ctx.config().mail;
    let from =
        mailer::sender_address(config, &settings.public_base_url).map_err(|e| e.to_string())?;
    let from_name = config
        .mail_from_name
        .clone()
        .unwrap_or_else(|| settings.organisation_name.clone());
    let env = mail_service::MailEnv::of(ctx);
    let letter = mail_service::Letter {
        kind: crate::domain::mail::MailKind::Test,
        to: mail_service::Recipient {
            user: None,
            address: to.as_str(),
            salutation: None,
            first_name: "",
            last_name: "",
            username: "",
            language: settings.default_language,
        },
        link: None,
    };
    let row = mail_service::prepare(&env, &letter, ctx.now());
    let out = Outgoing {
        message_id: mail_service::message_id(&settings, &row.message_key),
        from: &from,
        from_name: &from_name,
        to: to.as_str(),
        to_name: "",
        subject: &row.subject,
        text: row.body_text,
        html: row.body_html,
    };
    let message = mailer::build_message(&out).map_err(|a| format!("{a:?}"))?;
    match smtp.send(message).await {
        Attempt::Sent(answer) => Ok(format!("sent via {}: {answer}", smtp.describe)),
        Attempt::Transient(answer) => Err(format!(
            "{} did not take the message (temporary, the worker would retry): {answer}",
            smtp.describe
        )),
        Attempt::Permanent(kind, answer) => Err(format!(
            "{} refused ({}): {answer}{}",
            smtp.describe,
            kind.as_str(),
            match kind {
                crate::domain::mail::FailureKind::Auth =>
                    " — check EINLASS_SMTP_USER / EINLASS_SMTP_PASSWORD",
                crate::domain::mail::FailureKind::Tls =>
                    " — check EINLASS_SMTP_SECURITY, EINLASS_SMTP_PORT and that EINLASS_SMTP_HOST matches the certificate",
                _ => "",
            }
        )),
    }
}
