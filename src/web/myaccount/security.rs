//! My Account > Security: the customer's own password and sessions (`web::own_security`).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::chrome::AccountChrome;
use crate::accounts::sessions::Area;
use crate::error::AppError;
use crate::web::auth::CurrentCustomer;
use crate::web::own_security::{self, ChangeForm, Changed, Owner, SecurityView};
use crate::web::render::html;
use crate::web::{State, flash, urls};

#[derive(Template)]
#[template(path = "myaccount/security.html")]
struct SecurityPage {
    chrome: AccountChrome,
    notice: Option<String>,
    sec: SecurityView,
}

fn owner(customer: &CurrentCustomer) -> Owner<'_> {
    Owner { account: &customer.0, area: Area::MyAccount, page: urls::MYACCOUNT_SECURITY }
}

fn page(
    state: &State,
    session: &Session,
    customer: &CurrentCustomer,
    sec: SecurityView,
) -> Result<HttpResponse, AppError> {
    let status = sec.status();
    let chrome = AccountChrome::signed_in(state, session, customer, "security");
    html(status, &SecurityPage { chrome, notice: flash::take(session), sec })
}

pub async fn show(
    state: State,
    session: Session,
    customer: CurrentCustomer,
) -> Result<HttpResponse, AppError> {
    let sec =
        own_security::view(&state, &session, &owner(&customer), "", Default::default()).await?;
    page(&state, &session, &customer, sec)
}

pub async fn change_password(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    form: web::Form<ChangeForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let o = owner(&customer);
    match own_security::change_password(&state, &session, &o, form.into_inner(), &req).await? {
        Changed::Done(res) => Ok(res),
        Changed::Invalid(sec) => page(&state, &session, &customer, sec),
    }
}

pub async fn end_one(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    handle: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = customer.actor(&req);
    own_security::end(&state, &session, &owner(&customer), actor, Some(&handle), &req).await
}

pub async fn end_others(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = customer.actor(&req);
    own_security::end(&state, &session, &owner(&customer), actor, None, &req).await
}
