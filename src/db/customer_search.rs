//! The Users list's search for a term of three characters or more: any part of the email (a
//! domain too), or the start of the full name ("Donna", "Donna Yam") or of the last name. Three
//! branches, each served by its own index (migration 2026-12-06-000013_search):
//! - the email: `customer_search`, an FTS5 table with the trigram tokenizer (contentless, keyed
//!   by `accounts.rowid`, kept by triggers); the term is a phrase of trigrams, which matches
//!   where they stand one after another, i.e. anywhere in the address;
//! - "first last": the expression index `accounts_kind_full_name`;
//! - the last name: `accounts_kind_last_name`.
//!
//! Few matches are collected from the three and sorted; many are found by walking the sort
//! order's index, testing each entry with `contains` (see `customer_list`).
//!
//! Shorter terms have no trigram; the list keeps its prefix search for them. Terms and keys are
//! lower-cased (`search_key`), so the index and the `instr()` of the dense walk agree.
//! SQLite-specific, like the migration (PostgreSQL: pg_trgm).

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::Conn;
use super::cached_sql::CachedSql;

/// The shortest term the trigram index can answer.
pub const MIN_CHARS: usize = 3;

/// Whether `term` is searched by this module (any part of the email), not as a prefix only.
pub fn is_substring(term: &str) -> bool {
    term.chars().count() >= MIN_CHARS
}

/// The term as an FTS5 query: one quoted string (a phrase), so no character of it is query
/// syntax (`"` is doubled, as FTS5 strings escape it).
pub fn phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The first string after every string that starts with `prefix` (byte-wise, as SQLite's BINARY
/// collation compares): `prefix` followed by the largest code point.
pub fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    end
}

/// The three branches, read one after another, each from its own index: row ids (column `r`,
/// some twice). Binds: `match_binds`.
macro_rules! branches {
    () => {
        "SELECT rowid AS r FROM customer_search WHERE customer_search MATCH ? \
         UNION ALL SELECT rowid FROM accounts WHERE kind = 'customer' \
             AND first_name_key || ' ' || last_name_key >= ? \
             AND first_name_key || ' ' || last_name_key < ? \
         UNION ALL SELECT rowid FROM accounts WHERE kind = 'customer' \
             AND last_name_key >= ? AND last_name_key < ?"
    };
}

/// The FROM clause that starts from the matches, each row id once, joined to its account by
/// rowid (binds: `match_binds`). CROSS JOIN fixes that order whatever SQLite's statistics say
/// (on a database that never ran ANALYZE it otherwise walked the whole sort index testing each
/// row). The matches stream, so a count with a cap stops there: a multi-index OR first
/// collected every match of the email index (166,000 for a domain at a million customers:
/// 140 ms against 33 ms this way, counted with a status filter).
pub const FROM_MATCHES: &str = concat!(
    " FROM (SELECT DISTINCT r FROM (",
    branches!(),
    ")) AS matches CROSS JOIN accounts ON accounts.rowid = matches.r WHERE kind = 'customer'"
);

/// The FROM clause that starts from matches already collected (`matching_ids`), joined to
/// their accounts by rowid; bind: their row ids as a JSON array (`ids_json`). The search's
/// indexes are then read once per page, not again for the rows after the count.
pub const FROM_COLLECTED: &str = " FROM (SELECT value AS r FROM json_each(?)) AS matches \
     CROSS JOIN accounts ON accounts.rowid = matches.r WHERE kind = 'customer'";

pub fn ids_json(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

pub fn match_binds(term: &str) -> Vec<String> {
    let end = prefix_end(term);
    vec![phrase(term), term.to_owned(), end.clone(), term.to_owned(), end]
}

/// The same test on a row's own columns, which the sort orders' indexes carry; `+` keeps SQLite
/// from serving it from another index, so it walks the sort order and stops after a page of
/// matches. Also for the few members of a small group. Binds: `contains_binds`.
pub fn contains(term: &str) -> &'static str {
    if term.contains(' ') {
        " AND (instr(email, ?) > 0 \
         OR (+(first_name_key || ' ' || last_name_key) >= ? \
             AND +(first_name_key || ' ' || last_name_key) < ?) \
         OR (+last_name_key >= ? AND +last_name_key < ?))"
    } else {
        // Without a space, "first last" starts with the term exactly when the first name
        // does: tested without building the full name on every row walked (the concatenation
        // was a third of a dense walk's time by perf, ~16,700 rows for a page of a 0.15 %
        // term at a million customers).
        " AND (instr(email, ?) > 0 \
         OR (+first_name_key >= ? AND +first_name_key < ?) \
         OR (+last_name_key >= ? AND +last_name_key < ?))"
    }
}

pub fn contains_binds(term: &str) -> Vec<String> {
    let end = prefix_end(term);
    vec![term.to_owned(), term.to_owned(), end.clone(), term.to_owned(), end]
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many customers match `term`, counting no further than `cap`, from the indexes alone
/// (only customers are in them). The first branch with `cap` matches ends it.
pub fn count_matches(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<i64> {
    const SQL: &str =
        concat!("SELECT COUNT(*) AS n FROM (SELECT DISTINCT r FROM (", branches!(), ") LIMIT ?)");
    Ok(CachedSql::new(SQL.to_owned(), match_binds(term), Some(cap)).get_result::<Count>(conn)?.n)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    r: i64,
}

/// The row ids of the customers matching `term`, no more than `cap`, from the indexes alone.
pub fn matching_ids(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<Vec<i64>> {
    const SQL: &str = concat!("SELECT DISTINCT r FROM (", branches!(), ") LIMIT ?");
    let ids: Vec<Id> = CachedSql::new(SQL.to_owned(), match_binds(term), Some(cap)).load(conn)?;
    Ok(ids.into_iter().map(|i| i.r).collect())
}

/// Indexes the customers with a rowid above `after`, in one statement, then merges the index
/// into one segment. For `roster seed`, which bulk-inserts with the triggers dropped: one pass
/// instead of a trigger program per row.
pub fn index_after(conn: &mut Conn, after: i64) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO customer_search (rowid, email_text) \
         SELECT rowid, email FROM accounts WHERE kind = 'customer' AND rowid > ?",
    )
    .bind::<BigInt, _>(after)
    .execute(conn)?;
    diesel::sql_query("INSERT INTO customer_search (customer_search) VALUES ('optimize')")
        .execute(conn)?;
    Ok(())
}
