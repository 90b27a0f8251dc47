//! Every route that changes something, in two tables: the console's behind sign-in
//! (`console::access::RULES`, with the role each needs) and this one — sign-in and sign-out,
//! emailed links, My Account, first-run setup. Each entry names the audit event a successful
//! call records (`None`: it only renders, like a live policy checklist). A POST that neither
//! table names is refused before any handler runs, so a new change cannot ship unlisted, and
//! the tests drive every listed one and look for its event.
//!
//! A person can land on a change's address by a GET too: a reload after a form was shown
//! again with its errors, a bookmark, the return to it after signing in. Such a GET is sent
//! to the page above it (`/myaccount/profile` → `/myaccount`), never left on a 404.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;

use super::console::access::{self, matches};
use super::frame::Unrouted;
use super::render::{is_htmx, redirect};
use crate::error::AppError;

pub struct Change {
    /// The full path; `{name}` stands for one segment.
    pub path: &'static str,
    pub audits: Option<&'static str>,
}

const fn change(path: &'static str, action: &'static str) -> Change {
    Change { path, audits: Some(action) }
}

const fn render(path: &'static str) -> Change {
    Change { path, audits: None }
}

/// The POST routes outside the console's access table.
pub const PUBLIC: &[Change] = &[
    change("/setup/{token}", "owner.created"),
    change("/console/login", "signin.succeeded"),
    change("/console/logout", "signout"),
    change("/console/invitation/{token}", "invitation.accepted"),
    render("/console/invitation/{token}/policy"),
    change("/myaccount/login", "signin.succeeded"),
    change("/myaccount/logout", "signout"),
    render("/myaccount/policy"),
    change("/myaccount/forgot-password", "password_recovery.requested"),
    change("/myaccount/register", "customer.registered"),
    change("/myaccount/register/resend", "verification.resent"),
    change("/myaccount/verify/{token}", "customer.verified"),
    change("/myaccount/invitation/{token}", "invitation.accepted"),
    change("/myaccount/reset/{token}", "password_reset.completed"),
    change("/myaccount/recover/{token}", "password.recovered"),
    change("/myaccount/profile", "customer.updated"),
    change("/myaccount/password", "password.changed"),
    change("/myaccount/security/password", "password.changed"),
    render("/myaccount/security/policy"),
    change("/myaccount/security/sessions/end-others", "session.terminated"),
    change("/myaccount/security/sessions/{handle}/end", "session.terminated"),
    change("/myaccount/end-session", "signout"),
    change("/oidc/token", "application.tokens_issued"),
    render("/oidc/userinfo"),
    change("/oidc/revoke", "tokens.revoked"),
];

const UNLISTED: AppError = AppError::Forbidden("This action is not open to anyone.");

/// Whether a request may reach the router: reads always (an unknown page is the router's 404),
/// changes only when a table names them.
pub fn listed(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        || (*method == Method::POST && PUBLIC.iter().any(|c| matches(c.path, path)))
        || access::rule_for(method, path).is_some()
}

/// Whether `path` is the address of a listed change (a POST).
fn is_change(path: &str) -> bool {
    PUBLIC.iter().any(|c| matches(c.path, path)) || access::rule_for(&Method::POST, path).is_some()
}

/// The nearest address above `path` that the router serves (the page whose form posts to it).
fn page_above(req: &ServiceRequest, path: &str) -> String {
    let mut at = path.trim_end_matches('/');
    while let Some(cut) = at.rfind('/') {
        at = &at[..cut];
        if at.is_empty() {
            break;
        }
        if req.resource_map().has_resource(at) {
            return at.to_owned();
        }
    }
    "/".to_owned()
}

fn unrouted(res: &ServiceResponse<BoxBody>) -> bool {
    match res.status() {
        StatusCode::METHOD_NOT_ALLOWED => true,
        StatusCode::NOT_FOUND => res.request().extensions().get::<Unrouted>().is_some(),
        _ => false,
    }
}

pub async fn only_listed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !listed(req.method(), req.path()) {
        return Ok(req.error_response(UNLISTED));
    }
    let landing = matches!(*req.method(), Method::GET | Method::HEAD) && is_change(req.path());
    let above = landing.then(|| page_above(&req, req.path()));
    let res = next.call(req).await?.map_into_boxed_body();
    match above {
        // No route took the GET: the address takes only POST (a handler's own 404 stays).
        Some(page) if unrouted(&res) => {
            let htmx = is_htmx(res.request());
            Ok(res.into_response(redirect(htmx, &page)))
        }
        _ => Ok(res),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_listed_once_and_reads_always_pass() {
        assert!(listed(&Method::POST, "/myaccount/reset/abc"));
        assert!(listed(&Method::POST, "/console/users/x/lock"));
        assert!(!listed(&Method::POST, "/myaccount/nope"));
        assert!(!listed(&Method::DELETE, "/console/users/x"));
        assert!(listed(&Method::GET, "/anything"));
        for c in PUBLIC {
            assert!(access::RULES.iter().all(|r| !matches(r.path, c.path)), "{}", c.path);
        }
    }
}
