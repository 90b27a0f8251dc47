//! Token revocation (RFC 7009): an application gives back an access or refresh token it holds.
//! A refresh token takes its whole grant with it (the access tokens it issued too). The answer
//! is the same whether or not the token existed, so it tells a caller nothing.

use serde_json::json;

use super::token::{ClientCredentials, TokenError, authenticate};
use crate::db::audit::{self, Actor};
use crate::db::grants::{self, TokenKind};
use crate::db::{Db, accounts, now};
use crate::domain::token::hash_token;
use crate::error::AppError;

pub async fn revoke(
    db: &Db,
    client: &ClientCredentials,
    token: &str,
    ip: &str,
) -> Result<(), TokenError> {
    let app = authenticate(db, client).await?;
    if token.is_empty() {
        return Err(TokenError::InvalidRequest("token is missing."));
    }
    let (hash, ip) = (hash_token(token), ip.to_owned());
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            // Another application's token is left alone (and the answer is the same).
            let Some(t) = grants::find_any_token(conn, &hash)?.filter(|t| t.application_id == app.id)
            else {
                return Ok(());
            };
            let at = now();
            let revoked = match TokenKind::parse(&t.kind) {
                Some(TokenKind::Refresh) => grants::revoke_grant(conn, &t.grant_id, at)?,
                _ => usize::from(grants::revoke_token(conn, &hash, at)?),
            };
            if revoked > 0 {
                let account = accounts::find(conn, t.account_id)?;
                let (public_id, email) = account
                    .map(|a| (a.public_id.to_string(), a.email))
                    .unwrap_or_default();
                audit::record(
                    conn,
                    &Actor::anonymous(&ip).named(&app.name),
                    "tokens.revoked",
                    Some((&public_id, &email)),
                    json!({ "application": app.name, "reason": "revoked_by_application", "tokens": revoked }),
                )?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .map_err(AppError::from)
    })
    .await?;
    Ok(())
}
