//! Transactions on one connection: a write transaction (SQLite: `BEGIN IMMEDIATE`), a
//! read transaction, and a write run again when transactions got in each other's way.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

use super::DbConnection;
use crate::error::Error;

/// How many times a unit of work runs at most when it keeps meeting contention.
pub const MAX_ATTEMPTS: u32 = 5;

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
pub fn finish<T, F>(conn: &mut DbConnection, f: F) -> Result<T, Error>
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
