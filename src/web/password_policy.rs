//! The password policy as a live checklist: the console's wizard and reset, and My Account's
//! password forms and registration show the same list, refreshed by htmx while a password is
//! typed (and complete without script: the server checks the same rules on submit).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db::settings;
use crate::domain::email::EmailAddress;
use crate::domain::password::{self, Check, PasswordPolicy};
use crate::error::AppError;
use crate::web::State;
use crate::web::form::Pairs;
use crate::web::render::html;

/// The policy checklist: its lines, and where htmx refreshes it while the password is typed.
pub struct PolicyView {
    pub href: String,
    /// htmx's `hx-trigger`: the fields whose input refreshes the list.
    pub trigger: &'static str,
    pub checks: Vec<Check>,
}

impl PolicyView {
    pub fn new(
        href: String,
        trigger: &'static str,
        raw: &str,
        policy: &PasswordPolicy,
        email: Option<&EmailAddress>,
    ) -> Self {
        Self { href, trigger, checks: password::checklist(raw, policy, email) }
    }
}

#[derive(Template)]
#[template(path = "partials/policy.html")]
pub struct PolicyFragment {
    pub policy: PolicyView,
}

/// My Account's and My profile's checklist refreshes while the new password (or, when
/// registering, the email) is typed.
const TRIGGER: &str =
    "input changed delay:200ms from:#password, input changed delay:200ms from:#email";

/// The checklist for `password` typed by the owner of `email`, refreshed through `href`.
pub async fn checklist(
    state: &State,
    href: &str,
    password: &str,
    email: &str,
) -> Result<PolicyView, AppError> {
    let policy = state.db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
    let email = EmailAddress::parse(email).ok();
    Ok(PolicyView::new(href.to_owned(), TRIGGER, password, &policy, email.as_ref()))
}

/// The live checklist at the path it is posted to (htmx posts the whole form it sits in; only
/// the password and the email or username are read). Changes nothing.
pub async fn refresh(
    state: State,
    body: web::Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let mut pairs = Pairs::parse(&body)?;
    let password = pairs.take("password");
    let email = match pairs.take("email") {
        e if e.is_empty() => pairs.take("username"),
        e => e,
    };
    let policy = checklist(&state, req.path(), &password, &email).await?;
    html(StatusCode::OK, &PolicyFragment { policy })
}
