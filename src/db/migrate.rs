//! Bringing a database file up to date before anything is served: its migrations, one step at a
//! time with progress on the log, and the rebuild an interrupted seed left; then the planner's
//! statistics, a compaction when a step left much of the file free, and an empty WAL.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel_migrations::MigrationHarness;

use super::{Conn, MIGRATIONS, bulk_load};

/// WAL, the pending migrations, and the rebuild an interrupted seed left (nothing is served
/// before its indexes are back). Either, when there is one, under `migration_lock`: processes
/// starting together on one database do it once, the others wait and then find nothing to do.
/// An up-to-date file takes no lock (nor creates the lock's file: a command run by another
/// user, or on a read-only copy, opens it as before).
pub(super) fn prepare(conn: &mut Conn) -> anyhow::Result<()> {
    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    if !has_pending(conn)? && !bulk_load::pending(conn)? {
        return Ok(());
    }
    let _lock = migration_lock(conn)?;
    migrate(conn)?;
    if bulk_load::pending(conn)? {
        tracing::warn!("an interrupted seed left indexes to rebuild; rebuilding them first");
        bulk_load::restore(conn, |done, total, name| {
            tracing::info!(done, total, name, "rebuilding");
        })?;
    }
    Ok(())
}

fn has_pending(conn: &mut Conn) -> anyhow::Result<bool> {
    let pending = conn
        .pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("reading the migrations failed: {e}"))?;
    Ok(!pending.is_empty())
}

/// Runs the pending migrations one by one (each in its own transaction: an interrupted one
/// leaves the file as the step before it), saying on the log what each does and how long it
/// took — on a large database a step that rewrites every row takes a while. After any, the
/// WAL they filled is written back and emptied: left in place, every read would look its pages
/// up there (measured: the customer page a third slower beside a 178 MB WAL at 200,000
/// customers).
fn migrate(conn: &mut Conn) -> anyhow::Result<()> {
    let pending = conn
        .pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("reading the migrations failed: {e}"))?;
    let total = pending.len();
    // An upgrade says each step as it starts; a new file's steps take no time.
    let upgrade =
        total > 0 && !conn.applied_migrations().map_err(|e| anyhow::anyhow!("{e}"))?.is_empty();
    let wal = if upgrade { wal_path(conn)? } else { std::path::PathBuf::new() };
    for (i, migration) in pending.iter().enumerate() {
        let name = migration.name().to_string();
        if upgrade {
            tracing::info!(
                step = format!("{}/{total}", i + 1),
                migration = name,
                "migrating the database"
            );
        }
        let started = std::time::Instant::now();
        let ticker = upgrade.then(|| Ticker::start(format!("{}/{total}", i + 1), &name, &wal));
        conn.run_migration(migration.as_ref())
            .map_err(|e| anyhow::anyhow!("migrating the database failed at {name}: {e}"))?;
        drop(ticker);
        let step = format!("{}/{total}", i + 1);
        let ms = started.elapsed().as_millis() as u64;
        if ms >= 1000 {
            tracing::info!(step, migration = name, ms, "migrated the database");
        } else {
            tracing::debug!(step, migration = name, ms, "migrated the database");
        }
    }
    if upgrade && has_statistics(conn)? {
        // A step that rewrote values left the planner's samples of the old ones (sqlite_stat4):
        // after times became integers, searches walked whole indexes instead of the search
        // index (measured: 64 req/s against 2,700 at 200,000 customers until ANALYZE).
        tracing::info!("refreshing the query planner's statistics");
        conn.batch_execute("ANALYZE;")?;
    }
    if upgrade {
        compact_if_sparse(conn, &wal)?;
    }
    if total > 0 {
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    Ok(())
}

/// A step that copies tables into a new form leaves the old ones' pages free inside the file
/// (migration 18 at ten million customers: 5.3 GB free of 11.6). When more than a quarter of
/// the file is free, VACUUM writes it afresh (113 s at ten million, down to 6.2 GB). It needs
/// about twice the remaining data in free disk space while it runs, and is whole or not at all.
fn compact_if_sparse(conn: &mut Conn, wal: &Path) -> anyhow::Result<()> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Pages {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        total: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        free: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        size: i64,
    }
    let p: Pages = diesel::sql_query(
        "SELECT (SELECT page_count FROM pragma_page_count) AS total, \
         (SELECT freelist_count FROM pragma_freelist_count) AS free, \
         (SELECT page_size FROM pragma_page_size) AS size",
    )
    .get_result(conn)?;
    if p.free * 4 <= p.total {
        return Ok(());
    }
    let free_mib = (p.free * p.size) >> 20;
    tracing::info!(free_mib, "compacting the database: the upgrade left this much unused");
    let ticker = Ticker::start("compact".into(), "VACUUM", wal);
    conn.batch_execute("VACUUM;")?;
    drop(ticker);
    Ok(())
}

/// The WAL file of the connection's database (a step's writes go there until its checkpoint).
fn wal_path(conn: &mut Conn) -> anyhow::Result<std::path::PathBuf> {
    beside_database(conn, "-wal")
}

/// The database file's path with `suffix` appended.
fn beside_database(conn: &mut Conn, suffix: &str) -> anyhow::Result<std::path::PathBuf> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct File {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let f: File = diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .get_result(conn)?;
    Ok(std::path::PathBuf::from(format!("{}{suffix}", f.file)))
}

/// Held while the database is migrated or rebuilt, so that processes starting together on one
/// database do it once: the others wait here, then find nothing pending (without it, the
/// second ran the first's steps again and failed on tables that already existed). An exclusive `flock` on a
/// file beside the database, not on the database file itself: SQLite's own locks are POSIX
/// locks on that file, which closing any other handle to it would drop.
fn migration_lock(conn: &mut Conn) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = beside_database(conn, "-migrating")?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))?;
    let locked = match file.try_lock() {
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::info!("another process is migrating the database; waiting for it");
            file.lock()
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
        Ok(()) => Ok(()),
    };
    locked.map_err(|e| anyhow::anyhow!("locking {}: {e}", path.display()))?;
    Ok(file)
}

/// The progress of a migration step that takes a while: every few seconds a line on the log
/// says it is still running, for how long, and how much it has written so far (the WAL grows
/// with the rows a step copies), so that the upgrade of a large file does not look hung. A
/// step is one transaction: stopped halfway, the file stays as it was before it.
struct Ticker {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    const EVERY: Duration = Duration::from_secs(5);

    fn start(step: String, name: &str, wal: &Path) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let done = std::sync::Arc::new(AtomicBool::new(false));
        let (flag, name, wal) = (done.clone(), name.to_owned(), wal.to_owned());
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut next = Self::EVERY;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if started.elapsed() < next {
                    continue;
                }
                next += Self::EVERY;
                let written = std::fs::metadata(&wal).map(|m| m.len() >> 20).unwrap_or(0);
                tracing::info!(
                    step,
                    migration = name,
                    seconds = started.elapsed().as_secs(),
                    written_mib = written,
                    "still migrating the database"
                );
            }
        });
        Self { done, thread: Some(thread) }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether ANALYZE has run on this file (`roster seed` runs it); a file without statistics is
/// left without them, as SQLite's defaults suit small tables.
fn has_statistics(conn: &mut Conn) -> anyhow::Result<bool> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: N = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .get_result(conn)?;
    Ok(found.n > 0)
}
