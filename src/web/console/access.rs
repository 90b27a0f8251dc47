//! Who may call which console route, in one table, checked before any handler runs (after
//! `require_admin` has found the administrator). Viewers read; owners and administrators also
//! change. A state-changing route missing from the table is refused to everyone, so a new route
//! cannot ship unguarded: its own tests fail until it is listed here.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

use crate::domain::account::Role;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;

/// The least an administrator must be to call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any administrator, viewers included: pages that only show.
    Viewer,
    /// Owners and administrators: every change, and the forms that lead to one.
    Manager,
    /// The owner alone: handing the ownership over.
    Owner,
}

pub struct Rule {
    pub method: &'static str,
    /// The full path; `{name}` stands for one segment.
    pub path: &'static str,
    pub need: Need,
}

const fn get(path: &'static str, need: Need) -> Rule {
    Rule { method: "GET", path, need }
}

const fn post(path: &'static str) -> Rule {
    Rule { method: "POST", path, need: Need::Manager }
}

const fn post_owner(path: &'static str) -> Rule {
    Rule { method: "POST", path, need: Need::Owner }
}

/// A change to the administrator's own account: open to every role.
const fn post_own(path: &'static str) -> Rule {
    Rule { method: "POST", path, need: Need::Viewer }
}

use Need::{Manager, Owner, Viewer};

/// Every route of the console behind sign-in.
pub const RULES: &[Rule] = &[
    get("/console/profile", Viewer),
    post_own("/console/profile"),
    post_own("/console/profile/password"),
    post_own("/console/profile/policy"),
    post_own("/console/profile/sessions/end-others"),
    post_own("/console/profile/sessions/{handle}/end"),
    get("/console/users", Viewer),
    get("/console/users/new", Manager),
    post("/console/users/new"),
    post("/console/users/new/policy"),
    get("/console/users/{id}", Viewer),
    post("/console/users/{id}"),
    get("/console/users/{id}/invitation", Viewer),
    post("/console/users/{id}/invitation"),
    get("/console/users/{id}/groups", Viewer),
    post("/console/users/{id}/groups"),
    post("/console/users/{id}/groups/{group_id}/remove"),
    get("/console/users/{id}/reset", Manager),
    post("/console/users/{id}/reset"),
    post("/console/users/{id}/reset/policy"),
    get("/console/users/{id}/lock", Manager),
    post("/console/users/{id}/lock"),
    get("/console/users/{id}/unlock", Manager),
    post("/console/users/{id}/unlock"),
    get("/console/users/{id}/delete", Manager),
    post("/console/users/{id}/delete"),
    get("/console/users/{id}/history", Viewer),
    get("/console/users/{id}/sessions", Viewer),
    post("/console/users/{id}/sessions/terminate-all"),
    post("/console/users/{id}/sessions/{handle}/terminate"),
    get("/console/attributes", Viewer),
    get("/console/attributes/new", Manager),
    post("/console/attributes/new"),
    get("/console/attributes/{id}", Viewer),
    post("/console/attributes/{id}"),
    get("/console/attributes/{id}/delete", Manager),
    post("/console/attributes/{id}/delete"),
    get("/console/groups", Viewer),
    get("/console/groups/new", Manager),
    post("/console/groups/new"),
    get("/console/groups/{id}", Viewer),
    post("/console/groups/{id}/rename"),
    get("/console/groups/{id}/delete", Manager),
    post("/console/groups/{id}/delete"),
    post("/console/groups/{id}/members"),
    post("/console/groups/{id}/members/{account_id}/remove"),
    get("/console/settings/general", Viewer),
    post("/console/settings/general"),
    get("/console/settings/password-policy", Viewer),
    post("/console/settings/password-policy"),
    get("/console/settings/self-registration", Viewer),
    post("/console/settings/self-registration"),
    get("/console/settings/links", Viewer),
    post("/console/settings/links"),
    get("/console/settings/login-security", Viewer),
    post("/console/settings/login-security"),
    get("/console/settings/administrators", Viewer),
    get("/console/settings/administrators/invite", Manager),
    post("/console/settings/administrators/invite"),
    get("/console/settings/administrators/{id}", Viewer),
    post("/console/settings/administrators/{id}/role"),
    post("/console/settings/administrators/{id}/invitation"),
    post("/console/settings/administrators/{id}/revoke"),
    get("/console/settings/administrators/{id}/remove", Manager),
    post("/console/settings/administrators/{id}/remove"),
    get("/console/settings/administrators/{id}/transfer", Owner),
    post_owner("/console/settings/administrators/{id}/transfer"),
    get("/console/settings/audit-log", Viewer),
    get("/console/settings/audit-log/export.csv", Viewer),
    get("/console/settings/outbox", Viewer),
    get("/console/settings/outbox/{id}", Viewer),
    get("/console/settings/outbox/{id}/html", Viewer),
    post("/console/settings/outbox/{id}/resend"),
];

fn matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut q) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with('{') && !got.is_empty() => {}
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

/// The rule for a request; HEAD is answered like GET.
pub fn rule_for(method: &Method, path: &str) -> Option<&'static Rule> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    RULES.iter().find(|r| r.method == method && matches(r.path, path))
}

pub use crate::accounts::administrators::{OWNER_ONLY, VIEWERS_REFUSED};
const UNLISTED: AppError = AppError::Forbidden("This action is not open to anyone.");

/// May `admin` call it? A page no rule names (a GET) goes on to the router, which answers 404;
/// a change no rule names is refused.
pub fn allowed(admin: &CurrentAdmin, method: &Method, path: &str) -> Result<(), AppError> {
    match rule_for(method, path) {
        Some(rule) if rule.need == Need::Manager && !admin.can_manage_customers() => {
            Err(VIEWERS_REFUSED)
        }
        Some(rule) if rule.need == Need::Owner && admin.role() != Some(Role::Owner) => {
            Err(OWNER_ONLY)
        }
        Some(_) => Ok(()),
        None if matches!(*method, Method::GET | Method::HEAD) => Ok(()),
        None => Err(UNLISTED),
    }
}

pub async fn authorize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let admin = req.extensions().get::<CurrentAdmin>().cloned();
    let verdict = match admin {
        Some(admin) => allowed(&admin, req.method(), req.path()),
        None => Err(AppError::Unauthenticated),
    };
    match verdict {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(e) => Ok(req.error_response(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_segment_per_name() {
        assert!(matches("/console/users/{id}", "/console/users/abc"));
        assert!(!matches("/console/users/{id}", "/console/users/abc/lock"));
        assert!(!matches("/console/users/{id}", "/console/users/"));
        assert!(matches(
            "/console/users/{id}/sessions/{h}/terminate",
            "/console/users/a/sessions/b/terminate"
        ));
        assert_eq!(
            rule_for(&Method::POST, "/console/users/x/lock").map(|r| r.need),
            Some(Need::Manager)
        );
        assert_eq!(rule_for(&Method::HEAD, "/console/users").map(|r| r.need), Some(Need::Viewer));
        assert!(rule_for(&Method::POST, "/console/users/x/nope").is_none());
    }

    #[test]
    fn every_change_needs_a_manager_but_to_ones_own_profile() {
        let changes = RULES.iter().filter(|r| r.method != "GET");
        assert!(
            changes
                .filter(|r| !r.path.starts_with("/console/profile"))
                .all(|r| r.need != Need::Viewer)
        );
    }
}
