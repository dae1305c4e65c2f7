//! Which status changes an appointment allows, and when.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::enums::AppointmentStatus as S;

/// A front-desk action on an appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Confirm,
    CheckIn,
    Complete,
    NoShow,
    Cancel,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::CheckIn => "check_in",
            Action::Complete => "complete",
            Action::NoShow => "no_show",
            Action::Cancel => "cancel",
        }
    }
}

/// A customer may be checked in from this long before the start (early arrivals), not
/// days ahead by mistake.
pub const CHECK_IN_WINDOW: Duration = Duration::hours(12);

/// Why an action is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The action does not apply to an appointment in `from`.
    InvalidTransition { from: S, action: Action },
    /// A no-show can only be recorded once the appointment has started.
    NotStartedYet { starts_at: DateTime<Utc>, tz: Tz },
    /// Check-in opens [`CHECK_IN_WINDOW`] before the start.
    TooEarlyToCheckIn { opens_at: DateTime<Utc>, tz: Tz },
}

/// The status after `action`, or why it is refused. `tz` is the location's zone, which a
/// refusal tells its time in.
pub fn transition(
    from: S,
    action: Action,
    starts_at: DateTime<Utc>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<S, Refusal> {
    let to = match (from, action) {
        (S::Booked, Action::Confirm) => S::Confirmed,
        (S::Booked | S::Confirmed, Action::CheckIn) => {
            let opens_at = starts_at - CHECK_IN_WINDOW;
            if now < opens_at {
                return Err(Refusal::TooEarlyToCheckIn { opens_at, tz });
            }
            S::CheckedIn
        }
        (S::CheckedIn, Action::Complete) => S::Completed,
        (S::Booked | S::Confirmed, Action::NoShow) => {
            if now < starts_at {
                return Err(Refusal::NotStartedYet { starts_at, tz });
            }
            S::NoShow
        }
        (S::Booked | S::Confirmed, Action::Cancel) => S::Cancelled,
        _ => return Err(Refusal::InvalidTransition { from, action }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const JKT: Tz = chrono_tz::Asia::Jakarta;

    #[test]
    fn every_status_and_action() {
        let start = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00")
            .unwrap()
            .with_timezone(&Utc);
        let after = start + Duration::minutes(30);
        let table = [
            (S::Booked, Action::Confirm, Some(S::Confirmed)),
            (S::Booked, Action::CheckIn, Some(S::CheckedIn)),
            (S::Booked, Action::Complete, None),
            (S::Booked, Action::NoShow, Some(S::NoShow)),
            (S::Booked, Action::Cancel, Some(S::Cancelled)),
            (S::Confirmed, Action::Confirm, None),
            (S::Confirmed, Action::CheckIn, Some(S::CheckedIn)),
            (S::Confirmed, Action::NoShow, Some(S::NoShow)),
            (S::Confirmed, Action::Cancel, Some(S::Cancelled)),
            (S::CheckedIn, Action::Complete, Some(S::Completed)),
            (S::CheckedIn, Action::Cancel, None),
            (S::CheckedIn, Action::NoShow, None),
        ];
        for (from, action, to) in table {
            assert_eq!(
                transition(from, action, start, JKT, after).ok(),
                to,
                "{from:?} {action:?}"
            );
        }
        for terminal in [S::Completed, S::Cancelled, S::NoShow] {
            for action in [
                Action::Confirm,
                Action::CheckIn,
                Action::Complete,
                Action::NoShow,
                Action::Cancel,
            ] {
                assert!(
                    transition(terminal, action, start, JKT, after).is_err(),
                    "{terminal:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn no_show_only_from_the_start_time() {
        let start = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00")
            .unwrap()
            .with_timezone(&Utc);
        let just_before = start - Duration::seconds(1);
        assert_eq!(
            transition(S::Booked, Action::NoShow, start, JKT, just_before),
            Err(Refusal::NotStartedYet {
                starts_at: start,
                tz: JKT
            })
        );
        assert_eq!(
            transition(S::Booked, Action::NoShow, start, JKT, start),
            Ok(S::NoShow)
        );
    }

    #[test]
    fn check_in_opens_twelve_hours_before() {
        let start = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00")
            .unwrap()
            .with_timezone(&Utc);
        let opens = start - CHECK_IN_WINDOW;
        assert_eq!(
            transition(
                S::Confirmed,
                Action::CheckIn,
                start,
                JKT,
                opens - Duration::seconds(1)
            ),
            Err(Refusal::TooEarlyToCheckIn {
                opens_at: opens,
                tz: JKT
            })
        );
        assert_eq!(
            transition(S::Confirmed, Action::CheckIn, start, JKT, opens),
            Ok(S::CheckedIn)
        );
    }
}
