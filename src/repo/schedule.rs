//! Loads everything availability needs for one location and service, in a fixed number
//! of queries whatever the number of resources or appointments.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::repo::locations::LocationRow;
use crate::repo::organizations::OrganizationRow;

use super::{from_db, to_db};
use crate::db::schema::{
    appointment_resources, closures, locations, organizations, resources, service_locations,
    service_resources,
};
use crate::db::{DbConnection, sqlite_time};
use crate::domain::availability::{
    BookingRules, MAX_BLOCK, ResourceSchedule, Schedule, ServiceNeeds,
};
use crate::domain::interval::Interval;
use crate::domain::local_time::start_of_day;
use crate::domain::{ResourceKind, booking_rules};
use crate::error::{Code, Error};
use crate::repo::resources::ResourceRow;
use crate::repo::services::{self, ServiceRow};

/// A location's schedule for one service over a window, ready for the domain functions.
pub struct LoadedSchedule {
    pub location: LocationRow,
    pub service: ServiceRow,
    pub tz: Tz,
    pub closures: Vec<Interval>,
    /// Resources able to perform the service, in id order.
    pub resources: Vec<ResourceSchedule>,
    pub names: Vec<String>,
    pub needs: ServiceNeeds,
    pub rules: BookingRules,
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

/// Loads the schedule for starts in `[from, to)`; `exclude_appointment` leaves one
/// appointment's own time out of the busy blocks (when it is being moved).
pub fn load(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    exclude_appointment: Option<&str>,
) -> Result<LoadedSchedule, Error> {
    // The location with its organization's booking defaults, in one read.
    let (location, org_row) = locations::table
        .inner_join(organizations::table)
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq(location_id))
        .select((LocationRow::as_select(), OrganizationRow::as_select()))
        .get_result::<(LocationRow, OrganizationRow)>(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("location"))?;
    let service = services::get_row(conn, org, service_id)?;
    let offered = service.active && {
        let at: Vec<String> = service_locations::table
            .filter(service_locations::service_id.eq(&service.id))
            .select(service_locations::location_id)
            .load(conn)?;
        at.is_empty() || at.contains(&location.id)
    };
    if !offered {
        return Err(Error::invalid(
            "service_id",
            Code::ServiceNotOffered,
            "this service is not offered at this location (or is inactive)",
        ));
    }
    let rules = booking_rules::resolve(
        (
            org_row.booking_lead_minutes,
            org_row.booking_horizon_days,
            org_row.slot_interval_minutes,
        ),
        (
            location.booking_lead_minutes,
            location.booking_horizon_days,
            location.slot_interval_minutes,
        ),
    );
    let tz = location.time_zone.tz();
    let kinds = service.resource_kinds()?;
    // The service's allow-list, each resource with its kind.
    let allowed: Vec<(String, ResourceKind)> = service_resources::table
        .inner_join(resources::table)
        .filter(service_resources::service_id.eq(&service.id))
        .select((resources::id, resources::kind))
        .load(conn)?;
    let needs = ServiceNeeds {
        duration: Duration::minutes(i64::from(service.duration_minutes)),
        buffer_before: Duration::minutes(i64::from(service.buffer_before_minutes)),
        buffer_after: Duration::minutes(i64::from(service.buffer_after_minutes)),
        kinds: kinds.clone(),
    };

    let rows: Vec<ResourceRow> = resources::table
        .filter(resources::location_id.eq(&location.id))
        .filter(resources::active.eq(true))
        .select(ResourceRow::as_select())
        .order(resources::id.asc())
        .load(conn)?;
    // A kind with listed resources may use only those; other kinds use any of theirs.
    let restricted: Vec<ResourceKind> = allowed.iter().map(|&(_, k)| k).collect();
    let allowed: Vec<String> = allowed.into_iter().map(|(id, _)| id).collect();
    let mut resources = Vec::new();
    let mut names = Vec::new();
    for r in rows {
        let kind = r.kind;
        if !kinds.contains(&kind) || (restricted.contains(&kind) && !allowed.contains(&r.id)) {
            continue;
        }
        resources.push(ResourceSchedule {
            id: r.id,
            kind,
            hours: r.weekly_hours,
            closures: Vec::new(),
            busy: Vec::new(),
        });
        names.push(r.name);
    }
    let index: HashMap<String, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();

    // What a slot starting in the window can touch: blocks overlapping it (buffers
    // included), and every block starting on a local day it is on, whose minutes rank
    // the resources by load.
    let first_day = start_of_day(tz, from.with_timezone(&tz).date_naive());
    let after_last_day = start_of_day(tz, to.with_timezone(&tz).date_naive() + Duration::days(1));
    let lo = (from - needs.buffer_before).min(first_day);
    let hi = (to + needs.duration + needs.buffer_after).max(after_last_day);
    let (lo, lo_start, hi) = (to_db(lo), to_db(lo - MAX_BLOCK), to_db(hi));
    let closure_rows: Vec<(Option<String>, chrono::NaiveDateTime, chrono::NaiveDateTime)> =
        closures::table
            .filter(closures::location_id.eq(&location.id))
            .filter(closures::starts_at.lt(hi))
            .filter(closures::ends_at.gt(lo))
            .select((
                closures::resource_id,
                closures::starts_at,
                closures::ends_at,
            ))
            .load(conn)?;
    let mut location_closures = Vec::new();
    for (resource_id, s, e) in closure_rows {
        let iv = Interval::new(from_db(s), from_db(e));
        match resource_id {
            None => location_closures.push(iv),
            Some(id) => {
                if let Some(&i) = index.get(&id) {
                    resources[i].closures.push(iv);
                }
            }
        }
    }

    // The same query on either backend; on SQLite the times are read as their stored
    // text and parsed by `sqlite_time`, several times faster than diesel's format list.
    macro_rules! busy_blocks {
        ($conn:expr, $time:ty) => {{
            let mut q = appointment_resources::table
                .filter(appointment_resources::location_id.eq(&location.id))
                .filter(appointment_resources::active.eq(true))
                .filter(appointment_resources::block_starts_at.lt(hi))
                .filter(appointment_resources::block_starts_at.gt(lo_start))
                .filter(appointment_resources::block_ends_at.gt(lo))
                .select((
                    appointment_resources::resource_id,
                    appointment_resources::block_starts_at,
                    appointment_resources::block_ends_at,
                ))
                .into_boxed();
            if let Some(id) = exclude_appointment {
                q = q.filter(appointment_resources::appointment_id.ne(id.to_owned()));
            }
            q.load::<(String, $time, $time)>($conn)?
        }};
    }
    let busy: Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)> = match conn {
        DbConnection::Pg(c) => busy_blocks!(c, chrono::NaiveDateTime),
        DbConnection::Sqlite(c) => busy_blocks!(c, String)
            .into_iter()
            .map(|(r, s, e)| Ok((r, sqlite_time::parse(&s)?, sqlite_time::parse(&e)?)))
            .collect::<Result<_, String>>()
            .map_err(Error::internal)?,
    };
    for (resource_id, s, e) in busy {
        if let Some(&i) = index.get(&resource_id) {
            resources[i]
                .busy
                .push(Interval::new(from_db(s), from_db(e)));
        }
    }

    Ok(LoadedSchedule {
        location,
        service,
        tz,
        closures: location_closures,
        resources,
        names,
        needs,
        rules,
    })
}
