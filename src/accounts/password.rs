//! A customer's own password: replacing the temporary one an administrator set (before
//! anything else), and changing it at will in My Account > Security (needs the current one).

use serde_json::json;

use super::{FormError, Services, queue_email};
use crate::db::accounts;
use crate::db::audit::{self, Actor};
use crate::db::ids::AccountId;
use crate::db::{Db, now, sessions, settings};
use crate::domain::FieldErrors;
use crate::domain::account::Status;
use crate::domain::email::EmailAddress;
use crate::domain::mail::Template;
use crate::domain::password::Password;
use crate::error::AppError;
use crate::passwords::Hasher;

pub const SAME_AS_TEMPORARY: &str = "Choose a new password: the temporary one cannot be kept.";

/// Sets the new password, clears the must-change flag and ends every My Account session of
/// the customer (the caller renews its own).
pub async fn replace_temporary(
    db: &Db,
    hasher: &Hasher,
    account_id: AccountId,
    new_password: &str,
    confirm: &str,
    ip: &str,
) -> Result<(), FormError> {
    let (account, policy) = db
        .run(move |c| Ok((accounts::find(c, account_id)?, settings::load(c)?.password_policy())))
        .await?;
    let account = account.ok_or(AppError::NotFound)?;
    if !account.must_change_password {
        return Err(AppError::Forbidden("Your password has already been changed.").into());
    }
    let email =
        EmailAddress::parse(&account.email).map_err(|m| AppError::internal(anyhow::anyhow!(m)))?;
    let mut errors = FieldErrors::default();
    let fields = ("password", "confirm");
    let parsed =
        Password::parse_confirmed(new_password, confirm, &policy, &email, fields, &mut errors);
    let Some(parsed) = parsed else { return Err(FormError::Invalid(errors)) };
    if hasher.verify(parsed.expose().to_owned(), account.password_hash.clone()).await? {
        errors.add("password", SAME_AS_TEMPORARY);
        return Err(FormError::Invalid(errors));
    }
    let hash = hasher.hash(parsed.expose().to_owned()).await?;
    let actor = Actor::account(account.id, account.public_id, &account.email, ip);
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let at = now();
            accounts::set_password(conn, account.id, &hash, Status::Active, at)?;
            sessions::delete_for_account(conn, account.id, "myaccount")?;
            audit::record(
                conn,
                &actor,
                "password.changed",
                Some((&account.public_id.to_string(), &account.email)),
                json!({ "reason": "temporary_replaced" }),
            )
        })
        .map_err(AppError::from)
    })
    .await?;
    Ok(())
}

pub const WRONG_CURRENT: &str = "This is not your current password.";
pub const SAME_AS_CURRENT: &str = "Choose a password different from your current one.";

/// Why a password change failed.
#[derive(Debug)]
pub enum ChangeError {
    /// The current password was wrong (the caller counts it like a failed sign-in).
    WrongCurrent(FieldErrors),
    Invalid(FieldErrors),
    Other(AppError),
}

impl From<AppError> for ChangeError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

/// Change password, with the current one (My Account > Security for customers, My profile in
/// the console for administrators): sets the new one, ends every other session of the account
/// in its area (the caller renews its own) and emails the account.
pub async fn change(
    s: &Services<'_>,
    account_id: AccountId,
    current: &str,
    new_password: &str,
    confirm: &str,
    ip: &str,
) -> Result<(), ChangeError> {
    let (account, policy) = s
        .db
        .run(move |c| Ok((accounts::find(c, account_id)?, settings::load(c)?.password_policy())))
        .await?;
    let account = account.ok_or(AppError::NotFound)?;
    let email =
        EmailAddress::parse(&account.email).map_err(|m| AppError::internal(anyhow::anyhow!(m)))?;
    let mut errors = FieldErrors::default();
    if !s.hasher.verify(current.to_owned(), account.password_hash.clone()).await? {
        errors.add("current", WRONG_CURRENT);
        return Err(ChangeError::WrongCurrent(errors));
    }
    let fields = ("password", "confirm");
    let parsed =
        Password::parse_confirmed(new_password, confirm, &policy, &email, fields, &mut errors);
    let Some(parsed) = parsed else { return Err(ChangeError::Invalid(errors)) };
    if parsed.expose() == current {
        errors.add("password", SAME_AS_CURRENT);
        return Err(ChangeError::Invalid(errors));
    }
    let hash = s.hasher.hash(parsed.expose().to_owned()).await?;
    let actor = Actor::account(account.id, account.public_id, &account.email, ip);
    let at = s.clock.now();
    s.db.run(move |conn| {
        crate::db::write(conn, |conn| {
            accounts::set_password(conn, account.id, &hash, Status::Active, at)?;
            let area = super::sessions::Area::of(&account);
            let ended = sessions::delete_for_account(conn, account.id, area.scope())?;
            queue_email(conn, &account, Template::PasswordChanged, None, json!({}))?;
            audit::record(
                conn,
                &actor,
                "password.changed",
                Some((&account.public_id.to_string(), &account.email)),
                json!({ "reason": "changed_by_owner", "sessions_ended": ended }),
            )
        })
        .map_err(AppError::from)
    })
    .await?;
    s.outbox.wake();
    Ok(())
}
