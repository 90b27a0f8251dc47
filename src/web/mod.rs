//! HTTP glue: routes by area. Handlers extract, parse, call one use case, render or redirect.

pub mod auth;
pub mod changes;
pub mod console;
pub mod cors;
pub mod csrf;
pub mod duration;
pub mod flash;
pub mod form;
pub mod frame;
pub mod myaccount;
pub mod oidc;
pub mod own_security;
pub mod password_policy;
pub mod profile_fields;
pub mod render;
pub mod reveal;
pub mod session_store;
pub mod setup;
pub mod signin;
pub mod static_files;
/// The route paths, for the handlers (`domain::urls`: mail builds links with them too).
pub use crate::domain::urls;

use actix_web::{HttpRequest, web};

use crate::db::Db;
use crate::domain::clock::At;
use crate::domain::clock::Clock;
use crate::domain::format::{Stamp, Zone};
use crate::domain::net::{Cidr, client_address};
use crate::mail::{Links, Outbox};
use crate::passwords::Hasher;

/// What every handler may need, shared by all workers.
pub struct AppState {
    pub db: Db,
    pub hasher: Hasher,
    /// `https://id.example.com` — every link we print or send starts with it.
    pub base_url: String,
    /// The base URL's origin: the only `Origin` a state-changing request may come from.
    pub origin: String,
    /// SHA-256 of the first-run setup token, while the organization has no owner.
    pub setup_token_hash: Option<String>,
    /// Per client address: failed sign-ins and guessed links (`accounts::throttle`).
    pub sign_in_throttle: crate::accounts::throttle::Throttle,
    /// Per client address: forms that email an address the visitor names (forgot password,
    /// registration, resending a verification link), so no one can mail-bomb through us.
    pub mail_throttle: crate::accounts::throttle::Throttle,
    /// Wakes the mail worker after a transaction queued email.
    pub outbox: Outbox,
    pub links: Links,
    /// An SMTP server is configured: invitations can be emailed (otherwise only copied).
    pub smtp_available: bool,
    pub groups: crate::accounts::groups::GroupDirectory,
    /// Signs the stateless CSRF tokens of pages shown before sign-in.
    pub csrf_key: csrf::CsrfKey,
    /// The ID-token signing keys: their seal (derived from the session secret) and those opened.
    pub keys: crate::accounts::signing_keys::Keys,
    /// Seals a value shown once while it waits in the session (`reveal`).
    pub reveal_seal: crate::domain::signing::SealKey,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<Cidr>,
    /// The time of timed locks.
    pub clock: Clock,
    /// The organization's name and time zone as every page shows them, so pages need no query
    /// for them: read at start, replaced when Settings > General saves new ones, and read again
    /// every few seconds for a change saved through another process (`startup`).
    pub org: std::sync::RwLock<OrgShown>,
}

pub struct OrgShown {
    pub name: String,
    pub zone: Zone,
    /// Changes made through this process: a refresh whose read began before one is stale.
    pub changes: u64,
}

impl OrgShown {
    pub fn new(name: String, zone: Zone) -> Self {
        Self { name, zone, changes: 0 }
    }
}

pub type State = web::Data<AppState>;

/// Makes and opens the signing keys in the background, so the first token request does not
/// wait for them (see `signing_keys::prepare`).
pub fn prepare_keys(state: &State) {
    let state = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = crate::accounts::signing_keys::prepare(&state.db, &state.keys).await {
            tracing::error!("preparing the signing keys: {e}");
        }
    });
}

impl AppState {
    fn shown(&self) -> std::sync::RwLockReadGuard<'_, OrgShown> {
        self.org.read().unwrap_or_else(|p| p.into_inner())
    }

    fn change_shown(&self) -> std::sync::RwLockWriteGuard<'_, OrgShown> {
        self.org.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn org_name(&self) -> String {
        self.shown().name.clone()
    }

    pub fn set_org_name(&self, name: &str) {
        let mut org = self.change_shown();
        org.name = name.to_owned();
        org.changes += 1;
    }

    pub fn zone(&self) -> Zone {
        self.shown().zone
    }

    pub fn set_zone(&self, zone: Zone) {
        let mut org = self.change_shown();
        org.zone = zone;
        org.changes += 1;
    }

    /// How many changes this process has made to what it shows (see `refresh_org`).
    pub fn org_changes(&self) -> u64 {
        self.shown().changes
    }

    /// Shows the name and zone read from the database, unless this process changed them since
    /// `changes` (when the read began): then the read may predate that change.
    pub fn refresh_org(&self, changes: u64, name: &str, zone: Zone) {
        let mut org = self.change_shown();
        if org.changes == changes {
            org.name = name.to_owned();
            org.zone = zone;
        }
    }

    /// A UTC time as the organization reads it.
    pub fn stamp(&self, t: &At) -> Stamp {
        self.zone().stamp(t)
    }

    /// What the use cases need, borrowed from the shared state.
    pub fn services(&self) -> crate::accounts::Services<'_> {
        crate::accounts::Services {
            db: &self.db,
            hasher: &self.hasher,
            outbox: &self.outbox,
            links: &self.links,
            smtp_available: self.smtp_available,
            clock: &self.clock,
        }
    }
}

/// The client's address: the TCP peer, or, when the peer is a configured trusted proxy, the
/// address it forwarded for. `X-Forwarded-For` from anyone else is ignored: any client can
/// write it.
pub fn client_ip(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else { return String::new() };
    let trusted = req.app_data::<State>().map(|s| s.trusted_proxies.as_slice()).unwrap_or(&[]);
    if trusted.is_empty() {
        return peer.to_string();
    }
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    client_address(peer, forwarded, trusted).to_string()
}

/// The two areas' session layers (separate cookies and stores).
#[derive(Clone)]
pub struct Sessions {
    pub console: session_store::SessionLayer,
    pub myaccount: session_store::SessionLayer,
}

pub fn routes(cfg: &mut web::ServiceConfig, sessions: Sessions) {
    cfg.service(static_files::scope())
        .service(setup::scope())
        .service(console::scope(sessions.console))
        .service(myaccount::scope(sessions.myaccount))
        .service(oidc::scope())
        .route(urls::DISCOVERY, web::get().to(oidc::discovery))
        .route(urls::FAVICON, web::get().to(static_files::favicon))
        .route("/", web::get().to(console::to_console))
        .default_service(web::to(frame::not_found));
}
