//! What every handler can reach: the database, the clock and the public URL.

use chrono::Duration;

use crate::clock::Clock;
use crate::db::Db;
use crate::last_use::LastUse;
use crate::repo::idempotency::DEFAULT_RETENTION;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// Base URL customers reach this server at (for links in messages).
    pub public_url: String,
    /// How long answers to POSTs with an `Idempotency-Key` are kept and replayed.
    pub idempotency_retention: Duration,
    /// API keys' last use, recorded in memory and written in batches.
    pub last_use: LastUse,
}

impl AppState {
    /// A state with the default idempotency retention.
    pub fn new(db: Db, clock: Clock, public_url: impl Into<String>) -> Self {
        AppState {
            db,
            clock,
            public_url: public_url.into(),
            idempotency_retention: DEFAULT_RETENTION,
            last_use: LastUse::default(),
        }
    }
}
