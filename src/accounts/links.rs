//! The one-time links emailed (or copied) to a customer: invitations (the first password),
//! password resets (an administrator took the old one away), recovery (the customer forgot
//! it) and verification (a self-registered address). What the console shows about the pending
//! one, resending it (which revokes the previous link), and the customer following it.

use serde_json::json;

use super::{Services, queue_email};
use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::ids::{AccountId, PublicId};
use crate::db::outbox;
use crate::db::tokens::{self, StoredToken, TokenState};
use crate::db::{Conn, Db, now, sessions, settings};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, LockReason, Status};
use crate::domain::clock::At;
use crate::domain::email::EmailAddress;
use crate::domain::mail::{MailState, Template};
use crate::domain::password::Password;
use crate::domain::token::{Purpose, hash_token};
use crate::error::AppError;
use crate::mail::{Links, Outbox};

/// The purposes of links that set a password.
pub const PASSWORD_LINKS: [Purpose; 2] = [Purpose::Invitation, Purpose::PasswordReset];

/// The email that carries a link of `purpose`.
pub fn template_for(purpose: Purpose) -> Template {
    match purpose {
        Purpose::PasswordReset => Template::PasswordReset,
        Purpose::Recovery => Template::PasswordRecovery,
        Purpose::Verification => Template::Verification,
        Purpose::Invitation => Template::Invitation,
    }
}

/// Whether the account is in the state a link of `purpose` acts on. A link issued before the
/// account changed (say, locked by an administrator since) no longer works.
pub fn awaits(purpose: Purpose, account: &Account) -> bool {
    match purpose {
        Purpose::Invitation | Purpose::PasswordReset => {
            account.status() == Some(Status::PendingPassword)
        }
        // A lock for failed sign-ins is what a forgotten password leads to; the link lifts it.
        // An administrator's lock stays.
        Purpose::Recovery => match account.status() {
            Some(Status::Active) => true,
            Some(Status::Locked) => account.lock_reason() == Some(LockReason::FailedAttempts),
            _ => false,
        },
        Purpose::Verification => account.status() == Some(Status::PendingVerification),
    }
}

/// How the latest link went out.
pub enum Delivery {
    /// Emailed: the message's state in the outbox.
    Email(MailState),
    /// Shown in the console to copy.
    Offline,
}

/// A pending customer's latest link, as the customer page shows it.
pub struct Pending {
    pub purpose: Purpose,
    pub sent_at: At,
    pub expires_at: At,
    pub state: TokenState,
    pub delivery: Delivery,
}

/// Read with the rest of the customer page, in the same trip to the database.
pub fn pending(c: &mut Conn, account_id: AccountId) -> diesel::QueryResult<Option<Pending>> {
    let Some(token) = tokens::latest_of(c, account_id, &PASSWORD_LINKS)? else {
        return Ok(None);
    };
    let message = outbox::latest_for_token(c, &token.id)?;
    Ok(Some(Pending {
        purpose: token.purpose().unwrap_or(Purpose::Invitation),
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
pub enum SendBy {
    Email,
    Offline,
}

impl SendBy {
    pub fn audit_name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Offline => "offline",
        }
    }
}

pub const NOT_PENDING: AppError = AppError::Forbidden(
    "This customer has already set a password; there is no invitation to resend.",
);

/// Revokes the account's open password links and cancels unsent emails carrying them. Part of
/// every change that makes those links wrong (a new link, a reset, a lock).
pub fn revoke_password_links(
    conn: &mut Conn,
    account_id: AccountId,
    why: &str,
    at: At,
) -> diesel::QueryResult<usize> {
    let revoked = tokens::revoke_open_of(conn, account_id, &PASSWORD_LINKS, at)?;
    outbox::cancel_for_tokens(conn, &revoked, why, at)?;
    Ok(revoked.len())
}

/// A new link of `purpose` for the account (the caller revoked the old ones), emailed or not.
/// Returns the token row's id.
pub fn issue(
    conn: &mut Conn,
    links: &Links,
    account: &Account,
    purpose: Purpose,
    by: SendBy,
    at: At,
) -> diesel::QueryResult<String> {
    let org = settings::load(conn)?;
    let expiry = match purpose {
        Purpose::PasswordReset | Purpose::Recovery => org.password_reset_expiry(),
        Purpose::Verification => org.verification_expiry(),
        Purpose::Invitation => org.invitation_expiry(),
    };
    let token =
        tokens::replace(conn, account.id, purpose, |tid| links.token_hash(tid), at, at + expiry)?;
    if by == SendBy::Email {
        queue_email(conn, account, template_for(purpose), Some(&token), json!({}))?;
    }
    Ok(token)
}

/// A new link for a pending customer, of the pending kind (invitation or reset). The previous
/// link stops working and an unsent email carrying it is cancelled. Returns its purpose, and
/// the link when it is to be copied (offline).
pub async fn resend(
    db: &Db,
    outbox_handle: &Outbox,
    links: &Links,
    actor: Actor,
    account_id: &str,
    by: SendBy,
) -> Result<(Purpose, Option<String>), AppError> {
    let (id, links_tx) = (account_id.to_owned(), links.clone());
    let (token_id, purpose) = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let account = accounts::find_customer(conn, &id)?;
                if account.status() != Some(Status::PendingPassword) {
                    return Ok(None);
                }
                let purpose = tokens::latest_of(conn, account.id, &PASSWORD_LINKS)?
                    .and_then(|t| t.purpose())
                    .unwrap_or(Purpose::Invitation);
                let at = now();
                let revoked =
                    revoke_password_links(conn, account.id, "a newer link replaced this one", at)?;
                let token = issue(conn, &links_tx, &account, purpose, by, at)?;
                let action = match purpose {
                    Purpose::PasswordReset => "password_reset.resent",
                    _ => "invitation.resent",
                };
                audit::record(
                    conn,
                    &actor,
                    action,
                    Some((&id, &account.email)),
                    json!({ "delivery": by.audit_name(), "revoked": revoked }),
                )?;
                Ok::<_, diesel::result::Error>(Some((token, purpose)))
            })
            .map_err(AppError::from)
        })
        .await?
        .ok_or(NOT_PENDING)?;
    if by == SendBy::Email {
        outbox_handle.wake();
        Ok((purpose, None))
    } else {
        Ok((purpose, Some(links.url(&token_id, purpose))))
    }
}

/// What a link leads to.
pub enum Link {
    /// The customer may set a password.
    Open {
        email: String,
        name: String,
    },
    /// Used, replaced, expired, or never issued: the page says which and what to do.
    Closed(TokenState),
    Unknown,
}

/// The link's row and account, when it is a link of `purpose` for an account of `kind` (an
/// administrator's invitation does not open on My Account's page, nor a customer's on the
/// console's).
pub(crate) async fn lookup(
    db: &Db,
    token: &str,
    purpose: Purpose,
    kind: Kind,
) -> Result<Option<(StoredToken, Account)>, AppError> {
    let hash = hash_token(token);
    db.run(move |c| {
        let Some(t) = tokens::find_by_hash(c, &hash, purpose)? else { return Ok(None) };
        Ok(accounts::find(c, t.account_id)?.filter(|a| a.kind() == Some(kind)).map(|a| (t, a)))
    })
    .await
}

/// A link's state as the customer may act on it at `at`.
pub(crate) fn link_state(token: &StoredToken, account: &Account, at: At) -> TokenState {
    match token.state(at) {
        TokenState::Usable if !token.purpose().is_some_and(|p| awaits(p, account)) => {
            TokenState::Revoked
        }
        state => state,
    }
}

pub async fn inspect(
    s: &Services<'_>,
    token: &str,
    purpose: Purpose,
    kind: Kind,
) -> Result<Link, AppError> {
    Ok(match lookup(s.db, token, purpose, kind).await? {
        None => Link::Unknown,
        Some((t, a)) => match link_state(&t, &a, s.clock.now()) {
            TokenState::Usable => Link::Open { email: a.email.clone(), name: a.display_name() },
            closed => Link::Closed(closed),
        },
    })
}

pub enum AcceptError {
    Invalid(FieldErrors),
    Closed(Link),
    Other(AppError),
}

impl From<AppError> for AcceptError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

/// Sets the customer's password and consumes the link; the account becomes active. A recovery
/// link also lifts a lock for failed sign-ins, ends every session and emails the customer that
/// the password changed.
pub async fn accept(
    s: &Services<'_>,
    token: &str,
    (purpose, kind): (Purpose, Kind),
    password: &str,
    confirm: &str,
    ip: &str,
) -> Result<Accepted, AcceptError> {
    let Some((stored, account)) = lookup(s.db, token, purpose, kind).await? else {
        return Err(AcceptError::Closed(Link::Unknown));
    };
    if let closed @ (TokenState::Used | TokenState::Revoked | TokenState::Expired) =
        link_state(&stored, &account, s.clock.now())
    {
        return Err(AcceptError::Closed(Link::Closed(closed)));
    }
    let policy = s.db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
    let email =
        EmailAddress::parse(&account.email).map_err(|m| AppError::internal(anyhow::anyhow!(m)))?;
    let mut errors = FieldErrors::default();
    let fields = ("password", "confirm");
    let parsed = Password::parse_confirmed(password, confirm, &policy, &email, fields, &mut errors);
    let Some(parsed) = parsed else { return Err(AcceptError::Invalid(errors)) };
    let hash = s.hasher.hash(parsed.expose().to_owned()).await?;
    let actor = Actor::account(account.id, account.public_id, &account.email, ip)
        .named(&account.display_name());
    let (token_id, account_id, public_id, address) =
        (stored.id, account.id, account.public_id, account.email);
    let action = match purpose {
        Purpose::PasswordReset => "password_reset.completed",
        Purpose::Recovery => "password.recovered",
        _ => "invitation.accepted",
    };
    let at = s.clock.now();
    let accepted =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                // Checked again inside the write transaction: a link used or revoked, or an
                // account changed, a moment ago fails here.
                let Some(account) =
                    accounts::find(conn, account_id)?.filter(|a| awaits(purpose, a))
                else {
                    return Ok(false);
                };
                if !tokens::consume(conn, &token_id, at)? {
                    return Ok(false);
                }
                // A link that reached them by email proves the address is theirs.
                if crate::db::outbox::carried_token(conn, &token_id)? {
                    accounts::mark_email_verified(conn, account_id, at)?;
                }
                let mut details = json!({});
                if purpose == Purpose::Recovery {
                    let locked = account.status() == Some(Status::Locked);
                    if locked {
                        accounts::unlock(conn, account_id, Status::Active, 0, at)?;
                    }
                    sessions::delete_all_of_account(conn, account_id)?;
                    crate::db::grants::revoke_account(conn, account_id, at)?;
                    queue_email(conn, &account, Template::PasswordChanged, None, json!({}))?;
                    details = json!({ "lock_lifted": locked });
                }
                accounts::set_password(conn, account_id, &hash, Status::Active, at)?;
                let subject = Some((&*public_id.to_string(), address.as_str()));
                audit::record(conn, &actor, action, subject, details)?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if !accepted {
        return Err(AcceptError::Closed(Link::Closed(TokenState::Used)));
    }
    if purpose == Purpose::Recovery {
        s.outbox.wake();
    }
    Ok(Accepted { email: email.to_string(), account_id, public_id })
}

/// Whose password a link set.
pub struct Accepted {
    pub email: String,
    pub account_id: AccountId,
    pub public_id: PublicId,
}
