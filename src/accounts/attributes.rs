//! Manage > Attributes: define, change and delete custom profile attributes. Each change and
//! its audit event (before → after for edits) in one transaction.

use serde_json::{Map, Value, json};

use super::FormError;
use crate::db::attributes::{self, Attribute};
use crate::db::audit::{self, Actor};
use crate::db::ids::PublicId;
use crate::db::{Db, now};
use crate::domain::FieldErrors;
use crate::domain::attribute::{AttributeDefinition, AttributeInput};
use crate::error::AppError;

pub const NAME_TAKEN: &str = "An attribute with this name already exists.";

/// The parts of a definition, named as the form names them, for "what changed".
fn parts(d: &AttributeDefinition) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("display_name", "Display name", json!(d.display_name)),
        ("description", "Description", json!(d.description)),
        ("data_type", "Data type", json!(d.data_type.as_str())),
        ("options", "Choices", json!(d.options)),
        ("regex", "Pattern", json!(d.regex)),
        ("display_order", "Display order", json!(d.display_order)),
        ("unique", "Unique", json!(d.unique)),
        ("grid", "Where it shows", json!(d.grid)),
    ]
}

pub async fn create(db: &Db, actor: Actor, input: AttributeInput) -> Result<String, FormError> {
    let definition = AttributeDefinition::parse(&input, None).map_err(FormError::Invalid)?;
    let created = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                if attributes::name_taken(conn, &definition.name)? {
                    return Ok(None);
                }
                let id = PublicId::new();
                attributes::insert(conn, id, &definition, now())?;
                let details: Map<String, Value> =
                    parts(&definition).into_iter().map(|(k, _, v)| (k.to_owned(), v)).collect();
                audit::record(
                    conn,
                    &actor,
                    "attribute.created",
                    Some((&id.to_string(), &definition.name)),
                    Value::Object(details),
                )?;
                Ok::<_, diesel::result::Error>(Some(id.to_string()))
            })
            .map_err(AppError::from)
        })
        .await?;
    created.ok_or_else(|| {
        let mut errors = FieldErrors::default();
        errors.add("name", NAME_TAKEN);
        FormError::Invalid(errors)
    })
}

/// Saves what changed; returns the labels of the changed parts (empty: nothing to save).
pub async fn update(
    db: &Db,
    actor: Actor,
    id: &str,
    input: AttributeInput,
) -> Result<Vec<&'static str>, FormError> {
    let id = id.to_owned();
    let existing = {
        let id = id.clone();
        db.run(move |c| Ok(attributes::find(c, &id)?)).await?.ok_or(AppError::NotFound)?
    };
    let after =
        AttributeDefinition::parse(&input, Some(&existing.name)).map_err(FormError::Invalid)?;
    let before = existing.definition().ok_or(AppError::internal(anyhow::anyhow!("bad row")))?;
    let (changed, details) = super::changed_parts(parts(&before), parts(&after));
    if changed.is_empty() {
        return Ok(changed);
    }
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            attributes::update(conn, existing.id, &after, now())?;
            audit::record(
                conn,
                &actor,
                "attribute.updated",
                Some((&id, &after.name)),
                Value::Object(details),
            )
        })
        .map_err(AppError::from)
    })
    .await?;
    Ok(changed)
}

/// Deletes the attribute and every customer's value of it; returns it and how many values went.
pub async fn delete(db: &Db, actor: Actor, id: &str) -> Result<(Attribute, i64), AppError> {
    let id = id.to_owned();
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let attribute = attributes::find(conn, &id)?.ok_or(diesel::result::Error::NotFound)?;
            let values = attributes::delete(conn, attribute.id)?;
            audit::record(
                conn,
                &actor,
                "attribute.deleted",
                Some((&id, &attribute.name)),
                json!({ "name": attribute.name, "values_deleted": values }),
            )?;
            Ok::<_, diesel::result::Error>((attribute, values))
        })
        .map_err(AppError::from)
    })
    .await
}
