//! Settings > Administrators: the owner and the collaborators (role, status, last sign-in),
//! and each one's page: the pending invitation (Resend, Revoke), Change role, Remove (a
//! checkbox and Confirm), and, for the owner, Transfer ownership (with their password). Inviting is in
//! `invite_administrator`. The rules (nobody acts on the owner or on themself) are the use
//! cases'; the page only leaves out what they would refuse.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::confirm::{self, Confirm, ConfirmForm};
use super::customer::profile::ResendForm;
use super::customer::{LinkView, link_view};
use super::users::{Badge, badge};
use crate::accounts::administrators as use_case;
use crate::accounts::links;
use crate::accounts::{FormError, administrators::Removed};
use crate::db::accounts::{self, Account};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, Role, Status};
use crate::domain::format::Stamp;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html, see_other};
use crate::web::reveal;
use crate::web::{State, client_ip, flash, urls};

pub struct AdminRow {
    pub href: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub badge: Badge,
    pub last_sign_in: Option<Stamp>,
    pub you: bool,
}

#[derive(Template)]
#[template(path = "console/administrators.html")]
struct AdministratorsPage {
    chrome: Chrome,
    notice: Option<String>,
    rows: Vec<AdminRow>,
    can_manage: bool,
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
            href: urls::console_administrator(a.public_id),
            name: a.display_name(),
            role: a.role().map(Role::label).unwrap_or("—"),
            badge: badge(&a.status, a.lock_reason.as_deref(), false),
            last_sign_in: a.last_sign_in_at.as_ref().map(|t| state.stamp(t)),
            you: a.id == admin.id,
            email: a.email,
        })
        .collect();
    let page = AdministratorsPage {
        chrome: Chrome::new(&state, &session, &admin, "administrators"),
        notice: flash::take(&session),
        rows,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

/// What the signed-in administrator may do to the one whose page it is.
#[derive(Default)]
struct Allowed {
    /// Change role, Resend, Revoke, Remove: a manager, on someone else who is not the owner.
    manage: bool,
    /// Transfer ownership: the owner, to an active administrator or viewer.
    transfer: bool,
}

fn allowed(admin: &CurrentAdmin, target: &Account) -> Allowed {
    let other = target.id != admin.id && target.role() != Some(Role::Owner);
    Allowed {
        manage: other && admin.can_manage_customers(),
        transfer: other
            && admin.role() == Some(Role::Owner)
            && target.status() == Some(Status::Active),
    }
}

#[derive(Template)]
#[template(path = "console/administrator.html")]
struct AdministratorPage {
    chrome: Chrome,
    notice: Option<String>,
    /// An invitation link to copy, shown once.
    copy_link: Option<String>,
    base: String,
    name: String,
    email: String,
    role: String,
    role_label: &'static str,
    badge: Badge,
    last_sign_in: Option<Stamp>,
    since: Stamp,
    you: bool,
    pending: Option<LinkView>,
    smtp: bool,
    allowed: Allowed,
    role_error: Option<&'static str>,
    remove: Confirm,
}

fn remove_confirm(a: &Account) -> Confirm {
    let href = urls::console_administrator(a.public_id);
    Confirm {
        id: "remove-dialog",
        title: "Remove administrator".into(),
        message: format!(
            "{} ({}) will no longer be able to sign in to the console, and is signed out at \
             once. The audit log keeps what they did, under their name.",
            a.display_name(),
            a.email
        ),
        check_label: "I understand that this administrator will be removed.".into(),
        action: format!("{href}/remove"),
        page: format!("{href}/remove"),
        cancel: href,
        error: None,
    }
}

async fn find_admin(state: &State, id: &str) -> Result<Account, AppError> {
    let key = id.to_owned();
    state
        .db
        .run(move |c| {
            accounts::find_public(c, &key)?
                .filter(|a| a.kind() == Some(Kind::Administrator))
                .ok_or(AppError::NotFound)
        })
        .await
}

async fn render(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    id: &str,
    copy_link: Option<String>,
    role_error: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    let key = id.to_owned();
    let (target, pending) = state
        .db
        .run(move |c| {
            let target = accounts::find_public(c, &key)?
                .filter(|a| a.kind() == Some(Kind::Administrator))
                .ok_or(AppError::NotFound)?;
            let pending = match target.status() {
                Some(Status::PendingPassword) => links::pending(c, target.id)?,
                _ => None,
            };
            Ok((target, pending))
        })
        .await?;
    let page = AdministratorPage {
        chrome: Chrome::new(state, session, admin, "administrators"),
        notice: flash::take(session),
        copy_link,
        base: urls::console_administrator(target.public_id),
        name: target.display_name(),
        role: target.role.clone().unwrap_or_default(),
        role_label: target.role().map(Role::label).unwrap_or("—"),
        badge: badge(&target.status, target.lock_reason.as_deref(), false),
        last_sign_in: target.last_sign_in_at.as_ref().map(|t| state.stamp(t)),
        since: state.stamp(&target.created_at),
        you: target.id == admin.id,
        pending: pending.map(|p| link_view(p, state.zone())),
        smtp: state.smtp_available,
        allowed: allowed(admin, &target),
        role_error,
        remove: remove_confirm(&target),
        email: target.email,
    };
    let status =
        if role_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(status, &page)
}

/// An administrator's page; right after an invitation was made to be copied, with the link,
/// once.
pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let page = urls::console_administrator(&id);
    let link = reveal::take(&req, &session, &page, &[reveal::Kind::InvitationLink]);
    render(&state, &session, &admin, &id, link.map(|r| r.value), None).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RoleForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = admin.actor(&req);
    match use_case::change_role(&state.db, admin.id, actor, &id, &form.role).await {
        Ok(changed) => {
            let label = use_case::assignable(&form.role).map(Role::label).unwrap_or("");
            let message = if changed {
                format!("The role is now {label}. It applies from their next click.")
            } else {
                format!("The role was already {label}.")
            };
            flash::set(&session, &message);
            Ok(see_other(&req, &urls::console_administrator(&id)))
        }
        Err(FormError::Invalid(_)) => {
            render(&state, &session, &admin, &id, None, Some(use_case::CHOOSE_ROLE)).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

pub async fn resend(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ResendForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let send = form.send_by(state.smtp_available)?;
    let actor = admin.actor(&req);
    match use_case::resend(&state.services(), admin.id, actor, &id, send).await? {
        None => {
            flash::set(
                &session,
                "A new invitation is on its way. The previous link no longer works.",
            );
            Ok(see_other(&req, &urls::console_administrator(&id)))
        }
        Some(link) => {
            flash::set(
                &session,
                "A new invitation link was created. The previous link no longer works.",
            );
            let page = urls::console_administrator(&id);
            Ok(reveal::see_other_showing(
                &req,
                &session,
                &page,
                reveal::Kind::InvitationLink,
                &link,
            ))
        }
    }
}

fn removed_message(r: &Removed, what: &str) -> String {
    format!("{} ({}) {what}", r.name, r.email)
}

/// Revoke invitation: the pending administrator goes; the link stops working.
pub async fn revoke(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let removed = use_case::remove(&state.db, admin.id, admin.actor(&req), &id, true).await?;
    flash::set(&session, &removed_message(&removed, "was not added: the invitation is revoked."));
    Ok(see_other(&req, urls::CONSOLE_ADMINISTRATORS))
}

/// Remove administrator on a page of its own (the dialog's form, without script).
pub async fn show_remove(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let target = find_admin(&state, &id).await?;
    let c = remove_confirm(&target);
    confirm::page(&state, &session, &admin, "administrators", &target.display_name(), c, false)
}

pub async fn remove(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !form.confirmed() {
        let target = find_admin(&state, &id).await?;
        let c = remove_confirm(&target);
        let name = target.display_name();
        return confirm::page(&state, &session, &admin, "administrators", &name, c, true);
    }
    let removed = use_case::remove(&state.db, admin.id, admin.actor(&req), &id, false).await?;
    flash::set(&session, &removed_message(&removed, "was removed and signed out."));
    Ok(see_other(&req, urls::CONSOLE_ADMINISTRATORS))
}

#[derive(Template)]
#[template(path = "console/transfer.html")]
struct TransferPage {
    chrome: Chrome,
    base: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

async fn transfer_page(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    id: &str,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let target = find_admin(state, id).await?;
    if !allowed(admin, &target).transfer {
        return Err(use_case::TRANSFER_REFUSED);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = TransferPage {
        chrome: Chrome::new(state, session, admin, "administrators"),
        base: urls::console_administrator(target.public_id),
        name: target.display_name(),
        email: target.email,
        errors,
    };
    html(status, &page)
}

pub async fn show_transfer(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    transfer_page(&state, &session, &admin, &id, FieldErrors::default()).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferForm {
    #[serde(default)]
    password: String,
}

pub async fn transfer(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<TransferForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    // A guessed password counts like a failed sign-in, and is refused like one when too many.
    state.sign_in_throttle.check(&ip).await?;
    let s = state.services();
    match use_case::transfer_ownership(&s, admin.id, admin.actor(&req), &id, &form.password).await {
        Ok(()) => {
            flash::set(&session, "The ownership is transferred. You are now an Administrator.");
            Ok(see_other(&req, &urls::console_administrator(&id)))
        }
        Err(FormError::Invalid(errors)) => {
            if errors.get("password") == Some(use_case::WRONG_PASSWORD) {
                state.sign_in_throttle.record_failure(&ip).await?;
            }
            transfer_page(&state, &session, &admin, &id, errors).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}
