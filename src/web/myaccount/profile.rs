//! My Account > Profile: the customer's names and the attributes My Account displays (read-only
//! ones shown, not editable), with **Update**. The console's rules and messages, through the
//! My Account column of the attribute grid.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::chrome::AccountChrome;
use crate::accounts::FormError;
use crate::accounts::profile::{self, ProfileInput};
use crate::db::ids::AttributeId;
use crate::db::{accounts, attributes};
use crate::domain::FieldErrors;
use crate::domain::attribute::Place;
use crate::error::AppError;
use crate::web::auth::CurrentCustomer;
use crate::web::profile_fields::{self, AttributeField, profile_input};
use crate::web::render::{html, see_other};
use crate::web::{State, flash, urls};

#[derive(Template)]
#[template(path = "myaccount/profile.html")]
struct ProfilePage {
    chrome: AccountChrome,
    notice: Option<String>,
    email: String,
    first_name: String,
    last_name: String,
    attribute_fields: Vec<AttributeField>,
    errors: FieldErrors,
    /// For the shared attribute fields: the customer edits their own.
    can_manage: bool,
}

/// What the form sent back, when it is shown again with errors.
struct Submitted {
    first_name: String,
    last_name: String,
    attributes: HashMap<String, String>,
    errors: FieldErrors,
}

async fn render(
    state: &State,
    session: &Session,
    customer: &CurrentCustomer,
    submitted: Option<Submitted>,
) -> Result<HttpResponse, AppError> {
    let id = customer.id;
    let (account, schema, values) = state
        .db
        .run(move |c| {
            let account = accounts::find(c, id)?.ok_or(AppError::NotFound)?;
            let values: HashMap<AttributeId, String> =
                attributes::values_of(c, id)?.into_iter().collect();
            Ok((account, attributes::all(c)?, values))
        })
        .await?;
    let fields = profile_fields::fields(
        &schema,
        Place::MyAccount,
        &values,
        submitted.as_ref().map(|s| &s.attributes),
        false,
    );
    let status =
        if submitted.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (first_name, last_name, errors) = match submitted {
        Some(s) => (s.first_name, s.last_name, s.errors),
        None => (account.first_name, account.last_name, FieldErrors::default()),
    };
    let page = ProfilePage {
        chrome: AccountChrome::signed_in(state, session, customer, "profile"),
        notice: flash::take(session),
        email: account.email,
        first_name,
        last_name,
        attribute_fields: fields,
        errors,
        can_manage: true,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    session: Session,
    customer: CurrentCustomer,
) -> Result<HttpResponse, AppError> {
    render(&state, &session, &customer, None).await
}

/// **Update**: saves what changed and says so. A field My Account does not let the customer
/// edit (read-only, console-only, unknown) is a forged form: 400, nothing saved.
pub async fn update(
    state: State,
    session: Session,
    customer: CurrentCustomer,
    body: web::Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let input = profile_input(&body)?;
    let actor = customer.actor(&req);
    match profile::update(
        &state.db,
        actor,
        &customer.public_id.to_string(),
        input.clone(),
        Place::MyAccount,
    )
    .await
    {
        Ok(changed) => {
            let message = if changed.is_empty() {
                "Nothing changed.".to_owned()
            } else {
                format!("Saved: {}.", changed.join(", "))
            };
            flash::set(&session, &message);
            Ok(see_other(&req, urls::MYACCOUNT))
        }
        Err(FormError::Invalid(errors)) => {
            let ProfileInput { first_name, last_name, attributes } = input;
            let s = Submitted { first_name, last_name, attributes, errors };
            render(&state, &session, &customer, Some(s)).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}
