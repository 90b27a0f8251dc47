//! Settings > General, Password policy, Self-registration and Links: one page per concern, all
//! drawn by one template from field descriptions, saved by `accounts::organization::update`
//! (in effect at once, audited before → after). Viewers see the values and change nothing.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::accounts::organization;
use crate::db::settings::Settings;
use crate::domain::FieldErrors;
use crate::domain::format::Zone;
use crate::domain::format::duration_words;
use crate::domain::password::{MAX_MAX, MIN_LENGTHS};
use crate::domain::settings::{
    Change, EXPIRY_MINUTES, Form, General, LinkExpiry, NAME_MAX, Registration,
    parse_password_policy,
};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::form::Pairs;
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

/// One input of a settings page.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: String,
    /// text, email, number, checkbox or select.
    pub input: &'static str,
    pub value: String,
    pub min: i64,
    pub max: i64,
    /// A select's choices.
    pub options: Vec<&'static str>,
}

impl Field {
    fn checked(&self) -> bool {
        self.value == "on"
    }
}

fn checkbox(name: &'static str, label: &'static str, on: bool, hint: &str) -> Field {
    let value = if on { "on" } else { "" }.to_owned();
    Field {
        name,
        label,
        hint: hint.into(),
        input: "checkbox",
        value,
        min: 0,
        max: 0,
        options: Vec::new(),
    }
}

fn number(
    name: &'static str,
    label: &'static str,
    value: i64,
    range: (i64, i64),
    hint: String,
) -> Field {
    Field {
        name,
        label,
        hint,
        input: "number",
        value: value.to_string(),
        min: range.0,
        max: range.1,
        options: Vec::new(),
    }
}

fn text(
    name: &'static str,
    label: &'static str,
    input: &'static str,
    value: &str,
    hint: &str,
) -> Field {
    Field {
        name,
        label,
        hint: hint.into(),
        input,
        value: value.into(),
        min: 0,
        max: NAME_MAX as i64,
        options: Vec::new(),
    }
}

fn select(
    name: &'static str,
    label: &'static str,
    value: &str,
    options: Vec<&'static str>,
    hint: &str,
) -> Field {
    Field {
        name,
        label,
        hint: hint.into(),
        input: "select",
        value: value.into(),
        min: 0,
        max: 0,
        options,
    }
}

const EXPIRY: (i64, i64) = (*EXPIRY_MINUTES.start() as i64, *EXPIRY_MINUTES.end() as i64);

fn expiry_hint(minutes: i64) -> String {
    format!("In minutes, {} to {} (30 days). Now: {}.", EXPIRY.0, EXPIRY.1, duration_words(minutes))
}

/// One settings page.
pub struct Page {
    pub nav: &'static str,
    pub path: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    fields: fn(&Settings) -> Vec<Field>,
    parse: fn(&Form) -> Result<Change, FieldErrors>,
}

pub const GENERAL: Page = Page {
    nav: "general",
    path: urls::CONSOLE_SETTINGS_GENERAL,
    title: "General",
    intro: "The organization as customers see it: in the console, My Account and every email.",
    fields: |s| {
        vec![
            text(
                "name",
                "Organization name",
                "text",
                &s.name,
                "Shown in the console, My Account and emails.",
            ),
            select(
                "time_zone",
                "Time zone",
                &s.time_zone,
                Zone::all().collect(),
                "Times in the console, My Account and emails are shown in it, labelled. Where \
                 script runs, each person also sees them in their own.",
            ),
            text(
                "mail_from_name",
                "Email sender name",
                "text",
                &s.mail_from_name,
                "The name emails come from.",
            ),
            text(
                "mail_from_address",
                "Email sender address",
                "email",
                &s.mail_from_address,
                "The address emails come from. Empty: the server's default. (--mail-from, when set, takes precedence.)",
            ),
        ]
    },
    parse: |f| General::parse(f).map(Change::General),
};

pub const PASSWORDS: Page = Page {
    nav: "password-policy",
    path: urls::CONSOLE_SETTINGS_PASSWORDS,
    title: "Password policy",
    intro: "What every new password must be: customers' and administrators', set by anyone. \
            Existing passwords keep working; the policy applies when one is next set.",
    fields: |s| {
        let p = s.password_policy();
        vec![
            number(
                "min_length",
                "Minimum length",
                p.min_length as i64,
                (*MIN_LENGTHS.start() as i64, *MIN_LENGTHS.end() as i64),
                format!("{} to {} characters.", MIN_LENGTHS.start(), MIN_LENGTHS.end()),
            ),
            number(
                "max_length",
                "Maximum length",
                p.max_length as i64,
                (8, MAX_MAX as i64),
                format!("Up to {MAX_MAX}."),
            ),
            checkbox("require_upper", "Require an uppercase letter", p.require_upper, ""),
            checkbox("require_lower", "Require a lowercase letter", p.require_lower, ""),
            checkbox("require_digit", "Require a digit", p.require_digit, ""),
            checkbox(
                "require_symbol",
                "Require a symbol",
                p.require_symbol,
                "Composition rules add little against guessing (NIST SP 800-63B); length and the blocklist do more.",
            ),
            checkbox(
                "blocklist",
                "Refuse common passwords",
                p.blocklist,
                "Nearly 20,000 passwords seen most often in breaches.",
            ),
            checkbox(
                "no_name_part",
                "Refuse passwords containing the email's name part",
                p.no_name_part,
                "For jane.doe@example.com, anything containing \"jane.doe\".",
            ),
        ]
    },
    parse: |f| parse_password_policy(f).map(Change::Passwords),
};

pub const REGISTRATION: Page = Page {
    nav: "self-registration",
    path: urls::CONSOLE_SETTINGS_REGISTRATION,
    title: "Self-registration",
    intro: "Whether people can create their own customer account from the My Account sign-in page.",
    fields: |s| {
        let r = s.registration();
        vec![
            checkbox(
                "enabled",
                "Allow self-registration",
                r.enabled,
                "The sign-in page offers Create an account.",
            ),
            checkbox(
                "verification",
                "Verify the email address",
                r.verification,
                "New accounts stay pending verification until the emailed link is followed. Off: the account is active and signed in at once, and someone registering an address that already has an account can tell.",
            ),
            number(
                "expiry_minutes",
                "Verification link expiry",
                r.expiry_minutes.into(),
                EXPIRY,
                expiry_hint(r.expiry_minutes.into()),
            ),
        ]
    },
    parse: |f| Registration::parse(f).map(Change::Registration),
};

pub const LINKS: Page = Page {
    nav: "links",
    path: urls::CONSOLE_SETTINGS_LINKS,
    title: "Links",
    intro: "How long emailed links stay valid. A link already sent keeps the expiry it was sent with.",
    fields: |s| {
        let l = s.link_expiry();
        vec![
            number(
                "invitation_minutes",
                "Invitation link expiry",
                l.invitation_minutes.into(),
                EXPIRY,
                expiry_hint(l.invitation_minutes.into()),
            ),
            number(
                "reset_minutes",
                "Password reset link expiry",
                l.reset_minutes.into(),
                EXPIRY,
                expiry_hint(l.reset_minutes.into()),
            ),
        ]
    },
    parse: |f| LinkExpiry::parse(f).map(Change::Links),
};

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    page: &'static Page,
    notice: Option<String>,
    fields: Vec<Field>,
    errors: FieldErrors,
    can_manage: bool,
}

fn render(
    page: &'static Page,
    state: &State,
    admin: &CurrentAdmin,
    session: &Session,
    fields: Vec<Field>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = SettingsPage {
        chrome: Chrome::new(state, session, admin, page.nav),
        page,
        notice: flash::take(session),
        fields,
        errors,
        can_manage: admin.can_manage_customers(),
    };
    html(status, &view)
}

pub async fn show(
    page: &'static Page,
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let saved = organization::current(&state.db).await?;
    render(page, &state, &admin, &session, (page.fields)(&saved), FieldErrors::default())
}

pub async fn update(
    page: &'static Page,
    state: State,
    admin: CurrentAdmin,
    session: Session,
    body: web::Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let saved = organization::current(&state.db).await?;
    let mut pairs = Pairs::parse(&body)?;
    let known: Vec<&'static str> = (page.fields)(&saved).iter().map(|f| f.name).collect();
    let form: Form = known.iter().map(|n| (n.to_string(), pairs.take(n))).collect();
    pairs.finish()?;
    match (page.parse)(&form) {
        Ok(change) => {
            let general = match &change {
                Change::General(g) => Some((g.name.clone(), Zone::parse(&g.time_zone))),
                _ => None,
            };
            let changed = organization::update(&state.db, admin.actor(&req), change).await?;
            if let Some((name, zone)) = general {
                state.set_org_name(&name);
                state.set_zone(zone.unwrap_or_default());
            }
            flash::set(&session, if changed { "Settings saved." } else { "Nothing changed." });
            Ok(see_other(&req, page.path))
        }
        Err(errors) => {
            let mut fields = (page.fields)(&saved);
            for f in &mut fields {
                f.value = form.get(f.name).cloned().unwrap_or_default();
            }
            render(page, &state, &admin, &session, fields, errors)
        }
    }
}
