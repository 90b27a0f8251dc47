//! Invitations after the wizard: what the console shows about a pending one, resending it
//! (which revokes the previous link), and the customer accepting it by setting a password.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::outbox::{self, NewMessage};
use crate::db::tokens::{self, StoredToken, TokenState};
use crate::db::{Conn, Db, now, settings};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, Status};
use crate::domain::email::EmailAddress;
use crate::domain::mail::{MailState, Template};
use crate::domain::password::Password;
use crate::domain::token::{Purpose, hash_token};
use crate::error::AppError;
use crate::mail::{Links, Outbox, compose};
use crate::passwords::Hasher;

/// How the latest invitation went out.
pub enum Delivery {
    /// Emailed: the message's state in the outbox.
    Email(MailState),
    /// Shown in the console to copy.
    Offline,
}

/// A pending customer's latest invitation, as the customer page shows it.
pub struct Pending {
    pub sent_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub state: TokenState,
    pub delivery: Delivery,
}

/// Read with the rest of the customer page, in the same trip to the database.
pub fn pending(c: &mut Conn, account_id: &str) -> diesel::QueryResult<Option<Pending>> {
    let Some(token) = tokens::latest(c, account_id, Purpose::Invitation)? else { return Ok(None) };
    let message = outbox::latest_for_account(c, account_id, Template::Invitation)?
        .filter(|m| m.token_id.as_deref() == Some(token.id.as_str()));
    Ok(Some(Pending {
        sent_at: token.created_at,
        expires_at: token.expires_at,
        state: token.state(now()),
        delivery: match message.and_then(|m| m.state()) {
            Some(state) => Delivery::Email(state),
            None => Delivery::Offline,
        },
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendBy {
    Email,
    Offline,
}

pub const NOT_PENDING: AppError = AppError::Forbidden(
    "This customer has already set a password; there is no invitation to resend.",
);

/// A new invitation link for a pending customer. The previous link stops working and an
/// unsent email carrying it is cancelled. Returns the link when it is to be copied (offline).
pub async fn resend(
    db: &Db,
    outbox_handle: &Outbox,
    links: &Links,
    actor: Actor,
    account_id: &str,
    by: ResendBy,
) -> Result<Option<String>, AppError> {
    let (id, links_tx) = (account_id.to_owned(), links.clone());
    let token_id = db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let account = customer(conn, &id)?;
                if account.status() != Some(Status::PendingPassword) {
                    return Ok(None);
                }
                let org = settings::load(conn)?;
                let at = now();
                let revoked = tokens::revoke_open(conn, &id, Purpose::Invitation, at)?;
                outbox::cancel_for_tokens(
                    conn,
                    &revoked,
                    "a newer invitation replaced this one",
                    at,
                )?;
                let token = tokens::replace(
                    conn,
                    &id,
                    Purpose::Invitation,
                    |tid| links_tx.token_hash(tid),
                    at,
                    at + org.invitation_expiry(),
                )?;
                if by == ResendBy::Email {
                    let name = format!("{} {}", account.first_name, account.last_name);
                    let subject = compose::subject(Template::Invitation, &org.name);
                    outbox::enqueue(
                        conn,
                        &NewMessage {
                            template: Template::Invitation,
                            account_id: &id,
                            recipient: &account.email,
                            recipient_name: name.trim(),
                            subject: &subject,
                            token_id: Some(&token),
                        },
                        at,
                    )?;
                }
                let delivery = if by == ResendBy::Email { "email" } else { "offline" };
                audit::record(
                    conn,
                    &actor,
                    "invitation.resent",
                    Some((&id, &account.email)),
                    json!({ "delivery": delivery, "revoked": revoked.len() }),
                )?;
                Ok::<_, diesel::result::Error>(Some(token))
            })
            .map_err(AppError::from)
        })
        .await?
        .ok_or(NOT_PENDING)?;
    if by == ResendBy::Email {
        outbox_handle.wake();
        Ok(None)
    } else {
        Ok(Some(links.invitation_url(&token_id)))
    }
}

fn customer(conn: &mut Conn, id: &str) -> diesel::QueryResult<Account> {
    accounts::find(conn, id)?
        .filter(|a| a.kind() == Some(Kind::Customer))
        .ok_or(diesel::result::Error::NotFound)
}

/// What an invitation link leads to.
pub enum Invitation {
    /// The customer may set a password.
    Open {
        email: String,
        name: String,
    },
    /// Used, replaced, expired, or never issued: the page says which and what to do.
    Closed(TokenState),
    Unknown,
}

async fn lookup(db: &Db, token: &str) -> Result<Option<(StoredToken, Account)>, AppError> {
    let hash = hash_token(token);
    db.run(move |c| {
        let Some(t) = tokens::find_by_hash(c, &hash, Purpose::Invitation)? else { return Ok(None) };
        Ok(accounts::find(c, &t.account_id)?.map(|a| (t, a)))
    })
    .await
}

/// A link's state as the customer may act on it. An account that is no longer waiting for its
/// first password (say, locked since) cannot be activated by an old link.
fn link_state(token: &StoredToken, account: &Account) -> TokenState {
    match token.state(now()) {
        TokenState::Usable if account.status() != Some(Status::PendingPassword) => {
            TokenState::Revoked
        }
        state => state,
    }
}

pub async fn inspect(db: &Db, token: &str) -> Result<Invitation, AppError> {
    Ok(match lookup(db, token).await? {
        None => Invitation::Unknown,
        Some((t, a)) => match link_state(&t, &a) {
            TokenState::Usable => {
                Invitation::Open { email: a.email.clone(), name: a.display_name() }
            }
            closed => Invitation::Closed(closed),
        },
    })
}

pub enum AcceptError {
    Invalid(FieldErrors),
    Closed(Invitation),
    Other(AppError),
}

impl From<AppError> for AcceptError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

/// Sets the customer's first password and consumes the link; the account becomes active.
/// Returns the email, for the sign-in page.
pub async fn accept(
    db: &Db,
    hasher: &Hasher,
    token: &str,
    password: &str,
    confirm: &str,
    ip: &str,
) -> Result<String, AcceptError> {
    let Some((stored, account)) = lookup(db, token).await? else {
        return Err(AcceptError::Closed(Invitation::Unknown));
    };
    if let closed @ (TokenState::Used | TokenState::Revoked | TokenState::Expired) =
        link_state(&stored, &account)
    {
        return Err(AcceptError::Closed(Invitation::Closed(closed)));
    }
    let policy = db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
    let email =
        EmailAddress::parse(&account.email).map_err(|m| AppError::internal(anyhow::anyhow!(m)))?;
    let mut errors = FieldErrors::default();
    let fields = ("password", "confirm");
    let parsed = Password::parse_confirmed(password, confirm, &policy, &email, fields, &mut errors);
    let Some(parsed) = parsed else { return Err(AcceptError::Invalid(errors)) };
    let hash = hasher.hash(parsed.expose().to_owned()).await?;
    let actor = Actor::account(&account.id, &account.email, ip);
    let (token_id, account_id, address) = (stored.id, account.id, account.email);
    let accepted = db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let at = now();
                // Checked again inside the write transaction: a link used or revoked, or an
                // account changed, a moment ago fails here.
                let pending = accounts::find(conn, &account_id)?
                    .is_some_and(|a| a.status() == Some(Status::PendingPassword));
                if !pending || !tokens::consume(conn, &token_id, at)? {
                    return Ok(false);
                }
                accounts::set_password(conn, &account_id, &hash, Status::Active, at)?;
                audit::record(
                    conn,
                    &actor,
                    "invitation.accepted",
                    Some((&account_id, &address)),
                    json!({}),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if !accepted {
        return Err(AcceptError::Closed(Invitation::Closed(TokenState::Used)));
    }
    Ok(email.to_string())
}
