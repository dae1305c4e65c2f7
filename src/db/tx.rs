//! Running one unit of work in one transaction, off the async executor.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

use super::{Backend, DbConnection, DbPool};
use crate::error::Error;

/// The shared pool plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
}

impl Db {
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        Db { pool, backend }
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
        actix_web::web::block(move || f(&mut *pool.get()?))
            .await
            .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
    }

    /// Runs `f` in a read transaction on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            conn.transaction(|c| f(c))
        })
        .await
        .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
    }

    /// Runs `f` in a write transaction on a blocking thread; on SQLite the transaction
    /// takes the write lock at `BEGIN` so a read-then-write cannot fail half-way.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            write_tx(&mut conn, f)
        })
        .await
        .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
    }
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
    type Tm = <DbConnection as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = Tm::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}
