//! Times as people and `<time datetime>` read them: one format everywhere, "5 Dec 2026,
//! 14:32 UTC", in the organization's time zone and always labelled with it; durations in
//! words.

use std::str::FromStr;

use chrono::{Datelike, Offset, TimeZone, Timelike};
use chrono_tz::{OffsetName, Tz};

use crate::domain::clock::At;

/// The organization's time zone (Settings > General): an IANA zone, UTC by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Zone(Tz);

/// A moment as a page shows it: the text in the organization's zone, and the instant for
/// `<time datetime>` (which the viewer's browser may show in their own zone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamp {
    pub iso: String,
    pub text: String,
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Zone {
    pub const UTC: Zone = Zone(Tz::UTC);

    /// An IANA name ("Europe/London"); `None` when there is no such zone.
    pub fn parse(name: &str) -> Option<Self> {
        Tz::from_str(name.trim()).ok().map(Zone)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every zone, by name, for the settings page's list.
    pub fn all() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }

    /// A UTC time as the organization reads it: "5 Dec 2026, 14:32 GMT".
    pub fn stamp(self, utc: &At) -> Stamp {
        let local = self.0.from_utc_datetime(utc);
        let offset = local.offset();
        let label = match offset.abbreviation() {
            Some(a) if !a.is_empty() => a.to_owned(),
            // Zones without a letter abbreviation are labelled by their offset.
            _ => {
                let secs = offset.fix().local_minus_utc();
                let sign = if secs < 0 { '-' } else { '+' };
                let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
                if m == 0 { format!("UTC{sign}{h}") } else { format!("UTC{sign}{h}:{m:02}") }
            }
        };
        Stamp {
            iso: iso(utc),
            text: format!(
                "{} {} {}, {:02}:{:02} {label}",
                local.day(),
                MONTHS[local.month0() as usize],
                local.year(),
                local.hour(),
                local.minute()
            ),
        }
    }

    /// The local date here of a UTC time.
    pub fn date_of(self, utc: &At) -> chrono::NaiveDate {
        self.0.from_utc_datetime(utc).date_naive()
    }

    /// The UTC time at which the local day `date` begins here (date filters mean the
    /// organization's days).
    pub fn start_of_day(self, date: chrono::NaiveDate) -> At {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        match self.0.from_local_datetime(&midnight).earliest() {
            Some(t) => At::from(t.naive_utc()),
            // A day that begins in a gap (a clock change at midnight): its first real minute.
            None => self
                .0
                .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
                .map(|t| At::from(t.naive_utc()))
                .unwrap_or(At::from(midnight)),
        }
    }
}

// Written out rather than through `format("%Y-…")`, which re-parses its pattern on every
// call: a page of the list formats fifty of these.

/// `2026-11-27T06:42:59Z`, for `<time datetime>`.
pub fn iso(t: &At) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A number of minutes in words, in its largest units: "15 minutes", "2 hours", "1 hour 30
/// minutes", "3 days".
pub fn duration_words(minutes: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => plural(m, "minute"),
        (0, h, 0) => plural(h, "hour"),
        (0, h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
        (d, 0, 0) => plural(d, "day"),
        (d, h, _) => format!("{} {}", plural(d, "day"), plural(h, "hour")),
    }
}

/// A count as people read it: 12345 → "12,345".
pub fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(-12_345), "-12,345");
    }

    fn at(s: &str) -> At {
        At::from(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }

    #[test]
    fn times_read_in_the_organizations_zone_and_say_which() {
        let t = at("2026-07-05 14:32");
        assert_eq!(Zone::UTC.stamp(&t).text, "5 Jul 2026, 14:32 UTC");
        assert_eq!(Zone::parse("Europe/London").unwrap().stamp(&t).text, "5 Jul 2026, 15:32 BST");
        assert_eq!(Zone::parse("Asia/Kolkata").unwrap().stamp(&t).text, "5 Jul 2026, 20:02 IST");
        assert_eq!(
            Zone::parse("America/Sao_Paulo").unwrap().stamp(&t).text,
            "5 Jul 2026, 11:32 UTC-3"
        );
        assert_eq!(Zone::UTC.stamp(&t).iso, "2026-07-05T14:32:00Z");
        assert!(Zone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn a_day_begins_at_local_midnight() {
        let tokyo = Zone::parse("Asia/Tokyo").unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(tokyo.start_of_day(day), at("2026-12-04 15:00"));
        assert_eq!(Zone::UTC.start_of_day(day), at("2026-12-05 00:00"));
    }

    #[test]
    fn durations_read_in_their_largest_units() {
        for (minutes, words) in [
            (0, "0 minutes"),
            (1, "1 minute"),
            (45, "45 minutes"),
            (60, "1 hour"),
            (90, "1 hour 30 minutes"),
            (1440, "1 day"),
            (2880, "2 days"),
            (1500, "1 day 1 hour"),
            (43200, "30 days"),
        ] {
            assert_eq!(duration_words(minutes), words);
        }
    }
}
