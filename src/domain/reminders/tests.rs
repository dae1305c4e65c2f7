use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;

const JAKARTA: Tz = chrono_tz::Asia::Jakarta;
const NEW_YORK: Tz = chrono_tz::America::New_York;
const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn local(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn quiet(from: (u32, u32), to: (u32, u32)) -> ReminderRules {
    ReminderRules {
        quiet: Some(QuietHours {
            start: NaiveTime::from_hms_opt(from.0, from.1, 0).unwrap(),
            end: NaiveTime::from_hms_opt(to.0, to.1, 0).unwrap(),
        }),
        ..ReminderRules::default()
    }
}

fn dues(p: &[PlannedReminder]) -> Vec<DateTime<Utc>> {
    p.iter().map(|r| r.due).collect()
}

#[test]
fn a_day_and_two_hours_before_by_default() {
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    let now = local(JAKARTA, 2026, 11, 30, 10, 0);
    let p = plan(start, JAKARTA, &ReminderRules::default(), now);
    assert_eq!(
        dues(&p),
        [
            local(JAKARTA, 2026, 12, 6, 9, 0),
            local(JAKARTA, 2026, 12, 7, 7, 0)
        ]
    );
    assert_eq!(p[0].offset, Duration::hours(24));
    assert_eq!(p[1].offset, Duration::hours(2));
}

#[test]
fn a_passed_reminder_is_caught_up_at_exactly_the_catch_up_distance_and_not_a_second_less() {
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    let rules = ReminderRules::default();
    let at_edge = start - Duration::minutes(15);
    assert_eq!(dues(&plan(start, JAKARTA, &rules, at_edge)), [at_edge]);
    let too_late = at_edge + Duration::seconds(1);
    assert!(plan(start, JAKARTA, &rules, too_late).is_empty());
}

#[test]
fn two_passed_reminders_make_one_catch_up() {
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    let now = start - Duration::hours(1);
    let p = plan(start, JAKARTA, &ReminderRules::default(), now);
    assert_eq!(dues(&p), [now]);
    assert_eq!(p[0].offset, Duration::hours(2), "the nearer one stands");
}

#[test]
fn one_passed_reminder_is_caught_up_beside_one_still_ahead() {
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    let now = start - Duration::hours(5);
    let p = plan(start, JAKARTA, &ReminderRules::default(), now);
    assert_eq!(dues(&p), [now, start - Duration::hours(2)]);
}

#[test]
fn nothing_for_an_appointment_already_begun() {
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    assert!(plan(start, JAKARTA, &ReminderRules::default(), start).is_empty());
}

#[test]
fn a_reminder_in_quiet_hours_moves_to_their_end_when_that_is_comfortably_before() {
    let rules = quiet((21, 0), (7, 0));
    let start = local(JAKARTA, 2026, 12, 7, 8, 0);
    let now = local(JAKARTA, 2026, 11, 30, 10, 0);
    // 2 h before is 06:00, inside; 07:00 is still 45 minutes before the start.
    assert_eq!(
        dues(&plan(start, JAKARTA, &rules, now)),
        [
            local(JAKARTA, 2026, 12, 6, 8, 0),
            local(JAKARTA, 2026, 12, 7, 7, 0)
        ]
    );
}

#[test]
fn the_end_of_quiet_hours_counts_as_outside_them() {
    let rules = quiet((21, 0), (7, 0));
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    let now = local(JAKARTA, 2026, 11, 30, 10, 0);
    assert_eq!(
        dues(&plan(start, JAKARTA, &rules, now))[1],
        local(JAKARTA, 2026, 12, 7, 7, 0)
    );
    // Their beginning is inside: 21:00 moves to the next 07:00.
    let late = local(JAKARTA, 2026, 12, 7, 23, 0);
    assert_eq!(
        dues(&plan(late, JAKARTA, &rules, now))[1],
        local(JAKARTA, 2026, 12, 7, 20, 59),
        "07:00 next day is after a 23:00 start, so one minute before the quiet hours"
    );
}

#[test]
fn a_reminder_moves_before_quiet_hours_when_their_end_is_too_close_to_the_start() {
    let rules = quiet((21, 0), (7, 0));
    let start = local(JAKARTA, 2026, 12, 7, 7, 10);
    let now = local(JAKARTA, 2026, 11, 30, 10, 0);
    // 05:10 is inside; 07:00 leaves only 10 minutes, so one minute before 21:00.
    assert_eq!(
        dues(&plan(start, JAKARTA, &rules, now)),
        [
            local(JAKARTA, 2026, 12, 6, 7, 10),
            local(JAKARTA, 2026, 12, 6, 20, 59)
        ]
    );
}

#[test]
fn no_reminder_in_the_night_when_booked_inside_quiet_hours_too_close_to_their_end() {
    let rules = quiet((21, 0), (7, 0));
    let start = local(JAKARTA, 2026, 12, 7, 7, 10);
    let now = local(JAKARTA, 2026, 12, 6, 22, 0);
    assert!(plan(start, JAKARTA, &rules, now).is_empty());
    // Booked at 22:00 for 08:00: the catch-up waits for 07:00.
    let start = local(JAKARTA, 2026, 12, 7, 8, 0);
    assert_eq!(
        dues(&plan(start, JAKARTA, &rules, now)),
        [local(JAKARTA, 2026, 12, 7, 7, 0)]
    );
}

#[test]
fn quiet_hours_within_one_day() {
    let rules = quiet((12, 0), (13, 0));
    let start = local(JAKARTA, 2026, 12, 7, 14, 30);
    let now = local(JAKARTA, 2026, 11, 30, 10, 0);
    assert_eq!(
        dues(&plan(start, JAKARTA, &rules, now)),
        [
            local(JAKARTA, 2026, 12, 6, 14, 30),
            local(JAKARTA, 2026, 12, 7, 13, 0)
        ]
    );
}

#[test]
fn quiet_hours_follow_the_spring_dst_change() {
    // New York moves 02:00 EST to 03:00 EDT on 8 March 2026: the night of the 7th is an
    // hour shorter, and the quiet hours end at 07:00 EDT (11:00 UTC).
    let rules = quiet((21, 0), (7, 0));
    let start = local(NEW_YORK, 2026, 3, 8, 8, 0);
    assert_eq!(start, Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap());
    let now = local(NEW_YORK, 2026, 3, 1, 10, 0);
    let p = plan(start, NEW_YORK, &rules, now);
    // 24 elapsed hours before is 07:00 EST the day before (not 08:00): offsets are
    // elapsed time. 2 h before is 06:00 EDT, inside, so 07:00 EDT.
    assert_eq!(
        dues(&p),
        [
            Utc.with_ymd_and_hms(2026, 3, 7, 12, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 8, 11, 0, 0).unwrap()
        ]
    );
    let span = quiet_span(
        NEW_YORK,
        rules.quiet.unwrap(),
        p[1].due - Duration::hours(1),
    );
    let (begins, ends) = span.unwrap();
    assert_eq!(ends - begins, Duration::hours(9));
}

#[test]
fn quiet_hours_follow_the_autumn_dst_change() {
    // Berlin repeats 02:00–03:00 on 25 October 2026: that night is an hour longer.
    let rules = quiet((22, 0), (6, 0));
    let t = local(BERLIN, 2026, 10, 25, 2, 30);
    let (begins, ends) = quiet_span(BERLIN, rules.quiet.unwrap(), t).unwrap();
    assert_eq!(ends - begins, Duration::hours(9));
    assert_eq!(ends, Utc.with_ymd_and_hms(2026, 10, 25, 5, 0, 0).unwrap());
}

#[test]
fn offsets_that_are_not_positive_or_repeat_are_ignored() {
    let rules = ReminderRules {
        offsets: vec![
            Duration::hours(2),
            Duration::zero(),
            Duration::hours(2),
            Duration::minutes(-5),
        ],
        ..ReminderRules::default()
    };
    let start = local(JAKARTA, 2026, 12, 7, 9, 0);
    let now = local(JAKARTA, 2026, 11, 30, 10, 0);
    assert_eq!(
        dues(&plan(start, JAKARTA, &rules, now)),
        [start - Duration::hours(2)]
    );
}

#[test]
fn a_reminder_never_goes_out_after_the_start() {
    // Quiet all day but one hour: whatever is planned stays before the start.
    let rules = quiet((9, 0), (8, 0));
    let now = local(JAKARTA, 2026, 11, 30, 8, 10);
    for h in 0..24 {
        let start = local(JAKARTA, 2026, 12, 1, h, 0);
        for r in plan(start, JAKARTA, &rules, now) {
            assert!(r.due < start && r.due >= now, "{start}: {r:?}");
        }
    }
}
