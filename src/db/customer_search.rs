//! The Users list's search for a term of three characters or more:
//! - without a space, any part of the email (a domain too) or of the full name: `customer_search`,
//!   an FTS5 table with the trigram tokenizer (contentless, keyed by `accounts.rowid`, kept by
//!   triggers; migration 2026-12-07-000017_search_order); the term is a phrase of trigrams,
//!   which matches where they stand one after another, i.e. anywhere in a column;
//! - with a space, the start of the full name ("Donna Yam"): the expression index
//!   `accounts_kind_full_name` (an email has no space).
//!
//! In the "Created" order, which is rowid order, the matches stream from the trigram index in
//! that order and a page stops after its rows (`FROM_STREAM`). Other orders collect few
//! matches and sort them, or walk the order's index testing each entry with `contains` (see
//! `customer_list`).
//!
//! Shorter terms have no trigram; the list keeps its prefix search for them. Terms and keys are
//! lower-cased (`search_key`), so the index and the `instr()` of a walk agree.
//! SQLite-specific, like the migration (PostgreSQL: pg_trgm).

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::Conn;
use super::cached_sql::CachedSql;

/// The shortest term the trigram index can answer.
pub const MIN_CHARS: usize = 3;

/// Whether `term` is searched by this module (any part of the email or name), not as a prefix.
pub fn is_substring(term: &str) -> bool {
    term.chars().count() >= MIN_CHARS
}

/// Whether `term` is matched from the start of the full name (it has a space), not by the
/// trigram index.
pub fn is_full_name(term: &str) -> bool {
    term.contains(' ')
}

/// Whether a search for `term` can stream from the trigram index in rowid order.
pub fn streams(term: &str) -> bool {
    is_substring(term) && !is_full_name(term)
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

/// The matches' row ids (column `r`), from one index: the trigram index for a term without a
/// space, else the full-name index. Binds: `match_binds`.
fn matches_sql(term: &str) -> &'static str {
    if is_full_name(term) {
        "SELECT rowid AS r FROM accounts WHERE kind = 'customer' \
         AND first_name_key || ' ' || last_name_key >= ? \
         AND first_name_key || ' ' || last_name_key < ?"
    } else {
        // In rowid order, which FTS5 reads in (no sort): see `accounts::list::walks_status`.
        "SELECT rowid AS r FROM customer_search WHERE customer_search MATCH ? ORDER BY rowid"
    }
}

pub fn match_binds(term: &str) -> Vec<String> {
    if is_full_name(term) { vec![term.to_owned(), prefix_end(term)] } else { vec![phrase(term)] }
}

/// The FROM clause of a search in rowid order (`streams`): the trigram index's matches joined
/// to their accounts; ordered by `customer_search.rowid`, which FTS5 itself returns in order,
/// so a page stops after its rows. CROSS JOIN fixes that order whatever SQLite's statistics
/// say. Bind: `phrase`.
pub const FROM_STREAM: &str = " FROM customer_search CROSS JOIN accounts \
     ON accounts.rowid = customer_search.rowid \
     WHERE customer_search MATCH ? AND kind = 'customer'";

/// The FROM clause that starts from matches already collected (`matching_ids`), joined to
/// their accounts by rowid; bind: their row ids as a JSON array (`ids_json`). The search's
/// indexes are then read once per page, not again for the rows after the count.
pub const FROM_COLLECTED: &str = " FROM (SELECT value AS r FROM json_each(?)) AS matches \
     CROSS JOIN accounts ON accounts.rowid = matches.r WHERE kind = 'customer'";

pub fn ids_json(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

/// The same test on a row's own columns, which the order indexes carry; `+` keeps SQLite from
/// serving it from another index, so it walks the order and stops after a page of matches.
/// Also for the few members of a small group. Binds: `contains_binds`.
pub fn contains(term: &str) -> &'static str {
    if is_full_name(term) {
        " AND +(first_name_key || ' ' || last_name_key) >= ? \
         AND +(first_name_key || ' ' || last_name_key) < ?"
    } else {
        // Without a space, a part of "first last" is a part of the first or of the last name:
        // tested without building the full name on every row walked (the concatenation was a
        // third of a walk's time by perf).
        " AND (instr(email, ?) > 0 OR instr(first_name_key, ?) > 0 OR instr(last_name_key, ?) > 0)"
    }
}

pub fn contains_binds(term: &str) -> Vec<String> {
    if is_full_name(term) {
        vec![term.to_owned(), prefix_end(term)]
    } else {
        vec![term.to_owned(); 3]
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many customers match `term`, counting no further than `cap`, from the indexes alone
/// (only customers are in them).
pub fn count_matches(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM ({} LIMIT ?)", matches_sql(term));
    Ok(CachedSql::new(sql, match_binds(term), Some(cap)).get_result::<Count>(conn)?.n)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    r: i64,
}

/// The row ids of the customers matching `term`, no more than `cap`, from the indexes alone;
/// from the trigram index in rowid order (FTS5's own).
pub fn matching_ids(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<Vec<i64>> {
    let sql = format!("{} LIMIT ?", matches_sql(term));
    let ids: Vec<Id> = CachedSql::new(sql, match_binds(term), Some(cap)).load(conn)?;
    Ok(ids.into_iter().map(|i| i.r).collect())
}

/// The largest rowid of `accounts` (rows are numbered as they are added): with the rowids of
/// a term's first matches, where they stand among all rows.
pub fn last_rowid(conn: &mut Conn) -> QueryResult<i64> {
    diesel::select(diesel::dsl::sql::<BigInt>("(SELECT COALESCE(MAX(rowid), 0) FROM accounts)"))
        .get_result(conn)
}

/// Indexes the customers with a rowid above `after`, in one statement and in rowid order, then
/// merges the index into one segment. FTS5 writes out what it holds in memory whenever a rowid
/// is not above the last one: read in another index's order (SQLite chose the last sign-in
/// index for `kind`), 1M customers took 35 s instead of 11. For `roster seed`, which bulk-inserts with the triggers dropped: one pass
/// instead of a trigger program per row.
pub fn index_after(conn: &mut Conn, after: i64) -> QueryResult<()> {
    // FTS5 writes its in-memory terms out as a segment every `hashsize` bytes (1 MiB by
    // default) and merges segments as they pile up: 64 MiB for this one statement made fewer
    // (1M customers: 6.3 s → 4.0 s), then the default is back for the triggers' single rows.
    diesel::sql_query(
        "INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 67108864)",
    )
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO customer_search (rowid, email_text, name_text) \
         SELECT rowid, email, first_name_key || ' ' || last_name_key FROM accounts \
         WHERE +kind = 'customer' AND rowid > ? ORDER BY rowid",
    )
    .bind::<BigInt, _>(after)
    .execute(conn)?;
    diesel::sql_query("INSERT INTO customer_search (customer_search) VALUES ('optimize')")
        .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 1048576)",
    )
    .execute(conn)?;
    Ok(())
}
