//! Bookable slots for a service at a location, and how a slot is shown: its times, the
//! location's zone and the resources that would serve it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::app::Ctx;
use crate::app::appointments::ResourceView;
use crate::db::DbConnection;
use std::sync::Arc;

use crate::domain::availability::{
    Choice, ResourceSchedule, Slot, bookable_range, find_slots_any_time,
};
use crate::error::Error;
pub use crate::repo::schedule::snapshots::Answer;
use crate::repo::schedule::snapshots::AnswerKey;
use crate::repo::schedule::{self, LoadedSchedule, Setup};

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
    views_of(&loaded.resources, &loaded.names, indices)
}

/// The resources at `indices` of a schedule's able resources (with their names at the
/// same indices), as appointments show them: sorted by kind name.
fn views_of(able: &[ResourceSchedule], names: &[String], indices: &[usize]) -> Vec<ResourceView> {
    let mut views: Vec<ResourceView> = indices
        .iter()
        .map(|&i| ResourceView {
            id: able[i].id.clone(),
            name: names[i].clone(),
            kind: able[i].kind,
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

/// The bookable slots of a window: those of `answer` in `bookable`. The answer is
/// shared with every request that finds the window at the same versions, so a response
/// built from it once can be kept beside it for as long as both the answer and the run
/// `bookable` are the same.
pub struct Slots {
    pub answer: Arc<Answer>,
    pub bookable: std::ops::Range<usize>,
    /// Whether `answer` was kept from an earlier request (else it was found now): a
    /// window asked for once is not worth keeping a response for.
    pub asked_before: bool,
    /// The setup the answer was found with: its resources, at the indices a slot names
    /// them by, are read only when the slots are shown (not when a kept response is).
    setup: Arc<Setup>,
}

impl Slots {
    pub fn location_id(&self) -> &str {
        &self.setup.location.id
    }

    pub fn service_id(&self) -> &str {
        &self.setup.service.id
    }

    pub fn tz(&self) -> Tz {
        self.setup.tz
    }

    /// The bookable slots as shown.
    pub fn views(&self) -> impl Iterator<Item = SlotView> + '_ {
        self.answer.slots[self.bookable.clone()]
            .iter()
            .map(|slot| SlotView {
                start: slot.start,
                end: slot.end,
                tz: self.setup.tz,
                resources: views_of(&self.setup.able, &self.setup.names, &slot.resources),
            })
    }
}

/// Every start a booking would be accepted at in the window.
///
/// Answered from memory when this process found the window's slots before at the very
/// versions the database holds now (the organization's setup version and the busy
/// version of every resource able to serve, read by `schedule::load` in this unit of
/// work): the kept slots were found without the lead time and the horizon and are cut
/// to this request's `now`. Any booking, move, cancellation or setup change in any
/// process bumps a version, and the next request finds the slots again.
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
    let key = AnswerKey {
        org: ctx.org.clone(),
        location: loaded.location.id.clone(),
        service: loaded.service.id.clone(),
        resource: pinned.map(|i| loaded.resources[i].id.clone()),
        from: q.from,
        to: q.to,
    };
    let kept = ctx
        .schedules
        .answer(&key, loaded.version, &loaded.busy_versions);
    let asked_before = kept.is_some();
    let answer = match kept {
        Some(kept) => kept,
        None => {
            let found = find_slots_any_time(
                &loaded.schedule(),
                &loaded.needs,
                &loaded.rules,
                q.from,
                q.to,
                Choice {
                    pinned,
                    preferred: &[],
                },
            );
            let answer = Arc::new(Answer {
                setup_version: loaded.version,
                busy_versions: loaded.busy_versions.clone(),
                slots: found,
            });
            ctx.schedules.keep_answer(key, answer.clone());
            answer
        }
    };
    Ok(Slots {
        bookable: bookable_range(&answer.slots, &loaded.rules, ctx.now),
        answer,
        asked_before,
        setup: loaded.setup(),
    })
}
