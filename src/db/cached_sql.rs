//! Hand-written SQL whose prepared statement is kept in the connection's cache.
//!
//! diesel never caches `sql_query` statements, so the Users list re-parsed and re-planned its
//! two statements on every request (~5 % of the server's CPU under load, by perf). The SQL of
//! those queries comes in a few dozen shapes, each built only from constants, so caching them by
//! their text (diesel's cache key for queries without a static id) is safe and bounded.

use diesel::QueryResult;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Binary, Nullable, Text, Untyped};
use diesel::sqlite::Sqlite;
use diesel::{RunQueryDsl, SqliteConnection};

pub struct CachedSql {
    sql: String,
    /// Parameters, bound in order.
    binds: Vec<Bind>,
    /// An integer bound after the others (the LIMIT).
    last: Option<i64>,
}

/// A parameter: text, an integer (a key) or bytes (a public id); or one that may be NULL,
/// bound with the same SQL type either way (the statement cache is keyed by the bind types, so
/// a statement whose NULLs vary row by row stays one entry).
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Integer(i64),
    Bytes(Vec<u8>),
    MaybeText(Option<String>),
    MaybeInteger(Option<i64>),
    MaybeBytes(Option<Vec<u8>>),
}

impl From<String> for Bind {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<i64> for Bind {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl CachedSql {
    pub fn new<B: Into<Bind>>(sql: String, binds: Vec<B>, last: Option<i64>) -> Self {
        Self { sql, binds: binds.into_iter().map(Into::into).collect(), last }
    }
}

impl QueryId for CachedSql {
    type QueryId = ();
    // No static id: diesel then keys the cached statement by its SQL text and bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for CachedSql {
    type SqlType = Untyped;
}

impl QueryFragment<Sqlite> for CachedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        // diesel writes each placeholder itself, so the `?`s of the text are where the binds go.
        let mut segments = self.sql.split('?');
        let expected = self.binds.len() + usize::from(self.last.is_some());
        if self.sql.matches('?').count() != expected {
            return Err(diesel::result::Error::QueryBuilderError(
                format!("{expected} parameters for a statement with other placeholders").into(),
            ));
        }
        out.push_sql(segments.next().unwrap_or_default());
        for bind in &self.binds {
            match bind {
                Bind::Text(text) => out.push_bind_param::<Text, _>(text)?,
                Bind::Integer(n) => out.push_bind_param::<BigInt, _>(n)?,
                Bind::Bytes(bytes) => out.push_bind_param::<Binary, _>(bytes)?,
                Bind::MaybeText(text) => out.push_bind_param::<Nullable<Text>, _>(text)?,
                Bind::MaybeInteger(n) => out.push_bind_param::<Nullable<BigInt>, _>(n)?,
                Bind::MaybeBytes(bytes) => out.push_bind_param::<Nullable<Binary>, _>(bytes)?,
            }
            out.push_sql(segments.next().unwrap_or_default());
        }
        if let Some(n) = &self.last {
            out.push_bind_param::<BigInt, _>(n)?;
            out.push_sql(segments.next().unwrap_or_default());
        }
        Ok(())
    }
}

impl RunQueryDsl<SqliteConnection> for CachedSql {}
