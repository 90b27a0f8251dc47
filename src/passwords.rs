//! Argon2id hashing and verification, on a small pool of threads of their own, in the idle
//! scheduling class, one per core but one (at least one): a core is always left for serving
//! pages. Each hash takes ~19 MiB and tens of milliseconds; unbounded, a burst of sign-ins would
//! exhaust memory, and a flood of them would take the CPU (and the memory bandwidth) from every
//! other page. Measured on 2 cores under 50 clients posting wrong passwords (bench/flood.sh):
//! with a thread per core the Users list's p99 rose to 2.4-3.6x idle whatever the priority; with
//! one thread, 1.3-1.5x. Work queues for its turn; past `MAX_WAITING` it is refused at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

use crate::config::Argon2Cost;
use crate::domain::token::random_token;
use crate::error::AppError;

type Job = Box<dyn FnOnce(&Argon2<'static>) + Send>;

/// Hashes waiting for a thread, at most; more are answered "too many attempts" at once rather
/// than held for seconds each.
const MAX_WAITING: usize = 256;

#[derive(Clone)]
pub struct Hasher {
    argon2: Argon2<'static>,
    /// Started on first use (the CLI and the tests' fixtures only hash synchronously).
    pool: Arc<OnceLock<Mutex<mpsc::Sender<Job>>>>,
    waiting: Arc<AtomicUsize>,
    /// Verified against when the account does not exist, so that "unknown email" costs the same
    /// time as "wrong password".
    dummy_hash: Arc<str>,
}

impl Hasher {
    pub fn new(cost: Argon2Cost) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("bad argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = hash_with(&argon2, &random_token())?;
        Ok(Self {
            argon2,
            pool: Arc::default(),
            waiting: Arc::default(),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Hashes synchronously; for the CLI and the seeder, which own their thread.
    pub fn hash_blocking(&self, password: &str) -> anyhow::Result<String> {
        hash_with(&self.argon2, password)
    }

    /// Runs `work` on the pool and waits for it without blocking the async worker.
    async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>) -> R + Send + 'static,
    ) -> Result<R, AppError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::TooManyRequests);
        }
        let (tx, rx) = oneshot::channel();
        let waiting = self.waiting.clone();
        let job: Job = Box::new(move |argon2| {
            waiting.fetch_sub(1, Ordering::SeqCst);
            let _ = tx.send(work(argon2));
        });
        let sender = self.pool.get_or_init(|| Mutex::new(start_pool(self.argon2.clone())));
        sender
            .lock()
            .map_err(|_| AppError::internal(anyhow::anyhow!("the hashing pool is poisoned")))?
            .send(job)
            .map_err(|_| AppError::internal(anyhow::anyhow!("the hashing pool stopped")))?;
        rx.await.map_err(|_| AppError::internal(anyhow::anyhow!("a hashing thread died")))
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move |argon2| hash_with(argon2, &password)).await?.map_err(AppError::Internal)
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no stored
    /// hash (unknown account, or one without a password yet). Returns false in the latter case.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = self
            .run(move |argon2| {
                PasswordHash::new(&hash)
                    .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                    .unwrap_or(false)
            })
            .await?;
        Ok(real && matched)
    }
}

/// The threads, each taking the next job. They end when the last `Hasher` is dropped.
fn start_pool(argon2: Argon2<'static>) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    for i in 0..cores.saturating_sub(1).max(1) {
        let (rx, argon2) = (rx.clone(), argon2.clone());
        let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
            lower_priority();
            loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(&argon2),
                    Err(_) => return,
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start a hashing thread");
        }
    }
    tx
}

/// Puts this thread in the idle scheduling class (Linux: `SCHED_IDLE` on a thread id applies
/// to that thread only): it runs whenever a core has nothing else to do, and any other thread
/// that wakes up (a page being served) takes the core from it at once. Failing to is harmless:
/// the thread runs at the normal priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid takes nothing; sched_setscheduler reads the param struct we own and only
    // affects the calling thread.
    unsafe {
        let tid = libc::gettid();
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            tracing::debug!("could not move the hashing threads to the idle class");
        }
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn the_pool_hashes_and_verifies_and_an_unknown_account_never_matches() {
        let hasher =
            Hasher::new(Argon2Cost { memory_kib: 64, iterations: 1, parallelism: 1 }).unwrap();
        let hash = hasher.hash("correct horse".into()).await.unwrap();
        assert!(hasher.verify("correct horse".into(), Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse".into(), Some(hash)).await.unwrap());
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }
}
