//! Argon2id hashing and verification, off the async workers and at most one per core at a time
//! (each hash takes ~19 MiB and tens of milliseconds; unbounded, a burst of sign-ins would
//! exhaust memory and starve every other request).

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::Argon2Cost;
use crate::domain::token::random_token;
use crate::error::AppError;

#[derive(Clone)]
pub struct Hasher {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
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
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Self { argon2, permits: Arc::new(Semaphore::new(cores)), dummy_hash: dummy_hash.into() })
    }

    /// Hashes synchronously; for the CLI and the seeder, which own their thread.
    pub fn hash_blocking(&self, password: &str) -> anyhow::Result<String> {
        hash_with(&self.argon2, password)
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let argon2 = self.argon2.clone();
        tokio::task::spawn_blocking(move || hash_with(&argon2, &password))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::Internal)
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no stored
    /// hash (unknown account, or one without a password yet). Returns false in the latter case.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let argon2 = self.argon2.clone();
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .map_err(AppError::internal)?;
        Ok(real && matched)
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}
