//! `StoredHash`: how a password hash is stored. The hashes Roster makes are argon2id PHC strings
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, 97 bytes), mostly their fixed preamble and
//! base64; they are stored as their numbers and bytes instead (55 bytes: 42 per customer with a
//! password, 10 % of a customer's bytes at 10M). Any other hash (a different algorithm or an
//! unusual form, such as one imported later) is kept as its text, and a file upgraded from an
//! earlier release keeps its text hashes until each is next set: both read back as the string.
//!
//! A compact value starts with a byte no text hash starts with (`ARGON2ID_V19`), then the
//! parameters m, t, p (LEB128), the salt's length and bytes, then the hash's bytes. It is made
//! only when turning it back gives the very same string, so nothing is ever lost.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use diesel::deserialize::{self, FromSql};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Binary;
use diesel::sqlite::{Sqlite, SqliteValue};

/// The SQL type of `accounts.password_hash`: bytes, or text for a hash kept as it came.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(sqlite_type(name = "Binary"))]
pub struct StoredHash;

/// The first byte of a compact argon2id (version 19) hash.
const ARGON2ID_V19: u8 = 1;
const PREFIX: &str = "$argon2id$v=19$";

/// The compact form of `phc`, if it has one that turns back into the same string.
pub fn compact(phc: &str) -> Option<Vec<u8>> {
    let rest = phc.strip_prefix(PREFIX)?;
    let mut parts = rest.split('$');
    let (params, salt, hash) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let mut numbers = [0u32; 3];
    let mut named = params.split(',');
    for (n, name) in numbers.iter_mut().zip(["m=", "t=", "p="]) {
        *n = named.next()?.strip_prefix(name)?.parse().ok()?;
    }
    if named.next().is_some() {
        return None;
    }
    let salt = STANDARD_NO_PAD.decode(salt).ok()?;
    let hash = STANDARD_NO_PAD.decode(hash).ok()?;
    let mut out = vec![ARGON2ID_V19];
    for n in numbers {
        push_leb128(&mut out, n);
    }
    out.push(u8::try_from(salt.len()).ok()?);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&hash);
    // "m=019456" or a salt with stray bits would not come back as written: kept as text.
    (expand(&out).as_deref() == Some(phc)).then_some(out)
}

/// The string a stored value stands for: a compact hash written out again, or the text itself.
pub fn expand(stored: &[u8]) -> Option<String> {
    let Some((&ARGON2ID_V19, mut rest)) = stored.split_first() else {
        return String::from_utf8(stored.to_vec()).ok();
    };
    let mut numbers = [0u32; 3];
    for n in numbers.iter_mut() {
        (*n, rest) = read_leb128(rest)?;
    }
    let (&salt_len, rest) = rest.split_first()?;
    let (salt, hash) = rest.split_at_checked(usize::from(salt_len))?;
    let [m, t, p] = numbers;
    Some(format!(
        "{PREFIX}m={m},t={t},p={p}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(hash)
    ))
}

fn push_leb128(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let mut n: u32 = 0;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        n |= u32::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}

impl FromSql<StoredHash, Sqlite> for String {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        // A text value reads as its bytes too.
        let stored = <Vec<u8> as FromSql<Binary, Sqlite>>::from_sql(value)?;
        expand(&stored).ok_or_else(|| "a stored password hash that cannot be read".into())
    }
}

/// A hash to write (`compact` when it can be).
#[derive(Debug, Clone, Copy, AsExpression)]
#[diesel(sql_type = StoredHash)]
pub struct HashText<'a>(pub &'a str);

impl ToSql<StoredHash, Sqlite> for HashText<'_> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        // Bytes either way: SQLite's binder refuses text for a column bound as Binary ("Type
        // mismatch"), so a hash without a compact form is stored as its UTF-8 bytes (`expand`
        // reads them back as the string; no text hash starts with `ARGON2ID_V19`).
        match compact(self.0) {
            Some(bytes) => out.set_value(bytes),
            None => out.set_value(self.0.as_bytes()),
        }
        Ok(IsNull::No)
    }
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// A text hash's compact form, or NULL when it has none (migration 21 converts a file's
    /// hashes with it).
    fn roster_compact_hash(
        text: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<Binary>;
    /// A stored hash as text again (migration 21's down, for the release before it).
    fn roster_hash_text(
        stored: diesel::sql_types::Nullable<Binary>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Makes the two conversions above callable in this connection's SQL (its migrations).
pub fn register_functions(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    roster_compact_hash_utils::register_impl(conn, |text: Option<String>| {
        text.as_deref().and_then(compact)
    })?;
    roster_hash_text_utils::register_impl(conn, |stored: Option<Vec<u8>>| {
        stored.as_deref().and_then(expand)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argon2id_hash_made_here_is_stored_in_55_bytes_and_comes_back_the_same() {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let salt = SaltString::generate(&mut OsRng);
        let phc = argon2::Argon2::default()
            .hash_password(b"correct horse battery staple", &salt)
            .unwrap()
            .to_string();
        let stored = compact(&phc).expect("compact");
        assert_eq!(stored.len(), 55, "{phc}");
        assert_eq!(expand(&stored).as_deref(), Some(phc.as_str()));
    }

    #[test]
    fn any_other_hash_is_kept_as_its_text() {
        for text in [
            "$argon2id$v=19$m=019456,t=2,p=1$eYs6XhlA6ukJjvOCn+yDqA$08Pq+KMEh+obZsSseuTWDV3ioYOsgHZIoxCqK7HmQgY",
            "$argon2id$v=19$m=19456,t=2,p=1,keyid=x$eYs6XhlA6ukJjvOCn+yDqA$08Pq",
            "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA",
            "$2b$12$KIXQJ6G1b7Ww4mB0Yf8r4eVJd0pY1s0mXxQJ9r1bG7Q8o3m6W9c1e",
            "pbkdf2_sha256$600000$salt$hash=",
            "$argon2id$v=19$m=19456,t=2,p=1$eYs6XhlA6ukJjvOCn+yDqB$08Pq",
        ] {
            assert_eq!(compact(text), None, "{text}");
            assert_eq!(expand(text.as_bytes()).as_deref(), Some(text));
        }
    }

    #[test]
    fn a_damaged_compact_value_is_an_error_not_a_wrong_hash() {
        let phc = "$argon2id$v=19$m=19456,t=2,p=1$eYs6XhlA6ukJjvOCn+yDqA$08Pq+KMEh+obZsSseuTWDV3ioYOsgHZIoxCqK7HmQgY";
        let stored = compact(phc).unwrap();
        assert_eq!(expand(&stored[..3]), None);
        assert_eq!(expand(&[ARGON2ID_V19, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), None);
    }
}
