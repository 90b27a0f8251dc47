//! Queries on `signing_keys` (a few rows: the keys that sign, and retired ones still published).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Conn;
use super::schema::signing_keys as k;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = k, check_for_backend(diesel::sqlite::Sqlite))]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub private_sealed: String,
    pub public_jwk: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
    pub published_until: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut Conn,
    kid: &str,
    alg: &str,
    private_sealed: &str,
    public_jwk: &str,
    at: NaiveDateTime,
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
pub fn published(conn: &mut Conn, at: NaiveDateTime) -> QueryResult<Vec<StoredKey>> {
    k::table
        .filter(k::retired_at.is_null().or(k::published_until.gt(at)))
        .order((k::alg, k::created_at.desc()))
        .select(StoredKey::as_select())
        .load(conn)
}

/// The key stops signing; its public part stays published until `published_until`.
pub fn retire(
    conn: &mut Conn,
    kid: &str,
    at: NaiveDateTime,
    published_until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(k::table.find(kid))
        .filter(k::retired_at.is_null())
        .set((k::retired_at.eq(at), k::published_until.eq(published_until)))
        .execute(conn)
}
