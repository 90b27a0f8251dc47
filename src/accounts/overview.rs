//! The console's Overview: what an administrator checks first — customers by status, who is
//! waiting for an invitation, who is locked, today's sign-ins and failures, emails that could
//! not be delivered, and the latest events. Every figure is a kept counter or an index range:
//! the page costs the same at a million customers.

use std::collections::HashMap;

use super::audit_log::{EventView, view};
use crate::db::{Db, accounts, audit, customer_counts, now, outbox};
use crate::domain::account::Status;
use crate::domain::format::Zone;
use crate::error::AppError;

/// Events the Overview lists.
const RECENT: i64 = 8;

pub struct Overview {
    pub total: i64,
    pub by_status: Vec<(Status, i64)>,
    pub sign_ins_today: i64,
    pub failed_sign_ins_today: i64,
    pub failed_emails: i64,
    pub recent: Vec<EventView>,
}

impl Overview {
    pub fn of(&self, status: Status) -> i64 {
        self.by_status.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)
    }
}

pub async fn load(db: &Db, zone: Zone) -> Result<Overview, AppError> {
    // "Today" is the organization's day.
    let today = zone.start_of_day(zone.date_of(&now()));
    let (by_status, signed_in, failed, emails, events, names) = db
        .run(move |c| {
            let events = audit::recent(c, RECENT)?;
            let mut ids: Vec<String> = events.iter().filter_map(|e| e.subject_id.clone()).collect();
            ids.sort();
            ids.dedup();
            Ok((
                customer_counts::by_status(c)?,
                audit::count_since(c, "signin.succeeded", today)?,
                audit::count_since(c, "signin.failed", today)?,
                outbox::failed_count(c)?,
                events,
                accounts::names_of(c, &ids)?,
            ))
        })
        .await?;
    let names: HashMap<String, String> = names.into_iter().collect();
    Ok(Overview {
        total: by_status.iter().map(|(_, n)| n).sum(),
        by_status,
        sign_ins_today: signed_in,
        failed_sign_ins_today: failed,
        failed_emails: emails,
        recent: events.into_iter().map(|e| view(e, &names, zone)).collect(),
    })
}
