//! The organization's settings (one row).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Conn;
use super::schema::organization_settings as s;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::password::PasswordPolicy;

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
}

impl Settings {
    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_length: usize::try_from(self.password_min_length).unwrap_or(12),
            max_length: usize::try_from(self.password_max_length).unwrap_or(128),
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

pub fn set_lockout(conn: &mut Conn, p: &LockoutPolicy, at: NaiveDateTime) -> QueryResult<usize> {
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
