//! Pure domain: parsed values that cannot exist in an invalid state, and the rules
//! that act on them. No database, no HTTP, no clock: `now` is always passed in.

pub mod actor;
pub mod availability;
pub mod booking_rules;
pub mod closure_span;
pub mod contact;
pub mod country;
pub mod currency;
pub mod customer;
pub mod customer_link;
pub mod delivery_route;
pub mod enums;
pub mod event_kind;
pub mod ics;
pub mod interval;
pub mod lifecycle;
pub mod local_time;
pub mod message_text;
pub mod money;
pub mod money_display;
pub mod opening;
pub mod policy;
pub mod policy_doc;
pub mod policy_refusal;
pub mod reminders;
pub mod replies;
pub mod reply_answers;
pub mod reply_words;
pub mod retry;
pub mod suggestions;
pub mod text;
pub mod time_zone;
pub mod vehicle;
pub mod webhook_event;
pub mod weekly_hours;

pub use actor::Actor;
pub use contact::{Email, PhoneNumber};
pub use country::Country;
pub use currency::Currency;
pub use enums::{
    AnswerKind, AppointmentStatus, CallReason, Channel, ContactChannel, DeliveryChannel, FeeKind,
    FeeStatus, Locale, MessageKind, MessageStatus, ReasonCategory, ReplyIntent, ResourceKind, Role,
};
pub use event_kind::EventKind;
pub use money::Money;
pub use time_zone::TimeZone;
pub use weekly_hours::{TimeOfDay, TimeRange, WeeklyHours};
