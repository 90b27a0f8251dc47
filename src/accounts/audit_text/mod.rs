//! Audit events as people read them: "Ada Lovelace set a temporary password for Thomas Adams",
//! with the changed fields as "Mobile number: (empty) → +44 20 7946 0958", option values and
//! durations in words. The raw event code stays with the event (filter, CSV, a tooltip); this
//! only words it.
//!
//! The trail holds no secret by construction (events record field names and non-secret
//! values). As a second guard, a detail whose name is one of `SECRET_FIELDS` — named exactly,
//! never matched by substring (`access_token_minutes` is a duration, not a token) — is shown
//! as hidden.

use serde_json::{Map, Value};

use crate::domain::account::{LockReason, Role};
use crate::domain::format::duration_words;
use crate::domain::mail::Template;

mod actions;
mod fields;

pub use actions::{ACTIONS, action_name};
pub use fields::{EMPTY, HIDDEN, SECRET_FIELDS, label, value};

/// A piece of an event's sentence: the actor's and the subject's names are filled in by the
/// page (they carry an email as a tooltip); other names are shown strong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Name(String),
    Actor,
    Subject,
}

/// One changed field ("First Name: Ada → Ava"), or one fact ("Sessions ended: 2").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    /// Set for a change: the value before.
    pub before: Option<String>,
    pub value: String,
}

/// An event in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Described {
    pub parts: Vec<Part>,
    pub changes: Vec<Change>,
}

impl Described {
    /// The sentence as plain text (the CSV, tests), with the names given.
    pub fn text(&self, actor: &str, subject: &str) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) | Part::Name(t) => t.as_str(),
                Part::Actor => actor,
                Part::Subject => subject,
            })
            .collect()
    }
}

fn num(d: &Map<String, Value>, key: &str) -> i64 {
    d.get(key).and_then(Value::as_i64).unwrap_or(0)
}

fn text<'a>(d: &'a Map<String, Value>, key: &str) -> &'a str {
    d.get(key).and_then(Value::as_str).unwrap_or("")
}

fn flag(d: &Map<String, Value>, key: &str) -> bool {
    d.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// "1 session", "3 sessions".
fn count(n: i64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// Builds a sentence from text with `{actor}`, `{subject}` and `{name}` (filled with `name`,
/// shown strong).
fn sentence(pattern: &str, name: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            parts.push(Part::Text(rest[..start].to_owned()));
        }
        let end = rest[start..].find('}').map(|e| start + e).unwrap_or(rest.len() - 1);
        parts.push(match &rest[start + 1..end] {
            "actor" => Part::Actor,
            "subject" => Part::Subject,
            _ => Part::Name(name.to_owned()),
        });
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    parts
}

/// Changes recorded as `{field: {before, after}}`, or a settings page's `{before: {…},
/// after: {…}}` (only the fields that differ); other details as facts, except `skip`.
fn changes(d: &Map<String, Value>, skip: &[&str]) -> Vec<Change> {
    if let (Some(Value::Object(before)), Some(Value::Object(after))) =
        (d.get("before"), d.get("after"))
    {
        return after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, v)| Change {
                field: label(k),
                before: Some(before.get(k).map(|b| value(k, b)).unwrap_or_else(|| EMPTY.into())),
                value: value(k, v),
            })
            .collect();
    }
    d.iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .filter(|(_, v)| !matches!(v, Value::Number(n) if n.as_i64() == Some(0)))
        .map(|(k, v)| match v {
            Value::Object(o) if o.contains_key("before") && o.contains_key("after") => Change {
                field: label(k),
                before: Some(value(k, &o["before"])),
                value: value(k, &o["after"]),
            },
            other => Change { field: label(k), before: None, value: value(k, other) },
        })
        .collect()
}

fn delivery_words(code: &str) -> &'static str {
    match code {
        "email" | "invitation_email" | "link_email" => "by email",
        _ => "with a link to copy",
    }
}

/// The event `action` with its recorded `details`, in words. `self_service`: the actor is the
/// subject (someone acting on their own account).
pub fn describe(action: &str, raw_details: &str, self_service: bool) -> Described {
    let d = match serde_json::from_str::<Value>(raw_details) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let app = text(&d, "application");
    // (the sentence, the details it already says)
    let (pattern, skip): (String, &[&str]) = match action {
        "customer.created" => {
            let how = match text(&d, "method") {
                "invitation_email" => " and emailed them an invitation",
                "invitation_offline" => " with an invitation link to copy",
                "temporary_password" => " with a temporary password",
                _ => "",
            };
            (format!("{{actor}} created {{subject}}{how}"), &["method"])
        }
        "customer.registered" if flag(&d, "verification") => (
            "{subject} created an account and was emailed a link to verify it".into(),
            &["verification"],
        ),
        "customer.registered" => ("{subject} created an account".into(), &["verification"]),
        "customer.verified" => ("{subject} verified their email address".into(), &[]),
        "verification.resent" => ("A new verification link was emailed to {subject}".into(), &[]),
        "registration.existing_email" => (
            "Someone tried to create an account with the address of {subject}, who was told by \
             email"
                .into(),
            &[],
        ),
        "customer.updated" | "administrator.updated" if self_service => {
            ("{actor} updated their profile".into(), &[])
        }
        "customer.updated" | "administrator.updated" => {
            ("{actor} updated the profile of {subject}".into(), &[])
        }
        "password.temporary_set" => ("{actor} set a temporary password for {subject}".into(), &[]),
        "invitation.sent" => (
            format!("{{actor}} invited {{subject}} {}", delivery_words(text(&d, "delivery"))),
            &["delivery"],
        ),
        "invitation.resent" => (
            format!(
                "{{actor}} sent {{subject}} a new invitation {}",
                delivery_words(text(&d, "delivery"))
            ),
            &["delivery"],
        ),
        "password_reset.resent" => (
            format!(
                "{{actor}} sent {{subject}} a new password reset link {}",
                delivery_words(text(&d, "delivery"))
            ),
            &["delivery"],
        ),
        "invitation.accepted" => {
            ("{subject} accepted their invitation and chose a password".into(), &[])
        }
        "password_reset.completed" => {
            ("{subject} chose a new password with a reset link".into(), &[])
        }
        "password.recovered" if flag(&d, "lock_lifted") => (
            "{subject} chose a new password after forgetting it, which also lifted their lock"
                .into(),
            &["lock_lifted"],
        ),
        "password.recovered" => {
            ("{subject} chose a new password after forgetting it".into(), &["lock_lifted"])
        }
        "password_recovery.requested" => {
            ("Someone asked for a password reset link for {subject}".into(), &[])
        }
        "password.changed" if text(&d, "reason") == "temporary_replaced" => {
            ("{actor} replaced their temporary password".into(), &["reason"])
        }
        "password.changed" => ("{actor} changed their password".into(), &["reason"]),
        "password.reset" => {
            let pattern = match text(&d, "method") {
                "temporary_password" => "{actor} set a temporary password for {subject}",
                "link_email" => "{actor} reset the password of {subject} and emailed them a link",
                _ => "{actor} reset the password of {subject} with a link to copy",
            };
            (pattern.into(), &["method"])
        }
        "account.locked" if text(&d, "reason") == LockReason::FailedAttempts.as_str() => (
            format!(
                "{{subject}} was locked for {} after {}",
                duration_words(num(&d, "minutes")),
                count(num(&d, "failures"), "failed sign-in", "failed sign-ins")
            ),
            &["reason", "minutes", "failures"],
        ),
        "account.locked" => ("{actor} locked {subject}".into(), &["reason"]),
        "account.unlocked" => {
            let pattern = match text(&d, "reason") {
                "lock_expired" => "The lock on {subject} ended when its time was up",
                "command_line" => "{subject} was unlocked from the command line",
                _ => "{actor} unlocked {subject}",
            };
            (pattern.into(), &["reason", "lock_reason"])
        }
        "account.deleted" => ("{actor} deleted {subject}".into(), &["name"]),
        "session.terminated" => {
            let n = count(num(&d, "sessions"), "session", "sessions");
            let pattern = match (self_service, flag(&d, "kept_current")) {
                (true, true) => format!("{{actor}} signed out {n} elsewhere"),
                (true, false) => format!("{{actor}} ended {n}"),
                (false, _) => format!("{{actor}} ended {n} of {{subject}}"),
            };
            (pattern, &["sessions", "all", "kept_current"])
        }
        "signin.succeeded" => {
            let area =
                if text(&d, "kind") == "administrator" { "the console" } else { "My Account" };
            let via =
                if text(&d, "via") == "invitation" { " after accepting an invitation" } else { "" };
            (format!("{{actor}} signed in to {area}{via}"), &["kind", "via"])
        }
        "signin.failed" => {
            let why = match text(&d, "reason") {
                "unknown_account" => "no account has this address",
                "wrong_password" => "wrong password",
                "locked" => "the account is locked",
                _ => "the account is not active yet",
            };
            let area =
                if text(&d, "kind") == "administrator" { "the console" } else { "My Account" };
            let who = if d.contains_key("email") { "{name}" } else { "{subject}" };
            (format!("A sign-in to {area} as {who} failed: {why}"), &["kind", "reason", "email"])
        }
        "signout" => ("{actor} signed out".into(), &[]),
        "owner.created" => ("{actor} created the owner {subject}".into(), &["email"]),
        "administrator.invited" => {
            let role = Role::parse(text(&d, "role")).map(Role::label).unwrap_or("an administrator");
            (
                format!(
                    "{{actor}} invited {{subject}} as {role} {}",
                    delivery_words(text(&d, "delivery"))
                ),
                &["role", "delivery"],
            )
        }
        "administrator.invitation_resent" => (
            format!(
                "{{actor}} sent {{subject}} a new invitation {}",
                delivery_words(text(&d, "delivery"))
            ),
            &["delivery"],
        ),
        "administrator.invitation_revoked" => {
            ("{actor} withdrew the invitation of {subject}".into(), &["name"])
        }
        "administrator.removed" => {
            ("{actor} removed the administrator {subject}".into(), &["name"])
        }
        "administrator.role_changed" => ("{actor} changed the role of {subject}".into(), &[]),
        "ownership.transferred" => {
            ("{actor} made {subject} the owner of the organization".into(), &["from"])
        }
        "group.created" => ("{actor} created the group {subject}".into(), &["name"]),
        "group.renamed" => ("{actor} renamed the group {subject}".into(), &[]),
        "group.deleted" => ("{actor} deleted the group {subject}".into(), &["name"]),
        "group.member_added" => {
            ("{actor} added {subject} to the group {name}".into(), &["group", "group_id"])
        }
        "group.member_removed" => {
            ("{actor} removed {subject} from the group {name}".into(), &["group", "group_id"])
        }
        "attribute.created" => ("{actor} created the attribute {subject}".into(), &["name"]),
        "attribute.updated" => ("{actor} changed the attribute {subject}".into(), &[]),
        "attribute.deleted" => ("{actor} deleted the attribute {subject}".into(), &["name"]),
        "application.created" => ("{actor} registered the application {subject}".into(), &["name"]),
        "application.updated" => ("{actor} changed the application {subject}".into(), &[]),
        "application.secret_regenerated" => {
            ("{actor} made a new client secret for {subject}".into(), &[])
        }
        "application.deleted" => ("{actor} deleted the application {subject}".into(), &["name"]),
        "application.signed_in" => {
            ("{actor} signed in to {name}".into(), &["application", "client_id"])
        }
        "application.tokens_issued" => (
            "{name} received tokens for {subject}".into(),
            &["application", "grant", "refresh_token"],
        ),
        "tokens.revoked" => {
            let pattern = match text(&d, "reason") {
                "terminated" => "{actor} ended the sign-in of {subject} to {name}",
                "revoked_by_application" => "{name} gave up its sign-in of {subject}",
                "code_reused" => {
                    "{name} used a sign-in code twice; the sign-in of {subject} was ended"
                }
                "refresh_token_reused" => {
                    "{name} used a refresh token twice; the sign-in of {subject} was ended"
                }
                _ => "The sign-in of {subject} to {name} was ended",
            };
            (pattern.into(), &["application", "reason", "tokens"])
        }
        "signing_keys.rotated" => ("{actor} rotated the signing keys".into(), &[]),
        "email.resent" => {
            let what = Template::parse(text(&d, "template")).map(Template::label).unwrap_or("an");
            (
                format!("{{actor}} sent the “{what}” email to {{subject}} again"),
                &["message", "template"],
            )
        }
        "settings.general_updated" => ("{actor} changed the general settings".into(), &[]),
        "settings.password_policy_updated" => ("{actor} changed the password policy".into(), &[]),
        "settings.self_registration_updated" => {
            ("{actor} changed the self-registration settings".into(), &[])
        }
        "settings.links_updated" => ("{actor} changed how long links stay valid".into(), &[]),
        "settings.login_security_updated" => {
            ("{actor} changed the login security settings".into(), &[])
        }
        other => (format!("{{actor}}: {other}"), &[]),
    };
    let name = match action {
        "signin.failed" => text(&d, "email"),
        "group.member_added" | "group.member_removed" => text(&d, "group"),
        _ => app,
    };
    Described { parts: sentence(&pattern, name), changes: changes(&d, skip) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(action: &str, details: &str) -> String {
        describe(action, details, false).text("Ada Lovelace", "Thomas Adams")
    }

    #[test]
    fn events_read_as_sentences() {
        assert_eq!(
            said("password.reset", r#"{"method":"temporary_password","sessions_ended":0}"#),
            "Ada Lovelace set a temporary password for Thomas Adams"
        );
        assert_eq!(
            said("customer.created", r#"{"method":"invitation_email","groups":0}"#),
            "Ada Lovelace created Thomas Adams and emailed them an invitation"
        );
        assert_eq!(
            said("group.member_added", r#"{"group":"gold","group_id":"x"}"#),
            "Ada Lovelace added Thomas Adams to the group gold"
        );
        assert_eq!(
            said("account.locked", r#"{"reason":"failed_attempts","failures":3,"minutes":90}"#),
            "Thomas Adams was locked for 1 hour 30 minutes after 3 failed sign-ins"
        );
        assert_eq!(
            describe("customer.updated", "{}", true).text("Thomas Adams", "Thomas Adams"),
            "Thomas Adams updated their profile"
        );
    }

    #[test]
    fn changes_name_their_fields_and_say_values_in_words() {
        let d = describe(
            "customer.updated",
            r#"{"mobile_number":{"before":null,"after":"+44 20 7946 0958"}}"#,
            false,
        );
        assert_eq!(
            d.changes,
            vec![Change {
                field: "Mobile number".into(),
                before: Some("(empty)".into()),
                value: "+44 20 7946 0958".into(),
            }]
        );
        let s = describe(
            "settings.links_updated",
            r#"{"before":{"invitation_minutes":1440,"reset_minutes":60},"after":{"invitation_minutes":2880,"reset_minutes":60}}"#,
            false,
        );
        assert_eq!(s.changes.len(), 1, "only what changed");
        assert_eq!(s.changes[0].field, "Invitation link expiry");
        assert_eq!(s.changes[0].before.as_deref(), Some("1 day"));
        assert_eq!(s.changes[0].value, "2 days");
        let r = describe(
            "administrator.role_changed",
            r#"{"role":{"before":"viewer","after":"administrator"}}"#,
            false,
        );
        assert_eq!(
            (r.changes[0].before.as_deref(), r.changes[0].value.as_str()),
            (Some("Viewer"), "Administrator")
        );
    }

    #[test]
    fn secrets_are_named_exactly_and_token_durations_are_not_secrets() {
        let d = describe(
            "application.updated",
            r#"{"access_token_minutes":{"before":5,"after":10},"refresh_token_days":{"before":30,"after":7},"id_token_alg":{"before":"RS256","after":"EdDSA"},"refresh_tokens":{"before":true,"after":false}}"#,
            false,
        );
        let shown: Vec<(String, Option<String>, String)> =
            d.changes.into_iter().map(|c| (c.field, c.before, c.value)).collect();
        assert!(shown.contains(&(
            "Access token lifetime".into(),
            Some("5 minutes".into()),
            "10 minutes".into()
        )));
        assert!(shown.contains(&(
            "Refresh token lifetime".into(),
            Some("30 days".into()),
            "7 days".into()
        )));
        assert!(shown.contains(&(
            "ID token signature".into(),
            Some("RS256".into()),
            "EdDSA".into()
        )));
        assert!(shown.contains(&("Refresh tokens".into(), Some("On".into()), "Off".into())));
        assert!(shown.iter().all(|(_, b, v)| b.as_deref() != Some(HIDDEN) && v != HIDDEN));
        let hidden =
            describe("customer.updated", r#"{"password_hash":"$argon2id$x","token":"abc"}"#, false);
        assert!(hidden.changes.iter().all(|c| c.value == HIDDEN), "{hidden:?}");
    }

    #[test]
    fn an_unknown_action_still_says_who_did_what() {
        assert_eq!(said("something.new", "{}"), "Ada Lovelace: something.new");
    }
}
