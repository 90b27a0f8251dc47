//! Who is signed in to the console. `require_admin` guards the whole console scope (deny by
//! default): without an active administrator's session nothing under it runs.

use std::rc::Rc;

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::State;
use super::session_store::KEY_ACCOUNT;
use crate::db::accounts::{self, Account};
use crate::domain::account::{Kind, Status};
use crate::error::AppError;

/// The administrator making this request, loaded once by `require_admin`.
#[derive(Clone)]
pub struct CurrentAdmin(pub Rc<Account>);

impl std::ops::Deref for CurrentAdmin {
    type Target = Account;
    fn deref(&self) -> &Account {
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

/// The account a session belongs to, if it is an administrator who may still sign in.
pub async fn signed_in_admin(
    state: &State,
    account_id: Option<String>,
) -> Result<Option<Account>, AppError> {
    let Some(id) = account_id else { return Ok(None) };
    let account = state.db.run(move |c| Ok(accounts::find(c, &id)?)).await?;
    Ok(account
        .filter(|a| a.kind() == Some(Kind::Administrator) && a.status() == Some(Status::Active)))
}

pub async fn require_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req
        .app_data::<State>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no state")))?;
    let session = req.get_session();
    let account_id = session.get::<String>(KEY_ACCOUNT).ok().flatten();
    let had_account = account_id.is_some();
    let admin = match signed_in_admin(&state, account_id).await {
        Ok(admin) => admin,
        Err(e) => return Ok(req.error_response(e)),
    };
    match admin {
        Some(admin) => {
            req.extensions_mut().insert(CurrentAdmin(Rc::new(admin)));
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        None => {
            // A session of an account that may no longer sign in is ended, not just ignored.
            // An anonymous one is kept: it holds the sign-in form's CSRF token.
            if had_account {
                session.purge();
            }
            Ok(req.error_response(AppError::Unauthenticated))
        }
    }
}
