//! Every time an appointment could move to in a window, each priced by its policy.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::app::Ctx;
use crate::app::availability::SlotView;
use crate::app::suggestions::{MoveTimes, price_time};
use crate::app::terms;
use crate::db::DbConnection;
use crate::domain::Currency;
use crate::domain::availability::{Choice, find_slots};
use crate::domain::policy::{Ask, Decision, refusal_for_every_time};
use crate::error::Error;
use crate::repo::schedule;

/// Which times to list: those in `[from, to)` the appointment could move to, optionally
/// only those a resource can serve.
pub struct ListMoveSlots {
    pub appointment_id: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub resource_id: Option<String>,
}

/// A slot with what the policy says of moving there.
pub struct PricedSlot {
    pub slot: SlotView,
    /// The fee and the rules that would refuse this time (a missing reason left out).
    pub decision: Decision,
}

/// The times an appointment could move to in a window.
pub struct MoveSlots {
    pub appointment_id: String,
    pub tz: Tz,
    /// The currency of the fees.
    pub currency: Currency,
    pub slots: Vec<PricedSlot>,
}

/// The slots in `[from, to)` the appointment could take (its own time left out, its
/// resources kept when free), with the policy's decision for each. A missing reason is
/// not held against a slot: it concerns the request, not the time.
pub fn list_move_slots(
    conn: &mut DbConnection,
    ctx: &Ctx,
    q: ListMoveSlots,
) -> Result<MoveTimes<MoveSlots>, Error> {
    let terms = terms::terms(conn, &ctx.org, &q.appointment_id, ctx.now)?;
    // As a move to any slot would be refused (a missed appointment its policy will not
    // rebook), so is the list.
    if let Some(r) = refusal_for_every_time(&terms.policy.reschedule, &terms.facts, ctx.now) {
        return Ok(MoveTimes::CannotMove(r));
    }
    let loaded = schedule::load(
        conn,
        &ctx.schedule_reader(),
        &terms.row.location_id,
        &terms.row.service_id,
        q.from,
        q.to,
        Some(&terms.row.id),
    )?;
    let pinned = schedule::pinned(conn, &ctx.org, &loaded, q.resource_id.as_deref())?;
    let preferred: Vec<usize> = terms
        .held
        .iter()
        .filter_map(|id| loaded.index_of(id))
        .collect();
    let found = find_slots(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        q.from,
        q.to,
        ctx.now,
        Choice {
            pinned,
            preferred: &preferred,
        },
    );
    let ask = Ask {
        reason: None,
        override_: None,
        asker: ctx.asker(),
    };
    let slots = found
        .into_iter()
        .filter(|s| s.start != terms.facts.starts_at)
        .map(|slot| {
            Ok(PricedSlot {
                decision: price_time(&terms, slot.start, &ask, ctx.now)?,
                slot: SlotView::of(&loaded, &slot),
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(MoveTimes::Offered(MoveSlots {
        appointment_id: terms.row.id.clone(),
        tz: loaded.tz,
        currency: terms.currency,
        slots,
    }))
}
