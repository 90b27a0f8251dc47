//! Queries on `accounts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Conn;
use super::schema::accounts;
use crate::domain::account::{Kind, LockReason, Role, Status};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Account {
    pub id: String,
    pub kind: String,
    pub role: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub status: String,
    pub lock_reason: Option<String>,
    pub failed_attempts: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_sign_in_at: Option<NaiveDateTime>,
}

impl Account {
    pub fn kind(&self) -> Option<Kind> {
        Kind::parse(&self.kind)
    }

    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(Role::parse)
    }

    pub fn status(&self) -> Option<Status> {
        Status::parse(&self.status)
    }

    pub fn lock_reason(&self) -> Option<LockReason> {
        self.lock_reason.as_deref().and_then(LockReason::parse)
    }

    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, &self.email)
    }
}

/// "First Last", or the email when the account has no name.
pub fn display_name(first: &str, last: &str, email: &str) -> String {
    let name = format!("{first} {last}");
    let name = name.trim();
    if name.is_empty() { email.to_owned() } else { name.to_owned() }
}

/// Who a session belongs to: loaded with the session in one query on every request, so access
/// checks see the account as it is now (locked, deleted, demoted) without a second query.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = accounts, check_for_backend(diesel::sqlite::Sqlite))]
pub struct AccountSummary {
    pub id: String,
    pub kind: String,
    pub role: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub must_change_password: bool,
}

impl AccountSummary {
    /// A customer who may use My Account now (perhaps only to replace a temporary password).
    pub fn is_active_customer(&self) -> bool {
        Kind::parse(&self.kind) == Some(Kind::Customer)
            && Status::parse(&self.status) == Some(Status::Active)
    }

    /// An administrator who may use the console now.
    pub fn is_active_administrator(&self) -> bool {
        Kind::parse(&self.kind) == Some(Kind::Administrator)
            && Status::parse(&self.status) == Some(Status::Active)
    }

    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(Role::parse)
    }

    /// Owners and administrators change customers; viewers only look.
    pub fn can_manage_customers(&self) -> bool {
        self.is_active_administrator()
            && matches!(self.role(), Some(Role::Owner | Role::Administrator))
    }

    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, &self.email)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub role: Option<&'a str>,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub first_name_key: &'a str,
    pub last_name_key: &'a str,
    pub password_hash: Option<&'a str>,
    pub must_change_password: bool,
    pub status: &'a str,
    pub lock_reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_sign_in_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut Conn, new: &NewAccount<'_>) -> QueryResult<usize> {
    diesel::insert_into(accounts::table).values(new).execute(conn)
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<Account>> {
    accounts::table.find(id).select(Account::as_select()).first(conn).optional()
}

pub fn find_by_email(conn: &mut Conn, kind: Kind, email: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::kind.eq(kind.as_str()))
        .filter(accounts::email.eq(email))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn owner_exists(conn: &mut Conn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        accounts::table
            .filter(accounts::kind.eq(Kind::Administrator.as_str()))
            .filter(accounts::role.eq(Role::Owner.as_str())),
    ))
    .get_result(conn)
}

pub fn record_sign_in(conn: &mut Conn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((accounts::last_sign_in_at.eq(Some(at)), accounts::failed_attempts.eq(0)))
        .execute(conn)
}

pub fn record_failed_sign_in(conn: &mut Conn, id: &str) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set(accounts::failed_attempts.eq(accounts::failed_attempts + 1))
        .execute(conn)
}

/// A new password chosen by the account's owner: active, nothing left to change.
pub fn set_password(
    conn: &mut Conn,
    id: &str,
    hash: &str,
    status: Status,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(Some(hash)),
            accounts::must_change_password.eq(false),
            accounts::status.eq(status.as_str()),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)
}

/// New names, with their search keys; the modified date moves.
pub fn update_names(
    conn: &mut Conn,
    id: &str,
    first: &crate::domain::name::PersonName,
    last: &crate::domain::name::PersonName,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::first_name.eq(first.as_str()),
            accounts::last_name.eq(last.as_str()),
            accounts::first_name_key.eq(first.search_key()),
            accounts::last_name_key.eq(last.search_key()),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)
}

/// The modified date moves (a change elsewhere in the profile, such as an attribute value).
pub fn touch(conn: &mut Conn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id)).set(accounts::updated_at.eq(at)).execute(conn)
}
