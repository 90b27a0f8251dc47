//! A customer's profile as an administrator edits it (Profile tab > Update) or the customer
//! does (My Account > Profile): first and last name and every custom attribute displayed and
//! not read-only in that place's column of the grid. Saves only what changed, says which, and
//! records each change as before → after.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::FormError;
use crate::db::attributes::{self, Attribute};
use crate::db::audit::{self, Actor};
use crate::db::ids::{AccountId, AttributeId};
use crate::db::{Conn, Db, accounts, now};
use crate::domain::FieldErrors;
use crate::domain::attribute::{AttributeValue, DataType, Place, ValueRules};
use crate::domain::name::PersonName;
use crate::error::AppError;

/// The form field of a custom attribute.
pub fn field_name(attribute_name: &str) -> String {
    format!("attr_{attribute_name}")
}

#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub first_name: String,
    pub last_name: String,
    /// Submitted custom attributes, by attribute name (a ticked checkbox is "on").
    pub attributes: HashMap<String, String>,
}

pub const NOT_EDITABLE: AppError =
    AppError::BadRequest("The form had fields we did not expect. Reload the page and try again.");

/// A value under its attribute's rules, or the message for its field.
fn check_value(a: &Attribute, raw: &str, required: bool) -> Result<Option<AttributeValue>, String> {
    let data_type = a.data_type().unwrap_or(DataType::Text);
    let choices = a.choices();
    let rules = ValueRules {
        display_name: &a.display_name,
        data_type,
        choices: &choices,
        regex: a.regex.as_deref(),
    };
    let value = AttributeValue::parse(raw, &rules)?;
    if required
        && value.as_ref().is_none_or(|v| data_type == DataType::Boolean && v.value != "true")
    {
        return Err(format!("{} is required.", a.display_name));
    }
    Ok(value)
}

/// Checks the submitted custom attributes against the schema: only those displayed and
/// editable in `place` may be sent (anything else is a forged field: 400), each is valid for
/// its type, pattern and required flag there. Returns (attribute, new value) pairs.
pub fn check_attributes(
    schema: &[Attribute],
    submitted: &HashMap<String, String>,
    place: Place,
    only_required: bool,
    errors: &mut FieldErrors,
) -> Result<Vec<(Attribute, Option<AttributeValue>)>, AppError> {
    let editable: Vec<&Attribute> = schema
        .iter()
        .filter(|a| {
            let shown = a.shown_in(place);
            shown.displayed && !shown.read_only && (!only_required || shown.required)
        })
        .collect();
    if submitted.keys().any(|name| !editable.iter().any(|a| &a.name == name)) {
        return Err(NOT_EDITABLE);
    }
    let mut checked = Vec::new();
    for a in editable {
        let raw = submitted.get(&a.name).map(String::as_str).unwrap_or("");
        match check_value(a, raw, a.shown_in(place).required) {
            Ok(v) => checked.push((a.clone(), v)),
            Err(m) => errors.add(field_name(&a.name), m),
        }
    }
    Ok(checked)
}

/// Within the write transaction: a unique attribute's value held by another account.
pub fn clashes(
    conn: &mut Conn,
    account_id: Option<AccountId>,
    checked: &[(Attribute, Option<AttributeValue>)],
) -> diesel::QueryResult<FieldErrors> {
    let mut errors = FieldErrors::default();
    for (a, v) in checked {
        if let (true, Some(v)) = (a.unique_values, v)
            && attributes::value_taken(conn, a.id, &v.key, account_id)?
        {
            errors.add(
                field_name(&a.name),
                format!("Another customer already has this {}.", a.display_name.to_lowercase()),
            );
        }
    }
    Ok(errors)
}

/// Returns the labels of the fields that changed (empty: nothing to save). `place` says whose
/// form it is: an administrator's (console) or the customer's own (My Account).
pub async fn update(
    db: &Db,
    actor: Actor,
    id: &str,
    input: ProfileInput,
    place: Place,
) -> Result<Vec<String>, FormError> {
    let mut errors = FieldErrors::default();
    let names = PersonName::parse_both(&input.first_name, &input.last_name, &mut errors);
    let schema = db.run(|c| Ok(attributes::all(c)?)).await?;
    let checked = check_attributes(&schema, &input.attributes, place, false, &mut errors)?;
    let Some((first, last)) = names else {
        return Err(FormError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let id = id.to_owned();
    let outcome = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let account = accounts::find_customer(conn, &id)?;
                let clash = clashes(conn, Some(account.id), &checked)?;
                if !clash.is_empty() {
                    return Ok(Err(clash));
                }
                let current: HashMap<AttributeId, String> =
                    attributes::values_of(conn, account.id)?.into_iter().collect();
                let mut changed: Vec<String> = Vec::new();
                let mut details = Map::new();
                for (label, key, before, after) in [
                    ("First Name", "first_name", &account.first_name, first.as_str()),
                    ("Last Name", "last_name", &account.last_name, last.as_str()),
                ] {
                    if before != after {
                        changed.push(label.to_owned());
                        details.insert(key.into(), json!({ "before": before, "after": after }));
                    }
                }
                if !changed.is_empty() {
                    accounts::update_names(conn, account.id, &first, &last, now())?;
                }
                let mut attributes_changed = false;
                for (a, value) in &checked {
                    let before = current.get(&a.id).cloned();
                    let after = value.as_ref().map(|v| v.value.clone());
                    // An unticked checkbox that was never set is not a change.
                    let unset_false = before.is_none() && after.as_deref() == Some("false");
                    if before != after && !unset_false {
                        attributes::set_value(conn, a.id, account.id, value.as_ref())?;
                        changed.push(a.display_name.clone());
                        details.insert(a.name.clone(), json!({ "before": before, "after": after }));
                        attributes_changed = true;
                    }
                }
                if changed.is_empty() {
                    return Ok(Ok(changed));
                }
                if attributes_changed {
                    accounts::touch(conn, account.id, now())?;
                }
                audit::record(
                    conn,
                    &actor,
                    "customer.updated",
                    Some((&id, &account.email)),
                    Value::Object(details),
                )?;
                Ok::<_, diesel::result::Error>(Ok(changed))
            })
            .map_err(AppError::from)
        })
        .await?;
    outcome.map_err(FormError::Invalid)
}

/// My profile in the console: an administrator's own first and last name (both optional, as at
/// setup). Returns false when they were already these.
pub async fn rename_administrator(
    db: &Db,
    actor: Actor,
    id: AccountId,
    first_name: &str,
    last_name: &str,
) -> Result<bool, FormError> {
    let mut errors = FieldErrors::default();
    let first = PersonName::parse_optional(first_name, "first name")
        .map_err(|m| errors.add("first_name", m))
        .ok();
    let last = PersonName::parse_optional(last_name, "last name")
        .map_err(|m| errors.add("last_name", m))
        .ok();
    let (Some(first), Some(last)) = (first, last) else {
        return Err(FormError::Invalid(errors));
    };
    let changed = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let account = accounts::find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
                let before = (account.first_name.as_str(), account.last_name.as_str());
                if before == (first.as_str(), last.as_str()) {
                    return Ok(false);
                }
                accounts::update_names(conn, id, &first, &last, now())?;
                audit::record(
                    conn,
                    &actor,
                    "administrator.updated",
                    Some((&account.public_id.to_string(), &account.email)),
                    json!({
                        "first_name": { "before": before.0, "after": first.as_str() },
                        "last_name": { "before": before.1, "after": last.as_str() },
                    }),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    Ok(changed)
}
