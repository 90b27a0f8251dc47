//! Recorded fields in words: their labels ("Mobile number", "Access token lifetime") and their
//! values (option codes by their labels, durations in units, switches as On / Off, nothing as
//! "(empty)"). A field named as a secret is shown hidden.

use serde_json::Value;

use crate::domain::account::{LockReason, Role, Status};
use crate::domain::application::ClientType;
use crate::domain::attribute::DataType;
use crate::domain::format::duration_words;
use crate::domain::mail::Template;

/// Detail names that would hold a secret if one were ever recorded: their values are hidden.
pub const SECRET_FIELDS: &[&str] = &[
    "password",
    "new_password",
    "password_hash",
    "secret",
    "client_secret",
    "secret_hash",
    "token",
    "token_hash",
    "access_token",
    "id_token",
    "code",
    "session_id",
    "private_key",
];

pub const HIDDEN: &str = "[hidden]";
pub const EMPTY: &str = "(empty)";

/// A field's name in words: the console's own label where it has one, else the key with its
/// underscores as spaces ("mobile_number" → "Mobile number").
pub fn label(key: &str) -> String {
    let known = match key {
        "first_name" => "First Name",
        "last_name" => "Last Name",
        "email" => "Email",
        "name" => "Name",
        "display_name" => "Display name",
        "data_type" => "Data type",
        "options" => "Choices",
        "regex" => "Pattern",
        "unique" => "Unique across customers",
        "grid" => "Where it shows",
        "client_type" => "Kind",
        "client_id" => "Client ID",
        "redirect_uris" => "Redirect URIs",
        "post_logout_redirect_uris" => "Post-logout redirect URIs",
        "refresh_tokens" => "Refresh tokens",
        "access_token_minutes" => "Access token lifetime",
        "refresh_token_days" => "Refresh token lifetime",
        "attribute_names" => "Attributes",
        "id_token_alg" => "ID token signature",
        "mail_from_name" => "Sender name",
        "mail_from_address" => "Sender address",
        "min_length" => "Minimum length",
        "max_length" => "Maximum length",
        "require_upper" => "Require an uppercase letter",
        "require_lower" => "Require a lowercase letter",
        "require_digit" => "Require a digit",
        "require_symbol" => "Require a symbol",
        "blocklist" => "Refuse common passwords",
        "no_name_part" => "Refuse passwords containing the name",
        "enabled" => "On",
        "verification" => "Verify email addresses",
        "expiry_minutes" => "Verification link expiry",
        "invitation_minutes" => "Invitation link expiry",
        "reset_minutes" => "Password reset link expiry",
        "attempts" => "Failed sign-ins before a lock",
        "minutes" => "Lock duration",
        "factor" => "Lock duration factor",
        "status" => "Status",
        "role" => "Role",
        "sessions_ended" => "Sessions ended",
        "application_tokens_revoked" => "Application sign-ins ended",
        "links_revoked" => "Links revoked",
        "revoked" => "Earlier links revoked",
        "groups" => "Groups",
        "values_deleted" => "Values deleted",
        "members" => "Members",
        "until" => "Until",
        "lockouts" => "Locks so far",
        "failures" => "Failed sign-ins",
        "new_keys" => "New keys",
        "retired_keys" => "Retired keys",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "On" } else { "Off" }
}

fn grid_words(v: &Value) -> Option<String> {
    let place = |name: &str, key: &str| -> Option<String> {
        let flags: Vec<bool> = v.get(key)?.as_array()?.iter().filter_map(Value::as_bool).collect();
        let words: Vec<&str> = ["displayed", "required", "read-only"]
            .iter()
            .zip(&flags)
            .filter(|(_, on)| **on)
            .map(|(w, _)| *w)
            .collect();
        let words = if words.is_empty() { "hidden".to_owned() } else { words.join(", ") };
        Some(format!("{name}: {words}"))
    };
    let parts = [
        place("Console", "console")?,
        place("My Account", "myaccount")?,
        place("Self-registration", "registration")?,
    ];
    Some(parts.join("; "))
}

/// A detail's value in words: option values by their labels, durations in units, switches as
/// On / Off, lists joined, nothing as "(empty)".
pub fn value(key: &str, v: &Value) -> String {
    if SECRET_FIELDS.contains(&key) {
        return HIDDEN.into();
    }
    match v {
        Value::Null => EMPTY.into(),
        Value::Bool(b) => on_off(*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(m) if key == "minutes" || key.ends_with("_minutes") => duration_words(m),
            Some(d) if key.ends_with("_days") => duration_words(d * 24 * 60),
            _ => n.to_string(),
        },
        Value::String(s) if s.is_empty() => EMPTY.into(),
        Value::String(s) => option_words(key, s).unwrap_or(s).to_owned(),
        Value::Array(items) if items.is_empty() => EMPTY.into(),
        Value::Array(items) => items.iter().map(|i| value(key, i)).collect::<Vec<_>>().join(", "),
        Value::Object(_) if key == "grid" => grid_words(v).unwrap_or_else(|| v.to_string()),
        Value::Object(_) => v.to_string(),
    }
}

/// The label of a stored option value, for the fields whose values are codes.
fn option_words<'a>(key: &str, code: &'a str) -> Option<&'a str> {
    match key {
        "status" | "after_status" => Status::parse(code).map(Status::label),
        "role" => Role::parse(code).map(Role::label),
        "data_type" => DataType::parse(code).map(DataType::label),
        "client_type" => ClientType::parse(code).map(ClientType::label),
        "lock_reason" => LockReason::parse(code).map(LockReason::label),
        "template" => Template::parse(code).map(Template::label),
        _ => None,
    }
}
