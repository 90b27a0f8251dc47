//! Loading many rows at once (`roster seed`). The secondary indexes of the loaded tables and the
//! triggers on `accounts` are set aside, their definitions kept in `bulk_load_pending` by the
//! transaction that drops them; the rows go in as committed batches; then `restore` rebuilds each
//! index once (a sort, far cheaper than millions of random insertions) and does in one statement
//! each what the triggers would have done row by row (the search index, the counts by status).
//! `Db::open` runs `restore` when it finds a load that did not finish, so a file is never served
//! without its indexes. SQLite-specific: read from `sqlite_master`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::Conn;

/// The tables a load writes to; their indexes are set aside (not those behind a PRIMARY KEY or
/// UNIQUE constraint, which SQLite keeps without a statement of their own).
const TABLES: &[&str] = &["accounts", "group_members", "audit_events"];
/// The triggers whose work `restore` does itself: the search index and the counts by status.
const TRIGGER_PREFIXES: &[&str] = &["customer_search_", "customer_counts_"];

#[derive(QueryableByName)]
struct Object {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    type_: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Whether a load left work for `restore`.
pub fn pending(conn: &mut Conn) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let c: Count =
        diesel::sql_query("SELECT COUNT(*) AS n FROM bulk_load_pending").get_result(conn)?;
    Ok(c.n > 0)
}

/// Sets the indexes and triggers aside, remembering them and `accounts`' largest rowid (the
/// rows a load adds come after it), in one transaction.
pub fn set_aside(conn: &mut Conn) -> QueryResult<()> {
    conn.immediate_transaction(|conn| {
        if pending(conn)? {
            // A load that did not finish: its objects are already aside, and the rows it added
            // are after the rowid it recorded.
            return Ok(());
        }
        let after: i64 = diesel::select(diesel::dsl::sql::<BigInt>(
            "(SELECT COALESCE(MAX(rowid), 0) FROM accounts)",
        ))
        .get_result(conn)?;
        let objects: Vec<Object> = diesel::sql_query(
            "SELECT name, type AS type_, sql FROM sqlite_master \
             WHERE sql IS NOT NULL AND ((type = 'index' AND tbl_name IN (?, ?, ?)) \
             OR (type = 'trigger' AND tbl_name = 'accounts'))",
        )
        .bind::<Text, _>(TABLES[0])
        .bind::<Text, _>(TABLES[1])
        .bind::<Text, _>(TABLES[2])
        .load(conn)?;
        for o in objects.iter().filter(|o| {
            o.type_ == "index" || TRIGGER_PREFIXES.iter().any(|p| o.name.starts_with(p))
        }) {
            diesel::sql_query(
                "INSERT INTO bulk_load_pending (name, type, sql, after_rowid) VALUES (?, ?, ?, ?)",
            )
            .bind::<Text, _>(&o.name)
            .bind::<Text, _>(&o.type_)
            .bind::<Text, _>(&o.sql)
            .bind::<BigInt, _>(after)
            .execute(conn)?;
            // An identifier cannot be a bound parameter; the names come from our own schema,
            // quoted as identifiers.
            let drop =
                format!("DROP {} \"{}\"", o.type_.to_uppercase(), o.name.replace('"', "\"\""));
            diesel::sql_query(drop).execute(conn)?;
        }
        Ok(())
    })
}

fn after_rowid(conn: &mut Conn) -> QueryResult<i64> {
    diesel::select(diesel::dsl::sql::<BigInt>(
        "(SELECT COALESCE(MIN(after_rowid), 0) FROM bulk_load_pending)",
    ))
    .get_result(conn)
}

/// Rebuilds what `set_aside` set aside: each index in its own transaction (an interruption
/// keeps the ones done), then the triggers' work and the triggers themselves in one.
/// `progress(done, total, name)` is told before each index.
pub fn restore(conn: &mut Conn, mut progress: impl FnMut(usize, usize, &str)) -> QueryResult<()> {
    let objects: Vec<Object> = diesel::sql_query(
        "SELECT name, type AS type_, sql FROM bulk_load_pending ORDER BY type, name",
    )
    .load(conn)?;
    if objects.is_empty() {
        return Ok(());
    }
    let after = after_rowid(conn)?;
    let indexes: Vec<&Object> = objects.iter().filter(|o| o.type_ == "index").collect();
    // The indexes, then the three steps of the triggers' work.
    let total = indexes.len() + 3;
    for (i, o) in indexes.iter().enumerate() {
        progress(i, total, &o.name);
        conn.immediate_transaction(|conn| {
            diesel::sql_query(o.sql.as_str()).execute(conn)?;
            forget(conn, &o.name)
        })?;
    }
    conn.immediate_transaction(|conn| {
        progress(indexes.len(), total, "search index");
        super::customer_search::index_after(conn, after)?;
        progress(indexes.len() + 1, total, "counts by status");
        super::customer_counts::recount(conn)?;
        for o in objects.iter().filter(|o| o.type_ == "trigger") {
            diesel::sql_query(o.sql.as_str()).execute(conn)?;
            forget(conn, &o.name)?;
        }
        progress(indexes.len() + 2, total, "statistics for the query planner");
        diesel::sql_query("ANALYZE").execute(conn)?;
        Ok::<_, diesel::result::Error>(())
    })?;
    progress(total, total, "done");
    Ok(())
}

fn forget(conn: &mut Conn, name: &str) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM bulk_load_pending WHERE name = ?")
        .bind::<Text, _>(name)
        .execute(conn)?;
    Ok(())
}
