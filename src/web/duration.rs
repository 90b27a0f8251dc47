//! Durations in forms: a number and a unit (minutes, hours, days) instead of raw minutes. A
//! field `name` comes with `name_unit`; the handler turns the pair back into minutes before
//! the form is parsed, so the rules (ranges, messages) stay with the settings they belong to.

use std::collections::HashMap;

/// The units a duration field offers: (value, label).
pub const UNITS: &[(&str, &str)] = &[("minutes", "minutes"), ("hours", "hours"), ("days", "days")];

/// A duration as its field shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    pub amount: String,
    pub unit: &'static str,
    pub units: &'static [(&'static str, &'static str)],
}

impl Duration {
    /// `minutes` in the largest unit that divides it (1440 → 1 day, 90 → 90 minutes).
    pub fn of_minutes(minutes: i64) -> Self {
        let (amount, unit) = match minutes {
            m if m > 0 && m % 1440 == 0 => (m / 1440, "days"),
            m if m > 0 && m % 60 == 0 => (m / 60, "hours"),
            m => (m, "minutes"),
        };
        Self { amount: amount.to_string(), unit, units: UNITS }
    }

    /// A field shown again as it was submitted (its amount as typed).
    pub fn as_submitted(amount: &str, unit: &str) -> Self {
        let unit = UNITS.iter().map(|u| u.0).find(|u| *u == unit).unwrap_or("minutes");
        Self { amount: amount.trim().to_owned(), unit, units: UNITS }
    }
}

/// The minutes of `amount` `unit`, as text for the form's parser; what was typed when it is not
/// a whole number (the parser then says what is wrong).
pub fn to_minutes(amount: &str, unit: &str) -> String {
    let factor = match unit {
        "hours" => 60,
        "days" => 1440,
        _ => 1,
    };
    match amount.trim().parse::<i64>() {
        Ok(n) => n.checked_mul(factor).map(|m| m.to_string()).unwrap_or_else(|| amount.into()),
        Err(_) => amount.trim().to_owned(),
    }
}

/// In a submitted form, each of `fields` (and its `_unit`) made minutes.
pub fn fold_units(form: &mut HashMap<String, String>, fields: &[&str]) {
    for name in fields {
        let unit = form.remove(&format!("{name}_unit")).unwrap_or_default();
        if let Some(amount) = form.get_mut(*name) {
            *amount = to_minutes(amount, &unit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_shows_in_its_largest_whole_unit() {
        assert_eq!(Duration::of_minutes(1440).amount, "1");
        assert_eq!(Duration::of_minutes(1440).unit, "days");
        assert_eq!(Duration::of_minutes(120).unit, "hours");
        assert_eq!(
            (Duration::of_minutes(90).amount.as_str(), Duration::of_minutes(90).unit),
            ("90", "minutes")
        );
    }

    #[test]
    fn a_number_and_a_unit_become_minutes_and_anything_else_stays_as_typed() {
        assert_eq!(to_minutes("2", "days"), "2880");
        assert_eq!(to_minutes(" 3 ", "hours"), "180");
        assert_eq!(to_minutes("45", "minutes"), "45");
        assert_eq!(to_minutes("soon", "days"), "soon");
        assert_eq!(to_minutes("9223372036854775807", "days"), "9223372036854775807");
    }
}
