//! Reading every location's busy blocks once when the server starts, so that the first
//! requests after a start do not all wait for the first of them to read a month of
//! blocks (for 50 resources, 10,000 rows: the slowest requests of a minute).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::busy;
use super::snapshots::{Busy, Snapshots};
use crate::db::DbConnection;
use crate::db::schema::{busy_versions, resources};
use crate::domain::interval::Interval;
use crate::error::Error;

/// The stretch of starts read at a start: from three days back (a window opening at
/// today's midnight, less the longest buffer and the longest block, 32 hours, that can
/// reach into it) to 35 days on (a month from tomorrow, with its last day whole).
pub fn stretch(now: DateTime<Utc>) -> Interval {
    Interval::new(now - Duration::days(3), now + Duration::days(35))
}

/// What a start read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Warmed {
    pub locations: usize,
    pub blocks: usize,
}

/// Keeps the busy blocks of every location's active resources over [`stretch`], one
/// location at a time, until keeping the next would pass `budget` blocks in all: a
/// location is kept whole or not at all. Each resource's blocks are tagged with the
/// version read before them (one statement for all), as any reload does, so a block
/// booked meanwhile only makes the next request read that resource again.
pub fn warm(
    conn: &mut DbConnection,
    snapshots: &Snapshots,
    now: DateTime<Utc>,
    budget: usize,
) -> Result<Warmed, Error> {
    let covers = stretch(now);
    let rows: Vec<(String, String, i64)> = resources::table
        .inner_join(busy_versions::table)
        .filter(resources::active.eq(true))
        .select((
            resources::location_id,
            resources::id,
            busy_versions::busy_version,
        ))
        .order((resources::location_id, resources::id))
        .load(conn)?;
    let mut by_location: Vec<(&str, Vec<(&str, i64)>)> = Vec::new();
    for (location, id, version) in &rows {
        match by_location.last_mut() {
            Some((l, list)) if *l == location.as_str() => list.push((id, *version)),
            _ => by_location.push((location, vec![(id, *version)])),
        }
    }
    let mut warmed = Warmed::default();
    for (location, held) in by_location {
        let ids: Vec<&str> = held.iter().map(|(id, _)| *id).collect();
        let read = busy::read(conn, location, &ids, covers)?;
        if warmed.blocks + read.len() > budget {
            break;
        }
        warmed.locations += 1;
        warmed.blocks += read.len();
        let mut blocks: HashMap<&str, Vec<Interval>> =
            ids.iter().map(|&id| (id, Vec::new())).collect();
        for (resource_id, block) in &read {
            if let Some(list) = blocks.get_mut(resource_id.as_str()) {
                list.push(*block);
            }
        }
        for (id, version) in held {
            let list = blocks.remove(id).unwrap_or_default();
            let busy = Arc::new(Busy {
                version,
                covers,
                blocks: list.into(),
            });
            snapshots.keep_busy(id, busy);
        }
    }
    Ok(warmed)
}
