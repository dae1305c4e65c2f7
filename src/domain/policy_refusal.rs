//! The rules that can refuse a move or a cancellation, each with a stable code.

use chrono::{DateTime, Duration, Utc};

use super::enums::{AppointmentStatus, ReasonCategory};

/// A rule that refuses the change, with its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotReschedulable {
        status: AppointmentStatus,
    },
    NotCancellable {
        status: AppointmentStatus,
    },
    NoShowWindowPassed {
        until: DateTime<Utc>,
    },
    NoticeTooShort {
        required: Duration,
        given: Duration,
    },
    RescheduleLimitReached {
        max: u32,
        used: u32,
    },
    CustomerLimitReached {
        max: u32,
        used: u32,
        window: Duration,
    },
    ReasonRequired,
    ReasonNotAccepted {
        reason: ReasonCategory,
    },
    TooFar {
        max: Duration,
        distance: Duration,
    },
}

impl Refusal {
    /// The stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotReschedulable { .. } => "not_reschedulable",
            Refusal::NotCancellable { .. } => "not_cancellable",
            Refusal::NoShowWindowPassed { .. } => "no_show_window_passed",
            Refusal::NoticeTooShort { .. } => "notice_too_short",
            Refusal::RescheduleLimitReached { .. } => "reschedule_limit_reached",
            Refusal::CustomerLimitReached { .. } => "customer_limit_reached",
            Refusal::ReasonRequired => "reason_required",
            Refusal::ReasonNotAccepted { .. } => "reason_not_accepted",
            Refusal::TooFar { .. } => "too_far",
        }
    }
}
