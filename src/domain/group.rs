//! A group's name: 3–30 characters, no spaces or control characters; unique in the
//! organization regardless of case.

use super::is_forbidden_char;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 30;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("Enter a group name.");
        }
        if value.chars().any(char::is_whitespace) {
            return Err("A group name cannot contain spaces; use - or _ instead.");
        }
        if value.chars().any(is_forbidden_char) {
            return Err("A group name cannot contain control characters.");
        }
        let length = value.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&length) {
            return Err("A group name has 3 to 30 characters.");
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness and search compare.
    pub fn key(&self) -> String {
        super::name::search_key(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::GroupName;

    #[test]
    fn group_names_follow_the_rules() {
        assert_eq!(GroupName::parse(" vip-2026 ").unwrap().as_str(), "vip-2026");
        assert_eq!(GroupName::parse("VIP").unwrap().key(), "vip");
        for bad in ["", "ab", "two words", "tab\there", &"x".repeat(31), "bell\u{7}x"] {
            assert!(GroupName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(GroupName::parse(&"é".repeat(30)).is_ok(), "characters, not bytes");
    }
}
