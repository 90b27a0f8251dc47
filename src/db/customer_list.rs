//! The Users list query: keyset pagination over indexed columns, so page 5,000 costs what page 1
//! costs, and no `COUNT(*)` of the whole table.
//!
//! SQLite-specific (marked as such for the PostgreSQL port): the `COALESCE(last_sign_in_at, '')`
//! sort key matches the expression index of the first migration, `+column` steers the planner
//! for dense searches, and a search of three or more characters uses the FTS5 trigram index
//! (`customer_search`) or, when it matches many rows, `instr()` on the sort index's columns.
//! The SQL text is assembled only from the constants below; every value is a bound parameter.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::Conn;
use super::cached_sql::CachedSql;
use super::customer_search;
use crate::domain::account::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Created,
    LastSignIn,
    Email,
}

impl SortField {
    fn expr(self) -> &'static str {
        match self {
            Self::Created => "created_at",
            Self::LastSignIn => "COALESCE(last_sign_in_at, '')",
            Self::Email => "email",
        }
    }
}

/// A position in the list: the sort key and id of a row, so ties on the key stay stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: String,
    pub id: String,
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Lower-cased search term: any part of the email or of "first last" (three characters or
    /// more, see `customer_search`), else a prefix of the email, first or last name.
    pub search: Option<String>,
    pub status: Option<Status>,
    pub sort: SortField,
    pub descending: bool,
    /// Rows to fetch; the caller asks for one more than it shows to learn if there is more.
    pub limit: i64,
    pub cursor: Option<Cursor>,
    /// Fetch the rows *before* the cursor (for "Previous"), in reverse order.
    pub backwards: bool,
    /// The search matches many rows: walk the sort order's index and filter, instead of
    /// collecting every match from the search index (or the name/email indexes, for a prefix)
    /// and sorting them. See `accounts::list::COUNT_CAP`.
    pub dense_search: bool,
    /// Only members of this group.
    pub group: Option<GroupFilter>,
}

/// A group filter and how to run it, chosen from the group's kept member count.
#[derive(Debug, Clone)]
pub struct GroupFilter {
    pub id: String,
    /// Few members: start from the group's memberships and sort them (cost ~ members).
    /// Many: walk the sort order's index and keep the members (cost ~ page / density).
    pub sparse: bool,
}

/// Above this many members a group is "dense". The two plans cost the same at about
/// sqrt(26 × customers) members, ~5,000 at a million customers; below a million both are cheap.
pub const SPARSE_GROUP_MAX: i32 = 5_000;

#[derive(Debug, Clone, QueryableByName)]
pub struct CustomerRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub first_name: String,
    #[diesel(sql_type = Text)]
    pub last_name: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub lock_reason: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub must_change_password: bool,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub last_sign_in_at: Option<NaiveDateTime>,
    /// The sort key exactly as stored, for the next cursor.
    #[diesel(sql_type = Text)]
    pub sort_value: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The first string after every string that starts with `prefix` (byte-wise, as SQLite's BINARY
/// collation compares): `prefix` followed by the largest code point.
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    end
}

/// The FROM and WHERE clauses shared by the page query and the capped count: (SQL, binds).
/// `count`: for counting rather than fetching a page, where a substring term always starts from
/// the search index's matches (the count stops at its cap; a dense walk would not).
fn filters(q: &ListQuery, count: bool) -> (String, Vec<String>) {
    let mut binds = Vec::new();
    let term = q.search.as_deref().filter(|t| !t.is_empty());
    let substring = term.filter(|t| customer_search::is_substring(t));
    let sparse_group = q.group.as_ref().is_some_and(|g| g.sparse);
    // A small group's members drive the query and are tested one by one; otherwise a substring
    // term with few matches starts from the search index (cost ~ matches, then a sort of them).
    let from_matches = substring.is_some() && !sparse_group && (count || !q.dense_search);
    let mut sql = match &q.group {
        // SQLite: CROSS JOIN fixes the join order, so the group's memberships drive the query
        // (PostgreSQL's planner chooses this itself from statistics).
        Some(g) if g.sparse => {
            binds.push(g.id.clone());
            String::from(
                " FROM group_members CROSS JOIN accounts ON accounts.id = group_members.account_id \
                 WHERE group_members.group_id = ? AND kind = 'customer'",
            )
        }
        _ if from_matches => {
            binds.push(customer_search::phrase(substring.unwrap_or_default()));
            let mut sql = String::from(customer_search::FROM_MATCHES);
            sql.push_str(" AND kind = 'customer'");
            sql
        }
        _ => String::from(" FROM accounts WHERE kind = 'customer'"),
    };
    if let Some(g) = q.group.as_ref().filter(|g| !g.sparse) {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM group_members \
             WHERE group_members.group_id = ? AND group_members.account_id = accounts.id)",
        );
        binds.push(g.id.clone());
    }
    if let Some(status) = q.status {
        sql.push_str(" AND status = ?");
        binds.push(status.as_str().to_owned());
    }
    match (term, substring) {
        (_, Some(_)) if from_matches => {}
        (_, Some(term)) => {
            // Dense, or a small group's members: `instr()` on the columns that the sort
            // order's index carries, so the walk decides from the index and fetches only the
            // rows it shows.
            sql.push_str(customer_search::CONTAINS);
            binds.push(term.to_owned());
            binds.push(term.to_owned());
        }
        (Some(term), None) => {
            if q.dense_search {
                // `+column` keeps SQLite from using the column's index, so it walks the sort
                // order's index and stops after a page of matches.
                sql.push_str(
                    " AND ((+email >= ? AND +email < ?) \
                     OR (+first_name_key >= ? AND +first_name_key < ?) \
                     OR (+last_name_key >= ? AND +last_name_key < ?))",
                );
            } else {
                // Each OR branch repeats the kind so SQLite serves it from its own index.
                sql.push_str(
                    " AND ((kind = 'customer' AND email >= ? AND email < ?) \
                     OR (kind = 'customer' AND first_name_key >= ? AND first_name_key < ?) \
                     OR (kind = 'customer' AND last_name_key >= ? AND last_name_key < ?))",
                );
            }
            for _ in 0..3 {
                binds.push(term.to_owned());
                binds.push(prefix_end(term));
            }
        }
        (None, None) => {}
    }
    (sql, binds)
}

pub fn page(conn: &mut Conn, q: &ListQuery) -> QueryResult<Vec<CustomerRow>> {
    let expr = q.sort.expr();
    let (where_sql, mut binds) = filters(q, false);
    let mut sql = String::from(
        "SELECT id, email, first_name, last_name, status, lock_reason, must_change_password, \
         created_at, \
         last_sign_in_at, ",
    );
    sql.push_str(expr);
    sql.push_str(" AS sort_value");
    sql.push_str(&where_sql);
    let descending = q.descending != q.backwards;
    if let Some(cursor) = &q.cursor {
        // (key, id) beyond the cursor, spelled so SQLite uses a range on the key's index even
        // when the key is an expression (a row-value comparison would not).
        let (cmp_eq, cmp) = if descending { (" <= ?", " < ?") } else { (" >= ?", " > ?") };
        for part in [" AND ", expr, cmp_eq, " AND (", expr, cmp, " OR id", cmp, ")"] {
            sql.push_str(part);
        }
        binds.push(cursor.value.clone());
        binds.push(cursor.value.clone());
        binds.push(cursor.id.clone());
    }
    let dir = if descending { " DESC" } else { " ASC" };
    sql.push_str(" ORDER BY ");
    sql.push_str(expr);
    sql.push_str(dir);
    sql.push_str(", id");
    sql.push_str(dir);
    sql.push_str(" LIMIT ?");

    let mut rows: Vec<CustomerRow> = CachedSql::new(sql, binds, Some(q.limit)).load(conn)?;
    if q.backwards {
        rows.reverse();
    }
    Ok(rows)
}

/// The columns a search matches, each with its own index.
const SEARCH_COLUMNS: [&str; 3] = ["email", "first_name_key", "last_name_key"];

/// How many customers match, counting no further than `cap` (so it stays cheap at millions).
pub fn count_capped(conn: &mut Conn, q: &ListQuery, cap: i64) -> QueryResult<i64> {
    if let (Some(term), None, None) =
        (q.search.as_deref().filter(|t| !t.is_empty()), q.status, &q.group)
    {
        if customer_search::is_substring(term) {
            // Only customers are indexed: the index alone answers.
            return customer_search::count_matches(conn, term, cap);
        }
        // One column alone reaching the cap settles it, from that column's index alone; the OR
        // of all three (a row-id set to deduplicate) is only needed when each is below it.
        for column in SEARCH_COLUMNS {
            let mut sql = String::from(
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM accounts WHERE kind = 'customer' AND ",
            );
            for part in [column, " >= ? AND ", column, " < ? LIMIT ?)"] {
                sql.push_str(part);
            }
            let binds = vec![term.to_owned(), prefix_end(term)];
            if CachedSql::new(sql, binds, Some(cap)).get_result::<Count>(conn)?.n >= cap {
                return Ok(cap);
            }
        }
    }
    let (where_sql, binds) = filters(q, true);
    let mut sql = String::from("SELECT COUNT(*) AS n FROM (SELECT 1");
    sql.push_str(&where_sql);
    sql.push_str(" LIMIT ?)");
    Ok(CachedSql::new(sql, binds, Some(cap)).get_result::<Count>(conn)?.n)
}
