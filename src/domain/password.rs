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

/// One line of the policy's live checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub label: String,
    pub met: bool,
}

fn is_common(lowered: &str) -> bool {
    COMMON_PASSWORDS.contains(lowered)
}

/// The email's name part, when long enough to matter (`jo@x.io` would forbid every "jo").
fn contains_local_part(lowered: &str, email: &EmailAddress) -> bool {
    let local = email.local_part();
    local.chars().count() >= 3 && lowered.contains(local)
}

/// The policy as a checklist for `raw`, as the New User wizard shows it while the administrator
/// types. The same predicates as `Password::parse`.
pub fn checklist(raw: &str, policy: &PasswordPolicy, email: Option<&EmailAddress>) -> Vec<Check> {
    let length = raw.chars().count();
    let lowered = raw.to_lowercase();
    let mut checks = vec![
        Check {
            label: format!("{} to {} characters", policy.min_length, policy.max_length),
            met: (policy.min_length..=policy.max_length).contains(&length),
        },
        Check { label: "Not a common password".into(), met: length > 0 && !is_common(&lowered) },
    ];
    checks.push(Check {
        label: "Does not contain the email's name part".into(),
        met: length > 0 && !email.is_some_and(|e| contains_local_part(&lowered, e)),
    });
    checks
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
        if is_common(&lowered) {
            return Err("This password is too common. Choose one that is harder to guess.".into());
        }
        if contains_local_part(&lowered, email) {
            return Err("The password must not contain the email's name part.".into());
        }
        Ok(Self(raw.to_owned()))
    }

    /// A random password that meets any sensible policy: four groups of five characters from
    /// an alphabet without look-alikes (0/O, 1/l/I), about 114 bits.
    pub fn generate(policy: &PasswordPolicy) -> String {
        use rand::Rng;
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::rng();
        let groups = policy.min_length.div_ceil(5).max(4);
        let mut out = String::new();
        for g in 0..groups {
            if g > 0 {
                out.push('-');
            }
            for _ in 0..5 {
                out.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
            }
        }
        out.chars().take(policy.max_length).collect()
    }

    /// A new password typed twice: the policy's verdict on `raw` under `field`, and a message
    /// under `confirm_field` when the copy differs.
    pub fn parse_confirmed(
        raw: &str,
        confirm: &str,
        policy: &PasswordPolicy,
        email: &EmailAddress,
        (field, confirm_field): (&'static str, &'static str),
        errors: &mut super::FieldErrors,
    ) -> Option<Self> {
        let parsed = Self::parse(raw, policy, email).map_err(|m| errors.add(field, m)).ok()?;
        if raw != confirm {
            errors.add(confirm_field, "The two passwords differ.");
            return None;
        }
        Some(parsed)
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

    #[test]
    fn the_checklist_agrees_with_the_policy() {
        let p = PasswordPolicy::default();
        for raw in ["short", "1234567890123", "JANE.DOE-rocks-2026", "correct horse battery", ""] {
            let all_met = checklist(raw, &p, Some(&email())).iter().all(|c| c.met);
            assert_eq!(all_met, Password::parse(raw, &p, &email()).is_ok(), "{raw:?}");
        }
    }

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let p = PasswordPolicy::default();
        let (a, b) = (Password::generate(&p), Password::generate(&p));
        assert_ne!(a, b);
        assert!(Password::parse(&a, &p, &email()).is_ok(), "{a}");
        let long = PasswordPolicy { min_length: 30, max_length: 128 };
        assert!(Password::generate(&long).chars().count() >= 30);
    }
}
