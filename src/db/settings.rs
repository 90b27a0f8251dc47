//! The organization's settings (one row).

use diesel::prelude::*;

use super::Conn;
use super::schema::organization_settings as s;
use crate::domain::clock::At;
use crate::domain::format::Zone;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::password::PasswordPolicy;
use crate::domain::settings::{Change, General, LinkExpiry, Registration};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Settings {
    pub name: String,
    pub password_min_length: i32,
    pub password_max_length: i32,
    pub session_idle_minutes: i32,
    pub session_absolute_minutes: i32,
    pub invitation_expiry_minutes: i32,
    pub password_reset_expiry_minutes: i32,
    pub verification_expiry_minutes: i32,
    pub self_registration_enabled: bool,
    pub lockout_enabled: bool,
    pub lockout_attempts: i32,
    pub lockout_minutes: i32,
    pub lockout_factor: i32,
    pub mail_from_name: String,
    pub mail_from_address: String,
    pub password_require_upper: bool,
    pub password_require_lower: bool,
    pub password_require_digit: bool,
    pub password_require_symbol: bool,
    pub password_blocklist: bool,
    pub password_no_name_part: bool,
    pub registration_verification: bool,
    pub time_zone: String,
}

impl Settings {
    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_length: usize::try_from(self.password_min_length).unwrap_or(12),
            max_length: usize::try_from(self.password_max_length).unwrap_or(128),
            require_upper: self.password_require_upper,
            require_lower: self.password_require_lower,
            require_digit: self.password_require_digit,
            require_symbol: self.password_require_symbol,
            blocklist: self.password_blocklist,
            no_name_part: self.password_no_name_part,
        }
    }

    pub fn invitation_expiry(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.invitation_expiry_minutes.max(1).into())
    }

    pub fn password_reset_expiry(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.password_reset_expiry_minutes.max(1).into())
    }

    pub fn verification_expiry(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.verification_expiry_minutes.max(1).into())
    }

    pub fn general(&self) -> General {
        General {
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            mail_from_name: self.mail_from_name.clone(),
            mail_from_address: self.mail_from_address.clone(),
        }
    }

    /// The zone times are shown in (UTC if the stored name is unknown to this build).
    pub fn zone(&self) -> Zone {
        Zone::parse(&self.time_zone).unwrap_or_default()
    }

    pub fn registration(&self) -> Registration {
        Registration {
            enabled: self.self_registration_enabled,
            verification: self.registration_verification,
            expiry_minutes: self.verification_expiry_minutes,
        }
    }

    pub fn link_expiry(&self) -> LinkExpiry {
        LinkExpiry {
            invitation_minutes: self.invitation_expiry_minutes,
            reset_minutes: self.password_reset_expiry_minutes,
        }
    }

    /// What the page of `change` shows now (the "before" of that change).
    pub fn current(&self, change: &Change) -> Change {
        match change {
            Change::General(_) => Change::General(self.general()),
            Change::Passwords(_) => Change::Passwords(self.password_policy()),
            Change::Registration(_) => Change::Registration(self.registration()),
            Change::Links(_) => Change::Links(self.link_expiry()),
        }
    }

    pub fn lockout(&self) -> LockoutPolicy {
        LockoutPolicy {
            enabled: self.lockout_enabled,
            attempts: self.lockout_attempts,
            minutes: self.lockout_minutes,
            factor: self.lockout_factor,
        }
    }
}

pub fn load(conn: &mut Conn) -> QueryResult<Settings> {
    s::table.find(1).select(Settings::as_select()).first(conn)
}

/// The organization's name (first-run setup).
pub fn set_name(conn: &mut Conn, name: &str, at: At) -> QueryResult<usize> {
    diesel::update(s::table.find(1)).set((s::name.eq(name), s::updated_at.eq(at))).execute(conn)
}

pub fn set_lockout(conn: &mut Conn, p: &LockoutPolicy, at: At) -> QueryResult<usize> {
    diesel::update(s::table.find(1))
        .set((
            s::lockout_enabled.eq(p.enabled),
            s::lockout_attempts.eq(p.attempts),
            s::lockout_minutes.eq(p.minutes),
            s::lockout_factor.eq(p.factor),
            s::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Saves one settings page's values.
pub fn apply(conn: &mut Conn, change: &Change, at: At) -> QueryResult<usize> {
    let row = s::table.find(1);
    match change {
        Change::General(g) => diesel::update(row)
            .set((
                s::name.eq(&g.name),
                s::time_zone.eq(&g.time_zone),
                s::mail_from_name.eq(&g.mail_from_name),
                s::mail_from_address.eq(&g.mail_from_address),
                s::updated_at.eq(at),
            ))
            .execute(conn),
        Change::Passwords(p) => diesel::update(row)
            .set((
                s::password_min_length.eq(i32::try_from(p.min_length).unwrap_or(12)),
                s::password_max_length.eq(i32::try_from(p.max_length).unwrap_or(128)),
                s::password_require_upper.eq(p.require_upper),
                s::password_require_lower.eq(p.require_lower),
                s::password_require_digit.eq(p.require_digit),
                s::password_require_symbol.eq(p.require_symbol),
                s::password_blocklist.eq(p.blocklist),
                s::password_no_name_part.eq(p.no_name_part),
                s::updated_at.eq(at),
            ))
            .execute(conn),
        Change::Registration(r) => diesel::update(row)
            .set((
                s::self_registration_enabled.eq(r.enabled),
                s::registration_verification.eq(r.verification),
                s::verification_expiry_minutes.eq(r.expiry_minutes),
                s::updated_at.eq(at),
            ))
            .execute(conn),
        Change::Links(l) => diesel::update(row)
            .set((
                s::invitation_expiry_minutes.eq(l.invitation_minutes),
                s::password_reset_expiry_minutes.eq(l.reset_minutes),
                s::updated_at.eq(at),
            ))
            .execute(conn),
    }
}
