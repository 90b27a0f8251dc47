//! Settings > Login security: locking an account after consecutive failed sign-ins. After
//! `attempts` failures in a row the account is locked for `minutes`, then `minutes × factor`,
//! `minutes × factor²`, … on repeat offences (until a successful sign-in starts afresh).

use super::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LockoutPolicy {
    pub enabled: bool,
    pub attempts: i32,
    pub minutes: i32,
    pub factor: i32,
}

pub const ATTEMPTS: std::ops::RangeInclusive<i32> = 1..=10;
pub const MINUTES: std::ops::RangeInclusive<i32> = 1..=1440;
pub const FACTOR: std::ops::RangeInclusive<i32> = 1..=10;
/// No lock lasts longer than a year, however often it repeats.
pub const LONGEST_MINUTES: i64 = 365 * 24 * 60;

impl LockoutPolicy {
    /// The form's values, checked; messages name the field.
    pub fn parse(
        enabled: bool,
        attempts: &str,
        minutes: &str,
        factor: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        // `words` says a bound as people read it (a duration in its units).
        let mut number =
            |field: &str,
             raw: &str,
             range: std::ops::RangeInclusive<i32>,
             what,
             words: fn(i32) -> String| match raw.trim().parse::<i32>() {
                Ok(n) if range.contains(&n) => n,
                _ => {
                    let (from, to) = (words(*range.start()), words(*range.end()));
                    errors.add(field, format!("Enter {what} from {from} to {to}."));
                    0
                }
            };
        let plain = |n: i32| n.to_string();
        let time = |n: i32| super::format::duration_words(n.into());
        let policy = Self {
            enabled,
            attempts: number("attempts", attempts, ATTEMPTS, "a number of attempts", plain),
            minutes: number("minutes", minutes, MINUTES, "a time", time),
            factor: number("factor", factor, FACTOR, "a factor", plain),
        };
        if errors.is_empty() { Ok(policy) } else { Err(errors) }
    }

    /// How long the lock lasts when the account was locked `earlier` times before.
    pub fn lock_minutes(&self, earlier: i32) -> i64 {
        let mut minutes = i64::from(self.minutes.max(1));
        for _ in 0..earlier.max(0) {
            minutes = minutes.saturating_mul(i64::from(self.factor.max(1)));
            if minutes >= LONGEST_MINUTES {
                return LONGEST_MINUTES;
            }
        }
        minutes.min(LONGEST_MINUTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::format::duration_words;

    #[test]
    fn each_repeat_lasts_factor_times_longer_up_to_a_year() {
        let p = LockoutPolicy { enabled: true, attempts: 3, minutes: 15, factor: 2 };
        assert_eq!([p.lock_minutes(0), p.lock_minutes(1), p.lock_minutes(2)], [15, 30, 60]);
        let steep = LockoutPolicy { factor: 10, minutes: 1440, ..p };
        assert_eq!(steep.lock_minutes(40), LONGEST_MINUTES);
    }

    #[test]
    fn the_form_is_checked_against_the_ranges() {
        assert!(LockoutPolicy::parse(true, "5", "15", "2").is_ok());
        let errors = LockoutPolicy::parse(true, "0", "abc", "11").unwrap_err();
        assert!(errors.get("attempts").is_some());
        assert!(errors.get("minutes").is_some());
        assert!(errors.get("factor").is_some());
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(1), "1 minute");
        assert_eq!(duration_words(120), "2 hours");
        assert_eq!(duration_words(90), "1 hour 30 minutes");
        assert_eq!(duration_words(2880), "2 days");
    }
}
