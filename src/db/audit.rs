//! The audit trail: written in the same transaction as the change it records.

use diesel::prelude::*;

use super::schema::audit_events;
use super::{Conn, new_id, now};

/// Who acted: an account, or the system (CLI, setup page, anonymous visitor).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn system(label: &str) -> Self {
        Self { id: None, label: label.to_owned(), ip: String::new() }
    }

    /// An account acting for itself (or an administrator), labelled by its email.
    pub fn account(id: &str, email: &str, ip: &str) -> Self {
        Self { id: Some(id.to_owned()), label: email.to_owned(), ip: ip.to_owned() }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::sqlite::Sqlite))]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: chrono::NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub subject_id: Option<String>,
    pub subject_label: Option<String>,
    pub details: String,
    pub ip: String,
}

/// Records `action` by `actor` on the account `subject` (id, label). `details` never holds
/// secrets: callers pass names of fields and non-secret values only.
pub fn record(
    conn: &mut Conn,
    actor: &Actor,
    action: &str,
    subject: Option<(&str, &str)>,
    details: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(new_id()),
            audit_events::occurred_at.eq(now()),
            audit_events::actor_id.eq(actor.id.as_deref()),
            audit_events::actor_label.eq(&actor.label),
            audit_events::action.eq(action),
            audit_events::subject_id.eq(subject.map(|s| s.0)),
            audit_events::subject_label.eq(subject.map(|s| s.1)),
            audit_events::details.eq(details.to_string()),
            audit_events::ip.eq(&actor.ip),
        ))
        .execute(conn)?;
    Ok(())
}

/// Newest first; for tests and, later, the History tab and the audit log.
pub fn recent(conn: &mut Conn, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// The events about one account, newest first (the `audit_events_subject` index).
pub fn about(conn: &mut Conn, subject_id: &str, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::subject_id.eq(subject_id))
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}
