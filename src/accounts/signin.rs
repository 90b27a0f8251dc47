//! Signing in with email and password. Every failure looks the same from outside: one message,
//! and an argon2 verification even when the account does not exist, so timing does not tell.
//! The real reason goes to the audit trail, for administrators. Failures in a row may lock the
//! account for a while (Settings > Login security); during the lock even the right password
//! fails, the same way.

use serde_json::json;

use super::{Services, lock};
use crate::db::accounts::{self, Account, AccountSummary};
use crate::db::audit::{self, Actor};
use crate::db::ids::AccountId;
use crate::db::{Db, now};
use crate::domain::account::{Kind, Status};
use crate::domain::email::EmailAddress;
use crate::error::AppError;

pub const GENERIC_FAILURE: &str =
    "The email or password is incorrect, or this account cannot sign in here.";

pub enum SignInOutcome {
    SignedIn(Box<Account>),
    Failed,
}

/// Why an attempt failed, for the audit trail only.
fn failure_reason(account: Option<&Account>, password_ok: bool) -> Option<&'static str> {
    match account {
        None => Some("unknown_account"),
        Some(_) if !password_ok => Some("wrong_password"),
        Some(a) => match a.status() {
            Some(Status::Active) => None,
            Some(Status::Locked) => Some("locked"),
            _ => Some("not_active"),
        },
    }
}

pub async fn sign_in(
    s: &Services<'_>,
    kind: Kind,
    email: &str,
    password: String,
    ip: &str,
) -> Result<SignInOutcome, AppError> {
    let parsed = EmailAddress::parse(email).ok();
    let found = match parsed.clone() {
        Some(e) => s.db.run(move |c| Ok(accounts::find_by_email(c, kind, e.as_str())?)).await?,
        None => None,
    };
    let stored_hash = found.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok = s.hasher.verify(password, stored_hash).await?;

    let actor = Actor::anonymous(ip);
    let attempted: String = email.trim().chars().take(EmailAddress::MAX_LEN).collect();
    let at = s.clock.now();
    let (outcome, locked_now) =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                // Read again inside the write transaction: failures racing each other all
                // count, and a lock taken meanwhile applies.
                let fresh = match &found {
                    Some(a) => accounts::find(conn, a.id)?,
                    None => None,
                };
                let account = match fresh {
                    Some(a) => Some(lock::lift_if_expired(conn, a, at)?),
                    None => None,
                };
                let reason = failure_reason(account.as_ref(), password_ok);
                let Some(account) = account else {
                    audit::record(
                        conn,
                        &actor,
                        "signin.failed",
                        None,
                        json!({ "kind": kind.as_str(), "reason": reason, "email": attempted }),
                    )?;
                    return Ok((SignInOutcome::Failed, false));
                };
                let public_id = account.public_id.to_string();
                let subject = Some((public_id.as_str(), account.email.as_str()));
                let Some(reason) = reason else {
                    accounts::record_sign_in(conn, account.id, now())?;
                    let actor =
                        Actor::account(account.id, account.public_id, &account.email, &actor.ip)
                            .named(&account.display_name());
                    audit::record(
                        conn,
                        &actor,
                        "signin.succeeded",
                        subject,
                        json!({ "kind": kind.as_str() }),
                    )?;
                    return Ok((SignInOutcome::SignedIn(Box::new(account)), false));
                };
                audit::record(
                    conn,
                    &actor,
                    "signin.failed",
                    subject,
                    json!({ "kind": kind.as_str(), "reason": reason }),
                )?;
                // Only an account that could have signed in counts failures toward a lock.
                let counts = reason == "wrong_password" && account.status() == Some(Status::Active);
                let locked = counts && lock::count_failure(conn, &account, at)?.is_some();
                Ok::<_, diesel::result::Error>((SignInOutcome::Failed, locked))
            })
            .map_err(AppError::from)
        })
        .await?;
    if locked_now {
        s.outbox.wake();
    }
    Ok(outcome)
}

/// An invited administrator who has just set their password is signed in by that same request:
/// it counts as a sign-in (the last sign-in moves; the trail says it came with the link).
pub async fn record_link_sign_in(db: &Db, id: AccountId, ip: &str) -> Result<(), AppError> {
    let ip = ip.to_owned();
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let account = accounts::find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
            accounts::record_sign_in(conn, id, now())?;
            let actor = Actor::account(id, account.public_id, &account.email, &ip)
                .named(&account.display_name());
            let kind = account.kind.as_str();
            audit::record(
                conn,
                &actor,
                "signin.succeeded",
                Some((&account.public_id.to_string(), &account.email)),
                json!({ "kind": kind, "via": "invitation" }),
            )
        })
        .map_err(AppError::from)
    })
    .await
}

pub async fn record_sign_out(db: &Db, account: &AccountSummary, ip: &str) -> Result<(), AppError> {
    let (id, public_id) = (account.id, account.public_id);
    let actor = Actor::account(id, public_id, &account.email, ip);
    let email = account.email.clone();
    db.run(move |conn| {
        // A customer's own sign-out also ends their sign-ins to applications.
        let app_tokens = crate::db::grants::revoke_account(conn, id, now())?;
        audit::record(
            conn,
            &actor,
            "signout",
            Some((&public_id.to_string(), &email)),
            json!({ "application_tokens_revoked": app_tokens }),
        )?;
        Ok(())
    })
    .await
}
