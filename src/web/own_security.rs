//! An account's own security, the same in both areas: **Change password** (with the current
//! one) and the list of where it is signed in, with **Sign out** of any other session or of all
//! others. My Account > Security (customers) and My profile (administrators, in the console)
//! are this, in their own layouts.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::accounts::password::{self, ChangeError};
use crate::accounts::sessions::{self, Area, Which};
use crate::db::accounts::AccountSummary;
use crate::db::audit::Actor;
use crate::domain::FieldErrors;
use crate::domain::format::{Stamp, Zone};
use crate::error::AppError;
use crate::web::password_policy::{PolicyView, checklist};
use crate::web::render::see_other;
use crate::web::session_store::KEY_LOADED_ID_HASH;
use crate::web::{State, client_ip, flash, signin};

/// Whose security page: the signed-in account, its area, and where the page lives.
pub struct Owner<'a> {
    pub account: &'a AccountSummary,
    pub area: Area,
    /// The page's path; its forms (and the policy checklist) post below it.
    pub page: &'static str,
}

/// A session as pages list it (here, and on a customer's Sessions tab in the console).
pub struct SessionRow {
    pub device: String,
    pub ip: String,
    pub signed_in: Stamp,
    pub last_seen: Stamp,
    /// The session making this request.
    pub current: bool,
    /// Where its Sign out (or Terminate) posts.
    pub end_href: String,
}

impl SessionRow {
    pub fn new(
        s: crate::accounts::sessions::SessionView,
        zone: Zone,
        current: bool,
        end_href: String,
    ) -> Self {
        Self {
            device: s.device,
            ip: s.ip,
            signed_in: zone.stamp(&s.signed_in),
            last_seen: zone.stamp(&s.last_seen),
            current,
            end_href,
        }
    }
}

/// What the partial `partials/own_security.html` shows.
pub struct SecurityView {
    pub email: String,
    pub password_action: String,
    pub end_others_action: String,
    pub policy: PolicyView,
    pub errors: FieldErrors,
    pub sessions: Vec<SessionRow>,
    pub others: usize,
}

impl SecurityView {
    pub fn status(&self) -> actix_web::http::StatusCode {
        if self.errors.is_empty() {
            actix_web::http::StatusCode::OK
        } else {
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// The handle of the session making this request.
fn current_handle(session: &Session) -> String {
    let id_hash = session.get::<String>(KEY_LOADED_ID_HASH).ok().flatten().unwrap_or_default();
    sessions::handle(&id_hash)
}

/// The view, with `typed` in the checklist and `errors` next to the fields.
pub async fn view(
    state: &State,
    session: &Session,
    owner: &Owner<'_>,
    typed: &str,
    errors: FieldErrors,
) -> Result<SecurityView, AppError> {
    let (id, area) = (owner.account.id, owner.area);
    let live = state.db.run(move |c| Ok(sessions::live(c, id, area)?)).await?;
    let current = current_handle(session);
    let rows: Vec<SessionRow> = live
        .into_iter()
        .map(|s| {
            let (is_current, href) =
                (s.handle == current, format!("{}/sessions/{}/end", owner.page, s.handle));
            SessionRow::new(s, state.zone(), is_current, href)
        })
        .collect();
    let policy_href = format!("{}/policy", owner.page);
    let policy = checklist(state, &policy_href, typed, &owner.account.email).await?;
    Ok(SecurityView {
        email: owner.account.email.clone(),
        password_action: format!("{}/password", owner.page),
        end_others_action: format!("{}/sessions/end-others", owner.page),
        policy,
        errors,
        others: rows.iter().filter(|r| !r.current).count(),
        sessions: rows,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeForm {
    current: String,
    password: String,
    confirm: String,
    /// The hidden username field that lets password managers file the new password.
    #[serde(default)]
    #[allow(dead_code)]
    username: Option<String>,
}

/// What a change-password POST led to: a redirect, or the page again with messages.
pub enum Changed {
    Done(HttpResponse),
    Invalid(SecurityView),
}

pub async fn change_password(
    state: &State,
    session: &Session,
    owner: &Owner<'_>,
    form: ChangeForm,
    req: &HttpRequest,
) -> Result<Changed, AppError> {
    let ip = client_ip(req);
    // It checks a password: throttled like sign-in, and a wrong one counts.
    state.sign_in_throttle.check(&ip).await?;
    let s = state.services();
    let id = owner.account.id;
    match password::change(&s, id, &form.current, &form.password, &form.confirm, &ip).await {
        Ok(()) => {
            signin::start_session(session, owner.account.public_id, req)?;
            flash::set(
                session,
                "Your password was changed. Every other place you were signed in was signed out.",
            );
            Ok(Changed::Done(see_other(req, owner.page)))
        }
        Err(ChangeError::WrongCurrent(errors)) => {
            state.sign_in_throttle.record_failure(&ip).await?;
            Ok(Changed::Invalid(view(state, session, owner, &form.password, errors).await?))
        }
        Err(ChangeError::Invalid(errors)) => {
            Ok(Changed::Invalid(view(state, session, owner, &form.password, errors).await?))
        }
        Err(ChangeError::Other(e)) => Err(e),
    }
}

/// **Sign out** of one other session (`Some(handle)`: this one is ended by the header's Sign
/// out, which also records it), or of all others (`None`).
pub async fn end(
    state: &State,
    session: &Session,
    owner: &Owner<'_>,
    actor: Actor,
    handle: Option<&str>,
    req: &HttpRequest,
) -> Result<HttpResponse, AppError> {
    let current = current_handle(session);
    let which = match handle {
        Some(h) if h == current => {
            return Err(AppError::BadRequest("Use Sign out at the top to end this session."));
        }
        Some(h) => Which::One(h),
        None => Which::AllExcept(&current),
    };
    let ended = sessions::terminate(
        &state.db,
        actor,
        &owner.account.public_id.to_string(),
        owner.area,
        which,
    )
    .await?;
    flash::set(
        session,
        &match ended {
            0 => "That session had already ended.".to_owned(),
            1 => "That session was signed out.".to_owned(),
            n => format!("{n} sessions were signed out."),
        },
    );
    Ok(see_other(req, owner.page))
}
