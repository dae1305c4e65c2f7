//! Running one unit of work in one transaction, off the async executor.
//!
//! Writes are retried when transactions got in each other's way (a PostgreSQL deadlock
//! or serialization failure): the whole unit of work runs again, a bounded number of
//! times, then the caller gets `503 database_contention` with `Retry-After`. On SQLite,
//! writes queue for one writer thread (`db::writer`), so the database sees one writer at
//! a time by design and readers never wait behind a writer's lock.

pub use super::transaction::{MAX_ATTEMPTS, read_tx, write_tx, write_with_retry};
use super::writer::{LostGroupHook, Writer};
use super::{Backend, DbConnection, DbPool};
use crate::error::{Code, Error};

/// The shared pool plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
    /// SQLite's one writer, a thread fed in arrival order (`db::writer`; PostgreSQL: none).
    writer: Option<Writer>,
    lost_group: LostGroupHook,
}

impl Db {
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        let lost_group = LostGroupHook::default();
        let writer =
            (backend == Backend::Sqlite).then(|| Writer::start(pool.clone(), lost_group.clone()));
        Db {
            pool,
            backend,
            writer,
            lost_group,
        }
    }

    /// What to forget when SQLite's writer lost a group of units of work that had run
    /// but could not commit (what they kept in memory may never have happened). Set once.
    pub fn on_lost_group(&self, forget: impl Fn() + Send + Sync + 'static) {
        let _ = self.lost_group.set(Box::new(forget));
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
    /// write lock at `BEGIN` so a read-then-write cannot fail half-way, and runs on the
    /// writer thread, possibly in one transaction with others that queued beside it
    /// (`db::writer`).
    pub async fn write<T, F>(&self, mut f: F) -> Result<T, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return writer.write(f).await;
        }
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
