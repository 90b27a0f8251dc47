//! Sign-in and sign-out, for both areas: the console (administrators) and My Account
//! (customers). Same form, same generic failure, same throttle; separate cookies and stores.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::signin::{self, GENERIC_FAILURE, SignInOutcome};
use crate::db::accounts::AccountSummary;
use crate::domain::account::Kind;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::session_store::{KEY_ACCOUNT, KEY_IP, KEY_USER_AGENT};
use crate::web::{State, auth, client_ip, csrf, urls};

/// One area's sign-in: who may use it and where its pages are.
pub struct Area {
    pub kind: Kind,
    pub heading: &'static str,
    pub login: &'static str,
    pub home: &'static str,
    may_use: fn(&AccountSummary) -> bool,
}

pub const CONSOLE: Area = Area {
    kind: Kind::Administrator,
    heading: "Sign in to the console",
    login: urls::CONSOLE_LOGIN,
    home: urls::CONSOLE_USERS,
    may_use: AccountSummary::is_active_administrator,
};

pub const MYACCOUNT: Area = Area {
    kind: Kind::Customer,
    heading: "Sign in to My Account",
    login: urls::MYACCOUNT_LOGIN,
    home: urls::MYACCOUNT,
    may_use: AccountSummary::is_active_customer,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    area: &'static Area,
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
    #[serde(default)]
    email: Option<String>,
}

/// The sign-in page. Nothing is stored for the visitor: the form's CSRF token is stateless.
pub async fn show(
    area: &'static Area,
    session: Session,
    query: web::Query<LoginQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if auth::session_account(&session).is_some_and(|a| (area.may_use)(&a)) {
        return Ok(see_other(&req, area.home));
    }
    let notice = match query.notice.as_deref() {
        Some("setup") => Some("Your owner account is ready. Sign in to continue.".to_owned()),
        Some("signed_out") => Some("You have signed out.".to_owned()),
        Some("password_set") => Some("Your password is set. Sign in with it now.".to_owned()),
        Some("password_changed") => {
            Some("Your password was changed. Sign in with the new one.".to_owned())
        }
        _ => None,
    };
    let email = query.email.as_deref().unwrap_or("").trim().chars().take(254).collect();
    html(StatusCode::OK, &LoginPage { area, csrf: csrf::token(&req), email, error: None, notice })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn submit(
    area: &'static Area,
    state: State,
    session: Session,
    form: web::Form<LoginForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    // Before any hashing: a flood from one address costs nothing past this point.
    if !state.sign_in_throttle.allows(&ip) {
        return Err(AppError::TooManyRequests);
    }
    let LoginForm { email, password } = form.into_inner();
    match signin::sign_in(&state.services(), area.kind, &email, password, &ip).await? {
        SignInOutcome::SignedIn(account) => {
            state.sign_in_throttle.record_success(&ip);
            start_session(&session, &account.id, &req)?;
            Ok(see_other(&req, area.home))
        }
        SignInOutcome::Failed => {
            state.sign_in_throttle.record_failure(&ip);
            let page = LoginPage {
                area,
                csrf: csrf::token(&req),
                email: email.trim().chars().take(254).collect(),
                error: Some(GENERIC_FAILURE),
                notice: None,
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// A new session id for `account_id`: a key planted before sign-in cannot be ridden after.
pub fn start_session(
    session: &Session,
    account_id: &str,
    req: &HttpRequest,
) -> Result<(), AppError> {
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
    session.insert(KEY_ACCOUNT, account_id).map_err(AppError::internal)?;
    session.insert(KEY_USER_AGENT, ua).map_err(AppError::internal)?;
    session.insert(KEY_IP, client_ip(req)).map_err(AppError::internal)?;
    csrf::rotate(session);
    Ok(())
}

pub async fn logout(
    area: &'static Area,
    state: State,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(account) = auth::session_account(&session) {
        signin::record_sign_out(&state.db, &account.id, &account.email, &client_ip(&req)).await?;
    }
    session.purge();
    Ok(see_other(&req, &format!("{}?notice=signed_out", area.login)))
}
