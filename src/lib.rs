//! Roster: a self-hosted customer identity console.
//!
//! `domain` holds parsed values and rules, `db` the storage, `accounts` the use cases (no HTTP),
//! `mail` the outbox and its
//! sender, `web` the HTTP glue, `startup` wires them into a server.

pub mod accounts;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod mail;
pub mod passwords;
pub mod startup;
pub mod telemetry;
pub mod web;
