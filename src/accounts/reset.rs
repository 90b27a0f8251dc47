//! Reset password, from the customer's danger zone, by the seed's two methods: **Invite user
//! to set their own password** (a reset link, emailed or to copy: the current password stops
//! working at once) or **Set a temporary password for the user** (changed at next sign-in).
//! Either way every session of the customer ends and older links stop working. Not while the
//! account is locked: unlock it first.

use serde_json::json;

use super::links::{self, SendBy, revoke_password_links};
use super::{FormError, Services, queue_email};
use crate::db::accounts;
use crate::db::audit::{self, Actor};
use crate::db::{grants, now, sessions, settings};
use crate::domain::FieldErrors;
use crate::domain::account::Status;
use crate::domain::email::EmailAddress;
use crate::domain::mail::Template;
use crate::domain::password::Password;
use crate::domain::token::Purpose;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetMethod {
    /// A link to choose a new password, emailed or shown to copy.
    Link(SendBy),
    /// The administrator's temporary password.
    Temporary(String),
}

impl ResetMethod {
    fn audit_name(&self) -> &'static str {
        match self {
            Self::Link(SendBy::Email) => "link_email",
            Self::Link(SendBy::Offline) => "link_offline",
            Self::Temporary(_) => "temporary_password",
        }
    }
}

/// What the console shows once after the reset.
pub enum ResetShown {
    Nothing,
    Link(String),
    TemporaryPassword(String),
}

pub const LOCKED: AppError =
    AppError::Forbidden("This account is locked. Unlock it before resetting its password.");
pub const NO_MAIL_SERVER: &str =
    "No mail server is configured, so the link cannot be emailed. Choose to copy the link.";

pub async fn reset_password(
    s: &Services<'_>,
    actor: Actor,
    account_id: &str,
    method: ResetMethod,
) -> Result<ResetShown, FormError> {
    let id = account_id.to_owned();
    let (account, policy) = s
        .db
        .run(move |c| Ok((accounts::find_customer(c, &id)?, settings::load(c)?.password_policy())))
        .await?;
    if account.status() == Some(Status::Locked) {
        return Err(LOCKED.into());
    }
    let mut errors = FieldErrors::default();
    let hash = match &method {
        ResetMethod::Temporary(raw) => {
            let email = EmailAddress::parse(&account.email)
                .map_err(|m| AppError::internal(anyhow::anyhow!(m)))?;
            match Password::parse(raw, &policy, &email) {
                Ok(p) => Some(s.hasher.hash(p.expose().to_owned()).await?),
                Err(m) => {
                    errors.add("password", m);
                    None
                }
            }
        }
        ResetMethod::Link(SendBy::Email) if !s.smtp_available => {
            errors.add("delivery", NO_MAIL_SERVER);
            None
        }
        ResetMethod::Link(_) => None,
    };
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let (id, links) = (account.public_id.to_string(), s.links.clone());
    let tx_method = method.clone();
    let token =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let account = accounts::find_customer(conn, &id)?;
                // Checked again in the write: a lock a moment ago wins.
                if account.status() == Some(Status::Locked) {
                    return Ok(Err(LOCKED));
                }
                let at = now();
                let key = account.id;
                let revoked = revoke_password_links(conn, key, "the password was reset again", at)?;
                accounts::reset_password(conn, key, hash.as_deref(), at)?;
                let ended = sessions::delete_all_of_account(conn, key)?;
                let app_tokens = grants::revoke_account(conn, key, at)?;
                let token = match &tx_method {
                    ResetMethod::Link(by) => {
                        Some(links::issue(conn, &links, &account, Purpose::PasswordReset, *by, at)?)
                    }
                    ResetMethod::Temporary(_) => {
                        // The email says it happened, never the password itself.
                        let t = Template::TemporaryPassword;
                        queue_email(conn, &account, t, None, json!({}))?;
                        None
                    }
                };
                audit::record(
                    conn,
                    &actor,
                    "password.reset",
                    Some((&id, &account.email)),
                    json!({
                        "method": tx_method.audit_name(),
                        "status": { "before": account.status, "after": if hash.is_some() {
                            Status::Active.as_str() } else { Status::PendingPassword.as_str() } },
                        "sessions_ended": ended,
                        "application_tokens_revoked": app_tokens,
                        "links_revoked": revoked,
                    }),
                )?;
                Ok::<_, diesel::result::Error>(Ok(token))
            })
            .map_err(AppError::from)
        })
        .await??;
    s.outbox.wake();
    Ok(match (method, token) {
        (ResetMethod::Link(SendBy::Offline), Some(t)) => {
            ResetShown::Link(s.links.url(&t, Purpose::PasswordReset))
        }
        (ResetMethod::Temporary(p), _) => ResetShown::TemporaryPassword(p),
        _ => ResetShown::Nothing,
    })
}
