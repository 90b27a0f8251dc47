//! Times as people and `<time datetime>` read them (UTC).

// Written out rather than through `format("%Y-…")`, which re-parses its pattern on every
// call: a page of the list formats fifty of these.

/// `2026-11-27 06:42`, UTC.
pub fn date_time(t: &chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute())
}

/// `2026-11-27T06:42:59Z`, for `<time datetime>`.
pub fn iso(t: &chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
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
