//! Integration tests: each spawns the real application on port 0 with a temporary data dir and
//! cheap argon2 parameters, and drives it over HTTP like a browser (cookies, CSRF tokens).

mod helpers;

mod access;
mod administrators;
mod applications;
mod attributes;
mod audit_coverage;
mod audit_log;
mod auth;
mod cli;
mod danger;
mod groups;
mod landing;
mod lockout;
mod my_profile;
mod myaccount;
mod oidc;
mod onboarding;
mod overview;
mod processes;
mod profile;
mod registration;
mod search;
mod security;
mod sessions;
mod settings;
mod setup;
mod signing_keys;
mod smtp;
mod upgrade;
mod users;
