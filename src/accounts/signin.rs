//! Signing in with email and password. Every failure looks the same from outside: one message,
//! and an argon2 verification even when the account does not exist, so timing does not tell.
//! The real reason goes to the audit trail, for administrators.

use serde_json::json;

use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::{Db, now};
use crate::domain::account::{Kind, Status};
use crate::domain::email::EmailAddress;
use crate::error::AppError;
use crate::passwords::Hasher;

pub const GENERIC_FAILURE: &str =
    "The email or password is incorrect, or this account cannot sign in here.";

pub enum SignInOutcome {
    SignedIn(Box<Account>),
    Failed,
}

pub async fn sign_in(
    db: &Db,
    hasher: &Hasher,
    kind: Kind,
    email: &str,
    password: String,
    ip: &str,
) -> Result<SignInOutcome, AppError> {
    let parsed = EmailAddress::parse(email).ok();
    let account = match parsed.clone() {
        Some(e) => db.run(move |c| Ok(accounts::find_by_email(c, kind, e.as_str())?)).await?,
        None => None,
    };
    let stored_hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok = hasher.verify(password, stored_hash).await?;

    let reason = match &account {
        None => Some("unknown_account"),
        Some(_) if !password_ok => Some("wrong_password"),
        Some(a) if a.status() != Some(Status::Active) => Some("not_active"),
        Some(_) => None,
    };
    let actor = Actor { id: None, label: "anonymous".into(), ip: ip.to_owned() };
    let attempted: String = email.trim().chars().take(EmailAddress::MAX_LEN).collect();
    let outcome_account = account.clone();
    db.run(move |conn| {
        conn.immediate_transaction(|conn| match (&account, reason) {
            (Some(a), None) => {
                accounts::record_sign_in(conn, &a.id, now())?;
                let actor = Actor { id: Some(a.id.clone()), label: a.email.clone(), ..actor };
                audit::record(
                    conn,
                    &actor,
                    "signin.succeeded",
                    Some((&a.id, &a.email)),
                    json!({ "kind": kind.as_str() }),
                )
            }
            (Some(a), Some(reason)) => {
                accounts::record_failed_sign_in(conn, &a.id)?;
                audit::record(
                    conn,
                    &actor,
                    "signin.failed",
                    Some((&a.id, &a.email)),
                    json!({ "kind": kind.as_str(), "reason": reason }),
                )
            }
            (None, _) => audit::record(
                conn,
                &actor,
                "signin.failed",
                None,
                json!({ "kind": kind.as_str(), "reason": "unknown_account", "email": attempted }),
            ),
        })
        .map_err(AppError::from)
    })
    .await?;

    Ok(match (outcome_account, reason) {
        (Some(a), None) => SignInOutcome::SignedIn(Box::new(a)),
        _ => SignInOutcome::Failed,
    })
}

pub async fn record_sign_out(db: &Db, id: &str, email: &str, ip: &str) -> Result<(), AppError> {
    let actor = Actor::account(id, email, ip);
    let (id, email) = (id.to_owned(), email.to_owned());
    db.run(move |conn| {
        audit::record(conn, &actor, "signout", Some((&id, &email)), json!({}))?;
        Ok(())
    })
    .await
}
