//! One-time link tokens (invitation, password reset, verification). Only the SHA-256 of a token
//! is stored; the token itself is derived from the row id (see `domain::token::LinkKey`).

use diesel::prelude::*;

use super::ids::AccountId;
use super::schema::one_time_tokens as t;
use super::{Conn, new_id};
use crate::domain::clock::At;
use crate::domain::token::Purpose;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = t, check_for_backend(diesel::sqlite::Sqlite))]
pub struct StoredToken {
    pub id: String,
    pub account_id: AccountId,
    pub purpose: String,
    pub created_at: At,
    pub expires_at: At,
    pub used_at: Option<At>,
    pub revoked_at: Option<At>,
}

/// Why a link cannot be used, in the words the customer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Usable,
    Used,
    Revoked,
    Expired,
}

impl StoredToken {
    pub fn purpose(&self) -> Option<Purpose> {
        Purpose::parse(&self.purpose)
    }

    pub fn state(&self, at: At) -> TokenState {
        if self.used_at.is_some() {
            TokenState::Used
        } else if self.revoked_at.is_some() {
            TokenState::Revoked
        } else if at >= self.expires_at {
            TokenState::Expired
        } else {
            TokenState::Usable
        }
    }
}

/// Revokes the account's open tokens of `purpose` (a new link replaces the old ones) and adds a
/// new row; returns its id. The caller stores `token_hash` computed from the derived token.
pub fn replace(
    conn: &mut Conn,
    account_id: AccountId,
    purpose: Purpose,
    token_hash_of: impl FnOnce(&str) -> String,
    at: At,
    expires_at: At,
) -> QueryResult<String> {
    revoke_open(conn, account_id, purpose, at)?;
    let id = new_id();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(&id),
            t::token_hash.eq(token_hash_of(&id)),
            t::account_id.eq(account_id),
            t::purpose.eq(purpose.as_str()),
            t::created_at.eq(at),
            t::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Revokes the unused, unrevoked tokens of `purpose`; returns their ids.
pub fn revoke_open(
    conn: &mut Conn,
    account_id: AccountId,
    purpose: Purpose,
    at: At,
) -> QueryResult<Vec<String>> {
    revoke_open_of(conn, account_id, &[purpose], at)
}

/// Revokes the unused, unrevoked tokens of any of `purposes`; returns their ids.
pub fn revoke_open_of(
    conn: &mut Conn,
    account_id: AccountId,
    purposes: &[Purpose],
    at: At,
) -> QueryResult<Vec<String>> {
    let purposes: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    let open = t::table
        .filter(t::account_id.eq(account_id))
        .filter(t::purpose.eq_any(purposes))
        .filter(t::used_at.is_null())
        .filter(t::revoked_at.is_null());
    let ids: Vec<String> = open.select(t::id).load(conn)?;
    if !ids.is_empty() {
        diesel::update(t::table.filter(t::id.eq_any(&ids)))
            .set(t::revoked_at.eq(at))
            .execute(conn)?;
    }
    Ok(ids)
}

pub fn find_by_hash(
    conn: &mut Conn,
    token_hash: &str,
    purpose: Purpose,
) -> QueryResult<Option<StoredToken>> {
    t::table
        .filter(t::token_hash.eq(token_hash))
        .filter(t::purpose.eq(purpose.as_str()))
        .select(StoredToken::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<StoredToken>> {
    t::table.find(id).select(StoredToken::as_select()).first(conn).optional()
}

/// Marks the token used, if it still is usable at `at`; false when another request got there
/// first (the check and the write are one statement).
pub fn consume(conn: &mut Conn, id: &str, at: At) -> QueryResult<bool> {
    let n = diesel::update(
        t::table
            .find(id)
            .filter(t::used_at.is_null())
            .filter(t::revoked_at.is_null())
            .filter(t::expires_at.gt(at)),
    )
    .set(t::used_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

/// The newest token of `purpose` for the account, whatever its state.
pub fn latest(
    conn: &mut Conn,
    account_id: AccountId,
    purpose: Purpose,
) -> QueryResult<Option<StoredToken>> {
    latest_of(conn, account_id, &[purpose])
}

/// The newest token of any of `purposes` for the account, whatever its state.
pub fn latest_of(
    conn: &mut Conn,
    account_id: AccountId,
    purposes: &[Purpose],
) -> QueryResult<Option<StoredToken>> {
    let purposes: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    t::table
        .filter(t::account_id.eq(account_id))
        .filter(t::purpose.eq_any(purposes))
        .order((t::created_at.desc(), t::id.desc()))
        .select(StoredToken::as_select())
        .first(conn)
        .optional()
}
