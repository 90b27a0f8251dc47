//! The Sessions tab's actions: **Terminate** one of the customer's My Account sessions, or
//! **Terminate all** (which also ends their sign-ins to applications), or one sign-in to an
//! application. The session ends on its very next request (its row is gone).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::accounts::sessions::{self, Area, Which};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::see_other;
use crate::web::{State, flash, urls};

async fn end(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: &str,
    which: Which<'_>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let ended =
        sessions::terminate(&state.db, admin.actor(&req), id, Area::MyAccount, which).await?;
    flash::set(
        &session,
        &match ended {
            0 => "That session had already ended.".to_owned(),
            1 => "The session was terminated.".to_owned(),
            n => format!("{n} sessions were terminated."),
        },
    );
    Ok(see_other(&req, &urls::console_user_action(id, "sessions")))
}

pub async fn terminate(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (id, handle) = path.into_inner();
    end(state, admin, session, &id, Which::One(&handle), req).await
}

pub async fn terminate_all(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    end(state, admin, session, &id, Which::All, req).await
}

/// Terminate a sign-in to an application: its tokens are revoked.
pub async fn terminate_application(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (id, grant) = path.into_inner();
    let revoked =
        crate::accounts::app_sessions::terminate(&state.db, admin.actor(&req), &id, &grant).await?;
    flash::set(
        &session,
        if revoked == 0 {
            "That sign-in had already ended."
        } else {
            "The sign-in to the application was terminated."
        },
    );
    Ok(see_other(&req, &urls::console_user_action(&id, "sessions")))
}
