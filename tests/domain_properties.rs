//! Properties of the availability engine and of suggestions over random schedules.
//!
//! Every answer is checked against a brute-force oracle written here from the rules as
//! stated, not from the engine's helpers: local wall time is computed for every minute of
//! the test's span, opening hours are painted minute by minute, closures and busy blocks
//! are checked by linear scans of the raw lists.
//!
//! The rules the oracle states:
//! - an opening range `[a, b)` of local date `d` is open from the first instant whose
//!   local time is at or after `d a` to the first instant whose local time is at or after
//!   `d b` (a time skipped by DST opens or closes at the jump, a repeated one at its first
//!   occurrence);
//! - the grid of starts is every `step` of local time from the start of each location
//!   range, at every instant showing that local time (times that do not exist are
//!   skipped; a time repeated when clocks fall back is two starts);
//! - a resource is free for a start when every minute of the service is open at the
//!   location and in the resource's own hours, no closure (location or resource) overlaps
//!   the service, and no busy block of the resource overlaps the service with buffers;
//! - the resource chosen for a kind is the pinned one (if of that kind), else the first
//!   free preferred one, else the free one with the fewest minutes booked that local day
//!   (booked minutes count on the local date where a block starts), lowest index first.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::{America, Asia, Europe, Tz};
use proptest::prelude::*;
use proptest::sample::Index;

use janji::domain::availability::{
    BookingRules, Choice, ResourceSchedule, Schedule, ServiceNeeds, Slot, check_start, find_slots,
};
use janji::domain::interval::Interval;
use janji::domain::suggestions::{Reason, Suggestion, Want, suggest};
use janji::domain::{ResourceKind, TimeOfDay, TimeRange, WeeklyHours};

// ---------------------------------------------------------------------------------------
// Random cases

/// Minutes of the span every case lives in, from `base - 4 days`.
const SPAN_DAYS: i64 = 20;
const SPAN: usize = (SPAN_DAYS * 1440) as usize;

#[derive(Clone, Debug)]
struct Case {
    tz: Tz,
    /// A DST change (or any instant, in Jakarta), on a whole minute.
    base: DateTime<Utc>,
    hours: WeeklyHours,
    closures: Vec<Interval>,
    resources: Vec<ResourceSchedule>,
    needs: ServiceNeeds,
    rules: BookingRules,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    pinned: Option<usize>,
    preferred: Vec<usize>,
}

impl Case {
    fn schedule(&self) -> Schedule<'_> {
        Schedule {
            tz: self.tz,
            hours: &self.hours,
            closures: &self.closures,
            resources: &self.resources,
        }
    }

    fn choice(&self) -> Choice<'_> {
        Choice {
            pinned: self.pinned,
            preferred: &self.preferred,
        }
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Zones with the instant of a DST change near which cases are built.
fn zone() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    prop_oneof![
        Just((Asia::Jakarta, utc("2026-11-30T00:00:00Z"))),
        Just((Europe::Berlin, utc("2026-03-29T01:00:00Z"))), // 02:00 -> 03:00
        Just((Europe::Berlin, utc("2026-10-25T01:00:00Z"))), // 03:00 -> 02:00
        Just((America::New_York, utc("2026-03-08T07:00:00Z"))), // 02:00 -> 03:00
        Just((America::New_York, utc("2026-11-01T06:00:00Z"))), // 02:00 -> 01:00
        Just((Asia::Beirut, utc("2026-10-24T21:00:00Z"))),
        Just((Asia::Beirut, utc("2026-03-28T22:00:00Z"))),
        Just((America::Havana, utc("2026-03-08T05:00:00Z"))),
        Just((America::Havana, utc("2026-11-01T05:00:00Z"))),
    ]
}

fn range(start: u16, end: u16) -> TimeRange {
    TimeRange {
        start: TimeOfDay::from_minutes(start).unwrap(),
        end: TimeOfDay::from_minutes(end).unwrap(),
    }
}

/// A day's ranges: closed, open all day, or a few ranges on a five-minute grid.
fn day_ranges() -> impl Strategy<Value = Vec<TimeRange>> {
    prop_oneof![
        1 => Just(vec![]),
        1 => Just(vec![range(0, 1440)]),
        5 => prop::collection::btree_set(0u16..=288, 2..=6).prop_map(|cuts| {
            let cuts: Vec<u16> = cuts.into_iter().collect();
            cuts.chunks_exact(2).map(|c| range(c[0] * 5, c[1] * 5)).collect()
        }),
    ]
}

fn weekly_hours() -> impl Strategy<Value = WeeklyHours> {
    prop::array::uniform7(day_ranges()).prop_map(|[mon, tue, wed, thu, fri, sat, sun]| {
        WeeklyHours {
            mon,
            tue,
            wed,
            thu,
            fri,
            sat,
            sun,
        }
        .validated("hours")
        .unwrap()
    })
}

/// `(start, length)` in minutes from `base`, somewhere in the span.
fn offsets(max_len: i64, max_count: usize) -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((-4 * 1440..16 * 1440i64, 5..=max_len), 0..=max_count)
}

fn intervals(base: DateTime<Utc>, v: &[(i64, i64)]) -> Vec<Interval> {
    v.iter()
        .map(|&(s, l)| Interval::new(base + Duration::minutes(s), base + Duration::minutes(s + l)))
        .collect()
}

fn kind() -> impl Strategy<Value = ResourceKind> {
    prop_oneof![
        4 => Just(ResourceKind::ServiceBay),
        4 => Just(ResourceKind::ServiceAdvisor),
        1 => Just(ResourceKind::Other),
    ]
}

/// A resource: kind, own hours (sometimes), closures (up to two days long), busy blocks.
type RawResource = (
    ResourceKind,
    Option<WeeklyHours>,
    Vec<(i64, i64)>,
    Vec<(i64, i64)>,
);

fn raw_resource() -> impl Strategy<Value = RawResource> {
    (
        kind(),
        prop::option::weighted(0.3, weekly_hours()),
        offsets(2 * 1440, 2),
        offsets(300, 10),
    )
}

fn needs() -> impl Strategy<Value = ServiceNeeds> {
    let kinds = prop_oneof![
        Just(vec![ResourceKind::ServiceBay]),
        Just(vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor]),
        Just(vec![ResourceKind::ServiceAdvisor, ResourceKind::ServiceBay]),
    ];
    (1i64..=36, 0i64..=6, 0i64..=6, kinds).prop_map(|(d, b, a, kinds)| ServiceNeeds {
        duration: Duration::minutes(d * 5),
        buffer_before: Duration::minutes(b * 5),
        buffer_after: Duration::minutes(a * 5),
        kinds,
    })
}

fn rules() -> impl Strategy<Value = BookingRules> {
    let step = prop::sample::select(vec![10i64, 15, 20, 30, 45, 60, 90]);
    let lead = prop_oneof![Just(0i64), 0i64..=24 * 60];
    (step, lead, 60i64..=10 * 1440).prop_map(|(step, lead, horizon)| BookingRules {
        lead: Duration::minutes(lead),
        horizon: Duration::minutes(horizon),
        step: Duration::minutes(step),
    })
}

fn case() -> impl Strategy<Value = Case> {
    (
        (zone(), weekly_hours(), offsets(2 * 1440, 3)),
        prop::collection::vec(raw_resource(), 1..=5),
        (needs(), rules()),
        // now: minutes from base, then seconds and nanoseconds (a real clock's `now`).
        (
            -3 * 1440i64..=1440,
            prop_oneof![Just(0i64), Just(59i64), 0i64..60],
            prop_oneof![Just(0i64), Just(999_999_999i64), 0i64..1_000_000_000],
        ),
        // The window: from now, and its length, in minutes.
        (-1440i64..=3 * 1440, 0i64..=4 * 1440),
        (
            prop::option::weighted(0.2, 0usize..5),
            prop::collection::vec(0usize..5, 0..=2),
        ),
    )
        .prop_map(
            |(
                ((tz, base), hours, closures),
                raw,
                (needs, rules),
                (now_min, now_s, now_ns),
                (from, len),
                (pinned, preferred),
            )| {
                let now = base
                    + Duration::minutes(now_min)
                    + Duration::seconds(now_s)
                    + Duration::nanoseconds(now_ns);
                let n = raw.len();
                let resources = raw
                    .into_iter()
                    .enumerate()
                    .map(|(i, (kind, hours, closures, busy))| ResourceSchedule {
                        id: format!("r{i}"),
                        kind,
                        hours,
                        closures: intervals(base, &closures),
                        busy: intervals(base, &busy).into(),
                    })
                    .collect();
                let from = now + Duration::minutes(from);
                Case {
                    tz,
                    base,
                    hours,
                    closures: intervals(base, &closures),
                    resources,
                    needs,
                    rules,
                    now,
                    from,
                    to: from + Duration::minutes(len),
                    pinned: pinned.filter(|&i| i < n),
                    preferred: preferred.into_iter().filter(|&i| i < n).collect(),
                }
            },
        )
}

// ---------------------------------------------------------------------------------------
// The oracle

struct Oracle<'a> {
    c: &'a Case,
    /// The first minute of the span.
    t0: DateTime<Utc>,
    /// Local wall time of every minute of the span.
    local: Vec<NaiveDateTime>,
    /// Per minute: inside the location's opening hours (closures not applied).
    location_hours: Vec<bool>,
    /// Per resource and minute: inside its own hours (all true if it follows the location).
    own_hours: Vec<Vec<bool>>,
    /// The grid of starts over the whole span, sorted.
    grid: Vec<DateTime<Utc>>,
}

fn overlaps(a: &Interval, b: &Interval) -> bool {
    a.start < b.end && b.start < a.end
}

impl<'a> Oracle<'a> {
    fn new(c: &'a Case) -> Self {
        let t0 = c.base - Duration::days(4);
        let local: Vec<NaiveDateTime> = (0..SPAN)
            .map(|m| {
                (t0 + Duration::minutes(m as i64))
                    .with_timezone(&c.tz)
                    .naive_local()
            })
            .collect();
        let mut o = Oracle {
            c,
            t0,
            local,
            location_hours: Vec::new(),
            own_hours: Vec::new(),
            grid: Vec::new(),
        };
        o.location_hours = o.paint(&c.hours);
        o.own_hours = c
            .resources
            .iter()
            .map(|r| match &r.hours {
                Some(h) => o.paint(h),
                None => vec![true; SPAN],
            })
            .collect();
        o.grid = o.make_grid();
        o
    }

    fn minute(&self, t: DateTime<Utc>) -> usize {
        let m = (t - self.t0).num_minutes();
        assert!(
            (0..SPAN as i64).contains(&m),
            "{t} is outside the test's span"
        );
        assert_eq!(t, self.t0 + Duration::minutes(m), "{t} is not on a minute");
        m as usize
    }

    fn at(&self, m: usize) -> DateTime<Utc> {
        self.t0 + Duration::minutes(m as i64)
    }

    /// The first minute whose local time is at or after `x` (or the span's end).
    fn first_at_or_after(&self, x: NaiveDateTime) -> usize {
        // No zone is more than 14 hours ahead of UTC: every earlier minute is before `x`.
        let guess = (x.and_utc() - self.t0).num_minutes() - 15 * 60;
        let mut m = guess.clamp(0, SPAN as i64) as usize;
        while m < SPAN && self.local[m] < x {
            m += 1;
        }
        m
    }

    fn local_dates(&self) -> impl Iterator<Item = NaiveDate> {
        let first = self.local[0].date() - Duration::days(1);
        let last = self.local[SPAN - 1].date();
        first.iter_days().take_while(move |d| *d <= last)
    }

    fn paint(&self, h: &WeeklyHours) -> Vec<bool> {
        let mut open = vec![false; SPAN];
        for date in self.local_dates() {
            for r in h.day(date.weekday()) {
                let at = |t: TimeOfDay| {
                    date.and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(t.minutes().into())
                };
                let (a, b) = (
                    self.first_at_or_after(at(r.start)),
                    self.first_at_or_after(at(r.end)),
                );
                for x in open.iter_mut().take(b).skip(a) {
                    *x = true;
                }
            }
        }
        open
    }

    fn make_grid(&self) -> Vec<DateTime<Utc>> {
        let mut out = BTreeSet::new();
        for date in self.local_dates() {
            for r in self.c.hours.day(date.weekday()) {
                let midnight = date.and_hms_opt(0, 0, 0).unwrap();
                let end = midnight + Duration::minutes(r.end.minutes().into());
                let mut wall = midnight + Duration::minutes(r.start.minutes().into());
                while wall < end {
                    // A repeated time shows again within the size of the shift back
                    // (an hour in these zones): look three hours on.
                    let first = self.first_at_or_after(wall);
                    for m in first..(first + 3 * 60).min(SPAN) {
                        if self.local[m] == wall {
                            out.insert(self.at(m));
                        }
                    }
                    wall += self.c.rules.step;
                }
            }
        }
        out.into_iter().collect()
    }

    fn service(&self, t: DateTime<Utc>) -> Interval {
        Interval::new(t, t + self.c.needs.duration)
    }

    fn block(&self, t: DateTime<Utc>) -> Interval {
        Interval::new(
            t - self.c.needs.buffer_before,
            t + self.c.needs.duration + self.c.needs.buffer_after,
        )
    }

    /// Why resource `i` cannot serve a start at `t`, if it cannot.
    fn not_free(&self, i: usize, t: DateTime<Utc>) -> Option<&'static str> {
        let r = &self.c.resources[i];
        let service = self.service(t);
        let (a, b) = (self.minute(service.start), self.minute(service.end));
        if !(a..b).all(|m| self.location_hours[m]) {
            return Some("outside the location's opening hours");
        }
        if !(a..b).all(|m| self.own_hours[i][m]) {
            return Some("outside the resource's own hours");
        }
        if self.c.closures.iter().any(|c| overlaps(c, &service)) {
            return Some("inside a closure of the location");
        }
        if r.closures.iter().any(|c| overlaps(c, &service)) {
            return Some("inside a closure of the resource");
        }
        let block = self.block(t);
        self.minute(block.start);
        self.minute(block.end);
        if r.busy.iter().any(|b| overlaps(b, &block)) {
            return Some("its block (with buffers) overlaps a busy block");
        }
        None
    }

    /// Booked minutes of resource `i` on local date `day`.
    fn load(&self, i: usize, day: NaiveDate) -> i64 {
        self.c.resources[i]
            .busy
            .iter()
            .filter(|b| b.start.with_timezone(&self.c.tz).date_naive() == day)
            .map(|b| (b.end - b.start).num_minutes())
            .sum()
    }

    /// The resources the rules assign to a start, if every needed kind has a free one.
    fn assign(&self, t: DateTime<Utc>, choice: Choice) -> Option<Vec<usize>> {
        let res = &self.c.resources;
        let day = t.with_timezone(&self.c.tz).date_naive();
        let free =
            |i: usize, kind: ResourceKind| res[i].kind == kind && self.not_free(i, t).is_none();
        self.c
            .needs
            .kinds
            .iter()
            .map(|&kind| match choice.pinned {
                Some(p) if res[p].kind == kind => free(p, kind).then_some(p),
                _ => choice
                    .preferred
                    .iter()
                    .copied()
                    .find(|&i| free(i, kind))
                    .or_else(|| {
                        let mut best: Option<(i64, usize)> = None;
                        for i in 0..res.len() {
                            if free(i, kind) {
                                let l = self.load(i, day);
                                if best.is_none_or(|(bl, _)| l < bl) {
                                    best = Some((l, i));
                                }
                            }
                        }
                        best.map(|(_, i)| i)
                    }),
            })
            .collect()
    }

    /// The slot booking gives at `t`, if `t` can be booked at all (lead time, horizon,
    /// grid, free resources).
    fn bookable(&self, t: DateTime<Utc>, choice: Choice) -> Option<Slot> {
        let c = self.c;
        if t < c.now + c.rules.lead || t > c.now + c.rules.horizon {
            return None;
        }
        self.grid.binary_search(&t).ok()?;
        self.assign(t, choice).map(|resources| Slot {
            start: t,
            end: t + c.needs.duration,
            resources,
        })
    }

    /// Every bookable slot with a start in `[from, to)`.
    fn slots(&self, from: DateTime<Utc>, to: DateTime<Utc>, choice: Choice) -> Vec<Slot> {
        self.grid
            .iter()
            .filter(|&&t| from <= t && t < to)
            .filter_map(|&t| self.bookable(t, choice))
            .collect()
    }

    /// Panics with a readable message unless `slot` obeys every rule.
    fn assert_valid(&self, slot: &Slot, choice: Choice) {
        let c = self.c;
        let at = slot.start.with_timezone(&c.tz);
        assert!(
            slot.start >= c.now + c.rules.lead,
            "{at}: inside the lead time"
        );
        assert!(
            slot.start <= c.now + c.rules.horizon,
            "{at}: beyond the horizon"
        );
        assert_eq!(slot.end, slot.start + c.needs.duration, "{at}: wrong end");
        assert!(
            self.grid.binary_search(&slot.start).is_ok(),
            "{at}: off the grid"
        );
        assert_eq!(slot.resources.len(), c.needs.kinds.len(), "{at}: resources");
        for (&i, &kind) in slot.resources.iter().zip(&c.needs.kinds) {
            assert_eq!(
                c.resources[i].kind, kind,
                "{at}: resource {i} is of another kind"
            );
            if let Some(why) = self.not_free(i, slot.start) {
                panic!("{at}: resource {i} is not free: {why}");
            }
            if let Some(p) = choice.pinned.filter(|&p| c.resources[p].kind == kind) {
                assert_eq!(i, p, "{at}: the pinned resource is not used");
            }
        }
    }
}

fn starts(slots: &[Slot]) -> Vec<DateTime<Utc>> {
    slots.iter().map(|s| s.start).collect()
}

/// `cases` by default (a few seconds in all); `PROPTEST_CASES=5000` for a deeper run.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(160))]

    /// (a) every slot is accepted by `check_start` at that moment with the same resources;
    /// (b) every slot obeys opening hours, closures, busy blocks with buffers, lead time and
    /// horizon; (c) every start the oracle finds bookable in the window is listed, with
    /// the resources the rules assign.
    #[test]
    fn slots_are_valid_bookable_and_complete(c in case()) {
        let s = c.schedule();
        let o = Oracle::new(&c);
        // The case's window, and one across the lead time and the horizon.
        let day = Duration::days(1);
        for (from, to) in [(c.from, c.to), (c.now - day, c.now + c.rules.horizon + day)] {
            let slots = find_slots(&s, &c.needs, &c.rules, from, to, c.now, c.choice());
            prop_assert!(slots.windows(2).all(|w| w[0].start < w[1].start), "in time order, once each");
            for slot in &slots {
                o.assert_valid(slot, c.choice());
                prop_assert_eq!(
                    check_start(&s, &c.needs, &c.rules, slot.start, c.now, c.choice()),
                    Ok(slot.clone())
                );
            }
            prop_assert_eq!(&slots, &o.slots(from, to, c.choice()));
        }
    }

    /// `check_start` accepts a start exactly when the oracle finds it bookable: grid starts,
    /// the minute after each, across the lead time and the horizon.
    #[test]
    fn check_start_accepts_exactly_the_bookable_starts(c in case(), picks in prop::collection::vec(any::<Index>(), 24)) {
        let s = c.schedule();
        let o = Oracle::new(&c);
        let near: Vec<DateTime<Utc>> = o
            .grid
            .iter()
            .copied()
            .filter(|&t| t >= c.now - Duration::days(1) && t <= c.now + c.rules.horizon + Duration::days(1))
            .collect();
        if near.is_empty() {
            return Ok(());
        }
        for pick in picks {
            let t = near[pick.index(near.len())];
            for t in [t, t + Duration::minutes(1), t - Duration::minutes(1)] {
                let got = check_start(&s, &c.needs, &c.rules, t, c.now, c.choice());
                prop_assert_eq!(got.ok(), o.bookable(t, c.choice()), "at {}", t.with_timezone(&c.tz));
            }
        }
    }

    /// The lead time and the horizon hold to the nanosecond, as a real clock's `now` has
    /// them: a start is listed and accepted when `now` puts it exactly at either edge, and
    /// neither listed nor accepted a fraction of a second beyond.
    #[test]
    fn lead_time_and_horizon_hold_to_the_nanosecond(
        c in case(),
        pick in any::<Index>(),
        fraction in 1i64..1_000_000_000,
    ) {
        let s = c.schedule();
        let o = Oracle::new(&c);
        let day = Duration::days(1);
        // Starts that some resource could serve, whatever `now` is.
        let servable: Vec<DateTime<Utc>> = o
            .grid
            .iter()
            .copied()
            .filter(|&t| t >= c.base - Duration::days(3) && t <= c.base + Duration::days(12))
            .filter(|&t| o.assign(t, c.choice()).is_some())
            .collect();
        if servable.is_empty() {
            return Ok(());
        }
        let t = servable[pick.index(servable.len())];
        let (lead, horizon) = (c.rules.lead, c.rules.horizon);
        let bit = Duration::nanoseconds(fraction);
        for (now, edge, bookable) in [
            (t - horizon, "exactly at the horizon", lead <= horizon),
            (t - horizon - bit, "just beyond the horizon", false),
            (t - lead, "exactly at the lead time", lead <= horizon),
            (t - lead + bit, "just inside the lead time", false),
        ] {
            let listed = find_slots(&s, &c.needs, &c.rules, t - day, t + day, now, c.choice())
                .iter()
                .any(|x| x.start == t);
            let accepted = check_start(&s, &c.needs, &c.rules, t, now, c.choice()).is_ok();
            prop_assert_eq!(listed, bookable, "listed {}", edge);
            prop_assert_eq!(accepted, bookable, "accepted {}", edge);
        }
    }

    /// A window cut in two lists the same slots as the whole (suggestions rely on it).
    #[test]
    fn windows_compose(c in case(), cut in 0i64..=4 * 1440) {
        let s = c.schedule();
        let mid = (c.from + Duration::minutes(cut)).min(c.to);
        let whole = find_slots(&s, &c.needs, &c.rules, c.from, c.to, c.now, c.choice());
        let mut parts = find_slots(&s, &c.needs, &c.rules, c.from, mid, c.now, c.choice());
        parts.extend(find_slots(&s, &c.needs, &c.rules, mid, c.to, c.now, c.choice()));
        prop_assert_eq!(whole, parts);
    }

    /// (d) suggestions are bookable as they are, never the excluded start, never twice, and
    /// exactly the `limit` bookable starts nearest to `near` (ties to the earlier): none
    /// nearer than the farthest suggestion is missing. They are ordered by score.
    #[test]
    fn suggestions_are_the_nearest_bookable_times(
        c in case(),
        near in -2 * 1440i64..=11 * 1440,
        // Often exactly on a bookable start or halfway between two, where ties are decided.
        near_pick in prop::option::weighted(0.5, (any::<Index>(), any::<bool>())),
        from in prop::option::weighted(0.4, -2 * 1440i64..=6 * 1440),
        len in prop::option::weighted(0.4, 0i64..=6 * 1440),
        exclude in prop::option::weighted(0.5, any::<Index>()),
        limit in 0usize..=12,
    ) {
        let s = c.schedule();
        let o = Oracle::new(&c);
        let choice = c.choice();
        let from = from.map(|m| c.now + Duration::minutes(m));
        let to = len.map(|l| from.unwrap_or(c.now) + Duration::minutes(l));
        let lo = (c.now + c.rules.lead).max(from.unwrap_or(DateTime::<Utc>::MIN_UTC));
        let hi = (c.now + c.rules.horizon + Duration::nanoseconds(1)).min(to.unwrap_or(DateTime::<Utc>::MAX_UTC));
        let bookable = if lo < hi { o.slots(lo, hi, choice) } else { vec![] };
        let exclude_start = exclude
            .filter(|_| !bookable.is_empty())
            .map(|i| bookable[i.index(bookable.len())].start);
        let near = match near_pick {
            Some((i, halfway)) if bookable.len() >= 2 => {
                let k = i.index(bookable.len() - 1);
                let (a, b) = (bookable[k].start, bookable[k + 1].start);
                if halfway { a + (b - a) / 2 } else { a }
            }
            _ => c.now + Duration::minutes(near),
        };
        let want = Want {
            near,
            from,
            to,
            preferred: c.preferred.clone(),
            pinned: c.pinned,
            exclude_start,
        };
        let got = suggest(&s, &c.needs, &c.rules, &want, c.now, limit);

        let distance = |t: DateTime<Utc>| (t - want.near).abs();
        let mut expected: Vec<Slot> = bookable
            .into_iter()
            .filter(|x| Some(x.start) != exclude_start)
            .collect();
        expected.sort_by_key(|x| (distance(x.start), x.start));
        let farthest = got.iter().map(|x| distance(x.slot.start)).max();
        for x in &got {
            o.assert_valid(&x.slot, choice);
            prop_assert_eq!(
                check_start(&s, &c.needs, &c.rules, x.slot.start, c.now, choice),
                Ok(x.slot.clone())
            );
            prop_assert!(Some(x.slot.start) != exclude_start, "the excluded start is offered");
            prop_assert!(x.slot.start >= lo && x.slot.start < hi, "outside from/to");
        }
        let offered: BTreeSet<DateTime<Utc>> = got.iter().map(|x| x.slot.start).collect();
        prop_assert_eq!(offered.len(), got.len(), "a start offered twice");
        if let Some(farthest) = farthest {
            for x in &expected {
                prop_assert!(
                    distance(x.start) >= farthest || offered.contains(&x.start),
                    "{} is bookable and nearer than the farthest suggestion, but missing",
                    x.start.with_timezone(&c.tz)
                );
            }
        }
        expected.truncate(limit);
        let mut by_distance: Vec<Slot> = got.iter().map(|x| x.slot.clone()).collect();
        by_distance.sort_by_key(|x| (distance(x.start), x.start));
        prop_assert_eq!(&by_distance, &expected);
        // Ordered by score, then nearer, then earlier; the score is the sum of its parts.
        for x in &got {
            prop_assert_eq!(x.score, x.parts.total());
        }
        let key = |x: &Suggestion| (std::cmp::Reverse(x.score), distance(x.slot.start), x.slot.start);
        let ordered = got.windows(2).all(|w| key(&w[0]) < key(&w[1]));
        prop_assert!(ordered, "not ordered by score, distance, time");
        // `nearest` and `earliest` name one suggestion each.
        if !got.is_empty() {
            let named = |r: Reason| got.iter().filter(|x| x.reasons.contains(&r)).count();
            prop_assert_eq!(named(Reason::Nearest), 1);
            prop_assert_eq!(named(Reason::Earliest), 1);
            prop_assert_eq!(
                got.iter().find(|x| x.reasons.contains(&Reason::Earliest)).map(|x| x.slot.start),
                starts(&expected).into_iter().min()
            );
        }
    }
}
