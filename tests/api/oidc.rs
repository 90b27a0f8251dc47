//! The OpenID Connect provider's keys: the JWKS publishes an RS256 and an EdDSA public key (no
//! private member), stable across requests; the private parts are stored sealed under the
//! session secret; and an ID token signed with the stored key verifies against the published
//! set with the `openidconnect` crate's own verifier.

use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    Audience, ClientId, EmptyAdditionalClaims, IssuerUrl, Nonce, StandardClaims, SubjectIdentifier,
};
use roster::domain::signing::{Algorithm, SealKey, Signer};

use crate::helpers::*;

async fn jwks(app: &TestApp) -> (reqwest::header::HeaderMap, serde_json::Value) {
    let res = app.get("/oidc/jwks").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    (headers, serde_json::from_str(&res.text().await.unwrap()).unwrap())
}

fn seal_key(app: &TestApp) -> SealKey {
    let secret = std::fs::read_to_string(app.data_dir.path().join("session_secret")).unwrap();
    SealKey::derive(secret.trim().as_bytes())
}

#[actix_web::test]
async fn the_jwks_publishes_rs256_and_eddsa_public_keys_only() {
    let app = spawn_app().await;
    let (headers, set) = jwks(&app).await;
    assert_eq!(header(&headers, "content-type"), "application/jwk-set+json");
    assert_eq!(header(&headers, "cache-control"), "public, max-age=300");
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let kty: Vec<&str> = keys.iter().map(|k| k["kty"].as_str().unwrap()).collect();
    assert!(kty.contains(&"RSA") && kty.contains(&"OKP"), "{kty:?}");
    for k in keys {
        assert!(k["kid"].as_str().is_some_and(|s| !s.is_empty()));
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(k.get(private).is_none(), "{private} is private");
        }
    }
    // The same keys on the next request (created once).
    assert_eq!(jwks(&app).await.1, set);
    // Stored sealed: no PEM in the database, and it opens only with this server's secret.
    let rows = app.db.run(|c| Ok(roster::db::signing_keys::published(c, roster::db::now())?)).await;
    let rows = rows.unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(!row.private_sealed.contains("PRIVATE KEY"));
        let pem = seal_key(&app).open(&row.kid, &row.private_sealed).expect("opens");
        assert!(String::from_utf8(pem).unwrap().contains("PRIVATE KEY"));
        assert!(
            SealKey::derive(b"another server's secret")
                .open(&row.kid, &row.private_sealed)
                .is_none()
        );
    }
}

#[actix_web::test]
async fn an_id_token_signed_with_the_stored_key_verifies_against_the_published_set() {
    let app = spawn_app().await;
    let (_, set) = jwks(&app).await;
    let set: CoreJsonWebKeySet = serde_json::from_value(set).unwrap();
    let row =
        app.db.run(|c| Ok(roster::db::signing_keys::active(c, "RS256")?)).await.unwrap().unwrap();
    let pem =
        String::from_utf8(seal_key(&app).open(&row.kid, &row.private_sealed).unwrap()).unwrap();
    let Signer::Rsa(key) = Signer::from_pem(Algorithm::Rs256, &row.kid, &pem).unwrap() else {
        panic!("an RSA key")
    };
    let issuer = IssuerUrl::new(app.base.clone()).unwrap();
    let now = chrono::Utc::now();
    let claims = CoreIdTokenClaims::new(
        issuer.clone(),
        vec![Audience::new("client-1".into())],
        now + chrono::Duration::minutes(5),
        now,
        StandardClaims::new(SubjectIdentifier::new("customer-1".into())),
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new("n-1".into())));
    let token =
        CoreIdToken::new(claims, &key, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None)
            .unwrap();
    let verifier =
        CoreIdTokenVerifier::new_public_client(ClientId::new("client-1".into()), issuer, set);
    let verified = token.claims(&verifier, &Nonce::new("n-1".into())).expect("verifies");
    assert_eq!(verified.subject().as_str(), "customer-1");
    // A token for another audience does not.
    let other = CoreIdTokenVerifier::new_public_client(
        ClientId::new("client-2".into()),
        IssuerUrl::new(app.base.clone()).unwrap(),
        serde_json::from_value(jwks(&app).await.1).unwrap(),
    );
    assert!(token.claims(&other, &Nonce::new("n-1".into())).is_err());
}
