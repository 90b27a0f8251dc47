//! Forms with repeated fields (checkbox lists), which serde's urlencoded forms cannot bind.
//! Like `deny_unknown_fields`: a field the form does not have is a 400.

use actix_web::web::Bytes;

use crate::error::AppError;

pub const UNEXPECTED: AppError =
    AppError::BadRequest("The form had fields we did not expect. Reload the page and try again.");

pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn parse(body: &Bytes) -> Result<Self, AppError> {
        serde_urlencoded::from_bytes(body).map(Self).map_err(|_| UNEXPECTED)
    }

    /// The last value of `name`, or "" (an absent text field is an empty one).
    pub fn take(&mut self, name: &str) -> String {
        self.take_all(name).pop().unwrap_or_default()
    }

    pub fn take_all(&mut self, name: &str) -> Vec<String> {
        let (taken, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.0).into_iter().partition(|(k, _)| k == name);
        self.0 = rest;
        taken.into_iter().map(|(_, v)| v).collect()
    }

    /// Every field whose name starts with `prefix`, by the rest of its name (last value wins).
    pub fn take_prefixed(&mut self, prefix: &str) -> std::collections::HashMap<String, String> {
        let (taken, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.0).into_iter().partition(|(k, _)| k.starts_with(prefix));
        self.0 = rest;
        taken.into_iter().map(|(k, v)| (k[prefix.len()..].to_owned(), v)).collect()
    }

    /// Fails when fields remain that no `take` asked for.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(UNEXPECTED) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_collected_and_strangers_refused() {
        let mut p = Pairs::parse(&Bytes::from_static(b"a=1&g=x&g=y&b=")).unwrap();
        assert_eq!(p.take("a"), "1");
        assert_eq!(p.take_all("g"), vec!["x", "y"]);
        assert_eq!(p.take("missing"), "");
        assert!(p.finish().is_err(), "b was not asked for");
    }
}
