use super::*;
use crate::error::Code;
use chrono::TimeZone;

fn h(n: i64) -> Duration {
    Duration::hours(n)
}

/// Sinar Motor's policy from the design story (IDR, minor units with two digits).
fn sinar() -> ReschedulePolicy {
    ReschedulePolicy {
        rules: ChangeRules {
            min_notice: h(24),
            late_mode: LateMode::Charge,
            fee_tiers: vec![
                FeeTier {
                    notice_at_least: h(72),
                    fee: 0,
                },
                FeeTier {
                    notice_at_least: h(24),
                    fee: 5_000_000,
                },
                FeeTier {
                    notice_at_least: Duration::zero(),
                    fee: 15_000_000,
                },
            ],
            reason_required: true,
            reason_categories: vec![],
        },
        max_per_appointment: Some(2),
        max_per_customer: Some((3, Duration::days(90))),
        after_no_show: Some(AfterNoShow {
            within: Duration::days(7),
            fee: 5_000_000,
        }),
        max_distance: None,
    }
}

/// Monday 30 November 2026, 09:00 WIB.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()
}

fn booked(moves: u32) -> AppointmentFacts {
    AppointmentFacts {
        status: AppointmentStatus::Booked,
        starts_at: start(),
        original_starts_at: start(),
        moves,
        no_show_at: None,
        time_zone: chrono_tz::Asia::Jakarta,
    }
}

fn by(role: Option<Role>) -> Ask {
    Ask {
        reason: Some(ReasonCategory::ScheduleChange),
        override_: None,
        asker: Asker { role },
    }
}

fn staff() -> Ask {
    by(Some(Role::Staff))
}

fn codes(d: &Decision) -> Vec<Code> {
    d.refusals.iter().map(Refusal::code).collect()
}

#[test]
fn fee_tiers_at_their_exact_edges() {
    let p = sinar();
    let later = start() + h(4);
    // (notice before the start, fee, tier index)
    let table = [
        (h(100), 0, Some(0)),
        (h(72), 0, Some(0)),
        (h(72) - Duration::seconds(1), 5_000_000, Some(1)),
        (h(71), 5_000_000, Some(1)),
        (h(24), 5_000_000, Some(1)),
        (h(24) - Duration::seconds(1), 15_000_000, Some(2)),
        (Duration::minutes(1), 15_000_000, Some(2)),
    ];
    for (notice, fee, tier) in table {
        let d =
            evaluate_reschedule(&p, &booked(0), &[], later, &staff(), start() - notice).unwrap();
        assert!(
            d.allowed(),
            "{notice}: late changes are charged, not refused"
        );
        assert_eq!(d.fee, fee, "notice {notice}");
        match (d.fee_source, tier) {
            (FeeSource::Tier { index, .. }, Some(t)) => assert_eq!(index, t),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn valid_until_is_when_the_tier_changes() {
    let p = sinar();
    let now = start() - h(71);
    let d = evaluate_reschedule(&p, &booked(0), &[], start() + h(4), &staff(), now).unwrap();
    assert_eq!(d.valid_until, Some(start() - h(24)));
    let d = evaluate_reschedule(
        &p,
        &booked(0),
        &[],
        start() + h(4),
        &staff(),
        start() - h(100),
    )
    .unwrap();
    assert_eq!(d.valid_until, Some(start() - h(72)));
    let d = evaluate_reschedule(
        &p,
        &booked(0),
        &[],
        start() + h(4),
        &staff(),
        start() - h(2),
    )
    .unwrap();
    assert_eq!(d.valid_until, None, "the last tier holds until the start");
}

#[test]
fn refuse_mode_at_the_notice_boundary() {
    let mut p = sinar();
    p.rules.late_mode = LateMode::Refuse;
    p.rules.fee_tiers.pop();
    let at = |notice: Duration| {
        evaluate_reschedule(
            &p,
            &booked(0),
            &[],
            start() + h(4),
            &staff(),
            start() - notice,
        )
        .unwrap()
    };
    let exactly = at(h(24));
    assert!(exactly.allowed());
    assert_eq!(exactly.fee, 5_000_000);
    assert_eq!(exactly.valid_until, Some(start() - h(24)));
    let short = at(h(24) - Duration::seconds(1));
    assert_eq!(codes(&short), [Code::NoticeTooShort]);
    assert_eq!(
        short.refusals[0],
        Refusal::NoticeTooShort {
            required: h(24),
            given: h(24) - Duration::seconds(1)
        }
    );
    // Staff may allow a late change; it costs what the last allowed tier does.
    let mut ask = staff();
    ask.override_ = Some(Override {
        allow_late: true,
        note: "sakit".into(),
        ..Default::default()
    });
    let allowed =
        evaluate_reschedule(&p, &booked(0), &[], start() + h(4), &ask, start() - h(2)).unwrap();
    assert!(allowed.allowed());
    assert_eq!(allowed.fee, 5_000_000);
}

fn late_override(waive_fee: bool) -> Ask {
    Ask {
        override_: Some(Override {
            allow_late: true,
            waive_fee,
            note: "pelanggan setia".into(),
            ..Default::default()
        }),
        ..staff()
    }
}

/// Refusing late changes, an override that lets one through used to find no tier and
/// quote 0, cheaper than moving on time: it costs at least the last tier's fee, unless
/// the fee is waived too. The same for moving and cancelling.
#[test]
fn a_late_change_let_through_costs_at_least_the_last_tier() {
    let mut p = sinar();
    p.rules.late_mode = LateMode::Refuse;
    p.rules.fee_tiers.pop(); // 72 h: free, 24 h: 50,000; nothing below the minimum notice
    let last = Some(1);
    // (notice before the start, waive, fee, due, tier): every one allowed.
    let s = Duration::seconds(1);
    let table = [
        (h(24), false, 5_000_000, 5_000_000, Some(1)),
        (h(24) - s, false, 5_000_000, 5_000_000, last),
        (h(1), false, 5_000_000, 5_000_000, last),
        (s, false, 5_000_000, 5_000_000, last),
        (Duration::zero(), false, 5_000_000, 5_000_000, last),
        (-h(1), false, 5_000_000, 5_000_000, last),
        (h(24) - s, true, 5_000_000, 0, last),
        (h(1), true, 5_000_000, 0, last),
    ];
    let tier = |d: &Decision| match d.fee_source {
        FeeSource::Tier { index, .. } => Some(index),
        _ => None,
    };
    for (notice, waive, fee, due, index) in table {
        let now = start() - notice;
        let ask = late_override(waive);
        let d = evaluate_reschedule(&p, &booked(0), &[], start() + h(4), &ask, now).unwrap();
        let got = (codes(&d), d.fee, d.due(), tier(&d));
        assert_eq!(got, (vec![], fee, due, index), "move, notice {notice}");
        let c = evaluate_cancel(&p.rules, &booked(0), &ask, now).unwrap();
        let got = (codes(&c), c.fee, c.due(), tier(&c));
        assert_eq!(got, (vec![], fee, due, index), "cancel, notice {notice}");
    }
    // Without the override the same late change is refused, as before.
    let d = evaluate_reschedule(
        &p,
        &booked(0),
        &[],
        start() + h(4),
        &staff(),
        start() - h(1),
    )
    .unwrap();
    assert_eq!(codes(&d), [Code::NoticeTooShort]);
}

/// A tier inside the minimum notice that costs more than the last one still applies.
#[test]
fn a_late_change_let_through_keeps_a_dearer_tier_it_reaches() {
    let mut p = sinar();
    p.rules.late_mode = LateMode::Refuse;
    p.rules.min_notice = h(48);
    p.rules.fee_tiers = vec![
        FeeTier {
            notice_at_least: h(72),
            fee: 0,
        },
        FeeTier {
            notice_at_least: h(24),
            fee: 9_000_000,
        },
        FeeTier {
            notice_at_least: h(6),
            fee: 2_000_000,
        },
    ];
    let at = |notice: Duration| {
        let d = evaluate_reschedule(
            &p,
            &booked(0),
            &[],
            start() + h(4),
            &late_override(false),
            start() - notice,
        )
        .unwrap();
        assert!(d.allowed(), "{notice}");
        (d.fee, d.fee_source, d.valid_until)
    };
    let tier = |index: usize| FeeSource::Tier {
        index,
        notice_at_least: p.rules.fee_tiers[index].notice_at_least,
    };
    assert_eq!(at(h(30)), (9_000_000, tier(1), Some(start() - h(24))));
    assert_eq!(at(h(10)), (2_000_000, tier(2), Some(start() - h(6))));
    assert_eq!(at(h(3)), (2_000_000, tier(2), None));
}

#[test]
fn limits_at_n_minus_one_and_n() {
    let p = sinar();
    let now = start() - h(100);
    let d = evaluate_reschedule(&p, &booked(1), &[], start() + h(4), &staff(), now).unwrap();
    assert!(d.allowed());
    assert_eq!(d.remaining_for_appointment, Some(1));
    let d = evaluate_reschedule(&p, &booked(2), &[], start() + h(4), &staff(), now).unwrap();
    assert_eq!(codes(&d), [Code::RescheduleLimitReached]);
    assert_eq!(d.remaining_for_appointment, Some(0));

    let two = [now - Duration::days(10), now - Duration::days(20)];
    let d = evaluate_reschedule(&p, &booked(0), &two, start() + h(4), &staff(), now).unwrap();
    assert!(d.allowed());
    assert_eq!(d.remaining_for_customer, Some(1));
    let three = [
        now - Duration::days(10),
        now - Duration::days(20),
        now - Duration::days(89),
    ];
    let d = evaluate_reschedule(&p, &booked(0), &three, start() + h(4), &staff(), now).unwrap();
    assert_eq!(codes(&d), [Code::CustomerLimitReached]);
    assert_eq!(
        d.valid_until,
        Some(now + Duration::days(1)),
        "when the oldest move leaves the window"
    );
}

#[test]
fn the_rolling_window_edge() {
    let p = sinar();
    let now = start() - h(100);
    let window = Duration::days(90);
    let edge = [
        now - Duration::days(1),
        now - Duration::days(2),
        now - window,
    ];
    let d = evaluate_reschedule(&p, &booked(0), &edge, start() + h(4), &staff(), now).unwrap();
    assert!(
        d.allowed(),
        "a move exactly 90 days ago has left the window"
    );
    let inside = [
        now - Duration::days(1),
        now - Duration::days(2),
        now - window + Duration::seconds(1),
    ];
    let d = evaluate_reschedule(&p, &booked(0), &inside, start() + h(4), &staff(), now).unwrap();
    assert_eq!(codes(&d), [Code::CustomerLimitReached]);
}

#[test]
fn every_refusal_is_reported_not_only_the_first() {
    let mut p = sinar();
    p.rules.late_mode = LateMode::Refuse;
    p.max_distance = Some(Duration::days(14));
    let three = [start() - Duration::days(3); 3];
    let ask = Ask {
        reason: None,
        override_: None,
        asker: Asker { role: None },
    };
    let d = evaluate_reschedule(
        &p,
        &booked(2),
        &three,
        start() + Duration::days(30),
        &ask,
        start() - h(2),
    )
    .unwrap();
    assert_eq!(
        codes(&d),
        [
            Code::NoticeTooShort,
            Code::ReasonRequired,
            Code::RescheduleLimitReached,
            Code::CustomerLimitReached,
            Code::TooFar
        ]
    );
    assert!(!d.allowed());
}

#[test]
fn overrides_by_role() {
    let p = sinar();
    let waive = Override {
        waive_fee: true,
        ignore_limits: true,
        note: "pelanggan setia, biaya dihapus".into(),
        ..Default::default()
    };
    for role in [Some(Role::Integration), None] {
        let ask = Ask {
            override_: Some(waive.clone()),
            ..by(role)
        };
        assert_eq!(
            evaluate_reschedule(&p, &booked(0), &[], start(), &ask, start() - h(2)),
            Err(OverrideError::NotAllowed)
        );
    }
    let no_note = Ask {
        override_: Some(Override {
            waive_fee: true,
            ..Default::default()
        }),
        ..staff()
    };
    assert_eq!(
        evaluate_reschedule(&p, &booked(0), &[], start(), &no_note, start() - h(2)),
        Err(OverrideError::NoteRequired)
    );
    for role in [Role::Staff, Role::Admin] {
        let ask = Ask {
            override_: Some(waive.clone()),
            ..by(Some(role))
        };
        let d = evaluate_reschedule(&p, &booked(2), &[], start() + h(48), &ask, start() - h(2))
            .unwrap();
        assert!(d.allowed(), "limits ignored");
        assert_eq!(
            (d.fee, d.waived, d.due()),
            (15_000_000, true, 0),
            "assessed, then waived"
        );
    }
}

#[test]
fn after_a_no_show() {
    let p = sinar();
    let marked = start() + Duration::hours(2);
    let missed = AppointmentFacts {
        status: AppointmentStatus::NoShow,
        no_show_at: Some(marked),
        ..booked(2)
    };
    let d = evaluate_reschedule(
        &p,
        &missed,
        &[],
        start() + Duration::days(3),
        &staff(),
        marked + Duration::days(7),
    )
    .unwrap();
    assert!(
        d.allowed(),
        "does not count against the moves per appointment"
    );
    assert_eq!((d.fee, d.fee_source), (5_000_000, FeeSource::AfterNoShow));
    let late = evaluate_reschedule(
        &p,
        &missed,
        &[],
        start() + Duration::days(9),
        &staff(),
        marked + Duration::days(7) + Duration::seconds(1),
    )
    .unwrap();
    assert_eq!(codes(&late), [Code::NoShowWindowPassed]);
    let two = [
        marked - Duration::days(1),
        marked - Duration::days(5),
        marked - Duration::days(6),
    ];
    let counted = evaluate_reschedule(
        &p,
        &missed,
        &two,
        start() + Duration::days(3),
        &staff(),
        marked + Duration::days(1),
    )
    .unwrap();
    assert_eq!(
        codes(&counted),
        [Code::CustomerLimitReached],
        "it counts in the customer's window"
    );
    let mut strict = p.clone();
    strict.after_no_show = None;
    let d = evaluate_reschedule(
        &strict,
        &missed,
        &[],
        start() + Duration::days(3),
        &staff(),
        marked,
    )
    .unwrap();
    assert_eq!(codes(&d), [Code::NotReschedulable]);
}

/// Listing times for a missed appointment refuses exactly when moving it would, whatever
/// the time, with the same refusal: no policy for no-shows, or its window passed.
#[test]
fn a_missed_appointment_gets_no_times_when_it_cannot_be_rebooked() {
    let marked = start() + h(2);
    let missed = AppointmentFacts {
        status: AppointmentStatus::NoShow,
        no_show_at: Some(marked),
        ..booked(0)
    };
    let week = Duration::days(7);
    let mut strict = sinar();
    strict.after_no_show = None;
    let s = Duration::seconds(1);
    let not_reschedulable = Some(Refusal::NotReschedulable {
        status: AppointmentStatus::NoShow,
    });
    let passed = Some(Refusal::NoShowWindowPassed {
        until: marked + week,
        tz: chrono_tz::Asia::Jakarta,
    });
    let table = [
        (sinar(), marked, None),
        (sinar(), marked + week, None),
        (sinar(), marked + week + s, passed.clone()),
        (sinar(), marked + Duration::days(30), passed),
        (strict.clone(), marked, not_reschedulable.clone()),
        (strict, marked + Duration::days(30), not_reschedulable),
    ];
    for (p, now, expected) in table {
        let got = refusal_for_every_time(&p, &missed, now);
        assert_eq!(got, expected, "at {now}");
        // A move to any time, even by staff lifting every limit, gives that refusal first.
        let mut ask = staff();
        ask.override_ = Some(Override {
            allow_late: true,
            ignore_limits: true,
            note: "x".into(),
            ..Default::default()
        });
        for to in [start() + h(4), start() + Duration::days(3)] {
            let d = evaluate_reschedule(&p, &missed, &[], to, &ask, now).unwrap();
            assert_eq!(d.refusals.first().cloned(), got.clone(), "at {now} to {to}");
        }
    }
    // Other statuses: only those that can never move.
    for (status, movable) in [
        (AppointmentStatus::Booked, true),
        (AppointmentStatus::Confirmed, true),
        (AppointmentStatus::CheckedIn, false),
        (AppointmentStatus::Completed, false),
        (AppointmentStatus::Cancelled, false),
    ] {
        let a = AppointmentFacts {
            status,
            ..booked(5)
        };
        // Late and over its limits, a booked appointment still has times to offer.
        let got = refusal_for_every_time(&sinar(), &a, start() + h(1));
        assert_eq!(
            got,
            (!movable).then_some(Refusal::NotReschedulable { status }),
            "{status:?}"
        );
    }
}

#[test]
fn finished_appointments_cannot_move_or_cancel() {
    let p = sinar();
    for status in [
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::CheckedIn,
    ] {
        let a = AppointmentFacts {
            status,
            ..booked(0)
        };
        let d =
            evaluate_reschedule(&p, &a, &[], start() + h(4), &staff(), start() - h(100)).unwrap();
        assert_eq!(codes(&d), [Code::NotReschedulable]);
        let d = evaluate_cancel(&p.rules, &a, &staff(), start() - h(100)).unwrap();
        assert_eq!(codes(&d), [Code::NotCancellable]);
    }
}

#[test]
fn reasons_from_the_accepted_list() {
    let mut p = sinar();
    p.rules.reason_categories = vec![ReasonCategory::Illness, ReasonCategory::UrgentMatter];
    let d = evaluate_reschedule(&p, &booked(0), &[], start(), &staff(), start() - h(100)).unwrap();
    assert_eq!(
        d.refusals,
        [Refusal::ReasonNotAccepted {
            reason: ReasonCategory::ScheduleChange
        }]
    );
    let ill = Ask {
        reason: Some(ReasonCategory::Illness),
        ..staff()
    };
    assert!(
        evaluate_reschedule(&p, &booked(0), &[], start(), &ill, start() - h(100))
            .unwrap()
            .allowed()
    );
}

#[test]
fn cancellation_uses_its_own_rules() {
    let rules = ChangeRules {
        min_notice: h(12),
        late_mode: LateMode::Refuse,
        fee_tiers: vec![
            FeeTier {
                notice_at_least: h(48),
                fee: 0,
            },
            FeeTier {
                notice_at_least: h(12),
                fee: 2_500_000,
            },
        ],
        reason_required: false,
        reason_categories: vec![],
    };
    let no_reason = Ask {
        reason: None,
        ..staff()
    };
    let d = evaluate_cancel(&rules, &booked(0), &no_reason, start() - h(20)).unwrap();
    assert!(d.allowed());
    assert_eq!((d.fee, d.valid_until), (2_500_000, Some(start() - h(12))));
    let d = evaluate_cancel(&rules, &booked(0), &no_reason, start() - h(11)).unwrap();
    assert_eq!(codes(&d), [Code::NoticeTooShort]);
}

#[test]
fn distance_is_measured_from_the_original_start_and_limits_overrides_lift_it() {
    let mut p = sinar();
    p.max_distance = Some(Duration::days(14));
    let moved_once = AppointmentFacts {
        starts_at: start() + Duration::days(10),
        ..booked(1)
    };
    let at = |new_start| {
        evaluate_reschedule(&p, &moved_once, &[], new_start, &staff(), start() - h(100)).unwrap()
    };
    assert!(
        at(start() + Duration::days(14)).allowed(),
        "exactly the maximum"
    );
    assert_eq!(
        codes(&at(start() + Duration::days(14) + Duration::seconds(1))),
        [Code::TooFar]
    );
    assert_eq!(
        codes(&at(start() - Duration::days(14) - Duration::seconds(1))),
        [Code::TooFar],
        "earlier counts too"
    );
    let lifted = Ask {
        override_: Some(Override {
            ignore_limits: true,
            note: "bengkel tutup dua minggu".into(),
            ..Default::default()
        }),
        ..staff()
    };
    let d = evaluate_reschedule(
        &p,
        &moved_once,
        &[],
        start() + Duration::days(30),
        &lifted,
        start() - h(100),
    )
    .unwrap();
    assert!(d.allowed());
}

/// Notice is elapsed time, not wall-clock difference: from Saturday 09:00 to Sunday 09:00
/// across the spring DST change in Berlin is 23 hours, so 24 hours' notice is not met;
/// across the autumn change it is 25 hours and it is.
#[test]
fn notice_across_daylight_saving_changes_is_real_time() {
    use chrono_tz::Europe::Berlin;
    let local = |y, m, d, h| Berlin.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().to_utc();
    let mut p = sinar();
    p.rules.late_mode = LateMode::Refuse;
    let facts = |starts_at| AppointmentFacts {
        starts_at,
        original_starts_at: starts_at,
        ..booked(0)
    };
    let spring = facts(local(2026, 3, 29, 9));
    let d = evaluate_reschedule(
        &p,
        &spring,
        &[],
        local(2026, 3, 30, 9),
        &staff(),
        local(2026, 3, 28, 9),
    )
    .unwrap();
    assert_eq!(
        d.refusals,
        [Refusal::NoticeTooShort {
            required: h(24),
            given: h(23)
        }]
    );
    let autumn = facts(local(2026, 10, 25, 9));
    let d = evaluate_reschedule(
        &p,
        &autumn,
        &[],
        local(2026, 10, 26, 9),
        &staff(),
        local(2026, 10, 24, 9),
    )
    .unwrap();
    assert!(d.allowed());
    assert_eq!(
        d.valid_until,
        Some(local(2026, 10, 24, 10)),
        "25 h before, minus 24 h"
    );
}

/// A customer who calls after the start (running late, not yet marked a no-show) pays
/// the last tier, and the quote stays valid: found by the policy properties.
#[test]
fn after_the_start_the_last_tier_applies() {
    let p = sinar();
    let d = evaluate_reschedule(
        &p,
        &booked(0),
        &[],
        start() + h(5),
        &staff(),
        start() + Duration::minutes(30),
    )
    .unwrap();
    assert_eq!(
        (d.allowed(), d.fee, d.fee_source, d.valid_until),
        (
            true,
            15_000_000,
            FeeSource::Tier {
                index: 2,
                notice_at_least: Duration::zero()
            },
            None
        )
    );
}

/// A cancelled appointment never becomes movable, even when a counted move of the
/// customer leaves the window: its quote has no `valid_until`.
#[test]
fn a_final_status_has_no_valid_until() {
    let p = sinar();
    let three = [start() - h(30), start() - h(20), start() - h(10)];
    let cancelled = AppointmentFacts {
        status: AppointmentStatus::Cancelled,
        ..booked(0)
    };
    let d = evaluate_reschedule(
        &p,
        &cancelled,
        &three,
        start() + h(5),
        &staff(),
        start() - h(100),
    )
    .unwrap();
    assert_eq!(
        codes(&d),
        [Code::NotReschedulable, Code::CustomerLimitReached]
    );
    assert_eq!(d.valid_until, None);
}

/// Refusing late changes with no minimum notice refuses them once the appointment has
/// started, so a quote holds until the start: found by the policy properties.
#[test]
fn refuse_mode_without_notice_holds_until_the_start() {
    let mut p = sinar();
    p.rules.min_notice = Duration::zero();
    p.rules.late_mode = LateMode::Refuse;
    p.rules.fee_tiers.clear();
    let eval =
        |now| evaluate_reschedule(&p, &booked(0), &[], start() + h(5), &staff(), now).unwrap();
    assert_eq!(eval(start() - h(1)).valid_until, Some(start()));
    assert!(eval(start()).allowed());
    assert_eq!(
        codes(&eval(start() + Duration::seconds(1))),
        [Code::NoticeTooShort]
    );
}
