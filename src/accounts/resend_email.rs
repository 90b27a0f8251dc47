//! Settings > Outbox > Resend: a failed email goes out again. An invitation or reset email whose
//! link has expired meanwhile is replaced by a new one (a new link), not resent dead.

use serde_json::json;

use super::Services;
use super::links::{self, SendBy};
use crate::db::audit::{self, Actor};
use crate::db::tokens::{self, TokenState};
use crate::db::{accounts, now, outbox};
use crate::domain::account::Kind;
use crate::domain::mail::{MailState, Template};
use crate::error::AppError;

pub enum Resent {
    /// The same message is queued again.
    Requeued,
    /// Its link had expired: a new link was emailed instead.
    NewLink,
}

pub const NOT_FAILED: AppError = AppError::Forbidden("Only emails that failed can be resent.");

pub async fn resend_failed(
    s: &Services<'_>,
    actor: Actor,
    message_id: &str,
) -> Result<Resent, AppError> {
    let (db, outbox_handle, links) = (s.db, s.outbox, s.links);
    let id = message_id.to_owned();
    let message = db.run(move |c| Ok(outbox::find(c, &id)?)).await?.ok_or(AppError::NotFound)?;
    if message.state() != Some(MailState::Failed) {
        return Err(NOT_FAILED);
    }
    let token_id = message.token_id.clone();
    let link_state = match token_id {
        Some(t) => db.run(move |c| Ok(tokens::find(c, &t)?.map(|t| t.state(now())))).await?,
        None => None,
    };
    let carries_link =
        matches!(message.template(), Some(Template::Invitation | Template::PasswordReset));
    if carries_link && link_state != Some(TokenState::Usable) {
        let key = message.account_id.ok_or(AppError::NotFound)?;
        let account = db.run(move |c| Ok(accounts::find(c, key)?)).await?;
        let account = account.ok_or(AppError::NotFound)?;
        let public_id = account.public_id.to_string();
        if account.kind() == Some(Kind::Administrator) {
            // An administrator's invitation: theirs to resend, under the same rules.
            let by = actor.key.ok_or(AppError::Unauthenticated)?;
            super::administrators::resend(s, by, actor, &public_id, SendBy::Email).await?;
        } else {
            links::resend(db, outbox_handle, links, actor, &public_id, SendBy::Email).await?;
        }
        return Ok(Resent::NewLink);
    }
    let id = message.id.clone();
    let requeued = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                if !outbox::requeue(conn, &id, now())? {
                    return Ok(false);
                }
                let public_id = match message.account_id {
                    Some(key) => accounts::find(conn, key)?.map(|a| a.public_id.to_string()),
                    None => None,
                };
                let subject = public_id.as_deref().map(|a| (a, message.recipient.as_str()));
                audit::record(
                    conn,
                    &actor,
                    "email.resent",
                    subject,
                    json!({ "message": id, "template": message.template }),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if !requeued {
        return Err(NOT_FAILED);
    }
    outbox_handle.wake();
    Ok(Resent::Requeued)
}
