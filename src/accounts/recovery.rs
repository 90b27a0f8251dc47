//! Forgot password: a customer asks for a link to choose a new password. The asker learns
//! nothing about the address: the page, its status and its timing are the same whether or not
//! an account exists (the web layer answers first and runs `request` afterwards). Following
//! the link is `links::accept` with `Purpose::Recovery`.

use chrono::Duration;
use serde_json::json;

use super::Services;
use super::links::{self, SendBy};
use crate::db::audit::{self, Actor};
use crate::db::{accounts, tokens};
use crate::domain::account::Kind;
use crate::domain::email::EmailAddress;
use crate::domain::token::Purpose;
use crate::error::AppError;

/// What became of a request, for tests and the log (never for the asker).
#[derive(Debug, PartialEq, Eq)]
pub enum Requested {
    /// A link is on its way (an older one stopped working).
    Sent,
    /// No customer with this address, or one a link would not help (pending, or locked by an
    /// administrator): nothing is sent.
    Nothing,
}

pub async fn request(s: &Services<'_>, raw_email: &str, ip: &str) -> Result<Requested, AppError> {
    let Ok(email) = EmailAddress::parse(raw_email) else { return Ok(Requested::Nothing) };
    let (links_tx, ip, at) = (s.links.clone(), ip.to_owned(), s.clock.now());
    let sent =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let Some(account) = accounts::find_by_email(conn, Kind::Customer, email.as_str())?
                    .filter(|a| links::awaits(Purpose::Recovery, a))
                else {
                    return Ok(false);
                };
                // One email a minute per account, whoever asks: the address's owner is not
                // flooded by requests from many places.
                let recent = tokens::latest(conn, account.id, Purpose::Recovery)?
                    .is_some_and(|t| at - t.created_at < Duration::seconds(60));
                if recent {
                    return Ok(false);
                }
                links::issue(conn, &links_tx, &account, Purpose::Recovery, SendBy::Email, at)?;
                audit::record(
                    conn,
                    &Actor::anonymous(&ip),
                    "password_recovery.requested",
                    Some((&account.public_id.to_string(), &account.email)),
                    json!({}),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if sent {
        s.outbox.wake();
        Ok(Requested::Sent)
    } else {
        Ok(Requested::Nothing)
    }
}
