//! My Account's home page: who is signed in (the full profile comes with its issue).

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::db::{accounts, settings};
use crate::error::AppError;
use crate::web::auth::CurrentCustomer;
use crate::web::render::html;
use crate::web::{State, csrf, flash};

#[derive(Template)]
#[template(path = "myaccount/home.html")]
struct HomePage {
    csrf: String,
    who: Option<String>,
    notice: Option<String>,
    name: String,
    org_name: String,
    email: String,
    first_name: String,
    last_name: String,
}

pub async fn show(
    state: State,
    session: Session,
    customer: CurrentCustomer,
) -> Result<HttpResponse, AppError> {
    let org_name = state.db.run(|c| Ok(settings::load(c)?.name)).await?;
    let page = HomePage {
        csrf: csrf::session_token(&session),
        who: Some(customer.email.clone()),
        notice: flash::take(&session),
        name: accounts::display_name(&customer.first_name, "", &customer.email),
        org_name,
        email: customer.email.clone(),
        first_name: customer.first_name.clone(),
        last_name: customer.last_name.clone(),
    };
    html(StatusCode::OK, &page)
}
