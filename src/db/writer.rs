//! SQLite's one writer: a thread of its own with a connection of its own, fed by a queue.
//!
//! SQLite lets one transaction write at a time. Writers used to take turns on an async
//! gate, and each turn paid for waking the next task, handing it to the blocking pool
//! and checking a connection out, while the database sat idle; and every commit wrote
//! the pages it changed to the WAL again, though the next writer changed the same
//! index pages. Here one thread runs the units of work in arrival order, with no pause
//! between them, and those that queued while one ran are run together in **one**
//! transaction, each in a savepoint of its own (group commit):
//!
//! - a unit of work that fails is rolled back to its savepoint and gets its own error;
//!   the others are untouched;
//! - nobody is answered before the group's `COMMIT` has succeeded; when the commit fails
//!   every unit of the group gets that error (none of them happened), and the
//!   `on_lost_group` hook runs, because a unit may have kept in memory what an earlier
//!   unit of the same group wrote (the schedule snapshots);
//! - what a unit changed in memory on the strength of its own writes (the busy blocks a
//!   booking adds to its resources' snapshots) is undone when the unit is rolled back
//!   ([`undo_on_rollback`]);
//! - a unit that waited longer than [`WRITER_WAIT`] in the queue
//!   is answered `503` without running, as a pool wait would be; one whose caller went
//!   away (the client disconnected) is not run at all.
//!
//! PostgreSQL needs none of this: its writers run side by side on pooled connections.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2;
use tokio::sync::oneshot;

use super::transaction::{finish, write_with_retry};
use super::{DbConnection, DbPool};
use crate::error::Error;

/// How long a unit of work may wait in the queue: the pool's own wait, so that a queue
/// of writers answers 503 at the same moment a pool wait would.
pub const WRITER_WAIT: std::time::Duration = super::connection::POOL_WAIT;

/// At most this many units of work share one transaction, so that the first of a long
/// queue is not kept waiting for the commit by all the others.
const MAX_GROUP: usize = 32;

/// What a unit of work left to do once its group's fate is known: answer its caller,
/// given whether the group committed.
type Answer = Box<dyn FnOnce(Result<(), &str>) + Send>;

/// How a queued unit of work is run.
enum Mode<'a> {
    /// In a transaction of its own, run again after contention.
    Alone,
    /// In a savepoint of the group's transaction.
    Grouped,
    /// Not at all: the group's transaction could not begin, for this reason.
    Refused(&'a str),
}

/// A queued unit of work; what it returns answers its caller once the group's fate is
/// known (nothing when it has answered already).
type Job = Box<dyn FnOnce(&mut DbConnection, Mode<'_>) -> Option<Answer> + Send>;

/// What to undo in memory if the unit of work running on this thread is rolled back.
type Undo = Box<dyn FnOnce()>;

thread_local! {
    /// While a unit of work runs on the writer thread: what it changed in memory on the
    /// strength of its own writes, to be undone if they are rolled back.
    static UNDO: RefCell<Option<Vec<Undo>>> = const { RefCell::new(None) };
}

/// Whether the caller runs as a unit of work on SQLite's writer thread: then its
/// transaction has held the database's only write lock since it began (nobody else
/// wrote between its reads and its writes), and `undo` is run if the unit is rolled back
/// (its savepoint, or its transaction before it runs again). `false`, and `undo` dropped
/// unused, anywhere else.
pub fn undo_on_rollback(undo: impl FnOnce() + 'static) -> bool {
    UNDO.with(|u| match u.borrow_mut().as_mut() {
        Some(list) => {
            list.push(Box::new(undo));
            true
        }
        None => false,
    })
}

/// Undoes what the unit of work running on this thread changed in memory so far.
fn undo_all() {
    let list = UNDO.with(|u| u.borrow_mut().as_mut().map(std::mem::take));
    for undo in list.into_iter().flatten().rev() {
        undo();
    }
}

/// Runs `f` as a unit of work of this thread: what it registers to undo is undone when
/// it fails, and forgotten when it succeeds.
fn as_unit<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    UNDO.with(|u| *u.borrow_mut() = Some(Vec::new()));
    let result = f();
    if result.is_err() {
        undo_all();
    }
    UNDO.with(|u| *u.borrow_mut() = None);
    result
}

/// Runs after a group's commit failed.
pub type LostGroupHook = Arc<OnceLock<Box<dyn Fn() + Send + Sync>>>;

/// The queue to the writer thread. Cloning shares it; the thread ends when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread; it takes a connection of `pool` for as long as it runs.
    pub fn start(pool: DbPool, on_lost_group: LostGroupHook) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("janji-sqlite-writer".into())
            .spawn(move || run(pool, jobs, on_lost_group))
            .expect("the SQLite writer thread starts");
        Writer { queue }
    }

    /// Queues `f` and waits for its answer, given after its transaction committed.
    pub async fn write<T, F>(&self, mut f: F) -> Result<T, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, Error>>();
        let queued = Instant::now();
        let job: Job = Box::new(move |conn, mode| {
            if reply.is_closed() {
                return None;
            }
            if queued.elapsed() > WRITER_WAIT {
                let _ = reply.send(Err(Error::unavailable(
                    "timed out waiting for the SQLite writer",
                )));
                return None;
            }
            let result = match mode {
                // A failed attempt's changes are undone before its transaction is rolled
                // back (while it still holds the write lock, so no other process can
                // write the versions they name in between).
                Mode::Alone => as_unit(|| {
                    write_with_retry(conn, &mut |c: &mut DbConnection| {
                        // An attempt whose commit failed after it ran left its own.
                        undo_all();
                        let result = f(c);
                        if result.is_err() {
                            undo_all();
                        }
                        result
                    })
                }),
                Mode::Grouped => as_unit(|| in_savepoint(conn, &mut f)),
                Mode::Refused(cause) => {
                    let _ = reply.send(Err(Error::unavailable(format!(
                        "the write transaction could not begin: {cause}"
                    ))));
                    return None;
                }
            };
            Some(Box::new(move |group: Result<(), &str>| {
                let _ = reply.send(match group {
                    Ok(()) => result,
                    Err(cause) => Err(Error::unavailable(format!(
                        "the write could not be committed: {cause}"
                    ))),
                });
            }))
        });
        self.queue
            .send(job)
            .map_err(|_| Error::internal("the SQLite writer has stopped"))?;
        answer
            .await
            .map_err(|_| Error::internal("a unit of work failed in the SQLite writer"))?
    }
}

/// One unit of work in a savepoint of the open transaction.
fn in_savepoint<T, F>(conn: &mut DbConnection, f: &mut F) -> Result<T, Error>
where
    F: FnMut(&mut DbConnection) -> Result<T, Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    Tm::begin_transaction(conn)?;
    finish(conn, f)
}

fn run(pool: DbPool, jobs: mpsc::Receiver<Job>, on_lost_group: LostGroupHook) {
    let mut conn: Option<r2d2::PooledConnection<super::connection::Manager>> = None;
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let c: &mut DbConnection = match conn.as_mut() {
            Some(c) => c,
            None => match pool.get() {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    // Dropping the jobs answers their callers with an internal error;
                    // the next group tries for a connection again.
                    tracing::error!(error = %e, "the SQLite writer has no connection");
                    continue;
                }
            },
        };
        let healthy = catch_unwind(AssertUnwindSafe(|| run_group(c, group)));
        // A unit that panicked left its list behind; the hook below forgets everything.
        UNDO.with(|u| *u.borrow_mut() = None);
        if !matches!(healthy, Ok(true)) {
            // A panic or a failed commit: the connection's transaction state is not to
            // be trusted; the pool discards it and the next group takes another. What a
            // unit kept in memory may stem from a write that never committed.
            if let Some(mut c) = conn.take() {
                c.mark_broken();
            }
            if let Some(hook) = on_lost_group.get() {
                hook();
            }
        }
    }
}

/// Runs one group; `false` when the connection should be replaced.
fn run_group(conn: &mut DbConnection, group: Vec<Job>) -> bool {
    if group.len() == 1 {
        let job = group.into_iter().next().expect("one job");
        if let Some(answer) = job(conn, Mode::Alone) {
            answer(Ok(()));
        }
        return !conn_in_error(conn);
    }
    if let DbConnection::Sqlite(c) = conn
        && let Err(e) = AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
    {
        // Another process holds the lock past the busy timeout: the whole group is told
        // so at once, as a unit alone would be, instead of each waiting again.
        tracing::warn!(error = %e, units = group.len(), "a group transaction could not begin");
        let cause = e.to_string();
        for job in group {
            let _ = job(conn, Mode::Refused(&cause));
        }
        return false;
    }
    let answers: Vec<Answer> = group
        .into_iter()
        .filter_map(|job| job(conn, Mode::Grouped))
        .collect();
    type Tm = <DbConnection as Connection>::TransactionManager;
    match Tm::commit_transaction(conn) {
        Ok(()) => {
            for answer in answers {
                answer(Ok(()));
            }
            true
        }
        Err(e) => {
            tracing::error!(error = %e, units = answers.len(), "a group commit failed");
            let _ = Tm::rollback_transaction(conn);
            let cause = e.to_string();
            for answer in answers {
                answer(Err(&cause));
            }
            false
        }
    }
}

fn conn_in_error(conn: &mut DbConnection) -> bool {
    use diesel::connection::TransactionManagerStatus;
    let status = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
        DbConnection::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
    };
    matches!(status, TransactionManagerStatus::InError)
}
