//! Which starts can be booked: a pure function of opening hours, closures, busy times,
//! the service and the booking rules, with `now` passed in.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::enums::ResourceKind;
use super::interval::{Interval, covered, intersect, normalize, subtract};
use super::local_time::LocalDates;
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

/// A resource able to perform the service, with what already occupies it.
#[derive(Clone, Debug)]
pub struct ResourceSchedule {
    pub id: String,
    pub kind: ResourceKind,
    /// Own weekly hours, within the location's; `None` follows the location.
    pub hours: Option<WeeklyHours>,
    /// Closures of this resource only.
    pub closures: Vec<Interval>,
    /// Blocks (appointment plus buffers) of its active appointments.
    pub busy: Vec<Interval>,
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
    InsideLeadTime {
        earliest: DateTime<Utc>,
    },
    BeyondHorizon {
        latest: DateTime<Utc>,
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

/// Per-resource sets prepared once per query, limited to what the window can touch.
struct Prepared {
    open: Vec<Vec<Interval>>,
    busy: Vec<Vec<Interval>>,
    /// Booked minutes per resource and local day, day 0 being `day0`.
    load: Vec<Vec<i64>>,
    day0: NaiveDate,
    dates: LocalDates,
    location_open: Vec<Interval>,
    grid: Vec<DateTime<Utc>>,
}

impl Prepared {
    fn load(&self, resource: usize, day: NaiveDate) -> i64 {
        usize::try_from((day - self.day0).num_days())
            .ok()
            .and_then(|d| self.load[resource].get(d).copied())
            .unwrap_or(0)
    }
}

/// The normalized part of `set` that overlaps `window` (the rest cannot matter).
fn within(set: &[Interval], window: &Interval) -> Vec<Interval> {
    normalize(set.iter().filter(|i| i.overlaps(window)).copied().collect())
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
    // Every block (slot plus buffers) of a start in `[from, to)` lies inside `reach`.
    let reach = Interval::new(from - needs.buffer_before, span_end + needs.buffer_after);
    // Loads are kept for every local date of a start, with whole days around them.
    let (load_from, load_to) = (from - DAY_MARGIN, to + DAY_MARGIN);
    let dates = LocalDates::new(s.tz, load_from, load_to);
    let day0 = dates.date(load_from);
    let days = usize::try_from((dates.date(load_to) - day0).num_days() + 1).unwrap_or(0);
    let location_hours = open_intervals(s.tz, s.hours, from, span_end);
    let location_open = subtract(&location_hours, &within(s.closures, &span));
    let mut open = Vec::with_capacity(s.resources.len());
    let mut busy = Vec::with_capacity(s.resources.len());
    let mut load = Vec::with_capacity(s.resources.len());
    for r in s.resources {
        let own = match &r.hours {
            Some(h) => intersect(&location_open, &open_intervals(s.tz, h, from, span_end)),
            None => location_open.clone(),
        };
        open.push(subtract(&own, &within(&r.closures, &span)));
        let mut near = Vec::new();
        let mut per_day = vec![0; days];
        for iv in &r.busy {
            if iv.overlaps(&reach) {
                near.push(*iv);
            }
            if iv.start >= load_from && iv.start < load_to {
                let day = (dates.date(iv.start) - day0).num_days();
                if let Some(m) = usize::try_from(day).ok().and_then(|d| per_day.get_mut(d)) {
                    *m += (iv.end - iv.start).num_minutes();
                }
            }
        }
        busy.push(normalize(near));
        load.push(per_day);
    }
    let grid = candidate_starts(s.tz, s.hours, from, to, rules.step);
    Prepared {
        open,
        busy,
        load,
        day0,
        dates,
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

/// Where each resource's search through its open and busy intervals stands. Starts are
/// tried in time order, so each search goes on from where the last one stopped: a step
/// or two per resource and start, not a binary search each time.
struct Cursors {
    last: Option<DateTime<Utc>>,
    open: Vec<usize>,
    busy: Vec<usize>,
}

impl Cursors {
    fn new(resources: usize) -> Self {
        Cursors {
            last: None,
            open: vec![0; resources],
            busy: vec![0; resources],
        }
    }

    /// Called before the resources are tried at `start`; a start earlier than the last
    /// one starts the searches over.
    fn at(&mut self, start: DateTime<Utc>) {
        if self.last.is_some_and(|last| start < last) {
            self.open.fill(0);
            self.busy.fill(0);
        }
        self.last = Some(start);
    }

    /// Whether resource `i` is open for all of `service` and busy nowhere in `block`:
    /// `covered` and `hits` of `interval`, resumed from the cursors.
    fn free(&mut self, p: &Prepared, i: usize, service: &Interval, block: &Interval) -> bool {
        let open = &p.open[i];
        advance(open, &mut self.open[i], |iv| iv.end < service.end);
        if !open
            .get(self.open[i])
            .is_some_and(|iv| iv.contains(service))
        {
            return false;
        }
        let busy = &p.busy[i];
        advance(busy, &mut self.busy[i], |iv| iv.end <= block.start);
        busy.get(self.busy[i])
            .is_none_or(|iv| iv.start >= block.end)
    }
}

/// Moves `cursor` to the first interval of `set` (sorted) that is not `past`: one look
/// when it is already there, a binary search over the rest otherwise.
fn advance(set: &[Interval], cursor: &mut usize, past: impl Fn(&Interval) -> bool) {
    if set.get(*cursor).is_some_and(&past) {
        *cursor += 1 + set[*cursor + 1..].partition_point(past);
    }
}

/// The resources that would serve a start (pinned, else preferred when free, else least
/// loaded that local day) with their load that day; `None` if some needed kind has no
/// free resource.
fn assign(
    s: &Schedule,
    needs: &ServiceNeeds,
    p: &Prepared,
    cursors: &mut Cursors,
    start: DateTime<Utc>,
    choice: Choice,
) -> Option<(Vec<usize>, i64)> {
    let service = Interval::new(start, start + needs.duration);
    let block = Interval::new(
        start - needs.buffer_before,
        service.end + needs.buffer_after,
    );
    let day = p.dates.date(start);
    cursors.at(start);
    let mut free = |i: usize| cursors.free(p, i, &service, &block);
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
                        .min_by_key(|&i| p.load(i, day))
                }),
        };
        chosen.push(pick?);
    }
    let load = chosen.iter().map(|&i| p.load(i, day)).sum();
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
    let mut cursors = Cursors::new(s.resources.len());
    p.grid
        .iter()
        .filter_map(|&start| {
            assign(s, needs, &p, &mut cursors, start, choice).map(|(resources, load_minutes)| {
                LoadedSlot {
                    slot: Slot {
                        start,
                        end: start + needs.duration,
                        resources,
                    },
                    load_minutes,
                }
            })
        })
        .collect()
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
        });
    }
    if start > now + rules.horizon {
        return Err(Unavailable::BeyondHorizon {
            latest: now + rules.horizon,
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
    assign(
        s,
        needs,
        &p,
        &mut Cursors::new(s.resources.len()),
        start,
        choice,
    )
    .map(|(resources, _)| Slot {
        start,
        end: service.end,
        resources,
    })
    .ok_or(Unavailable::Taken)
}

#[cfg(test)]
mod tests;
