//! The invitation link: GET only shows the form (mail scanners follow links); the POST that
//! sets the password consumes the token.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::password::{PasswordForm, PasswordPage, policy_hint};
use crate::accounts::invitations::{self, AcceptError, Invitation};
use crate::db::tokens::TokenState;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, csrf, urls};

#[derive(Template)]
#[template(path = "myaccount/link_closed.html")]
struct ClosedPage {
    csrf: String,
    who: Option<String>,
    title: &'static str,
    message: &'static str,
}

const ASK_AGAIN: &str = "Ask the organization that invited you to send a new invitation.";

fn closed(session: &Session, invitation: &Invitation) -> Result<HttpResponse, AppError> {
    let (status, title, message) = match invitation {
        Invitation::Closed(TokenState::Used) => (
            StatusCode::GONE,
            "This invitation was already used",
            "Your password has been set with this link. Sign in with it, or ask the \
             organization that invited you to send a new invitation.",
        ),
        Invitation::Closed(TokenState::Revoked) => (
            StatusCode::GONE,
            "This invitation was replaced",
            "A newer invitation replaced this link. Use the link in the latest email, or ask the \
             organization that invited you to send a new invitation.",
        ),
        Invitation::Closed(TokenState::Expired) => {
            (StatusCode::GONE, "This invitation has expired", ASK_AGAIN)
        }
        _ => (
            StatusCode::NOT_FOUND,
            "This invitation link does not work",
            "Check that you copied the whole link. If it still does not work, ask the \
             organization that invited you to send a new invitation.",
        ),
    };
    html(status, &ClosedPage { csrf: csrf::token(session), who: None, title, message })
}

async fn form(
    state: &State,
    session: &Session,
    token: &str,
    email: String,
    name: &str,
    errors: FieldErrors,
) -> Result<PasswordPage, AppError> {
    Ok(PasswordPage {
        csrf: csrf::token(session),
        who: None,
        heading: "Set your password",
        intro: format!("Welcome, {name}. Choose a password for {email} to activate your account."),
        action: urls::invitation(token),
        button: "Set password",
        email,
        policy_hint: policy_hint(state).await?,
        errors,
    })
}

pub async fn show(
    state: State,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match invitations::inspect(&state.db, &token).await? {
        Invitation::Open { email, name } => html(
            StatusCode::OK,
            &form(&state, &session, &token, email, &name, FieldErrors::default()).await?,
        ),
        other => closed(&session, &other),
    }
}

pub async fn submit(
    state: State,
    session: Session,
    token: web::Path<String>,
    body: web::Form<PasswordForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let ip = client_ip(&req);
    match invitations::accept(&state.db, &state.hasher, &token, &body.password, &body.confirm, &ip)
        .await
    {
        Ok(email) => {
            let query =
                serde_urlencoded::to_string([("notice", "password_set"), ("email", &email)])
                    .unwrap_or_default();
            Ok(see_other(&req, &format!("{}?{query}", urls::MYACCOUNT_LOGIN)))
        }
        Err(AcceptError::Invalid(errors)) => {
            let Invitation::Open { email, name } = invitations::inspect(&state.db, &token).await?
            else {
                return Err(AppError::NotFound);
            };
            let page = form(&state, &session, &token, email, &name, errors).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AcceptError::Closed(invitation)) => closed(&session, &invitation),
        Err(AcceptError::Other(e)) => Err(e),
    }
}
