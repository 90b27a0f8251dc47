//! Manage > Applications: register, change and delete the applications that sign customers in
//! through Roster. A confidential client's secret is a 256-bit random value shown once and
//! stored as its SHA-256 (a hash compared in constant time is right for a random secret;
//! Argon2 would only slow the token endpoint). Each change and its audit event in one
//! transaction; edits record before → after.

use serde_json::{Map, Value, json};

use super::FormError;
use crate::db::applications::{self, Application};
use crate::db::audit::{self, Actor};
use crate::db::ids::PublicId;
use crate::db::{Db, attributes, now};
use crate::domain::application::{ApplicationDefinition, ApplicationInput, ClientType};
use crate::domain::token::{hash_token, random_token};
use crate::error::AppError;

/// The parts of a definition, named as the form names them, for "what changed".
fn parts(d: &ApplicationDefinition) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("name", "Name", json!(d.name)),
        ("redirect_uris", "Redirect URIs", json!(d.redirect_uris)),
        (
            "post_logout_redirect_uris",
            "Post-logout redirect URIs",
            json!(d.post_logout_redirect_uris),
        ),
        ("refresh_tokens", "Refresh tokens", json!(d.refresh_tokens)),
        ("access_token_minutes", "Access token lifetime", json!(d.access_token_minutes)),
        ("refresh_token_days", "Refresh token lifetime", json!(d.refresh_token_days)),
        ("claims", "Claims", json!(d.claims)),
        ("attribute_names", "Attributes", json!(d.attribute_names)),
        ("id_token_alg", "ID token signature", json!(d.id_token_alg.as_str())),
    ]
}

/// The names of the custom attributes that exist now (an application may receive those).
pub async fn attribute_names(db: &Db) -> Result<Vec<String>, AppError> {
    db.run(|c| Ok(attributes::all(c)?.into_iter().map(|a| a.name).collect())).await
}

/// A client id: 128 random bits, URL-safe.
fn new_client_id() -> String {
    random_token()[..22].to_owned()
}

pub const NAME_TAKEN: &str = "An application with this name already exists.";

fn name_taken_error() -> FormError {
    let mut errors = crate::domain::FieldErrors::default();
    errors.add("name", NAME_TAKEN);
    FormError::Invalid(errors)
}

pub struct Created {
    pub id: String,
    /// A confidential client's secret, to show once.
    pub secret: Option<String>,
}

pub async fn create(db: &Db, actor: Actor, input: ApplicationInput) -> Result<Created, FormError> {
    let known = attribute_names(db).await?;
    let d = ApplicationDefinition::parse(&input, &known).map_err(FormError::Invalid)?;
    let secret = (d.client_type == ClientType::Confidential).then(random_token);
    let secret_hash = secret.as_deref().map(hash_token);
    let (public_id, client_id) = (PublicId::new(), new_client_id());
    let inserted = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                // Names are unique: a resubmitted form (a reload) is refused, not registered twice.
                if applications::name_taken(conn, &d.name, None)? {
                    return Ok(false);
                }
                applications::insert(
                    conn,
                    public_id,
                    &client_id,
                    secret_hash.as_deref(),
                    &d,
                    now(),
                )?;
                let mut details: Map<String, Value> =
                    parts(&d).into_iter().map(|(k, _, v)| (k.to_owned(), v)).collect();
                details.insert("client_type".into(), json!(d.client_type.as_str()));
                details.insert("client_id".into(), json!(client_id));
                audit::record(
                    conn,
                    &actor,
                    "application.created",
                    Some((&public_id.to_string(), &d.name)),
                    Value::Object(details),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if !inserted {
        return Err(name_taken_error());
    }
    Ok(Created { id: public_id.to_string(), secret })
}

pub async fn find(db: &Db, id: &str) -> Result<Application, AppError> {
    let id = id.to_owned();
    db.run(move |c| applications::find_public(c, &id)?.ok_or(AppError::NotFound)).await
}

/// Saves what changed; returns the labels of the changed parts (empty: nothing to save).
pub async fn update(
    db: &Db,
    actor: Actor,
    id: &str,
    mut input: ApplicationInput,
) -> Result<Vec<&'static str>, FormError> {
    let existing = find(db, id).await?;
    let before = existing.definition().ok_or(AppError::internal(anyhow::anyhow!("bad row")))?;
    // The kind is fixed at creation (it decides whether there is a secret).
    input.client_type = before.client_type.as_str().to_owned();
    let known = attribute_names(db).await?;
    let after = ApplicationDefinition::parse(&input, &known).map_err(FormError::Invalid)?;
    let (changed, details) = super::changed_parts(parts(&before), parts(&after));
    if changed.is_empty() {
        return Ok(changed);
    }
    let id = id.to_owned();
    let saved = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                if applications::name_taken(conn, &after.name, Some(existing.id))? {
                    return Ok(false);
                }
                applications::update(conn, existing.id, &after, now())?;
                audit::record(
                    conn,
                    &actor,
                    "application.updated",
                    Some((&id, &after.name)),
                    Value::Object(details),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if !saved {
        return Err(name_taken_error());
    }
    Ok(changed)
}

pub const NO_SECRET: AppError = AppError::Forbidden(
    "Single-page and native applications have no client secret: they use PKCE.",
);

/// A new client secret for a confidential application; the old one stops working at once.
/// Returns the secret, to show once.
pub async fn regenerate_secret(db: &Db, actor: Actor, id: &str) -> Result<String, AppError> {
    let secret = random_token();
    let hash = hash_token(&secret);
    let id = id.to_owned();
    let done = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let Some(app) = applications::find_public(conn, &id)? else {
                    return Ok(Err(AppError::NotFound));
                };
                if app.client_type() != Some(ClientType::Confidential) {
                    return Ok(Err(NO_SECRET));
                }
                applications::set_secret_hash(conn, app.id, &hash, now())?;
                audit::record(
                    conn,
                    &actor,
                    "application.secret_regenerated",
                    Some((&id, &app.name)),
                    json!({ "client_id": app.client_id }),
                )?;
                Ok::<_, diesel::result::Error>(Ok(()))
            })
            .map_err(AppError::from)
        })
        .await?;
    done.map(|()| secret)
}

/// Deletes the application (what it was issued goes with it); returns its name.
pub async fn delete(db: &Db, actor: Actor, id: &str) -> Result<String, AppError> {
    let id = id.to_owned();
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let app =
                applications::find_public(conn, &id)?.ok_or(diesel::result::Error::NotFound)?;
            applications::delete(conn, app.id)?;
            audit::record(
                conn,
                &actor,
                "application.deleted",
                Some((&id, &app.name)),
                json!({ "name": app.name, "client_id": app.client_id }),
            )?;
            Ok::<_, diesel::result::Error>(app.name)
        })
        .map_err(AppError::from)
    })
    .await
}
