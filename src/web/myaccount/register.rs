//! **Create an account** (when Settings > Self-registration is on; otherwise these pages do
//! not exist): the form, "check your email" with **Resend**, and the verification link's page
//! (GET shows a button, POST verifies: mail scanners only GET).

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chrome::AccountChrome;
use super::link::{self, VERIFICATION};
use super::password::policy_view;
use crate::accounts::FormError;
use crate::accounts::links::{self as link_use, AcceptError, Link};
use crate::accounts::registration::{self, Registered, RegistrationInput};
use crate::db::attributes;
use crate::domain::FieldErrors;
use crate::domain::account::Kind;
use crate::domain::attribute::Place;
use crate::domain::token::Purpose;
use crate::error::AppError;
use crate::web::password_policy::PolicyView;
use crate::web::profile_fields::{self, AttributeField, split_form};
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, flash, signin, urls};

#[derive(Template)]
#[template(path = "myaccount/register.html")]
struct RegisterPage {
    chrome: AccountChrome,
    email: String,
    first_name: String,
    last_name: String,
    attribute_fields: Vec<AttributeField>,
    policy: PolicyView,
    errors: FieldErrors,
    /// For the shared attribute fields.
    can_manage: bool,
    /// Where to go once registered and signed in (an application's authorization request), or
    /// empty.
    next: String,
}

impl RegisterPage {
    fn sign_in_href(&self) -> String {
        signin::with_next(urls::MYACCOUNT_LOGIN, &self.next)
    }
}

/// `next` when registration may lead there (a checked My Account path), or empty.
fn destination(next: Option<&str>) -> String {
    signin::destination(&signin::MYACCOUNT, next)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    #[serde(default)]
    next: Option<String>,
}

async fn form(
    state: &State,
    req: &HttpRequest,
    typed: [&str; 4],
    attribute_values: Option<&HashMap<String, String>>,
    errors: FieldErrors,
    next: String,
) -> Result<HttpResponse, AppError> {
    let schema = state.db.run(|c| Ok(attributes::all(c)?)).await?;
    let [email, first_name, last_name, password] = typed;
    let fields = profile_fields::fields(
        &schema,
        Place::Registration,
        &HashMap::new(),
        Some(attribute_values.unwrap_or(&HashMap::new())),
        false,
    );
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RegisterPage {
        chrome: AccountChrome::anonymous(state, req),
        email: email.into(),
        first_name: first_name.into(),
        last_name: last_name.into(),
        attribute_fields: fields,
        policy: policy_view(state, password, email).await?,
        errors,
        can_manage: true,
        next,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    query: web::Query<RegisterQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    registration::ensure_enabled(&state.services()).await?;
    let next = destination(query.next.as_deref());
    form(&state, &req, [""; 4], None, FieldErrors::default(), next).await
}

fn pending_url(email: &str, resent: bool, next: &str) -> String {
    let mut q = vec![("email", email)];
    if resent {
        q.push(("resent", "1"));
    }
    if !next.is_empty() {
        q.push(("next", next));
    }
    format!(
        "{}/pending?{}",
        urls::MYACCOUNT_REGISTER,
        serde_urlencoded::to_string(q).unwrap_or_default()
    )
}

pub async fn submit(
    state: State,
    session: Session,
    body: web::Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let s = state.services();
    registration::ensure_enabled(&s).await?;
    let ip = client_ip(&req);
    state.mail_throttle.check(&ip).await?;
    let fixed = ["email", "first_name", "last_name", "password", "confirm", "next"];
    let (values, attribute_values) = split_form(&body, &fixed)?;
    let [email, first_name, last_name, password, confirm, next]: [String; 6] =
        values.try_into().map_err(|_| crate::web::form::UNEXPECTED)?;
    let next = destination(Some(&next));
    let input = RegistrationInput {
        email: email.clone(),
        first_name: first_name.clone(),
        last_name: last_name.clone(),
        password: password.clone(),
        confirm,
        attributes: attribute_values.clone(),
    };
    match registration::register(&s, input, &ip).await {
        Ok(Registered::CheckEmail) => {
            state.mail_throttle.record_failure(&ip).await?;
            Ok(see_other(&req, &pending_url(email.trim(), false, &next)))
        }
        Ok(Registered::Active(account)) => {
            state.mail_throttle.record_failure(&ip).await?;
            signin::start_session(&session, account.public_id, &req)?;
            flash::set(&session, "Welcome! Your account is ready.");
            signin::onward(&req, next, urls::MYACCOUNT)
        }
        Err(FormError::Invalid(errors)) => {
            let typed = [email.as_str(), &first_name, &last_name, &password];
            form(&state, &req, typed, Some(&attribute_values), errors, next).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "myaccount/register_pending.html")]
struct PendingPage {
    chrome: AccountChrome,
    email: String,
    resent: bool,
    next: String,
}

impl PendingPage {
    fn sign_in_href(&self) -> String {
        signin::with_next(urls::MYACCOUNT_LOGIN, &self.next)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingQuery {
    #[serde(default)]
    email: String,
    #[serde(default)]
    resent: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

pub async fn pending(
    state: State,
    query: web::Query<PendingQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    registration::ensure_enabled(&state.services()).await?;
    let q = query.into_inner();
    let page = PendingPage {
        chrome: AccountChrome::anonymous(&state, &req),
        email: q.email.trim().chars().take(254).collect(),
        resent: q.resent.is_some(),
        next: destination(q.next.as_deref()),
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResendForm {
    email: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn resend(
    state: State,
    form: web::Form<ResendForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    state.mail_throttle.charge(&ip).await?;
    let ResendForm { email, next } = form.into_inner();
    registration::resend(&state.services(), &email, &ip).await?;
    Ok(see_other(&req, &pending_url(email.trim(), true, &destination(next.as_deref()))))
}

#[derive(Template)]
#[template(path = "myaccount/verify.html")]
struct VerifyPage {
    chrome: AccountChrome,
    email: String,
    action: String,
}

pub async fn verify_page(
    state: State,
    token: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    link::throttled(&state, &ip).await?;
    match link_use::inspect(&state.services(), &token, Purpose::Verification, Kind::Customer)
        .await?
    {
        Link::Open { email, .. } => {
            let page = VerifyPage {
                chrome: AccountChrome::anonymous(&state, &req),
                email,
                action: urls::verification(&token),
            };
            html(StatusCode::OK, &page)
        }
        other => link::refuse(&VERIFICATION, &state, &req, &ip, &other).await,
    }
}

pub async fn verify(
    state: State,
    token: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    link::throttled(&state, &ip).await?;
    match registration::verify(&state.services(), &token, &ip).await {
        Ok(email) => {
            let query = serde_urlencoded::to_string([("notice", "verified"), ("email", &email)])
                .unwrap_or_default();
            Ok(see_other(&req, &format!("{}?{query}", urls::MYACCOUNT_LOGIN)))
        }
        Err(AcceptError::Closed(link)) => {
            link::refuse(&VERIFICATION, &state, &req, &ip, &link).await
        }
        Err(AcceptError::Invalid(_)) => Err(AppError::BadRequest("Nothing to fill in here.")),
        Err(AcceptError::Other(e)) => Err(e),
    }
}
