//! An email address, which is also the username: trimmed, lower-cased, one `@`, at most 254
//! characters, no spaces or control characters.

use std::fmt;

use super::is_forbidden_char;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("Enter an email address.");
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err("An email address has at most 254 characters.");
        }
        if value.chars().any(|c| is_forbidden_char(c) || c.is_whitespace()) {
            return Err("An email address cannot contain spaces or control characters.");
        }
        let mut parts = value.split('@');
        let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
            (Some(l), Some(d), None) => (l, d),
            _ => return Err("Enter an email address like name@example.com."),
        };
        if local.is_empty() || local.len() > 64 {
            return Err("Enter an email address like name@example.com.");
        }
        let labels_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err("Enter an email address like name@example.com.");
        }
        Ok(Self(value.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(EmailAddress::parse("  Bob@X.io ").unwrap().as_str(), "bob@x.io");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "bob",
            "bob@",
            "@x.io",
            "a@b@c.io",
            "bob@x",
            "bo b@x.io",
            "bob@x..io",
            "bob\u{7}@x.io",
            "bob@-x.io",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@{}.io", "a".repeat(60), "b".repeat(200));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
