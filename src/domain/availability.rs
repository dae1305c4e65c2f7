//! Which starts can be booked: a pure function of opening hours, closures, busy times,
//! the service and the booking rules, with `now` passed in.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::enums::ResourceKind;
use super::interval::{Interval, covered, hits, intersect, normalize, subtract};
use super::opening::{candidate_starts, open_intervals};
use super::weekly_hours::WeeklyHours;

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

/// Per-resource sets prepared once per query.
struct Prepared {
    open: Vec<Vec<Interval>>,
    busy: Vec<Vec<Interval>>,
    load: Vec<HashMap<NaiveDate, i64>>,
    location_open: Vec<Interval>,
    grid: Vec<DateTime<Utc>>,
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
    let location_hours = open_intervals(s.tz, s.hours, from, span_end);
    let closures = normalize(s.closures.to_vec());
    let location_open = subtract(&location_hours, &closures);
    let mut open = Vec::with_capacity(s.resources.len());
    let mut busy = Vec::with_capacity(s.resources.len());
    let mut load = Vec::with_capacity(s.resources.len());
    for r in s.resources {
        let own = match &r.hours {
            Some(h) => intersect(&location_open, &open_intervals(s.tz, h, from, span_end)),
            None => location_open.clone(),
        };
        open.push(subtract(&own, &normalize(r.closures.clone())));
        let b = normalize(r.busy.clone());
        let mut per_day: HashMap<NaiveDate, i64> = HashMap::new();
        for iv in &r.busy {
            *per_day
                .entry(iv.start.with_timezone(&s.tz).date_naive())
                .or_default() += (iv.end - iv.start).num_minutes();
        }
        busy.push(b);
        load.push(per_day);
    }
    let grid = candidate_starts(s.tz, s.hours, from, to, rules.step);
    Prepared {
        open,
        busy,
        load,
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

/// The resources that would serve a start: pinned, else preferred when free, else least
/// loaded that local day; `None` if some needed kind has no free resource.
fn assign(
    s: &Schedule,
    needs: &ServiceNeeds,
    p: &Prepared,
    start: DateTime<Utc>,
    choice: Choice,
) -> Option<Vec<usize>> {
    let service = Interval::new(start, start + needs.duration);
    let block = Interval::new(
        start - needs.buffer_before,
        service.end + needs.buffer_after,
    );
    let day = start.with_timezone(&s.tz).date_naive();
    let free = |i: usize| covered(&p.open[i], &service) && !hits(&p.busy[i], &block);
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
                        .min_by_key(|&i| p.load[i].get(&day).copied().unwrap_or(0))
                }),
        };
        chosen.push(pick?);
    }
    Some(chosen)
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
    let from = from.max(now + rules.lead);
    // A start exactly at now + horizon is allowed, as in `check_start`.
    let to = to.min(now + rules.horizon + Duration::nanoseconds(1));
    if from >= to || needs.kinds.is_empty() {
        return Vec::new();
    }
    let p = prepare(s, needs, rules, from, to);
    p.grid
        .iter()
        .filter_map(|&start| {
            assign(s, needs, &p, start, choice).map(|resources| Slot {
                start,
                end: start + needs.duration,
                resources,
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
    assign(s, needs, &p, start, choice)
        .map(|resources| Slot {
            start,
            end: service.end,
            resources,
        })
        .ok_or(Unavailable::Taken)
}

#[cfg(test)]
#[path = "availability_tests.rs"]
mod tests;
