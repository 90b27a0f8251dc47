//! The password policy as a live checklist: the console's wizard and reset, and My Account's
//! password forms and registration show the same list, refreshed by htmx while a password is
//! typed (and complete without script: the server checks the same rules on submit).

use askama::Template;

use crate::domain::email::EmailAddress;
use crate::domain::password::{self, Check, PasswordPolicy};

/// The policy checklist: its lines, and where htmx refreshes it while the password is typed.
pub struct PolicyView {
    pub href: String,
    /// htmx's `hx-trigger`: the fields whose input refreshes the list.
    pub trigger: &'static str,
    pub checks: Vec<Check>,
}

impl PolicyView {
    pub fn new(
        href: String,
        trigger: &'static str,
        raw: &str,
        policy: &PasswordPolicy,
        email: Option<&EmailAddress>,
    ) -> Self {
        Self { href, trigger, checks: password::checklist(raw, policy, email) }
    }
}

#[derive(Template)]
#[template(path = "partials/policy.html")]
pub struct PolicyFragment {
    pub policy: PolicyView,
}
