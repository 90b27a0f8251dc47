//! Every route path, written once: handlers, templates and tests use these.

pub const STATIC: &str = "/static";
pub const SETUP: &str = "/setup";
pub const CONSOLE: &str = "/console";
pub const CONSOLE_LOGIN: &str = "/console/login";
pub const CONSOLE_LOGOUT: &str = "/console/logout";
pub const CONSOLE_USERS: &str = "/console/users";

pub fn setup(token: &str) -> String {
    format!("{SETUP}/{token}")
}

pub fn console_user(id: &str) -> String {
    format!("{CONSOLE_USERS}/{id}")
}
