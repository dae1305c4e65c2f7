//! Locations: a dealer's branches with their time zone, opening hours and overrides of
//! the organization's booking rules.

use chrono::{DateTime, Utc};

use crate::app::Ctx;
use crate::app::in_use::{named_by_services, names, refuse_if_appointments};
use crate::app::organization::BookingSettings;
use crate::db::DbConnection;
use crate::domain::{PhoneNumber, TimeZone, WeeklyHours};
use crate::error::{Code, Error};
use crate::repo::locations::{self, LocationRow};
use crate::repo::{
    AppointmentRef, Page, check_version, closures, from_db, new_id, organizations, policies,
    resources, service_links, to_db,
};

/// A location as a use case returns it.
#[derive(Clone, Debug)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub time_zone: TimeZone,
    pub weekly_hours: WeeklyHours,
    pub booking_lead_minutes: Option<i32>,
    pub booking_horizon_days: Option<i32>,
    pub slot_interval_minutes: Option<i32>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<LocationRow> for Location {
    fn from(r: LocationRow) -> Self {
        Location {
            weekly_hours: r.weekly_hours,
            id: r.id,
            name: r.name,
            address: r.address,
            phone: r.phone,
            time_zone: r.time_zone,
            booking_lead_minutes: r.booking_lead_minutes,
            booking_horizon_days: r.booking_horizon_days,
            slot_interval_minutes: r.slot_interval_minutes,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        }
    }
}

#[derive(Clone)]
pub struct NewLocation {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<PhoneNumber>,
    /// `None`: the organization's default time zone.
    pub time_zone: Option<TimeZone>,
    pub weekly_hours: WeeklyHours,
    pub booking: BookingSettings,
}

/// A partial change; the outer `None` leaves a field unchanged, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct LocationChanges {
    pub name: Option<String>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<PhoneNumber>>,
    pub time_zone: Option<TimeZone>,
    pub weekly_hours: Option<WeeklyHours>,
    /// Each `Some(None)` clears an override so the organization's value applies again.
    pub booking_lead_minutes: Option<Option<i32>>,
    pub booking_horizon_days: Option<Option<i32>>,
    pub slot_interval_minutes: Option<Option<i32>>,
}

pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewLocation) -> Result<Location, Error> {
    let time_zone = match new.time_zone {
        Some(tz) => tz,
        None => organizations::get(conn, &ctx.org)?.time_zone,
    };
    let row = LocationRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        name: new.name,
        address: new.address,
        phone: new.phone.map(PhoneNumber::into_string),
        time_zone,
        weekly_hours: new.weekly_hours,
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
        booking_lead_minutes: new.booking.lead_minutes,
        booking_horizon_days: new.booking.horizon_days,
        slot_interval_minutes: new.booking.slot_interval_minutes,
    };
    locations::insert(conn, &row)?;
    Ok(row.into())
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Location, Error> {
    Ok(locations::get(conn, &ctx.org, id)?.into())
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Location>, Error> {
    Ok(locations::list(conn, &ctx.org, after, limit)?.map(Location::from))
}

/// Changes a location; a new time zone moves the local dates its appointments are
/// filtered by.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    changes: LocationChanges,
) -> Result<Location, Error> {
    let mut row = locations::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let before = row.clone();
    let zone_before = row.time_zone;
    if let Some(v) = changes.name {
        row.name = v;
    }
    if let Some(v) = changes.address {
        row.address = v;
    }
    if let Some(v) = changes.phone {
        row.phone = v.map(PhoneNumber::into_string);
    }
    if let Some(v) = changes.time_zone {
        row.time_zone = v;
    }
    if let Some(v) = changes.weekly_hours {
        row.weekly_hours = v;
    }
    if let Some(v) = changes.booking_lead_minutes {
        row.booking_lead_minutes = v;
    }
    if let Some(v) = changes.booking_horizon_days {
        row.booking_horizon_days = v;
    }
    if let Some(v) = changes.slot_interval_minutes {
        row.slot_interval_minutes = v;
    }
    if row == before {
        // Nothing changes: the version (and so the ETag) stays.
        return Ok(row.into());
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    locations::save(conn, &row, previous)?;
    if row.time_zone != zone_before {
        relabel_local_dates(conn, id, row.time_zone)?;
    }
    Ok(row.into())
}

/// Appointments keep their local date for date filters; a new zone moves it.
fn relabel_local_dates(
    conn: &mut DbConnection,
    location_id: &str,
    zone: TimeZone,
) -> Result<(), Error> {
    let tz = zone.tz();
    for (id, start) in locations::appointment_starts(conn, location_id)? {
        let date = from_db(start).with_timezone(&tz).date_naive().to_string();
        locations::set_local_date(conn, &id, &date)?;
    }
    Ok(())
}

/// Deletes a location that no service names and that has no resources and no
/// appointments; its closures and the policies scoped to it go with it. While services
/// name it the answer is 409 `location_in_use` with those services in `data.services`.
pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    locations::lock(conn, id)?;
    let row = locations::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let naming = service_links::naming_location(conn, &ctx.org, id)?;
    if !naming.is_empty() {
        return Err(named_by_services(
            Code::LocationInUse,
            format!(
                "service(s) {} are offered at this location by name; remove it from their \
                 location_ids first",
                names(&naming)
            ),
            &naming,
        ));
    }
    let resources_there = resources::count_at(conn, id)?;
    if resources_there > 0 {
        return Err(Error::new(
            Code::LocationInUse,
            format!("the location still has {resources_there} resource(s); delete them first"),
        ));
    }
    refuse_if_appointments(
        conn,
        AppointmentRef::Location,
        id,
        Code::LocationInUse,
        "location",
    )?;
    policies::delete_scoped_to(conn, Some(id), None)?;
    closures::delete_at_location(conn, id)?;
    locations::delete(conn, id)
}
