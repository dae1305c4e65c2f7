//! Loads everything availability needs for one location and service, in a fixed number
//! of queries whatever the number of resources or appointments, from this process's
//! snapshots while the database's versions say they are current.

mod busy;
pub mod setup;
pub mod snapshots;
pub mod warm;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::resources;
use crate::domain::availability::{MAX_BLOCK, ResourceSchedule, Schedule};
use crate::domain::interval::Interval;
use crate::domain::local_time::start_of_day;
use crate::error::{Code, Error};
use crate::repo::resources::ResourceRow;
pub use setup::Setup;
use snapshots::Busy;
pub use snapshots::Snapshots;

/// A location's schedule for one service over a window, ready for the domain functions:
/// the setup as kept (shared, read through `Deref`) and the resources with their busy
/// blocks in the window.
pub struct LoadedSchedule {
    setup: Arc<Setup>,
    /// Resources able to perform the service, in id order, with their busy blocks.
    pub resources: Vec<ResourceSchedule>,
    /// The busy version each of `resources` was read at: with the setup's version, what
    /// an answer computed from this schedule is current for.
    pub busy_versions: Vec<i64>,
}

impl std::ops::Deref for LoadedSchedule {
    type Target = Setup;

    fn deref(&self) -> &Setup {
        &self.setup
    }
}

impl LoadedSchedule {
    pub fn schedule(&self) -> Schedule<'_> {
        Schedule {
            tz: self.tz,
            hours: &self.location.weekly_hours,
            closures: &self.closures,
            resources: &self.resources,
        }
    }

    /// The setup this schedule was loaded with, shared with every request that finds
    /// it at the same version.
    pub fn setup(&self) -> Arc<Setup> {
        self.setup.clone()
    }

    pub fn index_of(&self, resource_id: &str) -> Option<usize> {
        self.resources.iter().position(|r| r.id == resource_id)
    }
}

/// Why a resource cannot be used for a service at a location.
pub fn resource_unusable(
    conn: &mut DbConnection,
    org: &str,
    loaded: &LoadedSchedule,
    resource_id: &str,
) -> Error {
    let field = "resource_id";
    let found: Option<ResourceRow> = resources::table
        .filter(resources::organization_id.eq(org))
        .filter(resources::id.eq(resource_id))
        .select(ResourceRow::as_select())
        .get_result(conn)
        .optional()
        .unwrap_or(None);
    match found {
        None => Error::invalid(
            field,
            Code::ResourceNotFound,
            "no such resource in this organization",
        ),
        Some(r) if r.location_id != loaded.location.id => Error::invalid(
            field,
            Code::ResourceNotAtLocation,
            "the resource belongs to another location",
        ),
        Some(r) if !r.active => {
            Error::invalid(field, Code::ResourceInactive, "the resource is not active")
        }
        Some(_) => Error::invalid(
            field,
            Code::ResourceCannotPerform,
            "the resource is not of a kind this service needs, or not among the resources allowed for it",
        ),
    }
}

/// The index of the resource a caller pinned, or why it cannot serve (naming
/// `resource_id`); `None` when none was pinned.
pub fn pinned(
    conn: &mut DbConnection,
    org: &str,
    loaded: &LoadedSchedule,
    resource_id: Option<&str>,
) -> Result<Option<usize>, Error> {
    resource_id
        .map(|id| {
            loaded
                .index_of(id)
                .ok_or_else(|| resource_unusable(conn, org, loaded, id))
        })
        .transpose()
}

/// Who reads a schedule: the organization, with the process's snapshots.
pub struct Reader<'a> {
    pub org: &'a str,
    pub snapshots: &'a Snapshots,
}

/// Reads the busy blocks of the `stale` resources over `covers` in one query and keeps
/// them, each tagged with the version read before it.
fn reload(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    setup: &Setup,
    versions: &busy::Versions,
    stale: &[&str],
    covers: Interval,
    found: &mut [Option<Arc<Busy>>],
) -> Result<(), Error> {
    if stale.is_empty() {
        return Ok(());
    }
    // Only what this request needs: a booking reads the day it books, not the whole
    // horizon (a resource's blocks go stale with every booking it takes, so a wide read
    // would be repeated by the next booking too).
    reader.snapshots.count_busy_read();
    let mut blocks: HashMap<&str, Vec<Interval>> =
        stale.iter().map(|&id| (id, Vec::new())).collect();
    for (resource_id, block) in busy::read(conn, &setup.location.id, stale, covers)? {
        if let Some(list) = blocks.get_mut(resource_id.as_str()) {
            list.push(block);
        }
    }
    for (i, r) in setup.able.iter().enumerate() {
        if let Some(list) = blocks.remove(r.id.as_str()) {
            let version = versions.busy.get(&r.id).copied().unwrap_or(-1);
            let fresh = Arc::new(Busy {
                version,
                covers,
                blocks: list.into(),
            });
            reader.snapshots.keep_busy(&r.id, fresh.clone());
            found[i] = Some(fresh);
        }
    }
    Ok(())
}

/// After this unit of work added one block to each resource in `held` (`resource id`,
/// block), on a schedule it loaded: on SQLite's writer, where nobody wrote between the
/// load and now, each resource's kept blocks at the loaded version plus its new block
/// are its blocks at the next version, and are kept as such, so the next booking of the
/// resource does not read them again. Undone if the unit is rolled back; a no-op
/// anywhere else (PostgreSQL's writers run side by side, and there the next request reads).
pub fn note_held(reader: &Reader<'_>, loaded: &LoadedSchedule, held: &[(&str, Interval)]) {
    for &(resource_id, block) in held {
        let Some(i) = loaded.index_of(resource_id) else {
            continue;
        };
        let snapshots = reader.snapshots.clone();
        let id = resource_id.to_owned();
        if crate::db::writer::undo_on_rollback(move || snapshots.forget_busy(&id)) {
            reader
                .snapshots
                .add_busy(resource_id, loaded.busy_versions[i], block);
        }
    }
}

/// Loads the schedule for starts in `[from, to)`; `exclude_appointment` leaves one
/// appointment's own time out of the busy blocks (when it is being moved).
///
/// One read when the process's snapshots are current (the organization's setup version
/// with the location's busy versions); otherwise the setup and the busy blocks of the
/// resources that changed are read again, each in one query. A fixed number of queries
/// whatever the number of resources or appointments.
pub fn load(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    location_id: &str,
    service_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    exclude_appointment: Option<&str>,
) -> Result<LoadedSchedule, Error> {
    let org = reader.org;
    // Versions first, anything reloaded after: a snapshot is never newer than its tag.
    let versions =
        busy::versions(conn, org, location_id)?.ok_or_else(|| Error::not_found("location"))?;
    let version = versions.setup;
    let setup = match reader
        .snapshots
        .setup(org, location_id, service_id, version)
    {
        Some(setup) => setup,
        None => {
            let setup = Arc::new(setup::read(conn, org, location_id, service_id, version)?);
            reader.snapshots.keep_setup(setup.clone());
            setup
        }
    };
    let (tz, needs) = (setup.tz, &setup.needs);

    // What a slot starting in the window can touch: blocks overlapping it (buffers
    // included), and every block starting on a local day it is on, whose minutes rank
    // the resources by load.
    let first_day = start_of_day(tz, from.with_timezone(&tz).date_naive());
    let after_last_day = start_of_day(tz, to.with_timezone(&tz).date_naive() + Duration::days(1));
    let lo = (from - needs.buffer_before).min(first_day);
    let hi = (to + needs.duration + needs.buffer_after).max(after_last_day);
    let wanted = Interval::new(lo - MAX_BLOCK, hi);

    let kept = |found: &mut Vec<Option<Arc<Busy>>>| {
        let mut stale: Vec<&str> = Vec::new();
        for (i, r) in setup.able.iter().enumerate() {
            if found[i].is_none() {
                let version = versions.busy.get(&r.id).copied().unwrap_or(-1);
                found[i] = reader.snapshots.busy(&r.id, version, wanted);
                if found[i].is_none() {
                    stale.push(r.id.as_str());
                }
            }
        }
        stale
    };
    let mut found: Vec<Option<Arc<Busy>>> = vec![None; setup.able.len()];
    if !kept(&mut found).is_empty() {
        // Requests that arrive together with the same stale blocks wait for the first
        // one's read rather than each repeating it. Only a plain read runs under the
        // gate, which waits on no lock of the database.
        let gate = reader.snapshots.loading_gate(&setup.location.id);
        let _loading = gate.lock().unwrap_or_else(|e| e.into_inner());
        let stale = kept(&mut found);
        reload(conn, reader, &setup, &versions, &stale, wanted, &mut found)?;
    }
    let excluded = match exclude_appointment {
        Some(id) => busy::held_by(conn, id)?,
        None => Vec::new(),
    };

    let busy_versions = setup
        .able
        .iter()
        .map(|r| versions.busy.get(&r.id).copied().unwrap_or(-1))
        .collect();
    let resources = setup
        .able
        .iter()
        .zip(&found)
        .map(|(r, kept)| {
            let mut schedule = r.clone();
            if let Some(kept) = kept {
                let near = kept.overlapping(lo, hi, MAX_BLOCK);
                // Shared as kept, unless the appointment being moved holds this resource.
                schedule.busy = if excluded.iter().any(|(id, _)| *id == r.id) {
                    near.iter()
                        .filter(|b| !excluded.iter().any(|(id, own)| *id == r.id && own == *b))
                        .copied()
                        .collect::<Vec<_>>()
                        .into()
                } else {
                    near
                };
            }
            schedule
        })
        .collect();
    Ok(LoadedSchedule {
        setup,
        resources,
        busy_versions,
    })
}
