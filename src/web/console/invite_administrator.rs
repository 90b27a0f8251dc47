//! Invite administrator: an email, optional names, a role (Administrator or Viewer) and how the
//! invitation goes (emailed, or a link shown once to copy). The invitee follows the link to the
//! console's invitation page, sets a password and lands signed in.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::FormError;
use crate::accounts::administrators::{self as use_case, InviteInput};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html, see_other};
use crate::web::reveal::{self, Kind};
use crate::web::{State, flash, urls};

#[derive(Template)]
#[template(path = "console/invite_administrator.html")]
struct InvitePage {
    chrome: Chrome,
    f: InviteForm,
    smtp: bool,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    delivery: String,
}

fn page(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    form: InviteForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = InvitePage {
        chrome: Chrome::new(state, session, admin, "administrators"),
        f: form,
        smtp: state.smtp_available,
        errors,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    // Sensible defaults: the least power, and email when there is a mail server.
    let delivery = if state.smtp_available { "email" } else { "offline" };
    let form =
        InviteForm { role: "viewer".into(), delivery: delivery.into(), ..Default::default() };
    page(&state, &session, &admin, form, FieldErrors::default())
}

pub async fn submit(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    form: web::Form<InviteForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = InviteInput {
        email: form.email.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        role: form.role.clone(),
        delivery: form.delivery.clone(),
    };
    match use_case::invite(&state.services(), admin.id, admin.actor(&req), input).await {
        Ok(invited) => match invited.link {
            None => {
                let message = format!("An invitation is on its way to {}.", form.email.trim());
                flash::set(&session, &message);
                Ok(see_other(&req, &urls::console_administrator(&invited.account_id)))
            }
            Some(link) => {
                flash::set(
                    &session,
                    "The invitation is ready: copy the link below and pass it on.",
                );
                let page = urls::console_administrator(&invited.account_id);
                Ok(reveal::see_other_showing(&req, &session, &page, Kind::InvitationLink, &link))
            }
        },
        Err(FormError::Invalid(errors)) => page(&state, &session, &admin, form, errors),
        Err(FormError::Other(e)) => Err(e),
    }
}
