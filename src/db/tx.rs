//! Running one unit of work in one transaction, off the async executor.
//!
//! Writes are retried when transactions got in each other's way (a PostgreSQL deadlock
//! or serialization failure): the whole unit of work runs again, a bounded number of
//! times, then the caller gets `503 database_contention` with `Retry-After`. On SQLite,
//! writers queue on one in-process gate before they take a connection, so the database
//! sees one writer at a time by design and readers never wait behind a writer's lock.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use tokio::sync::Semaphore;

use super::{Backend, DbConnection, DbPool};
use crate::error::{Code, Error};

/// How many times a unit of work runs at most when it keeps meeting contention.
pub const MAX_ATTEMPTS: u32 = 5;

/// How long a SQLite writer waits for its turn: the pool's own wait, so that a queue of
/// writers answers 503 at the same moment a pool wait would.
pub const WRITER_WAIT: Duration = super::connection::POOL_WAIT;

/// The shared pool plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
    /// SQLite's one writer, taken in arrival order (PostgreSQL: none).
    writer: Option<Arc<Semaphore>>,
}

impl Db {
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
        Db {
            pool,
            backend,
            writer,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs `f` on a pooled connection without a transaction (single statements that
    /// must not share the fate of a failed neighbour).
    pub async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        off_the_executor(move || once_on(&pool, f)).await
    }

    /// [`run`](Self::run) for a read that can run twice: when its connection turns out
    /// to be lost, it runs once more on another (authentication, the first statement of
    /// every request, so the one that meets a connection the database dropped while idle).
    pub async fn run_read<T, F>(&self, mut f: F) -> Result<T, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        off_the_executor(move || read_on(&pool, &mut f)).await
    }

    /// Runs `f` in a read transaction on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        off_the_executor(move || once_on(&pool, |c| read_tx(c, f))).await
    }

    /// Runs `f` in a write transaction on a blocking thread, again when it met contention
    /// (so `f` must be able to run more than once); on SQLite the transaction takes the
    /// write lock at `BEGIN` so a read-then-write cannot fail half-way.
    pub async fn write<T, F>(&self, mut f: F) -> Result<T, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = match &self.writer {
            Some(gate) => Some(
                tokio::time::timeout(WRITER_WAIT, gate.clone().acquire_owned())
                    .await
                    .map_err(|_| Error::unavailable("timed out waiting for the SQLite writer"))?
                    .map_err(|e| Error::internal(format!("writer gate closed: {e}")))?,
            ),
            None => None,
        };
        let pool = self.pool.clone();
        off_the_executor(move || once_on(&pool, |c| write_with_retry(c, &mut f))).await
    }
}

/// Whether `result` says the connection was lost (or the database is not answering):
/// connections are not pinged before use, so this is where a dead one is found.
fn lost<T>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(e) if e.code == Code::DatabaseUnavailable)
}

/// Marks a connection whose work found it lost as broken, so the pool drops it.
fn discard_if_lost<T>(conn: &mut DbConnection, result: &Result<T, Error>) {
    if lost(result) {
        conn.mark_broken();
    }
}

/// Runs `f` on a pooled connection, which is discarded if `f` found it lost.
fn once_on<T, F>(pool: &DbPool, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut DbConnection) -> Result<T, Error>,
{
    let mut conn = pool.get()?;
    let result = f(&mut conn);
    discard_if_lost(&mut conn, &result);
    result
}

/// Runs a read on a pooled connection; when the connection turns out to be lost, the
/// read runs once more on another one (a read changes nothing, so running it twice is
/// harmless). A write is not run again: its commit may have happened.
fn read_on<T, F>(pool: &DbPool, mut f: F) -> Result<T, Error>
where
    F: FnMut(&mut DbConnection) -> Result<T, Error>,
{
    // A pool that had no connection to give is not retried: that wait already ran out.
    let mut conn = pool.get()?;
    let first = f(&mut conn);
    discard_if_lost(&mut conn, &first);
    drop(conn);
    if !lost(&first) {
        return first;
    }
    tracing::debug!("a read found its connection lost; running it on another one");
    once_on(pool, f)
}

/// Runs blocking database work on actix's blocking pool, so the executor stays free.
async fn off_the_executor<T, F>(f: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    actix_web::web::block(f)
        .await
        .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
}

/// A write transaction, run again after contention with a growing, jittered pause.
pub fn write_with_retry<T, F>(conn: &mut DbConnection, f: &mut F) -> Result<T, Error>
where
    F: FnMut(&mut DbConnection) -> Result<T, Error>,
{
    let mut attempt = 1;
    loop {
        match write_tx(conn, &mut *f) {
            Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "unit of work met contention; running it again");
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// 4, 8, 16, 32 ms, each plus up to as much again at random, so that the transactions
/// that collided do not collide again in step.
fn backoff(attempt: u32) -> Duration {
    let base = 2u64 << attempt;
    let mut byte = [0u8; 2];
    let jitter = match getrandom::fill(&mut byte) {
        Ok(()) => u64::from(u16::from_le_bytes(byte)) % (base * 1000),
        Err(_) => 0,
    };
    Duration::from_micros(base * 1000 + jitter)
}

/// A write transaction on any connection (also used by the CLI, outside actix).
pub fn write_tx<T, F>(conn: &mut DbConnection, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut DbConnection) -> Result<T, Error>,
{
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    finish(conn, f)
}

/// A read transaction: one consistent view of the data for the whole unit of work.
pub fn read_tx<T, F>(conn: &mut DbConnection, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut DbConnection) -> Result<T, Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    Tm::begin_transaction(conn)?;
    finish(conn, f)
}

/// Commits what `f` did, or rolls it back. The caller always gets `f`'s own error: when
/// the rollback fails too (the connection is gone), that failure is only logged, and the
/// connection is left broken so the pool discards it.
fn finish<T, F>(conn: &mut DbConnection, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut DbConnection) -> Result<T, Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = Tm::rollback_transaction(conn) {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}
