//! The email outbox: rows written with the change that causes them, sent by `mail::worker`.

use diesel::prelude::*;

use super::ids::AccountId;
use super::schema::outbox as o;
use super::{Conn, new_id};
use crate::domain::clock::At;
use crate::domain::mail::{MailState, Template};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = o, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Message {
    pub id: String,
    pub template: String,
    pub account_id: Option<AccountId>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub token_id: Option<String>,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: At,
    pub last_attempt_at: Option<At>,
    pub last_error: Option<String>,
    pub created_at: At,
    pub updated_at: At,
    pub sent_at: Option<At>,
    pub params: String,
}

impl Message {
    pub fn template(&self) -> Option<Template> {
        Template::parse(&self.template)
    }

    pub fn state(&self) -> Option<MailState> {
        MailState::parse(&self.state)
    }
}

/// A message to queue. No secrets: links are rebuilt from `token_id` at send time.
pub struct NewMessage<'a> {
    pub template: Template,
    pub account_id: AccountId,
    pub recipient: &'a str,
    pub recipient_name: &'a str,
    pub subject: &'a str,
    pub token_id: Option<&'a str>,
    /// What the email shows beyond its template and recipient (never a secret).
    pub params: serde_json::Value,
}

pub fn enqueue(conn: &mut Conn, m: &NewMessage<'_>, at: At) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(o::table)
        .values((
            o::id.eq(&id),
            o::template.eq(m.template.as_str()),
            o::account_id.eq(m.account_id),
            o::recipient.eq(m.recipient),
            o::recipient_name.eq(m.recipient_name),
            o::subject.eq(m.subject),
            o::token_id.eq(m.token_id),
            o::params.eq(m.params.to_string()),
            o::state.eq(MailState::Queued.as_str()),
            o::next_attempt_at.eq(at),
            o::created_at.eq(at),
            o::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

const UNSENT: [&str; 2] = ["queued", "retrying"];

/// The same condition in the words of the partial index `outbox_due`. SQLite proves a query may
/// use a partial index from the SQL text alone (its planner never reads bound values here: see
/// `.cargo/config.toml`), so the sender's polls spell it literally to stay on that index.
fn unsent() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql("outbox.state IN ('queued', 'retrying')")
}

/// Messages due at `at`, oldest first.
pub fn due(conn: &mut Conn, at: At, limit: i64) -> QueryResult<Vec<Message>> {
    o::table
        .filter(unsent())
        .filter(o::next_attempt_at.le(at))
        .order((o::next_attempt_at, o::id))
        .limit(limit)
        .select(Message::as_select())
        .load(conn)
}

/// When the next unsent message is due, if any.
pub fn next_due_at(conn: &mut Conn) -> QueryResult<Option<At>> {
    o::table.filter(unsent()).select(diesel::dsl::min(o::next_attempt_at)).first(conn)
}

/// Claims a due message for one attempt, in one statement: its next attempt moves to `until`,
/// so no other sender (of this process or of another on the same database) takes it
/// meanwhile, and if this one dies before recording the outcome, the message is due again
/// then. Counts the attempt before it is made: returns the message's attempts, this one
/// included, so that a message whose sender keeps dying still runs out of them (the sender
/// gives it up past its maximum). None when another sender claimed it first, or it is no
/// longer unsent (cancelled meanwhile).
pub fn claim(conn: &mut Conn, id: &str, at: At, until: At) -> QueryResult<Option<i32>> {
    let claimable =
        o::table.find(id).filter(o::state.eq_any(UNSENT)).filter(o::next_attempt_at.le(at));
    diesel::update(claimable)
        .set((
            o::attempts.eq(o::attempts + 1),
            o::last_attempt_at.eq(at),
            o::next_attempt_at.eq(until),
            o::updated_at.eq(at),
        ))
        .returning(o::attempts)
        .get_result(conn)
        .optional()
}

pub fn mark_sent(conn: &mut Conn, id: &str, at: At) -> QueryResult<()> {
    diesel::update(o::table.find(id))
        .set((
            o::state.eq(MailState::Sent.as_str()),
            o::sent_at.eq(at),
            o::last_error.eq(None::<String>),
            o::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// After attempt number `attempt` failed: try again at `next`, or give up (`next` = None).
/// Nothing changes if the message has had another attempt since (this sender's claim ran out
/// and another sender took it: its outcome is the one to keep).
pub fn mark_attempt_failed(
    conn: &mut Conn,
    id: &str,
    attempt: i32,
    error: &str,
    next: Option<At>,
    at: At,
) -> QueryResult<()> {
    let state = if next.is_some() { MailState::Retrying } else { MailState::Failed };
    let mine = o::table.find(id).filter(o::state.eq_any(UNSENT)).filter(o::attempts.eq(attempt));
    diesel::update(mine)
        .set((
            o::state.eq(state.as_str()),
            o::next_attempt_at.eq(next.unwrap_or(at)),
            o::last_error.eq(error),
            o::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Unsent messages carrying one of these (now revoked) links will not be sent.
pub fn cancel_for_tokens(
    conn: &mut Conn,
    token_ids: &[String],
    why: &str,
    at: At,
) -> QueryResult<usize> {
    if token_ids.is_empty() {
        return Ok(0);
    }
    diesel::update(o::table.filter(o::token_id.eq_any(token_ids)).filter(o::state.eq_any(UNSENT)))
        .set((
            o::state.eq(MailState::Cancelled.as_str()),
            o::last_error.eq(why),
            o::updated_at.eq(at),
        ))
        .execute(conn)
}

pub fn cancel(conn: &mut Conn, id: &str, why: &str, at: At) -> QueryResult<usize> {
    diesel::update(o::table.find(id).filter(o::state.eq_any(UNSENT)))
        .set((
            o::state.eq(MailState::Cancelled.as_str()),
            o::last_error.eq(why),
            o::updated_at.eq(at),
        ))
        .execute(conn)
}

/// A failed message goes back to the queue with a fresh set of attempts.
pub fn requeue(conn: &mut Conn, id: &str, at: At) -> QueryResult<bool> {
    let n = diesel::update(o::table.find(id).filter(o::state.eq(MailState::Failed.as_str())))
        .set((
            o::state.eq(MailState::Queued.as_str()),
            o::attempts.eq(0),
            o::next_attempt_at.eq(at),
            o::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<Message>> {
    o::table.find(id).select(Message::as_select()).first(conn).optional()
}

/// The newest message carrying the link `token_id`.
/// Was this one-time link emailed (rather than shown to an administrator to copy)?
pub fn carried_token(conn: &mut Conn, token_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(o::table.filter(o::token_id.eq(token_id)))).get_result(conn)
}

pub fn latest_for_token(conn: &mut Conn, token_id: &str) -> QueryResult<Option<Message>> {
    o::table
        .filter(o::token_id.eq(token_id))
        .order((o::created_at.desc(), o::id.desc()))
        .select(Message::as_select())
        .first(conn)
        .optional()
}

/// Every message to the account, sent or not (the account is being deleted).
pub fn delete_for_account(conn: &mut Conn, account_id: AccountId) -> QueryResult<usize> {
    diesel::delete(o::table.filter(o::account_id.eq(account_id))).execute(conn)
}

/// The newest message of `template` to the account.
pub fn latest_for_account(
    conn: &mut Conn,
    account_id: AccountId,
    template: Template,
) -> QueryResult<Option<Message>> {
    o::table
        .filter(o::account_id.eq(account_id))
        .filter(o::template.eq(template.as_str()))
        .order((o::created_at.desc(), o::id.desc()))
        .select(Message::as_select())
        .first(conn)
        .optional()
}

/// A page of the outbox, newest first (ids are UUIDv7: time-ordered), optionally in one state,
/// after the row `before`. Returns one row more than `limit` when there is a next page.
pub fn page(
    conn: &mut Conn,
    state: Option<MailState>,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut q = o::table.select(Message::as_select()).into_boxed();
    if let Some(state) = state {
        q = q.filter(o::state.eq(state.as_str()));
    }
    if let Some(id) = before {
        q = q.filter(o::id.lt(id));
    }
    q.order(o::id.desc()).limit(limit + 1).load(conn)
}

/// How many messages failed for good (the `outbox_failed` partial index).
pub fn failed_count(conn: &mut Conn) -> QueryResult<i64> {
    o::table.filter(o::state.eq("failed")).count().get_result(conn)
}
