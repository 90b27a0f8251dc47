//! My Account > Your data: everything Roster holds about a customer, as one JSON document —
//! the profile (every attribute, not only those My Account shows), groups, live sessions and
//! the audit events about the account. Never a hash, a token or a session id; administrators
//! are not named (the customer sees that "an administrator" acted).

use serde_json::{Map, Value, json};

use super::sessions;
use crate::db::ids::{AccountId, AttributeId};
use crate::db::{Db, accounts, attributes, audit, groups};
use crate::domain::format::iso;
use crate::error::AppError;

/// Events exported at most (newest first): years of a customer's activity.
const MAX_EVENTS: i64 = 10_000;

pub async fn my_data(db: &Db, account_id: AccountId) -> Result<Value, AppError> {
    db.run(move |c| {
        let a = accounts::find(c, account_id)?
            .filter(|a| a.kind() == Some(crate::domain::account::Kind::Customer))
            .ok_or(diesel::result::Error::NotFound)?;
        let id = a.public_id.to_string();
        let schema = attributes::all(c)?;
        let values: std::collections::HashMap<AttributeId, String> =
            attributes::values_of(c, a.id)?.into_iter().collect();
        let mut custom = Map::new();
        for attr in &schema {
            if let Some(v) = values.get(&attr.id) {
                custom.insert(attr.name.clone(), json!({ "label": attr.display_name, "value": v }));
            }
        }
        let member_of: Vec<String> = groups::of_account(c, a.id)?.into_iter().map(|g| g.name).collect();
        let live: Vec<Value> = sessions::live(c, a.id, sessions::Area::MyAccount)?
            .into_iter()
            .map(|s| {
                json!({
                    "device": s.device,
                    "ip": s.ip,
                    "signed_in": iso(&s.signed_in),
                    "last_seen": iso(&s.last_seen),
                })
            })
            .collect();
        let events: Vec<Value> = audit::about(c, &id, MAX_EVENTS)?
            .into_iter()
            .map(|e| {
                let by = match e.actor_id.as_deref() {
                    Some(actor) if actor == id => "you",
                    Some(_) => "an administrator",
                    None if e.actor_label == "anonymous" => "someone not signed in",
                    None => "the system",
                };
                let details: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
                json!({
                    "at": iso(&e.occurred_at),
                    "action": e.action,
                    "by": by,
                    "ip": if by == "you" || by == "someone not signed in" { e.ip } else { String::new() },
                    "details": details,
                })
            })
            .collect();
        Ok(json!({
            "exported_at": iso(&crate::db::now()),
            "profile": {
                "email": a.email,
                "first_name": a.first_name,
                "last_name": a.last_name,
                "status": a.status,
                "created_at": iso(&a.created_at),
                "updated_at": iso(&a.updated_at),
                "last_sign_in_at": a.last_sign_in_at.as_ref().map(iso),
                "attributes": custom,
            },
            "groups": member_of,
            "sessions": live,
            "audit_events": events,
        }))
    })
    .await
}
