use super::*;
use crate::domain::availability::{ResourceSchedule, check_start, find_slots};
use crate::domain::enums::ResourceKind;
use crate::domain::interval::Interval;
use crate::domain::weekly_hours::WeeklyHours;
use chrono_tz::{Asia, Tz};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A Jakarta time (WIB, +07:00) such as `"11-30 09:00"` (in 2026) or `"2027-01-04 08:00"`.
fn wib(s: &str) -> DateTime<Utc> {
    let s = if s.len() == 11 {
        format!("2026-{s}")
    } else {
        s.to_string()
    };
    utc(&format!("{}:00+07:00", s.replace(' ', "T")))
}

fn busy(from: &str, to: &str) -> Interval {
    Interval::new(wib(from), wib(to))
}

fn hours(json: serde_json::Value) -> WeeklyHours {
    serde_json::from_value::<WeeklyHours>(json)
        .unwrap()
        .validated("h")
        .unwrap()
}

/// Monday to Saturday 08:00-12:00 and 13:00-17:00, like Sinar Motor.
fn workshop_hours() -> WeeklyHours {
    let day =
        serde_json::json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]);
    hours(
        serde_json::json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day}),
    )
}

fn every_day(start: &str, end: &str) -> WeeklyHours {
    let day = serde_json::json!([{"start": start, "end": end}]);
    hours(
        serde_json::json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}),
    )
}

fn resource(id: &str, kind: ResourceKind, busy: Vec<Interval>) -> ResourceSchedule {
    ResourceSchedule {
        id: id.into(),
        kind,
        hours: None,
        closures: vec![],
        busy: busy.into(),
    }
}

fn bay(id: &str, busy: Vec<Interval>) -> ResourceSchedule {
    resource(id, ResourceKind::ServiceBay, busy)
}

fn advisor(id: &str, busy: Vec<Interval>) -> ResourceSchedule {
    resource(id, ResourceKind::ServiceAdvisor, busy)
}

fn service(kinds: &[ResourceKind]) -> ServiceNeeds {
    ServiceNeeds {
        duration: Duration::minutes(60),
        buffer_before: Duration::zero(),
        buffer_after: Duration::zero(),
        kinds: kinds.to_vec(),
    }
}

const HOURLY: BookingRules = BookingRules {
    lead: Duration::zero(),
    horizon: Duration::days(90),
    step: Duration::minutes(60),
};

/// A suggestion as a line: local start, resource ids, reasons.
fn line(s: &Schedule, x: &Suggestion) -> String {
    let ids: Vec<&str> = x
        .slot
        .resources
        .iter()
        .map(|&i| s.resources[i].id.as_str())
        .collect();
    let reasons: Vec<&str> = x.reasons.iter().map(|r| r.as_str()).collect();
    format!(
        "{} {} [{}]",
        x.slot.start.with_timezone(&s.tz).format("%a %m-%d %H:%M"),
        ids.join("+"),
        reasons.join(" ")
    )
}

fn lines(s: &Schedule, xs: &[Suggestion]) -> Vec<String> {
    xs.iter().map(|x| line(s, x)).collect()
}

fn jakarta<'a>(h: &'a WeeklyHours, res: &'a [ResourceSchedule]) -> Schedule<'a> {
    Schedule {
        tz: Asia::Jakarta,
        hours: h,
        closures: &[],
        resources: res,
    }
}

/// Sinar Motor: two bays, two advisors, a 60-minute periodic service. Budi booked
/// Monday 09:00 with bay 1 and advisor A (his own block is left out of `busy`, as the
/// caller does for the appointment being moved).
fn sinar_motor() -> (WeeklyHours, Vec<ResourceSchedule>) {
    let res = vec![
        bay("bay-1", vec![]),
        bay("bay-2", vec![busy("11-30 13:00", "11-30 15:00")]),
        advisor(
            "advisor-A",
            vec![
                busy("11-30 10:00", "11-30 12:00"),
                busy("11-30 14:00", "11-30 17:00"),
                busy("12-01 08:00", "12-01 09:00"),
            ],
        ),
        advisor(
            "advisor-B",
            vec![
                busy("11-30 08:00", "11-30 12:00"),
                busy("11-30 13:00", "11-30 17:00"),
            ],
        ),
    ];
    (workshop_hours(), res)
}

#[test]
fn budi_wants_later_on_monday() {
    let (h, res) = sinar_motor();
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor]);
    let monday_nine = wib("11-30 09:00");
    let want = Want {
        from: Some(monday_nine),
        preferred: vec![0, 2],
        exclude_start: Some(monday_nine),
        ..Want::near(monday_nine)
    };
    // Friday 10:00, 71 hours before.
    let now = wib("11-27 10:00");
    let got = suggest(&s, &needs, &HOURLY, &want, now, 3);
    assert_eq!(
        lines(&s, &got),
        [
            "Mon 11-30 13:00 bay-1+advisor-A [same_resource same_day nearest earliest]",
            "Tue 12-01 09:00 bay-1+advisor-A [same_resource same_day_part]",
            "Tue 12-01 08:00 bay-1+advisor-B [partly_same_resource same_day_part least_loaded]",
        ]
    );
    // Scores are the sums of their parts.
    assert_eq!(
        got[0].parts,
        Score {
            same_resource: 2 * weight::SAME_RESOURCE,
            closeness: -240,
            same_day: weight::SAME_DAY,
            same_day_part: 0,
            same_weekday: 0,
            load: -5, // advisor A has 300 minutes booked on Monday
        }
    );
    assert!(got.iter().all(|x| x.score == x.parts.total()));
    // Every suggestion is accepted by booking, with the same resources.
    for x in &got {
        let choice = Choice {
            pinned: None,
            preferred: &want.preferred,
        };
        assert_eq!(
            check_start(&s, &needs, &HOURLY, x.slot.start, now, choice),
            Ok(x.slot.clone())
        );
    }
}

#[test]
fn a_new_booking_gets_the_nearest_times_in_order() {
    let res = [bay("bay-1", vec![busy("11-30 09:00", "11-30 11:00")])];
    let h = workshop_hours();
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay]);
    let now = wib("11-23 10:00");
    let got = suggest(&s, &needs, &HOURLY, &Want::near(wib("11-30 09:00")), now, 4);
    assert_eq!(
        lines(&s, &got),
        [
            "Mon 11-30 08:00 bay-1 [same_day same_day_part nearest earliest]",
            "Mon 11-30 11:00 bay-1 [same_day same_day_part]",
            "Mon 11-30 13:00 bay-1 [same_day]",
            "Mon 11-30 14:00 bay-1 [same_day]",
        ]
    );
}

/// One row: the wanted local time, then the expected order of the offered times.
struct Row {
    case: &'static str,
    near: &'static str,
    expect: &'static [&'static str],
}

#[test]
fn ranking_table() {
    // One bay, open every day 08:00-20:00; busy times make the cases.
    let h = every_day("08:00", "20:00");
    let res = [bay(
        "bay-1",
        vec![
            // Monday: free only 08:00-10:00, 14:00-15:00 and 19:00-20:00.
            busy("11-30 10:00", "11-30 14:00"),
            busy("11-30 15:00", "11-30 19:00"),
            // Tuesday: fully booked, Wednesday free.
            busy("12-01 08:00", "12-01 20:00"),
        ],
    )];
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay]);
    let now = wib("11-23 10:00");
    let rows = [
        Row {
            case: "the nearer of two afternoon times wins",
            near: "11-30 15:00",
            expect: &["14:00", "19:00", "09:00"],
        },
        Row {
            case: "09:00 and 14:00 are equally near 11:30: the morning wins, 08:00 too",
            near: "11-30 11:30",
            expect: &["09:00", "08:00", "14:00"],
        },
        Row {
            case: "the same day beats another day a little nearer",
            near: "11-30 01:00",
            expect: &["11-30 08:00", "11-29 19:00", "11-29 18:00"],
        },
        Row {
            case: "Tuesday is full: the nearest on either side, in order of distance",
            near: "12-01 13:00",
            expect: &["11-30 19:00", "12-02 08:00", "12-02 09:00"],
        },
    ];
    for row in rows {
        let got = suggest(&s, &needs, &HOURLY, &Want::near(wib(row.near)), now, 3);
        let starts: Vec<String> = got
            .iter()
            .map(|x| {
                let t = x.slot.start.with_timezone(&s.tz);
                if row.expect.iter().any(|e| e.len() > 5) {
                    t.format("%m-%d %H:%M").to_string()
                } else {
                    t.format("%H:%M").to_string()
                }
            })
            .collect();
        assert_eq!(starts, row.expect, "{}", row.case);
    }
}

#[test]
fn equally_near_the_least_loaded_resources_win() {
    let h = every_day("08:00", "20:00");
    let res = [
        // bay-1 is free at 14:00 only, and busy for five hours that day.
        bay(
            "bay-1",
            vec![
                busy("11-30 08:00", "11-30 12:00"),
                busy("11-30 15:00", "11-30 16:00"),
            ],
        ),
        // bay-2 is free at 15:00, busy for one hour that day.
        bay("bay-2", vec![busy("11-30 14:00", "11-30 15:00")]),
    ];
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay]);
    let got = suggest(
        &s,
        &needs,
        &HOURLY,
        &Want::near(wib("11-30 14:30")),
        wib("11-23 10:00"),
        2,
    );
    assert_eq!(
        lines(&s, &got),
        [
            "Mon 11-30 15:00 bay-2 [same_day same_day_part least_loaded]",
            "Mon 11-30 14:00 bay-1 [same_day same_day_part nearest earliest]",
        ]
    );
    assert_eq!((got[0].parts.load, got[1].parts.load), (-1, -5));
}

#[test]
fn the_same_weekday_is_named_and_counts_a_little() {
    // Open Mondays and Tuesdays; Monday the 30th is full.
    let day = serde_json::json!([{"start": "08:00", "end": "12:00"}]);
    let h = hours(serde_json::json!({"mon": day, "tue": day}));
    let res = [bay("bay-1", vec![busy("11-30 08:00", "11-30 12:00")])];
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay]);
    let want = Want {
        from: Some(wib("11-30 00:00")),
        ..Want::near(wib("11-30 10:00"))
    };
    let got = suggest(&s, &needs, &HOURLY, &want, wib("11-23 10:00"), 7);
    assert_eq!(
        line(&s, &got[0]),
        "Tue 12-01 08:00 bay-1 [same_day_part nearest earliest]"
    );
    let next_monday = got
        .iter()
        .find(|x| x.slot.start == wib("12-07 10:00"))
        .unwrap();
    assert_eq!(
        line(&s, next_monday),
        "Mon 12-07 10:00 bay-1 [same_day_part same_weekday]"
    );
    assert_eq!(next_monday.parts.same_weekday, weight::SAME_WEEKDAY);
}

#[test]
fn pinned_resource_excluded_start_bounds_and_lead_time() {
    let (h, res) = sinar_motor();
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor]);
    let now = wib("11-30 09:30");
    // Monday 09:30, staff look for times near Budi's 09:00 start, which has passed: only
    // starts from now + lead on, with advisor A pinned.
    let rules = BookingRules {
        lead: Duration::hours(2),
        ..HOURLY
    };
    let want = Want {
        pinned: Some(2),
        exclude_start: Some(wib("11-30 13:00")),
        to: Some(wib("12-02 00:00")),
        ..Want::near(wib("11-30 09:00"))
    };
    let got = suggest(&s, &needs, &rules, &want, now, 10);
    assert_eq!(
        lines(&s, &got),
        [
            "Tue 12-01 09:00 bay-1+advisor-A [same_day_part nearest earliest]",
            "Tue 12-01 10:00 bay-1+advisor-A [same_day_part]",
            "Tue 12-01 11:00 bay-1+advisor-A [same_day_part]",
            "Tue 12-01 13:00 bay-1+advisor-A []",
            "Tue 12-01 14:00 bay-1+advisor-A []",
            "Tue 12-01 15:00 bay-1+advisor-A []",
            "Tue 12-01 16:00 bay-1+advisor-A []",
        ],
        "13:00 is excluded, Wednesday is beyond `to`"
    );
}

#[test]
fn nothing_to_offer() {
    let (h, res) = sinar_motor();
    let s = jakarta(&h, &res);
    let needs = service(&[ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor]);
    let now = wib("11-27 10:00");
    let want = Want::near(wib("11-30 09:00"));
    assert!(suggest(&s, &needs, &HOURLY, &want, now, 0).is_empty());
    assert!(suggest(&s, &service(&[]), &HOURLY, &want, now, 5).is_empty());
    let bad_pin = Want {
        pinned: Some(99),
        ..want.clone()
    };
    assert!(suggest(&s, &needs, &HOURLY, &bad_pin, now, 5).is_empty());
    let empty_bounds = Want {
        from: Some(wib("12-05 00:00")),
        to: Some(wib("12-04 00:00")),
        ..want.clone()
    };
    assert!(suggest(&s, &needs, &HOURLY, &empty_bounds, now, 5).is_empty());
    let sunday_only = Want {
        from: Some(wib("11-29 00:00")),
        to: Some(wib("11-30 00:00")),
        ..want
    };
    assert!(suggest(&s, &needs, &HOURLY, &sunday_only, now, 5).is_empty());
}

/// The brute-force definition of the candidates: every bookable start of the whole
/// search range, sorted by distance to `near`, then time.
fn brute_nearest(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    want: &Want,
    now: DateTime<Utc>,
    limit: usize,
) -> Vec<DateTime<Utc>> {
    let choice = Choice {
        pinned: want.pinned,
        preferred: &want.preferred,
    };
    let mut all: Vec<DateTime<Utc>> = find_slots(
        s,
        needs,
        rules,
        want.from.unwrap_or(now),
        want.to.unwrap_or(now + rules.horizon + Duration::days(1)),
        now,
        choice,
    )
    .into_iter()
    .map(|x| x.start)
    .filter(|&t| Some(t) != want.exclude_start)
    .collect();
    all.sort_by_key(|&t| ((t - want.near).abs(), t));
    all.truncate(limit);
    all
}

#[test]
fn growing_windows_find_what_a_full_scan_finds() {
    // Open only on Mondays, and closed for the next two months: the nearest times are
    // far from the wanted one, beyond the first windows searched.
    let day = serde_json::json!([{"start": "08:00", "end": "10:00"}]);
    let h = hours(serde_json::json!({"mon": day}));
    let closures = [busy("11-23 00:00", "12-28 00:00")];
    let res = [bay(
        "bay-1",
        vec![busy("2027-01-04 08:00", "2027-01-04 09:00")],
    )];
    let s = Schedule {
        tz: Asia::Jakarta,
        hours: &h,
        closures: &closures,
        resources: &res,
    };
    let needs = service(&[ResourceKind::ServiceBay]);
    let rules = BookingRules {
        horizon: Duration::days(365),
        ..HOURLY
    };
    let now = wib("11-23 10:00");
    for near in [
        "11-30 09:00",
        "12-28 09:30",
        "2027-01-04 08:00",
        "2027-02-01 08:00",
    ] {
        for limit in [1, 3, 7] {
            let want = Want {
                exclude_start: Some(wib("12-28 09:00")),
                ..Want::near(wib(near))
            };
            let got: Vec<DateTime<Utc>> = nearest_slots(&s, &needs, &rules, &want, now, limit)
                .into_iter()
                .map(|l| l.slot.start)
                .collect();
            assert_eq!(
                got,
                brute_nearest(&s, &needs, &rules, &want, now, limit),
                "near {near}, limit {limit}"
            );
        }
    }
    // Near a time after the horizon: the last bookable starts.
    let far = Want::near(now + Duration::days(800));
    let got = nearest_slots(&s, &needs, &rules, &far, now, 2);
    assert_eq!(
        got.iter().map(|l| l.slot.start).collect::<Vec<_>>(),
        brute_nearest(&s, &needs, &rules, &far, now, 2)
    );
}

#[test]
fn reasons_serialise_in_snake_case() {
    for r in [
        Reason::SameResource,
        Reason::PartlySameResource,
        Reason::SameDay,
        Reason::SameDayPart,
        Reason::SameWeekday,
        Reason::Nearest,
        Reason::Earliest,
        Reason::LeastLoaded,
    ] {
        assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
    }
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert_eq!(DayPart::of(t(11, 59)), DayPart::Morning);
    assert_eq!(DayPart::of(t(12, 0)), DayPart::Afternoon);
    assert_eq!(DayPart::of(t(17, 0)), DayPart::Evening);
    let _: Tz = Asia::Jakarta;
}
