//! Rate limits: keyed counters in the database, shared by every instance.
//! A limit allows `max` counted events per key within a sliding `window`.
//! Sign-in uses it now; password reset, link redemption and registration
//! will use the same mechanism.

use time::{Duration, PrimitiveDateTime};

use crate::db::DbConn;
use crate::domain::token::hash_secret;
use crate::models::rate_limit;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// What is counted; part of the key space.
    pub scope: &'static str,
    pub max: i64,
    pub window: Duration,
}

/// Failed sign-ins per account key (what was typed, lowercased: existing or not).
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    scope: "sign_in_account",
    max: 5,
    window: Duration::minutes(15),
};

/// Failed sign-ins per client address.
pub const SIGN_IN_PER_ADDRESS: Limit = Limit {
    scope: "sign_in_address",
    max: 20,
    window: Duration::minutes(15),
};

/// "Passwort vergessen" requests per account key (existing or not).
pub const RESET_PER_ACCOUNT: Limit = Limit {
    scope: "reset_account",
    max: 3,
    window: Duration::hours(1),
};

/// "Passwort vergessen" requests per client address.
pub const RESET_PER_ADDRESS: Limit = Limit {
    scope: "reset_address",
    max: 20,
    window: Duration::hours(1),
};

/// Link redemptions (activation, reset, confirmation) that failed, per client.
pub const LINK_FAILURES_PER_ADDRESS: Limit = Limit {
    scope: "link_address",
    max: 30,
    window: Duration::minutes(15),
};

/// Confirmation mails a person may ask for (adding an email) per hour.
pub const CONFIRMATIONS_PER_ACCOUNT: Limit = Limit {
    scope: "confirm_account",
    max: 5,
    window: Duration::hours(1),
};

/// Registrations through the whitelist that matched no entry, per client
/// address.
pub const REGISTER_MISMATCH_PER_ADDRESS: Limit = Limit {
    scope: "register_address",
    max: 10,
    window: Duration::hours(1),
};

/// The same, per typed key (the personnel number, else the names): one
/// person's data cannot be guessed from many addresses either.
pub const REGISTER_MISMATCH_PER_KEY: Limit = Limit {
    scope: "register_key",
    max: 5,
    window: Duration::hours(1),
};

/// Access requests (open registration) per client address.
pub const REQUESTS_PER_ADDRESS: Limit = Limit {
    scope: "request_address",
    max: 5,
    window: Duration::hours(1),
};

/// Hits older than this are of no use to any limit and are swept.
pub const LONGEST_WINDOW: Duration = Duration::hours(24);

impl Limit {
    /// Whether `key` has used up its allowance. In a write transaction the
    /// key stays locked until it ends (PostgreSQL; SQLite's write lock holds
    /// everything), so that a check and the [`Limit::hit`] after it are one
    /// step for requests sent at the same instant.
    pub fn exceeded(
        &self,
        conn: &mut DbConn,
        key: &str,
        now: PrimitiveDateTime,
    ) -> diesel::QueryResult<bool> {
        rate_limit::lock(conn, self.scope, &hash_secret(key))?;
        Ok(self.count(conn, key, now)? >= self.max)
    }

    /// How many events `key` had within the window.
    pub fn count(
        &self,
        conn: &mut DbConn,
        key: &str,
        now: PrimitiveDateTime,
    ) -> diesel::QueryResult<i64> {
        rate_limit::count_since(conn, self.scope, &hash_secret(key), now - self.window)
    }

    /// Counts one event for `key`.
    pub fn hit(
        &self,
        conn: &mut DbConn,
        key: &str,
        now: PrimitiveDateTime,
    ) -> diesel::QueryResult<()> {
        rate_limit::record(conn, self.scope, &hash_secret(key), now)?;
        Ok(())
    }

    /// Forgets the events of `key` (e.g. after a successful sign-in).
    pub fn reset(&self, conn: &mut DbConn, key: &str) -> diesel::QueryResult<()> {
        rate_limit::clear(conn, self.scope, &hash_secret(key))?;
        Ok(())
    }

    /// Gives back the attempt [`take`] counted for `key` up front, when it
    /// turned out to be no failure.
    pub fn give_back(&self, conn: &mut DbConn, key: &str) -> diesel::QueryResult<()> {
        rate_limit::remove_newest(conn, self.scope, &hash_secret(key))?;
        Ok(())
    }
}

/// Counts one attempt against each limit with its key, or none when one of
/// them is used up (`false`: refuse without checking anything). The attempt
/// is counted before it is checked (a password takes bcrypt's time), with
/// the keys locked in the caller's write transaction: attempts sent at the
/// same instant cannot all pass the count before any is recorded. Keys are
/// locked in the order given; callers name the account before the address.
pub fn take(
    conn: &mut DbConn,
    limits: &[(&Limit, &str)],
    now: PrimitiveDateTime,
) -> diesel::QueryResult<bool> {
    for (limit, key) in limits {
        if limit.exceeded(conn, key, now)? {
            return Ok(false);
        }
    }
    for (limit, key) in limits {
        limit.hit(conn, key, now)?;
    }
    Ok(true)
}

/// Forgets hits that no window looks at any more.
pub fn sweep(conn: &mut DbConn, now: PrimitiveDateTime) -> diesel::QueryResult<usize> {
    rate_limit::delete_before(conn, now - LONGEST_WINDOW)
}
