//! The events an integration can subscribe a webhook endpoint to, and which of an
//! appointment's history events (or a fee's assessment) each one is.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};
use utoipa::ToSchema;

use super::EventKind;

/// An event type, named `resource.what_happened`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    IntoStaticStr,
    EnumString,
    VariantArray,
)]
pub enum WebhookEvent {
    #[serde(rename = "appointment.booked")]
    #[strum(serialize = "appointment.booked")]
    AppointmentBooked,
    #[serde(rename = "appointment.confirmed")]
    #[strum(serialize = "appointment.confirmed")]
    AppointmentConfirmed,
    /// Moved to another time, or rebooked after a no-show: one event with `from`, `to`,
    /// the fee and the reason.
    #[serde(rename = "appointment.rescheduled")]
    #[strum(serialize = "appointment.rescheduled")]
    AppointmentRescheduled,
    #[serde(rename = "appointment.cancelled")]
    #[strum(serialize = "appointment.cancelled")]
    AppointmentCancelled,
    #[serde(rename = "appointment.checked_in")]
    #[strum(serialize = "appointment.checked_in")]
    AppointmentCheckedIn,
    #[serde(rename = "appointment.completed")]
    #[strum(serialize = "appointment.completed")]
    AppointmentCompleted,
    #[serde(rename = "appointment.no_show")]
    #[strum(serialize = "appointment.no_show")]
    AppointmentNoShow,
    /// A reschedule, rebooking or cancellation fee was charged (or forgiven at once by an
    /// override: then its status is `waived`).
    #[serde(rename = "fee.assessed")]
    #[strum(serialize = "fee.assessed")]
    FeeAssessed,
    #[serde(rename = "fee.waived")]
    #[strum(serialize = "fee.waived")]
    FeeWaived,
    #[serde(rename = "fee.paid")]
    #[strum(serialize = "fee.paid")]
    FeePaid,
    /// A message to a customer failed after its last attempt.
    #[serde(rename = "message.failed")]
    #[strum(serialize = "message.failed")]
    MessageFailed,
}

impl WebhookEvent {
    /// The served and stored name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The webhook event an appointment's history event is, if any (replies from
    /// customers and the front desk's call worklist are not published).
    pub fn of(kind: EventKind) -> Option<WebhookEvent> {
        Some(match kind {
            EventKind::Created => WebhookEvent::AppointmentBooked,
            EventKind::Confirmed => WebhookEvent::AppointmentConfirmed,
            EventKind::Rescheduled => WebhookEvent::AppointmentRescheduled,
            EventKind::Cancelled => WebhookEvent::AppointmentCancelled,
            EventKind::CheckedIn => WebhookEvent::AppointmentCheckedIn,
            EventKind::Completed => WebhookEvent::AppointmentCompleted,
            EventKind::NoShow => WebhookEvent::AppointmentNoShow,
            EventKind::FeeWaived => WebhookEvent::FeeWaived,
            EventKind::FeePaid => WebhookEvent::FeePaid,
            EventKind::MessageFailed => WebhookEvent::MessageFailed,
            EventKind::CustomerReplied | EventKind::FlaggedForCall | EventKind::CallRecorded => {
                return None;
            }
        })
    }
}

/// The type of the event `POST /v1/webhook-endpoints/{id}/test` sends; no endpoint
/// subscribes to it, every endpoint can be sent one.
pub const TEST_EVENT: &str = "webhook.test";

/// Whether an endpoint subscribed to `types` is sent `event`.
pub fn wants(types: &[WebhookEvent], event: WebhookEvent) -> bool {
    types.contains(&event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_same_in_serde_and_storage() {
        for e in WebhookEvent::VARIANTS {
            let json = serde_json::to_value(e).unwrap();
            assert_eq!(json, e.as_str());
            assert_eq!(e.as_str().parse::<WebhookEvent>().unwrap(), *e);
        }
        assert_eq!(WebhookEvent::VARIANTS.len(), 11);
        assert!("appointment_booked".parse::<WebhookEvent>().is_err());
    }

    #[test]
    fn every_history_event_but_a_reply_is_published() {
        assert_eq!(
            WebhookEvent::of(EventKind::Created),
            Some(WebhookEvent::AppointmentBooked)
        );
        assert_eq!(WebhookEvent::of(EventKind::CustomerReplied), None);
        assert!(wants(&[WebhookEvent::FeePaid], WebhookEvent::FeePaid));
        assert!(!wants(&[WebhookEvent::FeePaid], WebhookEvent::FeeWaived));
    }
}
