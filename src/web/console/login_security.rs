//! Settings > Login security: the failed sign-in lockout. Viewers see it; administrators who
//! manage customers change it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::FormError;
use crate::accounts::login_security;
use crate::domain::FieldErrors;
use crate::domain::format::duration_words;
use crate::domain::lockout::{ATTEMPTS, FACTOR, LockoutPolicy, MINUTES};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::duration::{self, Duration};
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

#[derive(Template)]
#[template(path = "console/login_security.html")]
struct LoginSecurityPage {
    chrome: Chrome,
    notice: Option<String>,
    enabled: bool,
    attempts: String,
    minutes: Duration,
    factor: String,
    errors: FieldErrors,
    can_manage: bool,
    /// The policy in one sentence, as saved.
    summary: String,
    ranges: Ranges,
}

pub struct Ranges {
    pub attempts: (i32, i32),
    pub minutes: (i32, i32),
    pub factor: (i32, i32),
}

impl Ranges {
    /// What the field under it says of its range.
    pub fn hint(&self, field: &str) -> String {
        match field {
            "attempts" => format!("{} to {}.", self.attempts.0, self.attempts.1),
            "minutes" => format!(
                "The first lock; from {} to {}.",
                duration_words(self.minutes.0.into()),
                duration_words(self.minutes.1.into())
            ),
            _ => format!(
                "Each repeat lasts this many times longer; {} to {}.",
                self.factor.0, self.factor.1
            ),
        }
    }
}

const RANGES: Ranges = Ranges {
    attempts: (*ATTEMPTS.start(), *ATTEMPTS.end()),
    minutes: (*MINUTES.start(), *MINUTES.end()),
    factor: (*FACTOR.start(), *FACTOR.end()),
};

fn summary(p: &LockoutPolicy) -> String {
    if !p.enabled {
        return "Off: failed sign-ins never lock an account (the per-address throttle still \
                applies)."
            .into();
    }
    let first = i64::from(p.minutes);
    let (second, third) = (p.lock_minutes(1), p.lock_minutes(2));
    format!(
        "On: after {} failed sign-in{} in a row an account is locked for {}, then {}, then {} \
         on repeat offences.",
        p.attempts,
        if p.attempts == 1 { "" } else { "s" },
        duration_words(first),
        duration_words(second),
        duration_words(third)
    )
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let p = login_security::current(&state.db).await?;
    let page = LoginSecurityPage {
        chrome: Chrome::new(&state, &session, &admin, "login-security"),
        notice: flash::take(&session),
        enabled: p.enabled,
        attempts: p.attempts.to_string(),
        minutes: Duration::of_minutes(p.minutes.into()),
        factor: p.factor.to_string(),
        errors: FieldErrors::default(),
        can_manage: admin.can_manage_customers(),
        summary: summary(&p),
        ranges: RANGES,
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockoutForm {
    #[serde(default)]
    enabled: Option<String>,
    attempts: String,
    minutes: String,
    #[serde(default)]
    minutes_unit: String,
    factor: String,
}

pub async fn update(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    form: web::Form<LockoutForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let enabled = f.enabled.as_deref() == Some("on");
    let outcome = login_security::update(
        &state.db,
        admin.actor(&req),
        enabled,
        &f.attempts,
        &duration::to_minutes(&f.minutes, &f.minutes_unit),
        &f.factor,
    )
    .await;
    match outcome {
        Ok(changed) => {
            flash::set(
                &session,
                if changed { "Login security saved." } else { "Nothing changed." },
            );
            Ok(see_other(&req, urls::CONSOLE_LOGIN_SECURITY))
        }
        Err(FormError::Invalid(errors)) => {
            let saved = login_security::current(&state.db).await?;
            let page = LoginSecurityPage {
                chrome: Chrome::new(&state, &session, &admin, "login-security"),
                notice: None,
                enabled,
                attempts: f.attempts,
                minutes: Duration::as_submitted(&f.minutes, &f.minutes_unit),
                factor: f.factor,
                errors,
                can_manage: true,
                summary: summary(&saved),
                ranges: RANGES,
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(FormError::Other(e)) => Err(e),
    }
}
