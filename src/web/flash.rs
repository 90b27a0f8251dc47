//! A one-time confirmation message carried across a redirect in the session (never secrets:
//! those are rendered directly in the response that reveals them).

use actix_session::Session;

const KEY: &str = "flash";

pub fn set(session: &Session, message: &str) {
    let _ = session.insert(KEY, message);
}

/// The message, removed so it shows once. Checked first: `remove` on a missing key would
/// still mark the session changed and rewrite its row on every page view.
pub fn take(session: &Session) -> Option<String> {
    if !session.contains_key(KEY) {
        return None;
    }
    session.remove_as::<String>(KEY).and_then(Result::ok)
}
