//! My Account > Your data: what Roster holds about the customer, and **Download my data** (a
//! JSON file: profile, groups, sessions, the account's audit events; no hash, no token).

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use askama::Template;

use super::chrome::AccountChrome;
use crate::accounts::export;
use crate::error::AppError;
use crate::web::State;
use crate::web::auth::CurrentCustomer;
use crate::web::render::html;

#[derive(Template)]
#[template(path = "myaccount/data.html")]
struct DataPage {
    chrome: AccountChrome,
}

pub async fn show(
    state: State,
    session: Session,
    customer: CurrentCustomer,
) -> Result<HttpResponse, AppError> {
    let chrome = AccountChrome::signed_in(&state, &session, &customer, "data");
    html(StatusCode::OK, &DataPage { chrome })
}

pub async fn download(state: State, customer: CurrentCustomer) -> Result<HttpResponse, AppError> {
    let data = export::my_data(&state.db, customer.id).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(AppError::internal)?;
    let day = crate::db::now().format("%Y-%m-%d");
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"my-data-{day}.json\""),
        ))
        .body(body))
}
