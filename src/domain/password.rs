//! The password policy. No composition rules (NIST SP 800-63B): a length range, a blocklist of
//! common passwords, and not the email's local part. Only the policy's verdict leaves this
//! module; the password itself is never logged or stored.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::email::EmailAddress;

/// 19,640 common passwords (Royce Williams' list as shipped by Django; see assets/*.LICENSE).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 12, max_length: 128 }
    }
}

/// A password that satisfied the policy. Deliberately no `Debug` or `Display`.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str, policy: &PasswordPolicy, email: &EmailAddress) -> Result<Self, String> {
        let length = raw.chars().count();
        if length < policy.min_length {
            return Err(format!("Use at least {} characters.", policy.min_length));
        }
        if length > policy.max_length {
            return Err(format!("Use at most {} characters.", policy.max_length));
        }
        let lowered = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            return Err("This password is too common. Choose one that is harder to guess.".into());
        }
        let local = email.local_part();
        if local.chars().count() >= 3 && lowered.contains(local) {
            return Err("The password must not contain your email's name part.".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn blocklist_len() -> usize {
        COMMON_PASSWORDS.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> EmailAddress {
        EmailAddress::parse("jane.doe@example.com").unwrap()
    }

    #[test]
    fn the_policy_checks_length_blocklist_and_email() {
        let p = PasswordPolicy::default();
        assert!(Password::parse("short", &p, &email()).is_err());
        assert!(Password::parse(&"x".repeat(129), &p, &email()).is_err());
        assert!(Password::parse("1234567890123", &p, &email()).is_err(), "on the blocklist");
        assert!(Password::parse("JANE.DOE-rocks-2026", &p, &email()).is_err());
        assert!(Password::parse("correct horse battery", &p, &email()).is_ok());
        assert!(Password::blocklist_len() >= 10_000);
    }
}
