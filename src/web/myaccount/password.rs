//! The password form of My Account: replacing a temporary password (forced, before anything
//! else). Also rendered by the invitation page, which sets the first password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::FormError;
use crate::accounts::password;
use crate::db::settings;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::auth::CurrentCustomer;
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, csrf, signin, urls};

#[derive(Template)]
#[template(path = "myaccount/password.html")]
pub struct PasswordPage {
    pub csrf: String,
    pub who: Option<String>,
    pub heading: &'static str,
    pub intro: String,
    pub action: String,
    pub button: &'static str,
    pub email: String,
    pub policy_hint: String,
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

pub async fn policy_hint(state: &State) -> Result<String, AppError> {
    let policy = state.db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
    Ok(format!(
        "{} to {} characters, not a common password, not containing your email's name part.",
        policy.min_length, policy.max_length
    ))
}

async fn page(
    state: &State,
    session: &Session,
    customer: &CurrentCustomer,
    errors: FieldErrors,
) -> Result<PasswordPage, AppError> {
    Ok(PasswordPage {
        csrf: csrf::session_token(session),
        who: Some(customer.email.clone()),
        heading: "Choose a new password",
        intro: "Your administrator gave you a temporary password. Replace it with one only you \
                know before you continue."
            .into(),
        action: urls::MYACCOUNT_PASSWORD.into(),
        button: "Change password",
        email: customer.email.clone(),
        policy_hint: policy_hint(state).await?,
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
        // Changing a password at will (with the current one) comes with the full My Account.
        return Ok(see_other(&req, urls::MYACCOUNT));
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
    if !state.sign_in_throttle.allows(&ip) {
        return Err(AppError::TooManyRequests);
    }
    match password::replace_temporary(
        &state.db,
        &state.hasher,
        &customer.id,
        &form.password,
        &form.confirm,
        &ip,
    )
    .await
    {
        Ok(()) => {
            // Every session of the customer was ended; this one continues under a new id.
            signin::start_session(&session, &customer.id, &req)?;
            crate::web::flash::set(&session, "Your new password is set.");
            Ok(see_other(&req, urls::MYACCOUNT))
        }
        Err(FormError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &session, &customer, errors).await?,
        ),
        Err(FormError::Other(e)) => Err(e),
    }
}
