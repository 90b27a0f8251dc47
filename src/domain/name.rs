//! A person's first or last name: 1–100 characters after trimming, no control characters.

use super::is_forbidden_char;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str, label: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(format!("Enter a {label}."));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(format!("A {label} has at most {} characters.", Self::MAX_LEN));
        }
        if value.chars().any(is_forbidden_char) {
            return Err(format!("A {label} cannot contain control characters."));
        }
        Ok(Self(value.to_owned()))
    }

    /// Like `parse`, but an empty value is allowed (administrators' names are optional).
    pub fn parse_optional(raw: &str, label: &str) -> Result<Self, String> {
        if raw.trim().is_empty() { Ok(Self(String::new())) } else { Self::parse(raw, label) }
    }

    /// A customer's first and last name as forms submit them (both required), with messages
    /// under the `first_name` and `last_name` fields; both, or `None`.
    pub fn parse_both(
        first: &str,
        last: &str,
        errors: &mut super::FieldErrors,
    ) -> Option<(Self, Self)> {
        let first = Self::parse(first, "first name").map_err(|m| errors.add("first_name", m)).ok();
        let last = Self::parse(last, "last name").map_err(|m| errors.add("last_name", m)).ok();
        first.zip(last)
    }

    /// An administrator's first and last name (both optional), with messages under the
    /// `first_name` and `last_name` fields; both, or `None`.
    pub fn parse_optional_both(
        first: &str,
        last: &str,
        errors: &mut super::FieldErrors,
    ) -> Option<(Self, Self)> {
        let first =
            Self::parse_optional(first, "first name").map_err(|m| errors.add("first_name", m)).ok();
        let last =
            Self::parse_optional(last, "last name").map_err(|m| errors.add("last_name", m)).ok();
        first.zip(last)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form kept beside the name for indexed prefix search.
    pub fn search_key(&self) -> String {
        search_key(&self.0)
    }
}

/// The form in which names and search terms are compared: lower-case, trimmed.
pub fn search_key(text: &str) -> String {
    text.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::PersonName;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Zoë ", "first name").unwrap().as_str(), "Zoë");
        assert!(PersonName::parse("   ", "first name").is_err());
        assert!(PersonName::parse(&"x".repeat(101), "first name").is_err());
        assert!(PersonName::parse("a\u{0}b", "first name").is_err());
        assert!(PersonName::parse_optional("", "last name").is_ok());
    }
}
