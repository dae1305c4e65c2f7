//! Availability and suggestion benchmarks on generated, deterministic workshop data.
//!
//! - `suggest/20_resources_5000_appointments`: the top 10 alternatives for an appointment
//!   at the busiest time of an 8-week book (10 bays, 10 advisors, 5,000 appointments that
//!   each hold a bay and an advisor), keeping its bay and advisor when free.
//! - `find_slots/50_resources_10000_appointments_month`: every bookable start of a month
//!   for a service needing a bay and an advisor (25 of each, 10,000 appointments).
//! - `check_start/...`: the check booking runs, on the first data set.
//!
//! Run: `cargo bench --bench slots`.

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Asia;
use criterion::{Criterion, criterion_group, criterion_main};

use janji::domain::availability::{
    BookingRules, Choice, ResourceSchedule, Schedule, ServiceNeeds, check_start, find_slots,
};
use janji::domain::interval::Interval;
use janji::domain::suggestions::{Want, suggest};
use janji::domain::{ResourceKind, TimeOfDay, TimeRange, WeeklyHours};

/// A small linear congruential generator: the same data on every run, no dependency.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Open every day from `open` to `close` (hours).
fn every_day(open: u16, close: u16) -> WeeklyHours {
    let day = vec![TimeRange {
        start: TimeOfDay::from_minutes(open * 60).unwrap(),
        end: TimeOfDay::from_minutes(close * 60).unwrap(),
    }];
    WeeklyHours {
        mon: day.clone(),
        tue: day.clone(),
        wed: day.clone(),
        thu: day.clone(),
        fri: day.clone(),
        sat: day.clone(),
        sun: day,
    }
}

/// An appointment as generated: start, half-hours, bay and advisor (resource indices).
#[derive(Clone, Copy)]
struct Booked {
    start: DateTime<Utc>,
    halves: usize,
    bay: usize,
    advisor: usize,
}

struct World {
    hours: WeeklyHours,
    resources: Vec<ResourceSchedule>,
    booked: Vec<Booked>,
    /// Busy resources per (day, half-hour).
    busy_count: Vec<Vec<usize>>,
    first_day: DateTime<Utc>,
}

/// `bays` bays then `advisors` advisors, open `open..close` every day for `days` days from
/// Monday 30 November 2026 (Jakarta), with `appointments` of 30 or 60 minutes placed at
/// random half-hours, each on a free bay and a free advisor.
fn world(
    bays: usize,
    advisors: usize,
    days: usize,
    (open, close): (u16, u16),
    appointments: usize,
    seed: u64,
) -> World {
    let first_day: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-30T00:00:00+07:00")
        .unwrap()
        .with_timezone(&Utc);
    let halves_per_day = usize::from(close - open) * 2;
    let n = bays + advisors;
    // taken[resource][day * halves_per_day + half]
    let mut taken = vec![vec![false; days * halves_per_day]; n];
    let mut rng = Lcg(seed);
    let mut booked = Vec::with_capacity(appointments);
    let mut attempts = 0;
    while booked.len() < appointments {
        attempts += 1;
        assert!(attempts < appointments * 100, "the book is too full");
        let halves = if rng.below(10) < 6 { 1 } else { 2 };
        let day = rng.below(days);
        let half = rng.below(halves_per_day - halves + 1);
        let cells = day * halves_per_day + half..day * halves_per_day + half + halves;
        let free = |r: usize, taken: &Vec<Vec<bool>>| cells.clone().all(|c| !taken[r][c]);
        let (b0, a0) = (rng.below(bays), rng.below(advisors));
        let bay = (0..bays)
            .map(|k| (b0 + k) % bays)
            .find(|&b| free(b, &taken));
        let advisor = (0..advisors)
            .map(|k| bays + (a0 + k) % advisors)
            .find(|&a| free(a, &taken));
        let (Some(bay), Some(advisor)) = (bay, advisor) else {
            continue;
        };
        for c in cells {
            taken[bay][c] = true;
            taken[advisor][c] = true;
        }
        let start = first_day
            + Duration::days(day as i64)
            + Duration::hours(i64::from(open))
            + Duration::minutes(30 * half as i64);
        booked.push(Booked {
            start,
            halves,
            bay,
            advisor,
        });
    }
    let mut resources: Vec<ResourceSchedule> = (0..n)
        .map(|i| ResourceSchedule {
            id: format!("r{i}"),
            kind: if i < bays {
                ResourceKind::ServiceBay
            } else {
                ResourceKind::ServiceAdvisor
            },
            hours: None,
            closures: vec![],
            busy: Default::default(),
        })
        .collect();
    let mut busy: Vec<Vec<Interval>> = vec![Vec::new(); n];
    for b in &booked {
        let block = Interval::new(b.start, b.start + Duration::minutes(30 * b.halves as i64));
        busy[b.bay].push(block);
        busy[b.advisor].push(block);
    }
    // Blocks arrive in start order, as `repo::schedule` hands them over (read by
    // resource and start, kept so in the process's snapshots).
    for (r, mut blocks) in resources.iter_mut().zip(busy) {
        blocks.sort_unstable();
        r.busy = blocks.into();
    }
    let busy_count = (0..days)
        .map(|d| {
            (0..halves_per_day)
                .map(|h| (0..n).filter(|&r| taken[r][d * halves_per_day + h]).count())
                .collect()
        })
        .collect();
    World {
        hours: every_day(open, close),
        resources,
        booked,
        busy_count,
        first_day,
    }
}

fn service() -> ServiceNeeds {
    ServiceNeeds {
        duration: Duration::minutes(60),
        buffer_before: Duration::zero(),
        buffer_after: Duration::zero(),
        kinds: vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
    }
}

const RULES: BookingRules = BookingRules {
    lead: Duration::hours(2),
    horizon: Duration::days(90),
    step: Duration::minutes(30),
};

fn benches(c: &mut Criterion) {
    // (a) 20 resources, 5,000 appointments over 8 weeks, open 08:00-18:00.
    let mut w = world(10, 10, 56, (8, 18), 5_000, 42);
    // The busiest half-hour of weeks 3 to 5, and an appointment starting then.
    let (day, half) = (14..35)
        .flat_map(|d| (0..20).map(move |h| (d, h)))
        .max_by_key(|&(d, h)| w.busy_count[d][h])
        .unwrap();
    let busiest =
        w.first_day + Duration::days(day as i64) + Duration::minutes(8 * 60 + 30 * half as i64);
    let moving = *w
        .booked
        .iter()
        .find(|b| b.start == busiest)
        .expect("an appointment starts at the busiest time");
    // Its own block is not busy for its own move (the caller leaves it out).
    for r in [moving.bay, moving.advisor] {
        let own = Interval::new(
            moving.start,
            moving.start + Duration::minutes(30 * moving.halves as i64),
        );
        let mut blocks = w.resources[r].busy.to_vec();
        let i = blocks.iter().position(|&b| b == own).unwrap();
        blocks.remove(i);
        w.resources[r].busy = blocks.into();
    }
    let s = Schedule {
        tz: Asia::Jakarta,
        hours: &w.hours,
        closures: &[],
        resources: &w.resources,
    };
    let now = w.first_day - Duration::days(1);
    let want = Want {
        preferred: vec![moving.bay, moving.advisor],
        exclude_start: Some(moving.start),
        ..Want::near(moving.start)
    };
    let needs = service();
    let got = suggest(&s, &needs, &RULES, &want, now, 10);
    assert_eq!(got.len(), 10);
    let farthest = got
        .iter()
        .map(|x| (x.slot.start - moving.start).abs())
        .max()
        .unwrap();
    eprintln!(
        "suggest: busiest time {} ({} of 20 resources busy); first suggestion {} {:?}; \
         farthest {} min away",
        busiest.with_timezone(&Asia::Jakarta),
        w.busy_count[day][half],
        got[0].slot.start.with_timezone(&Asia::Jakarta),
        got[0].reasons,
        farthest.num_minutes()
    );
    c.bench_function("suggest/20_resources_5000_appointments_top_10", |b| {
        b.iter(|| suggest(black_box(&s), &needs, &RULES, black_box(&want), now, 10))
    });
    let choice = Choice {
        pinned: None,
        preferred: &want.preferred,
    };
    let at = got[0].slot.start;
    c.bench_function("check_start/20_resources_5000_appointments", |b| {
        b.iter(|| check_start(black_box(&s), &needs, &RULES, black_box(at), now, choice))
    });

    // (b) 50 resources, 10,000 appointments over a month, open 07:00-19:00.
    let w = world(25, 25, 31, (7, 19), 10_000, 7);
    let s = Schedule {
        tz: Asia::Jakarta,
        hours: &w.hours,
        closures: &[],
        resources: &w.resources,
    };
    let (from, to) = (w.first_day, w.first_day + Duration::days(31));
    let slots = find_slots(&s, &needs, &RULES, from, to, now, Choice::default());
    eprintln!(
        "find_slots: {} bookable starts of {} in the month",
        slots.len(),
        31 * 24
    );
    c.bench_function("find_slots/50_resources_10000_appointments_month", |b| {
        b.iter(|| {
            find_slots(
                black_box(&s),
                &needs,
                &RULES,
                black_box(from),
                to,
                now,
                Choice::default(),
            )
        })
    });
}

criterion_group!(slots, benches);
criterion_main!(slots);
