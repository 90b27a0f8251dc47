//! `roster seed`: many realistic customers (and audit events), fast, in constant memory and
//! disk. Customers are made in the order they were created (their UUIDv7 ids ascending, so every
//! key is appended, never inserted in the middle), in committed batches of multi-row INSERTs,
//! with the secondary indexes set aside and rebuilt once at the end (`bulk_load`). One
//! precomputed password hash for everyone, a deterministic RNG.
//!
//! The load runs on a connection of its own that holds the database exclusively (a server
//! started meanwhile waits, then refuses; a seed started beside a running server refuses at
//! once) and uses a rollback journal rather than the WAL: pages appended to the end of the file
//! need no journal, so neither the journal nor the WAL grows with the load.

mod events;
mod names;

use chrono::Duration;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::cached_sql::{Bind, CachedSql};
use super::ids::{AccountId, GroupId, PublicId};
use super::schema::{group_members, groups};
use super::{Conn, bulk_load, now};
use crate::domain::account::{LockReason, Status};
use crate::domain::clock::At;
use crate::domain::name::search_key;
use names::{DOMAINS, FIRST_NAMES, LAST_NAMES, ascii_slug};

/// What to add.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeedPlan {
    pub customers: u64,
    /// Groups to create; every customer joins 0–3 of them.
    pub groups: u64,
    /// Audit events over the last year, about a sample of the customers.
    pub events: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SeedReport {
    pub customers: u64,
    pub groups: u64,
    pub memberships: u64,
    pub events: u64,
}

/// Where a seed is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    Customers {
        done: u64,
        total: u64,
    },
    Events {
        done: u64,
        total: u64,
    },
    /// Rebuilding the set-aside indexes: `done` of `total`, `name` next.
    Indexes {
        done: usize,
        total: usize,
        name: &'a str,
    },
}

struct Row {
    id: AccountId,
    public_id: PublicId,
    email: String,
    first: &'static str,
    last: &'static str,
    first_key: String,
    last_key: String,
    status: Status,
    lock_reason: Option<LockReason>,
    created_at: At,
    last_sign_in_at: Option<At>,
}

/// Rows per INSERT: 13 bound columns × 2,000 stays under SQLite's 32,766-parameter limit.
const INSERT_ROWS: usize = 2_000;
/// Customers per committed transaction: what the journal and memory hold at most.
const BATCH: u64 = 100_000;
/// How long ago the first seeded customer was created.
const SPAN_SECS: i64 = 4 * 365 * 24 * 3600;

/// Adds what `plan` asks for and reports what it wrote. `conn` must be a connection of its own
/// (not from the server's pool): the seed changes its locking and journal modes.
pub fn seed(
    conn: &mut Conn,
    plan: SeedPlan,
    password_hash: &str,
    mut progress: impl FnMut(Progress<'_>),
) -> anyhow::Result<SeedReport> {
    // Exclusive, and a rollback journal (see the module's comment). Leaving WAL needs every
    // other connection closed: a running server makes this fail, before anything changed.
    // Foreign keys are not checked (a connection of its own starts without): the rows are
    // made consistent, and each check would be an index lookup per membership.
    conn.batch_execute("PRAGMA busy_timeout = 200; PRAGMA locking_mode = EXCLUSIVE;")?;
    let mode = journal_mode(conn, "DELETE")
        .map_err(|e| anyhow::anyhow!("the database is in use ({e}): stop Roster before seeding"))?;
    anyhow::ensure!(mode == "delete", "the database is in use: stop Roster before seeding");
    // Bulk-load settings for this connection only: a crash mid-seed loses at most the batch in
    // progress (the next start finishes the rebuild, see `bulk_load`). 128 MiB of page cache,
    // which the index builds' sorter also takes per thread: peak memory stays near 0.5 GB
    // whatever the count (512 MiB made 2 GB at 10M).
    conn.batch_execute(
        "PRAGMA synchronous = OFF; PRAGMA cache_size = -131072; PRAGMA threads = 2; \
         PRAGMA temp_store = FILE;",
    )?;
    bulk_load::set_aside(conn)?;
    let mut report = SeedReport::default();
    // Seeded rows are given their keys here, after every key ever given (AUTOINCREMENT's
    // counter included, as a deleted row's key is never reused); their emails carry the same
    // number, so a later seed never repeats one.
    let after: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "MAX((SELECT COALESCE(MAX(id), 0) FROM accounts), \
         COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'accounts'), 0))",
    ))
    .get_result(conn)?;
    let mut rng = StdRng::seed_from_u64(0x5EED ^ after as u64);
    let now = now();

    let group_ids = conn.immediate_transaction(|conn| insert_groups(conn, plan.groups, now))?;
    report.groups = group_ids.len() as u64;
    let mut sample = Vec::new();
    let every = (plan.customers / events::SUBJECTS as u64).max(1);
    let mut done = 0u64;
    progress(Progress::Customers { done, total: plan.customers });
    // Rows are made on a thread of their own while this one writes the ones before: making a
    // row (names, email, id, times) took a third of the load's time, and the machine has two
    // cores. A few chunks ahead at most; if writing fails, the maker stops at its next send.
    let (chunks, made_rows) = std::sync::mpsc::sync_channel::<(Vec<Row>, Vec<Bind>)>(4);
    // The hash in its stored form, once: every seeded password is the same.
    let stored_hash = crate::db::stored_hash::compact(password_hash)
        .unwrap_or_else(|| password_hash.as_bytes().to_vec());
    let mut row_rng = StdRng::seed_from_u64(0x0A5E ^ after as u64);
    let total = plan.customers;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let stored_hash = &stored_hash;
        scope.spawn(move || {
            let mut position = 0u64;
            while position < total {
                let k = (INSERT_ROWS as u64).min(total - position);
                let rows: Vec<Row> = (position..position + k)
                    .map(|p| make_row(&mut row_rng, after as u64 + 1 + p, p, total, now))
                    .collect();
                let binds = account_binds(&rows, stored_hash);
                if chunks.send((rows, binds)).is_err() {
                    return;
                }
                position += k;
            }
        });
        while done < total {
            let n = BATCH.min(total - done);
            conn.immediate_transaction(|conn| -> anyhow::Result<()> {
                let mut memberships: Vec<(usize, AccountId, At)> = Vec::new();
                let mut made = 0;
                while made < n {
                    let (rows, binds) =
                        made_rows.recv().map_err(|_| anyhow::anyhow!("the rows stopped coming"))?;
                    CachedSql::new(insert_sql(rows.len()), binds, None).execute(conn)?;
                    pick_memberships(&mut rng, &rows, group_ids.len(), &mut memberships);
                    for (i, r) in rows.iter().enumerate() {
                        if (done + made + i as u64).is_multiple_of(every)
                            && sample.len() < events::SUBJECTS
                        {
                            sample.push((r.public_id.to_string(), r.email.clone()));
                        }
                    }
                    made += rows.len() as u64;
                }
                // In key order: each group's new members come after its existing ones.
                memberships.sort_unstable_by_key(|m| (m.0, m.1));
                report.memberships += insert_memberships(conn, &memberships, &group_ids)?;
                Ok(())
            })?;
            done += n;
            report.customers = done;
            progress(Progress::Customers { done, total });
        }
        // The maker is done (every chunk was taken); dropping the receiver would also stop it.
        drop(made_rows);
        Ok(())
    })?;

    if plan.events > 0 {
        if sample.is_empty() {
            sample = events::existing_subjects(conn)?;
        }
        report.events = events::insert(conn, plan.events, &sample, now, |done| {
            progress(Progress::Events { done, total: plan.events })
        })?;
    }

    bulk_load::restore(conn, |done, total, name| {
        progress(Progress::Indexes { done, total, name })
    })?;
    conn.batch_execute("PRAGMA locking_mode = NORMAL; PRAGMA synchronous = NORMAL;")?;
    journal_mode(conn, "WAL")?;
    Ok(report)
}

/// Sets the journal mode and returns the one in force (SQLite answers with the old mode, not an
/// error, when it cannot change it).
fn journal_mode(conn: &mut Conn, mode: &str) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let sql = match mode {
        "WAL" => "PRAGMA journal_mode = WAL",
        _ => "PRAGMA journal_mode = DELETE",
    };
    let m: Mode = diesel::sql_query(sql).get_result(conn)?;
    Ok(m.journal_mode)
}

/// The columns a seeded account is written with (the kind, role and must-change flag are
/// the same for every one, in `insert_sql`).
const COLUMNS: &str = "id, public_id, kind, role, must_change_password, email, first_name, \
     last_name, first_name_key, last_name_key, password_hash, status, lock_reason, created_at, \
     updated_at, last_sign_in_at";
const VALUES: &str = "(?, ?, 'customer', NULL, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// The INSERT of `n` accounts, its parameters from `account_binds`. Hand-written: diesel's
/// batch insert walked its 16-column tuples for every row, ~16 % of a seed's CPU by perf. Every
/// chunk but the last has the same number of rows, so the statement is prepared once.
fn insert_sql(n: usize) -> String {
    let mut sql = format!("INSERT INTO accounts ({COLUMNS}) VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(VALUES);
    }
    sql
}

/// The parameters of `insert_sql` for `rows`, made on the thread that makes the rows.
fn account_binds(rows: &[Row], stored_hash: &[u8]) -> Vec<Bind> {
    let mut binds = Vec::with_capacity(rows.len() * 13);
    for r in rows {
        let signs_in = matches!(r.status, Status::Active | Status::Locked);
        binds.extend([
            Bind::Integer(r.id.get()),
            Bind::Bytes(r.public_id.as_bytes().to_vec()),
            Bind::Text(r.email.clone()),
            Bind::Text(r.first.to_owned()),
            Bind::Text(r.last.to_owned()),
            Bind::Text(r.first_key.clone()),
            Bind::Text(r.last_key.clone()),
            Bind::MaybeBytes(signs_in.then(|| stored_hash.to_vec())),
            Bind::Text(r.status.as_str().to_owned()),
            Bind::MaybeText(r.lock_reason.map(|l| l.as_str().to_owned())),
            Bind::Integer(r.created_at.millis()),
            Bind::Integer(r.created_at.millis()),
            Bind::MaybeInteger(r.last_sign_in_at.map(|t| t.millis())),
        ]);
    }
    binds
}

/// Each customer joins 0–3 of the groups: (group index, account id, joined at).
fn pick_memberships(
    rng: &mut StdRng,
    rows: &[Row],
    groups: usize,
    out: &mut Vec<(usize, AccountId, At)>,
) {
    if groups == 0 {
        return;
    }
    for r in rows {
        let k = rng.random_range(0..=3usize).min(groups);
        let start = rng.random_range(0..groups);
        for j in 0..k {
            out.push(((start + j) % groups, r.id, r.created_at));
        }
    }
}

fn insert_memberships(
    conn: &mut Conn,
    memberships: &[(usize, AccountId, At)],
    group_ids: &[GroupId],
) -> anyhow::Result<u64> {
    for chunk in memberships.chunks(10_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(g, account, at)| {
                (
                    group_members::group_id.eq(group_ids[*g]),
                    group_members::account_id.eq(account),
                    group_members::added_at.eq(at),
                )
            })
            .collect();
        diesel::insert_into(group_members::table).values(&values).execute(conn)?;
    }
    let mut counts = vec![0i32; group_ids.len()];
    for (g, _, _) in memberships {
        counts[*g] += 1;
    }
    for (&id, n) in group_ids.iter().zip(counts) {
        diesel::update(groups::table.find(id))
            .set(groups::member_count.eq(groups::member_count + n))
            .execute(conn)?;
    }
    Ok(memberships.len() as u64)
}

fn insert_groups(conn: &mut Conn, count: u64, at: At) -> anyhow::Result<Vec<GroupId>> {
    const TOPICS: &[&str] = &[
        "beta",
        "vip",
        "newsletter",
        "wholesale",
        "retail",
        "partners",
        "support",
        "trial",
        "premium",
        "students",
        "staff",
        "emea",
        "apac",
        "americas",
        "events",
    ];
    // Numbered after every existing group, so a later seed never repeats a name.
    let salt: i64 = groups::table
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>("COALESCE(MAX(rowid), 0)"))
        .get_result(conn)?;
    let mut ids = Vec::new();
    for i in 0..count {
        let name = format!("{}-{}", TOPICS[(i as usize) % TOPICS.len()], salt + 1 + i as i64);
        let id = super::groups::insert(conn, PublicId::new(), &name, &search_key(&name), at)?;
        ids.push(id);
    }
    Ok(ids)
}

/// The customer numbered `n` (in its email), at `position` of `total`: creation times rise with
/// the position, spread over the last four years with some jitter.
fn make_row(rng: &mut StdRng, n: u64, position: u64, total: u64, now: At) -> Row {
    let id = AccountId::from_raw(n as i64);
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let domain = DOMAINS[rng.random_range(0..DOMAINS.len())];
    let email = match n % 3 {
        0 => format!("{}.{}{}@{}", ascii_slug(first), ascii_slug(last), n, domain),
        1 => format!("{}{}{}@{}", &ascii_slug(first)[..1], ascii_slug(last), n, domain),
        _ => format!("{}_{}@{}", ascii_slug(last), n, domain),
    };
    let step = (SPAN_SECS as i128 * 1_000_000 / total.max(1) as i128).max(1) as i64;
    let age = SPAN_SECS * 1_000_000 - step * position as i64 - rng.random_range(0..step);
    let created_at = now - Duration::microseconds(age.max(0));
    let roll = rng.random_range(0..100);
    let (status, lock_reason) = match roll {
        0..=87 => (Status::Active, None),
        88..=92 => (Status::PendingPassword, None),
        93..=95 => (Status::PendingVerification, None),
        96..=97 => (Status::Locked, Some(LockReason::Admin)),
        _ => (Status::Locked, Some(LockReason::FailedAttempts)),
    };
    let last_sign_in_at = (matches!(status, Status::Active | Status::Locked)
        && rng.random_range(0..10) < 8)
        .then(|| {
            let since = (now - created_at).num_microseconds().unwrap_or(1).max(1);
            created_at + Duration::microseconds(rng.random_range(0..since))
        });
    Row {
        id,
        public_id: PublicId::from_bytes(uuid_at(created_at).into_bytes()),
        email,
        first,
        last,
        first_key: search_key(first),
        last_key: search_key(last),
        status,
        lock_reason,
        created_at,
        last_sign_in_at,
    }
}

/// A UUIDv7 for the time `at`: seeded ids sort as their rows were made.
fn uuid_at(at: At) -> uuid::Uuid {
    let micros = at.and_utc().timestamp_micros().max(0) as u64;
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        micros / 1_000_000,
        ((micros % 1_000_000) * 1_000) as u32,
    );
    uuid::Uuid::new_v7(ts)
}
