//! The one error type of use cases and handlers. It carries no HTTP types: `web::errors` turns
//! it into a page (or an htmx fragment) that shows a request id and never internals.

use std::fmt;

#[derive(Debug)]
pub enum AppError {
    /// The thing asked for does not exist (or the caller may not know it does).
    NotFound,
    /// Signed in, but not allowed to do this (or not in the state the thing is in now); or a
    /// request that failed a CSRF/Origin check.
    Forbidden(&'static str),
    /// Not signed in: the web layer sends the browser to the sign-in page.
    Unauthenticated,
    /// A malformed request that no form of ours sends (tampered query, unknown form field).
    BadRequest(&'static str),
    /// Too many attempts from one client.
    TooManyRequests,
    /// Anything else. Logged with the request id; the user sees only the id.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// The sentence shown to the user. Internal errors say nothing about their cause.
    pub fn public_message(&self) -> &'static str {
        match self {
            Self::NotFound => "This page does not exist, or you may not see it.",
            Self::Forbidden(why) | Self::BadRequest(why) => why,
            Self::Unauthenticated => "Please sign in.",
            Self::TooManyRequests => "Too many attempts. Wait a minute and try again.",
            Self::Internal(_) => "Something went wrong on our side. It has been logged.",
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Internal(err) => write!(f, "internal error: {err:#}"),
            other => f.write_str(other.public_message()),
        }
    }
}

impl std::error::Error for AppError {}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(other.into()),
        }
    }
}
