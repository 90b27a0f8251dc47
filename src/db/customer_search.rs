//! The Users list's search for a term of three characters or more:
//! - without a space, any part of the email (a domain too) or of the first or last name:
//!   `customer_search`, an FTS5 table with the trigram tokenizer (contentless, keyed by
//!   `accounts.id`, kept by triggers; migration 2026-12-07-000021_lean_search). It records only
//!   which customers hold each trigram (`detail=none`), not where: 38 bytes per customer at 10M,
//!   where one with positions took 127. A term is looked up by its trigrams (`trigrams`): a
//!   term of three characters is one trigram, exact; a longer one, all its trigrams (or, from
//!   nine characters, those that cover it), confirmed on the row's own columns (`contains`, a
//!   row read per candidate);
//! - with a space, the start of the full name ("Donna Yam"): the customers' index of
//!   (first name, last name) keys, one range per way of splitting the term into a first name
//!   and the start of a last name (`full_name_matches`). An email has no space.
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

/// The longest term that can match: no email (254 characters at most) nor full name (201)
/// holds a longer one. Longer terms match nothing, unsearched (`can_match`); this also bounds
/// the trigrams of a query and the statements of a full name (one per count of its spaces).
pub const MAX_CHARS: usize = 254;

/// Whether `term` is short enough to be part of an email or a full name.
pub fn can_match(term: &str) -> bool {
    term.chars().count() <= MAX_CHARS
}

/// Whether `term` is searched by this module (any part of the email or name, or the start of
/// the full name), not as a prefix of one column.
pub fn is_substring(term: &str) -> bool {
    term.chars().count() >= MIN_CHARS
}

/// Whether `term` is matched from the start of the full name (it has a space), not by the
/// trigram index.
pub fn is_full_name(term: &str) -> bool {
    term.contains(' ')
}

/// Whether a search for `term` can stream from the trigram index in key order.
pub fn streams(term: &str) -> bool {
    is_substring(term) && !is_full_name(term)
}

/// Whether the trigram index's candidates for `term` are its matches: a single trigram.
fn exact(term: &str) -> bool {
    term.chars().count() == MIN_CHARS
}

/// Terms up to this long are looked up by all their trigrams; longer ones by a cover.
const COVER_FROM: usize = 9;

/// The term as an FTS5 query: its trigrams, each once, as a quoted string (so no character of
/// it is query syntax; `"` is doubled, as FTS5 strings escape it), all of them required. A term
/// of `COVER_FROM` characters or more is looked up by the trigrams that cover it without
/// overlapping (those starting at every third character, and the last one): every character
/// stands in one of them, so a candidate is nearly always a match, and `contains` confirms it;
/// the trigrams in between would only narrow it further at the cost of walking their lists (at
/// 1M customers, counting "example.org" to 1,001 took 0.68 ms with all nine and 0.40 with four,
/// a whole email 1.17 ms with 23 and 0.36 with 9: `bench/HISTORY.md`). A shorter term keeps
/// them all: a cover of two trigrams ("mar", "com" for "marcom") can hold many customers whom
/// the trigrams between ("rco") would have left out, each a row read to confirm.
pub fn trigrams(term: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    let last = chars.len().saturating_sub(MIN_CHARS);
    let step = if chars.len() >= COVER_FROM { MIN_CHARS } else { 1 };
    let starts = (0..last).step_by(step).chain([last]);
    let mut seen: Vec<String> = Vec::new();
    for start in starts.filter(|_| chars.len() >= MIN_CHARS) {
        let trigram: String = chars[start..start + MIN_CHARS].iter().collect();
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

/// The ways "first last" can start with `term`: the first name itself starts with it (a first
/// name of several words), or the first name is the term up to one of its spaces and the last
/// name starts with the rest. One range of the (first, last) index each, as a UNION ALL (an OR
/// of them was planned as a scan of the whole index on a file without statistics); no row is
/// in two of them, as their first names differ. Column `r`, and the binds.
fn full_name_matches(term: &str) -> (String, Vec<String>) {
    let mut sql = String::from(
        "SELECT id AS r FROM accounts WHERE kind = 'customer' \
         AND first_name_key >= ? AND first_name_key < ?",
    );
    let mut binds = vec![term.to_owned(), prefix_end(term)];
    for (at, _) in term.match_indices(' ') {
        let (first, rest) = (&term[..at], &term[at + 1..]);
        sql.push_str(
            " UNION ALL SELECT id AS r FROM accounts WHERE kind = 'customer' \
             AND first_name_key = ? AND last_name_key >= ? AND last_name_key < ?",
        );
        binds.extend([first.to_owned(), rest.to_owned(), prefix_end(rest)]);
    }
    (sql, binds)
}

/// The FROM clause of a search in key order (`streams`): the trigram index's candidates
/// joined to their accounts, ordered by `customer_search.rowid`, which FTS5 itself returns in
/// order, so a page stops after its rows; `contains` follows. CROSS JOIN fixes that order
/// whatever SQLite's statistics say. Bind: `trigrams`.
pub const FROM_STREAM: &str = " FROM customer_search CROSS JOIN accounts \
     ON accounts.id = customer_search.rowid \
     WHERE customer_search MATCH ? AND kind = 'customer'";

/// The matches' keys (column `r`) and the binds: from the full-name index for a term with a
/// space; else from the trigram index in key order (FTS5's own: see
/// `accounts::list::walks_status`), reading no row for a single trigram.
fn matches_sql(term: &str) -> (String, Vec<String>) {
    if is_full_name(term) {
        full_name_matches(term)
    } else if exact(term) {
        let sql = "SELECT rowid AS r FROM customer_search WHERE customer_search MATCH ? \
                   ORDER BY rowid";
        (sql.to_owned(), vec![trigrams(term)])
    } else {
        let sql = format!(
            "SELECT customer_search.rowid AS r{FROM_STREAM}{} ORDER BY customer_search.rowid",
            contains(term)
        );
        let mut binds = vec![trigrams(term)];
        binds.extend(contains_binds(term));
        (sql, binds)
    }
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

/// The test of a row's own columns, for what the indexes do not settle: a candidate of the
/// trigram index (none for a single trigram, which is exact), or each row a walk of an order
/// reaches (many matches, or the few members of a small group). `+` keeps SQLite from serving
/// a full name from its index, so a walk stops after a page of matches. Binds:
/// `contains_binds`.
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

/// Whether streamed candidates of `term` need `contains` (more than one trigram).
pub fn confirms(term: &str) -> bool {
    !exact(term)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many customers match `term`, counting no further than `cap` (see `matches_sql`). None
/// for a term without a trigram.
pub fn count_matches(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<i64> {
    if !is_substring(term) || !can_match(term) {
        return Ok(0);
    }
    let (sql, binds) = matches_sql(term);
    let sql = format!("SELECT COUNT(*) AS n FROM ({sql} LIMIT ?) AS capped");
    Ok(CachedSql::new(sql, binds, Some(cap)).get_result::<Count>(conn)?.n)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    r: i64,
}

/// The keys of the customers matching `term`, no more than `cap` (in key order from the
/// trigram index); none for a term without a trigram.
pub fn matching_ids(conn: &mut Conn, term: &str, cap: i64) -> QueryResult<Vec<i64>> {
    if !is_substring(term) || !can_match(term) {
        return Ok(Vec::new());
    }
    let (sql, binds) = matches_sql(term);
    let ids: Vec<Id> = CachedSql::new(format!("{sql} LIMIT ?"), binds, Some(cap)).load(conn)?;
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

#[cfg(test)]
mod tests {
    use super::trigrams;

    #[test]
    fn a_long_term_is_looked_up_by_the_trigrams_that_cover_it_a_short_one_by_all() {
        assert_eq!(trigrams("abc"), r#""abc""#);
        assert_eq!(trigrams("abcd"), r#""abc" "bcd""#);
        assert_eq!(trigrams("marcom"), r#""mar" "arc" "rco" "com""#);
        assert_eq!(trigrams("zoë\"x"), r#""zoë" "oë""" "ë""x""#);
        assert_eq!(trigrams("abcdefgh"), r#""abc" "bcd" "cde" "def" "efg" "fgh""#);
        assert_eq!(trigrams("abcdefghi"), r#""abc" "def" "ghi""#);
        assert_eq!(trigrams("example.org"), r#""exa" "mpl" "e.o" "org""#);
        assert_eq!(trigrams("aaaaaaaaaaa"), r#""aaa""#);
        assert_eq!(trigrams("zoë\"xzoë\"x"), r#""zoë" """xz" "oë""" "ë""x""#);
    }
}
