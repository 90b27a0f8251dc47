//! Every route path, written once: handlers, templates and tests use these.

pub const STATIC: &str = "/static";
pub const SETUP: &str = "/setup";
pub const CONSOLE: &str = "/console";
pub const CONSOLE_LOGIN: &str = "/console/login";
pub const CONSOLE_LOGOUT: &str = "/console/logout";
pub const CONSOLE_USERS: &str = "/console/users";
pub const CONSOLE_NEW_USER: &str = "/console/users/new";
pub const CONSOLE_NEW_USER_POLICY: &str = "/console/users/new/policy";
pub const CONSOLE_OUTBOX: &str = "/console/settings/outbox";
pub const CONSOLE_GROUPS: &str = "/console/groups";
pub const CONSOLE_ATTRIBUTES: &str = "/console/attributes";
pub const MYACCOUNT: &str = "/myaccount";
pub const MYACCOUNT_LOGIN: &str = "/myaccount/login";
pub const MYACCOUNT_LOGOUT: &str = "/myaccount/logout";
pub const MYACCOUNT_PASSWORD: &str = "/myaccount/password";
pub const MYACCOUNT_INVITATION: &str = "/myaccount/invitation";
pub const MYACCOUNT_RESET: &str = "/myaccount/reset";
pub const CONSOLE_LOGIN_SECURITY: &str = "/console/settings/login-security";

pub fn setup(token: &str) -> String {
    format!("{SETUP}/{token}")
}

pub fn console_user(id: &str) -> String {
    format!("{CONSOLE_USERS}/{id}")
}

pub fn console_user_invitation(id: &str) -> String {
    format!("{CONSOLE_USERS}/{id}/invitation")
}

pub fn console_outbox_message(id: &str) -> String {
    format!("{CONSOLE_OUTBOX}/{id}")
}

pub fn console_outbox_resend(id: &str) -> String {
    format!("{CONSOLE_OUTBOX}/{id}/resend")
}

/// The link in an invitation email (or shown to copy, offline).
pub fn invitation(token: &str) -> String {
    format!("{MYACCOUNT_INVITATION}/{token}")
}

/// The link in a password reset email (or shown to copy).
pub fn password_reset(token: &str) -> String {
    format!("{MYACCOUNT_RESET}/{token}")
}

/// A customer page's sub-page or action: `/console/users/{id}/{what}`.
pub fn console_user_action(id: &str, what: &str) -> String {
    format!("{CONSOLE_USERS}/{id}/{what}")
}

pub fn console_group(id: &str) -> String {
    format!("{CONSOLE_GROUPS}/{id}")
}

pub fn console_attribute(id: &str) -> String {
    format!("{CONSOLE_ATTRIBUTES}/{id}")
}
