//! Turning templates into responses, and the pieces every page's layout needs.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::db::accounts::AccountSummary;
use crate::error::AppError;

/// A request made by htmx that wants a fragment. History restores want the whole page.
pub fn is_htmx(req: &HttpRequest) -> bool {
    let h = |name: &str| req.headers().get(name).map(|v| v.as_bytes() == b"true").unwrap_or(false);
    h("hx-request") && !h("hx-history-restore-request")
}

pub fn html(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    let body = template.render().map_err(AppError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body))
}

/// After a successful POST: 303 to `location`; htmx gets `HX-Redirect` so the whole page moves.
pub fn see_other(req: &HttpRequest, location: &str) -> HttpResponse {
    redirect(is_htmx(req), location)
}

pub fn redirect(htmx: bool, location: &str) -> HttpResponse {
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    if htmx {
        HttpResponse::Ok().insert_header(("HX-Redirect", value)).finish()
    } else {
        HttpResponse::SeeOther().insert_header((header::LOCATION, value)).finish()
    }
}

/// The signed-in administrator as the layout shows them.
pub struct AdminView {
    pub name: String,
    pub initial: String,
    pub email: String,
    pub role: &'static str,
}

impl AdminView {
    pub fn of(account: &AccountSummary) -> Self {
        let name = account.display_name();
        Self {
            initial: name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default(),
            name,
            email: account.email.clone(),
            role: account.role().map(|r| r.label()).unwrap_or(""),
        }
    }
}

/// An entry of the console's navigation: the page's key (`Chrome::nav`), its label, its path.
pub struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
}

const fn item(key: &'static str, label: &'static str, href: &'static str) -> NavItem {
    NavItem { key, label, href }
}

/// The console's navigation, by section (the guide's Manage > Users first among its pages).
pub const NAVIGATION: &[(&str, &[NavItem])] = &[
    ("", &[item("overview", "Overview", "/console/overview")]),
    (
        "Manage",
        &[
            item("users", "Users", "/console/users"),
            item("groups", "Groups", "/console/groups"),
            item("attributes", "Attributes", "/console/attributes"),
            item("applications", "Applications", "/console/applications"),
        ],
    ),
    (
        "Settings",
        &[
            item("general", "General", "/console/settings/general"),
            item("administrators", "Administrators", "/console/settings/administrators"),
            item("password-policy", "Password policy", "/console/settings/password-policy"),
            item("login-security", "Login security", "/console/settings/login-security"),
            item("self-registration", "Self-registration", "/console/settings/self-registration"),
            item("links", "Links", "/console/settings/links"),
            item("signing-keys", "Signing keys", "/console/settings/signing-keys"),
            item("outbox", "Outbox", "/console/settings/outbox"),
            item("audit-log", "Audit log", "/console/settings/audit-log"),
        ],
    ),
];

/// What the console layout needs on every page.
pub struct Chrome {
    pub csrf: String,
    pub org_name: String,
    pub admin: AdminView,
    /// Which side-navigation entry is current.
    pub nav: &'static str,
}

impl Chrome {
    pub fn sections(&self) -> &'static [(&'static str, &'static [NavItem])] {
        NAVIGATION
    }

    /// The organization's initial, for its mark.
    pub fn org_initial(&self) -> String {
        self.org_name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or("R".into())
    }

    pub fn new(
        state: &super::AppState,
        session: &actix_session::Session,
        admin: &AccountSummary,
        nav: &'static str,
    ) -> Self {
        Self {
            csrf: super::csrf::session_token(session),
            org_name: state.org_name(),
            admin: AdminView::of(admin),
            nav,
        }
    }
}
