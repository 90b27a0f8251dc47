//! actix-session's `SessionStore` over the `sessions` table. The cookie holds a random key; the
//! row is found by its SHA-256. Idle and absolute timeouts are enforced here, on load, so an
//! expired session is gone whatever the cookie says.

use std::collections::HashMap;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Key, SameSite};
use chrono::Duration;

use crate::db::accounts::{self, AccountSummary};
use crate::db::ids::{AccountId, PublicId};
use crate::db::sessions::{self, NewSession, SessionOwner};
use crate::db::{Db, now};
use crate::domain::clock::At;
use crate::domain::token::{hash_token, random_token};

/// Session-state keys the store copies into columns (so sessions can be listed and revoked).
/// The account is named by its public id; the column holds its key.
pub const KEY_ACCOUNT: &str = "account_id";
pub const KEY_USER_AGENT: &str = "user_agent";
pub const KEY_IP: &str = "ip";
/// When the account signed in (Unix seconds): `max_age` and `auth_time` of the provider.
pub const KEY_AUTH_TIME: &str = "auth_time";
/// Not stored: `load` puts the session's account here, fresh from the same query, and
/// `save`/`update` leave it out. See `web::auth::session_account`.
pub const KEY_LOADED_ACCOUNT: &str = "_account";
/// Not stored either: the hash the session was found under, so a page can tell "this
/// device" among the account's sessions.
pub const KEY_LOADED_ID_HASH: &str = "_id_hash";

/// `last_seen_at` is written at most this often, so reading pages does not turn into a write
/// per request.
const TOUCH_EVERY: Duration = Duration::seconds(60);

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    scope: &'static str,
    idle: Duration,
    absolute: Duration,
}

impl DbSessionStore {
    pub fn new(db: Db, scope: &'static str, idle: Duration, absolute: Duration) -> Self {
        Self { db, scope, idle, absolute }
    }
}

/// Values in actix-session's state are JSON; ours are strings.
fn state_str(state: &HashMap<String, String>, key: &str) -> Option<String> {
    state.get(key).and_then(|v| serde_json::from_str::<String>(v).ok())
}

struct Owner {
    /// The account's public id, as the state names it.
    account: Option<String>,
    /// Its key, when the account loaded with the session is that one (no query then).
    loaded_key: Option<AccountId>,
    user_agent: String,
    ip: String,
}

/// Who the state says the session belongs to. `state` still holds the account loaded with
/// the session (`KEY_LOADED_ACCOUNT`), if any.
fn owner_of(state: &HashMap<String, String>) -> Owner {
    let account = state_str(state, KEY_ACCOUNT);
    let loaded = state
        .get(KEY_LOADED_ACCOUNT)
        .and_then(|json| serde_json::from_str::<AccountSummary>(json).ok());
    let loaded_key = loaded
        .filter(|a| account.as_deref() == Some(a.public_id.to_string().as_str()))
        .map(|a| a.id);
    Owner {
        account,
        loaded_key,
        user_agent: state_str(state, KEY_USER_AGENT).unwrap_or_default(),
        ip: state_str(state, KEY_IP).unwrap_or_default(),
    }
}

impl Owner {
    /// The key of the account the state names by public id (none if it names nothing): the
    /// loaded account's, or looked up (a sign-in, which names a new account).
    fn account_key(&self, conn: &mut crate::db::Conn) -> diesel::QueryResult<Option<AccountId>> {
        if self.loaded_key.is_some() {
            return Ok(self.loaded_key);
        }
        match self.account.as_deref().and_then(PublicId::parse) {
            Some(public_id) => accounts::key_of(conn, public_id),
            None => Ok(None),
        }
    }
}

fn expired(row: &sessions::StoredSession, at: At) -> bool {
    at >= row.idle_expires_at || at >= row.absolute_expires_at
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id_hash = hash_token(key.as_ref());
        let loaded_id_hash =
            serde_json::to_string(&id_hash).map_err(|e| LoadError::Other(e.into()))?;
        let (scope, idle) = (self.scope, self.idle);
        let loaded = self
            .db
            .run(move |conn| {
                let Some((row, account)) = sessions::find(conn, &id_hash, scope)? else {
                    return Ok(None);
                };
                let at = now();
                if expired(&row, at) {
                    sessions::delete(conn, &id_hash)?;
                    return Ok(None);
                }
                if at - row.last_seen_at >= TOUCH_EVERY {
                    sessions::touch(conn, &id_hash, at, at + idle)?;
                }
                Ok(Some((row.state, account)))
            })
            .await
            .map_err(|e| LoadError::Other(anyhow::anyhow!("{e}")))?;
        let Some((state, account)) = loaded else { return Ok(None) };
        let mut state: HashMap<String, String> =
            serde_json::from_str(&state).map_err(|e| LoadError::Deserialization(e.into()))?;
        if let Some(account) = account {
            let json = serde_json::to_string(&account).map_err(|e| LoadError::Other(e.into()))?;
            state.insert(KEY_LOADED_ACCOUNT.to_owned(), json);
        }
        state.insert(KEY_LOADED_ID_HASH.to_owned(), loaded_id_hash);
        Ok(Some(state))
    }

    async fn save(
        &self,
        mut state: HashMap<String, String>,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let owner = owner_of(&state);
        state.remove(KEY_LOADED_ACCOUNT);
        state.remove(KEY_LOADED_ID_HASH);
        let key = random_token();
        let id_hash = hash_token(&key);
        let body = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let (scope, idle, absolute) = (self.scope, self.idle, self.absolute);
        self.db
            .run(move |conn| {
                let at = now();
                let account_id = owner.account_key(conn)?;
                sessions::insert(
                    conn,
                    &NewSession {
                        id_hash: &id_hash,
                        scope,
                        account_id,
                        state: &body,
                        user_agent: &owner.user_agent,
                        ip: &owner.ip,
                        created_at: at,
                        last_seen_at: at,
                        idle_expires_at: at + idle,
                        absolute_expires_at: at + absolute,
                    },
                )?;
                Ok(())
            })
            .await
            .map_err(|e| SaveError::Other(anyhow::anyhow!("{e}")))?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let owner = owner_of(&state);
        state.remove(KEY_LOADED_ACCOUNT);
        state.remove(KEY_LOADED_ID_HASH);
        let id_hash = hash_token(key.as_ref());
        let body =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let idle = self.idle;
        let updated = self
            .db
            .run(move |conn| {
                let at = now();
                let account_id = owner.account_key(conn)?;
                let changes = SessionOwner {
                    account_id: Some(account_id),
                    user_agent: Some(&owner.user_agent)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.as_str()),
                    ip: Some(&owner.ip).filter(|s| !s.is_empty()).map(|s| s.as_str()),
                };
                Ok(sessions::update_state(conn, &id_hash, &body, &changes, at, at + idle)?)
            })
            .await
            .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")))?;
        if updated == 0 {
            // The row was deleted while this request ran (terminated, locked, signed out,
            // expired): start afresh, but never for its account — that would undo the ending.
            for key in [KEY_ACCOUNT, KEY_USER_AGENT, KEY_IP] {
                state.remove(key);
            }
            return self.save(state, ttl).await.map_err(|e| UpdateError::Other(e.into()));
        }
        Ok(key)
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        _ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        let id_hash = hash_token(key.as_ref());
        let idle = self.idle;
        self.db
            .run(move |conn| {
                let at = now();
                sessions::touch(conn, &id_hash, at, at + idle)?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let id_hash = hash_token(key.as_ref());
        self.db
            .run(move |conn| {
                sessions::delete(conn, &id_hash)?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// What is needed to build one area's session middleware in each worker: the console and My
/// Account each have their own cookie, path and store scope.
#[derive(Clone)]
pub struct SessionLayer {
    pub store: DbSessionStore,
    pub key: Key,
    pub secure: bool,
    pub cookie: &'static str,
    pub path: &'static str,
    pub same_site: SameSite,
}

impl SessionLayer {
    pub fn middleware(&self) -> SessionMiddleware<DbSessionStore> {
        SessionMiddleware::builder(self.store.clone(), self.key.clone())
            .cookie_name(self.cookie.to_owned())
            .cookie_path(self.path.to_owned())
            .cookie_http_only(true)
            .cookie_secure(self.secure)
            .cookie_same_site(self.same_site)
            .cookie_content_security(CookieContentSecurity::Signed)
            // A browser-session cookie; expiry (idle and absolute) is enforced by the store.
            .session_lifecycle(BrowserSession::default())
            .build()
    }
}
