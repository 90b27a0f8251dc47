//! The audit trail: written in the same transaction as the change it records.
//!
//! Stored compactly (migration 22): `audit_events` holds numbers that point at `audit_words`,
//! where each label, name, action and public id is written once. The log is read and written
//! through the view `audit_log`, whose columns are the words; its trigger interns the words of
//! an event it is given.

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use diesel::sqlite::Sqlite;

use super::ids::{AccountId, PublicId};
use super::schema::{audit_events, audit_words};
use super::{Conn, now};

use super::millis::Millis;
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

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::millis::Millis;

    /// The view of `audit_events` with its words (migration 22; `diesel print-schema` does not
    /// see views). Inserting into it records an event.
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Millis,
        actor_id -> Nullable<Text>,
        actor_label -> Text,
        action -> Text,
        subject_id -> Nullable<Text>,
        subject_label -> Nullable<Text>,
        details -> Text,
        ip -> Text,
        actor_name -> Text,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::sqlite::Sqlite))]
pub struct AuditEvent {
    /// Numbered in the order events were recorded; not shown, only the log's cursor carries it.
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
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::occurred_at.eq(now()),
            audit_log::actor_id.eq(actor.id.as_deref()),
            audit_log::actor_label.eq(&actor.label),
            audit_log::actor_name.eq(&actor.name),
            audit_log::action.eq(action),
            audit_log::subject_id.eq(subject.map(|s| s.0)),
            audit_log::subject_label.eq(subject.map(|s| s.1)),
            audit_log::details.eq(details.to_string()),
            audit_log::ip.eq(&actor.ip),
        ))
        .execute(conn)?;
    Ok(())
}

/// Newest first; for tests and the overview.
pub fn recent(conn: &mut Conn, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_log::table
        .order(audit_log::id.desc())
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

/// Newest first, `limit` events recorded before the event `before`. Each filter's index ends in
/// the key (SQLite appends the rowid), so a page is a walk of about `limit` entries; a filter
/// on a word starts from that word (the view's joins let the planner begin there).
pub fn page(
    conn: &mut Conn,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    use audit_log::dsl as e;
    let mut q = e::audit_log.into_boxed();
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
    // A time bound becomes a key bound, found in the time index (see `first_at_or_after`).
    if let Some(t) = f.from {
        q = q.filter(e::id.nullable().ge(first_at_or_after(t)));
    }
    if let Some(t) = f.until {
        let last = sql::<Nullable<BigInt>>("(SELECT id FROM audit_events WHERE occurred_at < ")
            .bind::<Millis, _>(t)
            .sql(" ORDER BY occurred_at DESC, id DESC LIMIT 1)");
        q = q.filter(e::id.nullable().le(last));
    }
    if let Some(id) = before {
        q = q.filter(e::id.lt(id));
    }
    q.order(e::id.desc()).limit(limit).select(AuditEvent::as_select()).load(conn)
}

/// How many `action` events happened since `since`: a range of the `audit_events_action`
/// index, from the first event since then (found in the time index).
pub fn count_since(conn: &mut Conn, action: &str, since: At) -> QueryResult<i64> {
    let word = audit_words::table
        .filter(audit_words::word.eq(action))
        .select(audit_words::id)
        .single_value();
    audit_events::table
        .filter(audit_events::action.nullable().eq(word))
        .filter(audit_events::id.nullable().ge(first_at_or_after(since)))
        .count()
        .get_result(conn)
}

/// The keys of `words` in `audit_words`, each added if it is not there yet (for loads that write
/// `audit_events` directly, without the view's trigger).
pub fn word_keys(conn: &mut Conn, words: &[&str]) -> QueryResult<HashMap<String, i64>> {
    let mut keys = HashMap::with_capacity(words.len());
    // 5,000 a statement stays under SQLite's 32,766 parameters.
    for chunk in words.chunks(5_000) {
        let rows: Vec<_> = chunk.iter().map(|w| audit_words::word.eq(*w)).collect();
        diesel::insert_or_ignore_into(audit_words::table).values(&rows).execute(conn)?;
        let found: Vec<(i64, String)> = audit_words::table
            .filter(audit_words::word.eq_any(chunk))
            .select((audit_words::id, audit_words::word))
            .load(conn)?;
        keys.extend(found.into_iter().map(|(id, w)| (w, id)));
    }
    Ok(keys)
}

/// The key of the first event at or after `t` (NULL: there is none), from the time index. Keys
/// follow time: migration 22 numbered the events in time order, the log's trigger never
/// records one earlier than the event before it, and the seed writes after the newest. So a
/// time bound is a key bound, exactly.
fn first_at_or_after<QS: 'static>(
    t: At,
) -> Box<dyn BoxableExpression<QS, Sqlite, SqlType = Nullable<BigInt>>> {
    Box::new(
        sql::<Nullable<BigInt>>("(SELECT id FROM audit_events WHERE occurred_at >= ")
            .bind::<Millis, _>(t)
            .sql(" ORDER BY occurred_at, id LIMIT 1)"),
    )
}
