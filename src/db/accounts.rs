//! Queries on `accounts`.

use diesel::prelude::*;

use super::Conn;
use super::ids::{AccountId, PublicId};
use super::schema::accounts;
use super::stored_hash::HashText;
use crate::domain::account::{Kind, LockReason, Role, Status};
use crate::domain::clock::At;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Account {
    pub id: AccountId,
    pub public_id: PublicId,
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
    pub created_at: At,
    pub updated_at: At,
    pub last_sign_in_at: Option<At>,
    pub locked_until: Option<At>,
    pub locked_at: Option<At>,
    pub locked_by: Option<String>,
    pub unlocked_status: Option<String>,
    pub lockouts: i32,
    /// When the customer followed a link emailed to their address (see the migration).
    pub email_verified_at: Option<At>,
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

    /// A lock for failed sign-ins whose time has passed: the account is free again (the next
    /// sign-in or the sweeper writes it down).
    pub fn lock_expired(&self, at: At) -> bool {
        self.status() == Some(Status::Locked)
            && self.lock_reason() == Some(LockReason::FailedAttempts)
            && self.locked_until.is_some_and(|until| until <= at)
    }

    /// The status an unlock returns the account to.
    pub fn unlocked_status(&self) -> Status {
        self.unlocked_status.as_deref().and_then(Status::parse).unwrap_or(Status::Active)
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
    #[serde(with = "super::ids::account_key_serde")]
    pub id: AccountId,
    pub public_id: PublicId,
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
    pub public_id: PublicId,
    pub kind: &'a str,
    pub role: Option<&'a str>,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub first_name_key: &'a str,
    pub last_name_key: &'a str,
    pub password_hash: Option<HashText<'a>>,
    pub must_change_password: bool,
    pub status: &'a str,
    pub lock_reason: Option<&'a str>,
    pub created_at: At,
    pub updated_at: At,
    pub last_sign_in_at: Option<At>,
}

/// Inserts the account; its key.
pub fn insert(conn: &mut Conn, new: &NewAccount<'_>) -> QueryResult<AccountId> {
    diesel::insert_into(accounts::table).values(new).returning(accounts::id).get_result(conn)
}

pub fn find(conn: &mut Conn, id: AccountId) -> QueryResult<Option<Account>> {
    accounts::table.find(id).select(Account::as_select()).first(conn).optional()
}

/// The account a URL or a form names by its public id (`None` for text that is not one).
pub fn find_public(conn: &mut Conn, public_id: &str) -> QueryResult<Option<Account>> {
    match PublicId::parse(public_id) {
        Some(public_id) => find_by_public(conn, public_id),
        None => Ok(None),
    }
}

pub fn find_by_public(conn: &mut Conn, public_id: PublicId) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::public_id.eq(public_id))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

/// The key of the account with this public id, if there is one.
pub fn key_of(conn: &mut Conn, public_id: PublicId) -> QueryResult<Option<AccountId>> {
    accounts::table
        .filter(accounts::public_id.eq(public_id))
        .select(accounts::id)
        .first(conn)
        .optional()
}

/// The customer a URL or a form names by its public id; `NotFound` for anything else (an
/// administrator's id included), so no customer action reaches an administrator.
pub fn find_customer(conn: &mut Conn, public_id: &str) -> QueryResult<Account> {
    find_public(conn, public_id)?
        .filter(|a| a.kind() == Some(Kind::Customer))
        .ok_or(diesel::result::Error::NotFound)
}

/// The accounts of one kind, spelled out in the SQL: the email, name and last sign-in indexes
/// are partial indexes of one kind each (migration 21), which SQLite uses only when the query
/// names that kind in its text (a bound value would not do).
pub fn of_kind(kind: Kind) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(match kind {
        Kind::Customer => "accounts.kind = 'customer'",
        Kind::Administrator => "accounts.kind = 'administrator'",
    })
}

pub fn find_by_email(conn: &mut Conn, kind: Kind, email: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(of_kind(kind))
        .filter(accounts::email.eq(email))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn owner_exists(conn: &mut Conn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        accounts::table
            .filter(of_kind(Kind::Administrator))
            .filter(accounts::role.eq(Role::Owner.as_str())),
    ))
    .get_result(conn)
}

/// Every administrator: the owner first, then by role and email (a handful of rows).
pub fn administrators(conn: &mut Conn) -> QueryResult<Vec<Account>> {
    let rank = diesel::dsl::sql::<diesel::sql_types::Integer>(
        "CASE role WHEN 'owner' THEN 0 WHEN 'administrator' THEN 1 ELSE 2 END",
    );
    accounts::table
        .filter(of_kind(Kind::Administrator))
        .order((rank, accounts::email))
        .select(Account::as_select())
        .load(conn)
}

/// A successful sign-in starts the failure counts afresh.
pub fn record_sign_in(conn: &mut Conn, id: AccountId, at: At) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::last_sign_in_at.eq(Some(at)),
            accounts::failed_attempts.eq(0),
            accounts::lockouts.eq(0),
        ))
        .execute(conn)
}

/// Counts a failed sign-in; returns the failures in a row, this one included.
pub fn record_failed_sign_in(conn: &mut Conn, id: AccountId) -> QueryResult<i32> {
    diesel::update(accounts::table.find(id))
        .set(accounts::failed_attempts.eq(accounts::failed_attempts + 1))
        .returning(accounts::failed_attempts)
        .get_result(conn)
}

/// How a lock is written down.
pub struct Lock<'a> {
    pub reason: LockReason,
    /// The administrator's label, for a lock by an administrator.
    pub by: Option<&'a str>,
    /// The end of a lock for failed sign-ins.
    pub until: Option<At>,
    /// What the account returns to when unlocked.
    pub unlocked_status: Status,
    pub lockouts: i32,
}

pub fn lock(conn: &mut Conn, id: AccountId, lock: &Lock<'_>, at: At) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::status.eq(Status::Locked.as_str()),
            accounts::lock_reason.eq(lock.reason.as_str()),
            accounts::locked_at.eq(at),
            accounts::locked_by.eq(lock.by),
            accounts::locked_until.eq(lock.until),
            accounts::unlocked_status.eq(lock.unlocked_status.as_str()),
            accounts::failed_attempts.eq(0),
            accounts::lockouts.eq(lock.lockouts),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Back to `status`, the lock forgotten. `lockouts` is kept when a timed lock simply ran out
/// (the next one lasts longer) and cleared by an administrator's unlock.
pub fn unlock(
    conn: &mut Conn,
    id: AccountId,
    status: Status,
    lockouts: i32,
    at: At,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::status.eq(status.as_str()),
            accounts::lock_reason.eq(None::<&str>),
            accounts::locked_at.eq(None::<At>),
            accounts::locked_by.eq(None::<&str>),
            accounts::locked_until.eq(None::<At>),
            accounts::unlocked_status.eq(None::<&str>),
            accounts::failed_attempts.eq(0),
            accounts::lockouts.eq(lockouts),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Timed locks that are over at `at` (the sweeper's batch).
pub fn expired_locks(conn: &mut Conn, at: At, limit: i64) -> QueryResult<Vec<Account>> {
    accounts::table
        .filter(accounts::locked_until.le(at))
        // `+status`: tested on each row of the partial index, never served by the status index
        // (which SQLite preferred on a file without statistics, then sorted).
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("+status = 'locked'"))
        .order(accounts::locked_until)
        .limit(limit)
        .select(Account::as_select())
        .load(conn)
}

/// A password set by an administrator (temporary: changed at next sign-in) or taken away while
/// a reset link is out (`hash` None: pending until the link is used).
pub fn reset_password(
    conn: &mut Conn,
    id: AccountId,
    hash: Option<&str>,
    at: At,
) -> QueryResult<usize> {
    let status = if hash.is_some() { Status::Active } else { Status::PendingPassword };
    diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(hash.map(HashText)),
            accounts::must_change_password.eq(hash.is_some()),
            accounts::status.eq(status.as_str()),
            accounts::failed_attempts.eq(0),
            accounts::lockouts.eq(0),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Deletes the account; its attribute values, memberships, sessions, links and replay keys go
/// with it (foreign key cascades). Member counts and the outbox are the caller's.
pub fn delete(conn: &mut Conn, id: AccountId) -> QueryResult<usize> {
    diesel::delete(accounts::table.find(id)).execute(conn)
}

/// A new password chosen by the account's owner: active, nothing left to change.
pub fn set_password(
    conn: &mut Conn,
    id: AccountId,
    hash: &str,
    status: Status,
    at: At,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(Some(HashText(hash))),
            accounts::must_change_password.eq(false),
            accounts::status.eq(status.as_str()),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)
}

/// New names, with their search keys; the modified date moves.
pub fn update_names(
    conn: &mut Conn,
    id: AccountId,
    first: &crate::domain::name::PersonName,
    last: &crate::domain::name::PersonName,
    at: At,
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
pub fn touch(conn: &mut Conn, id: AccountId, at: At) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id)).set(accounts::updated_at.eq(at)).execute(conn)
}

/// An administrator's new role (read again with their next request).
pub fn set_role(conn: &mut Conn, id: AccountId, role: Role, at: At) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .filter(of_kind(Kind::Administrator))
        .set((accounts::role.eq(role.as_str()), accounts::updated_at.eq(at)))
        .execute(conn)
}

/// A new status and nothing else (a verified email activates a self-registered account).
pub fn set_status(conn: &mut Conn, id: AccountId, status: Status, at: At) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((accounts::status.eq(status.as_str()), accounts::updated_at.eq(at)))
        .execute(conn)
}

/// The customer followed a link emailed to their address: it is theirs (kept from the first
/// time; the address never changes).
pub fn mark_email_verified(conn: &mut Conn, id: AccountId, at: At) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .filter(accounts::email_verified_at.is_null())
        .set(accounts::email_verified_at.eq(at))
        .execute(conn)
}

/// The names of the accounts among `ids` (public ids) that still exist (for a page of the audit
/// log: one query for all its subjects), as `(public id, display name)`.
pub fn names_of(conn: &mut Conn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    let ids: Vec<PublicId> = ids.iter().filter_map(|id| PublicId::parse(id)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(PublicId, String, String, String)> = accounts::table
        .filter(accounts::public_id.eq_any(ids))
        .select((accounts::public_id, accounts::first_name, accounts::last_name, accounts::email))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, f, l, e)| (id.to_string(), display_name(&f, &l, &e))).collect())
}
