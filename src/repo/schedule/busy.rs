//! Reading busy blocks (an appointment's time plus its buffers, per resource it holds)
//! and the versions that say whether a snapshot of them is still current.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use std::collections::HashMap;

use crate::db::schema::{appointment_resources, busy_versions, organizations, resources};
use crate::db::{DbConnection, sqlite_time};
use crate::domain::interval::Interval;
use crate::error::Error;
use crate::repo::{from_db, to_db};

/// The versions a request checks its snapshots against.
pub struct Versions {
    /// The organization's setup version.
    pub setup: i64,
    /// The busy version of every active resource of the location, by id.
    pub busy: HashMap<String, i64>,
}

/// Both kinds of version in one statement (one round trip): the organization's row
/// joined with the location's active resources. `None` when there is no such
/// organization.
pub fn versions(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
) -> Result<Option<Versions>, Error> {
    let rows: Vec<(i64, Option<String>, Option<i64>)> = organizations::table
        .left_join(
            // Owned: the statement is kept prepared under its type, which must be `'static`.
            resources::table.on(resources::location_id
                .eq(location_id.to_owned())
                .and(resources::active.eq(true))),
        )
        .left_join(busy_versions::table.on(busy_versions::resource_id.eq(resources::id)))
        .filter(organizations::id.eq(org))
        .select((
            organizations::setup_version,
            resources::id.nullable(),
            busy_versions::busy_version.nullable(),
        ))
        .load(conn)?;
    let Some(&(setup, _, _)) = rows.first() else {
        return Ok(None);
    };
    let busy = rows
        .into_iter()
        .filter_map(|(_, id, version)| Some((id?, version?)))
        .collect();
    Ok(Some(Versions { setup, busy }))
}

/// The active blocks of `resource_ids` at a location whose start lies in `starts`, by
/// resource and start.
pub fn read(
    conn: &mut DbConnection,
    location_id: &str,
    resource_ids: &[&str],
    starts: Interval,
) -> Result<Vec<(String, Interval)>, Error> {
    let (lo, hi) = (to_db(starts.start), to_db(starts.end));
    // The same query on either backend; on SQLite the times are read as their stored
    // text and parsed by `sqlite_time`, several times faster than diesel's format list.
    macro_rules! blocks {
        ($conn:expr, $time:ty) => {
            appointment_resources::table
                .filter(appointment_resources::location_id.eq(location_id))
                .filter(appointment_resources::resource_id.eq_any(resource_ids))
                .filter(appointment_resources::active.eq(true))
                .filter(appointment_resources::block_starts_at.ge(lo))
                .filter(appointment_resources::block_starts_at.lt(hi))
                .select((
                    appointment_resources::resource_id,
                    appointment_resources::block_starts_at,
                    appointment_resources::block_ends_at,
                ))
                .order((
                    appointment_resources::resource_id,
                    appointment_resources::block_starts_at,
                ))
                .load::<(String, $time, $time)>($conn)?
        };
    }
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = match conn {
        DbConnection::Pg(c) => blocks!(c, NaiveDateTime),
        DbConnection::Sqlite(c) => blocks!(c, String)
            .into_iter()
            .map(|(r, s, e)| Ok((r, sqlite_time::parse(&s)?, sqlite_time::parse(&e)?)))
            .collect::<Result<_, String>>()
            .map_err(Error::internal)?,
    };
    Ok(rows
        .into_iter()
        .map(|(r, s, e)| (r, Interval::new(from_db(s), from_db(e))))
        .collect())
}

/// The blocks an appointment holds now, by resource: left out of the schedule when the
/// appointment itself is being moved.
pub fn held_by(
    conn: &mut DbConnection,
    appointment_id: &str,
) -> Result<Vec<(String, Interval)>, Error> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = appointment_resources::table
        .filter(appointment_resources::appointment_id.eq(appointment_id))
        .filter(appointment_resources::active.eq(true))
        .select((
            appointment_resources::resource_id,
            appointment_resources::block_starts_at,
            appointment_resources::block_ends_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, s, e)| (r, Interval::new(from_db(s), from_db(e))))
        .collect())
}
