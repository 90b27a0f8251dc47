//! A value shown once (a client secret, a temporary password, a link to copy), carried from
//! the POST that made it to the GET of the page that shows it: the form answers with a
//! redirect, so a reload never posts it again, and the page shows the value once.
//!
//! It waits in the session (a database row) sealed under a key derived from the server's
//! secret, bound to the page that shows it, so the database never holds a token or password
//! in the clear; the page takes it out as it shows it.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::State;
use super::render::see_other;

const SESSION_KEY: &str = "reveal";
/// What the seal's key is derived for (`SealKey::for_purpose`).
pub const PURPOSE: &str = "values shown once";

/// What the value is: the page words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    ClientSecret,
    InvitationLink,
    ResetLink,
    TemporaryPassword,
}

/// A value to show now, and never again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    pub kind: Kind,
    pub value: String,
}

#[derive(Serialize, Deserialize)]
struct Stashed {
    /// The page that shows it: another page leaves it.
    page: String,
    kind: Kind,
    sealed: String,
}

/// A 303 (or `HX-Redirect`) to `page`, which will show `value` once.
pub fn see_other_showing(
    req: &HttpRequest,
    session: &Session,
    page: &str,
    kind: Kind,
    value: &str,
) -> HttpResponse {
    if let Some(state) = req.app_data::<State>() {
        let sealed = state.reveal_seal.seal(page, value.as_bytes());
        let stashed = Stashed { page: page.to_owned(), kind, sealed };
        if let Err(e) = session.insert(SESSION_KEY, stashed) {
            tracing::error!("keeping a value to show once: {e}");
        }
    }
    see_other(req, page)
}

/// The value stashed for `page` (when one of `kinds`), taken out so that it shows once.
pub fn take(req: &HttpRequest, session: &Session, page: &str, kinds: &[Kind]) -> Option<Revealed> {
    // Checked first: reading a missing key is free, removing one would rewrite the session.
    if !session.contains_key(SESSION_KEY) {
        return None;
    }
    let stashed = session.get::<Stashed>(SESSION_KEY).ok().flatten()?;
    if stashed.page != page || !kinds.contains(&stashed.kind) {
        return None;
    }
    session.remove(SESSION_KEY);
    let state = req.app_data::<State>()?;
    let plain = state.reveal_seal.open(page, &stashed.sealed)?;
    Some(Revealed { kind: stashed.kind, value: String::from_utf8(plain).ok()? })
}
