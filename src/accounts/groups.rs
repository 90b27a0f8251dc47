//! Groups: create, rename, delete, and memberships from either side (the group's page or the
//! customer's). Each change and its audit event (with before → after) in one transaction.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::FormError;
use crate::db::audit::{self, Actor};
use crate::db::groups::{self, Group, GroupDetails};
use crate::db::ids::PublicId;
use crate::db::{Db, accounts, now};
use crate::domain::FieldErrors;
use crate::domain::group::GroupName;
use crate::error::AppError;

pub const NAME_TAKEN: &str = "A group with this name already exists.";

/// Every group's id and name, kept in memory for the pages that list them all on every view
/// (the Users list's Group filter, the customer page's "Add to group"). Group changes made here
/// clear it at once; changes from elsewhere (another process on the database) show within
/// `FRESH_FOR`.
#[derive(Default)]
pub struct GroupDirectory {
    cached: Mutex<Option<(Instant, Arc<Vec<Group>>)>>,
}

const FRESH_FOR: Duration = Duration::from_secs(10);

impl GroupDirectory {
    pub async fn all(&self, db: &Db) -> Result<Arc<Vec<Group>>, AppError> {
        if let Some(groups) = self.fresh() {
            return Ok(groups);
        }
        let groups = Arc::new(db.run(|c| Ok(groups::all(c)?)).await?);
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((Instant::now(), groups.clone()));
        }
        Ok(groups)
    }

    fn fresh(&self) -> Option<Arc<Vec<Group>>> {
        let cached = self.cached.lock().ok()?;
        cached.as_ref().filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, g)| g.clone())
    }

    fn invalidate(&self) {
        if let Ok(mut cached) = self.cached.lock() {
            *cached = None;
        }
    }
}

fn parse_name(raw: &str) -> Result<GroupName, FormError> {
    GroupName::parse(raw).map_err(|m| {
        let mut errors = FieldErrors::default();
        errors.add("name", m);
        FormError::Invalid(errors)
    })
}

fn taken() -> FormError {
    let mut errors = FieldErrors::default();
    errors.add("name", NAME_TAKEN);
    FormError::Invalid(errors)
}

/// Returns the new group's id.
pub async fn create(
    db: &Db,
    directory: &GroupDirectory,
    actor: Actor,
    raw_name: &str,
) -> Result<String, FormError> {
    let name = parse_name(raw_name)?;
    let created = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                if groups::key_taken(conn, &name.key(), None)? {
                    return Ok(None);
                }
                let id = PublicId::new();
                groups::insert(conn, id, name.as_str(), &name.key(), now())?;
                audit::record(
                    conn,
                    &actor,
                    "group.created",
                    Some((&id.to_string(), name.as_str())),
                    json!({ "name": name.as_str() }),
                )?;
                Ok::<_, diesel::result::Error>(Some(id.to_string()))
            })
            .map_err(AppError::from)
        })
        .await?;
    directory.invalidate();
    created.ok_or_else(taken)
}

/// Renames the group; returns false when the name was already this.
pub async fn rename(
    db: &Db,
    directory: &GroupDirectory,
    actor: Actor,
    id: &str,
    raw_name: &str,
) -> Result<bool, FormError> {
    let name = parse_name(raw_name)?;
    let id = id.to_owned();
    let outcome = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let group = groups::find(conn, &id)?.ok_or(diesel::result::Error::NotFound)?;
                if group.name == name.as_str() {
                    return Ok(Some(false));
                }
                if groups::key_taken(conn, &name.key(), Some(group.id))? {
                    return Ok(None);
                }
                groups::rename(conn, group.id, name.as_str(), &name.key(), now())?;
                audit::record(
                    conn,
                    &actor,
                    "group.renamed",
                    Some((&id, name.as_str())),
                    json!({ "name": { "before": group.name, "after": name.as_str() } }),
                )?;
                Ok::<_, diesel::result::Error>(Some(true))
            })
            .map_err(AppError::from)
        })
        .await?;
    directory.invalidate();
    outcome.ok_or_else(taken)
}

/// Deletes the group and its memberships (the customers stay). Returns what was deleted.
pub async fn delete(
    db: &Db,
    directory: &GroupDirectory,
    actor: Actor,
    id: &str,
) -> Result<GroupDetails, AppError> {
    let id = id.to_owned();
    let deleted = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let group = groups::find(conn, &id)?.ok_or(diesel::result::Error::NotFound)?;
                groups::delete(conn, group.id)?;
                audit::record(
                    conn,
                    &actor,
                    "group.deleted",
                    Some((&id, &group.name)),
                    json!({ "name": group.name, "members": group.member_count }),
                )?;
                Ok::<_, diesel::result::Error>(group)
            })
            .map_err(AppError::from)
        })
        .await;
    directory.invalidate();
    deleted
}

/// The account and the group, both existing and the account a customer, or NotFound.
fn check_pair(
    conn: &mut crate::db::Conn,
    group_id: &str,
    account_id: &str,
) -> diesel::QueryResult<(GroupDetails, accounts::Account)> {
    let group = groups::find(conn, group_id)?.ok_or(diesel::result::Error::NotFound)?;
    let account = accounts::find_customer(conn, account_id)?;
    Ok((group, account))
}

/// Adds the customer to the group; false when already a member.
pub async fn add_member(
    db: &Db,
    actor: Actor,
    group_id: &str,
    account_id: &str,
) -> Result<bool, AppError> {
    change_membership(db, actor, group_id, account_id, true).await
}

/// Removes the customer from the group; false when not a member.
pub async fn remove_member(
    db: &Db,
    actor: Actor,
    group_id: &str,
    account_id: &str,
) -> Result<bool, AppError> {
    change_membership(db, actor, group_id, account_id, false).await
}

/// Joins (`join`) or leaves the group, with its audit event when something changed.
async fn change_membership(
    db: &Db,
    actor: Actor,
    group_id: &str,
    account_id: &str,
    join: bool,
) -> Result<bool, AppError> {
    let (group_id, account_id) = (group_id.to_owned(), account_id.to_owned());
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let (group, account) = check_pair(conn, &group_id, &account_id)?;
            let changed = if join {
                !groups::add_member(conn, account.id, &[group.id], now())?.is_empty()
            } else {
                groups::remove_member(conn, group.id, account.id)?
            };
            if changed {
                let (action, change) = if join {
                    ("group.member_added", "added")
                } else {
                    ("group.member_removed", "removed")
                };
                audit::record(
                    conn,
                    &actor,
                    action,
                    Some((&account.public_id.to_string(), &account.email)),
                    json!({ "group": group.name, "group_id": group.public_id.to_string(),
                            "groups": { change: [group.name] } }),
                )?;
            }
            Ok::<_, diesel::result::Error>(changed)
        })
        .map_err(AppError::from)
    })
    .await
}
