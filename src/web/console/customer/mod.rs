//! A customer's page (Manage > Users > Edit): the tabs **Profile** (with the danger zone at its
//! bottom), **Groups** and **Sessions**, read in one trip to the database. Its actions are in
//! `profile` (Update, resend the pending link), `reset` (Reset password), `danger` (Lock user,
//! Delete User), `groups` (join, leave) and `sessions` (Terminate).

pub mod danger;
pub mod groups;
pub mod profile;
pub mod reset;
pub mod sessions;

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::accounts::audit_text::Part;

use super::confirm::Confirm;
use super::users::{Badge, badge};
use crate::accounts::audit_log::{self, EventView};
use crate::accounts::links::{self, Delivery, Pending};
use crate::accounts::sessions::{self as customer_sessions, SessionView};
use crate::db::accounts::Account;
use crate::db::audit::Filter;
use crate::db::groups::{self as group_rows, Group};
use crate::db::ids::AttributeId;
use crate::db::tokens::TokenState;
use crate::db::{accounts, attributes, settings};
use crate::domain::FieldErrors;
use crate::domain::account::{LockReason, Status};
use crate::domain::attribute::Place;
use crate::domain::format::{Stamp, Zone};
use crate::domain::mail::MailState;
use crate::domain::token::Purpose;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::own_security::SessionRow;
use crate::web::profile_fields::{self, AttributeField};
use crate::web::render::{Chrome, html};
use crate::web::reveal::{self, Kind, Revealed};
use crate::web::{State, flash, urls};

/// The tabs of a customer's page.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Profile,
    Groups,
    Sessions,
    History,
}

/// How to show a customer's page: which tab, a one-time notice, and the Profile form as
/// submitted when it had errors.
#[derive(Default)]
pub struct CustomerView {
    pub tab: Tab,
    /// A link or password made by the action that led here, shown once.
    pub reveal: Option<Revealed>,
    pub edit: Option<ProfileEdit>,
    /// The History tab's page: events older than this cursor.
    pub history_before: Option<String>,
}

/// The Profile form as submitted, shown again with its messages.
pub struct ProfileEdit {
    pub first_name: String,
    pub last_name: String,
    pub attributes: HashMap<String, String>,
    pub errors: FieldErrors,
}

/// A secret shown once, with what it is.
pub struct Shown {
    pub label: &'static str,
    pub value: String,
    pub hint: &'static str,
}

/// A group the customer is in, with the address that removes them from it.
pub struct GroupChip {
    pub name: String,
    pub remove_href: String,
}

/// The pending invitation or password reset, in words.
pub struct LinkView {
    /// "invitation sent" or "password reset requested".
    pub what: &'static str,
    pub heading: &'static str,
    pub resend_label: &'static str,
    pub summary: String,
    pub sent: Stamp,
    pub expires: Stamp,
    pub problem: Option<&'static str>,
}

/// The danger zone's state and forms.
pub struct DangerZone {
    pub locked: bool,
    pub reset: reset::ResetForm,
    pub lock: Confirm,
    pub delete: Confirm,
}

#[derive(Template)]
#[template(path = "console/customer.html")]
struct CustomerPage {
    chrome: Chrome,
    id: String,
    email: String,
    /// The customer followed a link emailed to this address (applications are told so).
    email_verified: bool,
    first_name: String,
    last_name: String,
    /// The Profile form's values (the saved ones, or those submitted with errors).
    form_first_name: String,
    form_last_name: String,
    errors: FieldErrors,
    attribute_fields: Vec<AttributeField>,
    tab: Tab,
    profile_href: String,
    groups_href: String,
    sessions_href: String,
    history_href: String,
    /// The History tab's events (only read on that tab) and its "Older" link.
    history: Vec<EventView>,
    history_older: Option<String>,
    badge: Badge,
    /// The status in words, with its reason.
    status_line: String,
    created: Stamp,
    updated: Stamp,
    last_sign_in: Option<Stamp>,
    groups: Vec<GroupChip>,
    /// Groups the customer is not in, to add.
    other_groups: Vec<Group>,
    back_href: &'static str,
    notice: Option<String>,
    shown: Option<Shown>,
    link: Option<LinkView>,
    sessions: Vec<SessionRow>,
    /// Sign-ins to applications (OpenID Connect grants).
    app_sessions: Vec<AppSessionRow>,
    terminate_all_href: String,
    can_manage: bool,
    smtp: bool,
    resend_href: String,
    danger: DangerZone,
}

pub(crate) fn link_view(p: Pending, zone: Zone) -> LinkView {
    let summary = match p.delivery {
        Delivery::Offline => "link shown in the console to copy".to_owned(),
        Delivery::Email(state) => match state {
            MailState::Sent => "email delivered to the mail server".to_owned(),
            MailState::Queued => "email queued".to_owned(),
            MailState::Retrying => "email not delivered yet; retrying".to_owned(),
            MailState::Failed => "email could not be delivered".to_owned(),
            MailState::Cancelled => "email cancelled".to_owned(),
        },
    };
    let reset = p.purpose == Purpose::PasswordReset;
    let problem = match (p.state, reset) {
        (TokenState::Usable, _) => None,
        (TokenState::Expired, false) => Some("The link has expired: send a new invitation."),
        (TokenState::Revoked, false) => Some("The link was revoked: send a new invitation."),
        (TokenState::Expired, true) => Some("The link has expired: send a new one."),
        (TokenState::Revoked, true) => Some("The link was revoked: send a new one."),
        (TokenState::Used, _) => Some("The link was used."),
    };
    LinkView {
        what: if reset { "password reset requested" } else { "invitation sent" },
        heading: if reset { "Password reset" } else { "Invitation" },
        resend_label: if reset { "Resend reset link" } else { "Resend invitation" },
        summary,
        sent: zone.stamp(&p.sent_at),
        expires: zone.stamp(&p.expires_at),
        problem,
    }
}

/// The status in plain words, with why and since when.
fn status_line(account: &Account, badge: &Badge, zone: Zone) -> String {
    match (account.status(), account.lock_reason()) {
        (Some(Status::Locked), Some(LockReason::FailedAttempts)) => match account.locked_until {
            Some(until) => {
                format!("Locked after failed sign-ins until {}", zone.stamp(&until).text)
            }
            None => "Locked after failed sign-ins".to_owned(),
        },
        (Some(Status::Locked), Some(LockReason::Admin)) => {
            let by = account.locked_by.as_deref().unwrap_or("an administrator");
            match account.locked_at {
                Some(at) => format!("Locked by {by} on {}", zone.stamp(&at).text),
                None => format!("Locked by {by}"),
            }
        }
        (Some(Status::Active), _) if account.must_change_password => {
            "Active, with a temporary password: must choose a new one at next sign-in".to_owned()
        }
        _ if account.must_change_password => {
            format!("{} — must choose a new password at next sign-in", badge.label)
        }
        _ => badge.label.to_owned(),
    }
}

/// The customer's page.
pub async fn render(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    id: &str,
    view: CustomerView,
) -> Result<HttpResponse, AppError> {
    let CustomerView { tab, reveal, edit, history_before } = view;
    let key = id.to_owned();
    // One trip to the database: the account, its groups, attribute values and sessions, the
    // schema, the password policy and, while pending, its link. A constant number of queries,
    // whatever the attributes or sessions.
    let (account, mine, pending, schema, values, (live, apps), policy) = state
        .db
        .run(move |c| {
            let account = accounts::find_customer(c, &key)?;
            let mine = group_rows::of_account(c, account.id)?;
            let pending = match account.status() {
                Some(Status::PendingPassword) => links::pending(c, account.id)?,
                _ => None,
            };
            let schema = attributes::all(c)?;
            let values: HashMap<AttributeId, String> =
                attributes::values_of(c, account.id)?.into_iter().collect();
            let live = customer_sessions::live(c, account.id, customer_sessions::Area::MyAccount)?;
            let apps = crate::accounts::app_sessions::live(c, account.id)?;
            let policy = settings::load(c)?.password_policy();
            Ok((account, mine, pending, schema, values, (live, apps), policy))
        })
        .await?;
    let (history, history_older) = if tab == Tab::History {
        let about = Filter { subject_id: Some(account.public_id.to_string()), ..Filter::default() };
        let page =
            audit_log::page(&state.db, state.zone(), about, history_before.as_deref()).await?;
        let base = urls::console_user_action(account.public_id, "history");
        (page.events, page.older.map(|c| format!("{base}?before={c}")))
    } else {
        (Vec::new(), None)
    };
    let others: Vec<Group> = state
        .groups
        .all(&state.db)
        .await?
        .iter()
        .filter(|g| !mine.iter().any(|m| m.id == g.id))
        .cloned()
        .collect();
    let message = flash::take(session);
    let shown = reveal.and_then(|r| {
        let (label, hint) = match r.kind {
            Kind::InvitationLink => (
                "Invitation link",
                "Shown once. Pass it to the customer; it works once and expires.",
            ),
            Kind::ResetLink => (
                "Password reset link",
                "Shown once. Pass it to the customer; it works once and expires.",
            ),
            Kind::TemporaryPassword => {
                ("Temporary password", "Shown once. The customer must replace it at first sign-in.")
            }
            Kind::ClientSecret => return None,
        };
        Some(Shown { label, value: r.value, hint })
    });
    let status = if edit.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let attribute_fields = profile_fields::fields(
        &schema,
        Place::Console,
        &values,
        edit.as_ref().map(|e| &e.attributes),
        false,
    );
    let (form_first_name, form_last_name, errors) = match edit {
        Some(e) => (e.first_name, e.last_name, e.errors),
        None => (account.first_name.clone(), account.last_name.clone(), FieldErrors::default()),
    };
    let badge =
        badge(&account.status, account.lock_reason.as_deref(), account.must_change_password);
    let zone = state.zone();
    let public_id = account.public_id.to_string();
    let sessions = live.into_iter().map(|s| session_row(&public_id, s, zone)).collect();
    let app_sessions = apps.into_iter().map(|s| app_session_row(&public_id, s, zone)).collect();
    let danger = DangerZone {
        locked: account.status() == Some(Status::Locked),
        reset: reset::reset_form(
            &account,
            reset::ResetInput::fresh(state.smtp_available),
            &policy,
            state.smtp_available,
        ),
        lock: danger::lock_confirm(&account),
        delete: danger::delete_confirm(&account),
    };
    let page = CustomerPage {
        chrome: Chrome::new(state, session, admin, "users"),
        form_first_name,
        form_last_name,
        errors,
        attribute_fields,
        tab,
        profile_href: urls::console_user(account.public_id),
        groups_href: urls::console_user_action(account.public_id, "groups"),
        sessions_href: urls::console_user_action(account.public_id, "sessions"),
        history_href: urls::console_user_action(account.public_id, "history"),
        history,
        history_older,
        resend_href: urls::console_user_invitation(account.public_id),
        terminate_all_href: urls::console_user_action(account.public_id, "sessions/terminate-all"),
        id: public_id,
        email: account.email.clone(),
        email_verified: account.email_verified_at.is_some(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        status_line: status_line(&account, &badge, zone),
        badge,
        created: zone.stamp(&account.created_at),
        updated: zone.stamp(&account.updated_at),
        last_sign_in: account.last_sign_in_at.as_ref().map(|t| zone.stamp(t)),
        groups: mine
            .into_iter()
            .map(|g| GroupChip {
                remove_href: urls::console_user_action(
                    account.public_id,
                    format!("groups/{}/remove", g.public_id),
                ),
                name: g.name,
            })
            .collect(),
        other_groups: others,
        back_href: urls::CONSOLE_USERS,
        notice: message,
        shown,
        link: pending.map(|p| link_view(p, zone)),
        sessions,
        app_sessions,
        can_manage: admin.can_manage_customers(),
        smtp: state.smtp_available,
        danger,
    };
    html(status, &page)
}

pub struct AppSessionRow {
    pub application: String,
    pub signed_in: Stamp,
    pub last_used: Stamp,
    pub end_href: String,
}

fn app_session_row(
    account_id: &str,
    s: crate::accounts::app_sessions::AppSession,
    zone: Zone,
) -> AppSessionRow {
    AppSessionRow {
        application: s.application,
        signed_in: zone.stamp(&s.signed_in),
        last_used: zone.stamp(&s.last_used),
        end_href: urls::console_user_action(
            account_id,
            format!("applications/{}/terminate", s.grant_id),
        ),
    }
}

fn session_row(account_id: &str, s: SessionView, zone: Zone) -> SessionRow {
    let href = urls::console_user_action(account_id, format!("sessions/{}/terminate", s.handle));
    SessionRow::new(s, zone, false, href)
}

/// A tab of the customer's page; the Profile tab right after an action that made a link or
/// password shows it, once.
pub async fn show(
    tab: Tab,
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    // Only the Profile tab shows it: that is where the action's redirect leads.
    let kinds: &[Kind] = match tab {
        Tab::Profile => &[Kind::InvitationLink, Kind::ResetLink, Kind::TemporaryPassword],
        _ => &[],
    };
    let reveal = reveal::take(&req, &session, &urls::console_user(&id), kinds);
    render(&state, &session, &admin, &id, CustomerView { tab, reveal, ..Default::default() }).await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    #[serde(default)]
    before: Option<String>,
}

/// The History tab: the events about the customer, newest first, 50 a page.
pub async fn history(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    let view = CustomerView {
        tab: Tab::History,
        history_before: query.into_inner().before,
        ..CustomerView::default()
    };
    render(&state, &session, &admin, &id, view).await
}
