//! "Now" behind a small type, so expiry, idle timeouts and the midnight rule
//! can be tested by moving time instead of waiting.

use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime, PrimitiveDateTime};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<Mutex<Duration>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Current UTC time, as stored in the database.
    pub fn now(&self) -> PrimitiveDateTime {
        let utc = OffsetDateTime::now_utc() + self.offset();
        PrimitiveDateTime::new(utc.date(), utc.time())
    }

    /// Moves this clock (and every clone of it) forward; for tests.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }

    fn offset(&self) -> Duration {
        self.offset.lock().map(|o| *o).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = other.now();
        clock.advance(Duration::hours(2));
        assert!(other.now() - before >= Duration::hours(2));
    }
}
