//! The danger zone's confirmations: the **Lock user** toggle (lock, unlock) and **Delete User**,
//! each a checkbox and **Confirm** in a dialog on the customer's page or on a page of its own.
//! **Reset password** is in `reset`.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::accounts::lock::{self, Toggled};
use crate::accounts::removal;
use crate::db::accounts::{self, Account};
use crate::domain::account::Status;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::console::confirm::{self, Confirm, ConfirmForm};
use crate::web::render::see_other;
use crate::web::{State, flash, urls};

/// The lock toggle's confirmation: locking, or (when locked) unlocking.
pub fn lock_confirm(account: &Account) -> Confirm {
    let page = urls::console_user(account.public_id);
    if account.status() == Some(Status::Locked) {
        Confirm {
            id: "lock-dialog",
            title: "Unlock user".into(),
            message: format!(
                "{} will be able to sign in to My Account and the organization's applications \
                 again at once. They are emailed that their account was unlocked.",
                account.email
            ),
            check_label: "I want to unlock this account.".into(),
            action: urls::console_user_action(account.public_id, "unlock"),
            page: urls::console_user_action(account.public_id, "unlock"),
            cancel: page,
            error: None,
        }
    } else {
        Confirm {
            id: "lock-dialog",
            title: "Lock user".into(),
            message: format!(
                "{} will no longer be able to access any business applications or My Account. \
                 Every place they are signed in is signed out at once, open password links stop \
                 working, and they are emailed that their account was locked. You can unlock it \
                 again with the same toggle.",
                account.email
            ),
            check_label: "I want to lock this account.".into(),
            action: urls::console_user_action(account.public_id, "lock"),
            page: urls::console_user_action(account.public_id, "lock"),
            cancel: page,
            error: None,
        }
    }
}

pub fn delete_confirm(account: &Account) -> Confirm {
    Confirm::deletion(
        "Delete User",
        format!(
            "Deleting {} removes the account, its profile and attribute values, group \
             memberships, sessions, pending links and emails. The email address can be used \
             again. This cannot be undone; the audit trail keeps only that it happened.",
            account.email
        ),
        "I understand that this account will be deleted for good.",
        urls::console_user(account.public_id),
    )
}

async fn customer(state: &State, id: &str) -> Result<Account, AppError> {
    let id = id.to_owned();
    state.db.run(move |c| Ok(accounts::find_customer(c, &id)?)).await
}

/// A confirmation on its own page.
async fn confirm_page(
    state: &State,
    admin: &CurrentAdmin,
    session: &Session,
    id: &str,
    build: fn(&Account) -> Confirm,
    refused: bool,
) -> Result<HttpResponse, AppError> {
    let account = customer(state, id).await?;
    confirm::page(state, session, admin, "users", &account.email, build(&account), refused)
}

/// Lock user (or unlock) and Delete User on a page of their own: `build` says which.
pub async fn show(
    build: fn(&Account) -> Confirm,
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    confirm_page(&state, &admin, &session, &id, build, false).await
}

/// The Lock user toggle's Confirm: locks (`lock`) or unlocks the customer.
pub async fn set_lock(
    lock: bool,
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !form.confirmed() {
        return confirm_page(&state, &admin, &session, &id, lock_confirm, true).await;
    }
    let done = lock::set_locked(&state.db, &state.outbox, admin.actor(&req), &id, lock).await?;
    let message = match (lock, done) {
        (true, Toggled::Done) => {
            "The user was locked. Their sessions have ended and they cannot sign in."
        }
        (true, Toggled::Already) => "The user was already locked.",
        (false, Toggled::Done) => "The user was unlocked and can sign in again.",
        (false, Toggled::Already) => "The user was not locked.",
    };
    flash::set(&session, message);
    Ok(see_other(&req, &urls::console_user(&id)))
}

pub async fn delete_user(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !form.confirmed() {
        return confirm_page(&state, &admin, &session, &id, delete_confirm, true).await;
    }
    let deleted = removal::delete_customer(&state.db, admin.actor(&req), &id).await?;
    flash::set(&session, &format!("Customer {} was deleted.", deleted.email));
    Ok(see_other(&req, urls::CONSOLE_USERS))
}
