//! My Account under `/myaccount`, for customers: its own session cookie (SameSite=Lax, since
//! customers arrive from emailed links), CSRF on every form, and every page but sign-in, the
//! emailed links' pages, forgot password and registration behind `require_customer`.

pub mod authorize;
pub mod chrome;
pub mod data;
pub mod end_session;
pub mod forgot;
pub mod link;
pub mod password;
pub mod profile;
pub mod register;
pub mod security;

use actix_web::middleware::from_fn;
use actix_web::web;

use super::session_store::SessionLayer;
use super::{auth, csrf, signin};

pub fn scope(
    layer: SessionLayer,
) -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::scope(super::urls::MYACCOUNT)
        .service(
            web::resource("/login")
                .route(web::get().to(|st, s, q, r| signin::show(&signin::MYACCOUNT, st, s, q, r)))
                .route(
                    web::post().to(|st, s, f, r| signin::submit(&signin::MYACCOUNT, st, s, f, r)),
                ),
        )
        .route("/logout", web::post().to(|st, s, r| signin::logout(&signin::MYACCOUNT, st, s, r)))
        .route("/policy", web::post().to(super::password_policy::refresh))
        .route("/authorize", web::get().to(authorize::authorize))
        .service(
            web::resource("/end-session")
                .route(web::get().to(end_session::show))
                .route(web::post().to(end_session::submit)),
        )
        .service(
            web::resource("/forgot-password")
                .route(web::get().to(forgot::show))
                .route(web::post().to(forgot::submit)),
        )
        .service(
            web::resource("/register")
                .route(web::get().to(register::show))
                .route(web::post().to(register::submit)),
        )
        .route("/register/pending", web::get().to(register::pending))
        .route("/register/resend", web::post().to(register::resend))
        .service(
            web::resource("/verify/{token}")
                .route(web::get().to(register::verify_page))
                .route(web::post().to(register::verify)),
        )
        .service(
            web::resource("/invitation/{token}")
                .route(web::get().to(|st, t, r| link::show(&link::INVITATION, st, t, r)))
                .route(
                    web::post()
                        .to(|st, s, t, f, r| link::submit(&link::INVITATION, st, s, t, f, r)),
                ),
        )
        .service(
            web::resource("/reset/{token}")
                .route(web::get().to(|st, t, r| link::show(&link::RESET, st, t, r)))
                .route(web::post().to(|st, s, t, f, r| link::submit(&link::RESET, st, s, t, f, r))),
        )
        .service(
            web::resource("/recover/{token}")
                .route(web::get().to(|st, t, r| link::show(&link::RECOVERY, st, t, r)))
                .route(
                    web::post().to(|st, s, t, f, r| link::submit(&link::RECOVERY, st, s, t, f, r)),
                ),
        )
        .service(
            web::scope("")
                .wrap(from_fn(auth::require_customer))
                .route("", web::get().to(profile::show))
                .route("/", web::get().to(profile::show))
                .route("/profile", web::post().to(profile::update))
                .service(
                    web::resource("/password")
                        .route(web::get().to(password::show))
                        .route(web::post().to(password::submit)),
                )
                .route("/security", web::get().to(security::show))
                .route("/security/password", web::post().to(security::change_password))
                .route("/security/policy", web::post().to(super::password_policy::refresh))
                .route("/security/sessions/end-others", web::post().to(security::end_others))
                .route("/security/sessions/{handle}/end", web::post().to(security::end_one))
                .route("/data", web::get().to(data::show))
                .route("/data/download", web::get().to(data::download)),
        )
        .wrap(from_fn(csrf::check))
        .wrap(layer.middleware())
}
