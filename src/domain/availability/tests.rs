use super::*;
use chrono_tz::{America, Asia, Europe};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn iv(a: &str, b: &str) -> Interval {
    Interval::new(utc(a), utc(b))
}

fn hours(json: serde_json::Value) -> WeeklyHours {
    serde_json::from_value::<WeeklyHours>(json)
        .unwrap()
        .validated("h")
        .unwrap()
}

fn weekdays(start: &str, end: &str) -> WeeklyHours {
    let day = serde_json::json!([{"start": start, "end": end}]);
    hours(
        serde_json::json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}),
    )
}

fn bay(id: &str) -> ResourceSchedule {
    ResourceSchedule {
        id: id.into(),
        kind: ResourceKind::ServiceBay,
        hours: None,
        closures: vec![],
        busy: vec![].into(),
    }
}

fn advisor(id: &str) -> ResourceSchedule {
    ResourceSchedule {
        kind: ResourceKind::ServiceAdvisor,
        ..bay(id)
    }
}

fn hour_service() -> ServiceNeeds {
    ServiceNeeds {
        duration: Duration::minutes(60),
        buffer_before: Duration::zero(),
        buffer_after: Duration::zero(),
        kinds: vec![ResourceKind::ServiceBay],
    }
}

const RULES: BookingRules = BookingRules {
    lead: Duration::zero(),
    horizon: Duration::days(90),
    step: Duration::minutes(60),
};

fn jakarta<'a>(h: &'a WeeklyHours, res: &'a [ResourceSchedule]) -> Schedule<'a> {
    Schedule {
        tz: Asia::Jakarta,
        hours: h,
        closures: &[],
        resources: res,
    }
}

/// The one-hour slots of Monday 30 November in Jakarta, asked a week before.
fn monday_slots(s: &Schedule) -> Vec<Slot> {
    find_slots(
        s,
        &hour_service(),
        &RULES,
        utc("2026-11-30T00:00:00+07:00"),
        utc("2026-12-01T00:00:00+07:00"),
        utc("2026-11-23T10:00:00+07:00"),
        Choice::default(),
    )
}

fn local(slots: &[Slot], tz: Tz) -> Vec<String> {
    slots
        .iter()
        .map(|s| {
            s.start
                .with_timezone(&tz)
                .format("%m-%d %H:%M %Z")
                .to_string()
        })
        .collect()
}

#[test]
fn jakarta_day_with_lunch_break_and_a_booking() {
    let h = hours(
        serde_json::json!({"mon": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "15:00"}]}),
    );
    let mut r = bay("b1");
    r.busy = vec![iv("2026-11-30T09:00:00+07:00", "2026-11-30T10:00:00+07:00")].into();
    let res = [r];
    let s = jakarta(&h, &res);
    let slots = monday_slots(&s);
    assert_eq!(
        local(&slots, Asia::Jakarta),
        [
            "11-30 08:00 WIB",
            "11-30 10:00 WIB",
            "11-30 11:00 WIB",
            "11-30 13:00 WIB",
            "11-30 14:00 WIB"
        ]
    );
    assert_eq!(slots[0].end, utc("2026-11-30T09:00:00+07:00"));
}

#[test]
fn buffers_keep_appointments_apart() {
    let h = weekdays("08:00", "17:00");
    let mut r = bay("b1");
    // An existing booking 10:00-11:00 whose own block includes 15 minutes after.
    r.busy = vec![iv("2026-11-30T10:00:00+07:00", "2026-11-30T11:15:00+07:00")].into();
    let res = [r];
    let s = jakarta(&h, &res);
    let needs = ServiceNeeds {
        buffer_before: Duration::minutes(15),
        buffer_after: Duration::minutes(15),
        ..hour_service()
    };
    let rules = BookingRules {
        step: Duration::minutes(15),
        ..RULES
    };
    let now = utc("2026-11-23T10:00:00+07:00");
    let slots = find_slots(
        &s,
        &needs,
        &rules,
        utc("2026-11-30T08:30:00+07:00"),
        utc("2026-11-30T12:00:00+07:00"),
        now,
        Choice::default(),
    );
    let starts = local(&slots, Asia::Jakarta);
    // 08:45 would end 09:45 + 15 buffer = 10:00: touching is allowed.
    assert!(starts.contains(&"11-30 08:45 WIB".to_string()));
    assert!(!starts.contains(&"11-30 09:00 WIB".to_string()));
    // Earliest after: 11:15 (existing block end) + 15 buffer before = 11:30.
    assert!(!starts.contains(&"11-30 11:15 WIB".to_string()));
    assert!(starts.contains(&"11-30 11:30 WIB".to_string()));
}

#[test]
fn lead_time_and_horizon_bound_the_window() {
    let h = weekdays("08:00", "17:00");
    let res = [bay("b1")];
    let s = jakarta(&h, &res);
    let rules = BookingRules {
        lead: Duration::hours(2),
        horizon: Duration::days(1),
        step: Duration::minutes(60),
    };
    let now = utc("2026-11-23T10:00:00+07:00");
    let slots = find_slots(
        &s,
        &hour_service(),
        &rules,
        now - Duration::days(1),
        now + Duration::days(5),
        now,
        Choice::default(),
    );
    assert_eq!(
        slots.first().unwrap().start,
        utc("2026-11-23T12:00:00+07:00")
    );
    assert_eq!(
        slots.last().unwrap().start,
        utc("2026-11-24T10:00:00+07:00"),
        "exactly now + horizon is allowed"
    );
    assert_eq!(
        check_start(
            &s,
            &hour_service(),
            &rules,
            utc("2026-11-23T09:00:00+07:00"),
            now,
            Choice::default()
        ),
        Err(Unavailable::InPast)
    );
    assert!(matches!(
        check_start(
            &s,
            &hour_service(),
            &rules,
            utc("2026-11-23T11:00:00+07:00"),
            now,
            Choice::default()
        ),
        Err(Unavailable::InsideLeadTime { .. })
    ));
    assert!(
        check_start(
            &s,
            &hour_service(),
            &rules,
            utc("2026-11-23T12:00:00+07:00"),
            now,
            Choice::default()
        )
        .is_ok()
    );
    assert!(matches!(
        check_start(
            &s,
            &hour_service(),
            &rules,
            utc("2026-11-24T11:00:00+07:00"),
            now,
            Choice::default()
        ),
        Err(Unavailable::BeyondHorizon { .. })
    ));
}

#[test]
fn check_start_names_the_reason() {
    let h = weekdays("08:00", "17:00");
    let mut r = bay("b1");
    r.busy = vec![iv("2026-11-30T09:00:00+07:00", "2026-11-30T10:00:00+07:00")].into();
    let res = [r];
    let closures = [iv("2026-12-25T00:00:00+07:00", "2026-12-26T00:00:00+07:00")];
    let s = Schedule {
        tz: Asia::Jakarta,
        hours: &h,
        closures: &closures,
        resources: &res,
    };
    let now = utc("2026-11-23T10:00:00+07:00");
    let at = |t: &str| check_start(&s, &hour_service(), &RULES, utc(t), now, Choice::default());
    assert_eq!(
        at("2026-11-30T16:30:00+07:00"),
        Err(Unavailable::OutsideOpeningHours),
        "would end after closing"
    );
    assert_eq!(
        at("2026-11-30T07:00:00+07:00"),
        Err(Unavailable::OutsideOpeningHours)
    );
    assert_eq!(at("2026-12-25T10:00:00+07:00"), Err(Unavailable::Closed));
    assert_eq!(at("2026-11-30T09:00:00+07:00"), Err(Unavailable::Taken));
    assert_eq!(
        at("2026-11-30T10:30:00+07:00"),
        Err(Unavailable::Taken),
        "off the hourly grid"
    );
    assert_eq!(at("2026-11-30T10:00:00+07:00").unwrap().resources, vec![0]);
}

#[test]
fn closure_spanning_midnight_blocks_both_days() {
    let h = weekdays("00:00", "24:00");
    let res = [bay("b1")];
    let closures = [iv("2026-12-31T20:00:00+07:00", "2027-01-01T10:00:00+07:00")];
    let s = Schedule {
        tz: Asia::Jakarta,
        hours: &h,
        closures: &closures,
        resources: &res,
    };
    let now = utc("2026-11-23T10:00:00+07:00");
    let slots = find_slots(
        &s,
        &hour_service(),
        &RULES,
        utc("2026-12-31T17:00:00+07:00"),
        utc("2027-01-01T12:00:00+07:00"),
        now,
        Choice::default(),
    );
    assert_eq!(
        local(&slots, Asia::Jakarta),
        [
            "12-31 17:00 WIB",
            "12-31 18:00 WIB",
            "12-31 19:00 WIB",
            "01-01 10:00 WIB",
            "01-01 11:00 WIB"
        ]
    );
}

#[test]
fn dst_gap_in_new_york_never_offers_a_missing_time() {
    let h = weekdays("00:00", "06:00");
    let res = [bay("b1")];
    let s = Schedule {
        tz: America::New_York,
        hours: &h,
        closures: &[],
        resources: &res,
    };
    let now = utc("2026-03-01T00:00:00Z");
    let slots = find_slots(
        &s,
        &hour_service(),
        &RULES,
        utc("2026-03-08T00:00:00-05:00"),
        utc("2026-03-08T12:00:00-04:00"),
        now,
        Choice::default(),
    );
    assert_eq!(
        local(&slots, America::New_York),
        [
            "03-08 00:00 EST",
            "03-08 01:00 EST",
            "03-08 03:00 EDT",
            "03-08 04:00 EDT",
            "03-08 05:00 EDT"
        ]
    );
    // 01:00 EST + 60 minutes is 03:00 EDT: a real hour, inside opening hours.
    assert_eq!(slots[1].end, slots[2].start);
}

#[test]
fn dst_overlap_in_berlin_lists_the_repeated_hour_twice() {
    let h = weekdays("00:00", "05:00");
    let res = [bay("b1")];
    let s = Schedule {
        tz: Europe::Berlin,
        hours: &h,
        closures: &[],
        resources: &res,
    };
    let now = utc("2026-10-01T00:00:00Z");
    let slots = find_slots(
        &s,
        &hour_service(),
        &RULES,
        utc("2026-10-25T00:00:00+02:00"),
        utc("2026-10-25T12:00:00+01:00"),
        now,
        Choice::default(),
    );
    assert_eq!(
        local(&slots, Europe::Berlin),
        [
            "10-25 00:00 CEST",
            "10-25 01:00 CEST",
            "10-25 02:00 CEST",
            "10-25 02:00 CET",
            "10-25 03:00 CET",
            "10-25 04:00 CET"
        ]
    );
    // Open 00:00 to 05:00 that night is six real hours: six one-hour slots, back to back.
    assert!(slots.windows(2).all(|w| w[0].end == w[1].start));
}

/// A location open 00:00 to 04:00 on the night New York falls back (1 November 2026,
/// 02:00 EDT to 01:00 EST) is open five real hours; the second 01:30 is a start like any
/// other: listed, and accepted, even when the first 01:30 is booked.
#[test]
fn the_second_pass_of_a_repeated_time_is_offered_and_accepted() {
    let h = weekdays("00:00", "04:00");
    let mut r = bay("b1");
    // The first 01:30 (EDT) is booked for half an hour.
    r.busy = vec![iv("2026-11-01T01:30:00-04:00", "2026-11-01T02:00:00-04:00")].into();
    let res = [r];
    let s = Schedule {
        tz: America::New_York,
        hours: &h,
        closures: &[],
        resources: &res,
    };
    let needs = ServiceNeeds {
        duration: Duration::minutes(30),
        ..hour_service()
    };
    let rules = BookingRules {
        step: Duration::minutes(30),
        ..RULES
    };
    let now = utc("2026-10-25T00:00:00Z");
    let (from, to) = (
        utc("2026-11-01T00:00:00-04:00"),
        utc("2026-11-02T00:00:00-05:00"),
    );
    let slots = find_slots(&s, &needs, &rules, from, to, now, Choice::default());
    assert_eq!(
        local(&slots, America::New_York),
        [
            "11-01 00:00 EDT",
            "11-01 00:30 EDT",
            "11-01 01:00 EDT",
            "11-01 01:00 EST",
            "11-01 01:30 EST",
            "11-01 02:00 EST",
            "11-01 02:30 EST",
            "11-01 03:00 EST",
            "11-01 03:30 EST"
        ]
    );
    let second = utc("2026-11-01T01:30:00-05:00");
    let ok = check_start(&s, &needs, &rules, second, now, Choice::default()).unwrap();
    assert_eq!((ok.start, ok.end), (second, second + Duration::minutes(30)));
    assert_eq!(
        check_start(
            &s,
            &needs,
            &rules,
            utc("2026-11-01T01:30:00-04:00"),
            now,
            Choice::default()
        ),
        Err(Unavailable::Taken),
        "the first 01:30 is booked"
    );
    // Every listed start is accepted, and only those on the grid are.
    for slot in &slots {
        assert_eq!(
            check_start(&s, &needs, &rules, slot.start, now, Choice::default()).as_ref(),
            Ok(slot)
        );
    }
}

/// The spring gap: 02:00 to 03:00 does not exist on 8 March 2026 in New York, so no
/// start is offered at a local time inside it, and the instants around it are the jump.
#[test]
fn no_start_at_a_local_time_that_does_not_exist() {
    let h = weekdays("00:00", "04:00");
    let res = [bay("b1")];
    let s = Schedule {
        tz: America::New_York,
        hours: &h,
        closures: &[],
        resources: &res,
    };
    let needs = ServiceNeeds {
        duration: Duration::minutes(30),
        ..hour_service()
    };
    let rules = BookingRules {
        step: Duration::minutes(30),
        ..RULES
    };
    let now = utc("2026-03-01T00:00:00Z");
    let slots = find_slots(
        &s,
        &needs,
        &rules,
        utc("2026-03-08T00:00:00-05:00"),
        utc("2026-03-09T00:00:00-04:00"),
        now,
        Choice::default(),
    );
    assert_eq!(
        local(&slots, America::New_York),
        [
            "03-08 00:00 EST",
            "03-08 00:30 EST",
            "03-08 01:00 EST",
            "03-08 01:30 EST",
            "03-08 03:00 EDT",
            "03-08 03:30 EDT"
        ]
    );
    // 01:30 EST + 30 minutes is 03:00 EDT: the instant "02:00" would have been is 03:00.
    assert_eq!(slots[3].end, slots[4].start);
}

#[test]
fn needs_one_of_each_kind_and_prefers_the_least_loaded() {
    let h = weekdays("08:00", "17:00");
    let mut busy_bay = bay("b1");
    busy_bay.busy = vec![iv("2026-11-30T08:00:00+07:00", "2026-11-30T09:00:00+07:00")].into();
    let mut a1 = advisor("a1");
    a1.busy = vec![iv("2026-11-30T14:00:00+07:00", "2026-11-30T16:00:00+07:00")].into();
    let res = [busy_bay, bay("b2"), a1, advisor("a2")];
    let s = jakarta(&h, &res);
    let needs = ServiceNeeds {
        kinds: vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
        ..hour_service()
    };
    let now = utc("2026-11-23T10:00:00+07:00");
    let slot = check_start(
        &s,
        &needs,
        &RULES,
        utc("2026-11-30T10:00:00+07:00"),
        now,
        Choice::default(),
    )
    .unwrap();
    assert_eq!(
        slot.resources,
        vec![1, 3],
        "b2 and a2 have no load that day"
    );
    // Pinning a1 uses it.
    let pinned = check_start(
        &s,
        &needs,
        &RULES,
        utc("2026-11-30T10:00:00+07:00"),
        now,
        Choice {
            pinned: Some(2),
            preferred: &[],
        },
    )
    .unwrap();
    assert_eq!(pinned.resources, vec![1, 2]);
    assert_eq!(
        check_start(
            &s,
            &needs,
            &RULES,
            utc("2026-11-30T14:00:00+07:00"),
            now,
            Choice {
                pinned: Some(2),
                preferred: &[]
            }
        ),
        Err(Unavailable::Taken)
    );
    // With only advisors busy at 08:00, the bay still has b2.
    let no_advisor = [bay("b1")];
    let s2 = Schedule {
        resources: &no_advisor,
        ..s
    };
    assert!(
        find_slots(
            &s2,
            &needs,
            &RULES,
            now,
            now + Duration::days(7),
            now,
            Choice::default()
        )
        .is_empty()
    );
}

#[test]
fn resource_hours_and_closures_narrow_the_location() {
    let h = weekdays("08:00", "17:00");
    let mut r = bay("b1");
    r.hours = Some(weekdays("07:00", "10:00"));
    r.closures = vec![iv("2026-11-30T08:00:00+07:00", "2026-11-30T09:00:00+07:00")];
    let res = [r];
    let s = jakarta(&h, &res);
    let slots = monday_slots(&s);
    assert_eq!(local(&slots, Asia::Jakarta), ["11-30 09:00 WIB"]);
}

#[test]
fn preferred_resources_win_when_free() {
    let h = weekdays("08:00", "17:00");
    let mut a1 = advisor("a1");
    a1.busy = vec![iv("2026-11-30T08:00:00+07:00", "2026-11-30T12:00:00+07:00")].into();
    let res = [bay("b1"), a1, advisor("a2")];
    let s = jakarta(&h, &res);
    let needs = ServiceNeeds {
        kinds: vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
        ..hour_service()
    };
    let now = utc("2026-11-23T10:00:00+07:00");
    let prefer = Choice {
        pinned: None,
        preferred: &[1],
    };
    let busy_morning = check_start(
        &s,
        &needs,
        &RULES,
        utc("2026-11-30T13:00:00+07:00"),
        now,
        prefer,
    )
    .unwrap();
    assert_eq!(
        busy_morning.resources,
        vec![0, 1],
        "a1 is preferred although it is more loaded"
    );
    let at_ten = check_start(
        &s,
        &needs,
        &RULES,
        utc("2026-11-30T10:00:00+07:00"),
        now,
        prefer,
    )
    .unwrap();
    assert_eq!(at_ten.resources, vec![0, 2], "a1 is busy, a2 serves");
}

#[test]
fn a_start_a_fraction_of_a_second_past_the_horizon_is_not_listed() {
    // A real clock's `now` has nanoseconds: with `now` at 09:59:59.5, a one-day horizon
    // ends at 09:59:59.5 the next day, so 10:00 is beyond it, and booking refuses it.
    let h = weekdays("08:00", "17:00");
    let res = [bay("b1")];
    let s = jakarta(&h, &res);
    let rules = BookingRules {
        horizon: Duration::days(1),
        ..RULES
    };
    let now = utc("2026-11-23T09:59:59.5+07:00");
    let ten = utc("2026-11-24T10:00:00+07:00");
    let slots = find_slots(
        &s,
        &hour_service(),
        &rules,
        now,
        now + Duration::days(2),
        now,
        Choice::default(),
    );
    assert_eq!(
        slots.last().unwrap().start,
        utc("2026-11-24T09:00:00+07:00")
    );
    assert!(matches!(
        check_start(&s, &hour_service(), &rules, ten, now, Choice::default()),
        Err(Unavailable::BeyondHorizon { .. })
    ));
}

/// An answer found once without the lead time and the horizon, cut to a later `now`, is
/// what a fresh search at that `now` finds: every quarter hour over a busy fortnight,
/// with a lead time, a horizon ending inside the window and a resource with hours of its
/// own (so the least-loaded choice matters).
#[test]
fn an_answer_kept_and_cut_to_now_is_the_fresh_answer() {
    let h = weekdays("08:00", "17:00");
    let mut b1 = bay("b1");
    let mut b2 = bay("b2");
    b2.hours = Some(weekdays("10:00", "15:00"));
    let mut a1 = advisor("a1");
    let mut busy1 = Vec::new();
    let mut busy2 = Vec::new();
    let day0 = utc("2026-11-30T08:00:00+07:00");
    for d in 0..14 {
        let at = day0 + Duration::days(d);
        busy1.push(Interval::new(
            at + Duration::hours(d % 3),
            at + Duration::hours(d % 3 + 2),
        ));
        busy2.push(Interval::new(
            at + Duration::hours(3),
            at + Duration::hours(4),
        ));
    }
    b1.busy = busy1.into();
    b2.busy = busy2.clone().into();
    a1.busy = busy2.into();
    let res = [b1, b2, a1];
    let s = jakarta(&h, &res);
    let needs = ServiceNeeds {
        kinds: vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
        ..hour_service()
    };
    let rules = BookingRules {
        lead: Duration::minutes(90),
        horizon: Duration::days(9),
        step: Duration::minutes(30),
    };
    let (from, to) = (day0 - Duration::days(1), day0 + Duration::days(14));
    let kept = find_slots_any_time(&s, &needs, &rules, from, to, Choice::default());
    assert!(kept.len() > 100, "{}", kept.len());
    let mut now = day0 - Duration::days(2);
    while now < to {
        let fresh = find_slots(&s, &needs, &rules, from, to, now, Choice::default());
        let cut: Vec<Slot> = bookable_at(&kept, &rules, now).cloned().collect();
        assert_eq!(cut, fresh, "at {now}");
        now += Duration::minutes(15);
    }
}
