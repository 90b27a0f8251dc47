//! Settings > Administrators: the owner and the collaborators, with role, status and last
//! sign-in. (Inviting, changing roles, removing and transferring ownership come next.)

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::users::{Badge, badge};
use crate::db::accounts;
use crate::domain::account::Role;
use crate::error::AppError;
use crate::web::State;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, date_time, html};

pub struct AdminRow {
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub badge: Badge,
    pub last_sign_in: String,
    pub you: bool,
}

#[derive(Template)]
#[template(path = "console/administrators.html")]
struct AdministratorsPage {
    chrome: Chrome,
    rows: Vec<AdminRow>,
}

pub async fn list(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let all = state.db.run(|c| Ok(accounts::administrators(c)?)).await?;
    let rows = all
        .into_iter()
        .map(|a| AdminRow {
            name: a.display_name(),
            role: a.role().map(Role::label).unwrap_or("—"),
            badge: badge(&a.status, a.lock_reason.as_deref()),
            last_sign_in: a
                .last_sign_in_at
                .as_ref()
                .map(|t| format!("{} UTC", date_time(t)))
                .unwrap_or_else(|| "Never".into()),
            you: a.id == admin.id,
            email: a.email,
        })
        .collect();
    let page = AdministratorsPage {
        chrome: Chrome::new(&state, &session, &admin, "administrators"),
        rows,
    };
    html(StatusCode::OK, &page)
}
