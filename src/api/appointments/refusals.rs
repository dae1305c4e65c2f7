//! Every refusal a use case returns, told as its problem: the stable code, the detail, the
//! request field at fault and the data a client needs to explain it. The use cases return
//! the domain's refusals; only here do they meet wire names.

use chrono::Duration;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::quotes::MoveRefusal;
use crate::domain::availability::Unavailable;
use crate::domain::lifecycle;
use crate::domain::message_text::local_when;
use crate::domain::money_display::display;
use crate::domain::policy::{OverrideError, Refusal};
use crate::domain::{Currency, Locale, Money};
use crate::error::{Code, Error, Param};

/// The problem for an override that cannot be given.
pub fn override_problem(e: OverrideError) -> Error {
    match e {
        OverrideError::NotAllowed => Error::new(
            Code::OverrideNotAllowed,
            "only staff and admin keys may override a policy",
        )
        .with_field("override"),
        OverrideError::NoteRequired => Error::invalid(
            "override.note",
            Code::NoteRequired,
            "an override needs a note saying why",
        ),
    }
}

fn minutes(d: Duration) -> i64 {
    d.num_minutes()
}

/// The problem for one rule of a policy that refuses a change.
pub fn policy_problem(r: &Refusal) -> Error {
    let code = r.code();
    match r {
        Refusal::NotReschedulable { status } | Refusal::NotCancellable { status } => {
            let verb = if matches!(r, Refusal::NotReschedulable { .. }) {
                "moved"
            } else {
                "cancelled"
            };
            Error::new(
                code,
                format!(
                    "the appointment is {}; it cannot be {verb}",
                    status.as_str()
                ),
            )
            .with_data(serde_json::json!({ "status": status }))
        }
        Refusal::NoShowWindowPassed { until, tz } => Error::new(
            code,
            format!(
                "a missed appointment could be rebooked until {}",
                local_when(*until, *tz, Locale::En)
            ),
        )
        .with_param("until", Param::Instant(*until, *tz))
        .with_data(serde_json::json!({ "until": until })),
        Refusal::NoticeTooShort { required, given } => Error::new(
            code,
            format!(
                "changes need {} minutes' notice; this one gives {}",
                minutes(*required),
                minutes(*given)
            ),
        )
        .with_data(serde_json::json!({
            "required_minutes": minutes(*required),
            "given_minutes": minutes(*given),
        })),
        Refusal::RescheduleLimitReached { max, used } => Error::new(
            code,
            format!("this appointment has been moved {used} times; the limit is {max}"),
        )
        .with_data(serde_json::json!({ "max": max, "used": used })),
        Refusal::CustomerLimitReached { max, used, window } => Error::new(
            code,
            format!(
                "this customer has moved {used} appointments in the last {} days; the limit is {max}",
                window.num_days()
            ),
        )
        .with_data(serde_json::json!({ "max": max, "used": used, "window_days": window.num_days() })),
        Refusal::ReasonRequired => Error::invalid(
            "reason_category",
            code,
            "the policy asks for a reason category",
        ),
        Refusal::ReasonNotAccepted { reason } => Error::invalid(
            "reason_category",
            code,
            format!("the policy does not accept '{}' as a reason", reason.as_str()),
        ),
        Refusal::TooFar { max, distance } => Error::invalid(
            "start",
            code,
            format!(
                "the new time may be at most {} days from the originally booked one",
                max.num_days()
            ),
        )
        .with_data(serde_json::json!({
            "max_minutes": minutes(*max),
            "distance_minutes": minutes(*distance),
        })),
    }
}

/// The problem for a start that cannot be booked (or moved to), naming `start`.
pub fn slot_problem(u: &Unavailable) -> Error {
    match u {
        Unavailable::InPast => Error::invalid("start", Code::StartInPast, "the start is in the past"),
        Unavailable::InsideLeadTime { earliest, tz } => Error::invalid(
            "start",
            Code::InsideLeadTime,
            format!(
                "bookings need more notice; the earliest start is {}",
                local_when(*earliest, *tz, Locale::En)
            ),
        )
        .with_param("earliest", Param::Instant(*earliest, *tz))
        .with_data(serde_json::json!({ "earliest": earliest })),
        Unavailable::BeyondHorizon { latest, tz } => crate::app::suggestions::beyond_horizon("start", *latest, *tz),
        Unavailable::OutsideOpeningHours => Error::invalid(
            "start",
            Code::OutsideOpeningHours,
            "the appointment would not lie within the location's opening hours",
        ),
        Unavailable::Closed => Error::invalid(
            "start",
            Code::LocationClosed,
            "the location is closed at that time",
        ),
        Unavailable::Taken => {
            Error::new(
                Code::SlotUnavailable,
                "that start is not available (taken, or not a slot start); ask availability for free times",
            )
            .with_field("start")
        }
    }
}

/// The problem for one reason a move is refused.
pub fn move_problem(r: &MoveRefusal) -> Error {
    match r {
        MoveRefusal::Policy(r) => policy_problem(r),
        MoveRefusal::SameStart => Error::invalid(
            "start",
            Code::SameStart,
            "the appointment already starts then",
        ),
        MoveRefusal::Slot(u) => slot_problem(u),
    }
}

/// The problem for a lifecycle step the appointment does not allow.
pub fn lifecycle_problem(r: &lifecycle::Refusal) -> Error {
    match r {
        lifecycle::Refusal::InvalidTransition { from, action } => Error::new(
            Code::InvalidTransition,
            format!(
                "cannot {} an appointment that is {}",
                action.as_str().replace('_', " "),
                from.as_str()
            ),
        )
        .with_data(serde_json::json!({ "status": from, "action": action.as_str() })),
        lifecycle::Refusal::TooEarlyToCheckIn { opens_at, tz } => Error::new(
            Code::CheckInTooEarly,
            format!(
                "check-in opens 12 hours before the start, at {}",
                local_when(*opens_at, *tz, Locale::En)
            ),
        )
        .with_param("opens_at", Param::Instant(*opens_at, *tz))
        .with_data(serde_json::json!({ "opens_at": opens_at })),
        lifecycle::Refusal::NotStartedYet { starts_at, tz } => Error::new(
            Code::AppointmentNotStarted,
            format!(
                "a no-show can be recorded from the start time, {}",
                local_when(*starts_at, *tz, Locale::En)
            ),
        )
        .with_param("starts_at", Param::Instant(*starts_at, *tz))
        .with_data(serde_json::json!({ "starts_at": starts_at })),
    }
}

/// `409 fee_changed`: the fee `due` now is not the one `accepted`, which the client
/// explains with the new quote (added by the caller).
/// Amounts are written as the organization's `locale` reads them (`Rp50.000`).
pub fn fee_changed_problem(
    accepted: Option<&Money>,
    due: i64,
    currency: Currency,
    locale: Locale,
) -> Error {
    let accepted_text = match accepted {
        None => "none was accepted".to_owned(),
        Some(m) => format!("{} was accepted", display(m.amount, currency, locale)),
    };
    Error::new(
        Code::FeeChanged,
        format!(
            "the fee is now {} and {accepted_text}; show the customer the new quote",
            display(due, currency, locale)
        ),
    )
    .with_param("due", display(due, currency, locale))
    .with_param(
        "accepted",
        accepted.map_or_else(String::new, |m| display(m.amount, currency, locale)),
    )
    .with_field("accepted_fee")
}

/// One rule that refuses the change, as the problem a commit would return for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalResponse {
    /// `notice_too_short`, `reschedule_limit_reached`, `customer_limit_reached`,
    /// `reason_required`, `reason_not_accepted`, `too_far`, `not_reschedulable`,
    /// `not_cancellable`, `no_show_window_passed`, `same_start`, or a slot refusal
    /// (`slot_unavailable`, `outside_opening_hours`, `location_closed`, `inside_lead_time`,
    /// `beyond_booking_horizon`, `start_in_past`).
    pub code: Code,
    pub detail: String,
    pub field: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

impl From<Error> for RefusalResponse {
    fn from(e: Error) -> Self {
        RefusalResponse {
            code: e.code,
            detail: e.detail.clone(),
            field: e.field.clone(),
            data: e.data.clone(),
        }
    }
}

/// The problem a refused commit returns: the first refusal, with all of them in
/// `data.refusals` and the quote in `data.quote`.
pub fn refused<T: Serialize>(mut problems: Vec<Error>, quote: &T) -> Error {
    if problems.is_empty() {
        return Error::internal("a refusal without a refusing rule");
    }
    let first = problems.remove(0);
    let mut all: Vec<RefusalResponse> = Vec::with_capacity(problems.len() + 1);
    let mut e = Error::new(first.code, first.detail.clone());
    if let Some(f) = &first.field {
        e = e.with_field(f.clone());
    }
    if let Some(d) = &first.data {
        e = e.with_data(d.clone());
    }
    all.push(first.into());
    all.extend(problems.into_iter().map(RefusalResponse::from));
    e.with_data_field("refusals", serde_json::to_value(all).unwrap_or_default())
        .with_data_field("quote", serde_json::to_value(quote).unwrap_or_default())
}
