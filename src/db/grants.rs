//! Queries on `authorization_codes` and `oidc_tokens`: what the OpenID Connect provider issued,
//! by hash, grouped by grant (one sign-in of a customer to an application).

use diesel::prelude::*;

use super::Conn;
use super::ids::{AccountId, ApplicationId};
use super::schema::authorization_codes as c;
use super::schema::oidc_tokens as t;

use crate::domain::clock::At;
pub use crate::domain::oidc::TokenKind;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = c, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Code {
    pub code_hash: String,
    pub grant_id: String,
    pub application_id: ApplicationId,
    pub account_id: AccountId,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: At,
    pub created_at: At,
    pub expires_at: At,
    pub used_at: Option<At>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = t, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Token {
    pub token_hash: String,
    pub kind: String,
    pub grant_id: String,
    pub application_id: ApplicationId,
    pub account_id: AccountId,
    pub scope: String,
    pub auth_time: At,
    pub created_at: At,
    pub expires_at: At,
    pub used_at: Option<At>,
    pub revoked_at: Option<At>,
}

pub fn insert_code(conn: &mut Conn, code: &Code) -> QueryResult<usize> {
    diesel::insert_into(c::table).values(code).execute(conn)
}

pub fn find_code(conn: &mut Conn, hash: &str) -> QueryResult<Option<Code>> {
    c::table.find(hash).select(Code::as_select()).first(conn).optional()
}

/// Marks the code used; false when it already was (a second exchange).
pub fn use_code(conn: &mut Conn, hash: &str, at: At) -> QueryResult<bool> {
    let n = diesel::update(c::table.find(hash).filter(c::used_at.is_null()))
        .set(c::used_at.eq(at))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_token(conn: &mut Conn, token: &Token) -> QueryResult<usize> {
    diesel::insert_into(t::table).values(token).execute(conn)
}

pub fn find_token(conn: &mut Conn, hash: &str, kind: TokenKind) -> QueryResult<Option<Token>> {
    t::table
        .find(hash)
        .filter(t::kind.eq(kind.as_str()))
        .select(Token::as_select())
        .first(conn)
        .optional()
}

/// Marks a refresh token exchanged; false when it already was (reuse).
pub fn use_token(conn: &mut Conn, hash: &str, at: At) -> QueryResult<bool> {
    let n = diesel::update(t::table.find(hash).filter(t::used_at.is_null()))
        .set(t::used_at.eq(at))
        .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every live token of the grant; returns how many.
pub fn revoke_grant(conn: &mut Conn, grant_id: &str, at: At) -> QueryResult<usize> {
    diesel::update(t::table.filter(t::grant_id.eq(grant_id)).filter(t::revoked_at.is_null()))
        .set(t::revoked_at.eq(at))
        .execute(conn)
}

/// Revokes every live token of the account (lock, reset, sign-out everywhere); returns how many.
pub fn revoke_account(conn: &mut Conn, account_id: AccountId, at: At) -> QueryResult<usize> {
    diesel::update(t::table.filter(t::account_id.eq(account_id)).filter(t::revoked_at.is_null()))
        .set(t::revoked_at.eq(at))
        .execute(conn)
}

/// Looks a token up by hash, whatever its kind.
pub fn find_any_token(conn: &mut Conn, hash: &str) -> QueryResult<Option<Token>> {
    t::table.find(hash).select(Token::as_select()).first(conn).optional()
}

/// Revokes one token; false when it already was.
pub fn revoke_token(conn: &mut Conn, hash: &str, at: At) -> QueryResult<bool> {
    let n = diesel::update(t::table.find(hash).filter(t::revoked_at.is_null()))
        .set(t::revoked_at.eq(at))
        .execute(conn)?;
    Ok(n == 1)
}

/// A grant still in use: an application the customer is signed in to.
pub struct LiveGrant {
    pub grant_id: String,
    pub application_id: ApplicationId,
    pub signed_in: At,
    pub last_used: At,
}

/// The account's grants with a live token at `at`, most recently used first.
pub fn live_of_account(
    conn: &mut Conn,
    account_id: AccountId,
    at: At,
) -> QueryResult<Vec<LiveGrant>> {
    use diesel::dsl::{max, min};
    let rows: Vec<(String, ApplicationId, Option<At>, Option<At>)> = t::table
        .filter(t::account_id.eq(account_id))
        .filter(t::revoked_at.is_null())
        .filter(t::expires_at.gt(at))
        .group_by((t::grant_id, t::application_id))
        .select((t::grant_id, t::application_id, min(t::auth_time), max(t::created_at)))
        .load(conn)?;
    let mut grants: Vec<LiveGrant> = rows
        .into_iter()
        .map(|(grant_id, application_id, signed_in, last_used)| LiveGrant {
            grant_id,
            application_id,
            signed_in: signed_in.unwrap_or(at),
            last_used: last_used.unwrap_or(at),
        })
        .collect();
    grants.sort_by_key(|g| std::cmp::Reverse(g.last_used));
    Ok(grants)
}

/// The account and application of a grant, if it has any token.
pub fn owner_of_grant(
    conn: &mut Conn,
    grant_id: &str,
) -> QueryResult<Option<(AccountId, ApplicationId)>> {
    t::table
        .filter(t::grant_id.eq(grant_id))
        .select((t::account_id, t::application_id))
        .first(conn)
        .optional()
}
