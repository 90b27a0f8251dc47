//! Who is signed in to the console. `require_admin` guards the whole console scope (deny by
//! default): without an active administrator's session nothing under it runs. The account
//! comes from the session store, loaded in the same query as the session.

use std::rc::Rc;

use actix_session::{Session, SessionExt};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::session_store::{KEY_ACCOUNT, KEY_LOADED_ACCOUNT};
use crate::db::accounts::AccountSummary;
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

impl FromRequest for CurrentAdmin {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions().get::<CurrentAdmin>().cloned().ok_or(AppError::Unauthenticated),
        )
    }
}

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
        None => {
            // A session of an account that may no longer sign in is ended, not just ignored.
            // An anonymous one is kept: it holds the sign-in form's CSRF token.
            if session.contains_key(KEY_ACCOUNT) {
                session.purge();
            }
            Ok(req.error_response(AppError::Unauthenticated))
        }
    }
}
