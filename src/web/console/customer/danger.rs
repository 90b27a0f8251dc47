//! The danger zone at the bottom of a customer's Profile tab: **Reset password**, the **Lock
//! user** toggle and **Delete User**. Each opens its form in a dialog (with script) or on a
//! page of its own (the buttons are links to these pages); only administrators who manage
//! customers reach them.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{
    CustomerView, Notice, ResetForm, ResetInput, Secret, delete_confirm, find_customer,
    lock_confirm, render, reset_form,
};
use crate::accounts::FormError;
use crate::accounts::links::SendBy;
use crate::accounts::lock::{self, Toggled};
use crate::accounts::removal;
use crate::accounts::reset::{self, ResetMethod, ResetServices, ResetShown};
use crate::db::accounts::Account;
use crate::db::settings;
use crate::domain::FieldErrors;
use crate::domain::password::{Password, PasswordPolicy};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::console::confirm::{self, Confirm, ConfirmForm};
use crate::web::console::new_user::{PolicyFragment, ensure_can_manage};
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

async fn customer_and_policy(
    state: &State,
    id: &str,
) -> Result<(Account, PasswordPolicy), AppError> {
    let id = id.to_owned();
    state.db.run(move |c| Ok((find_customer(c, &id)?, settings::load(c)?.password_policy()))).await
}

async fn customer(state: &State, id: &str) -> Result<Account, AppError> {
    let id = id.to_owned();
    state.db.run(move |c| find_customer(c, &id)).await
}

// ---- Reset password ----

#[derive(Template)]
#[template(path = "console/reset.html")]
struct ResetPage {
    chrome: Chrome,
    email: String,
    back_href: String,
    locked: bool,
    reset: ResetForm,
}

async fn reset_page(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    account: &Account,
    policy: &PasswordPolicy,
    input: ResetInput,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = ResetPage {
        chrome: Chrome::new(session, admin, "users"),
        email: account.email.clone(),
        back_href: urls::console_user(&account.id),
        locked: account.status() == Some(crate::domain::account::Status::Locked),
        reset: reset_form(account, input, policy, state.smtp_available),
    };
    html(status, &page)
}

/// Reset password on a page of its own.
pub async fn show_reset(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(&admin)?;
    let (account, policy) = customer_and_policy(&state, &id).await?;
    let input = ResetInput::fresh(state.smtp_available);
    reset_page(&state, &session, &admin, &account, &policy, input, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetFields {
    method: String,
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    password: String,
    /// "generate" (the Generate button) or absent (Reset Password).
    #[serde(default)]
    action: String,
}

impl ResetFields {
    fn input(self, errors: FieldErrors) -> ResetInput {
        ResetInput {
            method: self.method,
            delivery: self.delivery,
            password: self.password,
            reveal_password: false,
            errors,
        }
    }

    fn method(&self) -> Result<ResetMethod, AppError> {
        match (self.method.as_str(), self.delivery.as_str()) {
            ("temporary", _) => Ok(ResetMethod::Temporary(self.password.clone())),
            ("invite", "email") => Ok(ResetMethod::Link(SendBy::Email)),
            ("invite", _) => Ok(ResetMethod::Link(SendBy::Offline)),
            _ => Err(crate::web::form::UNEXPECTED),
        }
    }
}

/// **Reset Password** (or Generate, which fills in a temporary password and shows the form
/// again).
pub async fn reset(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ResetFields>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(&admin)?;
    let fields = form.into_inner();
    let method = fields.method()?;
    let (account, policy) = customer_and_policy(&state, &id).await?;
    if fields.action == "generate" {
        let input = ResetInput {
            method: "temporary".into(),
            password: Password::generate(&policy),
            reveal_password: true,
            ..fields.input(FieldErrors::default())
        };
        return reset_page(&state, &session, &admin, &account, &policy, input, StatusCode::OK)
            .await;
    }
    let services = ResetServices {
        db: &state.db,
        hasher: &state.hasher,
        outbox: &state.outbox,
        links: &state.links,
        smtp_available: state.smtp_available,
    };
    match reset::reset_password(&services, admin.actor(&req), &account.id, method).await {
        Ok(shown) => {
            let (message, secret) = match shown {
                ResetShown::Nothing => (
                    format!(
                        "The password of {} was reset. A link to choose a new one is on its \
                         way; their sessions have ended.",
                        account.email
                    ),
                    None,
                ),
                ResetShown::Link(link) => (
                    format!(
                        "The password of {} was reset; their sessions have ended. Copy the \
                         link below and pass it on.",
                        account.email
                    ),
                    Some(Secret::ResetLink(link)),
                ),
                ResetShown::TemporaryPassword(p) => (
                    format!(
                        "The password of {} was reset to a temporary one; their sessions have \
                         ended. They choose their own at next sign-in.",
                        account.email
                    ),
                    Some(Secret::TemporaryPassword(p)),
                ),
            };
            let view = CustomerView {
                notice: Some(Notice { message, secret }),
                ..CustomerView::default()
            };
            let mut res = render(&state, &session, &admin, &account.id, view).await?;
            // With htmx, the address bar shows the customer's page; a reload shows it without
            // the secret.
            if let Ok(v) = HeaderValue::from_str(&urls::console_user(&account.id)) {
                res.headers_mut().insert(HeaderName::from_static("hx-push-url"), v);
            }
            Ok(res)
        }
        Err(FormError::Invalid(errors)) => {
            let input = fields.input(errors);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            reset_page(&state, &session, &admin, &account, &policy, input, status).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

/// The live policy checklist of the temporary password (htmx, while it is typed).
pub async fn reset_policy(
    state: State,
    admin: CurrentAdmin,
    id: web::Path<String>,
    form: web::Form<ResetFields>,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(&admin)?;
    let (account, policy) = customer_and_policy(&state, &id).await?;
    let input = form.into_inner().input(FieldErrors::default());
    let form = reset_form(&account, input, &policy, state.smtp_available);
    html(StatusCode::OK, &PolicyFragment { policy: form.policy })
}

// ---- Lock user, unlock, Delete User ----

/// A confirmation on its own page.
async fn confirm_page(
    state: &State,
    admin: &CurrentAdmin,
    session: &Session,
    id: &str,
    build: fn(&Account) -> Confirm,
    refused: bool,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(admin)?;
    let account = customer(state, id).await?;
    confirm::page(session, admin, "users", &account.email, build(&account), refused)
}

pub async fn show_lock(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    confirm_page(&state, &admin, &session, &id, lock_confirm, false).await
}

pub async fn show_delete(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    confirm_page(&state, &admin, &session, &id, delete_confirm, false).await
}

pub async fn lock_user(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(&admin)?;
    if !form.confirmed() {
        return confirm_page(&state, &admin, &session, &id, lock_confirm, true).await;
    }
    let done = lock::lock(&state.db, &state.outbox, admin.actor(&req), &id).await?;
    flash::set(
        &session,
        match done {
            Toggled::Done => {
                "The user was locked. Their sessions have ended and they cannot sign in."
            }
            Toggled::Already => "The user was already locked.",
        },
    );
    Ok(see_other(&req, &urls::console_user(&id)))
}

pub async fn unlock_user(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(&admin)?;
    if !form.confirmed() {
        return confirm_page(&state, &admin, &session, &id, lock_confirm, true).await;
    }
    let done = lock::unlock(&state.db, &state.outbox, admin.actor(&req), &id).await?;
    flash::set(
        &session,
        match done {
            Toggled::Done => "The user was unlocked and can sign in again.",
            Toggled::Already => "The user was not locked.",
        },
    );
    Ok(see_other(&req, &urls::console_user(&id)))
}

pub async fn delete_user(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ensure_can_manage(&admin)?;
    if !form.confirmed() {
        return confirm_page(&state, &admin, &session, &id, delete_confirm, true).await;
    }
    let deleted = removal::delete_customer(&state.db, admin.actor(&req), &id).await?;
    flash::set(&session, &format!("Customer {} was deleted.", deleted.email));
    Ok(see_other(&req, urls::CONSOLE_USERS))
}
