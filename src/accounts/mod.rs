//! Use cases on accounts. They take parsed input, talk to `db`, record audit events, and know
//! nothing of HTTP: the console, the CLI and (later) SCIM call the same functions.

pub mod attributes;
pub mod groups;
pub mod invitations;
pub mod list;
pub mod onboarding;
pub mod owner;
pub mod password;
pub mod profile;
pub mod signin;

use crate::domain::FieldErrors;
use crate::error::AppError;

/// How a use case behind a form fails: messages for its fields (the form is shown again, 422),
/// or anything else.
#[derive(Debug)]
pub enum FormError {
    Invalid(FieldErrors),
    Other(AppError),
}

impl From<AppError> for FormError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}
