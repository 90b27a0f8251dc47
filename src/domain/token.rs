//! Random secrets (session keys, link tokens, setup tokens) and the hash under which they are
//! stored: 32 random bytes, base64url; SHA-256 hex in the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

text_enum!(Purpose {
    Invitation = "invitation": "invitation",
    PasswordReset = "password_reset": "password reset",
    Verification = "verification": "verification",
    Recovery = "recovery": "password recovery",
});

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The key that turns a link's token row id into its token. Emails are queued before they are
/// sent and may be retried; deriving the token at send time means the outbox never holds a
/// usable secret, and every retry carries the same link. The database alone (ids and SHA-256
/// hashes) is not enough to forge a link: the key comes from the server's secret.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    pub fn derive(server_secret: &[u8]) -> Self {
        Self(hmac_sha256(server_secret, b"roster link tokens v1"))
    }

    /// The token of the link whose `one_time_tokens` row is `token_id`.
    pub fn token_for(&self, token_id: &str) -> String {
        URL_SAFE_NO_PAD.encode(hmac_sha256(&self.0, token_id.as_bytes()))
    }
}

/// HMAC-SHA256: keys derived from the server's secret, and what they sign.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any size");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_to_hex() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert!(secrets_equal(&a, &a.clone()));
        assert!(!secrets_equal(&a, &b));
    }

    #[test]
    fn link_tokens_depend_on_the_row_and_the_server_secret() {
        let key = LinkKey::derive(b"secret one");
        let t = key.token_for("row-1");
        assert_eq!(t, key.token_for("row-1"), "retries carry the same link");
        assert_eq!(t.len(), 43);
        assert_ne!(t, key.token_for("row-2"));
        assert_ne!(t, LinkKey::derive(b"secret two").token_for("row-1"));
    }
}
