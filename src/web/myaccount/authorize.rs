//! `/myaccount/authorize`: where applications send customers to sign in. It lives under
//! My Account because it is My Account's session that says who is signed in (single sign-on):
//! a customer already signed in is sent straight back with a code, unless the application asks
//! for a fresh sign-in (`prompt=login`, `max_age`); one who is not goes through My Account's
//! own sign-in page (same throttle, lockout, generic failure) and comes back here.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::chrome::AccountChrome;
use super::link::ClosedPage;
use crate::accounts::authorize::{self, AuthorizationRequest, Checked, Customer, error_back};
use crate::db::{accounts::AccountSummary, now};
use crate::domain::clock::At;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::session_store::KEY_AUTH_TIME;
use crate::web::{State, auth, client_ip, urls};

/// A redirect to another site (the application's registered redirect URI).
fn away(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// This request again, without `prompt` and `max_age`, for after the fresh sign-in they asked
/// for: asking again would loop (`max_age=0` is never met a second later). The application
/// still sees when the customer signed in: `auth_time` is in every ID token.
fn again_without_prompt(req: &AuthorizationRequest) -> String {
    let mut r = req.clone();
    r.prompt = None;
    r.max_age = None;
    let query = serde_urlencoded::to_string(&r).unwrap_or_default();
    format!("{}?{query}", urls::MYACCOUNT_AUTHORIZE)
}

pub async fn authorize(
    state: State,
    session: Session,
    query: web::Query<AuthorizationRequest>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let request = query.into_inner();
    let issuer = state.base_url.clone();
    let valid = match authorize::check(&state.db, &issuer, &request).await? {
        Checked::Refused(message) => {
            let page = ClosedPage {
                chrome: AccountChrome::anonymous(&state, &req),
                title: "This sign-in link does not work",
                message: format!(
                    "{message} Go back to the application and try again, or tell its owner."
                ),
            };
            return html(StatusCode::BAD_REQUEST, &page);
        }
        Checked::Back(location) => return Ok(away(&location)),
        Checked::Valid(valid) => valid,
    };
    let customer: Option<AccountSummary> =
        auth::session_account(&session).filter(AccountSummary::is_active_customer);
    let auth_time = customer
        .as_ref()
        .and_then(|_| session.get::<i64>(KEY_AUTH_TIME).ok().flatten())
        .and_then(|t| At::from_millis(t.saturating_mul(1000)));
    let at = now();
    if valid.needs_sign_in(auth_time, at) {
        if valid.silent {
            let state_param = valid.state.as_deref();
            let to = error_back(
                &valid.redirect_uri,
                "login_required",
                "The customer is not signed in.",
                state_param,
                &issuer,
            );
            return Ok(away(&to));
        }
        let next = again_without_prompt(&request);
        let mut query = vec![("next", next.as_str())];
        if customer.is_some() {
            query.push(("reauth", "1"));
        }
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        return Ok(see_other(&req, &format!("{}?{query}", urls::MYACCOUNT_LOGIN)));
    }
    let (Some(customer), Some(auth_time)) = (customer, auth_time) else {
        return Err(AppError::Unauthenticated);
    };
    if customer.must_change_password {
        // Nothing else until the temporary password is replaced.
        return Ok(see_other(&req, urls::MYACCOUNT_PASSWORD));
    }
    let ip = client_ip(&req);
    let who = Customer {
        id: customer.id,
        public_id: customer.public_id,
        email: &customer.email,
        name: &customer.display_name(),
        auth_time,
        ip: &ip,
    };
    let to = authorize::issue_code(&state.db, &issuer, &valid, who).await?;
    Ok(away(&to))
}
