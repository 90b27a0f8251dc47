//! `Millis`: how every moment (`domain::clock::At`) is stored — an integer count of
//! milliseconds since 1970 (UTC).
//!
//! Text timestamps took 26 bytes a value and were parsed back by chrono on every row read
//! (diesel tries its format strings one by one: ~4 % of the customer page's CPU by perf); an
//! integer takes 6 bytes and is read with no parsing.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::BigInt;
use diesel::sqlite::{Sqlite, SqliteValue};

use crate::domain::clock::At;

/// The SQL type of a time column (`INTEGER` in SQLite, `BIGINT` in PostgreSQL).
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(sqlite_type(name = "Long"))]
pub struct Millis;

/// Derives `At`'s diesel traits (binding as `Millis`, nullable or not, and reading a row's
/// value) from here, so that the domain does not depend on diesel.
#[derive(AsExpression, FromSqlRow)]
#[diesel(foreign_derive)]
#[diesel(sql_type = Millis)]
#[allow(dead_code)]
struct AtProxy(At);

impl FromSql<Millis, Sqlite> for At {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let ms = <i64 as FromSql<BigInt, Sqlite>>::from_sql(value)?;
        At::from_millis(ms).ok_or_else(|| format!("{ms} is not a time in milliseconds").into())
    }
}

impl ToSql<Millis, Sqlite> for At {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.millis());
        Ok(IsNull::No)
    }
}

/// Moments compare and order as their numbers do (`ORDER BY`, `MIN`, `MAX`).
impl diesel::sql_types::SqlOrd for Millis {}
