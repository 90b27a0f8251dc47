//! RP-initiated logout (`/myaccount/end-session`): an application sends the customer here to
//! sign out. A signed-in customer confirms with a button (a bare link must not sign anyone out);
//! then My Account's session ends and every application token of theirs is revoked. The browser
//! goes back only to a post-logout redirect URI registered for that application, with `state`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::chrome::AccountChrome;
use crate::accounts::authorize::{post_logout_target, with_params};
use crate::accounts::signin;
use crate::db::accounts::AccountSummary;
use crate::error::AppError;
use crate::web::render::html;
use crate::web::{State, auth, client_ip};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EndSessionRequest {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
}

#[derive(Template)]
#[template(path = "myaccount/end_session.html")]
struct ConfirmPage {
    chrome: AccountChrome,
    to: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
}

#[derive(Template)]
#[template(path = "myaccount/signed_out.html")]
struct SignedOutPage {
    chrome: AccountChrome,
    /// Where the page moves on to (meta refresh; a form's redirect there would break the CSP's
    /// form-action).
    to: Option<String>,
}

async fn target(state: &State, r: &EndSessionRequest) -> Result<Option<String>, AppError> {
    post_logout_target(
        &state.db,
        r.client_id.as_deref(),
        r.id_token_hint.as_deref(),
        r.post_logout_redirect_uri.as_deref(),
    )
    .await
}

fn back(to: Option<String>, s: Option<&str>) -> Option<String> {
    to.map(|uri| match s.filter(|s| !s.is_empty()) {
        Some(s) => with_params(&uri, &[("state", s)]),
        None => uri,
    })
}

pub async fn show(
    state: State,
    session: Session,
    query: web::Query<EndSessionRequest>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let r = query.into_inner();
    let to = target(&state, &r).await?;
    let chrome = AccountChrome::anonymous(&state, &req);
    if auth::session_account(&session).filter(AccountSummary::is_active_customer).is_none() {
        let page = SignedOutPage { chrome, to: back(to, r.state.as_deref()) };
        return html(StatusCode::OK, &page);
    }
    let client_id = r.client_id.clone().filter(|c| !c.is_empty());
    html(StatusCode::OK, &ConfirmPage { chrome, to, state: r.state, client_id })
}

pub async fn submit(
    state: State,
    session: Session,
    form: web::Form<EndSessionRequest>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let r = form.into_inner();
    // Checked again: the form is the visitor's to change.
    let to = target(&state, &r).await?;
    if let Some(account) = auth::session_account(&session) {
        signin::record_sign_out(&state.db, &account, &client_ip(&req)).await?;
    }
    session.purge();
    let page = SignedOutPage {
        chrome: AccountChrome::anonymous(&state, &req),
        to: back(to, r.state.as_deref()),
    };
    html(StatusCode::OK, &page)
}
