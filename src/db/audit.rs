//! The audit trail: written in the same transaction as the change it records.

use diesel::prelude::*;

use super::ids::{AccountId, PublicId};
use super::schema::audit_events;
use super::{Conn, now};

use crate::domain::clock::At;

/// Who acted: an account, or the system (CLI, setup page, anonymous visitor).
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account's public id, as the audit log names it.
    pub id: Option<String>,
    /// The account's key.
    pub key: Option<AccountId>,
    pub label: String,
    /// The person's name when known (kept in the event: it outlives their account).
    pub name: String,
    pub ip: String,
}

impl Actor {
    pub fn system(label: &str) -> Self {
        Self {
            id: None,
            key: None,
            label: label.to_owned(),
            name: String::new(),
            ip: String::new(),
        }
    }

    /// Someone not signed in (sign-in attempts, forgot password, registration).
    pub fn anonymous(ip: &str) -> Self {
        Self {
            id: None,
            key: None,
            label: "anonymous".into(),
            name: String::new(),
            ip: ip.to_owned(),
        }
    }

    /// An account acting for itself (or an administrator), labelled by its email.
    pub fn account(key: AccountId, public_id: PublicId, email: &str, ip: &str) -> Self {
        Self {
            id: Some(public_id.to_string()),
            key: Some(key),
            label: email.to_owned(),
            name: String::new(),
            ip: ip.to_owned(),
        }
    }

    /// The same actor, with their name.
    pub fn named(self, name: &str) -> Self {
        Self { name: name.trim().to_owned(), ..self }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::sqlite::Sqlite))]
pub struct AuditEvent {
    /// Numbered in the order events happened; not shown, only the log's cursor carries it.
    pub id: i64,
    pub occurred_at: At,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub subject_id: Option<String>,
    pub subject_label: Option<String>,
    pub details: String,
    pub ip: String,
    pub actor_name: String,
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
            audit_events::occurred_at.eq(now()),
            audit_events::actor_id.eq(actor.id.as_deref()),
            audit_events::actor_label.eq(&actor.label),
            audit_events::actor_name.eq(&actor.name),
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
    let filter = Filter { subject_id: Some(subject_id.to_owned()), ..Filter::default() };
    page(conn, &filter, None, limit)
}

/// Which events a page of the audit log shows. Each set field narrows it.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The actor's label (an email, or "anonymous", or a system label), exactly.
    pub actor: Option<String>,
    /// The subject's label (an email, a group or attribute name), exactly.
    pub subject: Option<String>,
    pub subject_id: Option<String>,
    pub action: Option<String>,
    /// From this time on (inclusive).
    pub from: Option<At>,
    /// Before this time.
    pub until: Option<At>,
}

/// Newest first, `limit` events older than `before` (occurred_at, id). Each filter has an index
/// ending in (occurred_at, id), so a page is a walk of about `limit` entries.
pub fn page(
    conn: &mut Conn,
    f: &Filter,
    before: Option<(At, i64)>,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    use audit_events::dsl as e;
    let mut q = e::audit_events.into_boxed();
    if let Some(v) = &f.actor {
        q = q.filter(e::actor_label.eq(v.clone()));
    }
    if let Some(v) = &f.subject {
        q = q.filter(e::subject_label.eq(v.clone()));
    }
    if let Some(v) = &f.subject_id {
        q = q.filter(e::subject_id.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        q = q.filter(e::action.eq(v.clone()));
    }
    if let Some(t) = f.from {
        q = q.filter(e::occurred_at.ge(t));
    }
    if let Some(t) = f.until {
        q = q.filter(e::occurred_at.lt(t));
    }
    if let Some((at, id)) = before {
        // `occurred_at <= at` alone bounds the index range (an OR at the top would not): the
        // walk starts at the cursor, not at the newest event.
        q = q.filter(e::occurred_at.le(at)).filter(e::occurred_at.lt(at).or(e::id.lt(id)));
    }
    q.order((e::occurred_at.desc(), e::id.desc()))
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// How many `action` events happened since `since` (the `audit_events_action` index).
pub fn count_since(conn: &mut Conn, action: &str, since: At) -> QueryResult<i64> {
    audit_events::table
        .filter(audit_events::action.eq(action))
        .filter(audit_events::occurred_at.ge(since))
        .count()
        .get_result(conn)
}
