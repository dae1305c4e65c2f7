//! What every handler can reach: the database, the clock, and the settings requests need.

use chrono::Duration;

use crate::clock::Clock;
use crate::db::Db;
use crate::last_use::LastUse;
use crate::repo::idempotency::DEFAULT_RETENTION;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// How long answers to POSTs with an `Idempotency-Key` are kept and replayed.
    pub idempotency_retention: Duration,
    /// API keys' last use, recorded in memory and written in batches.
    pub last_use: LastUse,
}

impl AppState {
    /// A state with the default idempotency retention.
    pub fn new(db: Db, clock: Clock) -> Self {
        AppState {
            db,
            clock,
            idempotency_retention: DEFAULT_RETENTION,
            last_use: LastUse::default(),
        }
    }
}
