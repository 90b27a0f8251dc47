//! Hand-written SQL whose prepared statement is kept in the connection's cache.
//!
//! diesel never caches `sql_query` statements, so the Users list re-parsed and re-planned its
//! two statements on every request (~5 % of the server's CPU under load, by perf). The SQL of
//! those queries comes in a few dozen shapes, each built only from constants, so caching them by
//! their text (diesel's cache key for queries without a static id) is safe and bounded.

use diesel::QueryResult;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Text, Untyped};
use diesel::sqlite::Sqlite;
use diesel::{RunQueryDsl, SqliteConnection};

pub struct CachedSql {
    sql: String,
    /// Text parameters, bound in order.
    texts: Vec<String>,
    /// An integer bound after the texts (the LIMIT).
    last: Option<i64>,
}

impl CachedSql {
    pub fn new(sql: String, texts: Vec<String>, last: Option<i64>) -> Self {
        Self { sql, texts, last }
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
        let expected = self.texts.len() + usize::from(self.last.is_some());
        if self.sql.matches('?').count() != expected {
            return Err(diesel::result::Error::QueryBuilderError(
                format!("{expected} parameters for a statement with other placeholders").into(),
            ));
        }
        out.push_sql(segments.next().unwrap_or_default());
        for text in &self.texts {
            out.push_bind_param::<Text, _>(text)?;
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
