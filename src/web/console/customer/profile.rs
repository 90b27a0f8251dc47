//! Profile > Update, and resending the pending invitation or reset link.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{CustomerView, ProfileEdit, render};
use crate::accounts::FormError;
use crate::accounts::links::{self, SendBy};
use crate::accounts::profile::{self, ProfileInput};
use crate::domain::attribute::Place;
use crate::domain::token::Purpose;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::profile_fields::profile_input;
use crate::web::render::see_other;
use crate::web::reveal::{self, Kind};
use crate::web::{State, flash, urls};

/// Profile > Update: saves what changed and says so.
pub async fn update(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    body: web::Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let input = profile_input(&body)?;
    match profile::update(&state.db, admin.actor(&req), &id, input.clone(), Place::Console).await {
        Ok(changed) if changed.is_empty() => {
            flash::set(&session, "Nothing changed.");
            Ok(see_other(&req, &urls::console_user(&id)))
        }
        Ok(changed) => {
            flash::set(&session, &format!("Saved: {}.", changed.join(", ")));
            Ok(see_other(&req, &urls::console_user(&id)))
        }
        Err(FormError::Invalid(errors)) => {
            let ProfileInput { first_name, last_name, attributes } = input;
            let edit = ProfileEdit { first_name, last_name, attributes, errors };
            let view = CustomerView { edit: Some(edit), ..Default::default() };
            render(&state, &session, &admin, &id, view).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResendForm {
    delivery: String,
}

impl ResendForm {
    /// Email (when a mail server is configured) or a link to copy; anything else is a forged form.
    pub fn send_by(&self, smtp_available: bool) -> Result<SendBy, AppError> {
        match self.delivery.as_str() {
            "email" if smtp_available => Ok(SendBy::Email),
            "offline" => Ok(SendBy::Offline),
            _ => Err(crate::web::form::UNEXPECTED),
        }
    }
}

/// Resend the pending invitation or reset link: a new link (the previous one stops working),
/// emailed or shown to copy.
pub async fn resend_link(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ResendForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let by = form.send_by(state.smtp_available)?;
    let actor = admin.actor(&req);
    let (purpose, link) =
        links::resend(&state.db, &state.outbox, &state.links, actor, &id, by).await?;
    let what = match purpose {
        Purpose::PasswordReset => "password reset link",
        _ => "invitation",
    };
    match link {
        None => {
            let message = format!("A new {what} is on its way. The previous link no longer works.");
            flash::set(&session, &message);
            Ok(see_other(&req, &urls::console_user(&id)))
        }
        Some(link) => {
            let (message, kind) = match purpose {
                Purpose::PasswordReset => {
                    ("A new password reset link was created.", Kind::ResetLink)
                }
                _ => ("A new invitation link was created.", Kind::InvitationLink),
            };
            flash::set(&session, &format!("{message} The previous link no longer works."));
            let page = urls::console_user(&id);
            Ok(reveal::see_other_showing(&req, &session, &page, kind, &link))
        }
    }
}
