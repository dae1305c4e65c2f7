//! Every time an appointment could move to in a window, each priced by its policy.

use chrono::{DateTime, Utc};

use crate::app::quotes::{self, Terms};
use crate::db::DbConnection;
use crate::domain::availability::{Choice, Slot, find_slots};
use crate::domain::policy::{Ask, Decision, refusal_for_every_time};
use crate::error::Error;
use crate::repo::schedule::{self, LoadedSchedule};

/// The appointment's terms, its schedule, and each slot with the policy's decision.
pub type PricedSlots = (Terms, LoadedSchedule, Vec<(Slot, Decision)>);

/// The slots in `[from, to)` the appointment could take (its own time left out, its
/// resources kept when free), with the policy's decision for each. A missing reason is
/// not held against a slot: it concerns the request, not the time.
#[allow(clippy::too_many_arguments)]
pub fn priced_slots(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    resource_id: Option<&str>,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<PricedSlots, Error> {
    let terms = quotes::terms(conn, org, appointment_id, now)?;
    // As a move to any slot would be refused (a missed appointment its policy will not
    // rebook), so is the list.
    if let Some(r) = refusal_for_every_time(&terms.policy.reschedule, &terms.facts, now) {
        return Err(quotes::refusal(&r));
    }
    let loaded = schedule::load(
        conn,
        org,
        &terms.row.location_id,
        &terms.row.service_id,
        from,
        to,
        Some(&terms.row.id),
    )?;
    let pinned = schedule::pinned(conn, org, &loaded, resource_id)?;
    let preferred: Vec<usize> = terms
        .held
        .iter()
        .filter_map(|id| loaded.index_of(id))
        .collect();
    let slots = find_slots(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        from,
        to,
        now,
        Choice {
            pinned,
            preferred: &preferred,
        },
    );
    let priced = slots
        .into_iter()
        .filter(|s| s.start != terms.facts.starts_at)
        .map(|slot| {
            let d = quotes::price_time(&terms, slot.start, ask, now)?;
            Ok((slot, d))
        })
        .collect::<Result<_, Error>>()?;
    Ok((terms, loaded, priced))
}
