//! Per-client-address limits: failed sign-ins and guessed links (`SIGN_IN`), emails asked for
//! (`MAIL`). A fixed window per address, counted in the database (`db::client_failures`), not
//! in a process's memory: every Roster process on one database counts the same tries (two
//! processes would otherwise give an attacker twice the tries), and a restart forgives
//! nothing. Per-account counts live in `accounts.failed_attempts` (`lock`).

use chrono::Duration;

use crate::db::{Db, client_failures};
use crate::domain::clock::Clock;
use crate::error::AppError;

/// A limit: how many failures an address may have in a window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Its name in the database.
    pub scope: &'static str,
    pub max_failures: i32,
    pub window: Duration,
}

/// Wrong passwords, guessed links, wrong current passwords: 10 in 5 minutes.
pub const SIGN_IN: Limit =
    Limit { scope: "sign_in", max_failures: 10, window: Duration::minutes(5) };

/// Emails a form may send to any address (password reset, registration): 10 in 15 minutes.
pub const MAIL: Limit = Limit { scope: "mail", max_failures: 10, window: Duration::minutes(15) };

#[derive(Clone)]
pub struct Throttle {
    db: Db,
    clock: Clock,
    limit: Limit,
}

impl Throttle {
    pub fn new(db: Db, clock: Clock, limit: Limit) -> Self {
        Self { db, clock, limit }
    }

    /// True when `client` may try again now.
    pub async fn allows(&self, client: &str) -> Result<bool, AppError> {
        let (scope, client) = (self.limit.scope, client.to_owned());
        let found = self.db.run(move |c| Ok(client_failures::find(c, scope, &client)?)).await?;
        let over_from = self.clock.now() - self.limit.window;
        Ok(match found {
            Some((failures, since)) => since <= over_from || failures < self.limit.max_failures,
            None => true,
        })
    }

    /// Refuses a client over the limit (before any work), with the page that says to wait.
    pub async fn check(&self, client: &str) -> Result<(), AppError> {
        match self.allows(client).await? {
            true => Ok(()),
            false => Err(AppError::TooManyRequests),
        }
    }

    /// Counts a failure of `client`; the failures of its window, this one included.
    pub async fn record_failure(&self, client: &str) -> Result<i32, AppError> {
        let (limit, client) = (self.limit, client.to_owned());
        let at = self.clock.now();
        self.db
            .run(move |c| {
                crate::db::write(c, |c| {
                    Ok(client_failures::count(c, limit.scope, &client, at, at - limit.window)?)
                })
            })
            .await
    }

    /// For actions that count whatever their outcome (each may send an email): counts this one,
    /// and refuses it if that goes over the limit. Counting first, in one statement, is what
    /// keeps two requests at once (through one process or two) from both passing the last
    /// free try.
    pub async fn charge(&self, client: &str) -> Result<(), AppError> {
        match self.record_failure(client).await? <= self.limit.max_failures {
            true => Ok(()),
            false => Err(AppError::TooManyRequests),
        }
    }

    /// Forgets `client`'s failures (it signed in).
    pub async fn record_success(&self, client: &str) -> Result<(), AppError> {
        let (scope, client) = (self.limit.scope, client.to_owned());
        self.db
            .run(move |c| {
                // Most sign-ins follow no failure: a read, not a write, finds that.
                if client_failures::find(c, scope, &client)?.is_none() {
                    return Ok(0);
                }
                crate::db::write(c, |c| Ok(client_failures::forget(c, scope, &client)?))
            })
            .await?;
        Ok(())
    }

    /// Deletes the windows that are over (the sweeper, every few minutes).
    pub async fn sweep(&self) -> Result<usize, AppError> {
        let (scope, over_from) = (self.limit.scope, self.clock.now() - self.limit.window);
        self.db
            .run(move |c| {
                crate::db::write(c, |c| Ok(client_failures::delete_over(c, scope, over_from)?))
            })
            .await
    }
}
