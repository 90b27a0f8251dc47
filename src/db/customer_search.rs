//! The Users list's search for a term of three characters or more: any part of the email (a
//! domain too) or of the full name ("first last", so "donna yam" as well as "onald").
//!
//! `customer_search` is an FTS5 table with the trigram tokenizer (contentless, keyed by
//! `accounts.id`, kept by triggers; migration 2026-12-07-000021_lean_search). It records only
//! which customers hold each trigram (`detail=none`), not where: a term is every trigram of it
//! (`trigrams`), and the row's own columns confirm that they stand together (`contains`), a row
//! read per match. That index is 37 bytes per customer; one with positions, which could
//! confirm a phrase by itself, took 140.
//!
//! In the "Created" order, which is key order, the matches stream from the trigram index in
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

/// Whether `term` can only be part of a full name (it has a space, which no email has).
fn is_full_name(term: &str) -> bool {
    term.contains(' ')
}

/// The term as an FTS5 query: each of its trigrams once, as a quoted string (so no character
/// of it is query syntax; `"` is doubled, as FTS5 strings escape it), all of them required.
pub fn trigrams(term: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    let mut seen: Vec<String> = Vec::new();
    for window in chars.windows(MIN_CHARS) {
        let trigram: String = window.iter().collect();
        if !seen.contains(&trigram) {
            seen.push(trigram);
        }
    }
    let quoted: Vec<String> =
        seen.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
    quoted.join(" ")
}

/// The first string after every string that starts with `prefix` (byte-wise, as SQLite's BINARY
/// collation compares): `prefix` followed by the largest code point.
pub fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    end
}

/// The FROM clause of a search in key order: the trigram index's candidates joined to their
/// accounts, ordered by `customer_search.rowid`, which FTS5 itself returns in order, so a page
/// stops after its rows; `contains` must follow to confirm each. CROSS JOIN fixes that order
/// whatever SQLite's statistics say. Bind: `trigrams`.
pub const FROM_STREAM: &str = " FROM customer_search CROSS JOIN accounts \
     ON accounts.id = customer_search.rowid \
     WHERE customer_search MATCH ? AND kind = 'customer'";

/// The matches' keys (column `r`) in key order: `FROM_STREAM` confirmed by `contains`.
/// Binds: `match_binds`.
fn matches_sql(term: &str) -> String {
    format!(
        "SELECT customer_search.rowid AS r{FROM_STREAM}{} ORDER BY customer_search.rowid",
        contains(term)
    )
}

fn match_binds(term: &str) -> Vec<String> {
    let mut binds = vec![trigrams(term)];
    binds.extend(contains_binds(term));
    binds
}

/// The FROM clause that starts from matches already collected (`matching_ids`), joined to
/// their accounts by key; bind: their keys as a JSON array (`ids_json`). The search's
/// indexes are then read once per page, not again for the rows after the count.
pub const FROM_COLLECTED: &str = " FROM (SELECT value AS r FROM json_each(?)) AS matches \
     CROSS JOIN accounts ON accounts.id = matches.r WHERE kind = 'customer'";

pub fn ids_json(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

/// The test of a row's own columns: the term stands in the email or in the full name. Also
/// what a walk of an order tests on each row it reaches (many matches, or the few members of a
/// small group). Binds: `contains_binds`.
pub fn contains(term: &str) -> &'static str {
    if is_full_name(term) {
        " AND instr(first_name_key || ' ' || last_name_key, ?) > 0"
    } else {
        // Without a space, a part of "first last" is a part of the first or of the last name:
        // tested without building the full name on every row walked (the concatenation was a
        // third of a walk's time by perf).
        " AND (instr(email, ?) > 0 OR instr(first_name_key, ?) > 0 OR instr(last_name_key, ?) > 0)"
    }
}

pub fn contains_binds(term: &str) -> Vec<String> {
    let n = if is_full_name(term) { 1 } else { 3 };
    vec![term.to_owned(); n]
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many customers match `term`, counting no further than `cap` (only customers are in the
/// index; a row read per candidate confirms it). None for a term without a trigram.
pub fn count_matches(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<i64> {
    if !is_substring(term) {
        return Ok(0);
    }
    let sql = format!("SELECT COUNT(*) AS n FROM ({} LIMIT ?)", matches_sql(term));
    Ok(CachedSql::new(sql, match_binds(term), Some(cap)).get_result::<Count>(conn)?.n)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    r: i64,
}

/// The keys of the customers matching `term`, no more than `cap`, in key order (FTS5's own);
/// none for a term without a trigram.
pub fn matching_ids(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<Vec<i64>> {
    if !is_substring(term) {
        return Ok(Vec::new());
    }
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
