//! Console sign-in and sign-out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::signin::{self, GENERIC_FAILURE, SignInOutcome};
use crate::domain::account::Kind;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::session_store::{KEY_ACCOUNT, KEY_IP, KEY_USER_AGENT};
use crate::web::{State, auth, client_ip, csrf, urls};

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<&'static str>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginQuery {
    #[serde(default)]
    notice: Option<String>,
}

pub async fn show(
    session: Session,
    query: web::Query<LoginQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if auth::session_admin(&session).is_some() {
        return Ok(see_other(&req, urls::CONSOLE_USERS));
    }
    let notice = match query.notice.as_deref() {
        Some("setup") => Some("Your owner account is ready. Sign in to continue.".to_owned()),
        Some("signed_out") => Some("You have signed out.".to_owned()),
        _ => None,
    };
    html(
        StatusCode::OK,
        &LoginPage { csrf: csrf::token(&session), email: String::new(), error: None, notice },
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn submit(
    state: State,
    session: Session,
    form: web::Form<LoginForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    if !state.sign_in_throttle.allows(&ip) {
        return Err(AppError::TooManyRequests);
    }
    let LoginForm { email, password } = form.into_inner();
    match signin::sign_in(&state.db, &state.hasher, Kind::Administrator, &email, password, &ip)
        .await?
    {
        SignInOutcome::SignedIn(account) => {
            state.sign_in_throttle.record_success(&ip);
            // A new session id at sign-in: a key planted before cannot be ridden after.
            session.renew();
            session.clear();
            let ua: String = req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .chars()
                .take(300)
                .collect();
            session.insert(KEY_ACCOUNT, &account.id).map_err(AppError::internal)?;
            session.insert(KEY_USER_AGENT, ua).map_err(AppError::internal)?;
            session.insert(KEY_IP, &ip).map_err(AppError::internal)?;
            csrf::rotate(&session);
            Ok(see_other(&req, urls::CONSOLE_USERS))
        }
        SignInOutcome::Failed => {
            state.sign_in_throttle.record_failure(&ip);
            let page = LoginPage {
                csrf: csrf::token(&session),
                email: email.trim().chars().take(254).collect(),
                error: Some(GENERIC_FAILURE),
                notice: None,
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

pub async fn logout(
    state: State,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(admin) = auth::session_admin(&session) {
        signin::record_sign_out(&state.db, &admin.id, &admin.email, &client_ip(&req)).await?;
    }
    session.purge();
    Ok(see_other(&req, &format!("{}?notice=signed_out", urls::CONSOLE_LOGIN)))
}
