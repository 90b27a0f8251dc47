//! Who is signed in. `require_admin` guards the whole console scope and `require_customer`
//! the whole of My Account (deny by default): without an active account of the right kind
//! nothing under them runs. The account
//! comes from the session store, loaded in the same query as the session.

use std::rc::Rc;

use actix_session::{Session, SessionExt};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::render::{is_htmx, redirect};
use super::session_store::{KEY_ACCOUNT, KEY_LOADED_ACCOUNT};
use super::urls;
use crate::db::accounts::AccountSummary;
use crate::db::audit::Actor;
use crate::error::AppError;

/// The administrator making this request, set by `require_admin`.
#[derive(Clone)]
pub struct CurrentAdmin(pub Rc<AccountSummary>);

impl std::ops::Deref for CurrentAdmin {
    type Target = AccountSummary;
    fn deref(&self) -> &AccountSummary {
        &self.0
    }
}

/// The customer making this request in My Account, set by `require_customer`.
#[derive(Clone)]
pub struct CurrentCustomer(pub Rc<AccountSummary>);

impl std::ops::Deref for CurrentCustomer {
    type Target = AccountSummary;
    fn deref(&self) -> &AccountSummary {
        &self.0
    }
}

impl CurrentAdmin {
    /// The administrator as the audit trail names them, with the request's address.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        Actor::account(self.id, self.public_id, &self.email, &super::client_ip(req))
            .named(&self.display_name())
    }
}

impl CurrentCustomer {
    /// The customer acting on their own account, as the audit trail names them.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        Actor::account(self.id, self.public_id, &self.email, &super::client_ip(req))
            .named(&self.display_name())
    }
}

macro_rules! from_extensions {
    ($t:ty) => {
        impl FromRequest for $t {
            type Error = AppError;
            type Future = std::future::Ready<Result<Self, AppError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                std::future::ready(
                    req.extensions().get::<$t>().cloned().ok_or(AppError::Unauthenticated),
                )
            }
        }
    };
}
from_extensions!(CurrentAdmin);
from_extensions!(CurrentCustomer);

/// The session's account as it is in the database now, if the session belongs to one.
pub fn session_account(session: &Session) -> Option<AccountSummary> {
    session.get::<AccountSummary>(KEY_LOADED_ACCOUNT).ok().flatten()
}

/// The session's administrator, if they may still use the console.
pub fn session_admin(session: &Session) -> Option<AccountSummary> {
    session_account(session).filter(AccountSummary::is_active_administrator)
}

pub async fn require_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let session = req.get_session();
    match session_admin(&session) {
        Some(admin) => {
            req.extensions_mut().insert(CurrentAdmin(Rc::new(admin)));
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        None => Ok(refuse(req, &session)),
    }
}

/// A session of an account that may no longer sign in is ended, not just ignored. One without
/// an account is left alone (purging it would write to the store for nothing).
fn refuse(req: ServiceRequest, session: &Session) -> ServiceResponse<BoxBody> {
    if session.contains_key(KEY_ACCOUNT) {
        session.purge();
    }
    req.error_response(AppError::Unauthenticated)
}

/// My Account: an active customer. One who must replace a temporary password sees nothing else
/// until they have.
pub async fn require_customer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let session = req.get_session();
    let Some(customer) = session_account(&session).filter(AccountSummary::is_active_customer)
    else {
        return Ok(refuse(req, &session));
    };
    if customer.must_change_password && req.path() != urls::MYACCOUNT_PASSWORD {
        let to = redirect(is_htmx(req.request()), urls::MYACCOUNT_PASSWORD);
        return Ok(req.into_response(to));
    }
    req.extensions_mut().insert(CurrentCustomer(Rc::new(customer)));
    Ok(next.call(req).await?.map_into_boxed_body())
}
