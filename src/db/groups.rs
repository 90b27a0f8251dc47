//! Groups and memberships. `groups.member_count` is kept in step with `group_members` by the
//! functions here, in the caller's transaction.

use diesel::prelude::*;

use super::Conn;
use super::cached_sql::CachedSql;
use super::ids::{AccountId, GroupId, PublicId};
use super::schema::{accounts, group_members, groups};

use crate::domain::clock::At;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Group {
    pub id: GroupId,
    pub public_id: PublicId,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(diesel::sqlite::Sqlite))]
pub struct GroupDetails {
    pub id: GroupId,
    pub public_id: PublicId,
    pub name: String,
    pub name_key: String,
    pub member_count: i32,
    pub created_at: At,
    pub updated_at: At,
}

/// Every group, by name.
pub fn all(conn: &mut Conn) -> QueryResult<Vec<Group>> {
    groups::table.order((groups::name_key, groups::id)).select(Group::as_select()).load(conn)
}

pub fn any_exist(conn: &mut Conn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(groups::table.select(groups::id))).get_result(conn)
}

/// Those of `ids` (public ids, from a form) that are groups.
pub fn existing(conn: &mut Conn, ids: &[String]) -> QueryResult<Vec<Group>> {
    let ids: Vec<PublicId> = ids.iter().filter_map(|id| PublicId::parse(id)).collect();
    groups::table
        .filter(groups::public_id.eq_any(ids))
        .order(groups::name_key)
        .select(Group::as_select())
        .load(conn)
}

/// The account's groups, by name.
pub fn of_account(conn: &mut Conn, account_id: AccountId) -> QueryResult<Vec<Group>> {
    groups::table
        .inner_join(group_members::table)
        .filter(group_members::account_id.eq(account_id))
        .order(groups::name_key)
        .select(Group::as_select())
        .load(conn)
}

/// (account, group name) for each membership of these accounts, by group name: the Users
/// list's Groups column in one query per page.
pub fn names_for_accounts(
    conn: &mut Conn,
    account_ids: &[AccountId],
) -> QueryResult<Vec<(AccountId, String)>> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    // diesel does not keep `eq_any` statements prepared (their placeholder count varies); a
    // page has 25, 50 or 100 rows, so this text comes in a handful of shapes worth caching.
    let mut sql = String::from(
        "SELECT group_members.account_id AS account_id, groups.name AS name FROM group_members \
         JOIN groups ON groups.id = group_members.group_id WHERE group_members.account_id IN (?",
    );
    sql.push_str(&",?".repeat(account_ids.len() - 1));
    sql.push_str(") ORDER BY groups.name_key");
    let binds: Vec<i64> = account_ids.iter().map(|id| id.get()).collect();
    let rows: Vec<MembershipName> = CachedSql::new(sql, binds, None).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.account_id, r.name)).collect())
}

#[derive(QueryableByName)]
struct MembershipName {
    #[diesel(sql_type = super::ids::AccountKey)]
    account_id: AccountId,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// A page of groups by name, those starting with `prefix` (a search key) when given, after the
/// name key `after`. One row more than `limit` when there is a next page.
pub fn page(
    conn: &mut Conn,
    prefix: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<GroupDetails>> {
    let mut q = groups::table.select(GroupDetails::as_select()).into_boxed();
    if !prefix.is_empty() {
        // A range on the unique name_key index: [prefix, prefix + U+10FFFF).
        q = q
            .filter(groups::name_key.ge(prefix.to_owned()))
            .filter(groups::name_key.lt(format!("{prefix}\u{10FFFF}")));
    }
    if let Some(after) = after {
        q = q.filter(groups::name_key.gt(after.to_owned()));
    }
    q.order(groups::name_key).limit(limit + 1).load(conn)
}

/// The group a URL or a form names by its public id (`None` for text that is not one).
pub fn find(conn: &mut Conn, public_id: &str) -> QueryResult<Option<GroupDetails>> {
    let Some(public_id) = PublicId::parse(public_id) else { return Ok(None) };
    groups::table
        .filter(groups::public_id.eq(public_id))
        .select(GroupDetails::as_select())
        .first(conn)
        .optional()
}

pub fn key_taken(conn: &mut Conn, key: &str, except: Option<GroupId>) -> QueryResult<bool> {
    let mut q = groups::table.filter(groups::name_key.eq(key)).select(groups::id).into_boxed();
    if let Some(id) = except {
        q = q.filter(groups::id.ne(id));
    }
    Ok(q.first::<GroupId>(conn).optional()?.is_some())
}

/// Inserts the group; its key.
pub fn insert(
    conn: &mut Conn,
    public_id: PublicId,
    name: &str,
    key: &str,
    at: At,
) -> QueryResult<GroupId> {
    diesel::insert_into(groups::table)
        .values((
            groups::public_id.eq(public_id),
            groups::name.eq(name),
            groups::name_key.eq(key),
            groups::created_at.eq(at),
            groups::updated_at.eq(at),
        ))
        .returning(groups::id)
        .get_result(conn)
}

pub fn rename(conn: &mut Conn, id: GroupId, name: &str, key: &str, at: At) -> QueryResult<usize> {
    diesel::update(groups::table.find(id))
        .set((groups::name.eq(name), groups::name_key.eq(key), groups::updated_at.eq(at)))
        .execute(conn)
}

/// Deletes the group; its memberships go with it (foreign key cascade).
pub fn delete(conn: &mut Conn, id: GroupId) -> QueryResult<usize> {
    diesel::delete(groups::table.find(id)).execute(conn)
}

/// Adds the account to each group it is not in yet; returns the groups it joined.
pub fn add_member(
    conn: &mut Conn,
    account_id: AccountId,
    group_ids: &[GroupId],
    at: At,
) -> QueryResult<Vec<GroupId>> {
    let mut joined = Vec::new();
    for &g in group_ids {
        let inserted = diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(g),
                group_members::account_id.eq(account_id),
                group_members::added_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 1 {
            diesel::update(groups::table.find(g))
                .set(groups::member_count.eq(groups::member_count + 1))
                .execute(conn)?;
            joined.push(g);
        }
    }
    Ok(joined)
}

/// False when the account was not a member.
pub fn remove_member(
    conn: &mut Conn,
    group_id: GroupId,
    account_id: AccountId,
) -> QueryResult<bool> {
    let removed =
        diesel::delete(group_members::table.find((group_id, account_id))).execute(conn)?;
    if removed == 1 {
        diesel::update(groups::table.find(group_id))
            .set(groups::member_count.eq(groups::member_count - 1))
            .execute(conn)?;
    }
    Ok(removed == 1)
}

/// Takes the account out of every group, member counts following; returns how many.
pub fn leave_all(conn: &mut Conn, account_id: AccountId) -> QueryResult<usize> {
    let theirs = group_members::table
        .filter(group_members::account_id.eq(account_id))
        .select(group_members::group_id);
    diesel::update(groups::table.filter(groups::id.eq_any(theirs)))
        .set(groups::member_count.eq(groups::member_count - 1))
        .execute(conn)?;
    diesel::delete(group_members::table.filter(group_members::account_id.eq(account_id)))
        .execute(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct Member {
    pub id: PublicId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub lock_reason: Option<String>,
    pub must_change_password: bool,
}

/// A page of the group's members in the order they became customers (their keys), after the
/// member whose public id is `after`; one more than `limit` when there is a next page. Walks
/// the membership key, so a deep page costs what the first does.
pub fn members(
    conn: &mut Conn,
    group_id: GroupId,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Member>> {
    let after = match after.and_then(PublicId::parse) {
        Some(public_id) => super::accounts::key_of(conn, public_id)?,
        None => None,
    };
    let mut q = group_members::table
        .inner_join(accounts::table)
        .filter(group_members::group_id.eq(group_id))
        .select((
            accounts::public_id,
            accounts::email,
            accounts::first_name,
            accounts::last_name,
            accounts::status,
            accounts::lock_reason,
            accounts::must_change_password,
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(group_members::account_id.gt(after));
    }
    q.order(group_members::account_id).limit(limit + 1).load(conn)
}

/// Which of `account_ids` are members of the group.
pub fn members_among(
    conn: &mut Conn,
    group_id: GroupId,
    account_ids: &[AccountId],
) -> QueryResult<Vec<AccountId>> {
    group_members::table
        .filter(group_members::group_id.eq(group_id))
        .filter(group_members::account_id.eq_any(account_ids))
        .select(group_members::account_id)
        .load(conn)
}
