//! Properties of the policy evaluation over random policies, histories and times.
//!
//! - `valid_until` is honest: asked again at any moment before it, the answer (fee, the
//!   tier that set it, the refusing rules) is the same.
//! - The fee is one the policy names (a tier's, or none), and what is due is the fee
//!   unless an override waived it, never more.
//! - Where late changes are refused, one that staff let through costs at least the last
//!   tier's fee (what the latest allowed change costs), for moves and cancellations.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use janji::domain::policy::{
    AppointmentFacts, Ask, Asker, ChangeRules, Decision, FeeTier, LateMode, Override,
    ReschedulePolicy, evaluate_cancel, evaluate_reschedule,
};
use janji::domain::{AppointmentStatus, ReasonCategory, Role};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
}

fn rules() -> impl Strategy<Value = ChangeRules> {
    (
        0i64..=96,
        any::<bool>(),
        proptest::collection::btree_set(1i64..=120, 0..4),
        proptest::collection::vec(0i64..=20_000_000, 5),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(notice_h, refuse, tier_hours, fees, zero_tier, reason)| {
            // Tiers strictly decreasing in notice; a zero tier covers late changes.
            let mut notices: Vec<i64> = tier_hours.into_iter().rev().collect();
            let late_mode = if refuse {
                LateMode::Refuse
            } else {
                LateMode::Charge
            };
            if zero_tier || (late_mode == LateMode::Charge && notice_h > 0) {
                notices.push(0);
            }
            ChangeRules {
                min_notice: Duration::hours(notice_h),
                late_mode,
                fee_tiers: notices
                    .iter()
                    .zip(fees)
                    .map(|(&h, fee)| FeeTier {
                        notice_at_least: Duration::hours(h),
                        fee,
                    })
                    .collect(),
                reason_required: reason,
                reason_categories: vec![],
            }
        })
}

fn policy() -> impl Strategy<Value = ReschedulePolicy> {
    (
        rules(),
        proptest::option::of(0u32..4),
        proptest::option::of((0u32..5, 1i64..=120)),
        proptest::option::of(0i64..=30),
    )
        .prop_map(
            |(rules, per_appointment, per_customer, distance)| ReschedulePolicy {
                rules,
                max_per_appointment: per_appointment,
                max_per_customer: per_customer.map(|(n, days)| (n, Duration::days(days))),
                after_no_show: None,
                max_distance: distance.map(Duration::days),
            },
        )
}

#[derive(Debug)]
struct Case {
    policy: ReschedulePolicy,
    facts: AppointmentFacts,
    moves: Vec<DateTime<Utc>>,
    new_start: DateTime<Utc>,
    ask: Ask,
    /// A fraction (per mille) of the way from now to `valid_until`.
    later: u32,
}

fn case() -> impl Strategy<Value = Case> {
    (
        policy(),
        -120i64..=14 * 24 * 60,
        0u32..4,
        proptest::collection::vec(0i64..=200 * 24 * 60, 0..6),
        -20i64 * 24 * 60..=20 * 24 * 60,
        any::<bool>(),
        proptest::option::of((any::<bool>(), any::<bool>(), any::<bool>())),
        0u32..1000,
    )
        .prop_map(
            |(policy, start_in, moves, ago, shift, reason, over, later)| {
                let starts_at = now() + Duration::minutes(start_in);
                Case {
                    policy,
                    facts: AppointmentFacts {
                        status: AppointmentStatus::Booked,
                        starts_at,
                        original_starts_at: starts_at,
                        moves,
                        no_show_at: None,
                        time_zone: chrono_tz::Asia::Jakarta,
                    },
                    moves: ago.iter().map(|m| now() - Duration::minutes(*m)).collect(),
                    new_start: starts_at + Duration::minutes(shift),
                    ask: Ask {
                        reason: reason.then_some(ReasonCategory::Illness),
                        override_: over.map(|(waive_fee, allow_late, ignore_limits)| Override {
                            waive_fee,
                            allow_late,
                            ignore_limits,
                            note: "catatan".into(),
                        }),
                        asker: Asker {
                            role: Some(Role::Staff),
                        },
                    },
                    later,
                }
            },
        )
}

fn codes(d: &Decision) -> Vec<janji::error::Code> {
    d.refusals.iter().map(|r| r.code()).collect()
}

fn at_fraction(from: DateTime<Utc>, to: DateTime<Utc>, per_mille: u32) -> DateTime<Utc> {
    from + Duration::milliseconds((to - from).num_milliseconds() * i64::from(per_mille) / 1000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_reschedule_quote_holds_until_valid_until(c in case()) {
        let eval = |t| evaluate_reschedule(&c.policy, &c.facts, &c.moves, c.new_start, &c.ask, t).unwrap();
        let first = eval(now());
        // Without a stated end, the answer holds until the appointment starts.
        let until = first.valid_until.unwrap_or(c.facts.starts_at);
        prop_assume!(until > now());
        let t = at_fraction(now(), until, c.later);
        let again = eval(t);
        prop_assert_eq!((first.fee, first.fee_source, codes(&first)), (again.fee, again.fee_source, codes(&again)), "at {}", t);
    }

    #[test]
    fn a_cancel_quote_holds_until_valid_until(c in case()) {
        let eval = |t| evaluate_cancel(&c.policy.rules, &c.facts, &c.ask, t).unwrap();
        let first = eval(now());
        let until = first.valid_until.unwrap_or(c.facts.starts_at);
        prop_assume!(until > now());
        let t = at_fraction(now(), until, c.later);
        let again = eval(t);
        prop_assert_eq!((first.fee, first.fee_source, codes(&first)), (again.fee, again.fee_source, codes(&again)), "at {}", t);
    }

    #[test]
    fn the_fee_is_one_the_policy_names_and_due_never_exceeds_it(c in case()) {
        let d = evaluate_reschedule(&c.policy, &c.facts, &c.moves, c.new_start, &c.ask, now()).unwrap();
        let named: Vec<i64> = c.policy.rules.fee_tiers.iter().map(|t| t.fee).collect();
        prop_assert!(d.fee == 0 || named.contains(&d.fee));
        prop_assert!(d.due() >= 0 && d.due() <= d.fee);
        let waive = c.ask.override_.as_ref().is_some_and(|o| o.waive_fee);
        prop_assert_eq!(d.due() == d.fee, !waive || d.fee == 0);
    }

    #[test]
    fn a_late_change_let_through_costs_at_least_the_last_tier(c in case()) {
        let rules = &c.policy.rules;
        let late = c.facts.starts_at - now() < rules.min_notice;
        let let_through = c.ask.override_.as_ref().is_some_and(|o| o.allow_late);
        if rules.late_mode == LateMode::Refuse && late && let_through {
            let last = rules.fee_tiers.last().map_or(0, |t| t.fee);
            let d = evaluate_reschedule(&c.policy, &c.facts, &c.moves, c.new_start, &c.ask, now()).unwrap();
            prop_assert!(!codes(&d).contains(&janji::error::Code::NoticeTooShort));
            prop_assert!(d.fee >= last, "move: fee {} below the last tier's {}", d.fee, last);
            let d = evaluate_cancel(rules, &c.facts, &c.ask, now()).unwrap();
            prop_assert!(d.fee >= last, "cancel: fee {} below the last tier's {}", d.fee, last);
        }
    }
}
