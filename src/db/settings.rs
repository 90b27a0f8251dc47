//! The organization's settings (one row).

use diesel::prelude::*;

use super::Conn;
use super::schema::organization_settings;
use crate::domain::password::PasswordPolicy;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organization_settings, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Settings {
    pub name: String,
    pub password_min_length: i32,
    pub password_max_length: i32,
    pub session_idle_minutes: i32,
    pub session_absolute_minutes: i32,
    pub invitation_expiry_minutes: i32,
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
}

impl Settings {
    pub fn invitation_expiry(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.invitation_expiry_minutes.max(1).into())
    }
}

pub fn load(conn: &mut Conn) -> QueryResult<Settings> {
    organization_settings::table.find(1).select(Settings::as_select()).first(conn)
}
