//! The number of customers by status, kept in `customer_counts` by triggers on `accounts`
//! (migration 2026-12-06-000013_search) in the transaction of every insert, delete and status
//! change, so the Users list knows "of 1,000,000" without counting a million rows per request.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::Conn;
use super::cached_sql::CachedSql;
use crate::domain::account::Status;

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    customers: i64,
}

/// Customers of each status, in `Status::ALL` order (a status without a row counts 0).
pub fn by_status(conn: &mut Conn) -> QueryResult<Vec<(Status, i64)>> {
    let sql = "SELECT status, customers FROM customer_counts".to_owned();
    let rows: Vec<Counter> = CachedSql::new(sql, Vec::<String>::new(), None).load(conn)?;
    Ok(Status::ALL
        .iter()
        .map(|s| {
            let n = rows.iter().find(|r| r.status == s.as_str()).map_or(0, |r| r.customers);
            (*s, n)
        })
        .collect())
}

/// Customers of one status.
pub fn of_status(conn: &mut Conn, status: Status) -> QueryResult<i64> {
    let sql = "SELECT status, customers FROM customer_counts WHERE status = ?".to_owned();
    let rows: Vec<Counter> =
        CachedSql::new(sql, vec![status.as_str().to_owned()], None).load(conn)?;
    Ok(rows.first().map_or(0, |r| r.customers))
}

/// Every customer.
pub fn total(conn: &mut Conn) -> QueryResult<i64> {
    Ok(by_status(conn)?.iter().map(|(_, n)| n).sum())
}

/// Counts again from `accounts`, for `roster seed`, which bulk-inserts with the triggers
/// dropped: the statuses other than active from their index (a row read each for the kind),
/// and the active ones as what is left of all customers, counted from the smallest index of
/// customers. The table is not read whole: at 10M, a count of active customers by a scan took
/// longer than building an index.
pub fn recount(conn: &mut Conn) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE customer_counts SET customers = CASE status \
         WHEN 'active' THEN (SELECT COUNT(*) FROM accounts WHERE kind = 'customer') \
           - (SELECT COUNT(*) FROM accounts a WHERE a.status <> 'active' AND a.kind = 'customer') \
         ELSE (SELECT COUNT(*) FROM accounts a WHERE a.status = customer_counts.status \
           AND a.status <> 'active' AND a.kind = 'customer') END",
    )
    .execute(conn)?;
    Ok(())
}
