//! Use cases: each action runs here as one unit of work over the repositories, deciding
//! with the pure rules in `domain` and returning a typed result. The files
//! follow `api/`: the setup objects in `setup/`, the account objects beside them.

pub mod api_keys;
pub mod booking;
pub mod cancel;
pub mod customers;
pub mod in_use;
pub mod lifecycle;
pub mod move_slots;
pub mod organization;
pub mod policies;
pub mod quotes;
pub mod reschedule;
pub mod setup;
pub mod suggestions;

use chrono::{DateTime, Utc};

use crate::domain::Actor;

/// What every use case is given besides its command: the organization it acts in, who
/// acts, and the instant it acts at (read once per request, so a rule never sees two
/// different "now"s).
#[derive(Clone, Debug)]
pub struct Ctx {
    pub org: String,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}
