//! The provider's authorization endpoint, free of HTTP: checking an application's request
//! (client, exact redirect URI, `code` only, `openid` scope, PKCE S256, `prompt`, `max_age`)
//! and issuing a single-use, short-lived code for a signed-in customer. Until the redirect URI
//! is known to be registered, errors are shown on our page (`Refused`), never sent anywhere;
//! after, they go back to the application as RFC 6749 errors (`Back`).

use chrono::Duration;
use serde_json::json;

use crate::db::applications::{self, Application};
use crate::db::audit::{self, Actor};
use crate::db::grants::{self, Code};
use crate::db::ids::{AccountId, PublicId};
use crate::db::{Db, new_id, now};
use crate::domain::application::ClientType;
use crate::domain::clock::At;
use crate::domain::oidc::granted_scope;
use crate::domain::token::{hash_token, random_token};
use crate::error::AppError;

/// How long a code may wait for its exchange.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);

/// The request's parameters as sent (unknown ones are ignored, as OpenID Connect requires).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AuthorizationRequest {
    pub response_type: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
}

/// A request that may proceed.
#[derive(Debug, Clone)]
pub struct Valid {
    pub app: Application,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub challenge: Option<String>,
    /// `prompt=none`: answer without showing anything.
    pub silent: bool,
    /// `prompt=login`: the customer must sign in again.
    pub fresh_login: bool,
    pub max_age: Option<i64>,
}

impl Valid {
    /// Must the customer (signed in at `auth_time`, if at all) sign in again first?
    pub fn needs_sign_in(&self, auth_time: Option<At>, at: At) -> bool {
        match auth_time {
            None => true,
            Some(t) => {
                self.fresh_login || self.max_age.is_some_and(|max| (at - t).num_seconds() > max)
            }
        }
    }
}

pub enum Checked {
    /// Shown on our page: no redirect to an address we cannot trust.
    Refused(&'static str),
    /// Sent back to the application's redirect URI.
    Back(String),
    Valid(Box<Valid>),
}

/// `redirect_uri` with `params` added to its query (it may have one already).
pub fn with_params(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

/// An RFC 6749 error for the application, with `state` and the issuer (RFC 9207).
pub fn error_back(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
    issuer: &str,
) -> String {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    params.push(("iss", issuer));
    with_params(redirect_uri, &params)
}

pub const NO_CLIENT: &str = "The application did not say which application it is (client_id).";
pub const UNKNOWN_CLIENT: &str = "This application is not registered here.";
pub const BAD_REDIRECT: &str = "The address this application asked to return to is not registered for it, so you were not sent there.";

pub async fn check(db: &Db, issuer: &str, req: &AuthorizationRequest) -> Result<Checked, AppError> {
    if req.client_id.is_empty() {
        return Ok(Checked::Refused(NO_CLIENT));
    }
    let client_id = req.client_id.clone();
    let Some(app) = db.run(move |c| Ok(applications::find_by_client_id(c, &client_id)?)).await?
    else {
        return Ok(Checked::Refused(UNKNOWN_CLIENT));
    };
    if req.redirect_uri.is_empty() || !app.redirect_uris().contains(&req.redirect_uri) {
        return Ok(Checked::Refused(BAD_REDIRECT));
    }
    let state = req.state.as_deref();
    let back = |error: &str, description: &str| {
        Ok(Checked::Back(error_back(&req.redirect_uri, error, description, state, issuer)))
    };
    if req.response_type != "code" {
        return back(
            "unsupported_response_type",
            "Only the authorization code flow (response_type=code) is supported.",
        );
    }
    let Some(scope) = granted_scope(&req.scope, &app.claims()) else {
        return back("invalid_scope", "The scope must include openid.");
    };
    let challenge = req.code_challenge.clone().filter(|c| !c.is_empty());
    match (&challenge, req.code_challenge_method.as_deref()) {
        (Some(_), Some("S256")) => {}
        (Some(_), _) => {
            return back("invalid_request", "Only the S256 code challenge method is supported.");
        }
        (None, _) if app.client_type() == Some(ClientType::Public) => {
            return back(
                "invalid_request",
                "This application must use PKCE (code_challenge with S256).",
            );
        }
        (None, _) => {}
    }
    if challenge.as_ref().is_some_and(|c| {
        c.len() != 43 || !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return back("invalid_request", "The code challenge is not an S256 value.");
    }
    let prompts: Vec<&str> =
        req.prompt.as_deref().unwrap_or("").split(' ').filter(|p| !p.is_empty()).collect();
    let silent = prompts.contains(&"none");
    if silent && prompts.len() > 1 {
        return back("invalid_request", "prompt=none cannot be combined with other values.");
    }
    let max_age = match req.max_age.as_deref().filter(|m| !m.is_empty()) {
        None => None,
        Some(m) => match m.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => return back("invalid_request", "max_age must be a number of seconds."),
        },
    };
    Ok(Checked::Valid(Box::new(Valid {
        redirect_uri: req.redirect_uri.clone(),
        scope,
        state: req.state.clone(),
        nonce: req.nonce.clone().filter(|n| !n.is_empty()),
        challenge,
        silent,
        fresh_login: prompts.contains(&"login") || prompts.contains(&"select_account"),
        max_age,
        app,
    })))
}

/// The customer who is signing in.
pub struct Customer<'a> {
    pub id: AccountId,
    pub public_id: PublicId,
    pub email: &'a str,
    pub name: &'a str,
    pub auth_time: At,
    pub ip: &'a str,
}

/// A code for the signed-in customer, recorded as their sign-in to the application; returns
/// the address to send the browser back to.
pub async fn issue_code(
    db: &Db,
    issuer: &str,
    valid: &Valid,
    who: Customer<'_>,
) -> Result<String, AppError> {
    let code = random_token();
    let at = now();
    let row = Code {
        code_hash: hash_token(&code),
        grant_id: new_id(),
        application_id: valid.app.id,
        account_id: who.id,
        redirect_uri: valid.redirect_uri.clone(),
        scope: valid.scope.clone(),
        nonce: valid.nonce.clone(),
        code_challenge: valid.challenge.clone(),
        auth_time: who.auth_time,
        created_at: at,
        expires_at: at + CODE_LIFETIME,
        used_at: None,
    };
    let actor = Actor::account(who.id, who.public_id, who.email, who.ip).named(who.name);
    let (subject, email) = (who.public_id.to_string(), who.email.to_owned());
    let details = json!({ "application": valid.app.name, "client_id": valid.app.client_id });
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            grants::insert_code(conn, &row)?;
            audit::record(conn, &actor, "application.signed_in", Some((&subject, &email)), details)
        })
        .map_err(AppError::from)
    })
    .await?;
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = valid.state.as_deref() {
        params.push(("state", s));
    }
    params.push(("iss", issuer));
    Ok(with_params(&valid.redirect_uri, &params))
}

/// RP-initiated logout: where to send the browser afterwards — `uri` only when it is one of the
/// post-logout redirect URIs registered for the application named by `client_id` or by the
/// audience of `id_token_hint` (read, not trusted: it only picks whose list to look in).
pub async fn post_logout_target(
    db: &Db,
    client_id: Option<&str>,
    id_token_hint: Option<&str>,
    uri: Option<&str>,
) -> Result<Option<String>, AppError> {
    let Some(uri) = uri.filter(|u| !u.is_empty()) else { return Ok(None) };
    let client = client_id
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .or_else(|| id_token_hint.and_then(audience_of));
    let Some(client) = client else { return Ok(None) };
    let app = db.run(move |c| Ok(applications::find_by_client_id(c, &client)?)).await?;
    Ok(app
        .filter(|a| a.post_logout_redirect_uris().iter().any(|u| u == uri))
        .map(|_| uri.to_owned()))
}

/// The `aud` of a JWT's payload (the first one, when it is a list).
fn audience_of(jwt: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match &claims["aud"] {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first()?.as_str().map(str::to_owned),
        _ => None,
    }
}
