//! Use cases on accounts. They take parsed input, talk to `db`, record audit events, and know
//! nothing of HTTP: the console, the CLI and (later) SCIM call the same functions.

pub mod administrators;
pub mod app_sessions;
pub mod applications;
pub mod attributes;
pub mod audit_log;
pub mod audit_text;
pub mod authorize;
pub mod claims;
pub mod export;
pub mod groups;
pub mod links;
pub mod list;
pub mod lock;
pub mod login_security;
pub mod onboarding;
pub mod organization;
pub mod overview;
pub mod owner;
pub mod password;
pub mod profile;
pub mod recovery;
pub mod registration;
pub mod removal;
pub mod resend_email;
pub mod reset;
pub mod revocation;
pub mod sessions;
pub mod signin;
pub mod signing_keys;
pub mod throttle;
pub mod token;

use crate::db::accounts::Account;
use crate::db::outbox::{self, NewMessage};
use crate::db::{Conn, Db, settings};
use crate::domain::FieldErrors;
use crate::domain::account::Kind;
use crate::domain::clock::Clock;
use crate::domain::mail::Template;
use crate::error::AppError;
use crate::mail::{Links, Outbox, compose};
use crate::passwords::Hasher;

/// What the use cases that hash, email or link need, as the web layer hands them over.
pub struct Services<'a> {
    pub db: &'a Db,
    pub hasher: &'a Hasher,
    pub outbox: &'a Outbox,
    pub links: &'a Links,
    /// An SMTP server is configured: links can be emailed (otherwise only copied).
    pub smtp_available: bool,
    /// The time of timed locks.
    pub clock: &'a Clock,
}

/// The parts of a definition (key, label, value) that differ between two versions: their labels
/// (for "Saved: …") and the audit event's details, each `{before, after}`.
pub(crate) fn changed_parts(
    before: Vec<(&'static str, &'static str, serde_json::Value)>,
    after: Vec<(&'static str, &'static str, serde_json::Value)>,
) -> (Vec<&'static str>, serde_json::Map<String, serde_json::Value>) {
    let mut changed = Vec::new();
    let mut details = serde_json::Map::new();
    for ((key, label, old), (_, _, new)) in before.into_iter().zip(after) {
        if old != new {
            changed.push(label);
            details.insert(key.to_owned(), serde_json::json!({ "before": old, "after": new }));
        }
    }
    (changed, details)
}

/// How a use case behind a form fails: messages for its fields (the form is shown again, 422),
/// or anything else.
#[derive(Debug)]
pub enum FormError {
    Invalid(FieldErrors),
    Other(AppError),
}

impl From<AppError> for FormError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

/// Queues `template` to the account, in the caller's transaction (so the email exists exactly
/// when the change does), due now. The outbox runs on real time, its worker's: a clock moved
/// forward by a test must not hold an email back. `params` are what the email shows beyond its template; whether the
/// account signs in to the console or to My Account is added here.
pub(crate) fn queue_email(
    conn: &mut Conn,
    account: &Account,
    template: Template,
    token_id: Option<&str>,
    mut params: serde_json::Value,
) -> diesel::QueryResult<String> {
    let org = settings::load(conn)?;
    let name = format!("{} {}", account.first_name, account.last_name);
    if account.kind() == Some(Kind::Administrator) {
        params["console"] = serde_json::Value::Bool(true);
    }
    outbox::enqueue(
        conn,
        &NewMessage {
            template,
            account_id: account.id,
            recipient: &account.email,
            recipient_name: name.trim(),
            subject: &compose::subject(template, &org.name),
            token_id,
            params,
        },
        crate::db::now(),
    )
}
