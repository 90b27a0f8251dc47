//! The one confirmation component of the console: a checkbox and **Confirm** for an action that
//! cannot be taken back (lock, unlock, delete a customer, a group, an attribute). The same form
//! is shown in a native `<dialog>` opened by its button (with script) and on a page of its own
//! (the button is a link to it, for use without script). A Confirm without the box ticked is
//! refused (422) with a message next to the box, and nothing changes.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html};

/// One confirmation: what it says and where it posts.
pub struct Confirm {
    /// The dialog's element id (unique on its page).
    pub id: &'static str,
    pub title: String,
    pub message: String,
    /// The checkbox's words.
    pub check_label: String,
    /// Where Confirm posts.
    pub action: String,
    /// The page of its own (the opener's link, for use without script).
    pub page: String,
    /// Where Cancel goes without script.
    pub cancel: String,
    pub error: Option<&'static str>,
}

impl Confirm {
    /// The deletion of the thing whose page is `href` (posting to `{href}/delete`, which is
    /// also its page of its own).
    pub fn deletion(title: &str, message: String, check_label: &str, href: String) -> Self {
        Self {
            id: "delete-dialog",
            title: title.to_owned(),
            message,
            check_label: check_label.to_owned(),
            action: format!("{href}/delete"),
            page: format!("{href}/delete"),
            cancel: href,
            error: None,
        }
    }
}

pub const UNTICKED: &str = "Tick the box to confirm, then press Confirm.";

#[derive(Template)]
#[template(path = "console/confirm.html")]
struct ConfirmPage<'a> {
    chrome: Chrome,
    back_label: &'a str,
    c: Confirm,
}

/// The confirmation on its own page; with `refused`, after a Confirm without the box (422).
pub fn page(
    state: &crate::web::AppState,
    session: &Session,
    admin: &CurrentAdmin,
    nav: &'static str,
    back_label: &str,
    mut c: Confirm,
    refused: bool,
) -> Result<HttpResponse, AppError> {
    let status = if refused {
        c.error = Some(UNTICKED);
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(status, &ConfirmPage { chrome: Chrome::new(state, session, admin, nav), back_label, c })
}

/// The checkbox + Confirm of a confirmation.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: Option<String>,
}

impl ConfirmForm {
    pub fn confirmed(&self) -> bool {
        self.confirm.as_deref() == Some("on")
    }
}
