//! The seed's audit events: spread evenly over the last year, or since the newest event already
//! there (keys follow time: see `db::audit`), in time order, so every index key is appended;
//! twenty kinds of action by five administrators and anonymous visitors, about a sample of the
//! customers.

use chrono::Duration;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::super::schema::{accounts, audit_events};
use super::super::{Conn, audit};
use crate::domain::account::Kind;
use crate::domain::clock::At;

/// How many customers the events are about.
pub const SUBJECTS: usize = 1_000;
/// Rows per INSERT: 10 bound columns × 3,000 stays under SQLite's 32,766-parameter limit.
const INSERT_ROWS: u64 = 3_000;
/// Events per committed transaction.
const BATCH: u64 = 100_000;

const ACTIONS: &[&str] = &[
    "customer.created",
    "customer.updated",
    "account.locked",
    "account.unlocked",
    "signin.succeeded",
    "signin.failed",
    "signout",
    "password.changed",
    "password_reset.requested",
    "invitation.resent",
    "group.member_added",
    "group.member_removed",
    "session.terminated",
    "customer.deleted",
    "settings.links_updated",
    "attribute.updated",
    "customer.registered",
    "customer.verified",
    "password.recovered",
    "password_recovery.requested",
];

/// Subjects when the same seed made no customers: the first `SUBJECTS` existing ones.
pub fn existing_subjects(conn: &mut Conn) -> QueryResult<Vec<(String, String)>> {
    let rows: Vec<(crate::db::ids::PublicId, String)> = accounts::table
        .filter(crate::db::accounts::of_kind(Kind::Customer))
        .select((accounts::public_id, accounts::email))
        .limit(SUBJECTS as i64)
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, email)| (id.to_string(), email)).collect())
}

/// Inserts `count` events about `subjects` (id, email) in committed batches; `progress` is told
/// after each. Without subjects, the events are about nobody (sign-ins by unknown addresses).
pub fn insert(
    conn: &mut Conn,
    count: u64,
    subjects: &[(String, String)],
    now: At,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    let mut rng = StdRng::seed_from_u64(7);
    let admins: Vec<(String, String)> =
        (0..5).map(|i| (format!("admin{i}@example.com"), format!("Admin {i}"))).collect();
    let year_ago = now - Duration::days(365);
    let newest: Option<At> =
        audit_events::table.select(diesel::dsl::max(audit_events::occurred_at)).first(conn)?;
    let start = newest.map_or(year_ago, |t| t.max(year_ago));
    let span = (now - start).num_microseconds().unwrap_or(0).max(0);
    let step = (span / count.max(1) as i64).max(1);
    let updated = serde_json::json!({"first_name": {"before": "Ann", "after": "Anna"}}).to_string();
    // The words events point at (migration 22), interned once; rows are written as numbers.
    let mut words: Vec<&str> = ACTIONS.to_vec();
    words.extend(["anonymous", ""]);
    words.extend(admins.iter().flat_map(|a| [a.0.as_str(), a.1.as_str()]));
    words.extend(subjects.iter().flat_map(|s| [s.0.as_str(), s.1.as_str()]));
    let keys = audit::word_keys(conn, &words)?;
    let key = |w: &str| keys[w];
    let mut done = 0u64;
    while done < count {
        let n = BATCH.min(count - done);
        conn.immediate_transaction(|conn| -> anyhow::Result<()> {
            let mut made = 0;
            while made < n {
                let k = INSERT_ROWS.min(n - made);
                let rows: Vec<_> = (done + made..done + made + k)
                    .map(|i| {
                        let at = start
                            + Duration::microseconds(step * i as i64 + rng.random_range(0..step));
                        let action = ACTIONS[i as usize % ACTIONS.len()];
                        let (label, name) = if i % 3 == 0 {
                            ("anonymous", "")
                        } else {
                            let a = &admins[i as usize % admins.len()];
                            (a.0.as_str(), a.1.as_str())
                        };
                        let subject = (!subjects.is_empty())
                            .then(|| &subjects[rng.random_range(0..subjects.len())]);
                        (
                            audit_events::occurred_at.eq(at),
                            audit_events::actor_label.eq(key(label)),
                            audit_events::actor_name.eq(key(name)),
                            audit_events::action.eq(key(action)),
                            audit_events::subject_id.eq(subject.map(|s| key(&s.0))),
                            audit_events::subject_label.eq(subject.map(|s| key(&s.1))),
                            audit_events::details.eq(if action == "customer.updated" {
                                updated.as_str()
                            } else {
                                "{}"
                            }),
                            audit_events::ip.eq(format!("192.0.2.{}", i % 250)),
                        )
                    })
                    .collect();
                diesel::insert_into(audit_events::table).values(&rows).execute(conn)?;
                made += k;
            }
            Ok(())
        })?;
        done += n;
        progress(done);
    }
    Ok(done)
}
