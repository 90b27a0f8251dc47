//! The provider's token and userinfo endpoints, free of HTTP. Clients authenticate with their
//! secret (confidential) or not at all (public, bound by PKCE). A code is exchanged once, within
//! a minute, with the same redirect URI and the PKCE verifier; a second exchange revokes what
//! the first issued. Refresh tokens rotate on every use; a used one presented again revokes the
//! whole grant. Tokens are random strings stored as hashes; only ID tokens are signed. Nothing
//! is issued, and userinfo answers nothing, for an account that can no longer sign in.

use chrono::{Duration, NaiveDateTime, TimeZone, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, Audience, ClientId, EndUserEmail, EndUserFamilyName, EndUserGivenName,
    IdTokenClaims, IssuerUrl, LocalizedClaim, Nonce, StandardClaims, SubjectIdentifier,
};
use serde_json::{Map, Value, json};

use super::signing_keys;
use crate::db::accounts::{self, Account};
use crate::db::applications::{self, Application};
use crate::db::audit::{self, Actor};
use crate::db::grants::{self, Token, TokenKind};
use crate::db::{Conn, Db, attributes, groups, now};
use crate::domain::account::{Kind, Status};
use crate::domain::application::ClientType;
use crate::domain::oidc::pkce_matches;
use crate::domain::signing::{Algorithm, Signer};
use crate::domain::token::{hash_token, random_token, secrets_equal};
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

/// The client's credentials as the request carried them (HTTP Basic or the form).
#[derive(Debug, Clone, Default)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub code: String,
    pub redirect_uri: String,
    pub code_verifier: String,
    pub refresh_token: String,
    pub client: ClientCredentials,
}

/// RFC 6749 §5.2 errors.
#[derive(Debug)]
pub enum TokenError {
    InvalidRequest(&'static str),
    InvalidClient,
    InvalidGrant(&'static str),
    UnauthorizedClient(&'static str),
    UnsupportedGrantType,
    Other(AppError),
}

impl From<AppError> for TokenError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::Other(_) => "server_error",
        }
    }

    pub fn description(&self) -> &'static str {
        match self {
            Self::InvalidRequest(d) | Self::InvalidGrant(d) | Self::UnauthorizedClient(d) => d,
            Self::InvalidClient => "Client authentication failed.",
            Self::UnsupportedGrantType => "Use authorization_code or refresh_token.",
            Self::Other(_) => "The server could not answer.",
        }
    }
}

pub struct Issued {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub scope: String,
}

/// The registered application these credentials prove, or `InvalidClient`.
pub(crate) async fn authenticate(
    db: &Db,
    client: &ClientCredentials,
) -> Result<Application, TokenError> {
    let id = client.client_id.clone();
    let app = db
        .run(move |c| Ok(applications::find_by_client_id(c, &id)?))
        .await?
        .ok_or(TokenError::InvalidClient)?;
    let proven = match (app.client_type(), &client.secret, &app.secret_hash) {
        (Some(ClientType::Confidential), Some(secret), Some(hash)) => {
            secrets_equal(&hash_token(secret), hash)
        }
        (Some(ClientType::Public), None, None) => true,
        _ => false,
    };
    if proven { Ok(app) } else { Err(TokenError::InvalidClient) }
}

/// May this account still get tokens?
fn can_sign_in(account: Option<&Account>) -> bool {
    account.is_some_and(|a| {
        a.kind() == Some(Kind::Customer)
            && a.status() == Some(Status::Active)
            && !a.must_change_password
    })
}

/// What the grant issues next: new tokens in the caller's transaction.
struct Minted {
    access: String,
    refresh: Option<String>,
}

fn mint(
    conn: &mut Conn,
    app: &Application,
    grant_id: &str,
    account_id: &str,
    scope: &str,
    auth_time: NaiveDateTime,
    at: NaiveDateTime,
) -> diesel::QueryResult<Minted> {
    let access = random_token();
    let row = |hash: String, kind: TokenKind, expires_at: NaiveDateTime| Token {
        token_hash: hash,
        kind: kind.as_str().to_owned(),
        grant_id: grant_id.to_owned(),
        application_id: app.id.clone(),
        account_id: account_id.to_owned(),
        scope: scope.to_owned(),
        auth_time,
        created_at: at,
        expires_at,
        used_at: None,
        revoked_at: None,
    };
    let access_expiry = at + Duration::minutes(app.access_token_minutes.into());
    grants::insert_token(conn, &row(hash_token(&access), TokenKind::Access, access_expiry))?;
    let refresh = if app.refresh_tokens {
        let r = random_token();
        let expiry = at + Duration::days(app.refresh_token_days.into());
        grants::insert_token(conn, &row(hash_token(&r), TokenKind::Refresh, expiry))?;
        Some(r)
    } else {
        None
    };
    Ok(Minted { access, refresh })
}

/// What the ID token and userinfo say of the customer, by the application's claims.
pub struct Profile {
    pub account: Account,
    pub groups: Vec<String>,
    pub attributes: Map<String, Value>,
}

fn profile(conn: &mut Conn, app: &Application, account: Account) -> diesel::QueryResult<Profile> {
    let claims = app.claims();
    let groups = if claims.iter().any(|c| c == "groups") {
        groups::of_account(conn, &account.id)?.into_iter().map(|g| g.name).collect()
    } else {
        Vec::new()
    };
    let wanted = app.attribute_names();
    let mut attributes = Map::new();
    if !wanted.is_empty() {
        let schema = attributes::all(conn)?;
        for (attribute_id, value) in attributes::values_of(conn, &account.id)? {
            if let Some(a) =
                schema.iter().find(|a| a.id == attribute_id && wanted.contains(&a.name))
            {
                attributes.insert(a.name.clone(), Value::String(value));
            }
        }
    }
    Ok(Profile { account, groups, attributes })
}

fn utc(t: NaiveDateTime) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

#[allow(clippy::too_many_arguments)]
fn id_token(
    signer: &Signer,
    issuer: &str,
    app: &Application,
    scope: &str,
    p: &Profile,
    auth_time: NaiveDateTime,
    nonce: Option<&str>,
    access_token: &str,
) -> Result<String, AppError> {
    let at = Utc::now();
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(p.account.id.clone()));
    if scopes.contains(&"email") {
        standard = standard
            .set_email(Some(EndUserEmail::new(p.account.email.clone())))
            .set_email_verified(Some(true));
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

/// Revokes a grant that was replayed, and says so in the audit trail.
fn revoke_replayed(
    conn: &mut Conn,
    grant_id: &str,
    account_id: &str,
    app: &Application,
    reason: &str,
    ip: &str,
) -> diesel::QueryResult<()> {
    let revoked = grants::revoke_grant(conn, grant_id, now())?;
    let email = accounts::find(conn, account_id)?.map(|a| a.email).unwrap_or_default();
    audit::record(
        conn,
        &Actor::anonymous(ip).named(&app.name),
        "tokens.revoked",
        Some((account_id, &email)),
        json!({ "application": app.name, "reason": reason, "tokens": revoked }),
    )
}

/// The outcome of the database part of an exchange.
enum Step {
    Issued {
        minted: Minted,
        profile: Box<Profile>,
        scope: String,
        auth_time: NaiveDateTime,
        nonce: Option<String>,
    },
    Refused(TokenError),
}

pub async fn exchange(
    db: &Db,
    keys: &signing_keys::Keys,
    issuer: &str,
    req: TokenRequest,
    ip: &str,
) -> Result<Issued, TokenError> {
    let app = authenticate(db, &req.client).await?;
    let step = match req.grant_type.as_str() {
        "authorization_code" => exchange_code(db, &app, &req, ip).await?,
        "refresh_token" if !app.refresh_tokens => {
            return Err(TokenError::UnauthorizedClient(
                "This application does not get refresh tokens.",
            ));
        }
        "refresh_token" => refresh(db, &app, &req, ip).await?,
        "" => return Err(TokenError::InvalidRequest("grant_type is missing.")),
        _ => return Err(TokenError::UnsupportedGrantType),
    };
    let (minted, profile, scope, auth_time, nonce) = match step {
        Step::Issued { minted, profile, scope, auth_time, nonce } => {
            (minted, profile, scope, auth_time, nonce)
        }
        Step::Refused(e) => return Err(e),
    };
    let alg = Algorithm::parse(&app.id_token_alg).unwrap_or(Algorithm::Rs256);
    let signer = signing_keys::signer(db, keys, alg).await?;
    // Signing (RSA above all) is CPU work: off the async workers.
    let (issuer, app2, scope2, access) =
        (issuer.to_owned(), app.clone(), scope.clone(), minted.access.clone());
    let id_token = tokio::task::spawn_blocking(move || {
        id_token(&signer, &issuer, &app2, &scope2, &profile, auth_time, nonce.as_deref(), &access)
    })
    .await
    .map_err(AppError::internal)??;
    Ok(Issued {
        access_token: minted.access,
        expires_in: i64::from(app.access_token_minutes) * 60,
        refresh_token: minted.refresh,
        id_token: Some(id_token),
        scope,
    })
}

async fn exchange_code(
    db: &Db,
    app: &Application,
    req: &TokenRequest,
    ip: &str,
) -> Result<Step, TokenError> {
    if req.code.is_empty() {
        return Err(TokenError::InvalidRequest("code is missing."));
    }
    let (hash, app, verifier, redirect_uri, ip) = (
        hash_token(&req.code),
        app.clone(),
        req.code_verifier.clone(),
        req.redirect_uri.clone(),
        ip.to_owned(),
    );
    let step = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let refuse = |e| Ok::<_, diesel::result::Error>(Step::Refused(e));
                let Some(code) = grants::find_code(conn, &hash)? else {
                    return refuse(TokenError::InvalidGrant("The code is not valid."));
                };
                if code.application_id != app.id {
                    return refuse(TokenError::InvalidGrant("The code is not valid."));
                }
                let at = now();
                if code.used_at.is_some() || !grants::use_code(conn, &hash, at)? {
                    revoke_replayed(conn, &code.grant_id, &code.account_id, &app, "code_reused", &ip)?;
                    return refuse(TokenError::InvalidGrant("The code was already used; what it issued is revoked."));
                }
                if code.expires_at <= at {
                    return refuse(TokenError::InvalidGrant("The code has expired."));
                }
                if code.redirect_uri != redirect_uri {
                    return refuse(TokenError::InvalidGrant("redirect_uri does not match the authorization request."));
                }
                let pkce_ok = match &code.code_challenge {
                    Some(challenge) => pkce_matches(challenge, &verifier),
                    None => verifier.is_empty(),
                };
                if !pkce_ok {
                    return refuse(TokenError::InvalidGrant("PKCE verification failed."));
                }
                let account = accounts::find(conn, &code.account_id)?;
                if !can_sign_in(account.as_ref()) {
                    return refuse(TokenError::InvalidGrant("The account can no longer sign in."));
                }
                let account = account.expect("checked");
                let minted = mint(conn, &app, &code.grant_id, &account.id, &code.scope, code.auth_time, at)?;
                audit::record(
                    conn,
                    &Actor::account(&account.id, &account.email, &ip).named(&account.display_name()),
                    "application.tokens_issued",
                    Some((&account.id, &account.email)),
                    json!({ "application": app.name, "grant": "authorization_code", "refresh_token": minted.refresh.is_some() }),
                )?;
                let profile = profile(conn, &app, account)?;
                Ok(Step::Issued {
                    minted,
                    profile: Box::new(profile),
                    scope: code.scope,
                    auth_time: code.auth_time,
                    nonce: code.nonce,
                })
            })
            .map_err(AppError::from)
        })
        .await?;
    Ok(step)
}

async fn refresh(
    db: &Db,
    app: &Application,
    req: &TokenRequest,
    ip: &str,
) -> Result<Step, TokenError> {
    if req.refresh_token.is_empty() {
        return Err(TokenError::InvalidRequest("refresh_token is missing."));
    }
    let (hash, app, ip) = (hash_token(&req.refresh_token), app.clone(), ip.to_owned());
    let step = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let refuse = |e| Ok::<_, diesel::result::Error>(Step::Refused(e));
                let Some(token) = grants::find_token(conn, &hash, TokenKind::Refresh)? else {
                    return refuse(TokenError::InvalidGrant("The refresh token is not valid."));
                };
                if token.application_id != app.id || token.revoked_at.is_some() {
                    return refuse(TokenError::InvalidGrant("The refresh token is not valid."));
                }
                let at = now();
                if token.used_at.is_some() || !grants::use_token(conn, &hash, at)? {
                    revoke_replayed(
                        conn,
                        &token.grant_id,
                        &token.account_id,
                        &app,
                        "refresh_token_reused",
                        &ip,
                    )?;
                    return refuse(TokenError::InvalidGrant(
                        "The refresh token was already used; the sign-in is revoked.",
                    ));
                }
                if token.expires_at <= at {
                    return refuse(TokenError::InvalidGrant("The refresh token has expired."));
                }
                let account = accounts::find(conn, &token.account_id)?;
                if !can_sign_in(account.as_ref()) {
                    grants::revoke_grant(conn, &token.grant_id, at)?;
                    return refuse(TokenError::InvalidGrant("The account can no longer sign in."));
                }
                let account = account.expect("checked");
                let minted = mint(
                    conn,
                    &app,
                    &token.grant_id,
                    &account.id,
                    &token.scope,
                    token.auth_time,
                    at,
                )?;
                let profile = profile(conn, &app, account)?;
                Ok(Step::Issued {
                    minted,
                    profile: Box::new(profile),
                    scope: token.scope,
                    auth_time: token.auth_time,
                    nonce: None,
                })
            })
            .map_err(AppError::from)
        })
        .await?;
    Ok(step)
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
        let account = accounts::find(conn, &token.account_id)?;
        if !can_sign_in(account.as_ref()) {
            return Ok(None);
        }
        let Some(app) = applications::find(conn, &token.application_id)? else { return Ok(None) };
        let p = profile(conn, &app, account.expect("checked"))?;
        let scopes: Vec<&str> = token.scope.split(' ').collect();
        let mut out = Map::new();
        out.insert("sub".into(), json!(p.account.id));
        if scopes.contains(&"email") {
            out.insert("email".into(), json!(p.account.email));
            out.insert("email_verified".into(), json!(true));
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
