//! Settings > Login security: the failed sign-in lockout policy. Changes are audited with
//! before → after.

use serde_json::json;

use super::FormError;
use crate::db::audit::{self, Actor};
use crate::db::{Db, now, settings};
use crate::domain::lockout::LockoutPolicy;
use crate::error::AppError;

pub async fn current(db: &Db) -> Result<LockoutPolicy, AppError> {
    db.run(|c| Ok(settings::load(c)?.lockout())).await
}

/// Saves the policy; returns false when nothing changed.
pub async fn update(
    db: &Db,
    actor: Actor,
    enabled: bool,
    attempts: &str,
    minutes: &str,
    factor: &str,
) -> Result<bool, FormError> {
    let policy =
        LockoutPolicy::parse(enabled, attempts, minutes, factor).map_err(FormError::Invalid)?;
    let changed = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let before = settings::load(conn)?.lockout();
                if before == policy {
                    return Ok(false);
                }
                settings::set_lockout(conn, &policy, now())?;
                audit::record(
                    conn,
                    &actor,
                    "settings.login_security_updated",
                    None,
                    json!({ "before": before, "after": policy }),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    Ok(changed)
}
