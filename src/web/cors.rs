//! Cross-origin access to the provider, for applications that run in the browser (single-page
//! applications): they read the discovery document and the keys, exchange codes, refresh, call
//! userinfo and revoke from their own origin.
//!
//! None of these endpoints reads a cookie: a client proves itself with a code and its PKCE
//! verifier, a secret or a bearer token. So a cross-origin call carries no ambient authority,
//! and the Origin check that guards the console's and My Account's forms (`frame`) lets them
//! through. The public metadata is open to every origin. The token, userinfo and revocation
//! endpoints answer only the origins of the registered redirect URIs of single-page / native
//! applications (what Keycloak calls web origins, derived as its "+" does), so a page anywhere
//! else cannot read their answers. No credentials mode: cookies are never part of it.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, body::MessageBody};

use super::{State, urls};
use crate::db::applications;
use crate::domain::application::{ClientType, origin_of};

/// The endpoints applications call with credentials of their own, never a cookie.
pub fn is_provider_api(path: &str) -> bool {
    matches!(path, urls::OIDC_TOKEN | urls::OIDC_USERINFO | urls::OIDC_REVOKE)
}

fn is_public_metadata(path: &str) -> bool {
    matches!(path, urls::DISCOVERY | urls::OIDC_JWKS)
}

/// Is `origin` where a registered single-page / native application's pages run?
async fn registered(state: &State, origin: &str) -> bool {
    let origin = origin.to_owned();
    let found = state
        .db
        .run(move |c| {
            Ok(applications::all(c)?.iter().any(|a| {
                a.client_type() == Some(ClientType::Public)
                    && a.redirect_uris().iter().any(|u| origin_of(u).as_deref() == Some(&origin))
            }))
        })
        .await;
    found.unwrap_or(false)
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path();
    let (public, api) = (is_public_metadata(path), is_provider_api(path));
    let origin = req.headers().get(header::ORIGIN).cloned();
    let Some(origin) = origin.filter(|_| public || api) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let allowed = if public {
        Some(HeaderValue::from_static("*"))
    } else {
        let state = req.app_data::<State>().cloned();
        match (state, origin.to_str()) {
            (Some(state), Ok(o)) if registered(&state, o).await => Some(origin.clone()),
            _ => None,
        }
    };
    let mut res = if req.method() == Method::OPTIONS {
        // The preflight: answered here, before routing (the routes take GET and POST only).
        let mut res = HttpResponse::NoContent().finish();
        if allowed.is_some() {
            let h = res.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type"),
            );
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        req.into_response(res)
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let h = res.headers_mut();
    if let Some(allowed) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    }
    if !public {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(res)
}
