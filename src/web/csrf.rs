//! CSRF. A signed-in session has one random token, sent back in every form (`csrf_token`
//! field) and by htmx (`X-CSRF-Token` header, set once on `<body>`). Pages anyone may open
//! (sign-in, invitation and reset links) keep nothing on the server before a sign-in: their
//! token is stateless — a random value in a short-lived cookie, and the form carries
//! `<issued>.<HMAC(key, value, issued)>` under a key derived from the session secret. Both are
//! checked on every state-changing request of a session scope (with the frame's Origin rule).
//! The field is removed from the body after the check, so handlers' forms bind only their own
//! fields (`deny_unknown_fields`).

use actix_session::{Session, SessionExt};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::State;
use crate::domain::token::{hmac_sha256, random_token, secrets_equal};
use crate::error::AppError;

const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// The cookie holding the random value of stateless tokens.
pub const COOKIE: &str = "roster_csrf";
/// How long a stateless token (and its cookie) is good for: a sign-in page left open longer
/// asks to be reloaded.
const STATELESS_LIFETIME_S: i64 = 2 * 60 * 60;

/// The key stateless tokens are signed with.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    pub fn derive(server_secret: &[u8]) -> Self {
        Self(hmac_sha256(server_secret, b"roster csrf tokens v1"))
    }

    fn sign(&self, value: &str, issued: i64) -> String {
        URL_SAFE_NO_PAD.encode(hmac_sha256(&self.0, format!("{value}|{issued}").as_bytes()))
    }

    fn issue(&self, value: &str, now: i64) -> String {
        format!("{now}.{}", self.sign(value, now))
    }

    /// True when `token` was issued for `value` less than the lifetime ago.
    fn verify(&self, token: &str, value: &str, now: i64) -> bool {
        let Some((issued, _)) = token.split_once('.') else { return false };
        let Ok(issued) = issued.parse::<i64>() else { return false };
        let fresh = issued <= now + 60 && now - issued < STATELESS_LIFETIME_S;
        fresh && secrets_equal(token, &self.issue(value, issued))
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The signed-in session's token (created at sign-in by `rotate`, or here on first use).
pub fn session_token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(SESSION_KEY) {
        return t;
    }
    rotate(session)
}

/// A fresh token, e.g. when the session is renewed at sign-in.
pub fn rotate(session: &Session) -> String {
    let t = random_token();
    let _ = session.insert(SESSION_KEY, &t);
    t
}

/// The value of the stateless cookie this response (re)sets.
#[derive(Clone)]
struct Issued(String);

/// The token for a form on a page anyone may open: the session's when there is a signed-in
/// session, otherwise a stateless one (nothing is written to the session store).
pub fn token(req: &HttpRequest) -> String {
    if let Ok(Some(t)) = req.get_session().get::<String>(SESSION_KEY) {
        return t;
    }
    let Some(state) = req.app_data::<State>() else { return String::new() };
    let existing = req.extensions().get::<Issued>().map(|i| i.0.clone());
    let value = existing
        .or_else(|| req.cookie(COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 43))
        .unwrap_or_else(random_token);
    req.extensions_mut().insert(Issued(value.clone()));
    state.csrf_key.issue(&value, unix_now())
}

fn cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        // Lax, not Strict: a customer arriving from an emailed link must keep the cookie the
        // link's page set; cross-site POSTs still never carry it.
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(STATELESS_LIFETIME_S))
        .finish()
}

const REFUSED: AppError = AppError::Forbidden(
    "The form has expired or did not come from this site. Reload the page and try again.",
);

/// Whether `sent` is the token the request's session or stateless cookie expects.
fn accepted(req: &ServiceRequest, sent: &str) -> bool {
    if let Ok(Some(expected)) = req.get_session().get::<String>(SESSION_KEY) {
        return secrets_equal(sent, &expected);
    }
    let (Some(state), Some(value)) = (req.app_data::<State>(), req.cookie(COOKIE)) else {
        return false;
    };
    state.csrf_key.verify(sent, value.value(), unix_now())
}

pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let from_header =
            req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        // A form body loses its token field whether or not the header also carried one (htmx
        // sends both), so handlers never see it.
        let from_field = if is_form {
            let body = req.extract::<Bytes>().await?;
            let Ok(mut pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
                return Ok(req.error_response(REFUSED));
            };
            let field = pairs.iter().position(|(k, _)| k == FIELD).map(|i| pairs.remove(i).1);
            let rebuilt = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            req.set_payload(Payload::from(Bytes::from(rebuilt)));
            field
        } else {
            None
        };
        // Refusals are responses, not errors, so the session layer around us still runs.
        match from_header.or(from_field) {
            Some(sent) if accepted(&req, &sent) => {}
            _ => return Ok(req.error_response(REFUSED)),
        }
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let issued = res.request().extensions().get::<Issued>().cloned();
    if let Some(Issued(value)) = issued {
        let secure =
            res.request().app_data::<State>().is_some_and(|s| s.base_url.starts_with("https://"));
        res.response_mut().add_cookie(&cookie(value, secure))?;
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stateless_tokens_hold_for_their_value_and_lifetime_only() {
        let key = CsrfKey::derive(b"server secret");
        let value = random_token();
        let token = key.issue(&value, 1_000_000);
        assert!(key.verify(&token, &value, 1_000_000 + 60));
        assert!(!key.verify(&token, &random_token(), 1_000_000), "another browser's cookie");
        assert!(!key.verify(&token, &value, 1_000_000 + STATELESS_LIFETIME_S), "expired");
        assert!(!key.verify(&token, &value, 1_000_000 - 120), "issued in the future");
        assert!(!CsrfKey::derive(b"other secret").verify(&token, &value, 1_000_000));
        let forged = format!("1000001.{}", token.split_once('.').unwrap().1);
        assert!(!key.verify(&forged, &value, 1_000_001), "the time is signed too");
        assert!(!key.verify("garbage", &value, 1_000_000));
    }
}
