//! Failed tries per client address and limit (`accounts::throttle`): one row per address that
//! failed within its limit's window.

use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::Conn;
use super::schema::client_failures as f;
use crate::domain::clock::At;

/// An address's failures in its window, and when the window started.
pub fn find(conn: &mut Conn, scope: &str, client: &str) -> QueryResult<Option<(i32, At)>> {
    f::table.find((scope, client)).select((f::failures, f::window_start)).first(conn).optional()
}

/// Counts one failure of `client` at `at`, in a new window when its last one started at or
/// before `over_from` (so it is over): one statement, so that two processes counting the same
/// address at once both count. Returns the failures of the window, this one included, and when
/// the window started.
pub fn count(
    conn: &mut Conn,
    scope: &str,
    client: &str,
    at: At,
    over_from: At,
) -> QueryResult<(i32, At)> {
    let over = f::window_start.le(over_from);
    diesel::insert_into(f::table)
        .values((
            f::scope.eq(scope),
            f::client.eq(client),
            f::failures.eq(1),
            f::window_start.eq(at),
        ))
        .on_conflict((f::scope, f::client))
        .do_update()
        .set((
            f::failures.eq(case_when(over, excluded(f::failures)).otherwise(f::failures + 1)),
            f::window_start
                .eq(case_when(over, excluded(f::window_start)).otherwise(f::window_start)),
        ))
        .execute(conn)?;
    f::table.find((scope, client)).select((f::failures, f::window_start)).first(conn)
}

/// Forgets `client`'s failures (it signed in).
pub fn forget(conn: &mut Conn, scope: &str, client: &str) -> QueryResult<usize> {
    diesel::delete(f::table.find((scope, client))).execute(conn)
}

/// Deletes up to `limit` windows of `scope` that started at or before `over_from`: they no
/// longer count.
pub fn delete_over(conn: &mut Conn, scope: &str, over_from: At, limit: i64) -> QueryResult<usize> {
    let over: Vec<String> = f::table
        .filter(f::scope.eq(scope))
        .filter(f::window_start.le(over_from))
        .select(f::client)
        .limit(limit)
        .load(conn)?;
    diesel::delete(f::table.filter(f::scope.eq(scope)).filter(f::client.eq_any(&over)))
        .execute(conn)
}
