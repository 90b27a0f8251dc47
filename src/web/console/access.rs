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
    /// The audit event a successful call records; `None` for what changes nothing (pages, and
    /// the POSTs that only render, such as a live policy checklist). Tests drive every POST
    /// here and look for its event, so a change that records nothing cannot be listed quietly.
    pub audits: Option<&'static str>,
}

const fn get(path: &'static str, need: Need) -> Rule {
    Rule { method: "GET", path, need, audits: None }
}

const fn post(path: &'static str, action: &'static str) -> Rule {
    Rule { method: "POST", path, need: Need::Manager, audits: Some(action) }
}

const fn post_owner(path: &'static str, action: &'static str) -> Rule {
    Rule { method: "POST", path, need: Need::Owner, audits: Some(action) }
}

/// A change to the administrator's own account: open to every role.
const fn post_own(path: &'static str, action: &'static str) -> Rule {
    Rule { method: "POST", path, need: Need::Viewer, audits: Some(action) }
}

/// A POST that only renders (the live policy checklist posts the form it sits in): it changes
/// nothing and records nothing.
const fn render(path: &'static str, need: Need) -> Rule {
    Rule { method: "POST", path, need, audits: None }
}

use Need::{Manager, Owner, Viewer};

/// Every route of the console behind sign-in.
pub const RULES: &[Rule] = &[
    get("/console/profile", Viewer),
    post_own("/console/profile", "administrator.updated"),
    post_own("/console/profile/password", "password.changed"),
    render("/console/profile/policy", Viewer),
    post_own("/console/profile/sessions/end-others", "session.terminated"),
    post_own("/console/profile/sessions/{handle}/end", "session.terminated"),
    get("/console/overview", Viewer),
    get("/console/users", Viewer),
    get("/console/users/new", Manager),
    post("/console/users/new", "customer.created"),
    render("/console/users/new/policy", Manager),
    get("/console/users/{id}", Viewer),
    post("/console/users/{id}", "customer.updated"),
    post("/console/users/{id}/invitation", "invitation.resent"),
    get("/console/users/{id}/groups", Viewer),
    post("/console/users/{id}/groups", "group.member_added"),
    post("/console/users/{id}/groups/{group_id}/remove", "group.member_removed"),
    get("/console/users/{id}/reset", Manager),
    post("/console/users/{id}/reset", "password.reset"),
    render("/console/users/{id}/reset/policy", Manager),
    get("/console/users/{id}/lock", Manager),
    post("/console/users/{id}/lock", "account.locked"),
    get("/console/users/{id}/unlock", Manager),
    post("/console/users/{id}/unlock", "account.unlocked"),
    get("/console/users/{id}/delete", Manager),
    post("/console/users/{id}/delete", "account.deleted"),
    get("/console/users/{id}/history", Viewer),
    get("/console/users/{id}/sessions", Viewer),
    post("/console/users/{id}/sessions/terminate-all", "session.terminated"),
    post("/console/users/{id}/sessions/{handle}/terminate", "session.terminated"),
    post("/console/users/{id}/applications/{grant}/terminate", "tokens.revoked"),
    get("/console/applications", Viewer),
    get("/console/applications/new", Manager),
    post("/console/applications/new", "application.created"),
    get("/console/applications/{id}", Viewer),
    post("/console/applications/{id}", "application.updated"),
    post("/console/applications/{id}/secret", "application.secret_regenerated"),
    get("/console/applications/{id}/delete", Manager),
    post("/console/applications/{id}/delete", "application.deleted"),
    get("/console/attributes", Viewer),
    get("/console/attributes/new", Manager),
    post("/console/attributes/new", "attribute.created"),
    get("/console/attributes/{id}", Viewer),
    post("/console/attributes/{id}", "attribute.updated"),
    get("/console/attributes/{id}/delete", Manager),
    post("/console/attributes/{id}/delete", "attribute.deleted"),
    get("/console/groups", Viewer),
    get("/console/groups/new", Manager),
    post("/console/groups/new", "group.created"),
    get("/console/groups/{id}", Viewer),
    post("/console/groups/{id}/rename", "group.renamed"),
    get("/console/groups/{id}/delete", Manager),
    post("/console/groups/{id}/delete", "group.deleted"),
    post("/console/groups/{id}/members", "group.member_added"),
    post("/console/groups/{id}/members/{account_id}/remove", "group.member_removed"),
    get("/console/settings/general", Viewer),
    post("/console/settings/general", "settings.general_updated"),
    get("/console/settings/password-policy", Viewer),
    post("/console/settings/password-policy", "settings.password_policy_updated"),
    get("/console/settings/self-registration", Viewer),
    post("/console/settings/self-registration", "settings.self_registration_updated"),
    get("/console/settings/links", Viewer),
    post("/console/settings/links", "settings.links_updated"),
    get("/console/settings/login-security", Viewer),
    post("/console/settings/login-security", "settings.login_security_updated"),
    get("/console/settings/signing-keys", Viewer),
    post("/console/settings/signing-keys/rotate", "signing_keys.rotated"),
    get("/console/settings/administrators", Viewer),
    get("/console/settings/administrators/invite", Manager),
    post("/console/settings/administrators/invite", "administrator.invited"),
    get("/console/settings/administrators/{id}", Viewer),
    post("/console/settings/administrators/{id}/role", "administrator.role_changed"),
    post("/console/settings/administrators/{id}/invitation", "administrator.invitation_resent"),
    post("/console/settings/administrators/{id}/revoke", "administrator.invitation_revoked"),
    get("/console/settings/administrators/{id}/remove", Manager),
    post("/console/settings/administrators/{id}/remove", "administrator.removed"),
    get("/console/settings/administrators/{id}/transfer", Owner),
    post_owner("/console/settings/administrators/{id}/transfer", "ownership.transferred"),
    get("/console/settings/audit-log", Viewer),
    get("/console/settings/audit-log/export.csv", Viewer),
    get("/console/settings/outbox", Viewer),
    get("/console/settings/outbox/{id}", Viewer),
    get("/console/settings/outbox/{id}/html", Viewer),
    post("/console/settings/outbox/{id}/resend", "email.resent"),
];

pub(crate) fn matches(pattern: &str, path: &str) -> bool {
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
    fn every_post_but_a_checklist_names_its_audit_event() {
        for r in RULES.iter().filter(|r| r.method == "POST") {
            assert_eq!(r.audits.is_none(), r.path.ends_with("/policy"), "{}", r.path);
        }
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
