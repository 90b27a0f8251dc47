//! First run: while the organization has no owner, the server logs a one-time link
//! `/setup/<token>`; its page creates the owner. With an owner, or a wrong token, it is a 404.
//! The unguessable token in the path is what stops cross-site posts here (there is no session
//! yet to hold a CSRF token); the frame's Origin check applies as everywhere.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::render::{html, see_other};
use super::{State, client_ip, urls};
use crate::accounts::owner::{self, CreateOwnerError, OwnerInput};
use crate::db::audit::Actor;
use crate::db::{accounts, settings};
use crate::domain::FieldErrors;
use crate::domain::token::{hash_token, secrets_equal};
use crate::error::AppError;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    action: String,
    organization: String,
    email: String,
    first_name: String,
    last_name: String,
    errors: FieldErrors,
    min_length: usize,
}

impl SetupPage {
    fn password_hint(&self) -> String {
        format!("At least {} characters; not a common password.", self.min_length)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupForm {
    organization: String,
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    password_confirm: String,
}

/// 404 unless `token` is the setup token and no owner exists yet. Returns the password
/// policy's minimum length, for the form's hint.
async fn check(state: &State, token: &str) -> Result<usize, AppError> {
    let expected = state.setup_token_hash.as_deref().ok_or(AppError::NotFound)?;
    if !secrets_equal(&hash_token(token), expected) {
        return Err(AppError::NotFound);
    }
    let (has_owner, policy) = state
        .db
        .run(|c| Ok((accounts::owner_exists(c)?, settings::load(c)?.password_policy())))
        .await?;
    if has_owner {
        return Err(AppError::NotFound);
    }
    Ok(policy.min_length)
}

async fn show(state: State, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let min_length = check(&state, &token).await?;
    let page = SetupPage {
        action: urls::setup(&token),
        organization: String::new(),
        email: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        errors: FieldErrors::default(),
        min_length,
    };
    html(StatusCode::OK, &page)
}

async fn submit(
    state: State,
    token: web::Path<String>,
    form: web::Form<SetupForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let min_length = check(&state, &token).await?;
    let form = form.into_inner();
    let mut page = SetupPage {
        action: urls::setup(&token),
        organization: form.organization.clone(),
        email: form.email.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        errors: FieldErrors::default(),
        min_length,
    };
    if form.password != form.password_confirm {
        page.errors.add("password_confirm", "The two passwords differ.");
        return html(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let input = OwnerInput {
        email: form.email,
        first_name: form.first_name,
        last_name: form.last_name,
        password: form.password,
        organization: Some(form.organization.clone()),
    };
    let actor = Actor { ip: client_ip(&req), ..Actor::system("setup page") };
    match owner::create_owner(&state.db, &state.hasher, input, actor).await {
        Ok(_) => {
            state.set_org_name(form.organization.trim());
            Ok(see_other(&req, &format!("{}?notice=setup", urls::CONSOLE_LOGIN)))
        }
        Err(CreateOwnerError::Invalid(errors)) => {
            page.errors = errors;
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(CreateOwnerError::OwnerExists) => Err(AppError::NotFound),
        Err(CreateOwnerError::Other(e)) => Err(e),
    }
}

pub fn scope() -> actix_web::Scope {
    web::scope(urls::SETUP)
        .service(web::resource("/{token}").route(web::get().to(show)).route(web::post().to(submit)))
}
