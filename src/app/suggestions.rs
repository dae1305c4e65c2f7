//! Ranked suggestions for a new booking, and alternatives for an existing appointment.

use chrono::{DateTime, Duration, Utc};

use crate::app::quotes::{self, RescheduleQuote, Terms};
use crate::db::DbConnection;
use crate::domain::interval::check_order;
use crate::domain::policy::{Ask, Decision, refusal_for_every_time};
use crate::domain::suggestions::{Suggestion, Want, suggest};
use crate::error::{Code, Error};
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
        return Err(Error::invalid(
            "from",
            Code::BeyondBookingHorizon,
            format!("bookings are taken up to {}", latest.to_rfc3339()),
        )
        .with_data(serde_json::json!({ "latest": latest })));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// Loads `near` ± 3 days and suggests; widens to ± [`SEARCH_DAYS`] only when that finds
/// fewer than asked for. `want` fills in the per-appointment wishes for a loaded schedule.
fn search(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
    exclude_appointment: Option<&str>,
    want: impl Fn(&mut DbConnection, &LoadedSchedule) -> Result<Want, Error>,
    now: DateTime<Utc>,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let mut result = None;
    for days in [FIRST_SEARCH_DAYS, SEARCH_DAYS] {
        let (lo, hi) = window(wish, days);
        let loaded = schedule::load(
            conn,
            org,
            location_id,
            service_id,
            lo,
            hi,
            exclude_appointment,
        )?;
        check_bounds(&loaded, wish, now)?;
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
            now,
            wish.limit,
        );
        let enough = found.len() >= wish.limit;
        result = Some((loaded, found));
        if enough {
            break;
        }
    }
    Ok(result.expect("searched at least once"))
}

/// The best starts for a new booking near the wanted time.
pub fn for_new_booking(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
    now: DateTime<Utc>,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let pin = wish.resource_id.clone();
    search(
        conn,
        org,
        location_id,
        service_id,
        wish,
        None,
        |c, loaded| {
            Ok(Want {
                pinned: schedule::pinned(c, org, loaded, pin.as_deref())?,
                ..Want::near(wish.near)
            })
        },
        now,
    )
}

/// A time to move to, with what the policy says of moving there.
pub struct Priced {
    pub suggestion: Suggestion,
    /// The fee and the rules that would refuse this time. A missing or unaccepted
    /// reason is left out: it concerns the request, not the time.
    pub decision: Decision,
}

/// The best times to move an appointment to (or rebook a missed one), keeping its
/// resources when free, each priced by the policy in force. When the policy bounds the
/// distance from the original time, only times within it are searched (unless `ask`
/// overrides the limits).
pub fn for_appointment(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    near: Option<DateTime<Utc>>,
    wish: &Wish,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<(Terms, LoadedSchedule, Vec<Priced>), Error> {
    let terms = quotes::terms(conn, org, appointment_id, now)?;
    let (loaded, priced) = for_terms(conn, org, &terms, near, wish, ask, now)?;
    Ok((terms, loaded, priced))
}

/// [`for_appointment`] with the appointment's terms already read.
fn for_terms(
    conn: &mut DbConnection,
    org: &str,
    terms: &Terms,
    near: Option<DateTime<Utc>>,
    wish: &Wish,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<(LoadedSchedule, Vec<Priced>), Error> {
    // A missed appointment its policy will not rebook has no times to offer: the same
    // problem a move to any of them would get.
    if let Some(r) = refusal_for_every_time(&terms.policy.reschedule, &terms.facts, now) {
        return Err(quotes::refusal(&r));
    }
    let current = terms.facts.starts_at;
    let mut wish = Wish {
        near: near.unwrap_or(current),
        ..wish.clone()
    };
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
    let (loaded, found) = search(
        conn,
        org,
        &terms.row.location_id,
        &terms.row.service_id,
        &wish,
        Some(&terms.row.id),
        |c, loaded| {
            Ok(Want {
                preferred: held.iter().filter_map(|id| loaded.index_of(id)).collect(),
                pinned: schedule::pinned(c, org, loaded, pin.as_deref())?,
                exclude_start: Some(current),
                ..Want::near(wish.near)
            })
        },
        now,
    )?;
    let priced = found
        .into_iter()
        .map(|suggestion| {
            Ok(Priced {
                decision: quotes::price_time(terms, suggestion.slot.start, ask, now)?,
                suggestion,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok((loaded, priced))
}

/// The best `limit` times a refused move could take instead, each priced; none when the
/// move is allowed, the appointment cannot move to any time, or only the reason is missing. The
/// wanted start is never among them.
pub fn instead_of(
    conn: &mut DbConnection,
    org: &str,
    q: &RescheduleQuote,
    resource_id: Option<&str>,
    ask: &Ask,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Option<(LoadedSchedule, Vec<Priced>)>, Error> {
    let cannot_move = refusal_for_every_time(&q.terms.policy.reschedule, &q.terms.facts, now);
    if q.allowed() || cannot_move.is_some() || !q.time_refused() {
        return Ok(None);
    }
    let wish = Wish {
        near: q.start,
        from: None,
        to: None,
        resource_id: resource_id.map(str::to_owned),
        // One more than offered: the wanted start itself is left out below.
        limit: limit + 1,
    };
    let (loaded, found) = for_terms(conn, org, &q.terms, Some(q.start), &wish, ask, now)?;
    let found = found
        .into_iter()
        .filter(|p| p.suggestion.slot.start != q.start)
        .take(limit)
        .collect();
    Ok(Some((loaded, found)))
}
