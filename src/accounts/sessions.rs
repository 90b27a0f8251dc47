//! A customer's My Account sessions, as the console's Sessions tab and My Account > Security
//! show them, and ending them (Terminate, Terminate all; the customer's Sign out of one or of
//! all others): the row goes, so the session ends on its very next request.
//! Sessions are named in pages by a handle derived from the stored hash, never by the hash
//! itself (which is what a cookie is checked against).

use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::ids::AccountId;
use crate::db::sessions::{self, ListedSession};
use crate::db::{Conn, Db, accounts, now};
use crate::domain::clock::At;
use crate::domain::token::hash_token;
use crate::domain::user_agent;
use crate::error::AppError;

/// Which area's sessions: a customer's in My Account, or an administrator's in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    MyAccount,
    Console,
}

impl Area {
    /// The session store's scope of the area.
    pub fn scope(self) -> &'static str {
        match self {
            Self::MyAccount => "myaccount",
            Self::Console => "console",
        }
    }

    /// The area an account signs in to.
    pub fn of(account: &crate::db::accounts::Account) -> Self {
        match account.kind() {
            Some(crate::domain::account::Kind::Administrator) => Self::Console,
            _ => Self::MyAccount,
        }
    }
}

/// A session as the console shows it.
pub struct SessionView {
    pub handle: String,
    /// Browser and system in words.
    pub device: String,
    pub ip: String,
    pub signed_in: At,
    pub last_seen: At,
}

/// The name pages give the session stored under `id_hash`.
pub fn handle(id_hash: &str) -> String {
    hash_token(&format!("session handle|{id_hash}"))[..16].to_owned()
}

fn view(s: ListedSession) -> SessionView {
    SessionView {
        handle: handle(&s.id_hash),
        device: user_agent::describe(&s.user_agent),
        ip: s.ip,
        signed_in: s.created_at,
        last_seen: s.last_seen_at,
    }
}

/// The account's live sessions in `area`; read with the rest of its page.
pub fn live(
    c: &mut Conn,
    account_id: AccountId,
    area: Area,
) -> diesel::QueryResult<Vec<SessionView>> {
    Ok(sessions::of_account(c, account_id, area.scope(), now())?.into_iter().map(view).collect())
}

/// Which sessions to end.
pub enum Which<'a> {
    One(&'a str),
    All,
    /// All but this one (the customer's own current session).
    AllExcept(&'a str),
}

/// Ends one (by handle) or all of the account's sessions in `area` (a customer's in My Account,
/// an administrator's own in the console); returns how many ended.
pub async fn terminate(
    db: &Db,
    actor: Actor,
    account_id: &str,
    area: Area,
    which: Which<'_>,
) -> Result<usize, AppError> {
    let id = account_id.to_owned();
    let (one, keep) = match which {
        Which::One(h) => (Some(h.to_owned()), None),
        Which::All => (None, None),
        Which::AllExcept(h) => (None, Some(h.to_owned())),
    };
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let account = match area {
                Area::MyAccount => accounts::find_customer(conn, &id)?,
                Area::Console => accounts::find_public(conn, &id)?
                    .filter(|a| Area::of(a) == Area::Console)
                    .ok_or(diesel::result::Error::NotFound)?,
            };
            let live = sessions::of_account(conn, account.id, area.scope(), now())?;
            let targets: Vec<&ListedSession> = live
                .iter()
                .filter(|s| one.as_deref().is_none_or(|h| handle(&s.id_hash) == h))
                .filter(|s| keep.as_deref().is_none_or(|h| handle(&s.id_hash) != h))
                .collect();
            let mut ended = 0;
            for s in &targets {
                if sessions::delete_of_account(conn, &s.id_hash, account.id)? {
                    ended += 1;
                }
            }
            // Signing a customer out everywhere (or everywhere else) also ends their sign-ins to
            // applications: their tokens are revoked.
            let app_tokens = if one.is_none() && area == Area::MyAccount {
                crate::db::grants::revoke_account(conn, account.id, now())?
            } else {
                0
            };
            if ended > 0 || app_tokens > 0 {
                audit::record(
                    conn,
                    &actor,
                    "session.terminated",
                    Some((&id, &account.email)),
                    json!({ "sessions": ended, "all": one.is_none(), "kept_current": keep.is_some(),
                            "application_tokens_revoked": app_tokens }),
                )?;
            }
            Ok::<_, diesel::result::Error>(ended)
        })
        .map_err(AppError::from)
    })
    .await
}
