//! Queries on `signing_keys` (a few rows: the keys that sign, and retired ones still published).

use diesel::prelude::*;

use super::Conn;
use super::schema::signing_keys as k;

use crate::domain::clock::At;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = k, check_for_backend(diesel::sqlite::Sqlite))]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub private_sealed: String,
    pub public_jwk: String,
    pub created_at: At,
    pub retired_at: Option<At>,
    pub published_until: Option<At>,
}

pub fn insert(
    conn: &mut Conn,
    kid: &str,
    alg: &str,
    private_sealed: &str,
    public_jwk: &str,
    at: At,
) -> QueryResult<usize> {
    diesel::insert_into(k::table)
        .values((
            k::kid.eq(kid),
            k::alg.eq(alg),
            k::private_sealed.eq(private_sealed),
            k::public_jwk.eq(public_jwk),
            k::created_at.eq(at),
        ))
        .execute(conn)
}

/// The key of `alg` that signs now (the newest not retired).
pub fn active(conn: &mut Conn, alg: &str) -> QueryResult<Option<StoredKey>> {
    k::table
        .filter(k::alg.eq(alg))
        .filter(k::retired_at.is_null())
        .order(k::created_at.desc())
        .select(StoredKey::as_select())
        .first(conn)
        .optional()
}

/// The keys whose public part is published at `at`: those that sign, and retired ones until
/// the tokens they signed have expired.
pub fn published(conn: &mut Conn, at: At) -> QueryResult<Vec<StoredKey>> {
    k::table
        .filter(k::retired_at.is_null().or(k::published_until.gt(at)))
        .order((k::alg, k::created_at.desc()))
        .select(StoredKey::as_select())
        .load(conn)
}

/// The key stops signing; its public part stays published until `published_until`.
pub fn retire(conn: &mut Conn, kid: &str, at: At, published_until: At) -> QueryResult<usize> {
    diesel::update(k::table.find(kid))
        .filter(k::retired_at.is_null())
        .set((k::retired_at.eq(at), k::published_until.eq(published_until)))
        .execute(conn)
}
