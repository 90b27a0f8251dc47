//! Queries on `applications` (OpenID Connect clients; a handful of rows).

use diesel::prelude::*;

use super::Conn;
use super::ids::{ApplicationId, PublicId};
use super::schema::applications as a;
use crate::domain::application::{ApplicationDefinition, ClientType};
use crate::domain::clock::At;
use crate::domain::signing::Algorithm;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Application {
    pub id: ApplicationId,
    pub public_id: PublicId,
    pub name: String,
    pub client_id: String,
    pub client_type: String,
    pub secret_hash: Option<String>,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub refresh_tokens: bool,
    pub access_token_minutes: i32,
    pub refresh_token_days: i32,
    pub claims: String,
    pub attribute_names: String,
    pub created_at: At,
    pub updated_at: At,
    pub id_token_alg: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

impl Application {
    pub fn client_type(&self) -> Option<ClientType> {
        ClientType::parse(&self.client_type)
    }

    pub fn redirect_uris(&self) -> Vec<String> {
        lines(&self.redirect_uris)
    }

    pub fn post_logout_redirect_uris(&self) -> Vec<String> {
        lines(&self.post_logout_redirect_uris)
    }

    pub fn claims(&self) -> Vec<String> {
        self.claims.split_whitespace().map(str::to_owned).collect()
    }

    pub fn attribute_names(&self) -> Vec<String> {
        lines(&self.attribute_names)
    }

    /// The definition as the form edits it.
    pub fn definition(&self) -> Option<ApplicationDefinition> {
        Some(ApplicationDefinition {
            name: self.name.clone(),
            client_type: self.client_type()?,
            redirect_uris: self.redirect_uris(),
            post_logout_redirect_uris: self.post_logout_redirect_uris(),
            refresh_tokens: self.refresh_tokens,
            access_token_minutes: self.access_token_minutes,
            refresh_token_days: self.refresh_token_days,
            claims: self.claims(),
            attribute_names: self.attribute_names(),
            id_token_alg: Algorithm::parse(&self.id_token_alg)?,
        })
    }
}

pub fn insert(
    conn: &mut Conn,
    public_id: PublicId,
    client_id: &str,
    secret_hash: Option<&str>,
    d: &ApplicationDefinition,
    at: At,
) -> QueryResult<usize> {
    diesel::insert_into(a::table)
        .values((
            a::public_id.eq(public_id),
            a::name.eq(&d.name),
            a::client_id.eq(client_id),
            a::client_type.eq(d.client_type.as_str()),
            a::secret_hash.eq(secret_hash),
            a::redirect_uris.eq(d.redirect_uris.join("\n")),
            a::post_logout_redirect_uris.eq(d.post_logout_redirect_uris.join("\n")),
            a::refresh_tokens.eq(d.refresh_tokens),
            a::access_token_minutes.eq(d.access_token_minutes),
            a::refresh_token_days.eq(d.refresh_token_days),
            a::claims.eq(d.claims.join(" ")),
            a::attribute_names.eq(d.attribute_names.join("\n")),
            a::id_token_alg.eq(d.id_token_alg.as_str()),
            a::created_at.eq(at),
            a::updated_at.eq(at),
        ))
        .execute(conn)
}

/// The editable parts (the kind, and so the secret, stay as created).
pub fn update(
    conn: &mut Conn,
    id: ApplicationId,
    d: &ApplicationDefinition,
    at: At,
) -> QueryResult<usize> {
    diesel::update(a::table.find(id))
        .set((
            a::name.eq(&d.name),
            a::redirect_uris.eq(d.redirect_uris.join("\n")),
            a::post_logout_redirect_uris.eq(d.post_logout_redirect_uris.join("\n")),
            a::refresh_tokens.eq(d.refresh_tokens),
            a::access_token_minutes.eq(d.access_token_minutes),
            a::refresh_token_days.eq(d.refresh_token_days),
            a::claims.eq(d.claims.join(" ")),
            a::attribute_names.eq(d.attribute_names.join("\n")),
            a::id_token_alg.eq(d.id_token_alg.as_str()),
            a::updated_at.eq(at),
        ))
        .execute(conn)
}

pub fn set_secret_hash(
    conn: &mut Conn,
    id: ApplicationId,
    secret_hash: &str,
    at: At,
) -> QueryResult<usize> {
    diesel::update(a::table.find(id))
        .filter(a::client_type.eq(ClientType::Confidential.as_str()))
        .set((a::secret_hash.eq(secret_hash), a::updated_at.eq(at)))
        .execute(conn)
}

pub fn find(conn: &mut Conn, id: ApplicationId) -> QueryResult<Option<Application>> {
    a::table.find(id).select(Application::as_select()).first(conn).optional()
}

/// The application a URL names by its public id (`None` for text that is not one).
pub fn find_public(conn: &mut Conn, public_id: &str) -> QueryResult<Option<Application>> {
    let Some(public_id) = PublicId::parse(public_id) else { return Ok(None) };
    a::table
        .filter(a::public_id.eq(public_id))
        .select(Application::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_client_id(conn: &mut Conn, client_id: &str) -> QueryResult<Option<Application>> {
    a::table
        .filter(a::client_id.eq(client_id))
        .select(Application::as_select())
        .first(conn)
        .optional()
}

/// Every application, by name.
pub fn all(conn: &mut Conn) -> QueryResult<Vec<Application>> {
    a::table.order((a::name, a::id)).select(Application::as_select()).load(conn)
}

/// Is any application registered?
pub fn any(conn: &mut Conn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(a::table.select(a::id))).get_result(conn)
}

pub fn delete(conn: &mut Conn, id: ApplicationId) -> QueryResult<usize> {
    diesel::delete(a::table.find(id)).execute(conn)
}

/// Is the name used by another application (case-insensitively)?
pub fn name_taken(conn: &mut Conn, name: &str, except: Option<ApplicationId>) -> QueryResult<bool> {
    let lowered = name.to_lowercase();
    let all: Vec<(ApplicationId, String)> = a::table.select((a::id, a::name)).load(conn)?;
    Ok(all.iter().any(|(id, n)| n.to_lowercase() == lowered && Some(*id) != except))
}
