//! The keys that sign ID tokens: generated here (RSA 2048 for RS256, which every relying party
//! accepts, and Ed25519 for EdDSA), published as JWKs, and kept in the database only sealed —
//! ChaCha20-Poly1305 under a key derived from the server's session secret, so a copy of the
//! database alone cannot sign tokens.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use openidconnect::core::{
    CoreEdDsaPrivateSigningKey, CoreJsonWebKey, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{JsonWebKeyId, PrivateSigningKey, SigningError};
use rand::RngCore;

use super::token::hmac_sha256;

text_enum!(Algorithm {
    Rs256 = "RS256": "RS256",
    EdDsa = "EdDSA": "EdDSA",
});

/// Seals and opens what the database keeps but must not be able to read alone (private keys,
/// values shown once): a key derived from the server's secret for one purpose.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl SealKey {
    /// The key of the signing keys at rest.
    pub fn derive(server_secret: &[u8]) -> Self {
        Self::for_purpose(server_secret, "signing keys at rest")
    }

    /// A key of its own for each purpose, so one sealed value cannot be opened as another.
    pub fn for_purpose(server_secret: &[u8], purpose: &str) -> Self {
        Self(hmac_sha256(server_secret, format!("roster: {purpose}, v1").as_bytes()))
    }

    /// `base64(nonce || ciphertext)`; the associated data (`kid`) binds it to what it is for.
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = ChaCha20Poly1305::new((&self.0).into());
        let payload = chacha20poly1305::aead::Payload { msg: plaintext, aad: kid.as_bytes() };
        let sealed =
            cipher.encrypt(Nonce::from_slice(&nonce), payload).expect("sealing cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        STANDARD.encode(out)
    }

    /// The plaintext, or `None` when it was sealed under another key (the session secret
    /// changed) or altered.
    pub fn open(&self, kid: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, body) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new((&self.0).into());
        let payload = chacha20poly1305::aead::Payload { msg: body, aad: kid.as_bytes() };
        cipher.decrypt(Nonce::from_slice(nonce), payload).ok()
    }
}

/// A new key: its private part as PEM (to seal) and its public JWK (JSON).
pub struct NewKey {
    pub kid: String,
    pub alg: Algorithm,
    pub private_pem: String,
    pub public_jwk: String,
}

/// A private key that signs, from its PEM.
pub enum Signer {
    Rsa(RsaSigner),
    EdDsa(CoreEdDsaPrivateSigningKey),
}

/// An RSA key signing RS256 with `ring` (the token endpoint's main cost: 3× faster than the
/// `rsa` crate's signing, measured by bench/oidc.py), published as the same JWK.
pub struct RsaSigner {
    key: ring::rsa::KeyPair,
    jwk: CoreJsonWebKey,
}

impl RsaSigner {
    fn from_pem(pem: &str, kid: Option<JsonWebKeyId>) -> Result<Self, String> {
        use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
        let der = rsa::RsaPrivateKey::from_pkcs1_pem(pem)
            .and_then(|k| k.to_pkcs1_der())
            .map_err(|e| e.to_string())?;
        let key = ring::rsa::KeyPair::from_der(der.as_bytes()).map_err(|e| e.to_string())?;
        let jwk = CoreRsaPrivateSigningKey::from_pem(pem, kid)?.as_verification_key();
        Ok(Self { key, jwk })
    }
}

impl PrivateSigningKey for RsaSigner {
    type VerificationKey = CoreJsonWebKey;

    fn sign(&self, alg: &CoreJwsSigningAlgorithm, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        if *alg != CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256 {
            return Err(SigningError::UnsupportedAlg(format!("{alg:?}")));
        }
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| SigningError::CryptoError)?;
        Ok(signature)
    }

    fn as_verification_key(&self) -> CoreJsonWebKey {
        self.jwk.clone()
    }
}

impl Signer {
    pub fn from_pem(alg: Algorithm, kid: &str, pem: &str) -> Result<Self, String> {
        let kid = Some(JsonWebKeyId::new(kid.to_owned()));
        Ok(match alg {
            Algorithm::Rs256 => Self::Rsa(RsaSigner::from_pem(pem, kid)?),
            Algorithm::EdDsa => {
                Self::EdDsa(CoreEdDsaPrivateSigningKey::from_ed25519_pem(pem, kid)?)
            }
        })
    }

    pub fn public_jwk(&self) -> CoreJsonWebKey {
        match self {
            Self::Rsa(k) => k.as_verification_key(),
            Self::EdDsa(k) => k.as_verification_key(),
        }
    }
}

/// Generates a key (RSA 2048 takes a moment: call it off the async workers).
pub fn generate(alg: Algorithm, kid: &str) -> Result<NewKey, String> {
    let private_pem = match alg {
        Algorithm::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .map_err(|e| e.to_string())?;
            key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).map_err(|e| e.to_string())?.to_string()
        }
        Algorithm::EdDsa => {
            use ed25519_dalek::pkcs8::EncodePrivateKey;
            let mut seed = [0u8; 32];
            rand::rng().fill_bytes(&mut seed);
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
                .map_err(|e| e.to_string())?
                .to_string()
        }
    };
    let public = Signer::from_pem(alg, kid, &private_pem)?.public_jwk();
    let public_jwk = serde_json::to_string(&public).map_err(|e| e.to_string())?;
    Ok(NewKey { kid: kid.to_owned(), alg, private_pem, public_jwk })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_secret_and_kid() {
        let key = SealKey::derive(b"server secret");
        let sealed = key.seal("k1", b"private pem");
        assert_eq!(key.open("k1", &sealed).as_deref(), Some(&b"private pem"[..]));
        assert!(key.open("k2", &sealed).is_none(), "bound to its kid");
        assert!(SealKey::derive(b"another secret").open("k1", &sealed).is_none());
        assert_ne!(sealed, key.seal("k1", b"private pem"), "a fresh nonce each time");
    }

    #[test]
    fn an_rsa_key_signs_rs256_that_its_published_jwk_verifies() {
        use openidconnect::JsonWebKey;
        let key = generate(Algorithm::Rs256, "rsa-1").unwrap();
        let Signer::Rsa(signer) =
            Signer::from_pem(Algorithm::Rs256, "rsa-1", &key.private_pem).unwrap()
        else {
            panic!("an RSA signer");
        };
        let alg = CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256;
        let signature = signer.sign(&alg, b"header.claims").unwrap();
        let jwk: CoreJsonWebKey = serde_json::from_str(&key.public_jwk).unwrap();
        assert!(jwk.verify_signature(&alg, b"header.claims", &signature).is_ok());
        assert!(jwk.verify_signature(&alg, b"header.claimz", &signature).is_err());
        assert!(signer.sign(&CoreJwsSigningAlgorithm::RsaSsaPssSha256, b"x").is_err());
    }

    #[test]
    fn an_ed25519_key_round_trips_through_pem_and_publishes_an_okp_jwk() {
        let key = generate(Algorithm::EdDsa, "ed-1").unwrap();
        assert!(key.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let jwk: serde_json::Value = serde_json::from_str(&key.public_jwk).unwrap();
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["kid"], "ed-1");
        assert!(jwk.get("d").is_none(), "no private part");
        assert!(Signer::from_pem(Algorithm::EdDsa, "ed-1", &key.private_pem).is_ok());
    }
}
