//! Every route path, written once: handlers, templates and tests use these, and so do the
//! emails that carry links (in `domain`, below both `web` and `mail`).

pub const STATIC: &str = "/static";
pub const FAVICON: &str = "/favicon.ico";
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
pub const MYACCOUNT_POLICY: &str = "/myaccount/policy";
pub const MYACCOUNT_SECURITY: &str = "/myaccount/security";
pub const MYACCOUNT_DATA: &str = "/myaccount/data";
pub const MYACCOUNT_DATA_DOWNLOAD: &str = "/myaccount/data/download";
pub const MYACCOUNT_FORGOT: &str = "/myaccount/forgot-password";
pub const MYACCOUNT_RECOVER: &str = "/myaccount/recover";
pub const MYACCOUNT_REGISTER: &str = "/myaccount/register";
pub const MYACCOUNT_VERIFY: &str = "/myaccount/verify";
pub const MYACCOUNT_AUTHORIZE: &str = "/myaccount/authorize";
pub const MYACCOUNT_END_SESSION: &str = "/myaccount/end-session";
pub const CONSOLE_LOGIN_SECURITY: &str = "/console/settings/login-security";
pub const CONSOLE_SIGNING_KEYS: &str = "/console/settings/signing-keys";
pub const CONSOLE_SETTINGS_GENERAL: &str = "/console/settings/general";
pub const CONSOLE_SETTINGS_PASSWORDS: &str = "/console/settings/password-policy";
pub const CONSOLE_SETTINGS_REGISTRATION: &str = "/console/settings/self-registration";
pub const CONSOLE_SETTINGS_LINKS: &str = "/console/settings/links";
pub const CONSOLE_PROFILE: &str = "/console/profile";
pub const OIDC: &str = "/oidc";
pub const OIDC_JWKS: &str = "/oidc/jwks";
pub const OIDC_TOKEN: &str = "/oidc/token";
pub const OIDC_USERINFO: &str = "/oidc/userinfo";
pub const OIDC_REVOKE: &str = "/oidc/revoke";
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const CONSOLE_APPLICATIONS: &str = "/console/applications";
pub const CONSOLE_ADMINISTRATORS: &str = "/console/settings/administrators";
pub const CONSOLE_INVITE_ADMINISTRATOR: &str = "/console/settings/administrators/invite";
pub const CONSOLE_AUDIT_LOG: &str = "/console/settings/audit-log";
pub const CONSOLE_AUDIT_LOG_EXPORT: &str = "/console/settings/audit-log/export.csv";

pub fn setup(token: &str) -> String {
    format!("{SETUP}/{token}")
}

pub fn console_user(id: impl std::fmt::Display) -> String {
    format!("{CONSOLE_USERS}/{id}")
}

pub fn console_user_invitation(id: impl std::fmt::Display) -> String {
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

/// The link in an administrator's invitation email (or shown to copy): the console's page.
pub fn console_invitation(token: &str) -> String {
    format!("{CONSOLE}/invitation/{token}")
}

pub fn console_application(id: impl std::fmt::Display) -> String {
    format!("{CONSOLE_APPLICATIONS}/{id}")
}

pub fn console_administrator(id: impl std::fmt::Display) -> String {
    format!("{CONSOLE_ADMINISTRATORS}/{id}")
}

/// An administrator's sub-page or action: `/console/settings/administrators/{id}/{what}`.
pub fn console_administrator_action(id: impl std::fmt::Display, what: &str) -> String {
    format!("{CONSOLE_ADMINISTRATORS}/{id}/{what}")
}

/// The link in a password reset email (or shown to copy).
pub fn password_reset(token: &str) -> String {
    format!("{MYACCOUNT_RESET}/{token}")
}

/// The link in a "forgot password" email.
pub fn password_recovery(token: &str) -> String {
    format!("{MYACCOUNT_RECOVER}/{token}")
}

/// The link in a self-registration's "verify your email" email.
pub fn verification(token: &str) -> String {
    format!("{MYACCOUNT_VERIFY}/{token}")
}

/// A customer page's sub-page or action: `/console/users/{id}/{what}`.
pub fn console_user_action(id: impl std::fmt::Display, what: impl std::fmt::Display) -> String {
    format!("{CONSOLE_USERS}/{id}/{what}")
}

pub fn console_group(id: impl std::fmt::Display) -> String {
    format!("{CONSOLE_GROUPS}/{id}")
}

pub fn console_attribute(id: impl std::fmt::Display) -> String {
    format!("{CONSOLE_ATTRIBUTES}/{id}")
}

/// An area's home page (no need to come back to it after sign-in: it is where sign-in leads).
pub fn is_area_home(path: &str) -> bool {
    matches!(path, "/" | CONSOLE | "/console/" | MYACCOUNT | "/myaccount/" | CONSOLE_USERS)
}

/// `next` if it is a path of the area under `prefix` that sign-in may send the browser to:
/// same origin (no scheme, no `//` or `\`), no way out of the area (`..`, encoded dots), only
/// plain URL characters, and not the sign-in page itself. Anything else is dropped (the caller
/// goes to the area's home): no open redirect.
pub fn safe_next<'a>(prefix: &str, next: &'a str) -> Option<&'a str> {
    let rest = next.strip_prefix(prefix)?;
    let in_area = rest.is_empty() || rest.starts_with('/') || rest.starts_with('?');
    let plain = next.len() <= 2000
        && next.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/?=&%+:@,;!*'()".contains(&b));
    // The path decides where the browser goes; the query only carries values (an application's
    // authorization request, whose redirect URI the provider checks itself).
    let path = next.split('?').next().unwrap_or("");
    let lowered = path.to_ascii_lowercase();
    let climbs = lowered.contains("..")
        || lowered.contains("%2e")
        || lowered.contains("%2f")
        || lowered.contains("%5c")
        || path.contains("//");
    let login = rest.starts_with("/login");
    (in_area && plain && !climbs && !login).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_the_same_area_are_destinations() {
        let my = "/myaccount";
        assert_eq!(safe_next(my, "/myaccount/security"), Some("/myaccount/security"));
        assert_eq!(safe_next(my, "/myaccount?tab=1"), Some("/myaccount?tab=1"));
        let authorize =
            "/myaccount/authorize?client_id=a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb";
        assert_eq!(safe_next(my, authorize), Some(authorize));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/console/users",
            "/myaccountx",
            "/myaccount/../console",
            "/myaccount/%2e%2e/console",
            "/myaccount//evil.example",
            "/myaccount/login",
            "/myaccount/\u{0}",
            "",
        ] {
            assert_eq!(safe_next(my, bad), None, "{bad}");
        }
        assert_eq!(safe_next("/console", "/myaccount"), None);
        assert_eq!(safe_next("/console", "/console/users/1"), Some("/console/users/1"));
    }
}
