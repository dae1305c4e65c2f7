//! Closed sets of names shared by the API and the database (stored as their snake_case text).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a string enum with `as_str` and `from_db`, serialised in snake_case.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the stored text; an unknown value means the row was written by a
            /// newer version or by hand, which is an internal error, not bad input.
            pub fn from_db(text: &str) -> Result<Self, crate::error::Error> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::error::Error::internal(format!(
                        concat!("unknown ", stringify!($name), " '{}' in database"), other
                    ))),
                }
            }
        }
    };
}

string_enum! {
    /// What an API key may do: `admin` configures, `staff` runs the front desk (and may
    /// override policies), `integration` is for other systems (no overrides).
    Role { Admin => "admin", Staff => "staff", Integration => "integration" }
}

string_enum! {
    /// What a resource is: a service bay, a service advisor, or anything else a service needs.
    ResourceKind { ServiceBay => "service_bay", ServiceAdvisor => "service_advisor", Other => "other" }
}

string_enum! {
    /// Language of customer-facing text: Indonesian (`id`) or English (`en`).
    Locale { Id => "id", En => "en" }
}

string_enum! {
    /// How the customer prefers to receive messages.
    ContactChannel { Whatsapp => "whatsapp", Sms => "sms", Email => "email" }
}

string_enum! {
    /// Where an appointment stands. `booked` and `confirmed` are upcoming; `checked_in`
    /// means the customer arrived; `completed`, `cancelled` and `no_show` are final.
    AppointmentStatus {
        Booked => "booked",
        Confirmed => "confirmed",
        CheckedIn => "checked_in",
        Completed => "completed",
        Cancelled => "cancelled",
        NoShow => "no_show",
    }
}

string_enum! {
    /// How the meeting takes place.
    Channel { InPerson => "in_person", Phone => "phone", Video => "video" }
}

string_enum! {
    /// Why a customer cancels or moves an appointment.
    ReasonCategory {
        UrgentMatter => "urgent_matter",
        Illness => "illness",
        RunningLate => "running_late",
        ScheduleChange => "schedule_change",
        Forgot => "forgot",
        Other => "other",
    }
}

string_enum! {
    /// What a fee was charged for: moving an appointment, rebooking it after a no-show,
    /// or cancelling it.
    FeeKind { Reschedule => "reschedule", Rebooking => "rebooking", Cancellation => "cancellation" }
}

string_enum! {
    /// Where a fee stands: `due` until it is `paid` (with a payment reference) or
    /// `waived` (by staff, with a note).
    FeeStatus { Due => "due", Waived => "waived", Paid => "paid" }
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

    #[test]
    fn text_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::from_db(r.as_str()).unwrap(), *r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        for k in ResourceKind::ALL {
            assert_eq!(ResourceKind::from_db(k.as_str()).unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!(Locale::from_db("fr").is_err());
    }
}
