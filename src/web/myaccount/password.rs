//! The new-password form of My Account: replacing a temporary password (forced, before
//! anything else). Also rendered by the invitation, reset and recovery links' pages, which set
//! a password; and the live policy checklist every My Account password field shows.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chrome::AccountChrome;
use crate::accounts::FormError;
use crate::accounts::password;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::auth::CurrentCustomer;
use crate::web::password_policy::{PolicyView, checklist};
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, signin, urls};

#[derive(Template)]
#[template(path = "myaccount/password.html")]
pub struct PasswordPage {
    pub chrome: AccountChrome,
    pub heading: &'static str,
    pub intro: String,
    pub action: String,
    pub button: &'static str,
    pub email: String,
    pub policy: PolicyView,
    pub errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    pub password: String,
    pub confirm: String,
    /// Sent by the hidden username field that lets password managers file the new password.
    #[serde(default)]
    pub username: Option<String>,
}

/// The policy checklist for `password` typed by the owner of `email`.
pub async fn policy_view(
    state: &State,
    password: &str,
    email: &str,
) -> Result<PolicyView, AppError> {
    checklist(state, urls::MYACCOUNT_POLICY, password, email).await
}

async fn page(
    state: &State,
    session: &Session,
    customer: &CurrentCustomer,
    errors: FieldErrors,
) -> Result<PasswordPage, AppError> {
    Ok(PasswordPage {
        chrome: AccountChrome::signed_in(state, session, customer, ""),
        heading: "Choose a new password",
        intro: "Your administrator gave you a temporary password. Replace it with one only you \
                know before you continue."
            .into(),
        action: urls::MYACCOUNT_PASSWORD.into(),
        button: "Change password",
        email: customer.email.clone(),
        policy: policy_view(state, "", &customer.email).await?,
        errors,
    })
}

pub async fn show(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !customer.must_change_password {
        // Changing a password at will (with the current one) is on the Security tab.
        return Ok(see_other(&req, urls::MYACCOUNT_SECURITY));
    }
    html(StatusCode::OK, &page(&state, &session, &customer, FieldErrors::default()).await?)
}

pub async fn submit(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    form: web::Form<PasswordForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let ip = client_ip(&req);
    // It checks a password (the new one must not be the temporary one): throttled like sign-in.
    state.sign_in_throttle.check(&ip).await?;
    match password::replace_temporary(
        &state.db,
        &state.hasher,
        customer.id,
        &form.password,
        &form.confirm,
        &ip,
    )
    .await
    {
        Ok(()) => {
            // Every session of the customer was ended; this one continues under a new id.
            signin::start_session(&session, customer.public_id, &req)?;
            crate::web::flash::set(&session, "Your new password is set.");
            Ok(see_other(&req, urls::MYACCOUNT))
        }
        Err(FormError::Invalid(errors)) => {
            let mut page = page(&state, &session, &customer, errors).await?;
            page.policy = policy_view(&state, &form.password, &customer.email).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(FormError::Other(e)) => Err(e),
    }
}
