//! Whether a customer's link still opens, decided at each use from the appointment as it
//! is then: a link lives until the appointment's end (or its no-show mark, if later)
//! plus the policy's no-show rebooking window, so the customer who forgot can still
//! rebook from it; with no rebooking rule, a day ([`GRACE`]) so a message sent after the
//! visit (a survey, a fee notice) still opens. A cancelled appointment's link is dead.

use chrono::{DateTime, Duration, Utc};

use super::AppointmentStatus;

/// How long a link outlives its appointment when the policy does not rebook a no-show.
pub const GRACE: Duration = Duration::days(1);

/// Until when a link to an appointment opens.
pub fn expires_at(
    ends_at: DateTime<Utc>,
    no_show_at: Option<DateTime<Utc>>,
    rebooking_window: Option<Duration>,
) -> DateTime<Utc> {
    let last = no_show_at.map_or(ends_at, |n| n.max(ends_at));
    last + rebooking_window.unwrap_or(GRACE)
}

/// Why a link does not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dead {
    /// Past [`expires_at`].
    Expired,
    /// The appointment is cancelled: nothing is left to do through it.
    Cancelled,
}

/// Whether a link to an appointment in `status` that expires at `expires` opens at `now`.
pub fn check(
    status: AppointmentStatus,
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Dead> {
    if now >= expires {
        Err(Dead::Expired)
    } else if status == AppointmentStatus::Cancelled {
        Err(Dead::Cancelled)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_link_lives_until_the_end_plus_the_rebooking_window() {
        let end = Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap();
        let week = Duration::days(7);
        assert_eq!(expires_at(end, None, Some(week)), end + week);
        assert_eq!(expires_at(end, None, None), end + GRACE);
        let marked = end + Duration::hours(2);
        assert_eq!(expires_at(end, Some(marked), Some(week)), marked + week);
        let exp = end + week;
        let s = AppointmentStatus::Booked;
        assert_eq!(check(s, exp, exp - Duration::seconds(1)), Ok(()));
        assert_eq!(check(s, exp, exp), Err(Dead::Expired));
        let c = AppointmentStatus::Cancelled;
        assert_eq!(check(c, exp, end), Err(Dead::Cancelled));
        assert_eq!(check(c, exp, exp), Err(Dead::Expired));
    }
}
