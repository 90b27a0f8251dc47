//! Storage: the SQLite pool with its per-connection settings, migrations, and `Db::run`, the one
//! way handlers reach the database (always off the async workers).

pub mod accounts;
pub mod applications;
pub mod attributes;
pub mod audit;
pub mod bulk_load;
mod cached_sql;
pub mod client_failures;
pub mod customer_counts;
pub mod customer_list;
pub mod customer_search;
pub mod grants;
pub mod groups;
pub mod ids;
pub mod millis;
pub mod outbox;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod signing_keys;
pub mod stored_hash;
pub mod submissions;
pub mod tokens;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::domain::clock::At;
use crate::error::AppError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
pub const DB_FILE: &str = "roster.sqlite3";

pub type Conn = SqliteConnection;
type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;

/// Settings every connection needs; WAL is a property of the file and is set once in `open`.
#[derive(Debug)]
struct ConnectionSettings;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for ConnectionSettings {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // 8 MiB of page cache per connection (SQLite's default is 2): the upper levels of the
        // accounts table at 10M, so confirming a search's candidates reads one page per row
        // instead of four (1,001 candidates: 1.4 → 0.5 ms).
        conn.batch_execute(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -8192;",
        )
        .map_err(diesel::r2d2::Error::QueryError)?;
        stored_hash::register_functions(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Connections in the pool. SQLite reads in parallel but the machine has few cores; more
/// connections would only split the page cache into colder pieces.
const POOL_SIZE: u32 = 4;

#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    /// The queue of the database threads (`POOL_SIZE` of them, one per connection).
    jobs: std::sync::mpsc::Sender<Job>,
}

type Job = Box<dyn FnOnce(&SqlitePool) + Send>;

thread_local! {
    /// The database threads' shared write lock (set by `start_threads`; none elsewhere).
    static WRITE_LOCK: std::cell::RefCell<Option<std::sync::Arc<std::sync::Mutex<()>>>> =
        const { std::cell::RefCell::new(None) };
}

/// A write transaction (`BEGIN IMMEDIATE`). On the database threads, writers first take an
/// in-process lock, one at a time: two connections racing for SQLite's write lock would meet
/// its busy handler, which sleeps in steps of up to 100 ms (measured on the token endpoint
/// under load: p99 3.8 s). Readers are not held (WAL).
pub fn write<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let lock = WRITE_LOCK.with(|l| l.borrow().clone());
    let _turn = lock.as_ref().map(|m| m.lock().unwrap_or_else(|p| p.into_inner()));
    conn.immediate_transaction(f)
}

/// The threads that run every query, one per connection, for the life of the `Db` (they end
/// when its last clone is dropped). Fixed threads rather than tokio's blocking pool: that pool
/// grows a thread for every task that finds none idle (16 and more under load, each keeping
/// its own allocator heap), so a 150 MiB audit export left ~80 MiB of resident memory behind;
/// four threads bound that, and a burst of requests queues here instead of spawning threads.
fn start_threads(pool: &SqlitePool) -> std::sync::mpsc::Sender<Job> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let write_lock = std::sync::Arc::new(std::sync::Mutex::new(()));
    for i in 0..POOL_SIZE {
        let (rx, pool, write_lock) = (rx.clone(), pool.clone(), write_lock.clone());
        std::thread::Builder::new()
            .name(format!("roster-db-{i}"))
            .spawn(move || {
                WRITE_LOCK.with(|l| *l.borrow_mut() = Some(write_lock));
                loop {
                    // The lock is held only while waiting for the next job.
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    job(&pool);
                }
            })
            .expect("starting a database thread");
    }
    tx
}

/// Process-wide SQLite settings, before the library initializes. Multi-thread mode: a pooled
/// connection is only ever used by one thread at a time, so the per-call connection mutex of
/// the default (serialized) mode is pure cost. No memory statistics: they take a global mutex
/// on every allocation. Measured with perf under wrk: ~4 % of the server's CPU in these mutexes.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called once, before any connection is opened; if SQLite was
        // already initialized it returns SQLITE_MISUSE and changes nothing.
        unsafe {
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0);
        }
    });
}

impl Db {
    /// Opens (creating if needed) the database in `data_dir`, switches it to WAL and runs the
    /// pending migrations.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        let url = file_url(data_dir)?;
        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            // A SQLite file does not drop connections; a test query per checkout is pure cost.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(ConnectionSettings))
            .build(ConnectionManager::<SqliteConnection>::new(url))?;
        let mut conn = pool.get()?;
        prepare(&mut conn)?;
        drop(conn);
        let jobs = start_threads(&pool);
        Ok(Self { pool, jobs })
    }

    /// One connection of its own to the database in `data_dir`, prepared as `open` does, outside
    /// any pool: for `roster seed`, which holds the file exclusively and changes its journal mode.
    pub fn open_alone(data_dir: &Path) -> anyhow::Result<Conn> {
        use diesel::Connection;
        let url = file_url(data_dir)?;
        let mut conn = Conn::establish(&url)?;
        conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
        stored_hash::register_functions(&mut conn)?;
        prepare(&mut conn)?;
        Ok(conn)
    }

    /// A connection for synchronous callers (the CLI). Request handlers use `run`.
    pub fn conn(&self) -> anyhow::Result<diesel::r2d2::PooledConnection<ConnectionManager<Conn>>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, so a slow query or a busy
    /// database never stalls the async workers.
    pub async fn run<F, R>(&self, f: F) -> Result<R, AppError>
    where
        F: FnOnce(&mut Conn) -> Result<R, AppError> + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |pool| {
            // A panic in `f` fails this request (its sender is dropped), not the thread.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut conn = pool.get().map_err(AppError::internal)?;
                f(&mut conn)
            }));
            if let Ok(result) = result {
                let _ = tx.send(result);
            }
        });
        self.jobs.send(job).map_err(|_| AppError::internal(anyhow::anyhow!("database stopped")))?;
        rx.await.map_err(|_| AppError::internal(anyhow::anyhow!("a database task panicked")))?
    }
}

/// The database file in `data_dir` (created private if new), as SQLite opens it.
fn file_url(data_dir: &Path) -> anyhow::Result<String> {
    configure_sqlite();
    create_private_dir(data_dir)?;
    let path = data_dir.join(DB_FILE);
    make_private_file(&path)?;
    Ok(path
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("data directory path must be UTF-8"))?
        .to_owned())
}

/// WAL, the pending migrations, and the rebuild an interrupted seed left (nothing is served
/// before its indexes are back).
fn prepare(conn: &mut Conn) -> anyhow::Result<()> {
    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    migrate(conn)?;
    if bulk_load::pending(conn)? {
        tracing::warn!("an interrupted seed left indexes to rebuild; rebuilding them first");
        bulk_load::restore(conn, |done, total, name| {
            tracing::info!(done, total, name, "rebuilding");
        })?;
    }
    Ok(())
}

/// Runs the pending migrations one by one (each in its own transaction: an interrupted one
/// leaves the file as the step before it), saying on the log what each does and how long it
/// took — on a large database a step that rewrites every row takes a while. After any, the
/// WAL they filled is written back and emptied: left in place, every read would look its pages
/// up there (measured: the customer page a third slower beside a 178 MB WAL at 200,000
/// customers).
fn migrate(conn: &mut Conn) -> anyhow::Result<()> {
    let _migrating = migration_lock(conn)?;
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

/// Held while migrations run, so that processes starting together on one database migrate it
/// once: the others wait here, then find nothing pending (without it, the second ran the
/// first's steps again and failed on tables that already existed). An exclusive `flock` on a
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

/// The data directory holds password hashes and the session secret: created readable by its
/// owner only. One that already exists is left as its owner made it, with a warning if others
/// can read it.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if dir.is_dir() {
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                mode = format!("{:o}", mode & 0o777),
                "the data directory is readable by other users; chmod 700 it"
            );
        }
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| anyhow::anyhow!("creating the data directory {}: {e}", dir.display()))
}

/// The database file is created (or narrowed to) mode 0600 before SQLite opens it; SQLite gives
/// its -wal and -shm files the mode of the database file.
fn make_private_file(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))?;
    for file in
        [path.to_owned(), path.with_extension("sqlite3-wal"), path.with_extension("sqlite3-shm")]
    {
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Now, in UTC, to the millisecond (the precision every table keeps).
pub fn now() -> At {
    At::now()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
