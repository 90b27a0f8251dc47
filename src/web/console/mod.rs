//! The administrators' console under `/console`: its own session cookie, CSRF on every form,
//! and every page but sign-in behind `require_admin`.

pub mod login;
pub mod users;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_web::cookie::{Key, SameSite};
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};

use super::render::see_other;
use super::session_store::DbSessionStore;
use super::{auth, csrf, urls};

pub const COOKIE: &str = "roster_console";

/// What is needed to build the console's session middleware in each worker.
#[derive(Clone)]
pub struct SessionLayer {
    pub store: DbSessionStore,
    pub key: Key,
    pub secure: bool,
}

impl SessionLayer {
    fn middleware(&self) -> SessionMiddleware<DbSessionStore> {
        SessionMiddleware::builder(self.store.clone(), self.key.clone())
            .cookie_name(COOKIE.to_owned())
            .cookie_path(urls::CONSOLE.to_owned())
            .cookie_http_only(true)
            .cookie_secure(self.secure)
            .cookie_same_site(SameSite::Strict)
            .cookie_content_security(CookieContentSecurity::Signed)
            // A browser-session cookie; expiry (idle and absolute) is enforced by the store.
            .session_lifecycle(BrowserSession::default())
            .build()
    }
}

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
    web::scope(urls::CONSOLE)
        .route("", web::get().to(to_console))
        .route("/", web::get().to(to_console))
        .service(
            web::resource("/login")
                .route(web::get().to(login::show))
                .route(web::post().to(login::submit)),
        )
        .route("/logout", web::post().to(login::logout))
        .service(
            web::scope("")
                .wrap(from_fn(auth::require_admin))
                .route("/users", web::get().to(users::list))
                .route("/users/{id}", web::get().to(users::show)),
        )
        .wrap(from_fn(csrf::check))
        .wrap(layer.middleware())
}

/// `/` and `/console` lead to the Users list (which sends anonymous visitors to sign in).
pub async fn to_console(req: HttpRequest) -> HttpResponse {
    see_other(&req, urls::CONSOLE_USERS)
}
