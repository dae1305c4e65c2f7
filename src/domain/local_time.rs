//! Local wall-clock time in an IANA zone, DST-correct.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset as _, TimeZone as _, Utc};
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

/// Local dates of many instants in one stretch of time, without a zone lookup each: the
/// zone's UTC offsets over the stretch are found once (sampled every day, each change
/// pinned to the second), then an instant's date is its UTC time plus the offset in
/// force. Exact wherever the offset changes at most once between two samples, which
/// every zone does (changes are months apart).
pub struct LocalDates {
    /// From each instant on, the offset in seconds, in time order; the first applies from
    /// the beginning of the stretch.
    offsets: Vec<(DateTime<Utc>, i32)>,
}

impl LocalDates {
    pub fn new(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let offset = |t: DateTime<Utc>| t.with_timezone(&tz).offset().fix().local_minus_utc();
        let mut offsets = vec![(from, offset(from))];
        let mut t = from;
        while t < to {
            let next = (t + Duration::days(1)).min(to);
            let (before, after) = (offsets.last().map_or(0, |o| o.1), offset(next));
            if after != before {
                // The first second with the new offset, by bisection.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > Duration::seconds(1) {
                    let mid = lo + (hi - lo) / 2;
                    if offset(mid) == before {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                offsets.push((hi, after));
            }
            t = next;
        }
        LocalDates { offsets }
    }

    /// The local date of `t`, which should lie in the stretch (outside it, the nearest
    /// end's offset is used).
    pub fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        let i = self.offsets.partition_point(|o| o.0 <= t).max(1) - 1;
        (t.naive_utc() + Duration::seconds(i64::from(self.offsets[i].1))).date()
    }
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

    #[test]
    fn local_dates_agree_with_the_zone_across_changes() {
        use chrono_tz::{America, Asia, Australia, Europe};
        for tz in [
            Asia::Jakarta,
            Europe::Berlin,
            America::Havana,
            America::Santiago,
            Australia::Lord_Howe,
            America::New_York,
        ] {
            let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
            let dates = LocalDates::new(tz, from, to);
            let mut t = from;
            while t < to {
                assert_eq!(
                    dates.date(t),
                    t.with_timezone(&tz).date_naive(),
                    "{tz} at {t}"
                );
                t += Duration::minutes(7);
            }
        }
    }
}
