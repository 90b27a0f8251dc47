//! The time that timed rules (failed sign-in locks and their expiry) are decided by. Real time
//! in production; tests move it forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime, SubsecRound, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds added to the real time: zero unless a test advanced the clock.
    offset_us: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC, to the microsecond (the precision every table keeps).
    pub fn now(&self) -> NaiveDateTime {
        let real = Utc::now().naive_utc().trunc_subsecs(6);
        real + Duration::microseconds(self.offset_us.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every copy of it) forward.
    pub fn advance(&self, by: Duration) {
        let us = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_us.fetch_add(us, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_is_ahead_in_every_copy() {
        let clock = Clock::default();
        let copy = clock.clone();
        clock.advance(Duration::minutes(90));
        let ahead = copy.now() - Utc::now().naive_utc();
        assert!(ahead > Duration::minutes(89) && ahead <= Duration::minutes(90), "{ahead}");
    }
}
