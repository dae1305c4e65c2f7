//! Ranked times: suggestions for a new booking, and alternatives for moving an existing
//! appointment, each priced by its policy.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::app::Ctx;
use crate::app::availability::SlotView;
use crate::app::terms::{self, Terms};
use crate::db::DbConnection;
use crate::domain::interval::check_order;
use crate::domain::message_text::local_when;
use crate::domain::policy::{Ask, Decision, Refusal, evaluate_reschedule, refusal_for_every_time};
use crate::domain::suggestions::{Reason, Score, Suggestion, Want, suggest};
use crate::domain::{Currency, Locale};
use crate::error::{Code, Error, Param};
use crate::repo::schedule::{self, LoadedSchedule};

/// Suggestions are searched within this many days either side of the wanted time.
pub const SEARCH_DAYS: i64 = 31;
/// The first, cheap search, nearly always enough: if it finds `limit` starts they are the
/// nearest overall, since any start outside it is farther than all of them.
const FIRST_SEARCH_DAYS: i64 = 3;
pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: usize = 20;

/// What the caller asked for, before the location's rules are known.
#[derive(Clone, Debug)]
pub struct Wish {
    pub near: DateTime<Utc>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub resource_id: Option<String>,
    pub limit: usize,
}

/// One offered time, ranked and explained.
#[derive(Clone, Debug)]
pub struct SuggestionView {
    pub slot: SlotView,
    /// Higher ranks first; the sum of `parts`.
    pub score: i64,
    pub parts: Score,
    pub reasons: Vec<Reason>,
}

impl SuggestionView {
    fn of(loaded: &LoadedSchedule, s: Suggestion) -> Self {
        SuggestionView {
            slot: SlotView::of(loaded, &s.slot),
            score: s.score,
            parts: s.parts,
            reasons: s.reasons,
        }
    }
}

/// A time to move to, with what the policy says of moving there.
#[derive(Clone, Debug)]
pub struct PricedTime {
    pub suggestion: SuggestionView,
    /// The fee and the rules that would refuse this time. A missing or unaccepted
    /// reason is left out: it concerns the request, not the time.
    pub decision: Decision,
}

/// Times an appointment could move to, or the refusal every time would get (a final
/// status, or a missed appointment its policy will not rebook or whose window passed).
pub enum MoveTimes<T> {
    Offered(T),
    CannotMove(Refusal),
}

/// The search window: `near` ± `days`, within `from`/`to`.
fn window(w: &Wish, days: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    let reach = Duration::days(days);
    let lo = w.from.unwrap_or(w.near - reach).max(w.near - reach);
    let hi = w.to.unwrap_or(w.near + reach).min(w.near + reach);
    (lo, hi.max(lo))
}

fn check_bounds(loaded: &LoadedSchedule, w: &Wish, now: DateTime<Utc>) -> Result<(), Error> {
    check_order(w.from, w.to)?;
    let latest = now + loaded.rules.horizon;
    if w.from.is_some_and(|f| f > latest) {
        return Err(beyond_horizon("from", latest, loaded.tz));
    }
    Ok(())
}

/// Where to search: a service at a location, leaving one appointment's own time out.
struct Search<'a> {
    location_id: &'a str,
    service_id: &'a str,
    exclude_appointment: Option<&'a str>,
}

/// Loads `near` ± 3 days and suggests; widens to ± [`SEARCH_DAYS`] only when that finds
/// fewer than asked for. `want` fills in the per-appointment wishes for a loaded schedule.
fn search(
    conn: &mut DbConnection,
    ctx: &Ctx,
    at: Search,
    wish: &Wish,
    want: impl Fn(&mut DbConnection, &LoadedSchedule) -> Result<Want, Error>,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let mut result = None;
    for days in [FIRST_SEARCH_DAYS, SEARCH_DAYS] {
        let (lo, hi) = window(wish, days);
        let loaded = schedule::load(
            conn,
            &ctx.schedule_reader(),
            at.location_id,
            at.service_id,
            lo,
            hi,
            at.exclude_appointment,
        )?;
        check_bounds(&loaded, wish, ctx.now)?;
        let w = Want {
            from: Some(lo),
            to: Some(hi),
            ..want(conn, &loaded)?
        };
        let found = suggest(
            &loaded.schedule(),
            &loaded.needs,
            &loaded.rules,
            &w,
            ctx.now,
            wish.limit,
        );
        let enough = found.len() >= wish.limit;
        result = Some((loaded, found));
        if enough {
            break;
        }
    }
    result.ok_or_else(|| Error::internal("no search ran"))
}

/// Times for a new booking of a service at a location.
pub struct SuggestTimes {
    pub location_id: String,
    pub service_id: String,
    pub wish: Wish,
}

/// The best starts for a new booking, best first.
pub struct Suggestions {
    pub location_id: String,
    pub service_id: String,
    pub near: DateTime<Utc>,
    pub tz: Tz,
    pub suggestions: Vec<SuggestionView>,
}

/// The best starts for a new booking near the wanted time.
pub fn suggest_times(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: SuggestTimes,
) -> Result<Suggestions, Error> {
    let (loaded, found) = for_new_booking(conn, ctx, &cmd.location_id, &cmd.service_id, &cmd.wish)?;
    Ok(Suggestions {
        suggestions: found
            .into_iter()
            .map(|s| SuggestionView::of(&loaded, s))
            .collect(),
        location_id: loaded.location.id.clone(),
        service_id: loaded.service.id.clone(),
        near: cmd.wish.near,
        tz: loaded.tz,
    })
}

/// [`suggest_times`] as views only, for a booking that was refused.
pub(crate) fn instead_of_booking(
    conn: &mut DbConnection,
    ctx: &Ctx,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
) -> Result<Vec<SuggestionView>, Error> {
    let (loaded, found) = for_new_booking(conn, ctx, location_id, service_id, wish)?;
    Ok(found
        .into_iter()
        .map(|s| SuggestionView::of(&loaded, s))
        .collect())
}

fn for_new_booking(
    conn: &mut DbConnection,
    ctx: &Ctx,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let pin = wish.resource_id.clone();
    let at = Search {
        location_id,
        service_id,
        exclude_appointment: None,
    };
    search(conn, ctx, at, wish, |c, loaded| {
        Ok(Want {
            pinned: schedule::pinned(c, &ctx.org, loaded, pin.as_deref())?,
            ..Want::near(wish.near)
        })
    })
}

/// What the policy says of moving to `start`, for listing times (see
/// [`Decision::for_a_time`]).
pub(crate) fn price_time(
    terms: &Terms,
    start: DateTime<Utc>,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<Decision, Error> {
    Ok(evaluate_reschedule(
        &terms.policy.reschedule,
        &terms.facts,
        &terms.customer_moves,
        start,
        ask,
        now,
    )
    .map_err(terms::unchecked_override)?
    .for_a_time())
}

/// Times an appointment could move to, near a time.
pub struct FindAlternatives {
    pub appointment_id: String,
    /// The wanted time; `None`: the appointment's current start.
    pub near: Option<DateTime<Utc>>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub resource_id: Option<String>,
    pub limit: usize,
}

/// The best times to move an appointment to, best first, each priced.
pub struct Alternatives {
    pub appointment_id: String,
    pub near: DateTime<Utc>,
    pub tz: Tz,
    /// The currency of the fees.
    pub currency: Currency,
    /// The appointment's own start is never among them.
    pub alternatives: Vec<PricedTime>,
}

/// The best times to move an appointment to (or rebook a missed one), keeping its
/// resources when free, each priced by the policy in force. When the policy bounds the
/// distance from the original time, only times within it are searched.
pub fn find_alternatives(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: FindAlternatives,
) -> Result<MoveTimes<Alternatives>, Error> {
    let terms = terms::terms(conn, &ctx.org, &cmd.appointment_id, ctx.now)?;
    let near = cmd.near.unwrap_or(terms.facts.starts_at);
    let wish = Wish {
        near,
        from: cmd.from,
        to: cmd.to,
        resource_id: cmd.resource_id,
        limit: cmd.limit,
    };
    let ask = Ask {
        reason: None,
        override_: None,
        asker: ctx.asker(),
    };
    Ok(match for_terms(conn, ctx, &terms, &wish, &ask)? {
        MoveTimes::CannotMove(r) => MoveTimes::CannotMove(r),
        MoveTimes::Offered((tz, alternatives)) => MoveTimes::Offered(Alternatives {
            appointment_id: terms.row.id.clone(),
            near,
            tz,
            currency: terms.currency,
            alternatives,
        }),
    })
}

/// [`find_alternatives`] with the appointment's terms already read; `wish.near` is the
/// wanted time.
fn for_terms(
    conn: &mut DbConnection,
    ctx: &Ctx,
    terms: &Terms,
    wish: &Wish,
    ask: &Ask,
) -> Result<MoveTimes<(Tz, Vec<PricedTime>)>, Error> {
    // A missed appointment its policy will not rebook has no times to offer: the same
    // refusal a move to any of them would get.
    if let Some(r) = refusal_for_every_time(&terms.policy.reschedule, &terms.facts, ctx.now) {
        return Ok(MoveTimes::CannotMove(r));
    }
    let current = terms.facts.starts_at;
    let mut wish = wish.clone();
    let lifted = ask.override_.as_ref().is_some_and(|o| o.ignore_limits);
    if let (Some(max), false) = (terms.policy.reschedule.max_distance, lifted) {
        let original = terms.facts.original_starts_at;
        let (lo, hi) = (original - max, original + max + Duration::seconds(1));
        wish.from = Some(wish.from.map_or(lo, |f| f.max(lo)));
        wish.to = Some(wish.to.map_or(hi, |t| t.min(hi)));
        if wish.to <= wish.from {
            wish.to = wish.from.map(|f| f + Duration::seconds(1));
        }
    }
    let held = &terms.held;
    let pin = wish.resource_id.clone();
    let at = Search {
        location_id: &terms.row.location_id,
        service_id: &terms.row.service_id,
        exclude_appointment: Some(&terms.row.id),
    };
    let (loaded, found) = search(conn, ctx, at, &wish, |c, loaded| {
        Ok(Want {
            preferred: held.iter().filter_map(|id| loaded.index_of(id)).collect(),
            pinned: schedule::pinned(c, &ctx.org, loaded, pin.as_deref())?,
            exclude_start: Some(current),
            ..Want::near(wish.near)
        })
    })?;
    let priced = found
        .into_iter()
        .map(|suggestion| {
            Ok(PricedTime {
                decision: price_time(terms, suggestion.slot.start, ask, ctx.now)?,
                suggestion: SuggestionView::of(&loaded, suggestion),
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(MoveTimes::Offered((loaded.tz, priced)))
}

/// How many alternatives a refused move offers.
pub const INSTEAD_OF_MOVE: usize = 3;

/// The best [`INSTEAD_OF_MOVE`] times a move to `start` could take instead, each priced;
/// none when the appointment cannot move to any time. The wanted start is never among
/// them.
pub(crate) fn instead_of_move(
    conn: &mut DbConnection,
    ctx: &Ctx,
    terms: &Terms,
    start: DateTime<Utc>,
    resource_id: Option<&str>,
    ask: &Ask,
) -> Result<Vec<PricedTime>, Error> {
    let limit = INSTEAD_OF_MOVE;
    let wish = Wish {
        near: start,
        from: None,
        to: None,
        resource_id: resource_id.map(str::to_owned),
        // One more than offered: the wanted start itself is left out below.
        limit: limit + 1,
    };
    Ok(match for_terms(conn, ctx, terms, &wish, ask)? {
        MoveTimes::CannotMove(_) => Vec::new(),
        MoveTimes::Offered((_, found)) => found
            .into_iter()
            .filter(|p| p.suggestion.slot.start != start)
            .take(limit)
            .collect(),
    })
}

/// `field` (a start, or the `from` of a search) lies after the booking horizon, whose
/// end is shown in the location's zone `tz`.
pub fn beyond_horizon(field: &str, latest: DateTime<Utc>, tz: Tz) -> Error {
    Error::invalid(
        field,
        Code::BeyondBookingHorizon,
        format!(
            "bookings are taken up to {}",
            local_when(latest, tz, Locale::En)
        ),
    )
    .with_param("latest", Param::Instant(latest, tz))
    .with_data(serde_json::json!({ "latest": latest }))
}
