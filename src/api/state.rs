//! What every handler can reach: the database, the clock and the public URL.

use crate::clock::Clock;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// Base URL customers reach this server at (for links in messages).
    pub public_url: String,
}
