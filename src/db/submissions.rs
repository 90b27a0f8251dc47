//! The New User wizard's replay guard: which customer a submission key created, and for whom.

use diesel::prelude::*;

use super::Conn;
use super::ids::{AccountId, PublicId};
use super::schema::{accounts, form_submissions as f};

use crate::domain::clock::At;

/// The account an earlier request with this key created (its public id), if the same
/// administrator sent it.
pub fn find(conn: &mut Conn, key: &str, actor_id: AccountId) -> QueryResult<Option<PublicId>> {
    f::table
        .inner_join(accounts::table)
        .filter(f::submission_key.eq(key))
        .filter(f::actor_id.eq(actor_id))
        .select(accounts::public_id)
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut Conn,
    key: &str,
    actor_id: AccountId,
    account_id: AccountId,
    at: At,
) -> QueryResult<()> {
    diesel::insert_into(f::table)
        .values((
            f::submission_key.eq(key),
            f::actor_id.eq(actor_id),
            f::account_id.eq(account_id),
            f::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Keys only guard against a repeat within minutes; a day is plenty.
pub fn delete_older_than(conn: &mut Conn, before: At) -> QueryResult<usize> {
    diesel::delete(f::table.filter(f::created_at.lt(before))).execute(conn)
}
