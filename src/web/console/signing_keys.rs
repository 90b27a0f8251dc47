//! Settings > Signing keys: the keys that sign ID tokens and those still published for the
//! tokens they signed, and **Rotate keys** (administrators; viewers see the list). The same
//! rotation as `roster rotate-keys`, for an operator who suspects a key or follows a schedule.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::accounts::signing_keys;
use crate::domain::format::Stamp;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

pub struct Row {
    pub kid: String,
    pub alg: String,
    pub created: Stamp,
    /// "Signs ID tokens", or until when a retired key stays published.
    pub status: String,
    pub signs: bool,
}

#[derive(Template)]
#[template(path = "console/signing_keys.html")]
struct KeysPage {
    chrome: Chrome,
    notice: Option<String>,
    rows: Vec<Row>,
    can_manage: bool,
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let rows = signing_keys::published(&state.db)
        .await?
        .into_iter()
        .map(|k| Row {
            status: match &k.published_until {
                None => "Signs ID tokens".into(),
                Some(until) => format!("Retired; published until {}", state.stamp(until).text),
            },
            signs: k.published_until.is_none(),
            created: state.stamp(&k.created_at),
            kid: k.kid,
            alg: k.alg,
        })
        .collect();
    let page = KeysPage {
        chrome: Chrome::new(&state, &session, &admin, "signing-keys"),
        notice: flash::take(&session),
        rows,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

pub async fn rotate(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    signing_keys::rotate(&state.db, &state.keys, admin.actor(&req)).await?;
    // Open the new keys now rather than on the next token request.
    crate::web::prepare_keys(&state);
    flash::set(
        &session,
        "New signing keys sign from now on. The previous ones stay published for an hour, until \
         the ID tokens they signed expire.",
    );
    Ok(see_other(&req, urls::CONSOLE_SIGNING_KEYS))
}
