//! Settings > Outbox: every email with its state, a preview (links hidden), and Resend for
//! the ones that failed.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::outbox::{self, Message};
use crate::db::{settings, tokens};
use crate::domain::mail::MailState;
use crate::error::AppError;
use actix_web::http::header;

use crate::accounts::resend_email::{self as resend, Resent};
use crate::domain::format::{Stamp, Zone};
use crate::mail::compose::{self, ComposeError, Composed, LinkMode};
use crate::web::auth::CurrentAdmin;
use crate::web::frame::EMAIL_PREVIEW_CSP;
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

const PAGE: i64 = 50;

pub struct Row {
    pub href: String,
    pub resend_href: String,
    pub recipient: String,
    pub subject: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub failed: bool,
    pub attempts: i32,
    pub last_error: String,
    pub created: Stamp,
    pub when: String,
}

fn state_class(state: Option<MailState>) -> &'static str {
    match state {
        Some(MailState::Sent) => "active",
        Some(MailState::Failed) => "locked",
        Some(MailState::Cancelled) => "muted-badge",
        _ => "pending",
    }
}

impl Row {
    fn of(m: &Message, zone: Zone) -> Self {
        let state = m.state();
        let when = match state {
            Some(MailState::Sent) => {
                m.sent_at.as_ref().map(|t| format!("sent {}", zone.stamp(t).text))
            }
            Some(MailState::Queued | MailState::Retrying) => {
                Some(format!("next try {}", zone.stamp(&m.next_attempt_at).text))
            }
            _ => m.last_attempt_at.as_ref().map(|t| format!("last try {}", zone.stamp(t).text)),
        };
        Self {
            href: urls::console_outbox_message(&m.id),
            resend_href: urls::console_outbox_resend(&m.id),
            recipient: m.recipient.clone(),
            subject: m.subject.clone(),
            state: state.map(MailState::label).unwrap_or("Unknown"),
            state_class: state_class(state),
            failed: state == Some(MailState::Failed),
            attempts: m.attempts,
            last_error: m.last_error.clone().unwrap_or_default(),
            created: zone.stamp(&m.created_at),
            when: when.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    notice: Option<String>,
    rows: Vec<Row>,
    state: String,
    states: Vec<(&'static str, &'static str)>,
    next_href: Option<String>,
    can_manage: bool,
    smtp: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    before: Option<String>,
}

pub async fn list(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = match query.state.as_str() {
        "" => None,
        s => Some(MailState::parse(s).ok_or(AppError::BadRequest("Unknown email state."))?),
    };
    let before = query.before.clone();
    let mut messages =
        state.db.run(move |c| Ok(outbox::page(c, filter, before.as_deref(), PAGE)?)).await?;
    let more = messages.len() as i64 > PAGE;
    messages.truncate(PAGE as usize);
    let next_href = more.then(|| {
        let last = messages.last().map(|m| m.id.clone()).unwrap_or_default();
        let pairs = [("state", query.state.as_str()), ("before", last.as_str())];
        let pairs: Vec<_> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "{}?{}",
            urls::CONSOLE_OUTBOX,
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let page = OutboxPage {
        chrome: Chrome::new(&state, &session, &admin, "outbox"),
        notice: flash::take(&session),
        rows: messages.iter().map(|m| Row::of(m, state.zone())).collect(),
        state: query.state,
        states: MailState::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        next_href,
        can_manage: admin.can_manage_customers(),
        smtp: state.smtp_available,
    };
    html(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "console/outbox_message.html")]
struct MessagePage {
    chrome: Chrome,
    row: Row,
    html_href: String,
    text: String,
    problem: Option<String>,
    can_manage: bool,
}

/// The message and what it is composed from; the preview never shows a working link (the
/// administrator could otherwise act as the customer).
async fn preview(
    state: &State,
    id: String,
) -> Result<(Message, Result<Composed, ComposeError>), AppError> {
    let (message, token, org) = state
        .db
        .run(move |c| {
            let m = outbox::find(c, &id)?;
            let t = match m.as_ref().and_then(|m| m.token_id.clone()) {
                Some(t) => tokens::find(c, &t)?,
                None => None,
            };
            Ok((m, t, settings::load(c)?))
        })
        .await?;
    let message = message.ok_or(AppError::NotFound)?;
    let composed =
        compose::compose(&message, token.as_ref(), &org, &state.base_url, LinkMode::Hidden);
    Ok((message, composed))
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (message, composed) = preview(&state, id.into_inner()).await?;
    let (text, problem) = match composed {
        Ok(c) => (c.text, None),
        Err(e) => (String::new(), Some(format!("This email can no longer be built: {e}."))),
    };
    let page = MessagePage {
        chrome: Chrome::new(&state, &session, &admin, "outbox"),
        html_href: format!("{}/html", urls::console_outbox_message(&message.id)),
        row: Row::of(&message, state.zone()),
        text,
        problem,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

/// The email's HTML version, for the preview's sandboxed frame.
pub async fn show_html(
    state: State,
    _admin: CurrentAdmin,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (_, composed) = preview(&state, id.into_inner()).await?;
    let composed = composed.map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, EMAIL_PREVIEW_CSP))
        .body(composed.html))
}

pub async fn resend(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = admin.actor(&req);
    let outcome = resend::resend_failed(&state.services(), actor, &id).await?;
    flash::set(
        &session,
        match outcome {
            Resent::Requeued => "The email is queued again.",
            Resent::NewLink => {
                "The email's link had expired, so a new email with a new link is queued."
            }
        },
    );
    Ok(see_other(&req, urls::CONSOLE_OUTBOX))
}
