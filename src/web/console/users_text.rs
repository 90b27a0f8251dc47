//! The Users list's sentences: where a page is ("26–50 of 1,000,000 customers"), how many
//! matched when the total is unknown, what an empty search looked for, and the sort order.

use crate::db::customer_list::SortField;
use crate::domain::account::Status;
use crate::domain::format::thousands;

/// What the page shows of the list.
pub struct Shown {
    /// Search, status or group filter set.
    pub filtered: bool,
    /// The exact number of matches, when kept counts know it.
    pub total: Option<i64>,
    /// Matches counted up to `cap + 1` (used when `total` is unknown).
    pub count: i64,
    /// Where the count stops (`list::ListPage::count_cap`).
    pub cap: i64,
    /// The position of the first row shown (1-based), when known.
    pub first: Option<i64>,
    pub rows: i64,
}

/// The first row's position, from the link's claim (`at`) clamped to what can be true: the
/// first page starts at 1; a later page's rows end at most at the total. `at` only ever shapes
/// this text.
pub fn first_position(
    at: Option<i64>,
    first_page: bool,
    rows: i64,
    total: Option<i64>,
) -> Option<i64> {
    if first_page {
        return Some(1);
    }
    let at = at?.max(1);
    Some(match total {
        Some(total) => at.min((total - rows + 1).max(1)),
        None => at,
    })
}

/// "1–25 of 1,000,000 customers", "1,000,000 customers" (a later page whose position is not
/// known), or, without a known total, "More than 1,000 matching customers" (or another `cap`) or
/// "12 customers".
pub fn count_label(s: &Shown) -> String {
    let noun = |n: i64| match (s.filtered, n == 1) {
        (false, false) => "customers",
        (false, true) => "customer",
        (true, false) => "matching customers",
        (true, true) => "matching customer",
    };
    match (s.total, s.first) {
        (Some(total), Some(first)) if s.rows > 0 => {
            let last = first + s.rows - 1;
            let span = if s.rows == 1 {
                thousands(first)
            } else {
                format!("{}–{}", thousands(first), thousands(last))
            };
            format!("{span} of {} {}", thousands(total), noun(total))
        }
        (Some(total), _) => format!("{} {}", thousands(total), noun(total)),
        (None, _) if s.count > s.cap => format!("More than {} {}", thousands(s.cap), noun(2)),
        (None, _) => format!("{} {}", thousands(s.count), noun(s.count)),
    }
}

/// The heading of an empty result: what was searched and filtered, in words. `search` is the
/// term as typed.
pub fn nothing_found(search: &str, status: Option<Status>, group: Option<&str>) -> String {
    let mut who = String::from("No customers");
    if let Some(status) = status {
        who.push_str(" with status ");
        who.push_str(status.label());
    }
    if let Some(group) = group {
        who.push_str(" in the group ");
        who.push_str(group);
    }
    let search = search.trim();
    if search.is_empty() {
        who
    } else {
        format!("{who} match \"{search}\" in email addresses or names")
    }
}

/// The line under the heading: the list's order, in words.
pub fn order_line(sort: SortField, descending: bool) -> &'static str {
    match (sort, descending) {
        (SortField::Created, true) => "Your organization's customers, newest first.",
        (SortField::Created, false) => {
            "Your organization's customers. Sorted by date created, oldest first."
        }
        (SortField::LastSignIn, true) => {
            "Your organization's customers. Sorted by last sign-in, most recent first."
        }
        (SortField::LastSignIn, false) => {
            "Your organization's customers. Sorted by last sign-in, least recent first."
        }
        (SortField::Email, false) => "Your organization's customers. Sorted by email, A to Z.",
        (SortField::Email, true) => "Your organization's customers. Sorted by email, Z to A.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::list::COUNT_CAP;

    fn shown(total: Option<i64>, count: i64, first: Option<i64>, rows: i64) -> String {
        count_label(&Shown { filtered: false, total, count, cap: COUNT_CAP, first, rows })
    }

    #[test]
    fn a_known_total_gives_the_pages_position() {
        assert_eq!(shown(Some(1_000_000), 1_001, Some(1), 25), "1–25 of 1,000,000 customers");
        assert_eq!(shown(Some(60), 60, Some(51), 10), "51–60 of 60 customers");
        assert_eq!(shown(Some(1), 1, Some(1), 1), "1 of 1 customer");
        assert_eq!(shown(Some(5_000), 1_001, None, 25), "5,000 customers");
        assert_eq!(shown(Some(0), 0, Some(1), 0), "0 customers");
    }

    #[test]
    fn an_unknown_total_keeps_the_capped_count() {
        assert_eq!(shown(None, 1_001, Some(1), 25), "More than 1,000 customers");
        assert_eq!(shown(None, 12, Some(1), 12), "12 customers");
        let filtered =
            Shown { filtered: true, total: None, count: 1, cap: 100, first: None, rows: 1 };
        assert_eq!(count_label(&filtered), "1 matching customer");
        let narrowed = Shown { count: 101, rows: 25, ..filtered };
        assert_eq!(count_label(&narrowed), "More than 100 matching customers");
    }

    #[test]
    fn a_claimed_position_is_clamped_to_what_can_be_true() {
        assert_eq!(first_position(Some(26), true, 25, Some(100)), Some(1), "first page");
        assert_eq!(first_position(Some(26), false, 25, Some(100)), Some(26));
        assert_eq!(first_position(Some(-5), false, 25, Some(100)), Some(1));
        assert_eq!(first_position(Some(999), false, 25, Some(100)), Some(76));
        assert_eq!(first_position(Some(999), false, 25, Some(10)), Some(1));
        assert_eq!(first_position(None, false, 25, Some(100)), None, "unknown stays unknown");
    }

    #[test]
    fn an_empty_result_says_what_was_searched() {
        assert_eq!(
            nothing_found(" donna x ", None, None),
            "No customers match \"donna x\" in email addresses or names"
        );
        assert_eq!(
            nothing_found("donna", Some(Status::Locked), Some("vip")),
            "No customers with status Locked in the group vip match \"donna\" in email \
             addresses or names"
        );
        assert_eq!(
            nothing_found("", Some(Status::Locked), None),
            "No customers with status Locked"
        );
    }
}
