//! Locking accounts: by an administrator (the Lock user toggle), and for failed sign-ins in a
//! row (Settings > Login security), with the timed unlock. A locked account cannot sign in
//! anywhere, its sessions end at once, and its open password links stop working.

use serde_json::json;

use super::links::revoke_password_links;
use super::queue_email;
use crate::db::accounts::{self, Account, Lock};
use crate::db::audit::{self, Actor};
use crate::db::{Conn, Db, grants, sessions, settings};
use crate::domain::account::{Kind, LockReason, Status};
use crate::domain::clock::At;
use crate::domain::clock::Clock;
use crate::domain::mail::Template;
use crate::error::AppError;
use crate::mail::Outbox;

/// What a lock or unlock request found.
#[derive(Debug, PartialEq, Eq)]
pub enum Toggled {
    Done,
    /// It was already in the state asked for.
    Already,
}

/// The Lock user toggle: locks (`locked`) or unlocks the customer, and emails them.
pub async fn set_locked(
    db: &Db,
    outbox_handle: &Outbox,
    actor: Actor,
    account_id: &str,
    locked: bool,
) -> Result<Toggled, AppError> {
    let id = account_id.to_owned();
    let done = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let account = accounts::find_customer(conn, &id)?;
                if locked {
                    lock_account(conn, &account, &actor)
                } else {
                    unlock_account(conn, &account, &actor, Unlocked::ByAdministrator)
                }
            })
            .map_err(AppError::from)
        })
        .await?;
    if done == Toggled::Done {
        outbox_handle.wake();
    }
    Ok(done)
}

/// Locks the account: sessions end, open password links are revoked (their unsent emails
/// cancelled), and the owner is emailed. A timed lock for failed sign-ins becomes an
/// administrator's lock, which only an administrator lifts.
fn lock_account(conn: &mut Conn, account: &Account, actor: &Actor) -> diesel::QueryResult<Toggled> {
    if account.lock_reason() == Some(LockReason::Admin) {
        return Ok(Toggled::Already);
    }
    let (id, at) = (account.id, crate::db::now());
    let unlocked_status = match account.status() {
        Some(Status::Locked) | None => account.unlocked_status(),
        Some(status) => status,
    };
    let lock = Lock {
        reason: LockReason::Admin,
        by: Some(&actor.label),
        until: None,
        unlocked_status,
        lockouts: account.lockouts,
    };
    accounts::lock(conn, id, &lock, at)?;
    let ended = sessions::delete_all_of_account(conn, id)?;
    let app_tokens = grants::revoke_account(conn, id, at)?;
    let revoked = revoke_password_links(conn, id, "the account was locked", at)?;
    queue_email(conn, account, Template::AccountLocked, None, json!({}))?;
    audit::record(
        conn,
        actor,
        "account.locked",
        Some((&account.public_id.to_string(), &account.email)),
        json!({
            "reason": LockReason::Admin.as_str(),
            "status": { "before": account.status, "after": Status::Locked.as_str() },
            "sessions_ended": ended,
            "application_tokens_revoked": app_tokens,
            "links_revoked": revoked,
        }),
    )?;
    Ok(Toggled::Done)
}

/// Why an account is unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unlocked {
    ByAdministrator,
    FromCommandLine,
    /// A lock for failed sign-ins ran out.
    Expired,
}

/// Writes the unlock of a locked account, audited. People unlocked by someone are emailed; a
/// lock that ran out keeps its count, so the next one lasts longer.
fn unlock_account(
    conn: &mut Conn,
    account: &Account,
    actor: &Actor,
    why: Unlocked,
) -> diesel::QueryResult<Toggled> {
    if account.status() != Some(Status::Locked) {
        return Ok(Toggled::Already);
    }
    let at = crate::db::now();
    let status = account.unlocked_status();
    let lockouts = if why == Unlocked::Expired { account.lockouts } else { 0 };
    accounts::unlock(conn, account.id, status, lockouts, at)?;
    if why != Unlocked::Expired {
        queue_email(conn, account, Template::AccountUnlocked, None, json!({}))?;
    }
    let reason = match why {
        Unlocked::ByAdministrator => "administrator",
        Unlocked::FromCommandLine => "command_line",
        Unlocked::Expired => "lock_expired",
    };
    audit::record(
        conn,
        actor,
        "account.unlocked",
        Some((&account.public_id.to_string(), &account.email)),
        json!({
            "reason": reason,
            "lock_reason": account.lock_reason,
            "status": { "before": Status::Locked.as_str(), "after": status.as_str() },
        }),
    )?;
    Ok(Toggled::Done)
}

/// Inside the sign-in transaction: a timed lock that is over is lifted before the password's
/// verdict is applied. Returns the account as it now is.
pub fn lift_if_expired(conn: &mut Conn, account: Account, at: At) -> diesel::QueryResult<Account> {
    if !account.lock_expired(at) {
        return Ok(account);
    }
    unlock_account(conn, &account, &Actor::system("lock expiry"), Unlocked::Expired)?;
    Ok(accounts::find(conn, account.id)?.unwrap_or(account))
}

/// Inside the sign-in transaction, after a wrong password on an active account: counts the
/// failure and, when the policy says so, locks the account for its time and emails them.
/// Returns the lock's length in minutes when this failure locked it.
pub fn count_failure(
    conn: &mut Conn,
    account: &Account,
    at: At,
) -> diesel::QueryResult<Option<i64>> {
    let failures = accounts::record_failed_sign_in(conn, account.id)?;
    let org = settings::load(conn)?;
    let policy = org.lockout();
    if !policy.enabled || failures < policy.attempts {
        return Ok(None);
    }
    let minutes = policy.lock_minutes(account.lockouts);
    let until = at + chrono::Duration::minutes(minutes);
    let lock = Lock {
        reason: LockReason::FailedAttempts,
        by: None,
        until: Some(until),
        unlocked_status: Status::Active,
        lockouts: account.lockouts + 1,
    };
    accounts::lock(conn, account.id, &lock, at)?;
    let until_words = org.zone().stamp(&until).text;
    queue_email(
        conn,
        account,
        Template::LockedAfterFailures,
        None,
        json!({ "minutes": minutes, "until": until_words }),
    )?;
    audit::record(
        conn,
        &Actor::system("failed sign-ins"),
        "account.locked",
        Some((&account.public_id.to_string(), &account.email)),
        json!({
            "reason": LockReason::FailedAttempts.as_str(),
            "failures": failures,
            "minutes": minutes,
            "until": until_words,
            "lockouts": account.lockouts + 1,
        }),
    )?;
    Ok(Some(minutes))
}

/// Lifts every timed lock that is over (the sweeper, every minute), so the console's lists
/// show the account as it is. Returns how many.
pub async fn lift_expired(db: &Db, clock: &Clock) -> Result<usize, AppError> {
    let at = clock.now();
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let mut lifted = 0;
            for account in accounts::expired_locks(conn, at, 500)? {
                if account.lock_expired(at) {
                    lift_if_expired(conn, account, at)?;
                    lifted += 1;
                }
            }
            Ok::<_, diesel::result::Error>(lifted)
        })
        .map_err(AppError::from)
    })
    .await
}

/// `roster unlock --email E`: unlocks an administrator (the owner included) or, with
/// `customer`, a customer. Returns false when the account was not locked.
pub async fn unlock_by_email(
    db: &Db,
    outbox_handle: &Outbox,
    kind: Kind,
    email: &str,
    actor: Actor,
) -> Result<bool, AppError> {
    let email = email.trim().to_lowercase();
    let done = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let account = accounts::find_by_email(conn, kind, &email)?
                    .ok_or(diesel::result::Error::NotFound)?;
                unlock_account(conn, &account, &actor, Unlocked::FromCommandLine)
            })
            .map_err(AppError::from)
        })
        .await?;
    if done == Toggled::Done {
        outbox_handle.wake();
    }
    Ok(done == Toggled::Done)
}
