//! **Reset password** from the danger zone: its form (in the dialog on the customer's page, or on
//! a page of its own), Generate, the live policy checklist, and **Reset Password**.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::FormError;
use crate::accounts::links::SendBy;
use crate::accounts::reset::{self, ResetMethod, ResetShown};
use crate::db::accounts::{self, Account};
use crate::db::settings;
use crate::domain::FieldErrors;
use crate::domain::email::EmailAddress;
use crate::domain::password::{Password, PasswordPolicy};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::console::password_choice::PasswordChoice;
use crate::web::password_policy::{PolicyFragment, PolicyView};
use crate::web::render::{Chrome, html, see_other};
use crate::web::reveal::{self, Kind};
use crate::web::{State, flash, urls};

/// The Reset password form, in its dialog or on its own page.
pub struct ResetForm {
    pub action: String,
    /// Back to the customer's page.
    pub cancel: String,
    pub m: PasswordChoice,
    pub policy: PolicyView,
    pub errors: FieldErrors,
}

/// The Reset password form with its state (fresh, after Generate, or with errors).
pub struct ResetInput {
    pub method: String,
    pub delivery: String,
    pub password: String,
    pub reveal_password: bool,
    pub errors: FieldErrors,
}

impl ResetInput {
    pub fn fresh(smtp: bool) -> Self {
        Self {
            method: "invite".into(),
            delivery: if smtp { "email" } else { "offline" }.into(),
            password: String::new(),
            reveal_password: false,
            errors: FieldErrors::default(),
        }
    }
}

pub fn reset_form(
    account: &Account,
    input: ResetInput,
    policy: &PasswordPolicy,
    smtp: bool,
) -> ResetForm {
    let action = urls::console_user_action(account.public_id, "reset");
    let email = EmailAddress::parse(&account.email).ok();
    ResetForm {
        policy: PolicyView::new(
            format!("{action}/policy"),
            "input changed delay:200ms from:#password",
            &input.password,
            policy,
            email.as_ref(),
        ),
        m: PasswordChoice {
            legend: "Select a method to reset the user password",
            invite_hint: "A link to choose a new password. The current password stops working \
                          at once.",
            method: input.method,
            delivery: input.delivery,
            password: input.password,
            reveal_password: input.reveal_password,
            smtp,
            form_href: action.clone(),
        },
        action,
        cancel: urls::console_user(account.public_id),
        errors: input.errors,
    }
}

async fn customer_and_policy(
    state: &State,
    id: &str,
) -> Result<(Account, PasswordPolicy), AppError> {
    let id = id.to_owned();
    state
        .db
        .run(move |c| Ok((accounts::find_customer(c, &id)?, settings::load(c)?.password_policy())))
        .await
}

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
        chrome: Chrome::new(state, session, admin, "users"),
        email: account.email.clone(),
        back_href: urls::console_user(account.public_id),
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
    match reset::reset_password(
        &state.services(),
        admin.actor(&req),
        &account.public_id.to_string(),
        method,
    )
    .await
    {
        Ok(shown) => {
            let email = &account.email;
            let page = urls::console_user(account.public_id);
            Ok(match shown {
                ResetShown::Nothing => {
                    flash::set(
                        &session,
                        &format!(
                            "The password of {email} was reset. A link to choose a new one is on \
                             its way; their sessions have ended."
                        ),
                    );
                    see_other(&req, &page)
                }
                ResetShown::Link(link) => {
                    flash::set(
                        &session,
                        &format!(
                            "The password of {email} was reset; their sessions have ended. Copy \
                             the link below and pass it on."
                        ),
                    );
                    reveal::see_other_showing(&req, &session, &page, Kind::ResetLink, &link)
                }
                ResetShown::TemporaryPassword(p) => {
                    flash::set(
                        &session,
                        &format!(
                            "The password of {email} was reset to a temporary one; their sessions \
                             have ended. They choose their own at next sign-in."
                        ),
                    );
                    reveal::see_other_showing(&req, &session, &page, Kind::TemporaryPassword, &p)
                }
            })
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
    id: web::Path<String>,
    form: web::Form<ResetFields>,
) -> Result<HttpResponse, AppError> {
    let (account, policy) = customer_and_policy(&state, &id).await?;
    let input = form.into_inner().input(FieldErrors::default());
    let form = reset_form(&account, input, &policy, state.smtp_available);
    html(StatusCode::OK, &PolicyFragment { policy: form.policy })
}
