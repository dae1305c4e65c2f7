//! Local wall-clock time in an IANA zone, DST-correct.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;

/// The first instant of a local date. Where midnight does not exist (a DST gap at 00:00,
/// as in some zones), the day starts at the first local minute that does.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_forward(tz, date.and_hms_opt(0, 0, 0).expect("midnight"))
}

/// The instant of a local wall time; in an overlap the earlier one, in a gap the first
/// valid instant after it (the wall time a clock jumps to).
pub fn resolve_forward(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    for _ in 0..=(4 * 60) {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc);
        }
        t += Duration::minutes(1);
    }
    // No zone has a gap of four hours; fall back to reading the wall time as UTC.
    local.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Europe};

    #[test]
    fn start_of_day_in_plain_and_dst_zones() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(
            start_of_day(Asia::Jakarta, d).to_rfc3339(),
            "2026-12-24T17:00:00+00:00"
        );
        // Europe/Berlin springs forward at 02:00, midnight exists.
        let d = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(
            start_of_day(Europe::Berlin, d).to_rfc3339(),
            "2026-03-28T23:00:00+00:00"
        );
        // America/Havana springs forward at midnight: the day starts at 01:00 local.
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(
            start_of_day(America::Havana, d).to_rfc3339(),
            "2026-03-08T05:00:00+00:00"
        );
    }

    #[test]
    fn gaps_move_forward_and_overlaps_take_the_earlier() {
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_forward(America::New_York, gap).to_rfc3339(),
            "2026-03-08T07:00:00+00:00"
        );
        let overlap = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_forward(America::New_York, overlap).to_rfc3339(),
            "2026-11-01T05:30:00+00:00"
        );
    }
}
