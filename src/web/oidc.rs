//! The OpenID Connect provider's endpoints that need no session: discovery, the published
//! signing keys (JWKS), the token endpoint and userinfo. (The authorization endpoint is My
//! Account's: `web::myaccount::authorize`.) Answers are JSON and never cached, but for the keys
//! and the metadata.

use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AuthUrl, IssuerUrl, JsonWebKeySetUrl, ProviderMetadata, ResponseTypes, Scope, TokenUrl,
    UserInfoUrl,
};

use super::{State, client_ip, urls};
use crate::accounts::token::{self, ClientCredentials, TokenError, TokenRequest};
use crate::accounts::{claims, revocation, signing_keys};
use crate::error::AppError;
use crate::web::form::Pairs;

pub fn scope() -> actix_web::Scope {
    web::scope(urls::OIDC)
        .route("/jwks", web::get().to(jwks))
        .route("/token", web::post().to(token_endpoint))
        .route("/revoke", web::post().to(revoke))
        .route("/userinfo", web::get().to(userinfo))
        .route("/userinfo", web::post().to(userinfo))
}

/// Metadata beyond the core set: PKCE methods, the `iss` response parameter (RFC 9207) and
/// token revocation (RFC 7009), RP-initiated logout.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct ExtraMetadata {
    code_challenge_methods_supported: Vec<String>,
    authorization_response_iss_parameter_supported: bool,
    revocation_endpoint: String,
    revocation_endpoint_auth_methods_supported: Vec<String>,
    end_session_endpoint: String,
}

impl openidconnect::AdditionalProviderMetadata for ExtraMetadata {}

type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

fn metadata(base: &str) -> Result<Metadata, AppError> {
    let url = |path: &str| format!("{base}{path}");
    let bad = |e: openidconnect::url::ParseError| AppError::internal(e);
    let claims = [
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "azp",
        "at_hash",
        "email",
        "email_verified",
        "given_name",
        "family_name",
        "groups",
    ];
    Ok(Metadata::new(
        IssuerUrl::new(base.to_owned()).map_err(bad)?,
        AuthUrl::new(url(urls::MYACCOUNT_AUTHORIZE)).map_err(bad)?,
        JsonWebKeySetUrl::new(url(urls::OIDC_JWKS)).map_err(bad)?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, CoreJwsSigningAlgorithm::EdDsa],
        ExtraMetadata {
            code_challenge_methods_supported: vec!["S256".into()],
            authorization_response_iss_parameter_supported: true,
            revocation_endpoint: url(urls::OIDC_REVOKE),
            revocation_endpoint_auth_methods_supported: vec![
                "client_secret_basic".into(),
                "client_secret_post".into(),
                "none".into(),
            ],
            end_session_endpoint: url(urls::MYACCOUNT_END_SESSION),
        },
    )
    .set_token_endpoint(Some(TokenUrl::new(url(urls::OIDC_TOKEN)).map_err(bad)?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(url(urls::OIDC_USERINFO)).map_err(bad)?))
    .set_scopes_supported(Some(
        ["openid", "email", "profile", "groups", "offline_access"]
            .map(|s| Scope::new(s.into()))
            .to_vec(),
    ))
    .set_grant_types_supported(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
    ]))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query]))
    .set_token_endpoint_auth_methods_supported(Some(vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
        CoreClientAuthMethod::None,
    ]))
    .set_claims_supported(Some(claims.map(|c| CoreClaimName::new(c.into())).to_vec())))
}

fn json(status: StatusCode, body: &serde_json::Value, cache: &'static str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, cache))
        .content_type("application/json")
        .body(body.to_string())
}

/// `/.well-known/openid-configuration`.
pub async fn discovery(state: State) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_value(metadata(&state.base_url)?).map_err(AppError::internal)?;
    Ok(json(StatusCode::OK, &body, "public, max-age=300"))
}

/// The public keys relying parties verify ID tokens with. Cached briefly: a rotation publishes
/// the new key before it signs anything.
pub async fn jwks(state: State) -> Result<HttpResponse, AppError> {
    let keys = signing_keys::jwks(&state.db, &state.keys).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/jwk-set+json")
        .body(keys.to_string()))
}

/// HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-urlencoded).
fn basic_credentials(req: &HttpRequest) -> Option<ClientCredentials> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| -> Option<String> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()?
            .pop()
            .map(|(_, v)| v)
    };
    Some(ClientCredentials { client_id: unescape(id)?, secret: Some(unescape(secret)?) })
}

fn token_error(e: &TokenError, basic: bool) -> HttpResponse {
    if let TokenError::Other(inner) = e {
        tracing::error!(error = %inner, "token endpoint failed");
    }
    let body = serde_json::json!({ "error": e.code(), "error_description": e.description() });
    let status = match e {
        TokenError::InvalidClient => StatusCode::UNAUTHORIZED,
        TokenError::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut res = json(status, &body, "no-store");
    if basic && status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"roster\""),
        );
    }
    res
}

/// The client's credentials from HTTP Basic or the form (one way only, RFC 6749 §2.3), or the
/// error to answer with.
fn credentials(
    req: &HttpRequest,
    p: &mut Pairs,
) -> Result<(ClientCredentials, bool), (TokenError, bool)> {
    let basic = basic_credentials(req);
    let form_id = p.take("client_id");
    let form_secret = p.take("client_secret");
    let client = match (&basic, form_secret.is_empty()) {
        (Some(_), false) => {
            let e = TokenError::InvalidRequest("Use one client authentication method.");
            return Err((e, true));
        }
        (Some(b), true) if !form_id.is_empty() && form_id != b.client_id => {
            return Err((TokenError::InvalidClient, true));
        }
        (Some(b), true) => b.clone(),
        (None, true) => ClientCredentials { client_id: form_id, secret: None },
        (None, false) => ClientCredentials { client_id: form_id, secret: Some(form_secret) },
    };
    Ok((client, basic.is_some()))
}

/// `POST /oidc/token`: the authorization code and refresh token grants.
pub async fn token_endpoint(state: State, body: Bytes, req: HttpRequest) -> HttpResponse {
    let Ok(mut p) = Pairs::parse(&body) else {
        return token_error(&TokenError::InvalidRequest("The body is not a form."), false);
    };
    let (client, basic) = match credentials(&req, &mut p) {
        Ok(c) => c,
        Err((e, basic)) => return token_error(&e, basic),
    };
    let request = TokenRequest {
        grant_type: p.take("grant_type"),
        code: p.take("code"),
        redirect_uri: p.take("redirect_uri"),
        code_verifier: p.take("code_verifier"),
        refresh_token: p.take("refresh_token"),
        client,
    };
    // Other parameters (scope on refresh, resource…) are ignored, as RFC 6749 allows.
    let ip = client_ip(&req);
    match token::exchange(&state.db, &state.keys, &state.base_url, request, &ip).await {
        Ok(issued) => {
            let mut body = serde_json::json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            });
            if let Some(r) = issued.refresh_token {
                body["refresh_token"] = r.into();
            }
            if let Some(t) = issued.id_token {
                body["id_token"] = t.into();
            }
            let mut res = json(StatusCode::OK, &body, "no-store");
            res.headers_mut().insert(header::PRAGMA, header::HeaderValue::from_static("no-cache"));
            res
        }
        Err(e) => token_error(&e, basic),
    }
}

/// `POST /oidc/revoke` (RFC 7009): 200 with an empty body whether or not the token existed.
pub async fn revoke(state: State, body: Bytes, req: HttpRequest) -> HttpResponse {
    let Ok(mut p) = Pairs::parse(&body) else {
        return token_error(&TokenError::InvalidRequest("The body is not a form."), false);
    };
    let (client, basic) = match credentials(&req, &mut p) {
        Ok(c) => c,
        Err((e, basic)) => return token_error(&e, basic),
    };
    let token = p.take("token");
    match revocation::revoke(&state.db, &client, &token, &client_ip(&req)).await {
        Ok(()) => HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).finish(),
        Err(e) => token_error(&e, basic),
    }
}

/// `GET|POST /oidc/userinfo` with a Bearer access token: in the header, or in a POST's form
/// (RFC 6750 §2.1, §2.2).
pub async fn userinfo(state: State, body: Bytes, req: HttpRequest) -> HttpResponse {
    let in_form = Pairs::parse(&body).ok().map(|mut p| p.take("access_token"));
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or(in_form)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let refuse = |error: &'static str| {
        let mut res =
            json(StatusCode::UNAUTHORIZED, &serde_json::json!({ "error": error }), "no-store");
        let challenge =
            if error == "invalid_token" { "Bearer error=\"invalid_token\"" } else { "Bearer" };
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(challenge));
        res
    };
    let Some(token) = bearer else { return refuse("invalid_request") };
    match claims::userinfo(&state.db, &token).await {
        Ok(Some(claims)) => json(StatusCode::OK, &claims, "no-store"),
        Ok(None) => refuse("invalid_token"),
        Err(e) => {
            tracing::error!(error = %e, "userinfo failed");
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &serde_json::json!({ "error": "server_error" }),
                "no-store",
            )
        }
    }
}
