//! The organization's settings as the console's settings pages change them, one concern per
//! page: General, Password policy, Self-registration and Links (Login security is
//! `lockout`). Each parses its form into a value that is valid by construction; the use case
//! compares it with the saved one and records before → after.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use serde::Serialize;

use super::FieldErrors;
use super::email::EmailAddress;
use super::format::duration_words;
use super::password::{MAX_MAX, MIN_LENGTHS, PasswordPolicy};

/// A settings form as submitted: field → value (a ticked checkbox is present, "on").
pub type Form = HashMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct General {
    /// Shown in the console, My Account and every email.
    pub name: String,
    /// An IANA zone name: every time shown is in it.
    pub time_zone: String,
    pub mail_from_name: String,
    /// Empty: the server's default sender.
    pub mail_from_address: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Registration {
    pub enabled: bool,
    /// New accounts stay pending until the emailed link is followed.
    pub verification: bool,
    pub expiry_minutes: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LinkExpiry {
    pub invitation_minutes: i32,
    pub reset_minutes: i32,
}

/// How long a link may stay valid: five minutes to thirty days.
pub const EXPIRY_MINUTES: RangeInclusive<i32> = 5..=30 * 24 * 60;
pub const NAME_MAX: usize = 100;

/// One page's new values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Change {
    General(General),
    Passwords(PasswordPolicy),
    Registration(Registration),
    Links(LinkExpiry),
}

impl Change {
    /// The audit trail's name for a change of this page.
    pub fn action(&self) -> &'static str {
        match self {
            Self::General(_) => "settings.general_updated",
            Self::Passwords(_) => "settings.password_policy_updated",
            Self::Registration(_) => "settings.self_registration_updated",
            Self::Links(_) => "settings.links_updated",
        }
    }
}

fn flag(form: &Form, name: &str) -> bool {
    form.get(name).is_some_and(|v| v == "on")
}

fn text(form: &Form, name: &str) -> String {
    form.get(name).map(|v| v.trim().to_owned()).unwrap_or_default()
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
    form: &Form,
    name: &str,
    range: RangeInclusive<T>,
    errors: &mut FieldErrors,
) -> T {
    match text(form, name).parse::<T>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.add(
                name,
                format!("Enter a whole number from {} to {}.", range.start(), range.end()),
            );
            *range.start()
        }
    }
}

/// A duration field, in minutes (the form turned its number and unit into minutes); its message
/// says the range in words.
fn minutes(form: &Form, name: &str, range: RangeInclusive<i32>, errors: &mut FieldErrors) -> i32 {
    match text(form, name).parse::<i32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.add(
                name,
                format!(
                    "Enter a time from {} to {}.",
                    duration_words((*range.start()).into()),
                    duration_words((*range.end()).into())
                ),
            );
            *range.start()
        }
    }
}

fn done<T>(value: T, errors: FieldErrors) -> Result<T, FieldErrors> {
    if errors.is_empty() { Ok(value) } else { Err(errors) }
}

impl General {
    pub fn parse(form: &Form) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = text(form, "name");
        if name.is_empty() {
            errors.add("name", "Enter the organization's name.");
        } else if name.chars().count() > NAME_MAX || name.chars().any(super::is_forbidden_char) {
            errors.add(
                "name",
                format!("Use at most {NAME_MAX} characters, without control characters."),
            );
        }
        let time_zone = match super::format::Zone::parse(&text(form, "time_zone")) {
            Some(zone) => zone.name().to_owned(),
            None => {
                errors.add("time_zone", "Choose a time zone from the list.");
                String::new()
            }
        };
        let mail_from_name = text(form, "mail_from_name");
        if mail_from_name.chars().count() > NAME_MAX
            || mail_from_name.chars().any(super::is_forbidden_char)
            || mail_from_name.contains(['<', '>', '"'])
        {
            errors.add(
                "mail_from_name",
                format!("Use at most {NAME_MAX} characters, without < > \" or control characters."),
            );
        }
        let raw_address = text(form, "mail_from_address");
        let mail_from_address = if raw_address.is_empty() {
            String::new()
        } else {
            match EmailAddress::parse(&raw_address) {
                Ok(a) => a.to_string(),
                Err(m) => {
                    errors.add("mail_from_address", m);
                    raw_address
                }
            }
        };
        done(Self { name, time_zone, mail_from_name, mail_from_address }, errors)
    }
}

/// Settings > Password policy.
pub fn parse_password_policy(form: &Form) -> Result<PasswordPolicy, FieldErrors> {
    let mut errors = FieldErrors::default();
    let min_length = number(form, "min_length", MIN_LENGTHS, &mut errors);
    let max_length = number(form, "max_length", 8..=MAX_MAX, &mut errors);
    if errors.get("min_length").is_none()
        && errors.get("max_length").is_none()
        && max_length < min_length
    {
        errors.add("max_length", "The maximum cannot be below the minimum.");
    }
    let policy = PasswordPolicy {
        min_length,
        max_length,
        require_upper: flag(form, "require_upper"),
        require_lower: flag(form, "require_lower"),
        require_digit: flag(form, "require_digit"),
        require_symbol: flag(form, "require_symbol"),
        blocklist: flag(form, "blocklist"),
        no_name_part: flag(form, "no_name_part"),
    };
    done(policy, errors)
}

impl Registration {
    pub fn parse(form: &Form) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let value = Self {
            enabled: flag(form, "enabled"),
            verification: flag(form, "verification"),
            expiry_minutes: minutes(form, "expiry_minutes", EXPIRY_MINUTES, &mut errors),
        };
        done(value, errors)
    }
}

impl LinkExpiry {
    pub fn parse(form: &Form) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let value = Self {
            invitation_minutes: minutes(form, "invitation_minutes", EXPIRY_MINUTES, &mut errors),
            reset_minutes: minutes(form, "reset_minutes", EXPIRY_MINUTES, &mut errors),
        };
        done(value, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn each_page_checks_its_fields_and_names_them() {
        let bad =
            General::parse(&form(&[("name", ""), ("mail_from_address", "nope")])).unwrap_err();
        assert!(bad.get("name").is_some() && bad.get("mail_from_address").is_some());
        let ok = General::parse(&form(&[
            ("name", " Acme "),
            ("time_zone", "Europe/Lisbon"),
            ("mail_from_address", "Hi@Acme.example"),
        ]))
        .unwrap();
        assert_eq!((ok.name.as_str(), ok.time_zone.as_str()), ("Acme", "Europe/Lisbon"));
        let zone = General::parse(&form(&[("name", "Acme"), ("time_zone", "Mars/Olympus")]));
        assert!(zone.unwrap_err().get("time_zone").is_some(), "only a zone from the list");

        let p =
            parse_password_policy(&form(&[("min_length", "7"), ("max_length", "64")])).unwrap_err();
        assert!(p.get("min_length").is_some());
        let p = parse_password_policy(&form(&[("min_length", "20"), ("max_length", "16")]))
            .unwrap_err();
        assert_eq!(p.get("max_length"), Some("The maximum cannot be below the minimum."));
        let p = parse_password_policy(&form(&[
            ("min_length", "10"),
            ("max_length", "64"),
            ("require_digit", "on"),
        ]))
        .unwrap();
        assert!(p.require_digit && !p.require_upper && !p.blocklist);

        assert!(Registration::parse(&form(&[("expiry_minutes", "1")])).is_err());
        assert!(
            LinkExpiry::parse(&form(&[
                ("invitation_minutes", "60"),
                ("reset_minutes", "99999999")
            ]))
            .is_err()
        );
    }
}
