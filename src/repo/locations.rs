//! Locations: a dealer's branch with its address, time zone and weekly opening hours.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{closures, locations, resources};
use crate::domain::{PhoneNumber, TimeZone, WeeklyHours};
use crate::error::{Code, Error};
use crate::repo::organizations::BookingSettings;
use crate::repo::service_links;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
pub struct LocationRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub time_zone: String,
    pub weekly_hours: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub booking_lead_minutes: Option<i32>,
    pub booking_horizon_days: Option<i32>,
    pub slot_interval_minutes: Option<i32>,
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

pub fn create(
    conn: &mut DbConnection,
    org: &str,
    new: NewLocation,
    now: DateTime<Utc>,
) -> Result<LocationRow, Error> {
    let time_zone = match new.time_zone {
        Some(tz) => tz.name().to_owned(),
        None => crate::repo::organizations::get(conn, org)?.time_zone,
    };
    let row = LocationRow {
        id: new_id(),
        organization_id: org.to_owned(),
        name: new.name,
        address: new.address,
        phone: new.phone.map(PhoneNumber::into_string),
        time_zone,
        weekly_hours: new.weekly_hours.to_json(),
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
        booking_lead_minutes: new.booking.lead_minutes,
        booking_horizon_days: new.booking.horizon_days,
        slot_interval_minutes: new.booking.slot_interval_minutes,
    };
    diesel::insert_into(locations::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// A location of this organization; another organization's is simply not found.
pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<LocationRow, Error> {
    locations::table
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq(id))
        .select(LocationRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("location"))
}

pub fn list(
    conn: &mut DbConnection,
    org: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<LocationRow>, Error> {
    let mut q = locations::table
        .filter(locations::organization_id.eq(org))
        .select(LocationRow::as_select())
        .order(locations::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(locations::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

pub fn update(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
    changes: LocationChanges,
    now: DateTime<Utc>,
) -> Result<LocationRow, Error> {
    let mut row = get(conn, org, id)?;
    let zone_before = row.time_zone.clone();
    check_version(expected_version, row.version)?;
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
        row.time_zone = v.name().to_owned();
    }
    if let Some(v) = changes.weekly_hours {
        row.weekly_hours = v.to_json();
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
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(now);
    let updated = diesel::update(
        locations::table
            .filter(locations::id.eq(id))
            .filter(locations::version.eq(previous)),
    )
    .set((
        locations::name.eq(&row.name),
        locations::address.eq(&row.address),
        locations::phone.eq(&row.phone),
        locations::time_zone.eq(&row.time_zone),
        locations::weekly_hours.eq(&row.weekly_hours),
        locations::booking_lead_minutes.eq(row.booking_lead_minutes),
        locations::booking_horizon_days.eq(row.booking_horizon_days),
        locations::slot_interval_minutes.eq(row.slot_interval_minutes),
        locations::version.eq(row.version),
        locations::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get(conn, org, id)?.version))?;
    if row.time_zone != zone_before {
        relabel_local_dates(conn, id, &row.time_zone)?;
    }
    Ok(row)
}

/// Appointments keep their local date for date filters; a new zone moves it.
fn relabel_local_dates(
    conn: &mut DbConnection,
    location_id: &str,
    zone: &str,
) -> Result<(), Error> {
    use crate::db::schema::appointments;
    let tz = TimeZone::parse("time_zone", zone)?.tz();
    let starts: Vec<(String, NaiveDateTime)> = appointments::table
        .filter(appointments::location_id.eq(location_id))
        .select((appointments::id, appointments::starts_at))
        .load(conn)?;
    for (id, start) in starts {
        let date = super::from_db(start)
            .with_timezone(&tz)
            .date_naive()
            .to_string();
        diesel::update(appointments::table.find(id))
            .set(appointments::local_date.eq(date))
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes a location that no service names and that has no resources and no
/// appointments; its closures and the policies scoped to it go with it. While services
/// name it the answer is 409 `location_in_use` with those services in `data.services`.
pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    lock(conn, id)?;
    let row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    let naming = service_links::naming_location(conn, org, id)?;
    if !naming.is_empty() {
        return Err(service_links::in_use(
            Code::LocationInUse,
            format!(
                "service(s) {} are offered at this location by name; remove it from their \
                 location_ids first",
                service_links::names(&naming)
            ),
            &naming,
        ));
    }
    let in_use: i64 = resources::table
        .filter(resources::location_id.eq(id))
        .count()
        .get_result(conn)?;
    if in_use > 0 {
        return Err(Error::new(
            Code::LocationInUse,
            format!("the location still has {in_use} resource(s); delete them first"),
        ));
    }
    super::ensure_no_appointments(
        conn,
        super::AppointmentRef::Location,
        id,
        Code::LocationInUse,
        "location",
    )?;
    crate::repo::policies::delete_scoped_to(conn, Some(id), None)?;
    diesel::delete(closures::table.filter(closures::location_id.eq(id))).execute(conn)?;
    diesel::delete(locations::table.filter(locations::id.eq(id)))
        .execute(conn)
        .map_err(service_links::refused_delete(
            Code::LocationInUse,
            "location",
        ))?;
    Ok(())
}

/// Locks the location's row until the transaction ends (PostgreSQL; SQLite runs one
/// writer at a time). A service change that names the location holds a key-share lock
/// on it from its insert to its commit, so after this lock the names read are complete,
/// and a name added later waits for this transaction and then meets the foreign key.
fn lock(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    if let DbConnection::Pg(c) = conn {
        locations::table
            .filter(locations::id.eq(id))
            .select(locations::id)
            .for_update()
            .get_result::<String>(c)
            .optional()?;
    }
    Ok(())
}
