//! Use cases: each action on appointments runs here as one unit of work over the
//! repositories, deciding with the pure rules in `domain` and returning a typed result.

pub mod booking;
pub mod cancel;
pub mod lifecycle;
pub mod move_slots;
pub mod quotes;
pub mod reschedule;
pub mod suggestions;
