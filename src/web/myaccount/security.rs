//! My Account > Security: **Change password** (needs the current one; the other sessions end,
//! this one continues under a new id, and an email says so) and the customer's own sessions,
//! with **Sign out** of any other, or of all others.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chrome::AccountChrome;
use super::password::policy_view;
use crate::accounts::password::{self, ChangeError};
use crate::accounts::sessions::{self, Which};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::auth::CurrentCustomer;
use crate::web::password_policy::PolicyView;
use crate::web::render::{date_time, html, iso, see_other};
use crate::web::session_store::KEY_LOADED_ID_HASH;
use crate::web::{State, client_ip, flash, signin, urls};

pub struct SessionRow {
    pub device: String,
    pub ip: String,
    pub signed_in: String,
    pub signed_in_iso: String,
    pub last_seen: String,
    pub last_seen_iso: String,
    pub current: bool,
    pub sign_out_href: String,
}

#[derive(Template)]
#[template(path = "myaccount/security.html")]
struct SecurityPage {
    chrome: AccountChrome,
    notice: Option<String>,
    email: String,
    policy: PolicyView,
    errors: FieldErrors,
    sessions: Vec<SessionRow>,
    others: usize,
}

/// The handle of the session making this request.
fn current_handle(session: &Session) -> String {
    let id_hash = session.get::<String>(KEY_LOADED_ID_HASH).ok().flatten().unwrap_or_default();
    sessions::handle(&id_hash)
}

async fn render(
    state: &State,
    session: &Session,
    customer: &CurrentCustomer,
    typed: &str,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let id = customer.id.clone();
    let live = state.db.run(move |c| Ok(sessions::of_customer(c, &id)?)).await?;
    let current = current_handle(session);
    let rows: Vec<SessionRow> = live
        .into_iter()
        .map(|s| SessionRow {
            current: s.handle == current,
            sign_out_href: format!("{}/sessions/{}/end", urls::MYACCOUNT_SECURITY, s.handle),
            device: s.device,
            ip: s.ip,
            signed_in: date_time(&s.signed_in),
            signed_in_iso: iso(&s.signed_in),
            last_seen: date_time(&s.last_seen),
            last_seen_iso: iso(&s.last_seen),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SecurityPage {
        chrome: AccountChrome::signed_in(state, session, customer, "security"),
        notice: flash::take(session),
        email: customer.email.clone(),
        policy: policy_view(state, typed, &customer.email).await?,
        errors,
        others: rows.iter().filter(|r| !r.current).count(),
        sessions: rows,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    session: Session,
    customer: CurrentCustomer,
) -> Result<HttpResponse, AppError> {
    render(&state, &session, &customer, "", FieldErrors::default()).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeForm {
    current: String,
    password: String,
    confirm: String,
    /// The hidden username field that lets password managers file the new password.
    #[serde(default)]
    username: Option<String>,
}

pub async fn change_password(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    form: web::Form<ChangeForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    // It checks a password: throttled like sign-in, and a wrong one counts.
    if !state.sign_in_throttle.allows(&ip) {
        return Err(AppError::TooManyRequests);
    }
    let f = form.into_inner();
    let _ = f.username;
    let s = state.services();
    match password::change(&s, &customer.id, &f.current, &f.password, &f.confirm, &ip).await {
        Ok(()) => {
            signin::start_session(&session, &customer.id, &req)?;
            flash::set(
                &session,
                "Your password was changed. Every other place you were signed in was signed out.",
            );
            Ok(see_other(&req, urls::MYACCOUNT_SECURITY))
        }
        Err(ChangeError::WrongCurrent(errors)) => {
            state.sign_in_throttle.record_failure(&ip);
            render(&state, &session, &customer, &f.password, errors).await
        }
        Err(ChangeError::Invalid(errors)) => {
            render(&state, &session, &customer, &f.password, errors).await
        }
        Err(ChangeError::Other(e)) => Err(e),
    }
}

async fn end(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    which: Which<'_>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = customer.actor(&req);
    let ended = sessions::terminate(&state.db, actor, &customer.id, which).await?;
    flash::set(
        &session,
        &match ended {
            0 => "That session had already ended.".to_owned(),
            1 => "That session was signed out.".to_owned(),
            n => format!("{n} sessions were signed out."),
        },
    );
    Ok(see_other(&req, urls::MYACCOUNT_SECURITY))
}

/// **Sign out** one session. The current one is ended by the header's Sign out instead, which
/// also records it.
pub async fn end_one(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    handle: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if *handle == current_handle(&session) {
        return Err(AppError::BadRequest("Use Sign out at the top to end this session."));
    }
    end(state, session, customer, Which::One(&handle), req).await
}

/// **Sign out all other sessions**.
pub async fn end_others(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let current = current_handle(&session);
    end(state, session, customer, Which::AllExcept(&current), req).await
}
