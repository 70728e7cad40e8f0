//! The mail worker: claims due messages (with a lease), sends them outside
//! any transaction, and records each answer as it comes. Runs every second
//! inside `einlass serve`, alone as `einlass mail work`, once in `jobs run`.
//!
//! Results are recorded in small groups as they arrive (whatever is ready),
//! and a send waits while its answer cannot be handed over, so a worker
//! killed in the middle of a batch leaves only the messages in flight
//! unrecorded ([`unrecorded_at_most`]: 36 for a pool of 4): they are sent
//! again after the lease, with the same Message-ID.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;

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
///
/// The next batch is claimed and its messages built while the current one
/// is being sent, so the connections never wait for the database between
/// batches. After a batch that found the server unreachable, the next one
/// is not tried (its messages wait for their next attempt).
pub async fn drain(ctx: &Context) -> DrainResult {
    // Scheduled invitations whose time has come join the queue first.
    while crate::services::invitations::release_scheduled(ctx).await?
        == crate::services::invitations::RELEASE_CHUNK as usize
    {}
    let mut recorded = 0;
    let worker = ctx.worker_id().to_owned();
    let batch_size = (ctx.mailer().concurrency() * 250).clamp(250, 2000);
    let mut next = Some(tokio::spawn(fetch(ctx.clone(), worker.clone(), batch_size)));
    while let Some(pending) = next.take() {
        let batch = pending.await??;
        if batch.len() == batch_size {
            next = Some(tokio::spawn(fetch(ctx.clone(), worker.clone(), batch_size)));
        }
        let outcome = match batch {
            Batch::Local(claimed) => {
                let results = claimed
                    .into_iter()
                    .map(|m| {
                        (
                            m.facts,
                            Attempt::Sent(crate::domain::mail::LOCAL_ANSWER.into()),
                        )
                    })
                    .collect();
                mail_service::record(ctx, &worker, "local", results)
                    .await
                    .map(|n| (n, false))
                    .map_err(Into::into)
            }
            Batch::Smtp(ready) => match ctx.mailer() {
                Mailer::Smtp(smtp) => send_batch(ctx, smtp, &worker, ready, false).await,
                Mailer::Local => Ok((0, false)),
            },
        };
        match outcome {
            Ok((n, unreachable)) => {
                recorded += n;
                if unreachable && let Some(pending) = next.take() {
                    // Handed back untried: due again at their next attempt.
                    if let (Ok(Ok(batch)), Mailer::Smtp(smtp)) = (pending.await, ctx.mailer()) {
                        recorded += send_batch(ctx, smtp, &worker, batch.into_ready(), true)
                            .await?
                            .0;
                    }
                }
            }
            Err(error) => {
                // The next batch stays leased until its lease runs out.
                return Err(error);
            }
        }
    }
    Ok(recorded)
}

/// A claimed batch, ready for its transport.
enum Batch {
    Local(Vec<Claimed>),
    /// Each message built (or refused, with the reason).
    Smtp(Vec<Ready>),
}

impl Batch {
    fn len(&self) -> usize {
        match self {
            Batch::Local(v) => v.len(),
            Batch::Smtp(v) => v.len(),
        }
    }

    fn into_ready(self) -> Vec<Ready> {
        match self {
            Batch::Smtp(v) => v,
            Batch::Local(_) => Vec::new(),
        }
    }
}

struct Ready {
    facts: mail_service::Facts,
    message: Result<lettre::Message, Attempt>,
}

/// Claims a batch and, for SMTP, builds its messages (on the blocking pool:
/// it is CPU work).
async fn fetch(
    ctx: Context,
    worker: String,
    size: usize,
) -> Result<Batch, Box<dyn std::error::Error + Send + Sync>> {
    let claimed = mail_service::claim(&ctx, &worker, size as i64).await?;
    if ctx.mailer().is_local() {
        return Ok(Batch::Local(claimed));
    }
    let settings = ctx.settings();
    let config = &ctx.config().mail;
    let from = mailer::sender_address(config, &settings.public_base_url)?;
    let from_name = config
        .mail_from_name
        .clone()
        .unwrap_or_else(|| settings.organisation_name.clone());
    let ready = tokio::task::spawn_blocking(move || {
        claimed
            .into_iter()
            .map(|m| Ready {
                message: mailer::build_message(&Outgoing {
                    message_id: m.message_id,
                    from: &from,
                    from_name: &from_name,
                    to: &m.to,
                    to_name: &m.to_name,
                    subject: &m.subject,
                    text: m.text,
                    html: m.html,
                }),
                facts: m.facts,
            })
            .collect()
    })
    .await?;
    Ok(Batch::Smtp(ready))
}

/// Answers that may wait for their turn to be recorded: as many as are
/// recorded together, so the sends go on while a group is collected.
fn waiting_answers(concurrency: usize) -> usize {
    recorded_together(concurrency)
}

/// How long the recorder waits to fill a group (fewer, larger transactions).
const GROUP_WAIT: Duration = Duration::from_millis(3);

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

/// Sends a batch; returns how many outcomes were recorded and whether the
/// server turned out unreachable. `unreachable` set: nothing is tried, every
/// message is recorded as not tried.
async fn send_batch(
    ctx: &Context,
    smtp: &SmtpMailer,
    worker: &str,
    batch: Vec<Ready>,
    unreachable: bool,
) -> Result<(usize, bool), Box<dyn std::error::Error + Send + Sync>> {
    let concurrency = ctx.mailer().concurrency();
    let record_at_most = recorded_together(concurrency);
    // Once the server cannot be reached, the rest of the batch waits for
    // the next round instead of timing out one by one.
    let unreachable = Arc::new(AtomicBool::new(unreachable));
    // A small channel: a send that cannot hand its answer over waits (and
    // holds its slot), so sent-but-unrecorded messages stay few.
    let (tx, mut rx) =
        mpsc::channel::<(mail_service::Facts, Attempt)>(waiting_answers(concurrency));
    // One sender per connection, each taking the next message when its
    // connection is free.
    let queue = Arc::new(std::sync::Mutex::new(batch.into_iter()));
    for _ in 0..concurrency {
        let (smtp, queue, unreachable, tx) =
            (smtp.clone(), queue.clone(), unreachable.clone(), tx.clone());
        tokio::spawn(async move {
            loop {
                // Answers can no longer be recorded (the database failed):
                // send nothing more; the lease brings the rest back unsent.
                if tx.is_closed() {
                    return;
                }
                let next = queue.lock().ok().and_then(|mut q| q.next());
                let Some(Ready { facts, message }) = next else {
                    return;
                };
                let attempt = match message {
                    Err(refused) => refused,
                    Ok(_) if unreachable.load(Ordering::Relaxed) => {
                        Attempt::Transient("not tried: the SMTP server was unreachable".into())
                    }
                    Ok(built) => smtp.send(built).await,
                };
                if let Attempt::Transient(answer) = &attempt
                    && answer.starts_with("no connection")
                {
                    unreachable.store(true, Ordering::Relaxed);
                }
                if tx.send((facts, attempt)).await.is_err() {
                    return;
                }
            }
        });
    }
    drop(tx);
    let mut recorded = 0;
    let mut ready = Vec::with_capacity(64);
    while rx.recv_many(&mut ready, record_at_most).await > 0 {
        // Fill the group a little longer while answers are coming.
        let deadline = tokio::time::Instant::now() + GROUP_WAIT;
        while ready.len() < record_at_most {
            let more = record_at_most - ready.len();
            match tokio::time::timeout_at(deadline, rx.recv_many(&mut ready, more)).await {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
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
    Ok((recorded, unreachable.load(Ordering::Relaxed)))
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
        reason: "",
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
