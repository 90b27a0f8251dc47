//! The administrators' console under `/console`: its own session cookie, CSRF on every form,
//! and every page but sign-in behind `require_admin`.

pub mod access;
pub mod administrators;
pub mod applications;
pub mod attributes;
pub mod audit_log;
pub mod confirm;
pub mod customer;
pub mod groups;
pub mod invite_administrator;
pub mod join;
pub mod login_security;
pub mod my_profile;
pub mod new_user;
pub mod outbox;
pub mod overview;
pub mod password_choice;
pub mod settings;
pub mod signing_keys;
pub mod users;
pub mod users_text;

use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};

use super::render::see_other;
use super::session_store::SessionLayer;
use super::{auth, csrf, signin, urls};
use customer::Tab;
use customer::danger::{delete_confirm, lock_confirm};

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
                .route(web::get().to(|st, s, q, r| signin::show(&signin::CONSOLE, st, s, q, r)))
                .route(web::post().to(|st, s, f, r| signin::submit(&signin::CONSOLE, st, s, f, r))),
        )
        .route("/logout", web::post().to(|st, s, r| signin::logout(&signin::CONSOLE, st, s, r)))
        // An invited administrator's link: before they have an account to sign in with.
        .service(
            web::resource("/invitation/{token}")
                .route(web::get().to(join::show))
                .route(web::post().to(join::submit)),
        )
        .route("/invitation/{token}/policy", web::post().to(super::password_policy::refresh))
        .service(
            web::scope("")
                // The outer one runs first: who is it, then may they.
                .wrap(from_fn(access::authorize))
                .wrap(from_fn(auth::require_admin))
                .route("/overview", web::get().to(overview::show))
                .route("/users", web::get().to(users::list))
                .service(
                    web::resource("/profile")
                        .route(web::get().to(my_profile::show))
                        .route(web::post().to(my_profile::rename)),
                )
                .route("/profile/password", web::post().to(my_profile::change_password))
                .route("/profile/policy", web::post().to(crate::web::password_policy::refresh))
                .route("/profile/sessions/end-others", web::post().to(my_profile::end_others))
                .route("/profile/sessions/{handle}/end", web::post().to(my_profile::end_one))
                .route("/settings/administrators", web::get().to(administrators::list))
                .service(
                    web::resource("/settings/administrators/invite")
                        .route(web::get().to(invite_administrator::show))
                        .route(web::post().to(invite_administrator::submit)),
                )
                .route("/settings/administrators/{id}", web::get().to(administrators::show))
                .route(
                    "/settings/administrators/{id}/role",
                    web::post().to(administrators::change_role),
                )
                .route(
                    "/settings/administrators/{id}/invitation",
                    web::post().to(administrators::resend),
                )
                .route(
                    "/settings/administrators/{id}/revoke",
                    web::post().to(administrators::revoke),
                )
                .service(
                    web::resource("/settings/administrators/{id}/remove")
                        .route(web::get().to(administrators::show_remove))
                        .route(web::post().to(administrators::remove)),
                )
                .service(
                    web::resource("/settings/administrators/{id}/transfer")
                        .route(web::get().to(administrators::show_transfer))
                        .route(web::post().to(administrators::transfer)),
                )
                .route("/settings/signing-keys", web::get().to(signing_keys::show))
                .route("/settings/signing-keys/rotate", web::post().to(signing_keys::rotate))
                .route("/settings/audit-log", web::get().to(audit_log::show))
                .route("/settings/audit-log/export.csv", web::get().to(audit_log::export))
                .service(
                    web::resource("/settings/general")
                        .route(
                            web::get().to(|st, a, s| settings::show(&settings::GENERAL, st, a, s)),
                        )
                        .route(web::post().to(|st, a, s, b, r| {
                            settings::update(&settings::GENERAL, st, a, s, b, r)
                        })),
                )
                .service(
                    web::resource("/settings/password-policy")
                        .route(
                            web::get()
                                .to(|st, a, s| settings::show(&settings::PASSWORDS, st, a, s)),
                        )
                        .route(web::post().to(|st, a, s, b, r| {
                            settings::update(&settings::PASSWORDS, st, a, s, b, r)
                        })),
                )
                .service(
                    web::resource("/settings/self-registration")
                        .route(
                            web::get()
                                .to(|st, a, s| settings::show(&settings::REGISTRATION, st, a, s)),
                        )
                        .route(web::post().to(|st, a, s, b, r| {
                            settings::update(&settings::REGISTRATION, st, a, s, b, r)
                        })),
                )
                .service(
                    web::resource("/settings/links")
                        .route(web::get().to(|st, a, s| settings::show(&settings::LINKS, st, a, s)))
                        .route(web::post().to(|st, a, s, b, r| {
                            settings::update(&settings::LINKS, st, a, s, b, r)
                        })),
                )
                .service(
                    web::resource("/users/new")
                        .route(web::get().to(new_user::show))
                        .route(web::post().to(new_user::submit)),
                )
                .route("/users/new/policy", web::post().to(new_user::policy))
                .service(
                    web::resource("/users/{id}")
                        .route(
                            web::get()
                                .to(|st, a, s, i, r| customer::show(Tab::Profile, st, a, s, i, r)),
                        )
                        .route(web::post().to(customer::profile::update)),
                )
                .route("/users/{id}/invitation", web::post().to(customer::profile::resend_link))
                .service(
                    web::resource("/users/{id}/groups")
                        .route(
                            web::get()
                                .to(|st, a, s, i, r| customer::show(Tab::Groups, st, a, s, i, r)),
                        )
                        .route(web::post().to(customer::groups::join)),
                )
                .service(
                    web::resource("/users/{id}/reset")
                        .route(web::get().to(customer::reset::show_reset))
                        .route(web::post().to(customer::reset::reset)),
                )
                .route("/users/{id}/reset/policy", web::post().to(customer::reset::reset_policy))
                .service(
                    web::resource("/users/{id}/lock")
                        .route(
                            web::get().to(|st, a, s, i| {
                                customer::danger::show(lock_confirm, st, a, s, i)
                            }),
                        )
                        .route(web::post().to(|st, a, s, i, f, r| {
                            customer::danger::set_lock(true, st, a, s, i, f, r)
                        })),
                )
                .service(
                    web::resource("/users/{id}/unlock")
                        .route(
                            web::get().to(|st, a, s, i| {
                                customer::danger::show(lock_confirm, st, a, s, i)
                            }),
                        )
                        .route(web::post().to(|st, a, s, i, f, r| {
                            customer::danger::set_lock(false, st, a, s, i, f, r)
                        })),
                )
                .service(
                    web::resource("/users/{id}/delete")
                        .route(
                            web::get().to(|st, a, s, i| {
                                customer::danger::show(delete_confirm, st, a, s, i)
                            }),
                        )
                        .route(web::post().to(customer::danger::delete_user)),
                )
                .route("/users/{id}/history", web::get().to(customer::history))
                .route(
                    "/users/{id}/sessions",
                    web::get().to(|st, a, s, i, r| customer::show(Tab::Sessions, st, a, s, i, r)),
                )
                .route(
                    "/users/{id}/sessions/terminate-all",
                    web::post().to(customer::sessions::terminate_all),
                )
                .route(
                    "/users/{id}/sessions/{handle}/terminate",
                    web::post().to(customer::sessions::terminate),
                )
                .route(
                    "/users/{id}/groups/{group_id}/remove",
                    web::post().to(customer::groups::leave),
                )
                .route("/applications", web::get().to(applications::list))
                .service(
                    web::resource("/applications/new")
                        .route(web::get().to(applications::new_form))
                        .route(web::post().to(applications::create)),
                )
                .service(
                    web::resource("/applications/{id}")
                        .route(web::get().to(applications::show))
                        .route(web::post().to(applications::update)),
                )
                .route("/applications/{id}/secret", web::post().to(applications::regenerate_secret))
                .service(
                    web::resource("/applications/{id}/delete")
                        .route(web::get().to(applications::show_delete))
                        .route(web::post().to(applications::delete)),
                )
                .route(
                    "/users/{id}/applications/{grant}/terminate",
                    web::post().to(customer::sessions::terminate_application),
                )
                .route("/attributes", web::get().to(attributes::list))
                .service(
                    web::resource("/attributes/new")
                        .route(web::get().to(attributes::new_form))
                        .route(web::post().to(attributes::create)),
                )
                .service(
                    web::resource("/attributes/{id}")
                        .route(web::get().to(attributes::edit_form))
                        .route(web::post().to(attributes::update)),
                )
                .service(
                    web::resource("/attributes/{id}/delete")
                        .route(web::get().to(attributes::show_delete))
                        .route(web::post().to(attributes::delete)),
                )
                .route("/groups", web::get().to(groups::list))
                .service(
                    web::resource("/groups/new")
                        .route(web::get().to(groups::new_form))
                        .route(web::post().to(groups::create)),
                )
                .route("/groups/{id}", web::get().to(groups::show))
                .route("/groups/{id}/rename", web::post().to(groups::rename))
                .service(
                    web::resource("/groups/{id}/delete")
                        .route(web::get().to(groups::show_delete))
                        .route(web::post().to(groups::delete)),
                )
                .route("/groups/{id}/members", web::post().to(groups::add_member))
                .route(
                    "/groups/{id}/members/{account_id}/remove",
                    web::post().to(groups::remove_member),
                )
                .service(
                    web::resource("/settings/login-security")
                        .route(web::get().to(login_security::show))
                        .route(web::post().to(login_security::update)),
                )
                .route("/settings/outbox", web::get().to(outbox::list))
                .route("/settings/outbox/{id}", web::get().to(outbox::show))
                .route("/settings/outbox/{id}/html", web::get().to(outbox::show_html))
                .route("/settings/outbox/{id}/resend", web::post().to(outbox::resend)),
        )
        .wrap(from_fn(csrf::check))
        .wrap(layer.middleware())
}

/// `/` and `/console` lead to the Users list (which sends anonymous visitors to sign in).
pub async fn to_console(req: HttpRequest) -> HttpResponse {
    see_other(&req, urls::CONSOLE_USERS)
}
