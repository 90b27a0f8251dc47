//! The provider's token endpoint, free of HTTP (what tokens say: `claims`). Clients authenticate with their
//! secret (confidential) or not at all (public, bound by PKCE). A code is exchanged once, within
//! a minute, with the same redirect URI and the PKCE verifier; a second exchange revokes what
//! the first issued. Refresh tokens rotate on every use; a used one presented again revokes the
//! whole grant. Tokens are random strings stored as hashes; only ID tokens are signed. Nothing
//! is issued for an account that can no longer sign in.

use chrono::Duration;
use serde_json::json;

use super::claims::{Profile, id_token, profile};
use super::signing_keys;
use crate::db::accounts::{self, Account};
use crate::db::applications::{self, Application};
use crate::db::audit::{self, Actor};
use crate::db::grants::{self, Token, TokenKind};
use crate::db::ids::AccountId;
use crate::db::{Conn, Db, now};
use crate::domain::account::{Kind, Status};
use crate::domain::application::ClientType;
use crate::domain::clock::At;
use crate::domain::oidc::pkce_matches;
use crate::domain::signing::Algorithm;
use crate::domain::token::{hash_token, random_token, secrets_equal};
use crate::error::AppError;

/// ID tokens signed at once: one per core (see `exchange`).
static SIGNING_TURNS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });

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
pub(crate) fn can_sign_in(account: Option<&Account>) -> bool {
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
    account_id: AccountId,
    scope: &str,
    auth_time: At,
    at: At,
) -> diesel::QueryResult<Minted> {
    let access = random_token();
    let row = |hash: String, kind: TokenKind, expires_at: At| Token {
        token_hash: hash,
        kind: kind.as_str().to_owned(),
        grant_id: grant_id.to_owned(),
        application_id: app.id,
        account_id,
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

/// Revokes a grant that was replayed, and says so in the audit trail.
fn revoke_replayed(
    conn: &mut Conn,
    grant_id: &str,
    account_id: AccountId,
    app: &Application,
    reason: &str,
    ip: &str,
) -> diesel::QueryResult<()> {
    let revoked = grants::revoke_grant(conn, grant_id, now())?;
    let (public_id, email) = accounts::find(conn, account_id)?
        .map(|a| (a.public_id.to_string(), a.email))
        .unwrap_or_default();
    audit::record(
        conn,
        &Actor::anonymous(ip).named(&app.name),
        "tokens.revoked",
        Some((&public_id, &email)),
        json!({ "application": app.name, "reason": reason, "tokens": revoked }),
    )
}

/// The outcome of the database part of an exchange.
enum Step {
    Issued {
        minted: Minted,
        profile: Box<Profile>,
        scope: String,
        auth_time: At,
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
    // Signing (RSA above all) is CPU work: off the async workers, and one per core at a time,
    // first come first served. Unbounded, every waiting request signed at once on threads of
    // its own and all of them finished late (bench/HISTORY.md: the code exchange's p99 at 16
    // clients 26–29 → 21–24 ms, the same throughput).
    let (issuer, app2, scope2, access) =
        (issuer.to_owned(), app.clone(), scope.clone(), minted.access.clone());
    let _turn = SIGNING_TURNS.acquire().await.map_err(AppError::internal)?;
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
                    revoke_replayed(conn, &code.grant_id, code.account_id, &app, "code_reused", &ip)?;
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
                let account = accounts::find(conn, code.account_id)?;
                if !can_sign_in(account.as_ref()) {
                    return refuse(TokenError::InvalidGrant("The account can no longer sign in."));
                }
                let account = account.expect("checked");
                let minted = mint(conn, &app, &code.grant_id, account.id, &code.scope, code.auth_time, at)?;
                audit::record(
                    conn,
                    &Actor::account(account.id, account.public_id, &account.email, &ip).named(&account.display_name()),
                    "application.tokens_issued",
                    Some((&account.public_id.to_string(), &account.email)),
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
                        token.account_id,
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
                let account = accounts::find(conn, token.account_id)?;
                if !can_sign_in(account.as_ref()) {
                    grants::revoke_grant(conn, &token.grant_id, at)?;
                    return refuse(TokenError::InvalidGrant("The account can no longer sign in."));
                }
                let account = account.expect("checked");
                let minted = mint(
                    conn,
                    &app,
                    &token.grant_id,
                    account.id,
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
