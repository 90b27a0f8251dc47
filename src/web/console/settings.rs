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
use crate::domain::password::{MAX_MAX, MIN_LENGTHS};
use crate::domain::settings::{
    Change, Form, General, LinkExpiry, NAME_MAX, Registration, parse_password_policy,
};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::duration::{self, Duration};
use crate::web::form::Pairs;
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

/// One input of a settings page.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: String,
    /// text, email, number, checkbox, select or duration.
    pub input: &'static str,
    pub value: String,
    pub min: i64,
    pub max: i64,
    /// A select's choices.
    pub options: Vec<&'static str>,
    /// A duration's number and unit.
    pub duration: Duration,
    /// The checkbox this field means nothing without: shown inert while it is off.
    pub depends_on: &'static str,
}

impl Field {
    fn new(name: &'static str, label: &'static str, input: &'static str, value: String) -> Self {
        Self {
            name,
            label,
            hint: String::new(),
            input,
            value,
            min: 0,
            max: 0,
            options: Vec::new(),
            duration: Duration::of_minutes(0),
            depends_on: "",
        }
    }

    fn hint(self, hint: impl Into<String>) -> Self {
        Self { hint: hint.into(), ..self }
    }

    /// Only meaningful while the checkbox `switch` is ticked.
    fn depends_on(self, switch: &'static str) -> Self {
        Self { depends_on: switch, ..self }
    }

    fn checked(&self) -> bool {
        self.value == "on"
    }
}

fn checkbox(name: &'static str, label: &'static str, on: bool, hint: &str) -> Field {
    Field::new(name, label, "checkbox", if on { "on" } else { "" }.into()).hint(hint)
}

fn number(
    name: &'static str,
    label: &'static str,
    value: i64,
    range: (i64, i64),
    hint: String,
) -> Field {
    Field { min: range.0, max: range.1, ..Field::new(name, label, "number", value.to_string()) }
        .hint(hint)
}

fn text(
    name: &'static str,
    label: &'static str,
    input: &'static str,
    value: &str,
    hint: &str,
) -> Field {
    Field { max: NAME_MAX as i64, ..Field::new(name, label, input, value.into()) }.hint(hint)
}

fn select(
    name: &'static str,
    label: &'static str,
    value: &str,
    options: Vec<&'static str>,
    hint: &str,
) -> Field {
    Field { options, ..Field::new(name, label, "select", value.into()) }.hint(hint)
}

/// A time in minutes, shown as a number and a unit.
fn duration(name: &'static str, label: &'static str, minutes: i32, hint: &str) -> Field {
    let value = minutes.to_string();
    Field {
        duration: Duration::of_minutes(minutes.into()),
        ..Field::new(name, label, "duration", value)
    }
    .hint(hint)
}

const EXPIRY_HINT: &str = "From 5 minutes to 30 days.";

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
            )
            .depends_on("enabled"),
            duration("expiry_minutes", "Verification link expiry", r.expiry_minutes, EXPIRY_HINT)
                .depends_on("enabled"),
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
            duration(
                "invitation_minutes",
                "Invitation link expiry",
                l.invitation_minutes,
                EXPIRY_HINT,
            ),
            duration("reset_minutes", "Password reset link expiry", l.reset_minutes, EXPIRY_HINT),
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
    let fields = (page.fields)(&saved);
    let mut form: Form = fields.iter().map(|f| (f.name.to_string(), pairs.take(f.name))).collect();
    let durations: Vec<&str> =
        fields.iter().filter(|f| f.input == "duration").map(|f| f.name).collect();
    let units: Vec<(String, String)> =
        durations.iter().map(|n| (format!("{n}_unit"), pairs.take(&format!("{n}_unit")))).collect();
    pairs.finish()?;
    // Shown again as typed, if the form has errors.
    let typed = form.clone();
    form.extend(units.iter().cloned());
    duration::fold_units(&mut form, &durations);
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
                f.value = typed.get(f.name).cloned().unwrap_or_default();
                if f.input == "duration" {
                    let unit = units.iter().find(|(n, _)| *n == format!("{}_unit", f.name));
                    let unit = unit.map(|(_, u)| u.as_str()).unwrap_or_default();
                    f.duration = Duration::as_submitted(&f.value, unit);
                }
            }
            render(page, &state, &admin, &session, fields, errors)
        }
    }
}
