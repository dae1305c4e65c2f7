//! Alternative times: the bookable starts nearest to a wanted time, ranked and explained.
//!
//! Two steps, each easy to check on its own (see docs/concepts/ranking.md):
//!
//! 1. **Candidates**: the `limit` bookable starts nearest to `near` (absolute distance,
//!    ties to the earlier), found by [`find_slots_with_load`] over windows growing outward
//!    from `near`, so the work follows the answer and not the horizon. Each start comes
//!    with the resources booking would assign at that moment (preferred ones when free),
//!    so every suggestion is accepted by [`super::availability::check_start`] as it is.
//! 2. **Ranking**: an integer score, the sum of the named parts of [`Score`], higher first;
//!    ties go to the nearer start, then the earlier.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::availability::{
    BookingRules, Choice, LoadedSlot, Schedule, ServiceNeeds, Slot, find_slots_with_load,
};

/// What the customer asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Want {
    /// The wanted time; candidates are the bookable starts nearest to it.
    pub near: DateTime<Utc>,
    /// Only starts at or after this (besides the lead time).
    pub from: Option<DateTime<Utc>>,
    /// Only starts before this (besides the horizon).
    pub to: Option<DateTime<Utc>>,
    /// Resources to keep when free (indices into `Schedule::resources`), e.g. the
    /// appointment's current bay and advisor; empty for a new booking.
    pub preferred: Vec<usize>,
    /// A resource every suggestion must use.
    pub pinned: Option<usize>,
    /// A start that is not an alternative (the appointment's own current start).
    pub exclude_start: Option<DateTime<Utc>>,
}

impl Want {
    /// The times nearest to `near`, with no other wish.
    pub fn near(near: DateTime<Utc>) -> Self {
        Want {
            near,
            from: None,
            to: None,
            preferred: Vec::new(),
            pinned: None,
            exclude_start: None,
        }
    }
}

/// Why a suggestion is offered where it is; serialised in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Every preferred resource (the current advisor, bay…) serves it again.
    SameResource,
    /// Some, not all, of the preferred resources serve it again.
    PartlySameResource,
    /// The same local date as the wanted time.
    SameDay,
    /// The same part of the local day (morning, afternoon, evening) as the wanted time.
    SameDayPart,
    /// Another date, but the same weekday as the wanted time.
    SameWeekday,
    /// The offered time closest to the wanted time.
    Nearest,
    /// The earliest of the offered times.
    Earliest,
    /// Its resources have the fewest booked minutes that day among the offered times.
    LeastLoaded,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::SameResource => "same_resource",
            Reason::PartlySameResource => "partly_same_resource",
            Reason::SameDay => "same_day",
            Reason::SameDayPart => "same_day_part",
            Reason::SameWeekday => "same_weekday",
            Reason::Nearest => "nearest",
            Reason::Earliest => "earliest",
            Reason::LeastLoaded => "least_loaded",
        }
    }
}

/// Part of the local day: morning before 12:00, afternoon before 17:00, evening after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub fn of(local: NaiveTime) -> Self {
        if local < NaiveTime::from_hms_opt(12, 0, 0).expect("noon") {
            DayPart::Morning
        } else if local < NaiveTime::from_hms_opt(17, 0, 0).expect("17:00") {
            DayPart::Afternoon
        } else {
            DayPart::Evening
        }
    }
}

/// The weights of the score; see docs/concepts/ranking.md.
pub mod weight {
    /// Per preferred resource kept: more than every other part together can differ by,
    /// so keeping the advisor or bay always ranks first.
    pub const SAME_RESOURCE: i64 = 1_000_000;
    /// Closeness is minus the distance in minutes, counted up to this (about 347 days).
    pub const MAX_DISTANCE_MINUTES: i64 = 500_000;
    pub const SAME_DAY: i64 = 240;
    pub const SAME_DAY_PART: i64 = 90;
    pub const SAME_WEEKDAY: i64 = 60;
    /// One point off per this many booked minutes on the slot's resources that day…
    pub const LOAD_MINUTES_PER_POINT: i64 = 60;
    /// …and never more than this many points.
    pub const MAX_LOAD_PENALTY: i64 = 100;
}

/// The parts of a suggestion's score; the score is their sum. A new consideration (the fee
/// of moving there, for instance) is one more field here and one more term in
/// [`Score::total`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Score {
    /// `weight::SAME_RESOURCE` per preferred resource kept.
    pub same_resource: i64,
    /// Minus the minutes between the start and the wanted time (capped).
    pub closeness: i64,
    /// `weight::SAME_DAY` on the wanted local date.
    pub same_day: i64,
    /// `weight::SAME_DAY_PART` in the wanted part of the day.
    pub same_day_part: i64,
    /// `weight::SAME_WEEKDAY` on the wanted weekday of another week.
    pub same_weekday: i64,
    /// Minus one per `weight::LOAD_MINUTES_PER_POINT` booked on its resources that day.
    pub load: i64,
}

impl Score {
    pub fn total(&self) -> i64 {
        self.same_resource
            + self.closeness
            + self.same_day
            + self.same_day_part
            + self.same_weekday
            + self.load
    }
}

/// One offered time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// Start, end and the resources booking would assign, exactly as `check_start` gives.
    pub slot: Slot,
    /// `parts.total()`: higher is better.
    pub score: i64,
    pub parts: Score,
    /// Why, in the order of [`Reason`].
    pub reasons: Vec<Reason>,
    /// Minutes already booked on the slot's resources that local day.
    pub load_minutes: i64,
}

/// The next half-width of the window searched around `near` (beyond the distance from
/// `near` to the bounds): a day, three, a week, two, a month, then doubling.
fn wider(r: Duration) -> Duration {
    const DAYS: [i64; 5] = [1, 3, 7, 14, 31];
    DAYS.iter()
        .map(|&d| Duration::days(d))
        .find(|&d| d > r)
        .unwrap_or_else(|| r.checked_add(&r).unwrap_or(Duration::MAX))
}

fn plus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn minus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn distance(a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
    (a - b).abs()
}

/// The `limit` bookable starts nearest to `want.near` (ties to the earlier), with the
/// resources booking would assign, nearest first.
pub fn nearest_slots(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    want: &Want,
    now: DateTime<Utc>,
    limit: usize,
) -> Vec<LoadedSlot> {
    if limit == 0 || needs.kinds.is_empty() {
        return Vec::new();
    }
    let n = s.resources.len();
    if want.pinned.is_some_and(|i| i >= n) {
        return Vec::new();
    }
    let preferred: Vec<usize> = want.preferred.iter().copied().filter(|&i| i < n).collect();
    let choice = Choice {
        pinned: want.pinned,
        preferred: &preferred,
    };
    // The bounds of every search: the wish, the lead time and the horizon (inclusive).
    let lo = plus(now, rules.lead).max(want.from.unwrap_or(DateTime::<Utc>::MIN_UTC));
    let hi = plus(plus(now, rules.horizon), Duration::nanoseconds(1))
        .min(want.to.unwrap_or(DateTime::<Utc>::MAX_UTC));
    if lo >= hi {
        return Vec::new();
    }
    let near = want.near;
    let base = if near < lo {
        lo - near
    } else if near >= hi {
        near - hi
    } else {
        Duration::zero()
    };
    // `[a, b)` has been searched: every bookable start in it is in `found`.
    let (mut a, mut b) = if near < lo {
        (lo, lo)
    } else if near >= hi {
        (hi, hi)
    } else {
        (near, near)
    };
    let mut found: Vec<LoadedSlot> = Vec::new();
    let keep = |slots: Vec<LoadedSlot>, found: &mut Vec<LoadedSlot>| {
        found.extend(
            slots
                .into_iter()
                .filter(|l| Some(l.slot.start) != want.exclude_start),
        );
    };
    let mut step = Duration::zero();
    loop {
        step = wider(step);
        let r = base.checked_add(&step).unwrap_or(Duration::MAX);
        // The window `[near - r, near + r]`, within the bounds.
        let (wa, wb) = (
            minus(near, r).max(lo),
            plus(plus(near, r), Duration::nanoseconds(1)).min(hi),
        );
        if wa < a {
            keep(
                find_slots_with_load(s, needs, rules, wa, a, now, choice),
                &mut found,
            );
            a = wa;
        }
        if wb > b {
            keep(
                find_slots_with_load(s, needs, rules, b, wb, now, choice),
                &mut found,
            );
            b = wb;
        }
        // Every start outside the window is farther than `r`, and every one found is
        // within `r`: once `limit` are found, the nearest `limit` are among them.
        if found.len() >= limit || (a <= lo && b >= hi) || step == Duration::MAX {
            break;
        }
    }
    found.sort_by_key(|l| (distance(l.slot.start, near), l.slot.start));
    found.truncate(limit);
    found
}

/// The best times to offer: the `limit` bookable starts nearest to `want.near`, ranked by
/// [`Score`] (higher first; ties to the nearer, then the earlier) and explained.
pub fn suggest(
    s: &Schedule,
    needs: &ServiceNeeds,
    rules: &BookingRules,
    want: &Want,
    now: DateTime<Utc>,
    limit: usize,
) -> Vec<Suggestion> {
    let candidates = nearest_slots(s, needs, rules, want, now, limit);
    rank(s, needs, want, candidates)
}

/// Scores, explains and orders candidates given nearest first.
fn rank(
    s: &Schedule,
    needs: &ServiceNeeds,
    want: &Want,
    candidates: Vec<LoadedSlot>,
) -> Vec<Suggestion> {
    let Some(first) = candidates.first() else {
        return Vec::new();
    };
    let nearest = first.slot.start;
    let earliest = candidates.iter().map(|l| l.slot.start).min();
    let min_load = candidates.iter().map(|l| l.load_minutes).min();
    let max_load = candidates.iter().map(|l| l.load_minutes).max();
    // Preferred resources that can serve this service at all, once each.
    let mut wanted: Vec<usize> = want
        .preferred
        .iter()
        .copied()
        .filter(|&i| {
            s.resources
                .get(i)
                .is_some_and(|r| needs.kinds.contains(&r.kind))
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let tz = s.tz;
    let near_local = want.near.with_timezone(&tz);
    let mut out: Vec<Suggestion> = candidates
        .into_iter()
        .map(|l| {
            let local = l.slot.start.with_timezone(&tz);
            let kept = wanted
                .iter()
                .filter(|i| l.slot.resources.contains(i))
                .count();
            let minutes = distance(l.slot.start, want.near).num_minutes();
            let same_day = local.date_naive() == near_local.date_naive();
            let same_day_part = DayPart::of(local.time()) == DayPart::of(near_local.time());
            let same_weekday = !same_day && local.weekday() == near_local.weekday();
            let parts = Score {
                same_resource: weight::SAME_RESOURCE * i64::try_from(kept).unwrap_or(0),
                closeness: -minutes.min(weight::MAX_DISTANCE_MINUTES),
                same_day: if same_day { weight::SAME_DAY } else { 0 },
                same_day_part: if same_day_part {
                    weight::SAME_DAY_PART
                } else {
                    0
                },
                same_weekday: if same_weekday {
                    weight::SAME_WEEKDAY
                } else {
                    0
                },
                load: -(l.load_minutes.max(0) / weight::LOAD_MINUTES_PER_POINT)
                    .min(weight::MAX_LOAD_PENALTY),
            };
            let mut reasons = Vec::new();
            if kept > 0 && kept == wanted.len() {
                reasons.push(Reason::SameResource);
            } else if kept > 0 {
                reasons.push(Reason::PartlySameResource);
            }
            if same_day {
                reasons.push(Reason::SameDay);
            }
            if same_day_part {
                reasons.push(Reason::SameDayPart);
            }
            if same_weekday {
                reasons.push(Reason::SameWeekday);
            }
            if l.slot.start == nearest {
                reasons.push(Reason::Nearest);
            }
            if Some(l.slot.start) == earliest {
                reasons.push(Reason::Earliest);
            }
            if min_load != max_load && Some(l.load_minutes) == min_load {
                reasons.push(Reason::LeastLoaded);
            }
            Suggestion {
                score: parts.total(),
                parts,
                reasons,
                load_minutes: l.load_minutes,
                slot: l.slot,
            }
        })
        .collect();
    out.sort_by_key(|x| {
        (
            std::cmp::Reverse(x.score),
            distance(x.slot.start, want.near),
            x.slot.start,
        )
    });
    out
}

#[cfg(test)]
mod tests;
