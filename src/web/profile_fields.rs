//! Custom attributes as form fields, rendered by their type: the customer's Profile tab, the
//! New User wizard's first step, My Account's profile and self-registration use the same
//! pieces, each through its column of the attribute grid.

use std::collections::HashMap;

use actix_web::web::Bytes;

use crate::accounts::profile::field_name;
use crate::db::attributes::Attribute;
use crate::db::ids::AttributeId;
use crate::domain::attribute::{Choice, DataType, Place};
use crate::error::AppError;
use crate::web::form::Pairs;

pub struct AttributeField {
    /// The form field's name (`attr_<name>`), also its element id.
    pub field: String,
    pub label: String,
    pub description: String,
    /// The input's type: text, number, date, email, tel, url, checkbox or select.
    pub input: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
    pub read_only: bool,
    pub required: bool,
    /// The value as the read-only view shows it (an option's label, Yes/No).
    pub shown: String,
}

/// The fields for these attributes in `place`: those displayed there (or, for the wizard, only
/// those required there). `values` are the stored ones by attribute id; `submitted` the
/// form's, by attribute name, when it is shown again with errors.
pub fn fields(
    schema: &[Attribute],
    place: Place,
    values: &HashMap<AttributeId, String>,
    submitted: Option<&HashMap<String, String>>,
    only_required: bool,
) -> Vec<AttributeField> {
    schema
        .iter()
        .filter(|a| {
            let shown = a.shown_in(place);
            shown.displayed && (!only_required || (shown.required && !shown.read_only))
        })
        .map(|a| {
            let shown_in = a.shown_in(place);
            let data_type = a.data_type().unwrap_or(DataType::Text);
            let stored = values.get(&a.id).cloned().unwrap_or_default();
            let value = match submitted {
                Some(s) if !shown_in.read_only => s.get(&a.name).cloned().unwrap_or_default(),
                _ => stored.clone(),
            };
            let choices = a.choices();
            let shown = match data_type {
                DataType::Boolean => if stored == "true" { "Yes" } else { "No" }.to_owned(),
                DataType::Options => choices
                    .iter()
                    .find(|c| c.value == stored)
                    .map(|c| c.label.clone())
                    .unwrap_or(stored),
                _ => stored,
            };
            AttributeField {
                field: field_name(&a.name),
                label: a.display_name.clone(),
                description: a.description.clone(),
                input: match data_type {
                    DataType::Text => "text",
                    DataType::Number => "number",
                    DataType::Boolean => "checkbox",
                    DataType::Date => "date",
                    DataType::Options => "select",
                    DataType::Email => "email",
                    DataType::Phone => "tel",
                    DataType::Url => "url",
                },
                value: if data_type == DataType::Boolean && value == "on" {
                    "true".into()
                } else {
                    value
                },
                choices,
                read_only: shown_in.read_only,
                required: shown_in.required,
                shown,
            }
        })
        .collect()
}

/// Splits a posted form into its named fields (`fixed`, in order) and the custom attributes
/// (`attr_<name>` → value, by name). Any other field is a 400.
pub fn split_form(
    body: &Bytes,
    fixed: &[&str],
) -> Result<(Vec<String>, HashMap<String, String>), AppError> {
    let mut pairs = Pairs::parse(body)?;
    let values = fixed.iter().map(|f| pairs.take(f)).collect();
    let attributes = pairs.take_prefixed("attr_");
    pairs.finish()?;
    Ok((values, attributes))
}

/// A profile form (first and last name, custom attributes) as the use case takes it.
pub fn profile_input(body: &Bytes) -> Result<crate::accounts::profile::ProfileInput, AppError> {
    let (names, attributes) = split_form(body, &["first_name", "last_name"])?;
    let [first_name, last_name]: [String; 2] =
        names.try_into().map_err(|_| crate::web::form::UNEXPECTED)?;
    Ok(crate::accounts::profile::ProfileInput { first_name, last_name, attributes })
}
