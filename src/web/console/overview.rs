//! Overview: the console's first page (the brand links here).

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::accounts::audit_text::Part;
use crate::accounts::overview::{self, Overview};
use crate::domain::account::Status;
use crate::domain::format::thousands;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html};
use crate::web::{State, flash};

/// A figure of the Overview, linking to where it comes from.
pub struct Stat {
    pub label: &'static str,
    pub value: String,
    pub href: String,
    /// "warn" or "bad" when it asks for attention, else empty.
    pub tone: &'static str,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    notice: Option<String>,
    customers: Vec<Stat>,
    activity: Vec<Stat>,
    o: Overview,
    can_manage: bool,
}

fn stat(label: &'static str, n: i64, href: &str, tone: &'static str) -> Stat {
    Stat { label, value: thousands(n), href: href.to_owned(), tone: if n > 0 { tone } else { "" } }
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let o = overview::load(&state.db, state.zone()).await?;
    let users = "/console/users";
    let customers = vec![
        stat("Customers", o.total, users, ""),
        stat("Active", o.of(Status::Active), &format!("{users}?status=active"), ""),
        stat(
            "Invited, no password yet",
            o.of(Status::PendingPassword),
            &format!("{users}?status=pending_password"),
            "",
        ),
        stat(
            "Waiting to verify their email",
            o.of(Status::PendingVerification),
            &format!("{users}?status=pending_verification"),
            "",
        ),
        stat("Locked", o.of(Status::Locked), &format!("{users}?status=locked"), "warn"),
    ];
    let log = "/console/settings/audit-log";
    let activity = vec![
        stat("Sign-ins today", o.sign_ins_today, &format!("{log}?action=signin.succeeded"), ""),
        stat(
            "Failed sign-ins today",
            o.failed_sign_ins_today,
            &format!("{log}?action=signin.failed"),
            "warn",
        ),
        stat(
            "Emails that could not be sent",
            o.failed_emails,
            "/console/settings/outbox?state=failed",
            "bad",
        ),
    ];
    let page = OverviewPage {
        chrome: Chrome::new(&state, &session, &admin, "overview"),
        notice: flash::take(&session),
        customers,
        activity,
        o,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}
