//! The pages of emailed (or copied) links that set a password: invitations, password resets
//! and recovery (forgot password). GET only shows the form (mail scanners follow links); the POST that sets the
//! password consumes the token. Nothing is stored for the visitor (the form's CSRF token is
//! stateless), and guessing links is throttled per client address like sign-in.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::chrome::AccountChrome;
use super::password::{PasswordForm, PasswordPage, policy_view};
use crate::accounts::links::{self, AcceptError, Link};
use crate::db::tokens::TokenState;
use crate::domain::FieldErrors;
use crate::domain::account::Kind;
use crate::domain::token::Purpose;
use crate::error::AppError;
use crate::web::render::{html, see_other};
use crate::web::{State, client_ip, flash, signin, urls};

/// What one kind of link's pages say.
pub struct LinkKind {
    pub purpose: Purpose,
    pub path: fn(&str) -> String,
    pub heading: &'static str,
    /// Before the email, in the form's introduction.
    pub intro: &'static str,
    pub button: &'static str,
    used: &'static str,
    /// What a used link's page says happened.
    used_detail: &'static str,
    replaced: &'static str,
    expired: &'static str,
    unknown: &'static str,
    ask_again: &'static str,
    /// Setting the password also signs the customer in (an invitation: they just proved the
    /// address, and are on their way to use their new account).
    signs_in: bool,
}

pub const INVITATION: LinkKind = LinkKind {
    purpose: Purpose::Invitation,
    path: urls::invitation,
    heading: "Set your password",
    intro: "Choose a password for {email} to activate your account.",
    button: "Set password",
    used: "This invitation was already used",
    used_detail: "Your password has been set with this link. Sign in with it.",
    replaced: "This invitation was replaced",
    expired: "This invitation has expired",
    unknown: "This invitation link does not work",
    ask_again: "Ask the organization that invited you to send a new invitation.",
    signs_in: true,
};

pub const RESET: LinkKind = LinkKind {
    purpose: Purpose::PasswordReset,
    path: urls::password_reset,
    heading: "Choose a new password",
    intro: "Your password was reset. Choose a new password for {email}.",
    button: "Set new password",
    used: "This reset link was already used",
    used_detail: "Your password has been set with this link. Sign in with it.",
    replaced: "This reset link was replaced",
    expired: "This reset link has expired",
    unknown: "This reset link does not work",
    ask_again: "Ask the organization to send you a new password reset link.",
    signs_in: false,
};

pub const RECOVERY: LinkKind = LinkKind {
    purpose: Purpose::Recovery,
    path: urls::password_recovery,
    heading: "Choose a new password",
    intro: "Choose a new password for {email}. Every place you are signed in will be signed out.",
    button: "Set new password",
    used: "This link was already used",
    used_detail: "Your password has been set with this link. Sign in with it.",
    replaced: "This link was replaced",
    expired: "This link has expired",
    unknown: "This link does not work",
    ask_again: "Ask for a new one on the Forgot password page.",
    signs_in: false,
};

/// An administrator's invitation, opened on the console's own page (`console::join`): the
/// same link machinery, with the console's words.
pub const CONSOLE_INVITATION: LinkKind = LinkKind {
    purpose: Purpose::Invitation,
    path: urls::console_invitation,
    heading: "Join the console",
    intro: "Choose a password for {email} to activate your administrator account.",
    button: "Set password and sign in",
    used: "This invitation was already used",
    used_detail: "Your password has been set with this link. Sign in to the console with it.",
    replaced: "This invitation was replaced",
    expired: "This invitation has expired",
    unknown: "This invitation link does not work",
    ask_again: "Ask the administrator who invited you to send a new invitation.",
    signs_in: false,
};

/// A self-registered account's "verify your email" link (its open page is `register::verify`'s).
pub const VERIFICATION: LinkKind = LinkKind {
    purpose: Purpose::Verification,
    path: urls::verification,
    heading: "Verify your email",
    intro: "Confirm that {email} is yours to activate your account.",
    button: "Verify my email",
    used: "This email is already verified",
    used_detail: "Your account is active. Sign in with your email and password.",
    replaced: "This link was replaced",
    expired: "This link has expired",
    unknown: "This link does not work",
    ask_again: "Sign in, or register again to get a new link.",
    signs_in: false,
};

#[derive(Template)]
#[template(path = "myaccount/link_closed.html")]
pub(crate) struct ClosedPage {
    pub chrome: AccountChrome,
    pub title: &'static str,
    pub message: String,
}

/// The page of a link that does not open: an unknown one counts as a guess.
pub(super) async fn refuse(
    kind: &LinkKind,
    state: &State,
    req: &HttpRequest,
    ip: &str,
    link: &Link,
) -> Result<HttpResponse, AppError> {
    if matches!(link, Link::Unknown) {
        state.sign_in_throttle.record_failure(ip).await?;
    }
    closed(kind, state, req, link).await
}

async fn closed(
    kind: &LinkKind,
    state: &State,
    req: &HttpRequest,
    link: &Link,
) -> Result<HttpResponse, AppError> {
    let (status, title, message) = closed_text(kind, link);
    html(status, &ClosedPage { chrome: AccountChrome::anonymous(state, req), title, message })
}

/// What the page of a link that does not open says: its status, title and message.
pub(crate) fn closed_text(kind: &LinkKind, link: &Link) -> (StatusCode, &'static str, String) {
    match link {
        Link::Closed(TokenState::Used) => {
            (StatusCode::GONE, kind.used, format!("{} {}", kind.used_detail, kind.ask_again))
        }
        Link::Closed(TokenState::Revoked) => (
            StatusCode::GONE,
            kind.replaced,
            format!(
                "A newer link replaced this one, or the account changed since. Use the link in \
                 the latest email. {}",
                kind.ask_again
            ),
        ),
        Link::Closed(TokenState::Expired) => {
            (StatusCode::GONE, kind.expired, kind.ask_again.to_owned())
        }
        _ => (
            StatusCode::NOT_FOUND,
            kind.unknown,
            format!(
                "Check that you copied the whole link. If it still does not work: {}",
                kind.ask_again
            ),
        ),
    }
}

async fn form(
    kind: &LinkKind,
    state: &State,
    req: &HttpRequest,
    token: &str,
    email: String,
    name: &str,
    errors: FieldErrors,
) -> Result<PasswordPage, AppError> {
    Ok(PasswordPage {
        chrome: AccountChrome::anonymous(state, req),
        heading: kind.heading,
        intro: format!("Welcome, {name}. {}", kind.intro.replace("{email}", &email)),
        action: (kind.path)(token),
        button: kind.button,
        policy: policy_view(state, "", &email).await?,
        email,
        errors,
    })
}

/// Refuses a client that guessed too many links, before any work; counts an unknown link.
pub(crate) async fn throttled(state: &State, ip: &str) -> Result<(), AppError> {
    state.sign_in_throttle.check(ip).await
}

pub async fn show(
    kind: &'static LinkKind,
    state: State,
    token: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    throttled(&state, &ip).await?;
    match links::inspect(&state.services(), &token, kind.purpose, Kind::Customer).await? {
        Link::Open { email, name } => html(
            StatusCode::OK,
            &form(kind, &state, &req, &token, email, &name, FieldErrors::default()).await?,
        ),
        other => refuse(kind, &state, &req, &ip, &other).await,
    }
}

pub async fn submit(
    kind: &'static LinkKind,
    state: State,
    session: Session,
    token: web::Path<String>,
    body: web::Form<PasswordForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    throttled(&state, &ip).await?;
    let body = body.into_inner();
    let outcome = links::accept(
        &state.services(),
        &token,
        (kind.purpose, Kind::Customer),
        &body.password,
        &body.confirm,
        &ip,
    )
    .await;
    match outcome {
        Ok(accepted) if kind.signs_in => {
            crate::accounts::signin::record_link_sign_in(&state.db, accepted.account_id, &ip)
                .await?;
            signin::start_session(&session, accepted.public_id, &req)?;
            flash::set(&session, "Welcome! Your password is set and you are signed in.");
            Ok(see_other(&req, urls::MYACCOUNT))
        }
        Ok(accepted) => {
            let query = [("notice", "password_set"), ("email", &accepted.email)];
            let query = serde_urlencoded::to_string(query).unwrap_or_default();
            Ok(see_other(&req, &format!("{}?{query}", urls::MYACCOUNT_LOGIN)))
        }
        Err(AcceptError::Invalid(errors)) => {
            let Link::Open { email, name } =
                links::inspect(&state.services(), &token, kind.purpose, Kind::Customer).await?
            else {
                return Err(AppError::NotFound);
            };
            let mut page = form(kind, &state, &req, &token, email, &name, errors).await?;
            page.policy = policy_view(&state, &body.password, &page.email).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AcceptError::Closed(link)) => refuse(kind, &state, &req, &ip, &link).await,
        Err(AcceptError::Other(e)) => Err(e),
    }
}
