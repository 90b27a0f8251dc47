//! What every My Account page shows around its content: the organization's name, who is
//! signed in (with Sign out) and, for signed-in pages, the tabs.

use actix_session::Session;
use actix_web::HttpRequest;

use crate::web::auth::CurrentCustomer;
use crate::web::{State, csrf};

pub struct AccountChrome {
    pub csrf: String,
    pub who: Option<String>,
    pub org_name: String,
    /// The current tab: "profile", "security" or "data"; empty on pages without tabs.
    pub nav: &'static str,
}

impl AccountChrome {
    pub fn signed_in(
        state: &State,
        session: &Session,
        customer: &CurrentCustomer,
        nav: &'static str,
    ) -> Self {
        Self {
            csrf: csrf::session_token(session),
            who: Some(customer.email.clone()),
            org_name: state.org_name(),
            nav,
        }
    }

    /// For pages anyone may open (links, forgot password, registration).
    pub fn anonymous(state: &State, req: &HttpRequest) -> Self {
        Self { csrf: csrf::token(req), who: None, org_name: state.org_name(), nav: "" }
    }
}
