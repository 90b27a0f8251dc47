//! My profile: the signed-in administrator's own name, password and sessions (any role: it is
//! their own account). Nobody changes another administrator's password here.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::FormError;
use crate::accounts::profile;
use crate::accounts::sessions::Area;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::own_security::{self, ChangeForm, Changed, Owner, SecurityView};
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

#[derive(Template)]
#[template(path = "console/my_profile.html")]
struct MyProfilePage {
    chrome: Chrome,
    notice: Option<String>,
    email: String,
    first_name: String,
    last_name: String,
    errors: FieldErrors,
    sec: SecurityView,
    /// For the shared name fields: everyone edits their own.
    can_manage: bool,
}

fn owner(admin: &CurrentAdmin) -> Owner<'_> {
    Owner { account: &admin.0, area: Area::Console, page: urls::CONSOLE_PROFILE }
}

async fn page(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    names: Option<(String, String, FieldErrors)>,
    sec: Option<SecurityView>,
) -> Result<HttpResponse, AppError> {
    let sec = match sec {
        Some(sec) => sec,
        None => {
            own_security::view(state, session, &owner(admin), "", FieldErrors::default()).await?
        }
    };
    let (first_name, last_name, errors) = names.unwrap_or_else(|| {
        (admin.first_name.clone(), admin.last_name.clone(), FieldErrors::default())
    });
    let status = if errors.is_empty() {
        sec.status()
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = MyProfilePage {
        chrome: Chrome::new(state, session, admin, "profile"),
        notice: flash::take(session),
        email: admin.email.clone(),
        first_name,
        last_name,
        errors,
        sec,
        can_manage: true,
    };
    html(status, &view)
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    page(&state, &session, &admin, None, None).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamesForm {
    first_name: String,
    last_name: String,
}

pub async fn rename(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    form: web::Form<NamesForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let outcome = profile::rename_administrator(
        &state.db,
        admin.actor(&req),
        admin.id,
        &f.first_name,
        &f.last_name,
    )
    .await;
    match outcome {
        Ok(changed) => {
            flash::set(&session, if changed { "Your name was saved." } else { "Nothing changed." });
            Ok(see_other(&req, urls::CONSOLE_PROFILE))
        }
        Err(FormError::Invalid(errors)) => {
            page(&state, &session, &admin, Some((f.first_name, f.last_name, errors)), None).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

pub async fn change_password(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    form: web::Form<ChangeForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let o = owner(&admin);
    match own_security::change_password(&state, &session, &o, form.into_inner(), &req).await? {
        Changed::Done(res) => Ok(res),
        Changed::Invalid(sec) => page(&state, &session, &admin, None, Some(sec)).await,
    }
}

pub async fn end_one(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    handle: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = admin.actor(&req);
    own_security::end(&state, &session, &owner(&admin), actor, Some(&handle), &req).await
}

pub async fn end_others(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = admin.actor(&req);
    own_security::end(&state, &session, &owner(&admin), actor, None, &req).await
}
