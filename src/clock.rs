//! Where "now" comes from. Services take `now` as a value; only the edge reads a clock.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// A source of the current instant, shared by the request handlers and workers.
#[derive(Clone)]
pub enum Clock {
    System,
    /// A clock that stands still until moved: used by tests and demos.
    Fixed(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock::Fixed(Arc::new(Mutex::new(at)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at.lock().expect("clock lock"),
        }
    }

    /// Moves a fixed clock forward; no effect on the system clock.
    pub fn advance(&self, by: Duration) {
        if let Clock::Fixed(at) = self {
            *at.lock().expect("clock lock") += by;
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Fixed(at) = self {
            *at.lock().expect("clock lock") = to;
        }
    }
}
