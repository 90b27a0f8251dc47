//! Keys. Inside the database a row is keyed by an integer (`AccountId`, `GroupId`,
//! `AttributeId`, `ApplicationId`: SQLite's rowid, 1–8 bytes in every table and index that points at it);
//! outside it by its public id (`PublicId`, a UUID stored as 16 bytes), which is what URLs,
//! emails, the audit log, OpenID's `sub` and every API carry.
//!
//! Each integer key has a SQL type of its own (`AccountKey`, …), so a query that compares an
//! account's key with a group's does not compile. None implements `Display`, so none can end
//! up in a URL or a template; they serialize only for the session's in-process copy of its
//! account (`web::session_store`), through `account_key_serde`, never by a derive that would
//! let one slip into an audit event's JSON.

use std::fmt;
use std::str::FromStr;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Binary};
use diesel::sqlite::{Sqlite, SqliteValue};

macro_rules! integer_key {
    ($(#[$doc:meta])* $id:ident, $sql:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow,
        )]
        #[diesel(sql_type = $sql)]
        pub struct $id(i64);

        /// Its SQL type (`INTEGER` in SQLite, `BIGINT` in PostgreSQL).
        #[derive(
            Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
        )]
        #[diesel(sqlite_type(name = "Long"))]
        pub struct $sql;

        impl diesel::sql_types::SqlOrd for $sql {}

        impl $id {
            /// The number, for SQL assembled as text (`cached_sql`) and for tests; never shown.
            pub fn get(self) -> i64 {
                self.0
            }

            /// A key the caller numbered itself (`roster seed` gives its rows their keys).
            #[allow(dead_code)]
            pub(crate) fn from_raw(n: i64) -> Self {
                Self(n)
            }
        }

        impl FromSql<$sql, Sqlite> for $id {
            fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                Ok(Self(<i64 as FromSql<BigInt, Sqlite>>::from_sql(value)?))
            }
        }

        impl ToSql<$sql, Sqlite> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.0);
                Ok(IsNull::No)
            }
        }
    };
}

integer_key!(
    /// An account's key (customer or administrator).
    AccountId,
    AccountKey
);
integer_key!(
    /// A group's key.
    GroupId,
    GroupKey
);
integer_key!(
    /// A custom attribute's key.
    AttributeId,
    AttributeKey
);
integer_key!(
    /// An application's key (an OpenID Connect client).
    ApplicationId,
    ApplicationKey
);

/// Serializes an `AccountId` field (`#[serde(with = ...)]`): only for the copy of a session's
/// account that lives in the process for one request (`web::session_store`).
pub mod account_key_serde {
    use super::AccountId;

    pub fn serialize<S: serde::Serializer>(id: &AccountId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(id.0)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<AccountId, D::Error> {
        <i64 as serde::Deserialize>::deserialize(d).map(AccountId)
    }
}

/// The SQL type of a public id: a UUID's 16 bytes (`BLOB`; `UUID` in PostgreSQL).
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(sqlite_type(name = "Binary"))]
pub struct PublicUuid;

/// The id of an account, group or attribute as the world sees it: a UUID (v7 for rows made
/// here: time-ordered, so new keys are appended to their index), written in its usual
/// hyphenated lower-case form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow)]
#[diesel(sql_type = PublicUuid)]
pub struct PublicId(uuid::Uuid);

impl PublicId {
    /// A new one, for a row about to be inserted.
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    /// From a URL or a form: `None` for anything that is not a UUID (the caller answers "not
    /// found", exactly as for a UUID that names nothing).
    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::try_parse(text).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Uuid::from_bytes(bytes))
    }
}

impl Default for PublicId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for PublicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for PublicId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(s).map(Self)
    }
}

impl serde::Serialize for PublicId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PublicId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("not a UUID"))
    }
}

impl FromSql<PublicUuid, Sqlite> for PublicId {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let bytes = <Vec<u8> as FromSql<Binary, Sqlite>>::from_sql(value)?;
        let bytes: [u8; 16] =
            bytes.try_into().map_err(|b: Vec<u8>| format!("a public id of {} bytes", b.len()))?;
        Ok(Self::from_bytes(bytes))
    }
}

impl ToSql<PublicUuid, Sqlite> for PublicId {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.as_bytes().as_slice());
        Ok(IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_id_reads_back_as_written_and_refuses_anything_else() {
        let id = PublicId::new();
        assert_eq!(PublicId::parse(&id.to_string()), Some(id));
        assert_eq!(id.to_string().len(), 36);
        assert_eq!(PublicId::parse("nobody"), None);
        assert_eq!(PublicId::parse("42"), None);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<PublicId>(&json).unwrap(), id);
    }
}
