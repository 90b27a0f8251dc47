//! The profile schema's rows (`attributes`) and, for now, the count of values per attribute.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::Conn;
use super::ids::{AccountId, AttributeId, PublicId};
use super::schema::{attribute_values, attributes as a};
use crate::domain::attribute::{AttributeDefinition, Choice, DataType, Grid, Place, Shown};
use crate::domain::clock::At;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Attribute {
    pub id: AttributeId,
    pub public_id: PublicId,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_type: String,
    pub options: String,
    pub regex: Option<String>,
    pub display_order: i32,
    pub unique_values: bool,
    pub console_displayed: bool,
    pub console_required: bool,
    pub console_read_only: bool,
    pub myaccount_displayed: bool,
    pub myaccount_required: bool,
    pub myaccount_read_only: bool,
    pub registration_displayed: bool,
    pub registration_required: bool,
    pub created_at: At,
    pub updated_at: At,
}

impl Attribute {
    pub fn data_type(&self) -> Option<DataType> {
        DataType::parse(&self.data_type)
    }

    pub fn choices(&self) -> Vec<Choice> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }

    pub fn grid(&self) -> Grid {
        Grid {
            console: [self.console_displayed, self.console_required, self.console_read_only],
            myaccount: [
                self.myaccount_displayed,
                self.myaccount_required,
                self.myaccount_read_only,
            ],
            registration: [self.registration_displayed, self.registration_required],
        }
    }

    pub fn shown_in(&self, place: Place) -> Shown {
        self.grid().in_place(place)
    }

    /// The definition as the rules see it (for comparing before and after an edit).
    pub fn definition(&self) -> Option<AttributeDefinition> {
        Some(AttributeDefinition {
            name: self.name.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            data_type: self.data_type()?,
            options: self.choices(),
            regex: self.regex.clone(),
            display_order: self.display_order,
            unique: self.unique_values,
            grid: self.grid(),
        })
    }
}

#[derive(AsChangeset, Insertable)]
#[diesel(table_name = a, treat_none_as_null = true)]
struct Changes<'a> {
    display_name: &'a str,
    description: &'a str,
    data_type: &'a str,
    options: String,
    regex: Option<&'a str>,
    display_order: i32,
    unique_values: bool,
    console_displayed: bool,
    console_required: bool,
    console_read_only: bool,
    myaccount_displayed: bool,
    myaccount_required: bool,
    myaccount_read_only: bool,
    registration_displayed: bool,
    registration_required: bool,
    updated_at: At,
}

fn changes(d: &AttributeDefinition, at: At) -> Changes<'_> {
    Changes {
        display_name: &d.display_name,
        description: &d.description,
        data_type: d.data_type.as_str(),
        options: serde_json::to_string(&d.options).unwrap_or_else(|_| "[]".into()),
        regex: d.regex.as_deref(),
        display_order: d.display_order,
        unique_values: d.unique,
        console_displayed: d.grid.console[0],
        console_required: d.grid.console[1],
        console_read_only: d.grid.console[2],
        myaccount_displayed: d.grid.myaccount[0],
        myaccount_required: d.grid.myaccount[1],
        myaccount_read_only: d.grid.myaccount[2],
        registration_displayed: d.grid.registration[0],
        registration_required: d.grid.registration[1],
        updated_at: at,
    }
}

/// Every custom attribute, in display order.
pub fn all(conn: &mut Conn) -> QueryResult<Vec<Attribute>> {
    a::table.order((a::display_order, a::name)).select(Attribute::as_select()).load(conn)
}

/// The attribute a URL names by its public id (`None` for text that is not one).
pub fn find(conn: &mut Conn, public_id: &str) -> QueryResult<Option<Attribute>> {
    let Some(public_id) = PublicId::parse(public_id) else { return Ok(None) };
    a::table
        .filter(a::public_id.eq(public_id))
        .select(Attribute::as_select())
        .first(conn)
        .optional()
}

/// Names compare regardless of case: `Tier` and `tier` cannot both exist.
pub fn name_taken(conn: &mut Conn, name: &str) -> QueryResult<bool> {
    let lowered = name.to_lowercase();
    let names: Vec<String> = a::table.select(a::name).load(conn)?;
    Ok(names.iter().any(|n| n.to_lowercase() == lowered))
}

/// Inserts the attribute; its key.
pub fn insert(
    conn: &mut Conn,
    public_id: PublicId,
    d: &AttributeDefinition,
    at: At,
) -> QueryResult<AttributeId> {
    diesel::insert_into(a::table)
        .values((
            a::public_id.eq(public_id),
            a::name.eq(&d.name),
            a::created_at.eq(at),
            changes(d, at),
        ))
        .returning(a::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut Conn,
    id: AttributeId,
    d: &AttributeDefinition,
    at: At,
) -> QueryResult<usize> {
    diesel::update(a::table.find(id)).set(changes(d, at)).execute(conn)
}

/// Deletes the attribute; its values go with it (cascade). Returns how many values there were.
pub fn delete(conn: &mut Conn, id: AttributeId) -> QueryResult<i64> {
    let values = value_count(conn, id)?;
    diesel::delete(a::table.find(id)).execute(conn)?;
    Ok(values)
}

pub fn value_count(conn: &mut Conn, id: AttributeId) -> QueryResult<i64> {
    attribute_values::table.filter(attribute_values::attribute_id.eq(id)).count().get_result(conn)
}

/// The account's values: (attribute, value).
pub fn values_of(
    conn: &mut Conn,
    account_id: AccountId,
) -> QueryResult<Vec<(AttributeId, String)>> {
    attribute_values::table
        .filter(attribute_values::account_id.eq(account_id))
        .select((attribute_values::attribute_id, attribute_values::value))
        .load(conn)
}

/// Sets (or with `None`, clears) the account's value of an attribute.
pub fn set_value(
    conn: &mut Conn,
    attribute_id: AttributeId,
    account_id: AccountId,
    value: Option<&crate::domain::attribute::AttributeValue>,
) -> QueryResult<()> {
    use attribute_values as v;
    match value {
        Some(val) => {
            // An upsert both backends speak (REPLACE is SQLite's alone).
            diesel::insert_into(v::table)
                .values((
                    v::attribute_id.eq(attribute_id),
                    v::account_id.eq(account_id),
                    v::value.eq(&val.value),
                    v::value_key.eq(&val.key),
                ))
                .on_conflict((v::attribute_id, v::account_id))
                .do_update()
                .set((v::value.eq(excluded(v::value)), v::value_key.eq(excluded(v::value_key))))
                .execute(conn)?;
        }
        None => {
            diesel::delete(v::table.find((attribute_id, account_id))).execute(conn)?;
        }
    }
    Ok(())
}

/// Whether another account already has this value of a unique attribute.
pub fn value_taken(
    conn: &mut Conn,
    attribute_id: AttributeId,
    key: &str,
    except_account: Option<AccountId>,
) -> QueryResult<bool> {
    use attribute_values as v;
    let mut q = v::table
        .filter(v::attribute_id.eq(attribute_id))
        .filter(v::value_key.eq(key))
        .select(v::account_id)
        .into_boxed();
    if let Some(except) = except_account {
        q = q.filter(v::account_id.ne(except));
    }
    Ok(q.first::<AccountId>(conn).optional()?.is_some())
}
