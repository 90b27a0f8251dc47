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
mod migrate;
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
use diesel_migrations::{EmbeddedMigrations, embed_migrations};

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
        migrate::prepare(&mut conn)?;
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
        migrate::prepare(&mut conn)?;
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
