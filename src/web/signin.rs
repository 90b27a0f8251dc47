//! Sign-in and sign-out, for both areas: the console (administrators) and My Account
//! (customers). Same form, same generic failure, same throttle; separate cookies and stores.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::signin::{self, GENERIC_FAILURE, SignInOutcome};
use crate::db::accounts::AccountSummary;
use crate::db::ids::PublicId;
use crate::db::settings;
use crate::domain::account::Kind;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::session_store::{KEY_ACCOUNT, KEY_AUTH_TIME, KEY_IP, KEY_USER_AGENT};
use crate::web::{State, auth, client_ip, csrf, urls};

/// One area's sign-in: who may use it and where its pages are.
pub struct Area {
    pub kind: Kind,
    pub heading: &'static str,
    /// Every page of the area starts with it (the only destinations after sign-in).
    pub prefix: &'static str,
    pub login: &'static str,
    pub home: &'static str,
    /// Customers' sign-in: offers Forgot password and, when on, self-registration.
    pub self_service: bool,
    may_use: fn(&AccountSummary) -> bool,
}

pub const CONSOLE: Area = Area {
    kind: Kind::Administrator,
    heading: "Sign in to the console",
    prefix: urls::CONSOLE,
    login: urls::CONSOLE_LOGIN,
    home: urls::CONSOLE_USERS,
    self_service: false,
    may_use: AccountSummary::is_active_administrator,
};

pub const MYACCOUNT: Area = Area {
    kind: Kind::Customer,
    heading: "Sign in to My Account",
    prefix: urls::MYACCOUNT,
    login: urls::MYACCOUNT_LOGIN,
    home: urls::MYACCOUNT,
    self_service: true,
    may_use: AccountSummary::is_active_customer,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    area: &'static Area,
    csrf: String,
    org_name: String,
    email: String,
    error: Option<&'static str>,
    notice: Option<String>,
    /// Where to go after sign-in (a checked path of this area), or empty.
    next: String,
    /// Self-registration is on (My Account only).
    registration: bool,
}

impl LoginPage {
    async fn new(area: &'static Area, state: &State, req: &HttpRequest) -> Result<Self, AppError> {
        let org = state.db.run(|c| Ok(settings::load(c)?)).await?;
        Ok(Self {
            area,
            csrf: csrf::token(req),
            org_name: org.name,
            email: String::new(),
            error: None,
            notice: None,
            next: String::new(),
            registration: area.self_service && org.self_registration_enabled,
        })
    }

    /// Create an account, carrying `next` (a customer arriving from an application goes back
    /// to it once registered).
    fn register_href(&self) -> String {
        with_next(urls::MYACCOUNT_REGISTER, &self.next)
    }
}

/// `path?next=…`, or `path` when there is nowhere to go next.
pub fn with_next(path: &str, next: &str) -> String {
    if next.is_empty() {
        return path.to_owned();
    }
    format!("{path}?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default())
}

#[derive(Template)]
#[template(path = "continue.html")]
struct ContinuePage {
    next: String,
}

/// `next` when sign-in may go there.
pub fn destination(area: &Area, next: Option<&str>) -> String {
    next.and_then(|n| urls::safe_next(area.prefix, n)).unwrap_or("").to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginQuery {
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    next: Option<String>,
    /// An application asked for a fresh sign-in: show the form even to a signed-in visitor.
    #[serde(default)]
    reauth: Option<String>,
}

/// The sign-in page. Nothing is stored for the visitor: the form's CSRF token is stateless.
pub async fn show(
    area: &'static Area,
    state: State,
    session: Session,
    query: web::Query<LoginQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let next = destination(area, query.next.as_deref());
    let fresh = query.reauth.is_some();
    if !fresh && auth::session_account(&session).is_some_and(|a| (area.may_use)(&a)) {
        return Ok(see_other(&req, if next.is_empty() { area.home } else { &next }));
    }
    let notice = match query.notice.as_deref() {
        Some("setup") => Some("Your owner account is ready. Sign in to continue.".to_owned()),
        Some("signed_out") => Some("You have signed out.".to_owned()),
        Some("password_set") => Some("Your password is set. Sign in with it now.".to_owned()),
        Some("verified") => Some("Your email is verified. Sign in to continue.".to_owned()),
        Some("password_changed") => {
            Some("Your password was changed. Sign in with the new one.".to_owned())
        }
        _ => None,
    };
    let email = query.email.as_deref().unwrap_or("").trim().chars().take(254).collect();
    let page = LoginPage { email, notice, next, ..LoginPage::new(area, &state, &req).await? };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    area: &'static Area,
    state: State,
    session: Session,
    form: web::Form<LoginForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    // Counted before any hashing, so a burst of tries at once cannot pass the limit; an
    // address over it is refused from the process's memory, without a query.
    state.sign_in_throttle.charge(&ip).await?;
    let LoginForm { email, password, next } = form.into_inner();
    let next = destination(area, next.as_deref());
    match signin::sign_in(&state.services(), area.kind, &email, password, &ip).await? {
        SignInOutcome::SignedIn(account) => {
            state.sign_in_throttle.record_success(&ip).await;
            start_session(&session, account.public_id, &req)?;
            onward(&req, next, area.home)
        }
        SignInOutcome::Failed => {
            let page = LoginPage {
                email: email.trim().chars().take(254).collect(),
                error: Some(GENERIC_FAILURE),
                next,
                ..LoginPage::new(area, &state, &req).await?
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// Where a form that signed someone in goes: `next` (already checked by `destination`), or
/// `home`. On to an application (`next` is the authorization endpoint), a page moves on by
/// itself instead of a redirect: the application's redirect URI is another origin, which the
/// CSP's `form-action 'self'` forbids as the end of a form's redirects; a meta refresh or a
/// followed link is not a form submission.
pub fn onward(req: &HttpRequest, next: String, home: &str) -> Result<HttpResponse, AppError> {
    if next.starts_with(urls::MYACCOUNT_AUTHORIZE) {
        return html(StatusCode::OK, &ContinuePage { next });
    }
    Ok(see_other(req, if next.is_empty() { home } else { &next }))
}

/// A new session id for `account_id`: a key planted before sign-in cannot be ridden after.
pub fn start_session(
    session: &Session,
    account_id: PublicId,
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
    session.insert(KEY_ACCOUNT, account_id.to_string()).map_err(AppError::internal)?;
    session.insert(KEY_USER_AGENT, ua).map_err(AppError::internal)?;
    session.insert(KEY_IP, client_ip(req)).map_err(AppError::internal)?;
    let signed_in_at = crate::db::now().and_utc().timestamp();
    session.insert(KEY_AUTH_TIME, signed_in_at).map_err(AppError::internal)?;
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
        signin::record_sign_out(&state.db, &account, &client_ip(&req)).await?;
    }
    session.purge();
    Ok(see_other(&req, &format!("{}?notice=signed_out", area.login)))
}
