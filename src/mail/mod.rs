//! Email: the outbox (rows in the database, written with the change that causes them), the
//! worker that sends them, the transports, and the templates.

pub mod compose;
pub mod transport;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::domain::token::{LinkKey, Purpose, hash_token};
use crate::domain::urls;

/// How mail is sent. Built from the command line, or directly by tests.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// lettre's URL form (`smtp://host:port`, `smtps://user:pass@host`); `None` writes `.eml`
    /// files under the data directory.
    pub smtp_url: Option<String>,
    /// `Name <address>` or `address`; `None` uses the organization's settings.
    pub from: Option<String>,
    /// The outer limit on one send, connect to the server's last answer.
    pub send_timeout: Duration,
    /// The first retry's delay; each later one doubles (capped at an hour), ±25 % jitter.
    pub retry_base: Duration,
    /// Attempts before a message is `failed`.
    pub max_attempts: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: None,
            send_timeout: Duration::from_secs(30),
            retry_base: Duration::from_secs(30),
            // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: about 3 hours before giving up.
            max_attempts: 10,
        }
    }
}

/// A handle to wake the worker when a transaction has queued mail, so it is sent at once
/// rather than at the next poll.
#[derive(Clone, Default)]
pub struct Outbox {
    notify: Arc<Notify>,
}

impl Outbox {
    pub fn wake(&self) {
        // `notify_one` keeps a permit when the worker is busy, so a wake-up is never lost.
        self.notify.notify_one();
    }

    fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

/// Builds emailed and copied links: from the configured base URL only, with tokens derived
/// from their row id (see `LinkKey`).
#[derive(Clone)]
pub struct Links {
    pub key: LinkKey,
    pub base_url: String,
}

impl Links {
    /// What `one_time_tokens.token_hash` holds for the row `token_id`.
    pub fn token_hash(&self, token_id: &str) -> String {
        hash_token(&self.key.token_for(token_id))
    }

    pub fn invitation_url(&self, token_id: &str) -> String {
        self.url(token_id, Purpose::Invitation)
    }

    /// The link of the token row `token_id`, at the page for its purpose.
    pub fn url(&self, token_id: &str, purpose: Purpose) -> String {
        let token = self.key.token_for(token_id);
        let path = match purpose {
            Purpose::PasswordReset => urls::password_reset(&token),
            _ => urls::invitation(&token),
        };
        format!("{}{path}", self.base_url)
    }

    /// An administrator's invitation: the console's page, not My Account's.
    pub fn console_invitation_url(&self, token_id: &str) -> String {
        let token = self.key.token_for(token_id);
        format!("{}{}", self.base_url, urls::console_invitation(&token))
    }
}
