//! The Users list: parse what the page asked for, fetch one page by keyset, say whether there
//! are pages before and after, and count matches only up to a cap.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::QueryResult;

use std::collections::HashMap;

use crate::db::customer_list::{
    self, Cursor, CustomerRow, GroupFilter, ListQuery, SPARSE_GROUP_MAX, SortField,
};
use crate::db::ids::AccountId;
use crate::db::{Conn, Db};
use crate::db::{customer_counts, customer_search, groups};
use crate::domain::account::Status;
use crate::domain::name::search_key;
use crate::error::AppError;

pub const DEFAULT_PER_PAGE: i64 = 25;
pub const PAGE_SIZES: [i64; 3] = [25, 50, 100];
/// Counting stops here, for a one- or two-letter prefix, a group-filtered search and the
/// list's other filters without a kept total: "more than 1,000 customers" is as useful as an
/// exact figure and stays cheap (a thousand index entries). A search of three characters or
/// more in the "Created" order stops at `SEARCH_COUNT_CAP`.
///
/// The count also decides how a search runs. Up to this many matches are collected from the
/// search index (or, for a one- or two-letter prefix, the email/name indexes) and sorted: a row
/// lookup each. Beyond it, matches are dense enough that walking the "Created" order (the table
/// itself, read in order) finds a page sooner: ~26/density rows at a tenth of a lookup each. The
/// two cost the same at about sqrt(2.6 × customers) matches, ~1,600 at a million.
pub const COUNT_CAP: i64 = 1_000;

/// In the email and last sign-in orders, a dense search walks an index that carries no names
/// (migration 21 took them out of the last sign-in one: 50 bytes per customer): a row lookup
/// per entry rather than a tenth of one, so collecting and sorting the matches stays the
/// cheaper plan up to ~sqrt(26 × 3 × customers) matches. Measured at 1M customers: 4,756
/// matches collected and sorted in 12 ms; walking the email index to a page of them, 12–60 ms.
/// Only a substring search without filters, whose count comes from the search index.
pub const INDEX_ORDER_SPARSE_MAX: i64 = 5_000;

/// Up to how many matches a search collects and sorts them (beyond, it walks an index).
fn sparse_max(q: &ListQuery) -> i64 {
    let substring = q.search.as_deref().is_some_and(customer_search::is_substring);
    if q.sort != SortField::Created && substring && q.status.is_none() && q.group.is_none() {
        INDEX_ORDER_SPARSE_MAX
    } else {
        COUNT_CAP
    }
}

/// A search of three characters or more in the "Created" order (the list's default), and a
/// search with more than `sparse_max` matches narrowed by a status, is counted only this far
/// ("More than 100 matching customers"). Counting reads a row per match (to confirm the search
/// index's candidate) or per status customer: at 10M customers, a domain or a name shared by
/// thousands took ~1 ms to count to 1,001, more than the rest of the page (the list's whole
/// request takes ~0.35 ms), and its p99 under load missed 15 ms; to 101, 0.08 ms
/// (`bench/HISTORY.md`, "Counting a search to 100"). "More than 100" tells the administrator
/// what "more than 1,000" did: narrow the search. Other orders collect their matches anyway
/// and count as far as they collect (`sparse_max`).
pub const SEARCH_COUNT_CAP: i64 = 100;

/// Decides how the page's rows are fetched (`dense_search`, `matches`, `stream`) and counts them
/// as far as that decision needs: (count, the cap it stopped at).
fn plan(conn: &mut Conn, q: &mut ListQuery) -> QueryResult<(i64, i64)> {
    let sparse_max = sparse_max(q);
    let term = q.search.clone().unwrap_or_default();
    let sparse_group = q.group.as_ref().is_some_and(|g| g.sparse);
    if !customer_search::is_substring(&term) || sparse_group {
        // No search, a prefix, or a small group's members tested one by one.
        let counted = customer_list::count_capped(conn, q, sparse_max + 1)?;
        q.dense_search = !term.is_empty() && counted > sparse_max;
        return Ok((counted, sparse_max));
    }
    // In the "Created" order without a group, more than a hundred matches are streamed (or,
    // narrowed by a status, maybe walked: `walks_status`) and counted to 100 only: the first
    // 101 matches are enough to decide.
    if !customer_search::can_match(&term) {
        // Longer than any email or full name: no customer matches, and nothing is searched.
        q.matches = Some(Vec::new());
        return Ok((0, sparse_max));
    }
    let streams = q.sort == SortField::Created && customer_search::streams(&term);
    let collect_max = if streams && q.group.is_none() { SEARCH_COUNT_CAP } else { sparse_max };
    let ids = customer_search::matching_ids(conn, &term, collect_max + 1)?;
    let narrowed = q.status.is_some() || q.group.is_some();
    if ids.len() as i64 <= collect_max {
        // Every match is known: the count and the page start from them.
        let found = ids.len() as i64;
        q.matches = Some(ids);
        return match narrowed {
            true => Ok((customer_list::count_capped(conn, q, sparse_max + 1)?, sparse_max)),
            false => Ok((found, sparse_max)),
        };
    }
    // Many matches. In the "Created" order (rowid order) they stream from the search index,
    // which stops after a page, unless a small status's index is cheaper to walk (below).
    // Other orders, and a large group, walk the order testing each row.
    if streams && q.group.is_none() {
        q.dense_search = walks_status(conn, q, &ids)?;
        q.stream = !q.dense_search;
    } else {
        q.dense_search = true;
    }
    match (q.status, &q.group) {
        (None, None) => Ok((collect_max + 1, collect_max)),
        (Some(_), None) if streams => {
            // Counted by finding the first 101 in the list's order: a first page is among them,
            // and reads only its own rows (not a second pass over the matches).
            let cap = SEARCH_COUNT_CAP;
            let first = customer_list::first_ids(conn, q, cap + 1)?;
            let counted = first.len() as i64;
            if q.cursor.is_none() {
                q.matches = Some(first.into_iter().take(q.limit.max(0) as usize).collect());
                (q.stream, q.dense_search) = (false, false);
            }
            Ok((counted, cap))
        }
        (Some(_), None) => {
            let cap = SEARCH_COUNT_CAP;
            Ok((customer_list::count_capped(conn, q, cap + 1)?, cap))
        }
        _ => Ok((customer_list::count_capped(conn, q, sparse_max + 1)?, sparse_max)),
    }
}

/// Whether a search with many matches, narrowed by a status alone, is counted and listed by
/// walking the status's index (rowid order, a row read and tested per entry) rather than
/// streaming the search's matches (a row read per match to test its status). Each reads about
/// as many rows as it takes to find `SEARCH_COUNT_CAP` matches of the status: the walk
/// cap / the term's share of customers, or the status's customers if fewer; the stream cap /
/// the status's share, or the term's matches if fewer. The term's share is estimated from
/// `first_ids`, its first matches in rowid order: where the last of them stands among all rows.
/// At a million: "example.org" among the locked is walked (~600 rows instead of ~2,500), a
/// part of an email shared by 0.15 % streamed (~1,500 rows instead of every locked customer).
fn walks_status(conn: &mut Conn, q: &ListQuery, first_ids: &[i64]) -> QueryResult<bool> {
    let (Some(status), None, Some(&last)) = (q.status, &q.group, first_ids.last()) else {
        return Ok(false);
    };
    let counts = customer_counts::by_status(conn)?;
    let all = counts.iter().map(|(_, n)| n).sum::<i64>().max(1) as f64;
    let mine = counts.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n).max(1) as f64;
    let rows = customer_search::last_rowid(conn)?.max(last) as f64;
    let matches = (first_ids.len() as f64 * rows / last.max(1) as f64).min(all);
    let cap = SEARCH_COUNT_CAP as f64;
    let walked = mine.min(cap * all / matches);
    let streamed = matches.min(cap * all / mine);
    Ok(walked <= streamed)
}

/// The list's parameters as they appear in the URL (all optional).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    /// A group's id: only its members.
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub per_page: Option<i64>,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
    /// The position of the page's first row (1-based), carried by the page links only to say
    /// "26–50 of 1,000"; never trusted for anything else (see `ListRequest::at`).
    #[serde(default)]
    pub at: Option<i64>,
}

/// The parsed, validated request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub search: String,
    pub status: Option<Status>,
    pub group: Option<String>,
    pub sort: SortField,
    pub descending: bool,
    pub per_page: i64,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    /// The claimed position of the first row, at least 1; clamp it to what the page shows.
    pub at: Option<i64>,
}

pub struct ListPage {
    pub rows: Vec<CustomerRow>,
    /// Cursor for "Next" (the last row shown), when there are more rows.
    pub next: Option<String>,
    /// Cursor for "Previous" (the first row shown), when there are rows before.
    pub prev: Option<String>,
    /// Matches, counted up to `count_cap + 1`.
    pub count: i64,
    /// Where the count stopped: `COUNT_CAP`; `SEARCH_COUNT_CAP` for a search in the "Created"
    /// order or one with many matches narrowed by a status; `INDEX_ORDER_SPARSE_MAX` for a
    /// search sorted by email or last sign-in.
    pub count_cap: i64,
    /// Exactly how many rows the filter matches, when kept counts say it without counting rows:
    /// no search and no group (all customers, or one status), or a group alone.
    pub total: Option<i64>,
    /// The group filter's name, to say what was filtered.
    pub group_name: Option<String>,
    /// Each shown customer's groups, by name (one query for the page).
    pub groups_of: HashMap<AccountId, Vec<String>>,
}

pub const UNKNOWN_GROUP: AppError =
    AppError::BadRequest("This group no longer exists. Choose another in the Group filter.");

impl ListRequest {
    pub fn parse(p: &ListParams) -> Result<Self, AppError> {
        let status = match p.status.as_str() {
            "" | "all" => None,
            s => Some(Status::parse(s).ok_or(AppError::BadRequest("Unknown status filter."))?),
        };
        let sort = match p.sort.as_str() {
            "" | "created" => SortField::Created,
            "last_sign_in" => SortField::LastSignIn,
            "email" => SortField::Email,
            _ => return Err(AppError::BadRequest("Unknown sort order.")),
        };
        let descending = match p.dir.as_str() {
            "" => sort != SortField::Email,
            "desc" => true,
            "asc" => false,
            _ => return Err(AppError::BadRequest("Unknown sort direction.")),
        };
        let per_page = p.per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, 100);
        Ok(Self {
            search: search_key(&p.q),
            status,
            group: Some(p.group.clone()).filter(|g| !g.is_empty()),
            sort,
            descending,
            per_page,
            after: p.after.as_deref().map(decode_cursor).transpose()?,
            before: p.before.as_deref().map(decode_cursor).transpose()?,
            at: p.at.map(|n| n.max(1)),
        })
    }

    pub fn sort_name(&self) -> &'static str {
        match self.sort {
            SortField::Created => "created",
            SortField::LastSignIn => "last_sign_in",
            SortField::Email => "email",
        }
    }
}

pub fn encode_cursor(c: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\n{}", c.value, c.id))
}

pub fn decode_cursor(s: &str) -> Result<Cursor, AppError> {
    const BAD: AppError =
        AppError::BadRequest("This page link is not valid. Start from the first page.");
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| BAD)?;
    let text = String::from_utf8(bytes).map_err(|_| BAD)?;
    let (value, id) = text.split_once('\n').ok_or(BAD)?;
    Ok(Cursor { value: value.to_owned(), id: id.to_owned() })
}

pub async fn list_customers(db: &Db, req: ListRequest) -> Result<ListPage, AppError> {
    db.run(move |conn| {
        let group = match &req.group {
            Some(id) => Some(groups::find(conn, id)?.ok_or(UNKNOWN_GROUP)?),
            None => None,
        };
        let backwards = req.before.is_some() && req.after.is_none();
        let mut query = ListQuery {
            search: Some(req.search.clone()).filter(|s| !s.is_empty()),
            status: req.status,
            sort: req.sort,
            descending: req.descending,
            limit: req.per_page + 1,
            cursor: if backwards { req.before.clone() } else { req.after.clone() },
            backwards,
            dense_search: false,
            group: group
                .as_ref()
                .map(|g| GroupFilter { id: g.id, sparse: g.member_count <= SPARSE_GROUP_MAX }),
            matches: None,
            stream: false,
        };
        let total = match (&group, &query.search, query.status) {
            // Kept counts: no row is counted here.
            (None, None, None) => Some(customer_counts::total(conn)?),
            (None, None, Some(status)) => Some(customer_counts::of_status(conn, status)?),
            (Some(g), None, None) => Some(i64::from(g.member_count)),
            _ => None,
        };
        let (counted, count_cap) = match total {
            Some(n) => (n, COUNT_CAP),
            None => plan(conn, &mut query)?,
        };
        let count = counted.min(count_cap + 1);
        let mut rows = customer_list::page(conn, &query)?;
        let per_page = req.per_page as usize;
        let more = rows.len() > per_page;
        if more {
            // The extra row is beyond the page: at the end going forwards, at the start going back.
            if backwards {
                rows.remove(0);
            } else {
                rows.truncate(per_page);
            }
        }
        let cursor_of = |r: &CustomerRow| {
            encode_cursor(&Cursor { value: r.sort_value.clone(), id: r.id.to_string() })
        };
        let (has_prev, has_next) =
            if backwards { (more, true) } else { (query.cursor.is_some(), more) };
        let next = rows.last().filter(|_| has_next).map(cursor_of);
        let prev = rows.first().filter(|_| has_prev).map(cursor_of);
        let keys: Vec<AccountId> = rows.iter().map(|r| r.key).collect();
        let mut groups_of: HashMap<AccountId, Vec<String>> = HashMap::new();
        for (account, name) in groups::names_for_accounts(conn, &keys)? {
            groups_of.entry(account).or_default().push(name);
        }
        let group_name = group.map(|g| g.name);
        Ok(ListPage { rows, next, prev, count, count_cap, total, group_name, groups_of })
    })
    .await
}
