//! The customer's profile as an administrator edits it (Profile tab > Update). Saves only what
//! changed, says which, and records each change as before → after.

use serde_json::{Map, Value, json};

use super::FormError;
use crate::db::audit::{self, Actor};
use crate::db::{Db, accounts, now};
use crate::domain::FieldErrors;
use crate::domain::account::Kind;
use crate::domain::name::PersonName;
use crate::error::AppError;

pub struct ProfileInput {
    pub first_name: String,
    pub last_name: String,
}

/// Returns the labels of the fields that changed (empty: nothing to save).
pub async fn update(
    db: &Db,
    actor: Actor,
    id: &str,
    input: ProfileInput,
) -> Result<Vec<&'static str>, FormError> {
    let mut errors = FieldErrors::default();
    let first = PersonName::parse(&input.first_name, "first name")
        .map_err(|m| errors.add("first_name", m))
        .ok();
    let last = PersonName::parse(&input.last_name, "last name")
        .map_err(|m| errors.add("last_name", m))
        .ok();
    let (Some(first), Some(last)) = (first, last) else {
        return Err(FormError::Invalid(errors));
    };
    let id = id.to_owned();
    let changed = db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let account = accounts::find(conn, &id)?
                    .filter(|a| a.kind() == Some(Kind::Customer))
                    .ok_or(diesel::result::Error::NotFound)?;
                let mut changed = Vec::new();
                let mut details = Map::new();
                for (label, key, before, after) in [
                    ("First Name", "first_name", &account.first_name, first.as_str()),
                    ("Last Name", "last_name", &account.last_name, last.as_str()),
                ] {
                    if before != after {
                        changed.push(label);
                        details.insert(key.into(), json!({ "before": before, "after": after }));
                    }
                }
                if changed.is_empty() {
                    return Ok(changed);
                }
                accounts::update_names(conn, &id, &first, &last, now())?;
                audit::record(
                    conn,
                    &actor,
                    "customer.updated",
                    Some((&id, &account.email)),
                    Value::Object(details),
                )?;
                Ok::<_, diesel::result::Error>(changed)
            })
            .map_err(AppError::from)
        })
        .await?;
    Ok(changed)
}
