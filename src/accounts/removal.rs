//! Delete User: irreversible. The account and everything that hangs on it — attribute values,
//! memberships (group counts follow), sessions, links, replay keys and every email to it — go
//! in one transaction; the email address is free again at once. The audit trail keeps that it
//! happened: who deleted whom, when, with the email and name as they were, nothing more.

use serde_json::json;

use crate::db::accounts::{self, Account};
use crate::db::audit::{self, Actor};
use crate::db::{Db, groups, outbox};
use crate::error::AppError;

pub struct Deleted {
    pub email: String,
    pub name: String,
}

pub async fn delete_customer(db: &Db, actor: Actor, account_id: &str) -> Result<Deleted, AppError> {
    let id = account_id.to_owned();
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let account: Account = accounts::find_customer(conn, &id)?;
            groups::leave_all(conn, account.id)?;
            // Sent ones too: the outbox would otherwise keep their address and name.
            outbox::delete_for_account(conn, account.id)?;
            accounts::delete(conn, account.id)?;
            let name = format!("{} {}", account.first_name, account.last_name).trim().to_owned();
            audit::record(
                conn,
                &actor,
                "account.deleted",
                Some((&id, &account.email)),
                json!({ "name": name }),
            )?;
            Ok::<_, diesel::result::Error>(Deleted { email: account.email, name })
        })
        .map_err(AppError::from)
    })
    .await
}
