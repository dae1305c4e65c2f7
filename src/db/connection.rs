//! Establishing connections, the pool and the embedded migrations.

use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

use super::url::{backend_of, check_scheme, redact, sqlite_path};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// One connection to whichever database `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The database product behind a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub type DbPool = r2d2::Pool<Manager>;

/// Connects to the backend chosen by the URL scheme, so the real cause of a failure
/// ("connection refused", "no such database") reaches the operator, not a generic message.
pub fn connect(url: &str) -> Result<DbConnection, String> {
    check_scheme(url)?;
    let result = match backend_of(url) {
        Backend::Postgres => PgConnection::establish(url).map(DbConnection::Pg),
        Backend::Sqlite => SqliteConnection::establish(sqlite_path(url)).map(DbConnection::Sqlite),
    };
    let mut conn = result.map_err(|e| {
        let cause = e.to_string();
        format!(
            "cannot connect to database {}: {}",
            redact(url),
            cause.lines().next().unwrap_or("").trim()
        )
    })?;
    if let DbConnection::Sqlite(c) = &mut conn {
        c.batch_execute(SQLITE_PRAGMAS)
            .map_err(|e| format!("cannot configure SQLite {}: {e}", redact(url)))?;
    }
    Ok(conn)
}

/// Target under which every statement is logged at TRACE, when asked for at start
/// (`RUST_LOG=janji::sql=trace`): to count a request's statements and round trips on
/// either backend. Off, diesel is given no instrumentation and pays nothing for it.
pub const SQL_LOG_TARGET: &str = "janji::sql";

/// Installs the statement log of [`SQL_LOG_TARGET`] for connections made from now on,
/// if that target is enabled; call after the log subscriber is set up.
pub fn log_statements_if_enabled() {
    if tracing::enabled!(target: SQL_LOG_TARGET, tracing::Level::TRACE) {
        let _ = diesel::connection::set_default_instrumentation(|| {
            Some(Box::new(|event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { query, .. } = event {
                    tracing::trace!(target: SQL_LOG_TARGET, "{query}");
                }
            }))
        });
    }
}

/// How long a request waits for a pooled connection before it is told 503.
pub const POOL_WAIT: Duration = Duration::from_secs(5);

/// WAL lets readers run beside the one writer; foreign keys are off in SQLite unless
/// asked for. Writers of this process queue on `Db`'s gate, so the busy timeout only
/// covers another process (the CLI) holding the lock, and is no longer than the pool
/// wait: a request never waits longer for a lock than it would for a connection.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

/// Applies pending embedded migrations on one connection; returns how many ran.
pub fn migrate_one(conn: &mut DbConnection) -> Result<usize, String> {
    let ran = match conn {
        DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    ran.map_err(|e| format!("database migration failed: {e}"))
}

/// Connects once (so errors are precise), migrates, then builds the pool.
pub fn open_pool(url: &str, size: u32) -> Result<DbPool, String> {
    let mut first = connect(url)?;
    migrate_one(&mut first)?;
    drop(first);
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        // No `SELECT 1` before each use: it was a round trip of its own, twice per
        // request (authentication, then the unit of work). A connection found dead by
        // the work itself is marked broken and discarded (`db::tx`), and a read is run
        // once more on another connection.
        .test_on_check_out(false)
        .connection_timeout(POOL_WAIT)
        .build(Manager {
            url: url.to_owned(),
        })
        .map_err(|e| format!("cannot open database pool for {}: {e}", redact(url)))
}

/// r2d2 manager that establishes connections through [`connect`].
#[derive(Debug)]
pub struct Manager {
    url: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        connect(&self.url)
            .map_err(|e| r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e)))
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

impl DbConnection {
    /// Marks the connection broken, so that the pool discards it when it is given back
    /// instead of handing it to the next request (used when a statement found the
    /// connection lost).
    pub fn mark_broken(&mut self) {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        match self {
            DbConnection::Pg(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
            }
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Pg(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}
