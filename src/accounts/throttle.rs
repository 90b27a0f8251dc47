//! Per-client-address limits: failed sign-ins and guessed links (`SIGN_IN`), emails asked for
//! (`MAIL`). A fixed window per address, counted in the database (`db::client_failures`), not
//! in a process's memory: every Roster process on one database counts the same tries (two
//! processes would otherwise give an attacker twice the tries), and a restart forgives
//! nothing. Per-account counts live in `accounts.failed_attempts` (`lock`).
//!
//! An address over its limit is also remembered in the process until its window ends, so a
//! flood from it is refused without touching the database: no read, and above all no write
//! (a write takes SQLite's one write lock). That memory only ever agrees with the database:
//! while an address is over the limit, no try of it can succeed through any process, so
//! nothing clears its count before the window ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use chrono::Duration;

use crate::db::{Db, client_failures};
use crate::domain::clock::{At, Clock};
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

/// Addresses remembered as over their limit, at most (then the memory starts afresh; the
/// database still refuses them, at the cost of a read each).
const REMEMBERED: usize = 10_000;

/// The windows the sweeper deletes in one write transaction, so a large sweep (a spray of
/// addresses) never holds the write lock for long.
const SWEEP_BATCH: i64 = 1_000;

#[derive(Clone)]
pub struct Throttle {
    db: Db,
    clock: Clock,
    limit: Limit,
    /// Addresses over the limit, and when their window ends.
    blocked: Arc<Mutex<HashMap<String, At>>>,
}

/// The key an address is counted under: an IPv4 address itself, an IPv6 one by its /64 (one
/// subscriber or host usually holds a whole /64, so counting its addresses one by one would
/// give it 2^64 windows).
pub fn client_key(client: &str) -> String {
    match client.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(client.to_owned(), |v4| v4.to_string()),
        _ => client.to_owned(),
    }
}

impl Throttle {
    pub fn new(db: Db, clock: Clock, limit: Limit) -> Self {
        Self { db, clock, limit, blocked: Arc::default() }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, At>> {
        self.blocked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the process remembers `key` as over its limit now.
    fn remembered(&self, key: &str) -> bool {
        let now = self.clock.now();
        let mut blocked = self.memory();
        match blocked.get(key) {
            Some(until) if *until > now => true,
            Some(_) => {
                blocked.remove(key);
                false
            }
            None => false,
        }
    }

    fn remember(&self, key: String, until: At) {
        let mut blocked = self.memory();
        if blocked.len() >= REMEMBERED {
            blocked.clear();
        }
        blocked.insert(key, until);
    }

    /// Refuses a client over the limit, before any work.
    pub async fn check(&self, client: &str) -> Result<(), AppError> {
        let key = client_key(client);
        if self.remembered(&key) {
            return Err(AppError::TooManyRequests);
        }
        let (scope, k) = (self.limit.scope, key.clone());
        let found = self.db.run(move |c| Ok(client_failures::find(c, scope, &k)?)).await?;
        match found {
            Some((failures, since)) if since > self.clock.now() - self.limit.window => {
                if failures >= self.limit.max_failures {
                    self.remember(key, since + self.limit.window);
                    return Err(AppError::TooManyRequests);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure of `client`; the failures of its window, this one included.
    pub async fn record_failure(&self, client: &str) -> Result<i32, AppError> {
        let (limit, key) = (self.limit, client_key(client));
        let at = self.clock.now();
        let k = key.clone();
        let (failures, since) = self
            .db
            .run(move |c| {
                crate::db::write(c, |c| {
                    Ok(client_failures::count(c, limit.scope, &k, at, at - limit.window)?)
                })
            })
            .await?;
        if failures >= limit.max_failures {
            self.remember(key, since + limit.window);
        }
        Ok(failures)
    }

    /// Counts a try before it is made (it may send an email, or check a password), and refuses
    /// it if that goes over the limit. Counting first, in one statement, is what keeps a burst
    /// of tries at once (through one process or several) from passing the limit: exactly the
    /// first `max_failures` of a window go on. A client already over the limit is refused
    /// before anything is written.
    pub async fn charge(&self, client: &str) -> Result<(), AppError> {
        self.check(client).await?;
        match self.record_failure(client).await? <= self.limit.max_failures {
            true => Ok(()),
            false => Err(AppError::TooManyRequests),
        }
    }

    /// Forgets `client`'s failures (it signed in). Its count was only an obstacle, so a
    /// database error here is logged and the sign-in goes on.
    pub async fn record_success(&self, client: &str) {
        let (scope, key) = (self.limit.scope, client_key(client));
        let forgotten = self
            .db
            .run(move |c| crate::db::write(c, |c| Ok(client_failures::forget(c, scope, &key)?)))
            .await;
        if let Err(e) = forgotten {
            tracing::warn!(error = %e, scope, "forgetting a client's failed tries failed");
        }
    }

    /// Deletes the windows that are over (the sweeper, every few minutes), a batch per write
    /// transaction.
    pub async fn sweep(&self) -> Result<usize, AppError> {
        let (scope, over_from) = (self.limit.scope, self.clock.now() - self.limit.window);
        let mut swept = 0;
        loop {
            let n = self
                .db
                .run(move |c| {
                    crate::db::write(c, |c| {
                        Ok(client_failures::delete_over(c, scope, over_from, SWEEP_BATCH)?)
                    })
                })
                .await?;
            swept += n;
            if (n as i64) < SWEEP_BATCH {
                return Ok(swept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::client_key;

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_an_ipv4_one_by_itself() {
        assert_eq!(client_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key(""), "");
    }
}
