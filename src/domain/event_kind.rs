//! What happened to an appointment, as its history records it. One enum, so that the
//! kind a change writes and the kind a rule counts (a customer's moves in the rolling
//! window) cannot drift apart by a typo.

use strum::{EnumString, IntoStaticStr, VariantArray};

use super::lifecycle::Action;

/// Stored and served in snake_case (`checked_in`, `fee_waived`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    Created,
    Confirmed,
    CheckedIn,
    Completed,
    NoShow,
    Cancelled,
    /// A move, or the rebooking of a no-show: what the customer limit counts.
    Rescheduled,
    FeeWaived,
    FeePaid,
    /// A message to the customer could not be delivered after its last attempt: staff
    /// should call.
    MessageFailed,
    /// The customer replied to a message (the text and what it asked for are in the
    /// details).
    CustomerReplied,
    /// The appointment was flagged for staff to call the customer (the reason in the
    /// details).
    FlaggedForCall,
    /// Staff called the customer about a flagged appointment (their note kept), which
    /// cleared the flag.
    CallRecorded,
}

impl EventKind {
    /// The stored and served name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The event a front-desk action records.
    pub const fn of(action: Action) -> EventKind {
        match action {
            Action::Confirm => EventKind::Confirmed,
            Action::CheckIn => EventKind::CheckedIn,
            Action::Complete => EventKind::Completed,
            Action::NoShow => EventKind::NoShow,
            Action::Cancel => EventKind::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AppointmentStatus;
    use crate::domain::lifecycle::Action;

    /// History has always named an action's event after the status it leads to.
    #[test]
    fn an_action_records_the_status_it_enters() {
        let cases = [
            (Action::Confirm, AppointmentStatus::Confirmed),
            (Action::CheckIn, AppointmentStatus::CheckedIn),
            (Action::Complete, AppointmentStatus::Completed),
            (Action::NoShow, AppointmentStatus::NoShow),
            (Action::Cancel, AppointmentStatus::Cancelled),
        ];
        for (action, status) in cases {
            assert_eq!(EventKind::of(action).as_str(), status.as_str());
        }
    }

    /// These are the texts stored in the database: changing one needs a migration.
    #[test]
    fn stored_names_stay_the_same() {
        let names: Vec<&str> = EventKind::VARIANTS.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "created",
                "confirmed",
                "checked_in",
                "completed",
                "no_show",
                "cancelled",
                "rescheduled",
                "fee_waived",
                "fee_paid",
                "message_failed",
                "customer_replied",
                "flagged_for_call",
                "call_recorded"
            ]
        );
        for &k in EventKind::VARIANTS {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(k));
        }
    }
}
