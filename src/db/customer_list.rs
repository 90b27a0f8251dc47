//! The Users list query: keyset pagination over indexed columns, so page 5,000 costs what page 1
//! costs, and no `COUNT(*)` of the whole table.
//!
//! The "Created" order is the order customers were added in: the rowid, which orders the table
//! itself, the status index (`accounts_status`) within a status, and the search index
//! (migration 17).
//! A cursor in that order names its row by public id and creation time, never by rowid.
//!
//! SQLite-specific (marked as such for the PostgreSQL port): the rowid, the
//! `COALESCE(last_sign_in_at, 0)` sort key matching its expression index (migration 16),
//! `+column` steering the planner for dense searches, the partial index of the statuses other
//! than active, and the FTS5 trigram index for a search of three or more characters
//! (`customer_search`).
//! The SQL text is assembled only from the constants below; every value is a bound parameter.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::Conn;
use super::cached_sql::{Bind, CachedSql};
use super::customer_search::{self, prefix_end};
use super::ids::{AccountId, AccountKey, GroupId, PublicId, PublicUuid};
use super::millis::Millis;
use crate::domain::account::Status;
use crate::domain::clock::At;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Created,
    LastSignIn,
    Email,
}

impl SortField {
    /// The value a cursor carries for a row (for "Created", its time: see `created_bounds`).
    fn expr(self) -> &'static str {
        match self {
            Self::Created => "created_at",
            Self::LastSignIn => "COALESCE(last_sign_in_at, 0)",
            Self::Email => "email",
        }
    }

    /// A cursor's key as the SQL compares it: times as the integers they are stored as (a
    /// text parameter compared with an expression such as the COALESCE would sort after every
    /// number).
    fn param(self) -> &'static str {
        match self {
            Self::Created | Self::LastSignIn => "CAST(? AS BIGINT)",
            Self::Email => "?",
        }
    }
}

/// A position in the list: the sort key and public id of a row, so ties on the key stay stable
/// (the row's key breaks them: the cursor's id is looked up in the same statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: String,
    pub id: String,
}

impl Cursor {
    /// The public id's bytes, as the statement binds them (none, matching nothing, if the
    /// cursor was tampered with).
    fn id_bytes(&self) -> Vec<u8> {
        PublicId::parse(&self.id).map(|id| id.as_bytes().to_vec()).unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Lower-cased search term: any part of the email, first or last name, or the start of
    /// "first last" (three characters or more, see `customer_search`); else a prefix of the
    /// email, first or last name.
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
    /// A search's matches already collected (their row ids, see
    /// `customer_search::matching_ids`): the query starts from them.
    pub matches: Option<Vec<i64>>,
    /// In the "Created" order, a search's matches stream from the trigram index in rowid order
    /// (`customer_search::streams`), tested against the filters as they come.
    pub stream: bool,
}

/// A group filter and how to run it, chosen from the group's kept member count.
#[derive(Debug, Clone)]
pub struct GroupFilter {
    pub id: GroupId,
    /// Few members: start from the group's memberships and sort them (cost ~ members).
    /// Many: walk the sort order's index and keep the members (cost ~ page / density).
    pub sparse: bool,
}

/// Above this many members a group is "dense". The two plans cost the same at about
/// sqrt(26 × customers) members, ~5,000 at a million customers; below a million both are cheap.
pub const SPARSE_GROUP_MAX: i32 = 5_000;

#[derive(Debug, Clone, QueryableByName)]
pub struct CustomerRow {
    #[diesel(sql_type = AccountKey)]
    pub key: AccountId,
    #[diesel(sql_type = PublicUuid)]
    pub id: PublicId,
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
    #[diesel(sql_type = Millis)]
    pub created_at: At,
    #[diesel(sql_type = Nullable<Millis>)]
    pub last_sign_in_at: Option<At>,
    /// The sort key exactly as stored, for the next cursor.
    #[diesel(sql_type = Text)]
    pub sort_value: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The FROM and WHERE clauses shared by the page query and the capped count: (SQL, binds).
fn filters(q: &ListQuery) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let term = q.search.as_deref().filter(|t| !t.is_empty());
    let substring = term.filter(|t| customer_search::is_substring(t));
    let sparse_group = q.group.as_ref().is_some_and(|g| g.sparse);
    let mut sql = match &q.group {
        // SQLite: CROSS JOIN fixes the join order, so the group's memberships drive the query
        // (PostgreSQL's planner chooses this itself from statistics).
        Some(g) if g.sparse => {
            binds.push(g.id.get().into());
            String::from(
                " FROM group_members CROSS JOIN accounts ON accounts.id = group_members.account_id \
                 WHERE group_members.group_id = ? AND kind = 'customer'",
            )
        }
        _ if q.matches.is_some() => {
            binds.push(customer_search::ids_json(q.matches.as_deref().unwrap_or_default()).into());
            String::from(customer_search::FROM_COLLECTED)
        }
        _ if streamed(q) => {
            binds.push(customer_search::trigrams(substring.unwrap_or_default()).into());
            String::from(customer_search::FROM_STREAM)
        }
        // "Created" is rowid order: the table itself, or the status index. `+kind` keeps SQLite
        // from walking another index that starts with the kind and sorting (on a file without
        // statistics it did).
        _ if q.sort == SortField::Created => {
            String::from(" FROM accounts WHERE +kind = 'customer'")
        }
        _ => String::from(" FROM accounts WHERE kind = 'customer'"),
    };
    if let Some(g) = q.group.as_ref().filter(|g| !g.sparse) {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM group_members \
             WHERE group_members.group_id = ? AND group_members.account_id = accounts.id)",
        );
        binds.push(g.id.get().into());
    }
    if let Some(status) = q.status {
        sql.push_str(" AND status = ?");
        binds.push(status.as_str().to_owned().into());
        if status != Status::Active {
            // What lets SQLite use the index of the statuses other than active (a partial
            // index; plans follow the SQL text, not the bound value).
            sql.push_str(" AND status <> 'active'");
        }
    }
    // Matches the FROM clause starts from, which need no test: collected ones, or streamed
    // ones of a single trigram.
    let from_matches = (q.matches.is_some() && !sparse_group)
        || (streamed(q) && !substring.is_some_and(customer_search::confirms));
    match (term, substring) {
        (Some(term), None) => prefix(q, term, &mut sql, &mut binds),
        // Streamed candidates, or a walk (many matches, or a small group's members): tested on
        // each row reached.
        (_, Some(term)) if !from_matches => {
            sql.push_str(customer_search::contains(term));
            binds.extend(customer_search::contains_binds(term).into_iter().map(Bind::from));
        }
        // No search, or matches the FROM clause starts from.
        _ => {}
    }
    (sql, binds)
}

/// A one- or two-letter term: a prefix of the email, first or last name.
fn prefix(q: &ListQuery, term: &str, sql: &mut String, binds: &mut Vec<Bind>) {
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
        binds.push(term.to_owned().into());
        binds.push(prefix_end(term).into());
    }
}

pub fn page(conn: &mut Conn, q: &ListQuery) -> QueryResult<Vec<CustomerRow>> {
    let trimmed = page_of_collected(conn, q)?;
    let q = trimmed.as_ref().unwrap_or(q);
    let expr = q.sort.expr();
    let (where_sql, mut binds) = filters(q);
    let mut sql = String::from(
        "SELECT accounts.id AS key, public_id AS id, email, first_name, last_name, status, \
         lock_reason, must_change_password, created_at, last_sign_in_at, ",
    );
    sql.push_str(expr);
    sql.push_str(" AS sort_value");
    sql.push_str(&where_sql);
    let descending = q.descending != q.backwards;
    let (cmp_eq, cmp) = if descending { (" <= ", " < ") } else { (" >= ", " > ") };
    let dir = if descending { " DESC" } else { " ASC" };
    if q.sort == SortField::Created {
        let rowid = created_key(q);
        if let Some(cursor) = &q.cursor {
            let (older_than, newer_than) = created_bounds(conn, cursor)?;
            for part in [" AND ", rowid, cmp, "CAST(? AS BIGINT)"] {
                sql.push_str(part);
            }
            binds.push(if descending { older_than } else { newer_than }.to_string().into());
        }
        for part in [" ORDER BY ", rowid, dir] {
            sql.push_str(part);
        }
    } else {
        if let Some(cursor) = &q.cursor {
            // (key, row) beyond the cursor, spelled so SQLite uses a range on the key's index
            // even when the key is an expression (a row-value comparison would not).
            let key = q.sort.param();
            let row = "(SELECT c.id FROM accounts AS c WHERE c.public_id = ?)";
            for part in
                [" AND ", expr, cmp_eq, key, " AND (", expr, cmp, key, " OR accounts.id", cmp, row]
            {
                sql.push_str(part);
            }
            sql.push(')');
            binds.push(cursor.value.clone().into());
            binds.push(cursor.value.clone().into());
            binds.push(Bind::Bytes(cursor.id_bytes()));
        }
        for part in [" ORDER BY ", expr, dir, ", accounts.id", dir] {
            sql.push_str(part);
        }
    }
    sql.push_str(" LIMIT ?");

    let mut rows: Vec<CustomerRow> = CachedSql::new(sql, binds, Some(q.limit)).load(conn)?;
    if q.backwards {
        rows.reverse();
    }
    Ok(rows)
}

/// In the "Created" order, matches collected without another filter are their own order: the
/// page's row ids are picked here (beyond the cursor, in order, `limit` of them), and only those
/// rows are read, not every match (a full name shared by 358 customers at 10M: 827 req/s when
/// all were read and sorted). The query to run instead, if so.
fn page_of_collected(conn: &mut Conn, q: &ListQuery) -> QueryResult<Option<ListQuery>> {
    let (SortField::Created, Some(ids), None, None) = (q.sort, &q.matches, q.status, &q.group)
    else {
        return Ok(None);
    };
    let descending = q.descending != q.backwards;
    let bounds = match &q.cursor {
        Some(cursor) => Some(created_bounds(conn, cursor)?),
        None => None,
    };
    let mut picked: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|&id| match bounds {
            Some((older_than, _)) if descending => id < older_than,
            Some((_, newer_than)) => id > newer_than,
            None => true,
        })
        .collect();
    picked.sort_unstable();
    if descending {
        picked.reverse();
    }
    picked.truncate(q.limit.max(0) as usize);
    Ok(Some(ListQuery { matches: Some(picked), cursor: None, limit: q.limit, ..q.clone() }))
}

/// Whether the query's rows stream from the search index (`ListQuery::stream`, for a term it
/// can answer, unless the query starts from collected matches or a small group's members).
fn streamed(q: &ListQuery) -> bool {
    q.stream
        && q.matches.is_none()
        && !q.group.as_ref().is_some_and(|g| g.sparse)
        && q.search.as_deref().is_some_and(customer_search::streams)
}

/// The "Created" order's key: the rowid, named as the streamed search index's when the rows
/// come from it, so FTS5 returns its matches in that order itself.
fn created_key(q: &ListQuery) -> &'static str {
    if streamed(q) { "customer_search.rowid" } else { "accounts.rowid" }
}

#[derive(QueryableByName)]
struct RowId {
    #[diesel(sql_type = BigInt)]
    r: i64,
}

/// Where a "Created" cursor's row stands in rowid order, as exclusive bounds: the rows older
/// than it have a rowid below the first, the newer ones above the second. Its rowid when it
/// still exists; else (deleted since the page was shown) between the last row created at or
/// before its time and the next, found by walking back from the newest (rare, so unindexed).
fn created_bounds(conn: &mut Conn, cursor: &Cursor) -> QueryResult<(i64, i64)> {
    let found: Option<RowId> =
        diesel::sql_query("SELECT id AS r FROM accounts WHERE public_id = ?")
            .bind::<diesel::sql_types::Binary, _>(cursor.id_bytes())
            .get_result(conn)
            .optional()?;
    if let Some(RowId { r }) = found {
        return Ok((r, r));
    }
    let before: Option<RowId> = diesel::sql_query(
        "SELECT rowid AS r FROM accounts WHERE created_at <= CAST(? AS BIGINT) \
         ORDER BY rowid DESC LIMIT 1",
    )
    .bind::<Text, _>(&cursor.value)
    .get_result(conn)
    .optional()?;
    let r = before.map_or(0, |b| b.r);
    Ok((r + 1, r))
}

/// The columns a prefix search matches, each with its own index.
const SEARCH_COLUMNS: [&str; 3] = ["email", "first_name_key", "last_name_key"];

/// The row ids of the first `cap` rows of a list in the "Created" order, in its order from its
/// start (the cursor and the direction of travel set aside): one pass that both counts a
/// narrowed search and finds its first page.
pub fn first_ids(conn: &mut Conn, q: &ListQuery, cap: i64) -> QueryResult<Vec<i64>> {
    debug_assert_eq!(q.sort, SortField::Created);
    let (where_sql, binds) = filters(q);
    let rowid = created_key(q);
    let dir = if q.descending { " DESC" } else { " ASC" };
    let sql = format!("SELECT {rowid} AS r{where_sql} ORDER BY {rowid}{dir} LIMIT ?");
    let ids: Vec<RowId> = CachedSql::new(sql, binds, Some(cap)).load(conn)?;
    Ok(ids.into_iter().map(|i| i.r).collect())
}

/// How many customers match, counting no further than `cap` (so it stays cheap at millions).
pub fn count_capped(conn: &mut Conn, q: &ListQuery, cap: i64) -> QueryResult<i64> {
    if let (Some(term), None, None) =
        (q.search.as_deref().filter(|t| !t.is_empty()), q.status, &q.group)
    {
        // From the search index (a row read per candidate), or for a prefix from the indexes
        // alone: one column alone reaching the cap settles it;
        // the OR of all three (a row-id set to deduplicate) is only needed when each is below.
        if customer_search::is_substring(term) {
            return customer_search::count_matches(conn, term, cap);
        } else {
            for column in SEARCH_COLUMNS {
                let mut sql = String::from(
                    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM accounts WHERE kind = 'customer' AND ",
                );
                for part in [column, " >= ? AND ", column, " < ? LIMIT ?) AS capped"] {
                    sql.push_str(part);
                }
                let binds = vec![term.to_owned(), prefix_end(term)];
                if CachedSql::new(sql, binds, Some(cap)).get_result::<Count>(conn)?.n >= cap {
                    return Ok(cap);
                }
            }
        }
    }
    // Counted as the page collects or walks its rows (`dense_search`): a walk has no bound
    // but the cap, so callers count by walking only what they know to be bounded.
    let (where_sql, binds) = filters(q);
    let mut sql = String::from("SELECT COUNT(*) AS n FROM (SELECT 1");
    sql.push_str(&where_sql);
    sql.push_str(" LIMIT ?) AS capped");
    Ok(CachedSql::new(sql, binds, Some(cap)).get_result::<Count>(conn)?.n)
}
