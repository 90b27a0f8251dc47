//! Use cases on accounts. They take parsed input, talk to `db`, record audit events, and know
//! nothing of HTTP: the console, the CLI and (later) SCIM call the same functions.

pub mod list;
pub mod owner;
pub mod signin;
