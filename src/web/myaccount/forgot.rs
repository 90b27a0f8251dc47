//! **Forgot password?** on the My Account sign-in page. Whatever the address — a customer's,
//! nobody's, a locked or a pending account — the answer is the same redirect, sent before any
//! lookup: the request is handled after the response (`accounts::recovery`), so neither the
//! page nor its timing tells whether an account exists. Throttled per client address, like sign-in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chrome::AccountChrome;
use crate::accounts::recovery;
use crate::domain::FieldErrors;
use crate::domain::email::EmailAddress;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, urls};

#[derive(Template)]
#[template(path = "myaccount/forgot.html")]
struct ForgotPage {
    chrome: AccountChrome,
    sent: bool,
    /// Links can be emailed (an SMTP server is configured).
    smtp: bool,
    email: String,
    errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotQuery {
    #[serde(default)]
    sent: Option<String>,
}

pub async fn show(
    state: State,
    query: web::Query<ForgotQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let page = ForgotPage {
        chrome: AccountChrome::anonymous(&state, &req),
        sent: query.sent.is_some(),
        smtp: state.smtp_available,
        email: String::new(),
        errors: FieldErrors::default(),
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotForm {
    email: String,
}

pub async fn submit(
    state: State,
    form: web::Form<ForgotForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    // Every request counts toward the limit: it may send an email.
    state.mail_throttle.charge(&ip).await?;
    let email =
        form.into_inner().email.trim().chars().take(EmailAddress::MAX_LEN + 1).collect::<String>();
    if let Err(message) = EmailAddress::parse(&email) {
        let mut errors = FieldErrors::default();
        errors.add("email", message);
        let page = ForgotPage {
            chrome: AccountChrome::anonymous(&state, &req),
            sent: false,
            smtp: state.smtp_available,
            email,
            errors,
        };
        return html(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if state.smtp_available {
        let state = state.clone();
        actix_web::rt::spawn(async move {
            if let Err(e) = recovery::request(&state.services(), &email, &ip).await {
                tracing::error!(error = %e, "forgot password request failed");
            }
        });
    }
    Ok(see_other(&req, &format!("{}?sent=1", urls::MYACCOUNT_FORGOT)))
}
