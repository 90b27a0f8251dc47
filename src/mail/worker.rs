//! The background sender: takes due messages from the outbox, sends each inside an outer
//! timeout, and records the outcome: sent, retry later (exponential backoff with jitter), or
//! failed after the last attempt. Delivery is at least once: a crash between the server's
//! acceptance and our write sends that message again after a restart (with the same
//! Message-ID, so receivers can tell).

use std::time::Duration;

use futures_util::StreamExt;
use lettre::message::{Mailbox, MultiPart};
use rand::Rng;

use super::compose::{self, LinkMode};
use super::transport::Transport;
use super::{Links, MailConfig, Outbox};
use crate::db::outbox::{self, Message};
use crate::db::tokens::{self, TokenState};
use crate::db::{Db, now, settings};
use crate::domain::clock::At;
use crate::error::AppError;

const BATCH: i64 = 32;
/// Messages sent at once (each on its own pooled SMTP connection). One connection at a time
/// would cap delivery at ~22 messages/s: lettre 0.11.23 leaves Nagle on, and every message waits
/// ~40 ms for the server's delayed ACK of its body (lettre PR #1159 fixes it upstream).
const CONCURRENCY: usize = 8;
/// The longest the worker sleeps without looking (it is woken at once for new mail).
const IDLE_POLL: Duration = Duration::from_secs(30);
/// A sender holds its claim on a message (`outbox::claim`) for the send's timeout and this
/// much more: time to read its link and record the outcome. A sender that dies meanwhile (its
/// process killed mid-send) leaves the message to be sent again after that, by any process.
const CLAIM_MARGIN: Duration = Duration::from_secs(60);
const MAX_DELAY: Duration = Duration::from_secs(3600);
const ERROR_PAUSE: Duration = Duration::from_secs(5);

pub struct Worker {
    pub db: Db,
    pub transport: Transport,
    pub outbox: Outbox,
    pub config: MailConfig,
    pub links: Links,
}

/// The delay before attempt `attempts + 1`: base × 2^(attempts−1), capped, ±25 % jitter.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    let delay = base.saturating_mul(1 << exp).min(MAX_DELAY);
    delay.mul_f64(rand::rng().random_range(0.75..1.25))
}

/// Outcome of one message.
enum Outcome {
    Sent,
    Retry(String),
    /// Not worth retrying: the message can no longer be built.
    Give(String),
    /// The message's link was replaced or used meanwhile: sending it would only confuse.
    Cancel(&'static str),
}

impl Worker {
    pub fn spawn(self) {
        actix_web::rt::spawn(async move { self.run().await });
    }

    async fn run(self) {
        loop {
            match self.send_due().await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => {
                    // Not a tight loop on a database that keeps failing: messages stay queued.
                    tracing::warn!(error = %e, "the mail worker could not read the outbox");
                    tokio::time::sleep(ERROR_PAUSE).await;
                    continue;
                }
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                _ = self.outbox.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        match self.db.run(|c| Ok(outbox::next_due_at(c)?)).await {
            Ok(Some(at)) => (at - now()).to_std().unwrap_or(Duration::ZERO).min(IDLE_POLL),
            _ => IDLE_POLL,
        }
    }

    /// Sends what is due; returns how many messages it looked at.
    async fn send_due(&self) -> Result<usize, AppError> {
        let (due, org) =
            self.db.run(|c| Ok((outbox::due(c, now(), BATCH)?, settings::load(c)?))).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let from = self.sender(&org)?;
        let (org, from) = (&org, &from);
        futures_util::stream::iter(&due)
            .for_each_concurrent(CONCURRENCY, |message| async move {
                if let Err(e) = self.deliver(message, org, from).await {
                    tracing::warn!(message = %message.id, error = %e, "recording a send failed");
                }
            })
            .await;
        Ok(due.len())
    }

    /// `--mail-from` (checked at start), else the organization's sender name and address.
    fn sender(&self, org: &settings::Settings) -> Result<Mailbox, AppError> {
        if let Some(from) = &self.config.from {
            return from.parse().map_err(|e| AppError::internal(anyhow::anyhow!("{from:?}: {e}")));
        }
        let address = match org.mail_from_address.parse() {
            Ok(address) => address,
            Err(_) => lettre::Address::new("roster", "localhost").map_err(AppError::internal)?,
        };
        let name = org.mail_from_name.trim();
        Ok(Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address))
    }

    async fn deliver(
        &self,
        message: &Message,
        org: &settings::Settings,
        from: &Mailbox,
    ) -> Result<(), AppError> {
        let (id, token_id) = (message.id.clone(), message.token_id.clone());
        // At most a day, so a huge --smtp-timeout cannot overflow the time of the claim.
        let claim_for =
            chrono::Duration::from_std(self.config.send_timeout.saturating_add(CLAIM_MARGIN))
                .unwrap_or(chrono::Duration::days(1))
                .min(chrono::Duration::days(1));
        let started = self
            .db
            .run(move |c| {
                let at = now();
                let Some(attempt) = outbox::claim(c, &id, at, at + claim_for)? else {
                    return Ok(None);
                };
                let token = match token_id {
                    Some(t) => tokens::find(c, &t)?,
                    None => None,
                };
                Ok(Some((attempt, token)))
            })
            .await?;
        let Some((attempt, token)) = started else { return Ok(()) };
        let outcome = if attempt > self.max_attempts() {
            // Claimed again after its claims ran out, each time: its sender died mid-send
            // (killed, or crashed on this very message) as many times as it may be tried.
            Outcome::Give(format!("no outcome recorded after {} attempts", attempt - 1))
        } else {
            self.attempt(message, token.as_ref(), org, from).await
        };
        self.record(message, attempt, outcome).await
    }

    fn max_attempts(&self) -> i32 {
        i32::try_from(self.config.max_attempts).unwrap_or(i32::MAX)
    }

    async fn attempt(
        &self,
        message: &Message,
        token: Option<&tokens::StoredToken>,
        org: &settings::Settings,
        from: &Mailbox,
    ) -> Outcome {
        if let Some(token) = token {
            match token.state(now()) {
                TokenState::Used => return Outcome::Cancel("the link was already used"),
                TokenState::Revoked => return Outcome::Cancel("a newer link replaced this one"),
                TokenState::Expired => {
                    return Outcome::Give("the link expired before the email could be sent".into());
                }
                TokenState::Usable => {}
            }
        }
        let composed = match compose::compose(
            message,
            token,
            org,
            &self.links.base_url,
            LinkMode::Real(&self.links.key),
        ) {
            Ok(c) => c,
            Err(e) => return Outcome::Give(e.to_string()),
        };
        let to = match message.recipient.parse::<lettre::Address>() {
            Ok(address) => {
                let name = message.recipient_name.trim();
                Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address)
            }
            Err(e) => return Outcome::Give(format!("bad recipient address: {e}")),
        };
        let host = self
            .links
            .base_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .unwrap_or("roster");
        let email = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(composed.subject)
            // The outbox row's id: a resend after a crash carries the same Message-ID.
            .message_id(Some(format!("<{}@{host}>", message.id)))
            .multipart(MultiPart::alternative_plain_html(composed.text, composed.html));
        let email = match email {
            Ok(e) => e,
            Err(e) => return Outcome::Give(format!("the message could not be built: {e}")),
        };
        match tokio::time::timeout(self.config.send_timeout, self.transport.send(email)).await {
            Ok(Ok(())) => Outcome::Sent,
            Ok(Err(e)) => Outcome::Retry(e),
            Err(_) => Outcome::Retry(format!(
                "no answer from the mail server within {} s",
                self.config.send_timeout.as_secs_f32()
            )),
        }
    }

    /// Records attempt number `attempt`'s outcome (its count comes from the claim, not from the
    /// row read before it).
    async fn record(
        &self,
        message: &Message,
        attempt: i32,
        outcome: Outcome,
    ) -> Result<(), AppError> {
        let id = message.id.clone();
        let attempts = u32::try_from(attempt).unwrap_or(0);
        let next: Option<At> = (attempts < self.config.max_attempts).then(|| {
            let delay = backoff(self.config.retry_base, attempts);
            now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1))
        });
        match &outcome {
            Outcome::Sent => tracing::info!(message = %id, "email sent"),
            Outcome::Retry(e) => {
                tracing::warn!(message = %id, attempts, error = %e, "email not sent")
            }
            Outcome::Give(e) => tracing::error!(message = %id, error = %e, "email cannot be sent"),
            Outcome::Cancel(why) => tracing::info!(message = %id, why, "email cancelled"),
        }
        self.db
            .run(move |c| {
                let at = now();
                match outcome {
                    Outcome::Sent => outbox::mark_sent(c, &id, at)?,
                    Outcome::Retry(e) => {
                        outbox::mark_attempt_failed(c, &id, attempt, &e, next, at)?
                    }
                    Outcome::Give(e) => outbox::mark_attempt_failed(c, &id, attempt, &e, None, at)?,
                    Outcome::Cancel(why) => {
                        outbox::cancel(c, &id, why, at)?;
                    }
                }
                Ok(())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(10);
        let first = backoff(base, 1);
        assert!(first >= Duration::from_millis(7_500) && first <= Duration::from_millis(12_500));
        let third = backoff(base, 3);
        assert!(third >= Duration::from_secs(30) && third <= Duration::from_secs(50));
        assert!(backoff(base, 30) <= MAX_DELAY.mul_f64(1.25));
    }
}
