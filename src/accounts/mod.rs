//! Use cases on accounts. They take parsed input, talk to `db`, record audit events, and know
//! nothing of HTTP: the console, the CLI and (later) SCIM call the same functions.

pub mod invitations;
pub mod list;
pub mod onboarding;
pub mod owner;
pub mod password;
pub mod signin;
