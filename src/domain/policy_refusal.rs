//! The rules that can refuse a move or a cancellation, each with a stable code.

use crate::error::Code;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

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
        /// The location's zone, to tell `until` as the front desk reads it.
        tz: Tz,
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
    pub fn code(&self) -> Code {
        match self {
            Refusal::NotReschedulable { .. } => Code::NotReschedulable,
            Refusal::NotCancellable { .. } => Code::NotCancellable,
            Refusal::NoShowWindowPassed { .. } => Code::NoShowWindowPassed,
            Refusal::NoticeTooShort { .. } => Code::NoticeTooShort,
            Refusal::RescheduleLimitReached { .. } => Code::RescheduleLimitReached,
            Refusal::CustomerLimitReached { .. } => Code::CustomerLimitReached,
            Refusal::ReasonRequired => Code::ReasonRequired,
            Refusal::ReasonNotAccepted { .. } => Code::ReasonNotAccepted,
            Refusal::TooFar { .. } => Code::TooFar,
        }
    }
}
