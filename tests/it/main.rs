//! The one integration-test binary. Every database test runs on SQLite and,
//! when EINLASS_TEST_POSTGRES_URL is set (always under CI), on PostgreSQL.

// Test code: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod access_links;
mod access_requests;
mod account;
mod audit;
mod browser;
mod bulk;
mod cli;
mod dashboard;
mod frame;
mod guards;
mod hostile;
mod imports;
mod invitations;
mod mail_faults;
mod mail_log;
mod photos;
mod qr;
mod races;
mod registration;
mod resend;
mod roles;
mod schedule;
mod settings;
mod setup;
mod templates;
mod units;
mod users;
