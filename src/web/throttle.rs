//! Per-client-address limit on failed sign-ins: a fixed window kept in memory. (Per-account
//! counts live in the database, in `accounts.failed_attempts`.)

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses remembered at most.
const CAPACITY: usize = 100_000;

pub struct Throttle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// True when `client` may try again now.
    pub fn allows(&self, client: &str) -> bool {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(client) {
            Some((count, since)) => since.elapsed() >= self.window || *count < self.max_failures,
            None => true,
        }
    }

    pub fn record_failure(&self, client: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CAPACITY {
            // Bounded memory under a spray of addresses: forget the expired windows, and if
            // that is not enough, everything (a spray that wide is not held back per address
            // anyway; Argon2's own limit is). Either way the next prune is CAPACITY inserts
            // away, so pruning never becomes a scan per request.
            let window = self.window;
            map.retain(|_, (_, since)| since.elapsed() < window);
            if map.len() >= CAPACITY / 2 {
                map.clear();
            }
        }
        let entry = map.entry(client.to_owned()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// For actions that count whatever their outcome (each may send an email): refuses a
    /// client over the limit, otherwise counts this one.
    pub fn charge(&self, client: &str) -> Result<(), crate::error::AppError> {
        if !self.allows(client) {
            return Err(crate::error::AppError::TooManyRequests);
        }
        self.record_failure(client);
        Ok(())
    }

    pub fn record_success(&self, client: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_stopped_after_the_limit_and_freed_by_success() {
        let t = Throttle::new(2, Duration::from_secs(60));
        assert!(t.allows("a"));
        t.record_failure("a");
        t.record_failure("a");
        assert!(!t.allows("a"));
        assert!(t.allows("b"));
        t.record_success("a");
        assert!(t.allows("a"));
    }
}
