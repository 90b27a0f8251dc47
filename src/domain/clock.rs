//! Moments (`At`), and the time that timed rules (failed sign-in locks and their expiry) are
//! decided by: real time in production; tests move it forward instead of sleeping.

use std::ops::{Add, Deref, Sub};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime, SubsecRound, Utc};

/// A moment in UTC, to the millisecond: what every table keeps (as an integer, `db::millis`),
/// so a moment written reads back equal. Read it as a chrono `NaiveDateTime` through `Deref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At(NaiveDateTime);

impl At {
    /// Now, from the system clock.
    pub fn now() -> Self {
        Self::from(Utc::now().naive_utc())
    }

    /// The moment `ms` milliseconds after 1970-01-01 UTC, if chrono can hold it.
    pub fn from_millis(ms: i64) -> Option<Self> {
        chrono::DateTime::from_timestamp_millis(ms).map(|t| Self(t.naive_utc()))
    }

    /// Milliseconds since 1970-01-01 UTC.
    pub fn millis(&self) -> i64 {
        self.0.and_utc().timestamp_millis()
    }
}

impl From<NaiveDateTime> for At {
    /// Truncated to the millisecond.
    fn from(t: NaiveDateTime) -> Self {
        Self(t.trunc_subsecs(3))
    }
}

impl Deref for At {
    type Target = NaiveDateTime;
    fn deref(&self) -> &NaiveDateTime {
        &self.0
    }
}

impl Add<Duration> for At {
    type Output = At;
    fn add(self, d: Duration) -> At {
        At::from(self.0 + d)
    }
}

impl Sub<Duration> for At {
    type Output = At;
    fn sub(self, d: Duration) -> At {
        At::from(self.0 - d)
    }
}

impl Sub<At> for At {
    type Output = Duration;
    fn sub(self, other: At) -> Duration {
        self.0 - other.0
    }
}

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds added to the real time: zero unless a test advanced the clock.
    offset_us: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC, to the millisecond (the precision every table keeps).
    pub fn now(&self) -> At {
        At::now() + Duration::microseconds(self.offset_us.load(Ordering::Relaxed))
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
        let ahead = copy.now() - At::now();
        assert!(ahead > Duration::minutes(89) && ahead <= Duration::minutes(90), "{ahead}");
    }

    #[test]
    fn a_moment_keeps_whole_milliseconds() {
        let t = At::from_millis(1_796_000_123_456).unwrap();
        assert_eq!(t.millis(), 1_796_000_123_456);
        assert_eq!(At::from(*t + Duration::microseconds(999)), t);
        assert_eq!(At::from_millis(i64::MAX), None);
    }
}
