//! When a failed delivery is tried again: waits that grow from 30 seconds to 8 hours
//! (nine attempts over about sixteen hours), each moved by up to a tenth either way so
//! that messages that failed together do not all come back together; never at or after
//! the moment the message stops being worth sending (a reminder's appointment start).

use chrono::{DateTime, Duration, Utc};

/// The wait after the 1st, 2nd, … failed attempt, in seconds.
pub const BACKOFF_SECONDS: [i64; 8] = [30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];

/// Attempts in all before a message is `failed`.
pub const MAX_ATTEMPTS: i32 = BACKOFF_SECONDS.len() as i32 + 1;

/// The waits of a webhook delivery: the messages' waits, then 8 hours twice more, so an
/// integration that is down overnight still gets its events: ten attempts over about
/// 23.7 hours.
pub const WEBHOOK_BACKOFF_SECONDS: [i64; 9] =
    [30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800];

/// Attempts in all before a webhook delivery is `failed`.
pub const WEBHOOK_MAX_ATTEMPTS: i32 = WEBHOOK_BACKOFF_SECONDS.len() as i32 + 1;

/// The next attempt after `attempts` failed ones, or `None` when there is none: the
/// attempts are spent, or the next would come at or after `expires_at`. `jitter` is in
/// `[-1, 1]` (scaled to a tenth of the wait).
pub fn next_attempt(
    attempts: i32,
    failed_at: DateTime<Utc>,
    jitter: f64,
    expires_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    next_attempt_by(&BACKOFF_SECONDS, attempts, failed_at, jitter, expires_at)
}

/// [`next_attempt`] with another list of waits (a webhook's).
pub fn next_attempt_by(
    waits: &[i64],
    attempts: i32,
    failed_at: DateTime<Utc>,
    jitter: f64,
    expires_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let wait = *waits.get(index)?;
    let spread = (wait as f64 * 0.1 * jitter.clamp(-1.0, 1.0)).round() as i64;
    let at = failed_at + Duration::seconds(wait + spread);
    match expires_at {
        Some(end) if at >= end => None,
        _ => Some(at),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn waits_grow_then_attempts_run_out() {
        assert_eq!(
            next_attempt(1, t0(), 0.0, None),
            Some(t0() + Duration::seconds(30))
        );
        assert_eq!(
            next_attempt(2, t0(), 0.0, None),
            Some(t0() + Duration::minutes(2))
        );
        assert_eq!(
            next_attempt(8, t0(), 0.0, None),
            Some(t0() + Duration::hours(8))
        );
        assert_eq!(next_attempt(MAX_ATTEMPTS, t0(), 0.0, None), None);
        assert_eq!(next_attempt(0, t0(), 0.0, None), None);
        let total: i64 = BACKOFF_SECONDS.iter().sum();
        assert!((15 * 3600..=17 * 3600).contains(&total), "{total}");
    }

    #[test]
    fn a_webhook_gets_ten_attempts_over_about_a_day() {
        let total: i64 = WEBHOOK_BACKOFF_SECONDS.iter().sum();
        assert!((22 * 3600..=25 * 3600).contains(&total), "{total}");
        assert_eq!(WEBHOOK_MAX_ATTEMPTS, 10);
        let w = &WEBHOOK_BACKOFF_SECONDS;
        assert_eq!(
            next_attempt_by(w, 9, t0(), 0.0, None),
            Some(t0() + Duration::hours(8))
        );
        assert_eq!(
            next_attempt_by(w, WEBHOOK_MAX_ATTEMPTS, t0(), 0.0, None),
            None
        );
    }

    #[test]
    fn jitter_moves_a_wait_by_at_most_a_tenth() {
        assert_eq!(
            next_attempt(3, t0(), 1.0, None),
            Some(t0() + Duration::seconds(660))
        );
        assert_eq!(
            next_attempt(3, t0(), -1.0, None),
            Some(t0() + Duration::seconds(540))
        );
        assert_eq!(
            next_attempt(3, t0(), 7.0, None),
            Some(t0() + Duration::seconds(660))
        );
    }

    #[test]
    fn no_attempt_at_or_after_expiry() {
        let end = t0() + Duration::seconds(30);
        assert_eq!(next_attempt(1, t0(), 0.0, Some(end)), None);
        let later = end + Duration::seconds(1);
        assert_eq!(next_attempt(1, t0(), 0.0, Some(later)), Some(end));
    }
}
