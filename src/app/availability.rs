//! Bookable slots for a service at a location, and how a slot is shown: its times, the
//! location's zone and the resources that would serve it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::app::Ctx;
use crate::app::appointments::ResourceView;
use crate::db::DbConnection;
use crate::domain::availability::{Choice, Slot, find_slots};
use crate::error::Error;
use crate::repo::schedule::{self, LoadedSchedule};

/// A slot as shown: when, in which zone, with which resources.
#[derive(Clone, Debug)]
pub struct SlotView {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
    /// One per kind the service needs, in the order appointments show them (by kind).
    pub resources: Vec<ResourceView>,
}

impl SlotView {
    pub(crate) fn of(loaded: &LoadedSchedule, slot: &Slot) -> Self {
        SlotView {
            start: slot.start,
            end: slot.end,
            tz: loaded.tz,
            resources: resources_of(loaded, &slot.resources),
        }
    }
}

/// The resources at `indices` of a loaded schedule, by kind name.
pub(crate) fn resources_of(loaded: &LoadedSchedule, indices: &[usize]) -> Vec<ResourceView> {
    let mut views: Vec<ResourceView> = indices
        .iter()
        .map(|&i| ResourceView {
            id: loaded.resources[i].id.clone(),
            name: loaded.names[i].clone(),
            kind: loaded.resources[i].kind,
        })
        .collect();
    views.sort_by_key(|r| r.kind.as_str());
    views
}

/// Which slots to list: `[from, to)` for a service at a location, optionally only those a
/// resource can serve.
pub struct ListSlots {
    pub location_id: String,
    pub service_id: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub resource_id: Option<String>,
}

/// The bookable slots of a window.
pub struct Slots {
    pub location_id: String,
    pub service_id: String,
    pub tz: Tz,
    pub slots: Vec<SlotView>,
}

/// Every start a booking would be accepted at in the window.
pub fn list_slots(conn: &mut DbConnection, ctx: &Ctx, q: ListSlots) -> Result<Slots, Error> {
    let loaded = schedule::load(
        conn,
        &ctx.schedule_reader(),
        &q.location_id,
        &q.service_id,
        q.from,
        q.to,
        None,
    )?;
    let pinned = schedule::pinned(conn, &ctx.org, &loaded, q.resource_id.as_deref())?;
    let slots = find_slots(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        q.from,
        q.to,
        ctx.now,
        Choice {
            pinned,
            preferred: &[],
        },
    );
    Ok(Slots {
        slots: slots.iter().map(|s| SlotView::of(&loaded, s)).collect(),
        location_id: loaded.location.id.clone(),
        service_id: loaded.service.id.clone(),
        tz: loaded.tz,
    })
}
