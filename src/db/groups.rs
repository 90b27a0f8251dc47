//! Groups and memberships (what onboarding needs; the Groups pages come with their issue).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Conn;
use super::schema::{group_members, groups};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// Every group, by name.
pub fn all(conn: &mut Conn) -> QueryResult<Vec<Group>> {
    groups::table.order((groups::name_key, groups::id)).select(Group::as_select()).load(conn)
}

pub fn any_exist(conn: &mut Conn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(groups::table.select(groups::id))).get_result(conn)
}

/// Those of `ids` that are groups.
pub fn existing(conn: &mut Conn, ids: &[String]) -> QueryResult<Vec<Group>> {
    groups::table
        .filter(groups::id.eq_any(ids))
        .order(groups::name_key)
        .select(Group::as_select())
        .load(conn)
}

/// The account's groups, by name.
pub fn of_account(conn: &mut Conn, account_id: &str) -> QueryResult<Vec<Group>> {
    groups::table
        .inner_join(group_members::table)
        .filter(group_members::account_id.eq(account_id))
        .order(groups::name_key)
        .select(Group::as_select())
        .load(conn)
}

pub fn add_member(
    conn: &mut Conn,
    account_id: &str,
    group_ids: &[String],
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let rows: Vec<_> = group_ids
        .iter()
        .map(|g| {
            (
                group_members::group_id.eq(g),
                group_members::account_id.eq(account_id),
                group_members::added_at.eq(at),
            )
        })
        .collect();
    diesel::insert_or_ignore_into(group_members::table).values(rows).execute(conn)
}
