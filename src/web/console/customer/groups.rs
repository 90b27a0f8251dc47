//! The customer's Groups tab: join a group, leave one.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::accounts::groups as use_case;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::see_other;
use crate::web::{State, flash, urls};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerGroupForm {
    group_id: String,
}

/// From the customer's page: join a group.
pub async fn join(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<CustomerGroupForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let added = use_case::add_member(&state.db, admin.actor(&req), &form.group_id, &id).await?;
    flash::set(&session, if added { "Added to the group." } else { "Already in that group." });
    Ok(see_other(&req, &urls::console_user_action(&id, "groups")))
}

/// From the customer's page: leave a group.
pub async fn leave(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (account_id, group_id) = path.into_inner();
    use_case::remove_member(&state.db, admin.actor(&req), &group_id, &account_id).await?;
    flash::set(&session, "Removed from the group.");
    Ok(see_other(&req, &urls::console_user_action(&account_id, "groups")))
}
