//! The provider's signing keys: one RS256 and one EdDSA key sign at a time; both are created on
//! first use (RSA generation takes a moment, so it runs off the database threads and the async
//! workers) and their public parts are published as the JWKS.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use openidconnect::core::CoreJsonWebKey;

use crate::db::{Db, new_id, now, signing_keys};
use crate::domain::signing::{Algorithm, SealKey, Signer, generate};
use crate::error::AppError;

const ALGORITHMS: [Algorithm; 2] = [Algorithm::Rs256, Algorithm::EdDsa];

/// The seal, and the keys opened so far by key id: opening one (decrypting and parsing an RSA
/// key) costs far more than signing with it, so each is opened once per process. Which key
/// signs is still read from the database on every use, so a rotation by `roster rotate-keys`
/// in another process takes effect at once.
pub struct Keys {
    pub seal: SealKey,
    opened: RwLock<HashMap<String, Arc<Signer>>>,
    /// One opening at a time: without it, every request that arrives while a key is being
    /// opened (an RSA key takes a long moment) opens it too — measured: 10 % of token requests
    /// over a second in the first seconds of load.
    opening: tokio::sync::Mutex<()>,
}

impl Keys {
    pub fn new(seal: SealKey) -> Self {
        Self { seal, opened: RwLock::new(HashMap::new()), opening: tokio::sync::Mutex::new(()) }
    }

    fn cached(&self, kid: &str) -> Option<Arc<Signer>> {
        self.opened.read().unwrap_or_else(|p| p.into_inner()).get(kid).cloned()
    }
}

/// Creates the signing key of each algorithm that has none.
pub async fn ensure(db: &Db, seal: &SealKey) -> Result<(), AppError> {
    for alg in ALGORITHMS {
        let exists = db.run(move |c| Ok(signing_keys::active(c, alg.as_str())?.is_some())).await?;
        if exists {
            continue;
        }
        let kid = new_id();
        let key = tokio::task::spawn_blocking(move || generate(alg, &kid))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
        let sealed = seal.seal(&key.kid, key.private_pem.as_bytes());
        db.run(move |conn| {
            crate::db::write(conn, |conn| {
                // Another request may have made one meanwhile: keep the first.
                if signing_keys::active(conn, alg.as_str())?.is_none() {
                    signing_keys::insert(
                        conn,
                        &key.kid,
                        alg.as_str(),
                        &sealed,
                        &key.public_jwk,
                        now(),
                    )?;
                }
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(AppError::from)
        })
        .await?;
    }
    Ok(())
}

/// Rotation: a new key of each algorithm signs from now on; the previous ones stop signing and
/// stay published until the ID tokens they signed have expired (so relying parties that cached
/// the set keep verifying). Returns the new key ids.
pub async fn rotate(db: &Db, seal: &SealKey) -> Result<Vec<String>, AppError> {
    let mut made = Vec::new();
    for alg in ALGORITHMS {
        let kid = new_id();
        let key = tokio::task::spawn_blocking(move || generate(alg, &kid))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
        let sealed = seal.seal(&key.kid, key.private_pem.as_bytes());
        let kid = key.kid.clone();
        db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let at = now();
                if let Some(old) = signing_keys::active(conn, alg.as_str())? {
                    signing_keys::retire(conn, &old.kid, at, at + super::token::ID_TOKEN_LIFETIME)?;
                }
                signing_keys::insert(conn, &key.kid, alg.as_str(), &sealed, &key.public_jwk, at)
            })
            .map_err(AppError::from)
        })
        .await?;
        made.push(kid);
    }
    Ok(made)
}

/// The published public keys (`{"keys": [...]}`), creating the first ones when there are none.
pub async fn jwks(db: &Db, seal: &SealKey) -> Result<serde_json::Value, AppError> {
    ensure(db, seal).await?;
    let rows = db.run(|c| Ok(signing_keys::published(c, now())?)).await?;
    let keys: Vec<CoreJsonWebKey> =
        rows.iter().filter_map(|k| serde_json::from_str(&k.public_jwk).ok()).collect();
    Ok(serde_json::json!({ "keys": keys }))
}

/// The key of `alg` that signs now, opened (once per process).
pub async fn signer(db: &Db, keys: &Keys, alg: Algorithm) -> Result<Arc<Signer>, AppError> {
    let mut row = db.run(move |c| Ok(signing_keys::active(c, alg.as_str())?)).await?;
    if row.is_none() {
        ensure(db, &keys.seal).await?;
        row = db.run(move |c| Ok(signing_keys::active(c, alg.as_str())?)).await?;
    }
    let row = row.ok_or(AppError::NotFound)?;
    if let Some(s) = keys.cached(&row.kid) {
        return Ok(s);
    }
    let _opening = keys.opening.lock().await;
    if let Some(s) = keys.cached(&row.kid) {
        return Ok(s);
    }
    let pem = keys.seal.open(&row.kid, &row.private_sealed).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "signing key {} cannot be opened: was the session secret changed?",
            row.kid
        ))
    })?;
    let pem = String::from_utf8(pem).map_err(AppError::internal)?;
    let kid = row.kid.clone();
    let signer = tokio::task::spawn_blocking(move || Signer::from_pem(alg, &kid, &pem))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let signer = Arc::new(signer);
    keys.opened.write().unwrap_or_else(|p| p.into_inner()).insert(row.kid, signer.clone());
    Ok(signer)
}
