//! Weekly local opening hours turned into UTC intervals, day by day, DST-correct.

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset as _,
    TimeZone as _, Utc,
};
use chrono_tz::Tz;

use super::interval::{Interval, normalize};
use super::local_time::resolve_forward;
use super::weekly_hours::{TimeOfDay, WeeklyHours};

/// Local dates whose opening hours can touch `[from, to)`, with a day of margin on each
/// side for zones far from UTC.
pub fn local_dates(
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> impl Iterator<Item = NaiveDate> {
    let first = from.with_timezone(&tz).date_naive() - Days::new(1);
    let last = to.with_timezone(&tz).date_naive() + Days::new(1);
    first.iter_days().take_while(move |d| *d <= last)
}

fn wall(date: NaiveDate, t: TimeOfDay) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(i64::from(t.minutes()))
}

/// The UTC intervals a weekly schedule is open during `[from, to)` (clipped to it).
/// A local time that does not exist (DST gap) is read as the first instant after it.
pub fn open_intervals(
    tz: Tz,
    hours: &WeeklyHours,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Interval> {
    let mut out = Vec::new();
    for date in local_dates(tz, from, to) {
        for r in hours.day(date.weekday()) {
            let start = resolve_forward(tz, wall(date, r.start)).max(from);
            let end = resolve_forward(tz, wall(date, r.end)).min(to);
            if start < end {
                out.push(Interval::new(start, end));
            }
        }
    }
    normalize(out)
}

/// The instants of local `start` and `end` when each exists once and both have the same
/// UTC offset (no clock change between them: zones change at most twice a year, never
/// twice within a day and back); `None` otherwise.
fn one_offset(
    tz: Tz,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match (tz.from_local_datetime(&start), tz.from_local_datetime(&end)) {
        (LocalResult::Single(a), LocalResult::Single(b))
            if a.offset().fix() == b.offset().fix() =>
        {
            Some((a.with_timezone(&Utc), b.with_timezone(&Utc)))
        }
        _ => None,
    }
}

/// Candidate slot starts: every `step` of local wall-clock time from the start of each
/// opening interval, at every instant showing that time: a local time that does not
/// exist (clocks jump forward) gives none, a repeated one (clocks fall back) gives both
/// instants, told apart by their UTC offset, since a place open through the night is
/// open during both. In time order, each instant once.
pub fn candidate_starts(
    tz: Tz,
    hours: &WeeklyHours,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: Duration,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for date in local_dates(tz, from, to) {
        for r in hours.day(date.weekday()) {
            let end = wall(date, r.end);
            let mut local = wall(date, r.start);
            if let Some((first, last)) = one_offset(tz, local, end) {
                // The zone keeps one offset over the whole range: the starts are every
                // `step` in UTC too, without a zone lookup for each.
                let mut t = first;
                while t < last && t < to {
                    if t >= from {
                        out.push(t);
                    }
                    t += step;
                }
                continue;
            }
            while local < end {
                let (first, second) = match tz.from_local_datetime(&local) {
                    LocalResult::Single(t) => (Some(t), None),
                    LocalResult::Ambiguous(a, b) => (Some(a), Some(b)),
                    LocalResult::None => (None, None),
                };
                for t in first.into_iter().chain(second) {
                    let t = t.with_timezone(&Utc);
                    if t >= from && t < to {
                        out.push(t);
                    }
                }
                local += step;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Europe};

    fn hours(json: serde_json::Value) -> WeeklyHours {
        serde_json::from_value::<WeeklyHours>(json)
            .unwrap()
            .validated("h")
            .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn jakarta_split_day() {
        let h = hours(
            serde_json::json!({"tue": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "16:00"}]}),
        );
        let open = open_intervals(
            Asia::Jakarta,
            &h,
            utc("2026-11-24T00:00:00+07:00"),
            utc("2026-11-25T00:00:00+07:00"),
        );
        assert_eq!(open.len(), 2);
        assert_eq!(open[0].start, utc("2026-11-24T01:00:00Z"));
        assert_eq!(open[1].end, utc("2026-11-24T09:00:00Z"));
    }

    /// Each start as New York wall time with its zone abbreviation (`01:30 EST`).
    fn new_york_labels(starts: &[DateTime<Utc>]) -> Vec<String> {
        starts
            .iter()
            .map(|t| {
                t.with_timezone(&America::New_York)
                    .format("%H:%M %Z")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn spring_forward_skips_missing_times() {
        // New York, 8 March 2026: 02:00 jumps to 03:00.
        let h = hours(serde_json::json!({"sun": [{"start": "01:00", "end": "05:00"}]}));
        let (from, to) = (
            utc("2026-03-08T00:00:00-05:00"),
            utc("2026-03-09T00:00:00-04:00"),
        );
        let starts = candidate_starts(America::New_York, &h, from, to, Duration::minutes(30));
        let local = new_york_labels(&starts);
        assert_eq!(
            local,
            [
                "01:00 EST",
                "01:30 EST",
                "03:00 EDT",
                "03:30 EDT",
                "04:00 EDT",
                "04:30 EDT"
            ]
        );
        // Open 01:00 EST to 05:00 EDT is three real hours.
        let open = open_intervals(America::New_York, &h, from, to);
        assert_eq!(open[0].end - open[0].start, Duration::hours(3));
    }

    #[test]
    fn fall_back_lists_a_repeated_time_at_both_instants() {
        // Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET.
        let h = hours(serde_json::json!({"sun": [{"start": "01:00", "end": "04:00"}]}));
        let (from, to) = (
            utc("2026-10-25T00:00:00+02:00"),
            utc("2026-10-26T00:00:00+01:00"),
        );
        let starts = candidate_starts(Europe::Berlin, &h, from, to, Duration::minutes(30));
        let local: Vec<String> = starts
            .iter()
            .map(|t| t.with_timezone(&Europe::Berlin).to_rfc3339())
            .collect();
        assert_eq!(
            local,
            [
                "2026-10-25T01:00:00+02:00",
                "2026-10-25T01:30:00+02:00",
                "2026-10-25T02:00:00+02:00",
                "2026-10-25T02:30:00+02:00",
                "2026-10-25T02:00:00+01:00",
                "2026-10-25T02:30:00+01:00",
                "2026-10-25T03:00:00+01:00",
                "2026-10-25T03:30:00+01:00",
            ]
        );
        assert!(
            starts
                .windows(2)
                .all(|w| w[1] - w[0] == Duration::minutes(30))
        );
        let open = open_intervals(Europe::Berlin, &h, from, to);
        assert_eq!(
            open[0].end - open[0].start,
            Duration::hours(4),
            "the repeated hour is real time"
        );
        // Inside a window holding only the second pass, only it is listed.
        let second = candidate_starts(
            Europe::Berlin,
            &h,
            utc("2026-10-25T01:00:00Z"),
            utc("2026-10-25T02:00:00Z"),
            Duration::minutes(30),
        );
        assert_eq!(
            second,
            [utc("2026-10-25T01:00:00Z"), utc("2026-10-25T01:30:00Z")]
        );
    }

    #[test]
    fn a_step_that_lands_in_the_repeated_hour_gives_both_instants() {
        // New York, 1 November 2026: 02:00 EDT falls back to 01:00 EST. Every 45 minutes
        // from 00:00: 00:45, 01:30 (twice), 02:15, 03:00, 03:45.
        let h = hours(serde_json::json!({"sun": [{"start": "00:00", "end": "04:00"}]}));
        let starts = candidate_starts(
            America::New_York,
            &h,
            utc("2026-11-01T00:00:00-04:00"),
            utc("2026-11-02T00:00:00-05:00"),
            Duration::minutes(45),
        );
        let local = new_york_labels(&starts);
        assert_eq!(
            local,
            [
                "00:00 EDT",
                "00:45 EDT",
                "01:30 EDT",
                "01:30 EST",
                "02:15 EST",
                "03:00 EST",
                "03:45 EST"
            ]
        );
    }

    /// The starts found per range (one zone lookup at each end) are those found by
    /// converting every local step, for a year of days in zones with and without DST,
    /// including ranges across midnight-adjacent changes and a 30-minute change.
    #[test]
    fn starts_per_range_match_a_lookup_per_step() {
        fn per_step(
            tz: Tz,
            hours: &WeeklyHours,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
            step: Duration,
        ) -> Vec<DateTime<Utc>> {
            let mut out = Vec::new();
            for date in local_dates(tz, from, to) {
                for r in hours.day(date.weekday()) {
                    let (mut local, end) = (wall(date, r.start), wall(date, r.end));
                    while local < end {
                        let found = match tz.from_local_datetime(&local) {
                            LocalResult::Single(t) => vec![t],
                            LocalResult::Ambiguous(a, b) => vec![a, b],
                            LocalResult::None => vec![],
                        };
                        out.extend(
                            found
                                .into_iter()
                                .map(|t| t.with_timezone(&Utc))
                                .filter(|t| *t >= from && *t < to),
                        );
                        local += step;
                    }
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        }
        let shapes = [
            serde_json::json!([{"start": "00:00", "end": "24:00"}]),
            serde_json::json!([{"start": "01:15", "end": "03:45"}, {"start": "08:00", "end": "17:00"}]),
            serde_json::json!([{"start": "22:00", "end": "24:00"}]),
        ];
        let zones = [
            Asia::Jakarta,
            America::New_York,
            Europe::London,
            chrono_tz::Australia::Lord_Howe,
            America::Santiago,
            chrono_tz::Asia::Tehran,
        ];
        for day in shapes {
            let h = hours(serde_json::json!({
                "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day
            }));
            for tz in zones {
                for minutes in [15, 20, 45] {
                    let step = Duration::minutes(minutes);
                    let (from, to) = (utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"));
                    assert_eq!(
                        candidate_starts(tz, &h, from, to, step),
                        per_step(tz, &h, from, to, step),
                        "{tz} every {minutes} min, {day}"
                    );
                }
            }
        }
    }
}
