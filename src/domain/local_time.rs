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
/// pinned to the nanosecond), then an instant's date is its UTC time plus the offset in
/// force. Exact wherever the offset changes at most once between two samples, which
/// every zone does (changes are months apart).
pub struct LocalDates {
    /// From each instant on (nanoseconds since 1970), the offset in nanoseconds, in time
    /// order; the first applies from the beginning of the stretch.
    offsets: Vec<(i64, i64)>,
}

const NANOS_PER_DAY: i64 = 86_400_000_000_000;
/// Days from 1 January of year 1 to 1 January 1970.
const UNIX_EPOCH_DAY_FROM_CE: i64 = 719_163;

/// An instant as nanoseconds since 1970, saturating outside 1677 to 2262.
pub fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

impl LocalDates {
    pub fn new(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let offset = |t: DateTime<Utc>| t.with_timezone(&tz).offset().fix().local_minus_utc();
        let as_nanos = |seconds: i32| i64::from(seconds) * 1_000_000_000;
        let mut offsets = vec![(nanos(from), as_nanos(offset(from)))];
        let mut before = offset(from);
        let mut t = from;
        while t < to {
            let next = (t + Duration::days(1)).min(to);
            let after = offset(next);
            if after != before {
                // The first instant with the new offset, by bisection.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > Duration::nanoseconds(1) {
                    let mid = lo + (hi - lo) / 2;
                    if offset(mid) == before {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                offsets.push((nanos(hi), as_nanos(after)));
                before = after;
            }
            t = next;
        }
        LocalDates { offsets }
    }

    /// The local day of an instant given in nanoseconds since 1970, counted in days
    /// since 1970-01-01: integer arithmetic only, for the many instants of a search.
    pub fn day_number(&self, t: i64) -> i64 {
        let i = self.offsets.partition_point(|o| o.0 <= t).max(1) - 1;
        t.saturating_add(self.offsets[i].1)
            .div_euclid(NANOS_PER_DAY)
    }

    /// The local date of `t`, which should lie in the stretch (outside it, the nearest
    /// end's offset is used).
    pub fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        let day = self.day_number(nanos(t)) + UNIX_EPOCH_DAY_FROM_CE;
        i32::try_from(day)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .unwrap_or_else(|| t.naive_utc().date())
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
