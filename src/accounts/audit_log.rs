//! Settings > Audit log and a customer's History tab: the audit trail as people read it —
//! who, what, about whom, what changed (before → after), when and from where — newest first,
//! keyset-paged and filtered, and the same as a CSV file streamed page by page. Nothing secret
//! is in the trail by construction (events record field names and non-secret values); a
//! detail whose name says otherwise is still shown as hidden.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::list::{decode_cursor, encode_cursor};
use crate::db::Db;
use crate::db::audit::{self, AuditEvent, Filter};
use crate::db::customer_list::Cursor;
use crate::domain::FieldErrors;
use crate::domain::format::{date_time, iso};
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
    /// The filter, or messages for the date fields.
    pub fn parse(&self) -> Result<Filter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut day = |field: &str, raw: &str| -> Option<NaiveDateTime> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => d.and_hms_opt(0, 0, 0),
                Err(_) => {
                    errors.add(field, "Enter a date as YYYY-MM-DD.");
                    None
                }
            }
        };
        let from = day("from", &self.from);
        let until = day("to", &self.to).map(|d| d + chrono::Duration::days(1));
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

/// One changed field, or one detail.
pub struct Detail {
    pub field: String,
    /// Set for a change: the value before.
    pub before: Option<String>,
    pub value: String,
}

/// An event as the log shows it.
pub struct EventView {
    pub at: String,
    pub at_iso: String,
    /// The person's name when known, else their label.
    pub who: String,
    /// The label (an email, "anonymous", a system label) when the name is shown.
    pub who_label: Option<String>,
    pub action: String,
    pub subject: String,
    pub details: Vec<Detail>,
    pub ip: String,
}

fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["password", "hash", "token", "secret", "session_id"].iter().any(|s| n.contains(s))
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The event's details: a settings change's before/after objects field by field, a profile
/// change's `{field: {before, after}}`, or plain `{name: value}` details.
pub fn details(raw: &str) -> Vec<Detail> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) else { return Vec::new() };
    let hide =
        |field: &str, value: String| if is_secret_name(field) { "[hidden]".into() } else { value };
    if let (Some(Value::Object(before)), Some(Value::Object(after))) =
        (map.get("before"), map.get("after"))
    {
        return after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, v)| Detail {
                field: k.clone(),
                before: Some(hide(k, before.get(k).map(shown).unwrap_or_else(|| "—".into()))),
                value: hide(k, shown(v)),
            })
            .collect();
    }
    map.iter()
        .map(|(k, v)| match v {
            Value::Object(o) if o.contains_key("before") && o.contains_key("after") => Detail {
                field: k.clone(),
                before: Some(hide(k, shown(&o["before"]))),
                value: hide(k, shown(&o["after"])),
            },
            other => Detail { field: k.clone(), before: None, value: hide(k, shown(other)) },
        })
        .collect()
}

pub fn view(e: AuditEvent) -> EventView {
    let named = !e.actor_name.is_empty();
    EventView {
        at: date_time(&e.occurred_at),
        at_iso: iso(&e.occurred_at),
        who: if named { e.actor_name.clone() } else { e.actor_label.clone() },
        who_label: named.then_some(e.actor_label),
        action: e.action,
        subject: e.subject_label.unwrap_or_default(),
        details: details(&e.details),
        ip: e.ip,
    }
}

/// A page of events and the cursor of the next (older) one.
pub struct EventPage {
    pub events: Vec<EventView>,
    pub older: Option<String>,
}

fn cursor_of(e: &AuditEvent) -> String {
    encode_cursor(&Cursor {
        value: e.occurred_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        id: e.id.clone(),
    })
}

fn position(before: Option<&str>) -> Result<Option<(NaiveDateTime, String)>, AppError> {
    let Some(raw) = before else { return Ok(None) };
    let c = decode_cursor(raw)?;
    let at = NaiveDateTime::parse_from_str(&c.value, "%Y-%m-%d %H:%M:%S%.f").map_err(|_| {
        AppError::BadRequest("This page link is not valid. Start from the first page.")
    })?;
    Ok(Some((at, c.id)))
}

pub async fn page(db: &Db, filter: Filter, before: Option<&str>) -> Result<EventPage, AppError> {
    let before = position(before)?;
    let mut rows = db.run(move |c| Ok(audit::page(c, &filter, before, PAGE + 1)?)).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let older = rows.last().filter(|_| more).map(cursor_of);
    Ok(EventPage { events: rows.into_iter().map(view).collect(), older })
}

/// A CSV cell: quoted, and a value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// tab, CR) made text by a leading `'`.
pub fn csv_cell(raw: &str) -> String {
    let risky = raw.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if risky { format!("'{raw}") } else { raw.to_owned() };
    format!("\"{}\"", text.replace('"', "\"\""))
}

pub const CSV_HEADER: &str = "\"occurred_at\",\"actor_name\",\"actor\",\"action\",\"subject\",\"subject_id\",\"details\",\"ip\"\r\n";

fn csv_line(e: AuditEvent, out: &mut String) {
    let details: Vec<String> = details(&e.details)
        .into_iter()
        .map(|d| match d.before {
            Some(b) => format!("{}: {} → {}", d.field, b, d.value),
            None => format!("{}: {}", d.field, d.value),
        })
        .collect();
    let cells = [
        iso(&e.occurred_at),
        e.actor_name,
        e.actor_label,
        e.action,
        e.subject_label.unwrap_or_default(),
        e.subject_id.unwrap_or_default(),
        details.join("; "),
        e.ip,
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
    filter: Filter,
    before: Option<(NaiveDateTime, String)>,
) -> Result<(String, Option<(NaiveDateTime, String)>), AppError> {
    let rows = db.run(move |c| Ok(audit::page(c, &filter, before, EXPORT_CHUNK)?)).await?;
    let next = (rows.len() as i64 == EXPORT_CHUNK)
        .then(|| rows.last().map(|e| (e.occurred_at, e.id.clone())))
        .flatten();
    let mut out = String::with_capacity(rows.len() * 160);
    for e in rows {
        csv_line(e, &mut out);
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

    #[test]
    fn details_read_before_and_after_and_hide_secret_names() {
        let d = details(r#"{"first_name":{"before":"Ada","after":"Ava"},"delivery":"email"}"#);
        assert_eq!(d.len(), 2);
        assert!(d.iter().any(|x| x.field == "first_name"
            && x.before.as_deref() == Some("Ada")
            && x.value == "Ava"));
        let s = details(
            r#"{"before":{"min_length":12,"blocklist":true},"after":{"min_length":16,"blocklist":true}}"#,
        );
        assert_eq!(s.len(), 1, "only what changed");
        assert_eq!(
            (s[0].field.as_str(), s[0].before.as_deref(), s[0].value.as_str()),
            ("min_length", Some("12"), "16")
        );
        assert_eq!(details(r#"{"password_hash":"$argon2"}"#)[0].value, "[hidden]");
    }
}
