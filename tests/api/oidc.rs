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

// ---- The code flow, end to end over HTTP ----

const REDIRECT: &str = "http://127.0.0.1:9/cb";
pub(crate) const PASSWORD: &str = "juniper lantern 1987";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub(crate) struct Client {
    pub(crate) id: String,
    secret: Option<String>,
}

pub(crate) async fn register(app: &TestApp, kind: &str) -> Client {
    register_signed(app, kind, "RS256").await
}

async fn register_signed(app: &TestApp, kind: &str, alg: &str) -> Client {
    let input = roster::domain::application::ApplicationInput {
        id_token_alg: alg.into(),
        // Names are unique: a second application needs its own.
        name: if kind == "confidential" { "Shop".into() } else { format!("Shop {kind} {alg}") },
        client_type: kind.into(),
        redirect_uris: REDIRECT.into(),
        post_logout_redirect_uris: "http://127.0.0.1:9/bye".into(),
        refresh_tokens: true,
        access_token_minutes: "5".into(),
        refresh_token_days: "30".into(),
        claims: vec!["email".into(), "profile".into(), "groups".into()],
        ..Default::default()
    };
    let actor = roster::db::audit::Actor::system("t");
    let created = roster::accounts::applications::create(&app.db, actor, input).await.ok().unwrap();
    let row = app
        .db
        .run(move |c| Ok(roster::db::applications::find_public(c, &created.id)?))
        .await
        .unwrap()
        .unwrap();
    Client { id: row.client_id, secret: created.secret }
}

pub(crate) fn authorize_url(app: &TestApp, client: &Client, extra: &[(&str, &str)]) -> String {
    let mut q = vec![
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid email profile"),
        ("state", "s-1"),
        ("nonce", "n-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    q.extend(extra.iter().copied());
    app.url(&format!("/myaccount/authorize?{}", serde_urlencoded::to_string(q).unwrap()))
}

fn location(res: &reqwest::Response) -> String {
    header(res.headers(), "location").to_owned()
}

fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    serde_urlencoded::from_str(q).unwrap()
}

/// A customer signs in through the application's authorization request; returns the code.
pub(crate) async fn sign_in_through(app: &TestApp, browser: &reqwest::Client, url: &str) -> String {
    let res = browser.get(url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let mut to = location(&res);
    if to.starts_with("/myaccount/login") {
        let page = get_with(browser, &app.url(&to)).await.1;
        let next = hidden_field(&page, "next");
        let form = [
            ("csrf_token", csrf_in(&page)),
            ("email", "pat@example.com".into()),
            ("password", PASSWORD.into()),
            ("next", next),
        ];
        let res = browser.post(app.url("/myaccount/login")).form(&form).send().await.unwrap();
        // A page that moves on by itself: the CSP's form-action would stop a redirect chain
        // that ends at the application's origin.
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("http-equiv=\"refresh\""), "{page}");
        let start = page.find("href=\"/myaccount/authorize").unwrap() + 6;
        let back = unescape(&page[start..start + page[start..].find('"').unwrap()]);
        assert!(back.starts_with("/myaccount/authorize?"), "{back}");
        let res = browser.get(app.url(&back)).send().await.unwrap();
        assert_eq!(res.status(), 303);
        to = location(&res);
    }
    assert!(to.starts_with(REDIRECT), "{to}");
    let q = query_of(&to);
    assert_eq!(q["state"], "s-1");
    assert_eq!(q["iss"], app.base, "RFC 9207");
    q["code"].clone()
}

async fn token(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut req = client_http().post(app.url("/oidc/token")).form(form);
    match &client.secret {
        Some(s) => req = req.basic_auth(&client.id, Some(s)),
        None => {
            let mut with_id: Vec<(&str, &str)> = form.to_vec();
            with_id.push(("client_id", &client.id));
            req = client_http().post(app.url("/oidc/token")).form(&with_id);
        }
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap())
}

fn client_http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub(crate) async fn exchange(
    app: &TestApp,
    client: &Client,
    code: &str,
) -> (u16, serde_json::Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    token(app, client, &form).await
}

async fn refresh(app: &TestApp, client: &Client, r: &str) -> (u16, serde_json::Value) {
    token(app, client, &[("grant_type", "refresh_token"), ("refresh_token", r)]).await
}

async fn userinfo(app: &TestApp, access: &str) -> (u16, serde_json::Value) {
    let res =
        client_http().get(app.url("/oidc/userinfo")).bearer_auth(access).send().await.unwrap();
    let status = res.status().as_u16();
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap_or_default())
}

#[actix_web::test]
async fn discovery_names_this_issuer_and_its_endpoints() {
    let app = spawn_app().await;
    let (status, body) = app.get_text("/.well-known/openid-configuration").await;
    assert_eq!(status, 200);
    let m: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(m["issuer"], app.base);
    assert_eq!(m["authorization_endpoint"], app.url("/myaccount/authorize"));
    assert_eq!(m["token_endpoint"], app.url("/oidc/token"));
    assert_eq!(m["jwks_uri"], app.url("/oidc/jwks"));
    assert_eq!(m["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
}

#[actix_web::test]
async fn a_customer_signs_in_to_an_application_with_code_and_pkce() {
    let app = signed_in_app().await;
    let id = app.active_customer("pat@example.com", PASSWORD).await;
    // As if Pat had followed an emailed link: the ID token says the address is proven.
    let at = roster::db::now();
    let verified = app.db.run(move |c| {
        Ok({
            let key = account_key(c, &id);
            roster::db::accounts::mark_email_verified(c, key, at)?
        })
    });
    assert_eq!(verified.await.unwrap(), 1);
    let client = register(&app, "confidential").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (status, t) = exchange(&app, &client, &code).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 300);
    let access = t["access_token"].as_str().unwrap().to_owned();
    // The ID token verifies against the published keys, with nonce, at_hash and auth_time.
    let set: CoreJsonWebKeySet = serde_json::from_str(&app.get_text("/oidc/jwks").await.1).unwrap();
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(client.id.clone()),
        openidconnect::ClientSecret::new(client.secret.clone().unwrap()),
        IssuerUrl::new(app.base.clone()).unwrap(),
        set,
    );
    let id_token: CoreIdToken = serde_json::from_value(t["id_token"].clone()).unwrap();
    let claims = id_token.claims(&verifier, &Nonce::new("n-1".into())).expect("verifies");
    assert_eq!(claims.email().map(|e| e.as_str()), Some("pat@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    assert!(claims.auth_time().is_some());
    let expected = openidconnect::AccessTokenHash::from_token(
        &openidconnect::AccessToken::new(access.clone()),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected), "at_hash");
    let (status, info) = userinfo(&app, &access).await;
    assert_eq!(status, 200);
    assert_eq!(info["email"], "pat@example.com");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["sub"], claims.subject().as_str());
    // Single sign-on: the next request comes straight back with a code.
    let res = browser.get(authorize_url(&app, &client, &[])).send().await.unwrap();
    assert!(location(&res).starts_with(REDIRECT));
    // A reused code fails and revokes what it issued.
    let (status, e) = exchange(&app, &client, &code).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(userinfo(&app, &access).await.0, 401);
    assert!(app.audit_actions().await.contains(&"tokens.revoked".to_owned()));
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn errors_before_the_redirect_uri_is_trusted_stay_on_our_page() {
    let app = spawn_app().await;
    let client = register(&app, "public").await;
    for bad in [
        authorize_url(&app, &Client { id: "nobody".into(), secret: None }, &[]),
        authorize_url(&app, &client, &[]).replace("127.0.0.1%3A9%2Fcb", "evil.example%2Fcb"),
    ] {
        let res = client_http().get(&bad).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        assert!(res.headers().get("location").is_none(), "no redirect");
    }
    // After it is trusted, errors go back to the application.
    let url = authorize_url(&app, &client, &[("prompt", "none")]);
    let res = client_http().get(&url).send().await.unwrap();
    let q = query_of(&location(&res));
    assert_eq!((q["error"].as_str(), q["state"].as_str()), ("login_required", "s-1"));
    let url = authorize_url(&app, &client, &[]).replace("scope=openid+", "scope=");
    let q = query_of(&location(&client_http().get(&url).send().await.unwrap()));
    assert_eq!(q["error"], "invalid_scope");
    let no_pkce = authorize_url(&app, &client, &[]).replace("code_challenge=", "x=");
    let q = query_of(&location(&client_http().get(&no_pkce).send().await.unwrap()));
    assert_eq!(q["error"], "invalid_request", "a public client must use PKCE");
}

#[actix_web::test]
async fn pkce_and_client_secrets_are_checked_and_refresh_tokens_rotate() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "confidential").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let wrong = Client { id: client.id.clone(), secret: Some("not the secret".into()) };
    let (status, e) = exchange(&app, &wrong, &code).await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", "a-different-verifier-that-is-long-enough-to-count-1234"),
    ];
    let (status, e) = token(&app, &client, &form).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")), "PKCE mismatch");

    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, first) = exchange(&app, &client, &code).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) = refresh(&app, &client, &r1).await;
    assert_eq!(status, 200, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "rotated");
    let access2 = second["access_token"].as_str().unwrap().to_owned();
    assert_eq!(userinfo(&app, &access2).await.0, 200);
    // The old refresh token again: the whole grant is revoked.
    let (status, e) = refresh(&app, &client, &r1).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(refresh(&app, &client, &r2).await.0, 400, "the family is revoked");
    assert_eq!(userinfo(&app, &access2).await.0, 401);
}

#[actix_web::test]
async fn a_locked_customer_loses_userinfo_and_refresh_at_once() {
    let app = signed_in_app().await;
    let id = app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "public").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (status, t) = exchange(&app, &client, &code).await;
    assert_eq!(status, 200, "{t}");
    assert!(t.get("refresh_token").is_some());
    let page = format!("/console/users/{id}");
    assert_eq!(
        app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await.status(),
        303
    );
    assert_eq!(userinfo(&app, t["access_token"].as_str().unwrap()).await.0, 401);
    let r = t["refresh_token"].as_str().unwrap();
    let (status, e) =
        token(&app, &client, &[("grant_type", "refresh_token"), ("refresh_token", r)]).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
}

async fn revoke(app: &TestApp, client: &Client, token: &str) -> u16 {
    let mut req = client_http().post(app.url("/oidc/revoke")).form(&[("token", token)]);
    if let Some(s) = &client.secret {
        req = req.basic_auth(&client.id, Some(s));
    }
    req.send().await.unwrap().status().as_u16()
}

#[actix_web::test]
async fn revocation_ends_a_grant_and_the_customers_own_sign_out_ends_them_all() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "confidential").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, t) = exchange(&app, &client, &code).await;
    let (access, refresh_token) =
        (t["access_token"].as_str().unwrap(), t["refresh_token"].as_str().unwrap());
    assert_eq!(revoke(&app, &client, refresh_token).await, 200);
    assert_eq!(refresh(&app, &client, refresh_token).await.0, 400);
    assert_eq!(userinfo(&app, access).await.0, 401, "the grant's access token went with it");
    assert_eq!(revoke(&app, &client, "never-issued").await, 200, "the same answer");
    let wrong = Client { id: client.id.clone(), secret: Some("wrong".into()) };
    assert_eq!(revoke(&app, &wrong, refresh_token).await, 401);

    // Signed in to the application again (single sign-on), then out of My Account.
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, t) = exchange(&app, &client, &code).await;
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&app, access).await.0, 200);
    let page = get_with(&browser, &app.url("/myaccount")).await.1;
    let res = browser
        .post(app.url("/myaccount/logout"))
        .form(&[("csrf_token", csrf_in(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(userinfo(&app, access).await.0, 401, "signing out ends the application's tokens");
}

#[actix_web::test]
async fn an_application_signs_the_customer_out_after_they_confirm() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "public").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, t) = exchange(&app, &client, &code).await;
    let access = t["access_token"].as_str().unwrap().to_owned();
    let q = serde_urlencoded::to_string([
        ("client_id", client.id.as_str()),
        ("post_logout_redirect_uri", "http://127.0.0.1:9/bye"),
        ("state", "z-1"),
    ])
    .unwrap();
    let url = app.url(&format!("/myaccount/end-session?{q}"));
    let (status, page) = get_with(&browser, &url).await;
    assert_eq!(status, 200);
    assert!(page.contains("Sign out?"), "a link alone signs nobody out");
    assert_eq!(userinfo(&app, &access).await.0, 200);
    let form = [
        ("csrf_token", csrf_in(&page)),
        ("client_id", client.id.clone()),
        ("post_logout_redirect_uri", "http://127.0.0.1:9/bye".into()),
        ("state", "z-1".into()),
    ];
    let res = browser.post(app.url("/myaccount/end-session")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let done = res.text().await.unwrap();
    assert!(done.contains("content=\"0;url=http://127.0.0.1:9/bye?state=z-1\""), "{done}");
    assert_eq!(userinfo(&app, &access).await.0, 401, "the application's tokens are revoked");
    assert_eq!(get_with(&browser, &app.url("/myaccount")).await.0, 303, "signed out");
    // An address the application did not register is not followed.
    let q = serde_urlencoded::to_string([
        ("client_id", client.id.as_str()),
        ("post_logout_redirect_uri", "https://evil.example/"),
    ])
    .unwrap();
    let (_, page) =
        get_with(&crate::helpers::client(), &app.url(&format!("/myaccount/end-session?{q}"))).await;
    assert!(!page.contains("evil.example"), "{page}");
}

#[actix_web::test]
async fn the_sessions_tab_lists_application_sign_ins_and_terminates_one() {
    let app = signed_in_app().await;
    let id = app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "confidential").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, t) = exchange(&app, &client, &code).await;
    let access = t["access_token"].as_str().unwrap();
    let tab = format!("/console/users/{id}/sessions");
    let (_, page) = app.get_text(&tab).await;
    assert!(page.contains("<td>Shop</td>"), "{page}");
    let start = page.find(&format!("/console/users/{id}/applications/")).unwrap();
    let end = start + page[start..].find('"').unwrap();
    let res = app.post_on(&tab, &page[start..end], &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(userinfo(&app, access).await.0, 401);
    let (_, page) = app.get_text(&tab).await;
    assert!(
        page.contains("The sign-in to the application was terminated.")
            && page.contains("Not signed in to any application.")
    );
}

#[actix_web::test]
async fn rotation_signs_with_a_new_key_and_keeps_the_old_one_published_until_its_tokens_expire() {
    let app = signed_in_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "public").await;
    let (_, before) = jwks(&app).await;
    let old: Vec<String> = before["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    // The command line, as an operator runs it (the server's session secret is in the data dir).
    let out = crate::cli::roster(app.data_dir.path(), &["rotate-keys"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, after) = jwks(&app).await;
    let kids: Vec<String> = after["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kids.len(), 4, "new and previous keys published");
    assert!(old.iter().all(|k| kids.contains(k)));
    // New ID tokens carry a new key id.
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, t) = exchange(&app, &client, &code).await;
    let header = t["id_token"].as_str().unwrap().split('.').next().unwrap();
    use base64::Engine;
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap(),
    )
    .unwrap();
    let kid = header["kid"].as_str().unwrap().to_owned();
    assert!(!old.contains(&kid), "signed with the new key");
    // An hour and more later, only the new keys are published.
    let later = roster::db::now() + chrono::Duration::minutes(61);
    let published =
        app.db.run(move |c| Ok(roster::db::signing_keys::published(c, later)?)).await.unwrap();
    assert_eq!(published.len(), 2);
    assert!(published.iter().any(|k| k.kid == kid));
}

#[actix_web::test]
async fn an_application_may_take_eddsa_id_tokens() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register_signed(&app, "public", "EdDSA").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (status, t) = exchange(&app, &client, &code).await;
    assert_eq!(status, 200, "{t}");
    let set: CoreJsonWebKeySet = serde_json::from_str(&app.get_text("/oidc/jwks").await.1).unwrap();
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(client.id.clone()),
        IssuerUrl::new(app.base.clone()).unwrap(),
        set,
    )
    .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EdDsa]);
    let id_token: CoreIdToken = serde_json::from_value(t["id_token"].clone()).unwrap();
    assert_eq!(id_token.signing_alg().unwrap(), &CoreJwsSigningAlgorithm::EdDsa);
    let claims = id_token.claims(&verifier, &Nonce::new("n-1".into())).expect("verifies");
    assert_eq!(claims.email().map(|e| e.as_str()), Some("pat@example.com"));
    let (_, m) = app.get_text("/.well-known/openid-configuration").await;
    assert!(m.contains("\"EdDSA\""), "advertised");
}

#[actix_web::test]
async fn the_token_endpoint_answers_each_rfc_6749_error() {
    let app = signed_in_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "confidential").await;
    let public = Client { id: register(&app, "public").await.id, secret: None };
    let browser = crate::helpers::client();
    let err = |r: (u16, serde_json::Value)| (r.0, r.1["error"].as_str().unwrap_or("").to_owned());
    assert_eq!(
        err(token(&app, &client, &[("grant_type", "password")]).await),
        (400, "unsupported_grant_type".into())
    );
    assert_eq!(
        err(token(&app, &client, &[("grant_type", "authorization_code")]).await),
        (400, "invalid_request".into())
    );
    assert_eq!(err(token(&app, &client, &[]).await), (400, "invalid_request".into()));
    // A public client may not present a secret it does not have.
    let pretend = Client { id: public.id.clone(), secret: Some("x".into()) };
    assert_eq!(
        err(token(&app, &pretend, &[("grant_type", "authorization_code"), ("code", "c")]).await).0,
        401
    );
    // Another redirect URI than the request's.
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:9/other"),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(err(token(&app, &client, &form).await), (400, "invalid_grant".into()));
    // An expired code.
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    app.db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::authorization_codes as a;
            let past = roster::db::now() - chrono::Duration::seconds(1);
            diesel::update(a::table).set(a::expires_at.eq(past)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(err(exchange(&app, &client, &code).await), (400, "invalid_grant".into()));
    // A code issued to another application.
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &public, &[])).await;
    assert_eq!(err(exchange(&app, &client, &code).await), (400, "invalid_grant".into()));
    // Deleting the application ends what it was issued.
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let (_, t) = exchange(&app, &client, &code).await;
    let access = t["access_token"].as_str().unwrap().to_owned();
    assert_eq!(userinfo(&app, &access).await.0, 200);
    let apps = app.db.run(|c| Ok(roster::db::applications::all(c)?)).await.unwrap();
    let shop = apps.iter().find(|a| a.client_id == client.id).unwrap();
    let page = format!("/console/applications/{}", shop.public_id);
    assert_eq!(
        app.post_on(&page, &format!("{page}/delete"), &[("confirm", "on")]).await.status(),
        303
    );
    assert_eq!(userinfo(&app, &access).await.0, 401);
}

#[actix_web::test]
async fn a_single_page_application_calls_the_provider_from_its_own_origin_and_nobody_else_does() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let spa = register(&app, "public").await; // redirect URI on http://127.0.0.1:9
    let spa_origin = "http://127.0.0.1:9";
    let http = client_http();
    let cors_of = |res: &reqwest::Response| {
        res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned())
    };
    // Public metadata: any origin reads it.
    for path in ["/.well-known/openid-configuration", "/oidc/jwks"] {
        let res = http.get(app.url(path)).header("Origin", "https://anywhere.example").send().await;
        assert_eq!(cors_of(&res.unwrap()).as_deref(), Some("*"), "{path}");
    }
    // The preflight: the application's origin may POST with these headers; others get nothing.
    for path in ["/oidc/token", "/oidc/userinfo", "/oidc/revoke"] {
        let preflight = |origin: &'static str| {
            http.request(reqwest::Method::OPTIONS, app.url(path))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .send()
        };
        let res = preflight(spa_origin).await.unwrap();
        assert_eq!(res.status(), 204, "{path}");
        assert_eq!(cors_of(&res).as_deref(), Some(spa_origin));
        assert_eq!(header(res.headers(), "access-control-allow-methods"), "GET, POST");
        assert!(header(res.headers(), "access-control-allow-headers").contains("authorization"));
        assert!(res.headers().get("access-control-allow-credentials").is_none());
        let res = preflight("https://evil.example").await.unwrap();
        assert_eq!(cors_of(&res), None, "{path}");
    }
    // The code exchange, refresh and userinfo as the application's page sends them: with its
    // Origin (a foreign Origin on a POST is refused everywhere else).
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &spa, &[])).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", spa.id.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let res =
        http.post(app.url("/oidc/token")).header("Origin", spa_origin).form(&form).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(cors_of(&res).as_deref(), Some(spa_origin));
    let tokens: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let res = http
        .get(app.url("/oidc/userinfo"))
        .header("Origin", spa_origin)
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(cors_of(&res).as_deref(), Some(spa_origin));
    // Another origin's page gets the same answer from the server but no permission to read it.
    let res = http
        .get(app.url("/oidc/userinfo"))
        .header("Origin", "https://evil.example")
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(cors_of(&res), None);
    // A confidential application's origin is not opened: its secret belongs on its server.
    let input = roster::domain::application::ApplicationInput {
        name: "Shop on a server".into(),
        client_type: "confidential".into(),
        redirect_uris: "https://shop.example.com/cb".into(),
        access_token_minutes: "5".into(),
        refresh_token_days: "30".into(),
        ..Default::default()
    };
    let actor = roster::db::audit::Actor::system("t");
    assert!(roster::accounts::applications::create(&app.db, actor, input).await.is_ok());
    let res = http
        .request(reqwest::Method::OPTIONS, app.url("/oidc/token"))
        .header("Origin", "https://shop.example.com")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(cors_of(&res), None);
    // The console still refuses a POST from another origin.
    let res = http
        .post(app.url("/console/login"))
        .header("Origin", spa_origin)
        .form(&[("email", "a@b.c")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// The claims of an ID token (its signature is checked elsewhere).
fn id_token_claims(t: &serde_json::Value) -> serde_json::Value {
    use base64::Engine;
    let payload = t["id_token"].as_str().unwrap().split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[actix_web::test]
async fn prompt_login_and_max_age_ask_a_signed_in_customer_again_once() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let client = register(&app, "confidential").await;
    let browser = crate::helpers::client();
    let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[])).await;
    let first = id_token_claims(&exchange(&app, &client, &code).await.1)["auth_time"].as_i64();
    // A recent enough sign-in satisfies max_age: straight back with a code.
    let res = browser.get(authorize_url(&app, &client, &[("max_age", "3600")])).send().await;
    assert!(location(&res.unwrap()).starts_with(REDIRECT));
    for ask in [("prompt", "login"), ("max_age", "0")] {
        // auth_time counts seconds: let one pass so the new sign-in shows.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let res = browser.get(authorize_url(&app, &client, &[ask])).send().await.unwrap();
        let to = location(&res);
        assert!(to.starts_with("/myaccount/login?"), "{ask:?} asks again: {to}");
        let q = query_of(&to);
        assert_eq!(q["reauth"], "1");
        assert!(!q["next"].contains("prompt=") && !q["next"].contains("max_age="), "{q:?}");
        // The sign-in page, then back with a code (once: no loop), with a newer auth_time.
        let code = sign_in_through(&app, &browser, &authorize_url(&app, &client, &[ask])).await;
        let (status, t) = exchange(&app, &client, &code).await;
        assert_eq!(status, 200, "{t}");
        let now = id_token_claims(&t)["auth_time"].as_i64();
        assert!(now > first, "{ask:?}: {now:?} after {first:?}");
    }
}

/// Create an account's form, filled in and sent with the `next` it carried.
async fn register_from(
    app: &TestApp,
    browser: &reqwest::Client,
    form_page: &str,
    email: &str,
    next: &str,
) -> reqwest::Response {
    let form = [
        ("csrf_token", csrf_in(form_page)),
        ("email", email.into()),
        ("first_name", "Nia".into()),
        ("last_name", "Newman".into()),
        ("password", PASSWORD.into()),
        ("confirm", PASSWORD.into()),
        ("next", next.into()),
    ];
    browser.post(app.url("/myaccount/register")).form(&form).send().await.unwrap()
}

#[actix_web::test]
async fn a_newcomer_registers_from_the_applications_sign_in_and_goes_back_to_it() {
    let app = signed_in_app().await;
    let settings = "/console/settings/self-registration";
    let on = [("enabled", "on"), ("expiry_minutes", "1440")];
    assert_eq!(app.post_on(settings, settings, &on).await.status(), 303);
    let client = register(&app, "public").await;
    let browser = crate::helpers::client();
    let res = browser.get(authorize_url(&app, &client, &[])).send().await.unwrap();
    let (_, login) = get_with(&browser, &app.url(&location(&res))).await;
    // Create an account carries the application's request.
    let start = login.find("href=\"/myaccount/register?next=").expect("the link") + 6;
    let href = unescape(&login[start..start + login[start..].find('"').unwrap()]);
    let (_, form_page) = get_with(&browser, &app.url(&href)).await;
    let next = hidden_field(&form_page, "next");
    assert!(next.starts_with("/myaccount/authorize?"), "{next}");
    assert!(form_page.contains("href=\"/myaccount/login?next=%2Fmyaccount%2Fauthorize"));
    let res = register_from(&app, &browser, &form_page, "newcomer@example.com", &next).await;
    assert_eq!(res.status(), 200, "a page that moves on to the application");
    assert!(res.text().await.unwrap().contains("http-equiv=\"refresh\""));
    let res = browser.get(app.url(&next)).send().await.unwrap();
    let to = location(&res);
    assert!(to.starts_with(REDIRECT), "{to}");
    let (status, t) = exchange(&app, &client, &query_of(&to)["code"]).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(id_token_claims(&t)["email"], "newcomer@example.com");
    // Registered without verification: the application is told the address is unproven.
    assert_eq!(id_token_claims(&t)["email_verified"], false);
    let (_, info) = userinfo(&app, t["access_token"].as_str().unwrap()).await;
    assert_eq!(info["email_verified"], false);

    // With verification on, "check your email" keeps the way back for after the link.
    let on = [("enabled", "on"), ("verification", "on"), ("expiry_minutes", "1440")];
    assert_eq!(app.post_on(settings, settings, &on).await.status(), 303);
    let other = crate::helpers::client();
    let (_, form_page) = get_with(&other, &app.url(&href)).await;
    let res = register_from(&app, &other, &form_page, "second@example.com", &next).await;
    assert_eq!(res.status(), 303);
    let (_, pending) = get_with(&other, &app.url(&location(&res))).await;
    assert!(pending.contains("Check your email"), "{pending}");
    assert!(pending.contains("href=\"/myaccount/login?next=%2Fmyaccount%2Fauthorize"), "{pending}");
    // An outside `next` is dropped, never followed.
    let (_, page) =
        get_with(&other, &app.url("/myaccount/register?next=https%3A%2F%2Fevil.example")).await;
    assert!(!page.contains("evil.example"));
}
