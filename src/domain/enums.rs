//! Closed sets of names shared by the API and the database (stored as their snake_case text).

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};
use utoipa::ToSchema;

/// Declares a string enum. serde (the API) and strum (the database, through
/// `crate::db::sql_types`) both name the variants in snake_case, so the two cannot drift.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[derive(Display, IntoStaticStr, EnumString, VariantArray)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// The served and stored name.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

string_enum! {
    /// What an API key may do: `admin` configures, `staff` runs the front desk (and may
    /// override policies), `integration` is for other systems (no overrides).
    Role { Admin, Staff, Integration }
}

string_enum! {
    /// What a resource is: a service bay, a service advisor, or anything else a service needs.
    ResourceKind { ServiceBay, ServiceAdvisor, Other }
}

string_enum! {
    /// Language of customer-facing text: Indonesian (`id`) or English (`en`).
    Locale { Id, En }
}

string_enum! {
    /// How the customer prefers to receive messages.
    ContactChannel { Whatsapp, Sms, Email }
}

string_enum! {
    /// Where an appointment stands. `booked` and `confirmed` are upcoming; `checked_in`
    /// means the customer arrived; `completed`, `cancelled` and `no_show` are final.
    AppointmentStatus {
        Booked,
        Confirmed,
        CheckedIn,
        Completed,
        Cancelled,
        NoShow,
    }
}

string_enum! {
    /// How the meeting takes place.
    Channel { InPerson, Phone, Video }
}

string_enum! {
    /// Why a customer cancels or moves an appointment.
    ReasonCategory {
        UrgentMatter,
        Illness,
        RunningLate,
        ScheduleChange,
        Forgot,
        Other,
    }
}

string_enum! {
    /// What a fee was charged for: moving an appointment, rebooking it after a no-show,
    /// or cancelling it.
    FeeKind { Reschedule, Rebooking, Cancellation }
}

string_enum! {
    /// Where a fee stands: `due` until it is `paid` (with a payment reference) or
    /// `waived` (by staff, with a note).
    FeeStatus { Due, Waived, Paid }
}

string_enum! {
    /// What a customer's reply word asks for (anything not among the words is kept for staff).
    ReplyIntent { Confirm, Change, Cancel }
}

string_enum! {
    /// Which answer Janji gives to a customer's reply.
    AnswerKind {
        /// The appointment is confirmed.
        Confirmed,
        /// Other times, each with its fee.
        Change,
        /// Other times were asked for and there are none.
        ChangeNone,
        /// What cancelling would cost (nothing is cancelled).
        Cancel,
        /// Any other reply: kept for staff.
        Other,
    }
}

string_enum! {
    /// What a message to a customer is about.
    MessageKind {
        BookingConfirmation,
        Reminder,
        Rescheduled,
        Cancelled,
        /// Janji's answer to a customer's reply.
        ReplyAnswer,
        /// Still not confirmed some hours before the start: asked once more.
        UnconfirmedFollowUp,
        /// After a no-show: we missed you, pick a new time.
        NoShowFollowUp,
        /// After completion: the organization's survey link.
        Survey,
        /// A fee was charged for a change (its amount as the customer reads it).
        FeeNotice,
        /// An event POSTed to an integration's webhook endpoint (its type is the
        /// delivery's `event_type`).
        Webhook,
    }
}

string_enum! {
    /// Where a message in the outbox goes: a customer's channel (through the gateway), or
    /// an integration's webhook endpoint.
    DeliveryChannel { Whatsapp, Sms, Email, Webhook }
}

impl From<ContactChannel> for DeliveryChannel {
    fn from(c: ContactChannel) -> Self {
        match c {
            ContactChannel::Whatsapp => DeliveryChannel::Whatsapp,
            ContactChannel::Sms => DeliveryChannel::Sms,
            ContactChannel::Email => DeliveryChannel::Email,
        }
    }
}

impl DeliveryChannel {
    /// The customer's channel a message goes out on; `None` for an integration's webhook.
    pub fn contact(self) -> Option<ContactChannel> {
        match self {
            DeliveryChannel::Whatsapp => Some(ContactChannel::Whatsapp),
            DeliveryChannel::Sms => Some(ContactChannel::Sms),
            DeliveryChannel::Email => Some(ContactChannel::Email),
            DeliveryChannel::Webhook => None,
        }
    }
}

string_enum! {
    /// Why staff should call a customer about an appointment: it was still `unconfirmed`
    /// after its follow-up, or a message about it `message_failed` after its last attempt.
    CallReason { Unconfirmed, MessageFailed }
}

string_enum! {
    /// Where a message in the outbox stands: `pending` until it is `sent`, `failed` after
    /// its last attempt, or `cancelled` when the change it announced was superseded.
    MessageStatus { Pending, Sent, Failed, Cancelled }
}

impl AppointmentStatus {
    /// Whether the appointment still occupies its time and resources.
    pub fn holds_slot(self) -> bool {
        !matches!(
            self,
            AppointmentStatus::Cancelled | AppointmentStatus::NoShow
        )
    }
}

impl Role {
    /// Staff-level work (front desk) is open to staff and admin keys.
    pub fn is_staff_or_admin(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names each variant has (in declaration order), checked to be the same in
    /// serde, `as_str`, `Display` and `FromStr`.
    fn names<T>() -> Vec<&'static str>
    where
        T: VariantArray + Copy + PartialEq + std::fmt::Debug + std::fmt::Display + Serialize,
        T: Into<&'static str> + std::str::FromStr,
    {
        T::VARIANTS
            .iter()
            .map(|&v| {
                let name: &'static str = v.into();
                assert_eq!(serde_json::to_value(v).unwrap(), name);
                assert_eq!(v.to_string(), name);
                assert!(name.parse::<T>().is_ok_and(|back| back == v), "{name}");
                name
            })
            .collect()
    }

    /// These are the texts stored in the database: changing one needs a migration.
    #[test]
    fn stored_names_stay_the_same() {
        assert_eq!(names::<Role>(), ["admin", "staff", "integration"]);
        assert_eq!(
            names::<ResourceKind>(),
            ["service_bay", "service_advisor", "other"]
        );
        assert_eq!(names::<Locale>(), ["id", "en"]);
        assert_eq!(names::<ContactChannel>(), ["whatsapp", "sms", "email"]);
        assert_eq!(
            names::<AppointmentStatus>(),
            [
                "booked",
                "confirmed",
                "checked_in",
                "completed",
                "cancelled",
                "no_show"
            ]
        );
        assert_eq!(names::<Channel>(), ["in_person", "phone", "video"]);
        assert_eq!(
            names::<ReasonCategory>(),
            [
                "urgent_matter",
                "illness",
                "running_late",
                "schedule_change",
                "forgot",
                "other"
            ]
        );
        assert_eq!(
            names::<FeeKind>(),
            ["reschedule", "rebooking", "cancellation"]
        );
        assert_eq!(names::<FeeStatus>(), ["due", "waived", "paid"]);
        assert_eq!(
            names::<MessageKind>(),
            [
                "booking_confirmation",
                "reminder",
                "rescheduled",
                "cancelled",
                "reply_answer",
                "unconfirmed_follow_up",
                "no_show_follow_up",
                "survey",
                "fee_notice",
                "webhook"
            ]
        );
        assert_eq!(names::<CallReason>(), ["unconfirmed", "message_failed"]);
        assert_eq!(
            names::<MessageStatus>(),
            ["pending", "sent", "failed", "cancelled"]
        );
        assert!("fr".parse::<Locale>().is_err());
        assert!("Booked".parse::<AppointmentStatus>().is_err());
    }
}
