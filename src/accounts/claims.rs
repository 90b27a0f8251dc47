//! What applications are told about a customer: the ID token (signed, with the claims the
//! application receives) and the userinfo answer, both from the same profile. Nothing is told
//! of an account that can no longer sign in.

use chrono::{Duration, TimeZone, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, Audience, ClientId, EndUserEmail, EndUserFamilyName, EndUserGivenName,
    IdTokenClaims, IssuerUrl, LocalizedClaim, Nonce, StandardClaims, SubjectIdentifier,
};
use serde_json::{Map, Value, json};

use super::token::can_sign_in;
use crate::db::accounts::{self, Account};
use crate::db::applications::{self, Application};
use crate::db::grants::{self, TokenKind};
use crate::db::{Conn, Db, attributes, groups, now};
use crate::domain::clock::At;
use crate::domain::signing::Signer;
use crate::domain::token::hash_token;
use crate::error::AppError;

/// How long an ID token is valid (relying parties check it when they receive it).
pub const ID_TOKEN_LIFETIME: Duration = Duration::minutes(60);

/// Claims beyond the standard ones: group names and the custom attributes the application
/// receives, by attribute name.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RosterClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

impl openidconnect::AdditionalClaims for RosterClaims {}

type IdToken = openidconnect::IdToken<
    RosterClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What the ID token and userinfo say of the customer, by the application's claims.
pub struct Profile {
    pub account: Account,
    pub groups: Vec<String>,
    pub attributes: Map<String, Value>,
}

pub(crate) fn profile(
    conn: &mut Conn,
    app: &Application,
    account: Account,
) -> diesel::QueryResult<Profile> {
    let claims = app.claims();
    let groups = if claims.iter().any(|c| c == "groups") {
        groups::of_account(conn, account.id)?.into_iter().map(|g| g.name).collect()
    } else {
        Vec::new()
    };
    let wanted = app.attribute_names();
    let mut attributes = Map::new();
    if !wanted.is_empty() {
        let schema = attributes::all(conn)?;
        for (attribute_id, value) in attributes::values_of(conn, account.id)? {
            if let Some(a) =
                schema.iter().find(|a| a.id == attribute_id && wanted.contains(&a.name))
            {
                attributes.insert(a.name.clone(), Value::String(value));
            }
        }
    }
    Ok(Profile { account, groups, attributes })
}

fn utc(t: At) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn id_token(
    signer: &Signer,
    issuer: &str,
    app: &Application,
    scope: &str,
    p: &Profile,
    auth_time: At,
    nonce: Option<&str>,
    access_token: &str,
) -> Result<String, AppError> {
    let at = Utc::now();
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(p.account.public_id.to_string()));
    if scopes.contains(&"email") {
        standard = standard
            .set_email(Some(EndUserEmail::new(p.account.email.clone())))
            .set_email_verified(Some(p.account.email_verified_at.is_some()));
    }
    if scopes.contains(&"profile") {
        standard = standard
            .set_given_name(Some(LocalizedClaim::from(EndUserGivenName::new(
                p.account.first_name.clone(),
            ))))
            .set_family_name(Some(LocalizedClaim::from(EndUserFamilyName::new(
                p.account.last_name.clone(),
            ))));
    }
    let extra = RosterClaims {
        groups: scopes.contains(&"groups").then(|| p.groups.clone()),
        attributes: p.attributes.clone(),
    };
    let issuer = IssuerUrl::new(issuer.to_owned()).map_err(AppError::internal)?;
    let claims = IdTokenClaims::new(
        issuer,
        vec![Audience::new(app.client_id.clone())],
        at + ID_TOKEN_LIFETIME,
        at,
        standard,
        extra,
    )
    .set_auth_time(Some(utc(auth_time)))
    .set_authorized_party(Some(ClientId::new(app.client_id.clone())))
    .set_nonce(nonce.map(|n| Nonce::new(n.to_owned())));
    let access = AccessToken::new(access_token.to_owned());
    let token = match signer {
        Signer::Rsa(k) => IdToken::new(
            claims,
            k,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Some(&access),
            None,
        ),
        Signer::EdDsa(k) => {
            IdToken::new(claims, k, CoreJwsSigningAlgorithm::EdDsa, Some(&access), None)
        }
    };
    Ok(token.map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?.to_string())
}

/// Userinfo: the claims of the access token's customer, by its scope; `None` for a token that
/// is unknown, expired or revoked, or whose account can no longer sign in.
pub async fn userinfo(db: &Db, access_token: &str) -> Result<Option<Value>, AppError> {
    let hash = hash_token(access_token);
    db.run(move |conn| {
        let Some(token) = grants::find_token(conn, &hash, TokenKind::Access)? else {
            return Ok(None);
        };
        if token.revoked_at.is_some() || token.expires_at <= now() {
            return Ok(None);
        }
        let account = accounts::find(conn, token.account_id)?;
        if !can_sign_in(account.as_ref()) {
            return Ok(None);
        }
        let Some(app) = applications::find(conn, token.application_id)? else { return Ok(None) };
        let p = profile(conn, &app, account.expect("checked"))?;
        let scopes: Vec<&str> = token.scope.split(' ').collect();
        let mut out = Map::new();
        out.insert("sub".into(), json!(p.account.public_id));
        if scopes.contains(&"email") {
            out.insert("email".into(), json!(p.account.email));
            out.insert("email_verified".into(), json!(p.account.email_verified_at.is_some()));
        }
        if scopes.contains(&"profile") {
            out.insert("given_name".into(), json!(p.account.first_name));
            out.insert("family_name".into(), json!(p.account.last_name));
        }
        if scopes.contains(&"groups") {
            out.insert("groups".into(), json!(p.groups));
        }
        out.extend(p.attributes);
        Ok(Some(Value::Object(out)))
    })
    .await
}
