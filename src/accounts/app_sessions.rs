//! A customer's sign-ins to applications, as the Sessions tab lists them beside My Account's:
//! which application, since when, last used; **Terminate** revokes that sign-in's tokens.

use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::ids::AccountId;
use crate::db::{Conn, Db, accounts, applications, grants, now};
use crate::domain::clock::At;
use crate::error::AppError;

pub struct AppSession {
    pub grant_id: String,
    pub application: String,
    pub signed_in: At,
    pub last_used: At,
}

/// Read with the rest of the customer page, in the same trip to the database.
pub fn live(c: &mut Conn, account_id: AccountId) -> diesel::QueryResult<Vec<AppSession>> {
    let live = grants::live_of_account(c, account_id, now())?;
    if live.is_empty() {
        return Ok(Vec::new());
    }
    let apps = applications::all(c)?;
    Ok(live
        .into_iter()
        .map(|g| AppSession {
            application: apps
                .iter()
                .find(|a| a.id == g.application_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            grant_id: g.grant_id,
            signed_in: g.signed_in,
            last_used: g.last_used,
        })
        .collect())
}

/// Ends one sign-in to an application; returns how many tokens were revoked (0: it had ended).
pub async fn terminate(
    db: &Db,
    actor: Actor,
    account_id: &str,
    grant_id: &str,
) -> Result<usize, AppError> {
    let (id, grant) = (account_id.to_owned(), grant_id.to_owned());
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let account = accounts::find_customer(conn, &id)?;
            // Only this customer's grant: another's id is treated as unknown.
            let Some((owner, app_id)) = grants::owner_of_grant(conn, &grant)? else { return Ok(0) };
            if owner != account.id {
                return Ok(0);
            }
            let revoked = grants::revoke_grant(conn, &grant, now())?;
            if revoked > 0 {
                let app = applications::find(conn, app_id)?.map(|a| a.name).unwrap_or_default();
                audit::record(
                    conn,
                    &actor,
                    "tokens.revoked",
                    Some((&id, &account.email)),
                    json!({ "application": app, "reason": "terminated", "tokens": revoked }),
                )?;
            }
            Ok::<_, diesel::result::Error>(revoked)
        })
        .map_err(AppError::from)
    })
    .await
}
