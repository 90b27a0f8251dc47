//! The frame around every request: a request id, the Origin / Sec-Fetch-Site check on
//! state-changing requests, error pages (404/403/422/500…) that show the request id and never
//! internals, and the security headers on every response, errors included.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use rand::RngCore;

use super::render::{is_htmx, redirect};
use super::{State, urls};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default()
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Where an error page leads back to: the area the address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Console,
    MyAccount,
    /// An address of neither (a mistyped one): both are offered.
    Neither,
}

impl Area {
    fn of(path: &str) -> Self {
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        if under(urls::MYACCOUNT) {
            Self::MyAccount
        } else if under(urls::CONSOLE) || under(urls::SETUP) {
            Self::Console
        } else {
            Self::Neither
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    request_id: &'a str,
    area: Area,
}

#[derive(Template)]
#[template(path = "error.html", block = "error")]
struct ErrorFragment<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    request_id: &'a str,
}

fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        403 => "Not allowed",
        404 => "Not found",
        405 => "Not allowed",
        413 => "Too large",
        422 => "Check the form",
        429 => "Too many attempts",
        _ if status.is_server_error() => "Something went wrong",
        _ => "Request refused",
    }
}

fn message_for(err: &actix_web::Error, status: StatusCode) -> &'static str {
    if let Some(app) = err.as_error::<AppError>() {
        return app.public_message();
    }
    match status.as_u16() {
        400 => "The request could not be understood. Reload the page and try again.",
        404 => AppError::NotFound.public_message(),
        405 => "This address does not accept that kind of request.",
        413 => "The request was too large.",
        _ if status.is_server_error() => AppError::Internal(anyhow::anyhow!("")).public_message(),
        _ => "The request was refused.",
    }
}

/// What the error page needs to know of the request (taken before the request moves on).
struct RequestFacts {
    id: String,
    path: String,
    htmx: bool,
    /// Where a signed-out GET was going, to return there after sign-in.
    going_to: Option<String>,
}

/// Renders the error page (or, for htmx, just its box) for an error response.
fn error_page(facts: &RequestFacts, err: &actix_web::Error, status: StatusCode) -> HttpResponse {
    let id = &facts.id;
    if status.is_server_error() {
        tracing::error!(request_id = %id, path = %facts.path, error = %err, "request failed");
    } else {
        tracing::info!(request_id = %id, path = %facts.path, status = status.as_u16(), error = %err, "request refused");
    }
    if matches!(err.as_error::<AppError>(), Some(AppError::Unauthenticated)) {
        let login = if facts.path.starts_with(urls::MYACCOUNT) {
            urls::MYACCOUNT_LOGIN
        } else {
            urls::CONSOLE_LOGIN
        };
        let to = match &facts.going_to {
            Some(next) => format!(
                "{login}?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
            ),
            None => login.to_owned(),
        };
        return redirect(facts.htmx, &to);
    }
    let (title, message) = (title_for(status), message_for(err, status));
    let body = if facts.htmx {
        ErrorFragment { status: status.as_u16(), title, message, request_id: id }.render()
    } else {
        let area = Area::of(&facts.path);
        ErrorPage { status: status.as_u16(), title, message, request_id: id, area }.render()
    };
    match body {
        Ok(html) => HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html),
        Err(_) => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(format!("{title}. Request id: {id}")),
    }
}

/// A path for the logs, without the tokens some paths carry (invitation links, setup).
fn redact_tokens(path: &str) -> String {
    path.split('/')
        // Tokens are 43 characters; ids (UUIDs) 36 and kept.
        .map(|segment| if segment.len() >= 40 { "[token]" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state-changing request must come from our own pages: its `Origin`, when sent, is the base
/// URL's origin; otherwise its `Sec-Fetch-Site`, when sent, says same-origin (or none: typed
/// by the user). Clients that send neither (curl, scripts) still need the CSRF token.
fn origin_allowed(req: &ServiceRequest, origin: &str) -> bool {
    if let Some(sent) = req.headers().get(header::ORIGIN) {
        return sent.as_bytes() == origin.as_bytes();
    }
    match req.headers().get("sec-fetch-site").map(|v| v.as_bytes()) {
        Some(b"same-origin") | Some(b"none") | None => true,
        Some(_) => false,
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy for an email's HTML shown inside the console (Settings > Outbox > Preview): a
/// sandbox (no script, no forms, an opaque origin), inline styles as emails have them, nothing
/// fetched, and framable only by the console itself.
pub const EMAIL_PREVIEW_CSP: &str =
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

fn set_security_headers(res: &mut HttpResponse, is_static: bool, https: bool) {
    let h = res.headers_mut();
    // Only the email preview sets its own (stricter) policy; every other response gets ours.
    let framable = h
        .get(header::CONTENT_SECURITY_POLICY)
        .is_some_and(|v| v.as_bytes() == EMAIL_PREVIEW_CSP.as_bytes());
    // Public metadata (the provider's keys) says how long it may be cached; pages do not.
    let public_cache =
        h.get(header::CACHE_CONTROL).is_some_and(|v| v.as_bytes().starts_with(b"public"));
    let mut set = |name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    if framable {
        set(header::X_FRAME_OPTIONS, "SAMEORIGIN");
    } else {
        set(header::CONTENT_SECURITY_POLICY, CSP);
        set(header::X_FRAME_OPTIONS, "DENY");
    }
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    if https {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    if is_static {
        set(header::CACHE_CONTROL, "public, max-age=300");
    } else if !public_cache {
        // Pages carry customers' data and CSRF tokens: never keep them in any cache.
        set(header::CACHE_CONTROL, "no-store");
    }
}

pub async fn frame(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let facts = RequestFacts {
        id: new_request_id(),
        path: redact_tokens(req.path()),
        htmx: is_htmx(req.request()),
        going_to: (req.method() == Method::GET && !is_htmx(req.request()))
            .then(|| req.uri().path_and_query().map(|p| p.as_str().to_owned()))
            .flatten()
            .filter(|p| !urls::is_area_home(p)),
    };
    req.extensions_mut().insert(RequestId(facts.id.clone()));
    let is_static = facts.path.starts_with(urls::STATIC);
    let state = req.app_data::<State>();
    let https = state.is_some_and(|s| s.base_url.starts_with("https://"));
    // The provider's API takes no cookie, so no forgery to guard against (see `cors`).
    let refused = !is_safe(req.method())
        && !super::cors::is_provider_api(req.path())
        && !origin_allowed(&req, state.map(|s| s.origin.as_str()).unwrap_or(""));

    let outcome = if refused {
        let err = AppError::Forbidden(
            "This request came from another site and was refused. Open the console at its \
             configured address (the base URL Roster printed at start).",
        );
        Ok(req.error_response(err))
    } else {
        next.call(req).await.map(ServiceResponse::map_into_boxed_body)
    };

    match outcome {
        Ok(res) => {
            let mut res = match res.response().error() {
                Some(err) => {
                    let page = error_page(&facts, err, res.status());
                    let (http_req, _) = res.into_parts();
                    ServiceResponse::new(http_req, page)
                }
                None => res,
            };
            finish(res.response_mut(), &facts, is_static, https);
            Ok(res)
        }
        // An error from a middleware carries no request to build a response with; hand the
        // server a ready response inside the error instead.
        Err(err) => {
            let status = err.as_response_error().status_code();
            let mut page = error_page(&facts, &err, status);
            finish(&mut page, &facts, is_static, https);
            Err(actix_web::error::InternalError::from_response(err.to_string(), page).into())
        }
    }
}

fn finish(res: &mut HttpResponse, facts: &RequestFacts, is_static: bool, https: bool) {
    set_security_headers(res, is_static, https);
    if let Ok(v) = HeaderValue::from_str(&facts.id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
}

/// Marks a request that no route took (as opposed to a handler's own 404, such as a used
/// link's): `changes` sends such a GET of a change's address to the page above it.
pub struct Unrouted;

pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    req.extensions_mut().insert(Unrouted);
    Err(AppError::NotFound)
}

/// Bad form or query input that our own pages never send (an unknown field, a wrong type).
pub fn form_error(err: actix_web::error::UrlencodedError, _req: &HttpRequest) -> actix_web::Error {
    tracing::info!(error = %err, "form refused");
    AppError::BadRequest("The form had fields we did not expect. Reload the page and try again.")
        .into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    tracing::info!(error = %err, "query refused");
    AppError::BadRequest("The address had parameters we did not expect.").into()
}

pub fn configure_extractors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::FormConfig::default().limit(64 * 1024).error_handler(form_error))
        .app_data(web::QueryConfig::default().error_handler(query_error));
}

#[cfg(test)]
mod tests {
    use super::redact_tokens;

    #[test]
    fn tokens_in_paths_stay_out_of_the_logs_and_ids_stay_in() {
        let token = "A".repeat(43);
        assert_eq!(
            redact_tokens(&format!("/myaccount/invitation/{token}")),
            "/myaccount/invitation/[token]"
        );
        let id = "01a21c51-66f9-7094-a8fb-7ad82ca9ebf5";
        assert_eq!(redact_tokens(&format!("/console/users/{id}")), format!("/console/users/{id}"));
    }
}
