//! Server-side sessions. Rows are keyed by the SHA-256 of the cookie's key, so a copy of the
//! database does not hand out live sessions.

use diesel::prelude::*;

use super::Conn;
use super::accounts::AccountSummary;
use super::ids::AccountId;
use super::schema::{accounts, sessions};

use crate::domain::clock::At;

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub scope: &'a str,
    pub account_id: Option<AccountId>,
    pub state: &'a str,
    pub user_agent: &'a str,
    pub ip: &'a str,
    pub created_at: At,
    pub last_seen_at: At,
    pub idle_expires_at: At,
    pub absolute_expires_at: At,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite))]
pub struct StoredSession {
    pub state: String,
    pub last_seen_at: At,
    pub idle_expires_at: At,
    pub absolute_expires_at: At,
}

/// What a session's state says about who it belongs to; copied into columns so sessions can be
/// listed and ended per account.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sessions)]
pub struct SessionOwner<'a> {
    pub account_id: Option<Option<AccountId>>,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

pub fn insert(conn: &mut Conn, new: &NewSession<'_>) -> QueryResult<usize> {
    diesel::insert_into(sessions::table).values(new).execute(conn)
}

/// The session and, when it belongs to one, its account: one query per request.
pub fn find(
    conn: &mut Conn,
    id_hash: &str,
    scope: &str,
) -> QueryResult<Option<(StoredSession, Option<AccountSummary>)>> {
    sessions::table
        .left_join(accounts::table)
        .filter(sessions::id_hash.eq(id_hash))
        .filter(sessions::scope.eq(scope))
        .select((StoredSession::as_select(), Option::<AccountSummary>::as_select()))
        .first(conn)
        .optional()
}

pub fn update_state(
    conn: &mut Conn,
    id_hash: &str,
    state: &str,
    owner: &SessionOwner<'_>,
    now: At,
    idle_expires_at: At,
) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id_hash))
        .set((
            sessions::state.eq(state),
            sessions::last_seen_at.eq(now),
            sessions::idle_expires_at.eq(idle_expires_at),
            owner,
        ))
        .execute(conn)
}

pub fn touch(conn: &mut Conn, id_hash: &str, now: At, idle_expires_at: At) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id_hash))
        .set((sessions::last_seen_at.eq(now), sessions::idle_expires_at.eq(idle_expires_at)))
        .execute(conn)
}

pub fn delete(conn: &mut Conn, id_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn)
}

pub fn delete_expired(conn: &mut Conn, now: At) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::idle_expires_at.lt(now).or(sessions::absolute_expires_at.lt(now))),
    )
    .execute(conn)
}

/// Ends every session of the account in `scope` (password changed, locked, deleted).
pub fn delete_for_account(
    conn: &mut Conn,
    account_id: AccountId,
    scope: &str,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::scope.eq(scope)),
    )
    .execute(conn)
}

/// A session as the Sessions tab lists it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite))]
pub struct ListedSession {
    pub id_hash: String,
    pub user_agent: String,
    pub ip: String,
    pub created_at: At,
    pub last_seen_at: At,
    pub idle_expires_at: At,
    pub absolute_expires_at: At,
}

/// The account's live sessions in `scope`, most recently seen first.
pub fn of_account(
    conn: &mut Conn,
    account_id: AccountId,
    scope: &str,
    now: At,
) -> QueryResult<Vec<ListedSession>> {
    sessions::table
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::scope.eq(scope))
        .filter(sessions::idle_expires_at.gt(now))
        .filter(sessions::absolute_expires_at.gt(now))
        .order((sessions::last_seen_at.desc(), sessions::id_hash))
        .select(ListedSession::as_select())
        .load(conn)
}

/// Ends one session of the account (false if it was not theirs or is gone).
pub fn delete_of_account(
    conn: &mut Conn,
    id_hash: &str,
    account_id: AccountId,
) -> QueryResult<bool> {
    let n =
        diesel::delete(sessions::table.find(id_hash).filter(sessions::account_id.eq(account_id)))
            .execute(conn)?;
    Ok(n == 1)
}

/// Ends every session of the account, in every area.
pub fn delete_all_of_account(conn: &mut Conn, account_id: AccountId) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::account_id.eq(account_id))).execute(conn)
}

pub fn count(conn: &mut Conn) -> QueryResult<i64> {
    sessions::table.count().get_result(conn)
}
