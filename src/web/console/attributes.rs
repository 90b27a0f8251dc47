//! Manage > Attributes: the profile schema. Built-in attributes are listed, not editable;
//! custom ones are created, edited (the name is immutable) and deleted with confirmation.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::confirm::{self, Confirm, ConfirmForm};
use crate::accounts::FormError;
use crate::accounts::attributes as use_case;
use crate::db::attributes::{self, Attribute};
use crate::domain::FieldErrors;
use crate::domain::attribute::{AttributeInput, DataType, Grid};
use crate::domain::format::Stamp;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

/// "Console, My Account" — where an attribute is displayed, in words.
fn shown_in(grid: &Grid) -> String {
    let places: Vec<&str> = [
        (grid.console[0], "Console"),
        (grid.myaccount[0], "My Account"),
        (grid.registration[0], "Self-registration"),
    ]
    .into_iter()
    .filter_map(|(on, place)| on.then_some(place))
    .collect();
    if places.is_empty() { "Nowhere (hidden)".into() } else { places.join(", ") }
}

fn required_in(grid: &Grid) -> String {
    let places: Vec<&str> = [
        (grid.console[1], "Console"),
        (grid.myaccount[1], "My Account"),
        (grid.registration[1], "Self-registration"),
    ]
    .into_iter()
    .filter_map(|(on, place)| on.then_some(place))
    .collect();
    places.join(", ")
}

pub struct AttributeRow {
    pub href: String,
    pub display_name: String,
    pub name: String,
    pub data_type: &'static str,
    pub shown_in: String,
    pub required_in: String,
    pub unique: bool,
    pub order: i32,
}

#[derive(Template)]
#[template(path = "console/attributes.html")]
struct AttributesPage {
    chrome: Chrome,
    notice: Option<String>,
    rows: Vec<AttributeRow>,
    can_manage: bool,
}

pub async fn list(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let all = state.db.run(|c| Ok(attributes::all(c)?)).await?;
    let rows = all
        .iter()
        .map(|a| {
            let grid = a.grid();
            AttributeRow {
                href: urls::console_attribute(a.public_id),
                display_name: a.display_name.clone(),
                name: a.name.clone(),
                data_type: a.data_type().map(DataType::label).unwrap_or("?"),
                shown_in: shown_in(&grid),
                required_in: required_in(&grid),
                unique: a.unique_values,
                order: a.display_order,
            }
        })
        .collect();
    let page = AttributesPage {
        chrome: Chrome::new(&state, &session, &admin, "attributes"),
        notice: flash::take(&session),
        rows,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

/// The form's fields (checkboxes are present only when ticked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    data_type: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    regex: String,
    #[serde(default)]
    display_order: String,
    #[serde(default)]
    unique: Option<String>,
    #[serde(default)]
    console_displayed: Option<String>,
    #[serde(default)]
    console_required: Option<String>,
    #[serde(default)]
    console_read_only: Option<String>,
    #[serde(default)]
    myaccount_displayed: Option<String>,
    #[serde(default)]
    myaccount_required: Option<String>,
    #[serde(default)]
    myaccount_read_only: Option<String>,
    #[serde(default)]
    registration_displayed: Option<String>,
    #[serde(default)]
    registration_required: Option<String>,
}

impl AttributeForm {
    fn input(&self) -> AttributeInput {
        let on = |v: &Option<String>| v.is_some();
        AttributeInput {
            name: self.name.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            data_type: self.data_type.clone(),
            options: self.options.clone(),
            regex: self.regex.clone(),
            display_order: self.display_order.clone(),
            unique: on(&self.unique),
            grid: Grid {
                console: [
                    on(&self.console_displayed),
                    on(&self.console_required),
                    on(&self.console_read_only),
                ],
                myaccount: [
                    on(&self.myaccount_displayed),
                    on(&self.myaccount_required),
                    on(&self.myaccount_read_only),
                ],
                registration: [on(&self.registration_displayed), on(&self.registration_required)],
            },
        }
    }

    fn of(a: &Attribute) -> Self {
        let flag = |b: bool| b.then(|| "on".to_owned());
        let options = a
            .choices()
            .iter()
            .map(|c| {
                if c.value == c.label {
                    c.value.clone()
                } else {
                    format!("{}|{}", c.value, c.label)
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            name: a.name.clone(),
            display_name: a.display_name.clone(),
            description: a.description.clone(),
            data_type: a.data_type.clone(),
            options,
            regex: a.regex.clone().unwrap_or_default(),
            display_order: a.display_order.to_string(),
            unique: flag(a.unique_values),
            console_displayed: flag(a.console_displayed),
            console_required: flag(a.console_required),
            console_read_only: flag(a.console_read_only),
            myaccount_displayed: flag(a.myaccount_displayed),
            myaccount_required: flag(a.myaccount_required),
            myaccount_read_only: flag(a.myaccount_read_only),
            registration_displayed: flag(a.registration_displayed),
            registration_required: flag(a.registration_required),
        }
    }
}

/// One cell of the grid as the template draws it.
pub struct Cell {
    pub field: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "console/attribute_form.html")]
struct FormPage {
    chrome: Chrome,
    notice: Option<String>,
    /// None: a new attribute.
    existing: Option<Existing>,
    f: AttributeForm,
    errors: FieldErrors,
    types: Vec<(&'static str, &'static str)>,
    grid: Vec<(&'static str, Vec<Option<Cell>>)>,
    can_manage: bool,
}

pub struct Existing {
    pub href: String,
    pub created: Stamp,
    pub updated: Stamp,
    pub values: i64,
    pub delete: Confirm,
}

fn delete_confirm(attribute: &Attribute, values: i64) -> Confirm {
    Confirm::deletion(
        "Delete attribute",
        format!(
            "Deleting {} removes it from every profile, with its {values} customer value{}. \
             This cannot be undone.",
            attribute.display_name,
            if values == 1 { "" } else { "s" }
        ),
        "I understand that this attribute and its values will be deleted.",
        urls::console_attribute(attribute.public_id),
    )
}

fn grid_cells(f: &AttributeForm) -> Vec<(&'static str, Vec<Option<Cell>>)> {
    let cell = |field: &'static str, place: &str, what: &str, v: &Option<String>| {
        Some(Cell { field, label: format!("{place}: {what}"), checked: v.is_some() })
    };
    vec![
        (
            "Console",
            vec![
                cell("console_displayed", "Console", "displayed", &f.console_displayed),
                cell("console_required", "Console", "required", &f.console_required),
                cell("console_read_only", "Console", "read-only", &f.console_read_only),
            ],
        ),
        (
            "My Account",
            vec![
                cell("myaccount_displayed", "My Account", "displayed", &f.myaccount_displayed),
                cell("myaccount_required", "My Account", "required", &f.myaccount_required),
                cell("myaccount_read_only", "My Account", "read-only", &f.myaccount_read_only),
            ],
        ),
        (
            "Self-registration",
            vec![
                cell(
                    "registration_displayed",
                    "Self-registration",
                    "displayed",
                    &f.registration_displayed,
                ),
                cell(
                    "registration_required",
                    "Self-registration",
                    "required",
                    &f.registration_required,
                ),
                None,
            ],
        ),
    ]
}

fn form_page(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    existing: Option<Existing>,
    f: AttributeForm,
    errors: FieldErrors,
) -> FormPage {
    FormPage {
        chrome: Chrome::new(state, session, admin, "attributes"),
        notice: flash::take(session),
        existing,
        grid: grid_cells(&f),
        f,
        errors,
        types: DataType::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        can_manage: admin.can_manage_customers(),
    }
}

pub async fn new_form(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let f = AttributeForm {
        data_type: "text".into(),
        console_displayed: Some("on".into()),
        myaccount_displayed: Some("on".into()),
        ..AttributeForm::default()
    };
    html(StatusCode::OK, &form_page(&state, &session, &admin, None, f, FieldErrors::default()))
}

pub async fn create(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    form: web::Form<AttributeForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    match use_case::create(&state.db, admin.actor(&req), f.input()).await {
        Ok(_) => {
            flash::set(&session, &format!("Attribute {} was created.", f.name.trim()));
            Ok(see_other(&req, urls::CONSOLE_ATTRIBUTES))
        }
        Err(FormError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&state, &session, &admin, None, f, errors),
        ),
        Err(FormError::Other(e)) => Err(e),
    }
}

async fn existing(state: &State, id: &str) -> Result<(Attribute, Existing), AppError> {
    let key = id.to_owned();
    let (attribute, values) = state
        .db
        .run(move |c| {
            let a = attributes::find(c, &key)?.ok_or(AppError::NotFound)?;
            let n = attributes::value_count(c, a.id)?;
            Ok((a, n))
        })
        .await?;
    let e = Existing {
        href: urls::console_attribute(attribute.public_id),
        created: state.stamp(&attribute.created_at),
        updated: state.stamp(&attribute.updated_at),
        values,
        delete: delete_confirm(&attribute, values),
    };
    Ok((attribute, e))
}

pub async fn edit_form(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (attribute, e) = existing(&state, &id).await?;
    let f = AttributeForm::of(&attribute);
    html(StatusCode::OK, &form_page(&state, &session, &admin, Some(e), f, FieldErrors::default()))
}

pub async fn update(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<AttributeForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (attribute, e) = existing(&state, &id).await?;
    // The name is the immutable key: whatever the request says, the stored one stays.
    let f = AttributeForm { name: attribute.name.clone(), ..form.into_inner() };
    match use_case::update(&state.db, admin.actor(&req), &id, f.input()).await {
        Ok(changed) if changed.is_empty() => {
            flash::set(&session, "Nothing changed.");
            Ok(see_other(&req, &e.href))
        }
        Ok(changed) => {
            flash::set(&session, &format!("Saved: {}.", changed.join(", ")));
            Ok(see_other(&req, &e.href))
        }
        Err(FormError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&state, &session, &admin, Some(e), f, errors),
        ),
        Err(FormError::Other(e)) => Err(e),
    }
}

/// Delete attribute on a page of its own (the dialog's form, without script).
pub async fn show_delete(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (attribute, e) = existing(&state, &id).await?;
    confirm::page(&state, &session, &admin, "attributes", &attribute.display_name, e.delete, false)
}

pub async fn delete(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !form.confirmed() {
        let (attribute, e) = existing(&state, &id).await?;
        return confirm::page(
            &state,
            &session,
            &admin,
            "attributes",
            &attribute.display_name,
            e.delete,
            true,
        );
    }
    let (attribute, values) = use_case::delete(&state.db, admin.actor(&req), &id).await?;
    flash::set(
        &session,
        &format!("Attribute {} was deleted, with {values} customer value(s).", attribute.name),
    );
    Ok(see_other(&req, urls::CONSOLE_ATTRIBUTES))
}
