//! Pure domain: parsed values that cannot exist in an invalid state, and the rules
//! that act on them. No database, no HTTP, no clock: `now` is always passed in.

pub mod contact;
pub mod currency;
pub mod customer;
pub mod enums;
pub mod local_time;
pub mod text;
pub mod time_zone;
pub mod weekly_hours;

pub use contact::{Email, PhoneNumber};
pub use currency::Currency;
pub use enums::{ContactChannel, Locale, ResourceKind, Role};
pub use time_zone::TimeZone;
pub use weekly_hours::{TimeOfDay, TimeRange, WeeklyHours};
