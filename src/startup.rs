//! Wiring: open the database, load the session secret, bind the listener (port 0 works), and
//! build the server. Tests call `Application::build` exactly as `roster serve` does.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration as StdDuration;

use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer};
use anyhow::Context;
use chrono::Duration;

use crate::accounts::throttle::{self, Throttle};
use crate::config::{
    Config, MIN_SESSION_SECRET_BYTES, SESSION_SECRET_VAR, origin_of, parse_base_url,
};
use crate::db::{self, Db, accounts, settings};
use crate::domain::token::{LinkKey, hash_token, random_token};
use crate::mail::transport::Transport;
use crate::mail::worker::Worker;
use crate::mail::{Links, Outbox};
use crate::passwords::Hasher;
use crate::web::csrf::CsrfKey;
use crate::web::session_store::{DbSessionStore, SessionLayer};
use crate::web::{self, AppState, frame, urls};
use actix_web::web::Data;

pub const SECRET_FILE: &str = "session_secret";

pub struct Application {
    port: u16,
    base_url: String,
    setup_url: Option<String>,
    db: Db,
    server: Server,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        config.validate()?;
        let db = Db::open(&config.data_dir)?;
        let secret = load_session_secret(&config)?;
        let key = Key::from(&secret);
        let listener = TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let addr = listener.local_addr()?;
        let base_url = match &config.base_url {
            Some(url) => parse_base_url(url)?,
            None => format!("http://{addr}"),
        };

        let (org, has_owner, has_applications) = {
            let mut conn = db.conn()?;
            (
                settings::load(&mut conn)?,
                accounts::owner_exists(&mut conn)?,
                db::applications::any(&mut conn)?,
            )
        };
        let setup_token = (!has_owner).then(random_token);
        let setup_url = setup_token.as_ref().map(|t| format!("{base_url}{}", urls::setup(t)));

        let links = Links { key: LinkKey::derive(&secret), base_url: base_url.clone() };
        let transport = match &config.mail.smtp_url {
            Some(url) => Transport::smtp(url, config.mail.send_timeout)?,
            None => Transport::files(config.data_dir.join("mail"))?,
        };
        let outbox = Outbox::default();
        let mail_line = format!("Email is sent {}", transport.describe());
        let smtp_available = transport.is_smtp();

        let state = Data::new(AppState {
            db: db.clone(),
            hasher: Hasher::new(config.argon2)?,
            origin: origin_of(&base_url),
            base_url: base_url.clone(),
            setup_token_hash: setup_token.as_deref().map(hash_token),
            sign_in_throttle: Throttle::new(db.clone(), config.clock.clone(), throttle::SIGN_IN),
            mail_throttle: Throttle::new(db.clone(), config.clock.clone(), throttle::MAIL),
            outbox: outbox.clone(),
            links: links.clone(),
            smtp_available,
            groups: Default::default(),
            csrf_key: CsrfKey::derive(&secret),
            keys: crate::accounts::signing_keys::Keys::new(
                crate::domain::signing::SealKey::derive(&secret),
            ),
            reveal_seal: crate::domain::signing::SealKey::for_purpose(
                &secret,
                web::reveal::PURPOSE,
            ),
            trusted_proxies: config.trusted_proxies.clone(),
            clock: config.clock.clone(),
            org: std::sync::RwLock::new(web::OrgShown::new(org.name.clone(), org.zone())),
        });
        let (idle, absolute) = (
            Duration::minutes(org.session_idle_minutes.into()),
            Duration::minutes(org.session_absolute_minutes.into()),
        );
        let secure = base_url.starts_with("https://");
        let sessions = web::Sessions {
            // Strict: the console is never entered from a link on another site.
            console: SessionLayer {
                store: DbSessionStore::new(db.clone(), "console", idle, absolute),
                key: key.clone(),
                secure,
                cookie: "roster_console",
                path: urls::CONSOLE,
                same_site: SameSite::Strict,
            },
            // Lax: customers arrive from emailed links and other sites' "My Account" buttons.
            myaccount: SessionLayer {
                store: DbSessionStore::new(db.clone(), "myaccount", idle, absolute),
                key,
                secure,
                cookie: "roster_myaccount",
                path: urls::MYACCOUNT,
                same_site: SameSite::Lax,
            },
        };

        if has_applications {
            web::prepare_keys(&state);
        }
        let background = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .configure(frame::configure_extractors)
                .configure(|cfg| web::routes(cfg, sessions.clone()))
                .wrap(from_fn(web::changes::only_listed))
                .wrap(from_fn(web::cors::cors))
                .wrap(Compress::default())
                .wrap(from_fn(frame::frame))
        })
        .listen(listener)?
        .run();

        spawn_sweeper(
            db.clone(),
            [background.sign_in_throttle.clone(), background.mail_throttle.clone()],
        );
        spawn_lock_expiry(db.clone(), config.clock.clone());
        spawn_settings_refresh(background);
        Worker { db: db.clone(), transport, outbox, config: config.mail.clone(), links }.spawn();
        tracing::info!("Roster is listening on {addr}; open {base_url}{}", urls::CONSOLE);
        tracing::info!("{mail_line}");
        match &setup_url {
            Some(url) => tracing::info!(
                "No owner yet. Create one at {url} (this link works until an owner exists), \
                 or run: roster create-owner --email you@example.com"
            ),
            None => tracing::info!("Sign in at {base_url}{}", urls::CONSOLE_LOGIN),
        }
        Ok(Self { port: addr.port(), base_url, setup_url, db, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The first-run link, while there is no owner.
    pub fn setup_url(&self) -> Option<&str> {
        self.setup_url.as_deref()
    }

    pub fn db(&self) -> Db {
        self.db.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Deletes expired sessions (loading one also deletes it if expired), the wizard's old
/// replay keys and the throttles' windows that are over, every few minutes.
fn spawn_sweeper(db: Db, throttles: [Throttle; 2]) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(StdDuration::from_secs(300));
        loop {
            tick.tick().await;
            let swept = db
                .run(|c| {
                    let at = db::now();
                    db::sessions::delete_expired(c, at)?;
                    db::submissions::delete_older_than(c, at - Duration::days(1))?;
                    Ok(())
                })
                .await;
            if let Err(e) = swept {
                tracing::warn!(error = %e, "sweeping expired sessions failed");
            }
            for throttle in &throttles {
                if let Err(e) = throttle.sweep().await {
                    tracing::warn!(error = %e, "sweeping a throttle's windows failed");
                }
            }
        }
    });
}

/// Every page shows the organization's name and times in its zone, so each process keeps them
/// in memory (no query per page) and reads them again every few seconds: a change saved
/// through another process on the same database shows within `SETTINGS_FRESH_FOR` (through
/// this one, at once: Settings > General sets them).
fn spawn_settings_refresh(state: Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(SETTINGS_FRESH_FOR);
        loop {
            tick.tick().await;
            let changes = state.org_changes();
            match state.db.run(|c| Ok(settings::load(c)?)).await {
                Ok(org) => state.refresh_org(changes, &org.name, org.zone()),
                Err(e) => tracing::warn!(error = %e, "reading the organization's settings failed"),
            }
        }
    });
}

pub const SETTINGS_FRESH_FOR: StdDuration = StdDuration::from_secs(5);

/// Lifts timed locks (failed sign-ins) when they are over, every minute, so lists and pages
/// show accounts as they are. Sign-in lifts an expired lock itself too, so nothing waits on
/// this.
fn spawn_lock_expiry(db: Db, clock: crate::domain::clock::Clock) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(StdDuration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = crate::accounts::lock::lift_expired(&db, &clock).await {
                tracing::warn!(error = %e, "lifting expired locks failed");
            }
        }
    });
}

/// The key that signs session cookies: `ROSTER_SESSION_SECRET`, or a secret generated once and
/// kept (mode 0600) in the data directory, so restarts keep everyone signed in.
pub(crate) fn load_session_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.session_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(s) => {
            let s = s.trim();
            anyhow::ensure!(
                s.len() >= MIN_SESSION_SECRET_BYTES,
                "{} is shorter than {MIN_SESSION_SECRET_BYTES} bytes; delete it to generate a new one \
                 (everyone will have to sign in again) or set {SESSION_SECRET_VAR}",
                path.display()
            );
            Ok(s.as_bytes().to_vec())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_new_secret(&path),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_new_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let secret = format!("{}{}{}", random_token(), random_token(), random_token());
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    Ok(secret.into_bytes())
}
