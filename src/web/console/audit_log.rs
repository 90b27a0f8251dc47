//! Settings > Audit log: every recorded change, newest first, 50 a page (keyset: "Older"
//! follows the last event shown), filtered by actor, subject, action and dates, and
//! **Export CSV** with the same filters, streamed a thousand events at a time. Viewers see it too.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::accounts::audit_text::{self, Part};

use crate::accounts::audit_log::{self, CSV_HEADER, EventView, FilterInput};
use crate::db::audit::Filter;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html};
use crate::web::{State, urls};

#[derive(Template)]
#[template(path = "console/audit_log.html")]
struct AuditLogPage {
    chrome: Chrome,
    f: FilterInput,
    errors: FieldErrors,
    events: Vec<EventView>,
    older_href: Option<String>,
    /// Not on the newest page: a link back to it.
    newest_href: Option<String>,
    export_href: String,
    filtered: bool,
    /// The Action filter's choices, grouped; an unlisted code from the address is kept.
    actions: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    /// The filtered action's code when the list does not have it.
    other_action: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct LogQuery {
    #[serde(flatten)]
    filter: FilterInput,
    #[serde(default)]
    before: Option<String>,
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let LogQuery { filter: f, before } = query.into_inner();
    let q = f.query();
    let base = format!("{}?{q}", urls::CONSOLE_AUDIT_LOG);
    let (events, older, errors) = match f.parse(state.zone()) {
        Ok(filter) => {
            let page = audit_log::page(&state.db, state.zone(), filter, before.as_deref()).await?;
            (page.events, page.older, FieldErrors::default())
        }
        Err(errors) => (Vec::new(), None, errors),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = AuditLogPage {
        chrome: Chrome::new(&state, &session, &admin, "audit-log"),
        filtered: f.parse(state.zone()).is_ok_and(|p| {
            p.actor.is_some()
                || p.subject.is_some()
                || p.action.is_some()
                || p.from.is_some()
                || p.until.is_some()
        }),
        other_action: Some(f.action.trim().to_owned())
            .filter(|a| !a.is_empty() && audit_text::action_name(a).is_none()),
        actions: audit_text::ACTIONS,
        f,
        errors,
        events,
        older_href: older.map(|c| format!("{base}&before={c}")),
        newest_href: before.is_some().then(|| base.clone()),
        export_href: format!("{}?{q}", urls::CONSOLE_AUDIT_LOG_EXPORT),
    };
    html(status, &page)
}

/// The whole (filtered) log as CSV, streamed: memory stays at one chunk whatever its length.
pub async fn export(
    state: State,
    query: web::Query<FilterInput>,
) -> Result<HttpResponse, AppError> {
    let zone = state.zone();
    let filter: Filter = query
        .parse(zone)
        .map_err(|_| AppError::BadRequest("The dates of the export are not valid."))?;
    let db = state.db.clone();
    // (filter, where the next chunk starts, header written, finished)
    let start = (filter, None, false, false);
    let chunks = futures_util::stream::unfold(start, move |(filter, before, header, done)| {
        let db = db.clone();
        async move {
            if done {
                return None;
            }
            if !header {
                return Some((
                    Ok(Bytes::from_static(CSV_HEADER.as_bytes())),
                    (filter, None, true, false),
                ));
            }
            match audit_log::export_chunk(&db, zone, filter.clone(), before).await {
                Ok((text, next)) => {
                    let finished = next.is_none();
                    Some((Ok(Bytes::from(text)), (filter, next, true, finished)))
                }
                Err(e) => {
                    tracing::error!(error = %e, "audit export failed");
                    Some((Err(actix_web::Error::from(e)), (filter, None, true, true)))
                }
            }
        }
    });
    let day = crate::db::now().format("%Y-%m-%d");
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"audit-log-{day}.csv\""),
        ))
        .streaming(chunks))
}
