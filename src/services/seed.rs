//! `einlass dev seed`: realistic fake users for benchmarks and demos.
//! Deterministic (same count, same people), written in batches of 1000.

use time::{Duration, PrimitiveDateTime};

use crate::context::Context;
use crate::db::{DbConn, write_tx};
use crate::domain::units::UnitKind;
use crate::domain::{AreaRole, Salutation, UnitId, UserStatus, UserType, Username, name_key};
use crate::models::outbox;
use crate::models::unit::{self, area, group};
use crate::models::user::{self, NewUser, search_text, sort_name};
use crate::services::ServiceResult;

const FIRST: &[&str] = &[
    "Anna",
    "Lena",
    "Marie",
    "Sophie",
    "Emma",
    "Mia",
    "Hannah",
    "Lea",
    "Laura",
    "Julia",
    "Sarah",
    "Katharina",
    "Jürgen",
    "Lukas",
    "Jonas",
    "Leon",
    "Finn",
    "Paul",
    "Felix",
    "Maximilian",
    "Tobias",
    "Stefan",
    "Michael",
    "Thomas",
    "Andreas",
    "Özlem",
    "Mehmet",
    "Ayşe",
    "Zofia",
    "Piotr",
    "Ioana",
    "Dragan",
    "Élodie",
    "José",
];
const LAST: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Yılmaz",
    "Kaya",
    "Nowak",
    "Kowalski",
    "Popescu",
    "Jovanović",
    "Groß",
    "Öztürk",
    "García",
];
const GROUPS: &[&str] = &[
    "Verwaltung",
    "Produktion",
    "Logistik",
    "Vertrieb",
    "Pflege",
    "Küche",
    "IT",
    "Personal",
    "Technik",
    "Empfang",
];
const AREAS: &[&str] = &[
    "Standort Nord",
    "Standort Süd",
    "Werk Ost",
    "Filiale Mitte",
    "Lager West",
];

/// What the seeded people are like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedMix {
    /// Every status, some without email or personnel number (lists, demos).
    Realistic,
    /// All `angelegt` with an email address: a roll-out about to start
    /// (the invitation benchmark, the mail worker tests).
    NewWithEmail,
}

/// Seeds `count` users (plus groups and areas if missing); returns how many
/// were added. Runs as one piece of database work.
pub async fn seed(ctx: &Context, count: u32, mix: SeedMix) -> ServiceResult<u32> {
    let now = ctx.now();
    let (added, catalog) = ctx
        .db()
        .run(move |conn| -> ServiceResult<_> {
            let added = seed_users(conn, count, mix, now)?;
            Ok((added, unit::catalog(conn)?))
        })
        .await?;
    ctx.set_units(catalog);
    Ok(added)
}

fn seed_users(
    conn: &mut DbConn,
    count: u32,
    mix: SeedMix,
    now: PrimitiveDateTime,
) -> ServiceResult<u32> {
    let group_ids = ensure_units(conn, GROUPS, UnitKind::Group, now)?;
    let area_ids = ensure_units(conn, AREAS, UnitKind::Area, now)?;
    let offset = user::count(conn, &Default::default())? as u64;
    let mut done = 0u32;
    while done < count {
        let batch = (count - done).min(1000);
        write_tx(conn, |conn| -> ServiceResult<()> {
            for i in 0..batch {
                let n = offset + u64::from(done + i);
                let first = FIRST[(n % FIRST.len() as u64) as usize];
                let last = LAST[((n / FIRST.len() as u64) % LAST.len() as u64) as usize];
                let username = format!("{}{n}", Username::proposal_base(first, last));
                let fresh = mix == SeedMix::NewWithEmail;
                let email = (fresh || !n.is_multiple_of(7))
                    .then(|| format!("{username}@beispiel-firma.de"));
                let personnel = (!n.is_multiple_of(3)).then(|| format!("P{:07}", n + 1));
                let status = match n % 20 {
                    _ if fresh => UserStatus::Angelegt,
                    0..=9 => UserStatus::Aktiv,
                    10..=13 => UserStatus::Eingeladen,
                    14..=15 => UserStatus::Angelegt,
                    16 => UserStatus::Inaktiv,
                    17 => UserStatus::Widerrufen,
                    18 => UserStatus::Ausstehend,
                    _ => UserStatus::Deaktiviert,
                };
                let user_type = match n % 10 {
                    0 => UserType::Extern,
                    1 => UserType::Gast,
                    _ => UserType::Mitarbeiter,
                };
                let created_at = now - Duration::minutes((n % 500_000) as i64);
                let id = user::insert(
                    conn,
                    &NewUser {
                        salutation: Some(if n.is_multiple_of(2) {
                            Salutation::Frau
                        } else {
                            Salutation::Herr
                        }),
                        first_name: first.into(),
                        last_name: last.into(),
                        username: username.clone(),
                        email_lower: email.as_deref().map(crate::domain::email::address_key),
                        email: email.clone(),
                        email_confirmed: status == UserStatus::Aktiv,
                        personnel_number: personnel.clone(),
                        user_type,
                        is_staff: false,
                        admin_role: None,
                        status,
                        password_hash: None,
                        must_change_password: false,
                        sort_name: sort_name(first, last),
                        search_text: search_text(
                            first,
                            last,
                            &username,
                            email.as_deref(),
                            personnel.as_deref(),
                        ),
                        created_at,
                        updated_at: created_at,
                    },
                )?;
                if let Some(address) = &email {
                    seed_invitation_mail(conn, id, address, status, n, created_at)?;
                }
                group::add_member(conn, group_ids[(n % group_ids.len() as u64) as usize], id)?;
                area::assign(
                    conn,
                    area_ids[(n % area_ids.len() as u64) as usize],
                    id,
                    AreaRole::Mitglied,
                )?;
            }
            Ok(())
        })?;
        done += batch;
    }
    crate::models::analyze_after_bulk_load(conn)?;
    Ok(done)
}

/// Seeds `count` past messages for the email log: every kind and state,
/// one every 13 seconds back from now, to made-up addresses (no user, no
/// link, no token). Returns how many were added.
pub async fn seed_mails(ctx: &Context, count: u32) -> ServiceResult<u32> {
    use crate::domain::mail::{Delivery, MailKind};
    let now = ctx.now();
    let mut done = 0u32;
    while done < count {
        let batch = (count - done).min(5000);
        let from = done;
        ctx.db()
            .run(move |conn| {
                write_tx(conn, |conn| -> ServiceResult<()> {
                    let rows: Vec<outbox::NewMessage> = (from..from + batch)
                        .map(|i| {
                            let n = u64::from(i);
                            let kind = match n % 20 {
                                0..=13 => MailKind::Invitation,
                                14..=15 => MailKind::Reminder,
                                16..=18 => MailKind::PasswordReset,
                                _ => MailKind::EmailConfirmation,
                            };
                            let status = match n % 100 {
                                0..=2 => Delivery::Fehlgeschlagen,
                                3..=4 => Delivery::Blockiert,
                                5..=8 => Delivery::Abgebrochen,
                                9 => Delivery::Wartend,
                                _ => Delivery::Gesendet,
                            };
                            let at = now - Duration::seconds(13 * (n as i64 + 1));
                            let address = format!("person{n}@beispiel-firma.de");
                            outbox::NewMessage {
                                message_key: format!("seedmail{n:012}"),
                                kind,
                                user_id: None,
                                recipient: address.clone(),
                                recipient_lower: address,
                                recipient_name: String::new(),
                                language: "de".into(),
                                subject: "Beispielnachricht".into(),
                                body_text: "Beispieldaten".into(),
                                body_html: "<p>Beispieldaten</p>".into(),
                                sealed_token: None,
                                link_path: None,
                                status,
                                next_attempt_at: at,
                                attempts: i32::from(status != Delivery::Abgebrochen),
                                give_up_at: at,
                                created_at: at,
                                last_answer: (status == Delivery::Gesendet)
                                    .then(|| "250 2.0.0 Ok: queued".to_owned()),
                                failure_kind: None,
                                current_invitation: false,
                            }
                        })
                        .collect();
                    outbox::insert_many(conn, &rows)?;
                    Ok(())
                })
            })
            .await?;
        done += batch;
    }
    ctx.db()
        .run(|conn| -> ServiceResult<()> {
            crate::models::analyze_after_bulk_load(conn)?;
            Ok(())
        })
        .await?;
    Ok(done)
}

/// The invitation mail of a seeded person who was invited (the delivery
/// states the list shows and filters by): most sent, some waiting, failed
/// or blocked. A short stand-in text; no link, no token.
fn seed_invitation_mail(
    conn: &mut DbConn,
    user_id: crate::domain::UserId,
    address: &str,
    status: UserStatus,
    n: u64,
    at: PrimitiveDateTime,
) -> ServiceResult<()> {
    use crate::domain::mail::{Delivery, MailKind};
    if !matches!(
        status,
        UserStatus::Eingeladen | UserStatus::Aktiv | UserStatus::Inaktiv | UserStatus::Widerrufen
    ) {
        return Ok(());
    }
    let delivery = match n % 50 {
        3 => Delivery::Fehlgeschlagen,
        7 => Delivery::Blockiert,
        11 if status == UserStatus::Eingeladen => Delivery::Wartend,
        _ => Delivery::Gesendet,
    };
    let message = outbox::insert(
        conn,
        &outbox::NewMessage {
            message_key: format!("seed{n:012}"),
            kind: MailKind::Invitation,
            user_id: Some(user_id),
            recipient: address.to_owned(),
            recipient_lower: address.to_lowercase(),
            recipient_name: String::new(),
            language: "de".into(),
            subject: "Einladung (Beispieldaten)".into(),
            body_text: "Beispieldaten".into(),
            body_html: "<p>Beispieldaten</p>".into(),
            sealed_token: None,
            link_path: None,
            status: delivery,
            next_attempt_at: at,
            attempts: 1,
            give_up_at: at,
            created_at: at,
            last_answer: None,
            failure_kind: None,
            current_invitation: true,
        },
    )?;
    user::update(
        conn,
        user_id,
        &user::UserChanges {
            invitation_message_id: Some(Some(message)),
            ..Default::default()
        },
    )?;
    Ok(())
}

fn ensure_units(
    conn: &mut DbConn,
    names: &[&str],
    kind: UnitKind,
    now: PrimitiveDateTime,
) -> ServiceResult<Vec<UnitId>> {
    write_tx(conn, |conn| {
        let mut ids = Vec::new();
        for name in names {
            let key = name_key(name);
            let unit = match unit::find_by_key(conn, kind, &key)? {
                Some(u) => u,
                None => unit::insert(conn, kind, name, &key, now)?,
            };
            ids.push(unit.id);
        }
        Ok(ids)
    })
}
