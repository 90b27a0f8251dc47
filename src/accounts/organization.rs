//! Settings pages (General, Password policy, Self-registration, Links): saving one page's
//! values, in effect at once (every use case reads the settings row when it runs), with an
//! audit event of before → after.

use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::settings::{self, Settings};
use crate::db::{Db, now};
use crate::domain::settings::Change;
use crate::error::AppError;

pub async fn current(db: &Db) -> Result<Settings, AppError> {
    db.run(|c| Ok(settings::load(c)?)).await
}

/// Saves the page's values; false when they were already these.
pub async fn update(db: &Db, actor: Actor, change: Change) -> Result<bool, AppError> {
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let before = settings::load(conn)?.current(&change);
            if before == change {
                return Ok(false);
            }
            settings::apply(conn, &change, now())?;
            audit::record(
                conn,
                &actor,
                change.action(),
                None,
                json!({ "before": before, "after": change }),
            )?;
            Ok::<_, diesel::result::Error>(true)
        })
        .map_err(AppError::from)
    })
    .await
}
