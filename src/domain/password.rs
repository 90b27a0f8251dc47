//! The password policy, as Settings > Password policy sets it: a length range, a blocklist of
//! common passwords and not the email's name part (both on by default), and composition rules
//! (off by default, as NIST SP 800-63B advises; some organizations must have them). Only the
//! policy's verdict leaves this module; the password itself is never logged or stored.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    pub require_upper: bool,
    pub require_lower: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
    /// Refuse the common passwords of the blocklist.
    pub blocklist: bool,
    /// Refuse passwords containing the email's name part.
    pub no_name_part: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 12,
            max_length: 128,
            require_upper: false,
            require_lower: false,
            require_digit: false,
            require_symbol: false,
            blocklist: true,
            no_name_part: true,
        }
    }
}

/// The range the minimum length may be set in; the maximum goes from the minimum to `MAX_MAX`.
pub const MIN_LENGTHS: std::ops::RangeInclusive<usize> = 8..=64;
pub const MAX_MAX: usize = 128;

/// One composition rule: its checklist label, its refusal, and its test.
struct Rule {
    label: &'static str,
    message: &'static str,
    test: fn(char) -> bool,
}

const RULES: [Rule; 4] = [
    Rule {
        label: "An uppercase letter",
        message: "Add an uppercase letter.",
        test: char::is_uppercase,
    },
    Rule {
        label: "A lowercase letter",
        message: "Add a lowercase letter.",
        test: char::is_lowercase,
    },
    Rule { label: "A digit", message: "Add a digit.", test: |c| c.is_ascii_digit() },
    Rule {
        label: "A symbol (not a letter or digit)",
        message: "Add a symbol, such as - or !.",
        test: |c| !c.is_alphanumeric(),
    },
];

impl PasswordPolicy {
    /// The composition rules this policy has on.
    fn rules(&self) -> impl Iterator<Item = &'static Rule> {
        let on = [self.require_upper, self.require_lower, self.require_digit, self.require_symbol];
        RULES.iter().zip(on).filter(|(_, on)| *on).map(|(r, _)| r)
    }

    /// The policy in a sentence, for hints.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("{} to {} characters", self.min_length, self.max_length)];
        parts.extend(self.rules().map(|r| r.label.to_lowercase()));
        if self.blocklist {
            parts.push("not a common password".into());
        }
        if self.no_name_part {
            parts.push("not containing the email's name part".into());
        }
        parts.join(", ")
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
    let mut checks = vec![Check {
        label: format!("{} to {} characters", policy.min_length, policy.max_length),
        met: (policy.min_length..=policy.max_length).contains(&length),
    }];
    checks.extend(
        policy.rules().map(|r| Check { label: r.label.into(), met: raw.chars().any(r.test) }),
    );
    if policy.blocklist {
        checks.push(Check {
            label: "Not a common password".into(),
            met: length > 0 && !is_common(&lowered),
        });
    }
    if policy.no_name_part {
        checks.push(Check {
            label: "Does not contain the email's name part".into(),
            met: length > 0 && !email.is_some_and(|e| contains_local_part(&lowered, e)),
        });
    }
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
        if let Some(rule) = policy.rules().find(|r| !raw.chars().any(r.test)) {
            return Err(rule.message.into());
        }
        let lowered = raw.to_lowercase();
        if policy.blocklist && is_common(&lowered) {
            return Err("This password is too common. Choose one that is harder to guess.".into());
        }
        if policy.no_name_part && contains_local_part(&lowered, email) {
            return Err("The password must not contain the email's name part.".into());
        }
        Ok(Self(raw.to_owned()))
    }

    /// A random password that meets the policy: groups of five characters from an alphabet
    /// without look-alikes (0/O, 1/l/I) joined by `-`, at least four groups (about 114 bits),
    /// drawn again in the rare case a required kind of character is missing.
    pub fn generate(policy: &PasswordPolicy) -> String {
        use rand::Rng;
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::rng();
        let groups = policy.min_length.div_ceil(5).max(4);
        loop {
            let mut out = String::new();
            for g in 0..groups {
                if g > 0 {
                    out.push('-');
                }
                for _ in 0..5 {
                    out.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
                }
            }
            let out: String = out.chars().take(policy.max_length).collect();
            if policy.rules().all(|r| out.chars().any(r.test)) {
                return out;
            }
        }
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
        let long = PasswordPolicy { min_length: 30, ..PasswordPolicy::default() };
        assert!(Password::generate(&long).chars().count() >= 30);
        let strict = PasswordPolicy {
            require_upper: true,
            require_lower: true,
            require_digit: true,
            require_symbol: true,
            ..PasswordPolicy::default()
        };
        for _ in 0..50 {
            let g = Password::generate(&strict);
            assert!(Password::parse(&g, &strict, &email()).is_ok(), "{g}");
        }
    }

    #[test]
    fn composition_rules_and_switches_apply_only_when_on() {
        let strict = PasswordPolicy {
            require_upper: true,
            require_digit: true,
            require_symbol: true,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            Password::parse("correct horse battery", &strict, &email()).err().as_deref(),
            Some("Add an uppercase letter.")
        );
        assert!(Password::parse("Correct horse battery 9", &strict, &email()).is_ok());
        let lax =
            PasswordPolicy { blocklist: false, no_name_part: false, ..PasswordPolicy::default() };
        assert!(Password::parse("1234567890123", &lax, &email()).is_ok());
        assert!(Password::parse("JANE.DOE-rocks-2026", &lax, &email()).is_ok());
        for raw in ["Correct horse battery 9", "correct horse battery", "Short1!", ""] {
            let all_met = checklist(raw, &strict, Some(&email())).iter().all(|c| c.met);
            assert_eq!(all_met, Password::parse(raw, &strict, &email()).is_ok(), "{raw:?}");
        }
    }
}
