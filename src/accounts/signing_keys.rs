//! The provider's signing keys: one RS256 and one EdDSA key sign at a time; their public parts,
//! with those of retired keys whose ID tokens may still be live, are published as the JWKS.
//!
//! Making an RSA key takes a long moment (prime generation: ~0.1–1 s in a release build), and
//! opening one (decrypting, parsing) far more than signing with it. So both happen once, one
//! at a time (`Keys::turn`), off the database threads and the async workers, and ahead of the
//! first token request when possible (`prepare`, when an application is registered and when a
//! server starts with applications). Measured before that: the first token requests of a
//! fresh server each made a key of their own, 16 concurrent RSA key generations on 2 cores,
//! and waited up to 3 s.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use openidconnect::core::CoreJsonWebKey;
use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::signing_keys::{self, StoredKey};
use crate::db::{Db, new_id, now};
use crate::domain::clock::At;
use crate::domain::signing::{Algorithm, SealKey, Signer, generate};
use crate::error::AppError;

const ALGORITHMS: [Algorithm; 2] = [Algorithm::Rs256, Algorithm::EdDsa];

/// The seal, and the keys opened so far by key id. Which key signs is still read from the
/// database on every use, so a rotation by `roster rotate-keys` in another process takes
/// effect at once.
pub struct Keys {
    pub seal: SealKey,
    opened: RwLock<HashMap<String, Arc<Signer>>>,
    /// One making or opening at a time: without it, every request that arrives meanwhile makes
    /// or opens the same key too.
    turn: tokio::sync::Mutex<()>,
}

impl Keys {
    pub fn new(seal: SealKey) -> Self {
        Self { seal, opened: RwLock::new(HashMap::new()), turn: tokio::sync::Mutex::new(()) }
    }

    fn cached(&self, kid: &str) -> Option<Arc<Signer>> {
        self.opened.read().unwrap_or_else(|p| p.into_inner()).get(kid).cloned()
    }
}

async fn active(db: &Db, alg: Algorithm) -> Result<Option<StoredKey>, AppError> {
    db.run(move |c| Ok(signing_keys::active(c, alg.as_str())?)).await
}

/// A new key of `alg`, sealed, ready to store.
async fn make(seal: &SealKey, alg: Algorithm) -> Result<(String, String, String), AppError> {
    let kid = new_id();
    let key = tokio::task::spawn_blocking(move || generate(alg, &kid))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let sealed = seal.seal(&key.kid, key.private_pem.as_bytes());
    Ok((key.kid, sealed, key.public_jwk))
}

/// The signing key of `alg`, made when there is none. Call it on your turn.
async fn ensure_one(db: &Db, keys: &Keys, alg: Algorithm) -> Result<StoredKey, AppError> {
    if let Some(row) = active(db, alg).await? {
        return Ok(row);
    }
    let (kid, sealed, public_jwk) = make(&keys.seal, alg).await?;
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            // Another process (or an older server) may have made one meanwhile: keep the first.
            if signing_keys::active(conn, alg.as_str())?.is_none() {
                signing_keys::insert(conn, &kid, alg.as_str(), &sealed, &public_jwk, now())?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .map_err(AppError::from)
    })
    .await?;
    active(db, alg).await?.ok_or(AppError::NotFound)
}

/// Makes the keys that are missing and opens those that sign, so the next token request finds
/// them ready. Cheap when done already.
pub async fn prepare(db: &Db, keys: &Keys) -> Result<(), AppError> {
    for alg in ALGORITHMS {
        signer(db, keys, alg).await?;
    }
    Ok(())
}

/// The key of `alg` that signs now, opened (once per process), made first if there is none.
pub async fn signer(db: &Db, keys: &Keys, alg: Algorithm) -> Result<Arc<Signer>, AppError> {
    if let Some(row) = active(db, alg).await?
        && let Some(s) = keys.cached(&row.kid)
    {
        return Ok(s);
    }
    let _turn = keys.turn.lock().await;
    // Whoever had the turn before may have made or opened it.
    let row = ensure_one(db, keys, alg).await?;
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

/// Rotation: a new key of each algorithm signs from now on; the previous ones stop signing and
/// stay published until the ID tokens they signed have expired (so relying parties that cached
/// the set keep verifying). Audited. Returns the new key ids.
pub async fn rotate(db: &Db, keys: &Keys, actor: Actor) -> Result<Vec<String>, AppError> {
    let _turn = keys.turn.lock().await;
    let mut made = Vec::new();
    let mut retired = Vec::new();
    for alg in ALGORITHMS {
        let (kid, sealed, public_jwk) = make(&keys.seal, alg).await?;
        let new_kid = kid.clone();
        let old = db
            .run(move |conn| {
                crate::db::write(conn, |conn| {
                    let at = now();
                    let old = signing_keys::active(conn, alg.as_str())?;
                    if let Some(old) = &old {
                        let until = at + super::claims::ID_TOKEN_LIFETIME;
                        signing_keys::retire(conn, &old.kid, at, until)?;
                    }
                    signing_keys::insert(conn, &kid, alg.as_str(), &sealed, &public_jwk, at)?;
                    Ok::<_, diesel::result::Error>(old.map(|o| o.kid))
                })
                .map_err(AppError::from)
            })
            .await?;
        made.push(new_kid);
        retired.extend(old);
    }
    let details = json!({ "new_keys": made, "retired_keys": retired });
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            audit::record(conn, &actor, "signing_keys.rotated", None, details)
        })
        .map_err(AppError::from)
    })
    .await?;
    Ok(made)
}

/// The published public keys (`{"keys": [...]}`), making the first ones when there are none.
pub async fn jwks(db: &Db, keys: &Keys) -> Result<serde_json::Value, AppError> {
    prepare(db, keys).await?;
    let rows = db.run(|c| Ok(signing_keys::published(c, now())?)).await?;
    let keys: Vec<CoreJsonWebKey> =
        rows.iter().filter_map(|k| serde_json::from_str(&k.public_jwk).ok()).collect();
    Ok(json!({ "keys": keys }))
}

/// A published key as Settings > Signing keys shows it.
pub struct PublishedKey {
    pub kid: String,
    pub alg: String,
    pub created_at: At,
    /// `None` while it signs; when retired, until when it stays published.
    pub published_until: Option<At>,
}

/// The keys published now, those that sign first.
pub async fn published(db: &Db) -> Result<Vec<PublishedKey>, AppError> {
    let mut rows = db.run(|c| Ok(signing_keys::published(c, now())?)).await?;
    rows.sort_by_key(|k| (k.retired_at.is_some(), std::cmp::Reverse(k.created_at)));
    Ok(rows
        .into_iter()
        .map(|k| PublishedKey {
            kid: k.kid,
            alg: k.alg,
            created_at: k.created_at,
            published_until: k.published_until,
        })
        .collect())
}
