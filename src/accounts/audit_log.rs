//! Settings > Audit log and a customer's History tab: the audit trail as people read it —
//! who, what, about whom, what changed (before → after), when and from where — newest first,
//! keyset-paged and filtered, and the same as a CSV file streamed page by page. Nothing secret
//! is in the trail by construction (events record field names and non-secret values); a
//! detail whose name says otherwise is still shown as hidden.

use chrono::NaiveDate;
use serde_json::Value;

use std::collections::HashMap;

use super::audit_text::{self, Change, Described, Part};
use super::list::{decode_cursor, encode_cursor};
use crate::db::audit::{self, AuditEvent, Filter};
use crate::db::customer_list::Cursor;
use crate::db::{Db, accounts};
use crate::domain::FieldErrors;
use crate::domain::format::{Stamp, Zone, iso};
use crate::error::AppError;

/// Events per page of the log.
pub const PAGE: i64 = 50;
/// Events per trip to the database while exporting.
const EXPORT_CHUNK: i64 = 1000;

/// The log's filters as the form submits them (all optional).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FilterInput {
    pub actor: String,
    pub subject: String,
    pub action: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
}

impl FilterInput {
    /// The filter, or messages for the date fields (days of the organization's time zone).
    pub fn parse(&self, zone: Zone) -> Result<Filter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut day = |field: &str, raw: &str| -> Option<NaiveDate> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.add(field, "Enter a date as YYYY-MM-DD.");
                    None
                }
            }
        };
        let from = day("from", &self.from).map(|d| zone.start_of_day(d));
        let until = day("to", &self.to).and_then(|d| d.succ_opt()).map(|d| zone.start_of_day(d));
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            errors.add("to", "The end date is before the start date.");
        }
        let filter = Filter {
            actor: text(&self.actor),
            subject: text(&self.subject),
            subject_id: None,
            action: text(&self.action),
            from,
            until,
        };
        if errors.is_empty() { Ok(filter) } else { Err(errors) }
    }

    /// The filters as a query string (for the next page's and the export's links).
    pub fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("actor", self.actor.trim()),
            ("subject", self.subject.trim()),
            ("action", self.action.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
        ])
        .unwrap_or_default()
    }
}

/// An event as the log shows it.
pub struct EventView {
    pub at: Stamp,
    /// The event's code (`customer.updated`): a tooltip, the filter's value, the CSV.
    pub action: String,
    /// The sentence, with `Actor` and `Subject` standing for the two names below.
    pub sentence: Vec<Part>,
    /// The person's name when known, else their label.
    pub who: String,
    /// The label (an email, "anonymous", a system label) when the name is shown.
    pub who_label: Option<String>,
    /// The subject's name when it is an account that still exists (or a deleted one's, kept
    /// with the event), else its label (a group's or an application's name, an email).
    pub subject: String,
    /// The subject's label when the name is shown.
    pub subject_label: Option<String>,
    pub changes: Vec<Change>,
    pub ip: String,
}

impl EventView {
    /// The sentence as plain text.
    pub fn summary(&self) -> String {
        Described { parts: self.sentence.clone(), changes: Vec::new() }
            .text(&self.who, &self.subject)
    }
}

/// The event in words; `names`: the display names of the page's subjects that still exist.
pub fn view(e: AuditEvent, names: &HashMap<String, String>, zone: Zone) -> EventView {
    let named = !e.actor_name.is_empty();
    let self_service = e.actor_id.is_some() && e.actor_id == e.subject_id;
    let described = audit_text::describe(&e.action, &e.details, self_service);
    let label = e.subject_label.unwrap_or_default();
    // A deleted account's name is kept with the event that deleted it.
    let kept_name = || {
        serde_json::from_str::<Value>(&e.details)
            .ok()
            .and_then(|d| d.get("name").and_then(Value::as_str).map(str::to_owned))
            .filter(|n| !n.trim().is_empty() && e.action == "account.deleted")
    };
    let subject_name = e
        .subject_id
        .as_ref()
        .and_then(|id| names.get(id).cloned())
        .or_else(kept_name)
        .filter(|n| *n != label);
    let actor_label = e.actor_label;
    EventView {
        at: zone.stamp(&e.occurred_at),
        action: e.action,
        sentence: described.parts,
        who: if named {
            e.actor_name.clone()
        } else if actor_label == "anonymous" {
            "Someone".into()
        } else {
            actor_label.clone()
        },
        who_label: named.then_some(actor_label),
        subject_label: subject_name.is_some().then(|| label.clone()),
        subject: subject_name.unwrap_or(label),
        changes: described.changes,
        ip: e.ip,
    }
}

/// Views of a page of events, with the names of their subjects read in one query.
fn views(rows: Vec<AuditEvent>, names: Vec<(String, String)>, zone: Zone) -> Vec<EventView> {
    let names: HashMap<String, String> = names.into_iter().collect();
    rows.into_iter().map(|e| view(e, &names, zone)).collect()
}

fn subject_ids(rows: &[AuditEvent]) -> Vec<String> {
    let mut ids: Vec<String> = rows.iter().filter_map(|e| e.subject_id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A page of events and the cursor of the next (older) one.
pub struct EventPage {
    pub events: Vec<EventView>,
    pub older: Option<String>,
}

/// Events are ordered by key, which the cursor carries. Its time part is still written, and
/// ignored, so that links made before migration 22 (time, key) still work: keys were in time
/// order already, and the migration numbered them in that order.
fn cursor_of(e: &AuditEvent) -> String {
    encode_cursor(&Cursor { value: e.occurred_at.millis().to_string(), id: e.id.to_string() })
}

fn position(before: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(raw) = before else { return Ok(None) };
    const INVALID: AppError =
        AppError::BadRequest("This page link is not valid. Start from the first page.");
    let c = decode_cursor(raw)?;
    let id = c.id.parse().map_err(|_| INVALID)?;
    Ok(Some(id))
}

pub async fn page(
    db: &Db,
    zone: Zone,
    filter: Filter,
    before: Option<&str>,
) -> Result<EventPage, AppError> {
    let before = position(before)?;
    let (rows, more, names) = db
        .run(move |c| {
            let mut rows = audit::page(c, &filter, before, PAGE + 1)?;
            let more = rows.len() as i64 > PAGE;
            rows.truncate(PAGE as usize);
            let names = accounts::names_of(c, &subject_ids(&rows))?;
            Ok((rows, more, names))
        })
        .await?;
    let older = rows.last().filter(|_| more).map(cursor_of);
    Ok(EventPage { events: views(rows, names, zone), older })
}

/// A CSV cell: quoted, and a value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// tab, CR) made text by a leading `'`.
pub fn csv_cell(raw: &str) -> String {
    let risky = raw.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if risky { format!("'{raw}") } else { raw.to_owned() };
    format!("\"{}\"", text.replace('"', "\"\""))
}

pub const CSV_HEADER: &str = "\"occurred_at\",\"actor_name\",\"actor\",\"action\",\"summary\",\"subject\",\"subject_id\",\"details\",\"ip\"\r\n";

fn csv_line(e: AuditEvent, names: &HashMap<String, String>, zone: Zone, out: &mut String) {
    let (occurred_at, actor_name, actor, subject_id) = (
        iso(&e.occurred_at),
        e.actor_name.clone(),
        e.actor_label.clone(),
        e.subject_id.clone().unwrap_or_default(),
    );
    let label = e.subject_label.clone().unwrap_or_default();
    let v = view(e, names, zone);
    let details: Vec<String> = v
        .changes
        .iter()
        .map(|d| match &d.before {
            Some(b) => format!("{}: {} → {}", d.field, b, d.value),
            None => format!("{}: {}", d.field, d.value),
        })
        .collect();
    let cells = [
        occurred_at,
        actor_name,
        actor,
        v.action.clone(),
        v.summary(),
        label,
        subject_id,
        details.join("; "),
        v.ip,
    ];
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The next chunk of the export after `before`: its CSV text and where the next one starts
/// (`None`: this was the last).
#[allow(clippy::type_complexity)]
pub async fn export_chunk(
    db: &Db,
    zone: Zone,
    filter: Filter,
    before: Option<i64>,
) -> Result<(String, Option<i64>), AppError> {
    let (rows, names) = db
        .run(move |c| {
            let rows = audit::page(c, &filter, before, EXPORT_CHUNK)?;
            let names = accounts::names_of(c, &subject_ids(&rows))?;
            Ok((rows, names))
        })
        .await?;
    let names: HashMap<String, String> = names.into_iter().collect();
    let next = (rows.len() as i64 == EXPORT_CHUNK).then(|| rows.last().map(|e| e.id)).flatten();
    let mut out = String::with_capacity(rows.len() * 160);
    for e in rows {
        csv_line(e, &names, zone, &mut out);
    }
    Ok((out, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_become_text_and_quotes_are_doubled() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(risky).starts_with("\"'"), "{risky:?}");
        }
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "\"plain\"");
    }
}
