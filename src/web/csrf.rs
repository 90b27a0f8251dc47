//! CSRF: one random token per session, sent back in every form (`csrf_token` field) and by htmx
//! (`X-CSRF-Token` header, set once on `<body>`), checked on every state-changing request of a
//! session scope. The field is removed from the body after the check, so handlers' forms bind
//! only their own fields (`deny_unknown_fields`).

use actix_session::{Session, SessionExt};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use crate::domain::token::{random_token, secrets_equal};
use crate::error::AppError;

const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(SESSION_KEY) {
        return t;
    }
    let t = random_token();
    let _ = session.insert(SESSION_KEY, &t);
    t
}

/// A fresh token, e.g. when the session is renewed at sign-in.
pub fn rotate(session: &Session) -> String {
    let t = random_token();
    let _ = session.insert(SESSION_KEY, &t);
    t
}

const REFUSED: AppError = AppError::Forbidden(
    "The form has expired or did not come from this site. Reload the page and try again.",
);

pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let expected = req.get_session().get::<String>(SESSION_KEY).ok().flatten();
    // Refusals are responses, not errors, so the session layer around us still runs.
    let Some(expected) = expected else { return Ok(req.error_response(REFUSED)) };

    let from_header = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    // A form body loses its token field whether or not the header also carried one (htmx sends
    // both), so handlers never see it.
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
    let sent = from_header.or(from_field);
    match sent {
        Some(sent) if secrets_equal(&sent, &expected) => {
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        _ => Ok(req.error_response(REFUSED)),
    }
}
