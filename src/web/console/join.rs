//! An invited administrator's page: `/console/invitation/{token}`. GET only shows the form
//! (mail scanners follow links); the POST that sets the password consumes the link and signs
//! the new administrator in to the console. The link machinery is the customers' one
//! (`accounts::links`), limited to administrators' accounts: a customer's link does not open
//! here, nor an administrator's on My Account's page.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::accounts::links::{self, AcceptError, Link};
use crate::domain::FieldErrors;
use crate::domain::account::Kind;
use crate::error::AppError;
use crate::web::myaccount::link::{CONSOLE_INVITATION as KIND, closed_text, throttled};
use crate::web::myaccount::password::PasswordForm;
use crate::web::password_policy::{PolicyView, checklist};
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, csrf, flash, signin, urls};

#[derive(Template)]
#[template(path = "console/join.html")]
struct JoinPage {
    csrf: String,
    org_name: String,
    heading: &'static str,
    /// The form, or (for a link that does not open) nothing but the message.
    form: Option<JoinForm>,
    policy: Option<PolicyView>,
    message: String,
}

struct JoinForm {
    action: String,
    email: String,
    button: &'static str,
    errors: FieldErrors,
}

async fn form_page(
    state: &State,
    req: &HttpRequest,
    token: &str,
    (email, name): (String, String),
    password: &str,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let action = urls::console_invitation(token);
    let policy = checklist(state, &format!("{action}/policy"), password, &email).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = JoinPage {
        csrf: csrf::token(req),
        org_name: state.org_name(),
        heading: KIND.heading,
        message: format!("Welcome, {name}. {}", KIND.intro.replace("{email}", &email)),
        form: Some(JoinForm { action, email, button: KIND.button, errors }),
        policy: Some(policy),
    };
    html(status, &page)
}

async fn closed(
    state: &State,
    req: &HttpRequest,
    ip: &str,
    link: &Link,
) -> Result<HttpResponse, AppError> {
    if matches!(link, Link::Unknown) {
        state.sign_in_throttle.record_failure(ip).await?;
    }
    let (status, heading, message) = closed_text(&KIND, link);
    let page = JoinPage {
        csrf: csrf::token(req),
        org_name: state.org_name(),
        heading,
        form: None,
        policy: None,
        message,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    token: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    throttled(&state, &ip).await?;
    match links::inspect(&state.services(), &token, KIND.purpose, Kind::Administrator).await? {
        Link::Open { email, name } => {
            form_page(&state, &req, &token, (email, name), "", FieldErrors::default()).await
        }
        other => closed(&state, &req, &ip, &other).await,
    }
}

pub async fn submit(
    state: State,
    session: Session,
    token: web::Path<String>,
    body: web::Form<PasswordForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    throttled(&state, &ip).await?;
    let body = body.into_inner();
    let s = state.services();
    let purpose = (KIND.purpose, Kind::Administrator);
    match links::accept(&s, &token, purpose, &body.password, &body.confirm, &ip).await {
        Ok(accepted) => {
            crate::accounts::signin::record_link_sign_in(&state.db, accepted.account_id, &ip)
                .await?;
            signin::start_session(&session, accepted.public_id, &req)?;
            flash::set(&session, "Welcome! Your password is set and you are signed in.");
            Ok(see_other(&req, urls::CONSOLE_USERS))
        }
        Err(AcceptError::Invalid(errors)) => {
            match links::inspect(&s, &token, KIND.purpose, Kind::Administrator).await? {
                Link::Open { email, name } => {
                    form_page(&state, &req, &token, (email, name), &body.password, errors).await
                }
                other => closed(&state, &req, &ip, &other).await,
            }
        }
        Err(AcceptError::Closed(link)) => closed(&state, &req, &ip, &link).await,
        Err(AcceptError::Other(e)) => Err(e),
    }
}
