//! Messages that follow up on an appointment: asking once more when it is still not
//! confirmed some hours before, then flagging it for a call when that goes unanswered too;
//! and how long a message sent after the visit (a no-show's, a survey) stays worth sending.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::{ReminderRules, due_for};

/// How an appointment still unconfirmed is followed up. Both `None`: never.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnconfirmedRules {
    /// How long before the start the follow-up goes out.
    pub follow_up: Option<Duration>,
    /// How long before the start an appointment still unconfirmed after its follow-up is
    /// flagged for a call; shorter than `follow_up`.
    pub call: Option<Duration>,
}

/// The follow-up of an unconfirmed appointment and, if any, when it is flagged for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnconfirmedPlan {
    pub follow_up: DateTime<Utc>,
    pub call: Option<DateTime<Utc>>,
}

/// Plans the follow-up of an appointment starting at `start`, booked or moved at `now`.
///
/// - None when its time (`start - follow_up`) is not ahead of `now`: asking "will you
///   come?" right after the customer booked or moved is no follow-up. It is never caught up.
/// - Quiet hours move it as they move a reminder (`super::plan`).
/// - The call flag is planned only with a follow-up, strictly after it and before the
///   start: a customer is always asked before staff are told to call.
pub fn plan_unconfirmed(
    start: DateTime<Utc>,
    tz: Tz,
    reminders: &ReminderRules,
    rules: UnconfirmedRules,
    now: DateTime<Utc>,
) -> Option<UnconfirmedPlan> {
    let before = rules.follow_up.filter(|d| *d > Duration::zero())?;
    if start - before <= now {
        return None;
    }
    let follow_up = due_for(start, tz, reminders, before, now)?;
    let call = rules
        .call
        .map(|c| start - c)
        .filter(|t| *t > follow_up && *t < start);
    Some(UnconfirmedPlan { follow_up, call })
}

/// How long a message about a visit that is over (a no-show's follow-up, a survey, a fee
/// notice) is still attempted after it was due: a day, then it is better left unsent.
pub const AFTER_VISIT_VALID: Duration = Duration::days(1);

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone};

    use super::*;
    use crate::domain::reminders::QuietHours;

    const JAKARTA: Tz = chrono_tz::Asia::Jakarta;

    fn wib(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        JAKARTA
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rules(follow_up_h: i64, call_h: Option<i64>) -> UnconfirmedRules {
        UnconfirmedRules {
            follow_up: Some(Duration::hours(follow_up_h)),
            call: call_h.map(Duration::hours),
        }
    }

    #[test]
    fn follow_up_then_call_at_their_hours_before() {
        let p = plan_unconfirmed(
            wib(30, 9, 0),
            JAKARTA,
            &ReminderRules::default(),
            rules(12, Some(3)),
            wib(23, 10, 0),
        );
        assert_eq!(
            p,
            Some(UnconfirmedPlan {
                follow_up: wib(29, 21, 0),
                call: Some(wib(30, 6, 0)),
            })
        );
    }

    #[test]
    fn none_when_off_or_its_time_has_passed() {
        let r = ReminderRules::default();
        let off = UnconfirmedRules::default();
        assert_eq!(
            plan_unconfirmed(wib(30, 9, 0), JAKARTA, &r, off, wib(23, 10, 0)),
            None
        );
        // Booked eleven hours before: a 12-hour follow-up is not caught up.
        let late = wib(29, 22, 0);
        assert_eq!(
            plan_unconfirmed(wib(30, 9, 0), JAKARTA, &r, rules(12, Some(3)), late),
            None
        );
        // Exactly at its time: not ahead either.
        let exactly = wib(29, 21, 0);
        assert_eq!(
            plan_unconfirmed(wib(30, 9, 0), JAKARTA, &r, rules(12, Some(3)), exactly),
            None
        );
    }

    #[test]
    fn quiet_hours_move_the_follow_up_and_the_call_stays_after_it() {
        let r = ReminderRules {
            quiet: Some(QuietHours {
                start: NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            }),
            ..ReminderRules::default()
        };
        // 12 hours before 09:00 is 21:00, quiet: moved to 07:00; the call at 06:00 would
        // come before it, so none is planned.
        let p = plan_unconfirmed(
            wib(30, 9, 0),
            JAKARTA,
            &r,
            rules(12, Some(3)),
            wib(23, 10, 0),
        )
        .unwrap();
        assert_eq!(p.follow_up, wib(30, 7, 0));
        assert_eq!(p.call, None);
        let p = plan_unconfirmed(
            wib(30, 9, 0),
            JAKARTA,
            &r,
            rules(12, Some(1)),
            wib(23, 10, 0),
        )
        .unwrap();
        assert_eq!(p.call, Some(wib(30, 8, 0)));
    }

    #[test]
    fn a_call_time_not_before_the_start_is_dropped() {
        let p = plan_unconfirmed(
            wib(30, 9, 0),
            JAKARTA,
            &ReminderRules::default(),
            UnconfirmedRules {
                follow_up: Some(Duration::hours(12)),
                call: Some(Duration::zero()),
            },
            wib(23, 10, 0),
        )
        .unwrap();
        assert_eq!(p.call, None);
    }
}
