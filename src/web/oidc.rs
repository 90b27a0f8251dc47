//! The OpenID Connect provider's endpoints that need no session: the published signing keys
//! (JWKS). (Discovery, authorization, token, userinfo, revocation and logout come with the
//! sign-in flow.)

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::{State, urls};
use crate::accounts::signing_keys;
use crate::error::AppError;

pub fn scope() -> actix_web::Scope {
    web::scope(urls::OIDC).route("/jwks", web::get().to(jwks))
}

/// The public keys relying parties verify ID tokens with. Cached briefly: a rotation publishes
/// the new key before it signs anything.
pub async fn jwks(state: State) -> Result<HttpResponse, AppError> {
    let keys = signing_keys::jwks(&state.db, &state.seal_key).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/jwk-set+json")
        .body(keys.to_string()))
}
