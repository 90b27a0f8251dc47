//! OpenID Connect rules that need no storage: token kinds, PKCE (S256 only), the scopes the
//! provider knows.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

text_enum!(TokenKind {
    Access = "access": "Access token",
    Refresh = "refresh": "Refresh token",
});

/// The S256 challenge of a PKCE code verifier (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A verifier is 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
pub fn valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Does `verifier` answer `challenge`? Constant time in the comparison.
pub fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    valid_verifier(verifier) && super::token::secrets_equal(&s256(verifier), challenge)
}

/// The scopes granted: `openid` plus those of the claim groups the application receives, in
/// the order asked; unknown ones are left out (RFC 6749 §3.3).
pub fn granted_scope(requested: &str, allowed_claims: &[String]) -> Option<String> {
    let asked: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
    if !asked.contains(&"openid") {
        return None;
    }
    let mut out = vec!["openid"];
    for s in asked {
        let known =
            matches!(s, "email" | "profile" | "groups") && allowed_claims.iter().any(|c| c == s);
        if (known || s == "offline_access") && !out.contains(&s) {
            out.push(s);
        }
    }
    Some(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_the_rfc_example() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(s256(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(pkce_matches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier));
        assert!(!pkce_matches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "short"));
    }

    #[test]
    fn scopes_need_openid_and_keep_only_what_the_application_receives() {
        let allowed = vec!["email".to_owned()];
        assert_eq!(granted_scope("profile email", &allowed), None);
        assert_eq!(granted_scope("openid profile email x", &allowed).unwrap(), "openid email");
    }
}
