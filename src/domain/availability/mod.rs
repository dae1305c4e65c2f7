//! Which starts can be booked: a pure function of opening hours, closures, busy times,
//! the service and the booking rules, with `now` passed in.

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::enums::ResourceKind;
use super::interval::{Interval, covered, intersect, normalize, subtract};
use super::local_time::{LocalDates, nanos};
use super::opening::{candidate_starts, open_intervals};
use super::weekly_hours::WeeklyHours;

/// The longest a service may take, in minutes (a day).
pub const MAX_DURATION_MINUTES: i64 = 1440;
/// The longest buffer before or after a service, in minutes.
pub const MAX_BUFFER_MINUTES: i64 = 240;
/// No busy block (a service with its buffers) is longer than this, so a block that
/// overlaps a window starts at most this long before the window: reads of busy blocks
/// and the SQLite overlap guard rely on it.
pub const MAX_BLOCK: Duration = Duration::minutes(MAX_DURATION_MINUTES + 2 * MAX_BUFFER_MINUTES);

/// A resource's busy blocks in start order: a stretch of a shared list, so that blocks
/// kept in memory between requests are handed to a query without being copied.
#[derive(Clone, Debug, Default)]
pub struct Blocks {
    all: Arc<[Interval]>,
    from: usize,
    to: usize,
}

impl Blocks {
    /// `all[from..to]`, without copying `all`.
    pub fn stretch(all: Arc<[Interval]>, from: usize, to: usize) -> Self {
        let to = to.min(all.len());
        Blocks {
            from: from.min(to),
            to,
            all,
        }
    }
}

impl Deref for Blocks {
    type Target = [Interval];

    fn deref(&self) -> &[Interval] {
        &self.all[self.from..self.to]
    }
}

impl From<Vec<Interval>> for Blocks {
    fn from(blocks: Vec<Interval>) -> Self {
        let to = blocks.len();
        Blocks {
            all: blocks.into(),
            from: 0,
            to,
        }
    }
}

/// A resource able to perform the service, with what already occupies it.
#[derive(Clone, Debug)]
pub struct ResourceSchedule {
    pub id: String,
    pub kind: ResourceKind,
    /// Own weekly hours, within the location's; `None` follows the location.
    pub hours: Option<WeeklyHours>,
    /// Closures of this resource only.
    pub closures: Vec<Interval>,
    /// Blocks (appointment plus buffers) of its active appointments, in start order.
    pub busy: Blocks,
}

/// Everything about one location that decides availability.
pub struct Schedule<'a> {
    pub tz: Tz,
    pub hours: &'a WeeklyHours,
    /// Closures of the whole location.
    pub closures: &'a [Interval],
    /// Only resources that may perform the service (kind and allow-list already applied).
    pub resources: &'a [ResourceSchedule],
}

/// What the service needs.
#[derive(Clone, Debug)]
pub struct ServiceNeeds {
    pub duration: Duration,
    pub buffer_before: Duration,
    pub buffer_after: Duration,
    /// One free resource of each kind.
    pub kinds: Vec<ResourceKind>,
}

/// Booking rules of the location (or its organization).
#[derive(Clone, Copy, Debug)]
pub struct BookingRules {
    /// Earliest bookable start is `now + lead`.
    pub lead: Duration,
    /// Latest bookable start is `now + horizon`.
    pub horizon: Duration,
    /// Slot starts every `step` of local time from the opening of each interval.
    pub step: Duration,
}

/// A bookable start with the resources that would serve it (indices into
/// `Schedule::resources`, one per needed kind, in the order of `ServiceNeeds::kinds`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub resources: Vec<usize>,
}

/// Why a start cannot be booked, most fundamental first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    InPast,
    /// `tz` is the location's zone, in which a refusal shows the time.
    InsideLeadTime {
        earliest: DateTime<Utc>,
        tz: Tz,
    },
    BeyondHorizon {
        latest: DateTime<Utc>,
        tz: Tz,
    },
    OutsideOpeningHours,
    Closed,
    /// Open, but not a start on the slot grid, or every capable resource is taken.
    Taken,
}

/// A bookable slot with the load of the resources that would serve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedSlot {
    pub slot: Slot,
    /// Minutes already booked (blocks, buffers included) on the slot's resources that
    /// local day, added up over its resources.
    pub load_minutes: i64,
}

/// Every instant of a local date lies within this of any other instant of the same date
/// (a local day lasts 23 to 25 hours, and no zone has moved by a whole day since 1867).
const DAY_MARGIN: Duration = Duration::days(2);

/// Per-resource facts prepared once per query, limited to what the window can touch.
struct Prepared {
    /// Bit `g` of `free[i]`: resource `i` is open for the whole service starting at
    /// `grid[g]`, and busy nowhere in that start's block (service plus buffers).
    free: Vec<Vec<u64>>,
    /// Booked minutes per resource and local day, day 0 being the first of the window.
    load: Vec<Vec<i64>>,
    /// The local day of each grid start, as an index into the `load` rows.
    grid_day: Vec<Option<usize>>,
    location_open: Vec<Interval>,
    grid: Vec<DateTime<Utc>>,
}

impl Prepared {
    fn load(&self, resource: usize, g: usize) -> i64 {
        self.grid_day[g]
            .and_then(|d| self.load[resource].get(d).copied())
            .unwrap_or(0)
    }

    fn is_free(&self, resource: usize, g: usize) -> bool {
        self.free[resource][g / 64] & (1 << (g % 64)) != 0
    }
}

/// The normalized part of `set` that overlaps `window` (the rest cannot matter).
fn within(set: &[Interval], window: &Interval) -> Vec<Interval> {
    normalize(set.iter().filter(|i| i.overlaps(window)).copied().collect())
}

/// The first index of `grid` (sorted) where `before` no longer holds, searching
/// forward from `hint` by doubling steps when every start before `hint` holds (blocks
/// come in start order, so the next answer is usually a few steps on).
fn partition_from(grid: &[i64], hint: usize, before: impl Fn(i64) -> bool) -> usize {
    let hint = hint.min(grid.len());
    if hint > 0 && !before(grid[hint - 1]) {
        return grid.partition_point(|&x| before(x));
    }
    let (mut lo, mut hi, mut step) = (hint, hint, 1);
    while hi < grid.len() && before(grid[hi]) {
        lo = hi + 1;
        hi = hint + step;
        step *= 2;
    }
    let hi = hi.min(grid.len());
    lo + grid[lo..hi].partition_point(|&x| before(x))
}

fn set_bits(bits: &mut [u64], from: usize, to: usize, on: bool) {
    for g in from..to {
        if on {
            bits[g / 64] |= 1 << (g % 64);
        } else {
            bits[g / 64] &= !(1 << (g % 64));
        }
    }
}

/// The grid starts a resource can serve: those whose service lies inside one of its
/// open intervals, less those whose block overlaps one of its busy blocks. The same
/// answer as testing each start against each set, found per interval instead.
fn free_starts(
    grid: &[i64],
    open: &[Interval],
    busy: &[(i64, i64)],
    needs: &ServiceNeeds,
) -> Vec<u64> {
    let (duration, before, after) = (
        needs.duration.num_nanoseconds().unwrap_or(i64::MAX),
        needs.buffer_before.num_nanoseconds().unwrap_or(i64::MAX),
        needs.buffer_after.num_nanoseconds().unwrap_or(i64::MAX),
    );
    let mut bits = vec![0u64; grid.len().div_ceil(64)];
    let mut hint = 0;
    for o in open {
        // start >= o.start and start + duration <= o.end
        let first = nanos(o.start);
        let from = partition_from(grid, hint, |s| s < first);
        let last = nanos(o.end).saturating_sub(duration);
        let to = partition_from(grid, from, |s| s <= last);
        set_bits(&mut bits, from, to, true);
        hint = to;
    }
    let mut hint = 0;
    for &(start, end) in busy {
        // start - before < b.end and start + duration + after > b.start
        let first = start.saturating_sub(duration).saturating_sub(after);
        let from = partition_from(grid, hint, |s| s <= first);
        let end = end.saturating_add(before);
        let to = partition_from(grid, from, |s| s < end);
        set_bits(&mut bits, from, to, false);
        hint = from;
    }
    bits
}

fn prepare(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Prepared {
    // Slots starting before `to` may end after it.
    let span_end = to + needs.duration;
    let span = Interval::new(from, span_end);
    // Loads are kept for every local date of a start, with whole days around them.
    let loads = Interval::new(from - DAY_MARGIN, to + DAY_MARGIN);
    // Every block (slot plus buffers) of a start in `[from, to)` lies inside `reach`.
    let reach = Interval::new(from - needs.buffer_before, span_end + needs.buffer_after);
    let dates = LocalDates::new(s.tz, loads.start, loads.end);
    let (load_from, load_to) = (nanos(loads.start), nanos(loads.end));
    let day0 = dates.day_number(load_from);
    let days = usize::try_from(dates.day_number(load_to) - day0 + 1).unwrap_or(0);
    let day_of = |t: i64| usize::try_from(dates.day_number(t) - day0).ok();
    let grid = candidate_starts(s.tz, s.hours, from, to, rules.step);
    let grid_nanos: Vec<i64> = grid.iter().map(|&t| nanos(t)).collect();
    let grid_day = grid_nanos.iter().map(|&t| day_of(t)).collect();
    let location_hours = open_intervals(s.tz, s.hours, from, span_end);
    let location_open = subtract(&location_hours, &within(s.closures, &span));
    let mut free = Vec::with_capacity(s.resources.len());
    let mut load = Vec::with_capacity(s.resources.len());
    let mut busy = Vec::new();
    for r in s.resources {
        // Most resources keep the location's hours: borrowed, not copied per resource.
        let own: Cow<[Interval]> = match &r.hours {
            Some(h) => intersect(&location_open, &open_intervals(s.tz, h, from, span_end)).into(),
            None => Cow::Borrowed(&location_open),
        };
        let open = subtract(&own, &within(&r.closures, &span));
        // Each block's instants as integers once, for both uses below.
        busy.clear();
        busy.extend(
            r.busy
                .iter()
                .filter(|b| {
                    !b.is_empty()
                        && (b.overlaps(&reach) || (b.start >= loads.start && b.start < loads.end))
                })
                .map(|b| (nanos(b.start), nanos(b.end))),
        );
        free.push(free_starts(&grid_nanos, &open, &busy, needs));
        let mut per_day = vec![0; days];
        for &(start, end) in &busy {
            if start >= load_from
                && start < load_to
                && let Some(m) = day_of(start).and_then(|d| per_day.get_mut(d))
            {
                *m += (end - start) / 60_000_000_000;
            }
        }
        load.push(per_day);
    }
    Prepared {
        free,
        load,
        grid_day,
        location_open,
        grid,
    }
}

/// How to choose among free resources.
#[derive(Clone, Copy, Debug, Default)]
pub struct Choice<'a> {
    /// Must serve the slot (a start where it is busy is not offered).
    pub pinned: Option<usize>,
    /// Used when free, before the least-loaded rule (e.g. the appointment's current advisor).
    pub preferred: &'a [usize],
}

/// The resources that would serve grid start `g` (pinned, else preferred when free,
/// else least loaded that local day) with their load that day; `None` if some needed
/// kind has no free resource.
fn assign(
    s: &Schedule,
    needs: &ServiceNeeds,
    p: &Prepared,
    g: usize,
    choice: Choice,
) -> Option<(Vec<usize>, i64)> {
    let free = |i: usize| p.is_free(i, g);
    let mut chosen = Vec::with_capacity(needs.kinds.len());
    for kind in &needs.kinds {
        let pick = match choice.pinned {
            Some(i) if s.resources[i].kind == *kind => free(i).then_some(i),
            _ => choice
                .preferred
                .iter()
                .copied()
                .find(|&i| s.resources[i].kind == *kind && free(i))
                .or_else(|| {
                    (0..s.resources.len())
                        .filter(|&i| s.resources[i].kind == *kind && free(i))
                        .min_by_key(|&i| p.load(i, g))
                }),
        };
        chosen.push(pick?);
    }
    let load = chosen.iter().map(|&i| p.load(i, g)).sum();
    Some((chosen, load))
}

/// Every bookable start in `[from, to)`, in time order, with the resources `choice`
/// picks (indices into `Schedule::resources`).
pub fn find_slots(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    choice: Choice,
) -> Vec<Slot> {
    find_slots_with_load(s, needs, rules, from, to, now, choice)
        .into_iter()
        .map(|l| l.slot)
        .collect()
}

/// [`find_slots`] with the load of each slot's resources that local day, for ranking.
pub fn find_slots_with_load(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    choice: Choice,
) -> Vec<LoadedSlot> {
    let from = from.max(now + rules.lead);
    // `now + horizon` itself is bookable (as `check_start` says), a nanosecond later is not.
    let to = to.min(now + rules.horizon + Duration::nanoseconds(1));
    if from >= to || needs.kinds.is_empty() {
        return Vec::new();
    }
    let p = prepare(s, needs, rules, from, to);
    p.grid
        .iter()
        .enumerate()
        .filter_map(|(g, &start)| {
            assign(s, needs, &p, g, choice).map(|(resources, load_minutes)| LoadedSlot {
                slot: Slot {
                    start,
                    end: start + needs.duration,
                    resources,
                },
                load_minutes,
            })
        })
        .collect()
}

/// Every start of `[from, to)` that is bookable at some moment: [`find_slots`] without
/// the lead time and the horizon, which depend on `now`. An answer kept across requests
/// is found this way once and cut to a request's `now` by [`bookable_at`]; the starts
/// and resources of a slot do not depend on where the window begins or ends.
pub fn find_slots_any_time(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    choice: Choice,
) -> Vec<Slot> {
    let unbounded = BookingRules {
        lead: Duration::zero(),
        horizon: to - from,
        step: rules.step,
    };
    find_slots(s, needs, &unbounded, from, to, from, choice)
}

/// The slots of [`find_slots_any_time`] bookable at `now`: after the lead time and not
/// beyond the horizon, exactly those [`find_slots`] gives at `now`.
pub fn bookable_at<'a>(
    slots: &'a [Slot],
    rules: &BookingRules,
    now: DateTime<Utc>,
) -> impl Iterator<Item = &'a Slot> + 'a {
    slots[bookable_range(slots, rules, now)].iter()
}

/// Where the slots of [`bookable_at`] lie in `slots` (found in start order): the cut by
/// `now` is one run, so a response kept for it can be told apart by the run alone.
pub fn bookable_range(
    slots: &[Slot],
    rules: &BookingRules,
    now: DateTime<Utc>,
) -> std::ops::Range<usize> {
    debug_assert!(slots.windows(2).all(|w| w[0].start <= w[1].start));
    let (earliest, latest) = (now + rules.lead, now + rules.horizon);
    let first = slots.partition_point(|s| s.start < earliest);
    let end = slots.partition_point(|s| s.start <= latest).max(first);
    first..end
}

/// The slot at exactly `start`, or why there is none. Runs the same code as
/// [`find_slots`], so a start is accepted exactly when availability lists it.
pub fn check_start(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    choice: Choice,
) -> Result<Slot, Unavailable> {
    if start < now {
        return Err(Unavailable::InPast);
    }
    if start < now + rules.lead {
        return Err(Unavailable::InsideLeadTime {
            earliest: now + rules.lead,
            tz: s.tz,
        });
    }
    if start > now + rules.horizon {
        return Err(Unavailable::BeyondHorizon {
            latest: now + rules.horizon,
            tz: s.tz,
        });
    }
    let service = Interval::new(start, start + needs.duration);
    let hours = open_intervals(s.tz, s.hours, start, service.end);
    if !covered(&hours, &service) {
        return Err(Unavailable::OutsideOpeningHours);
    }
    let p = prepare(s, needs, rules, start, start + Duration::seconds(1));
    if !covered(&p.location_open, &service) {
        return Err(Unavailable::Closed);
    }
    if p.grid.first() != Some(&start) {
        return Err(Unavailable::Taken);
    }
    assign(s, needs, &p, 0, choice)
        .map(|(resources, _)| Slot {
            start,
            end: service.end,
            resources,
        })
        .ok_or(Unavailable::Taken)
}

#[cfg(test)]
mod tests;
