//! Substring search over customers' email addresses and full names: the `customer_search` FTS5
//! table (trigram tokenizer, contentless, keyed by `accounts.rowid`), kept by triggers on
//! `accounts` (migration 2026-12-06-000013_search). SQLite-specific, like the migration.
//!
//! A term of three or more characters is a phrase of trigrams: it matches where its trigrams
//! stand one after another, i.e. anywhere inside the email ("ith@exa", "example.com") or inside
//! "first last" ("donna yam"). Shorter terms have no trigram; the list keeps its prefix search
//! for them. The terms are lower-cased (`search_key`) and so is the indexed text, so the index
//! and the `instr()` filter of the dense plan agree.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::Conn;
use super::cached_sql::CachedSql;

/// The shortest term the trigram index can answer.
pub const MIN_CHARS: usize = 3;

/// Whether `term` is searched as a substring (through the index or `instr()`), not a prefix.
pub fn is_substring(term: &str) -> bool {
    term.chars().count() >= MIN_CHARS
}

/// The term as an FTS5 query: one quoted string (a phrase), so no character of it is query
/// syntax (`"` is doubled, as FTS5 strings escape it).
pub fn phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The FROM clause that starts from the index's matches (bind: `phrase(term)`), each joined to
/// its account by rowid. CROSS JOIN fixes the order (PostgreSQL's planner would choose it).
pub const FROM_MATCHES: &str = " FROM customer_search CROSS JOIN accounts \
     ON accounts.rowid = customer_search.rowid WHERE customer_search MATCH ?";

/// The same test without the index, on an account's own columns (binds: the term, twice). For
/// walking an index that carries these columns, and for the few members of a small group.
pub const CONTAINS: &str = " AND (instr(email, ?) > 0 \
     OR instr(first_name_key || ' ' || last_name_key, ?) > 0)";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many customers match `term`, counting no further than `cap`, from the index alone.
pub fn count_matches(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<i64> {
    let sql = "SELECT COUNT(*) AS n FROM (SELECT 1 FROM customer_search \
               WHERE customer_search MATCH ? LIMIT ?)"
        .to_owned();
    Ok(CachedSql::new(sql, vec![phrase(term)], Some(cap)).get_result::<Count>(conn)?.n)
}

/// Indexes the customers with a rowid above `after`, in one statement, then merges the index
/// into one segment. For `roster seed`, which bulk-inserts with the triggers dropped: one pass
/// instead of a trigger program per row.
pub fn index_after(conn: &mut Conn, after: i64) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO customer_search (rowid, email_text, full_name) \
         SELECT rowid, email, first_name_key || ' ' || last_name_key FROM accounts \
         WHERE kind = 'customer' AND rowid > ?",
    )
    .bind::<BigInt, _>(after)
    .execute(conn)?;
    optimize(conn)
}

/// Merges the index's segments into one (a query then reads one doclist per trigram).
pub fn optimize(conn: &mut Conn) -> QueryResult<()> {
    diesel::sql_query("INSERT INTO customer_search (customer_search) VALUES ('optimize')")
        .execute(conn)?;
    Ok(())
}
