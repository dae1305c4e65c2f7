//! Locations: a dealer's branch with its address, time zone and weekly opening hours.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, page_of};
use crate::db::DbConnection;
use crate::db::schema::{appointments, locations};
use crate::domain::{TimeZone, WeeklyHours};
use crate::error::{Code, Error};
use crate::repo::service_links;

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
pub struct LocationRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub time_zone: TimeZone,
    pub weekly_hours: WeeklyHours,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub booking_lead_minutes: Option<i32>,
    pub booking_horizon_days: Option<i32>,
    pub slot_interval_minutes: Option<i32>,
}

pub fn insert(conn: &mut DbConnection, row: &LocationRow) -> Result<(), Error> {
    diesel::insert_into(locations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
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

/// Whether the organization has this location.
pub fn exists(conn: &mut DbConnection, org: &str, id: &str) -> Result<bool, Error> {
    let n: i64 = locations::table
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Which of `ids` are locations of this organization.
pub fn existing(conn: &mut DbConnection, org: &str, ids: &[String]) -> Result<Vec<String>, Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(locations::table
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq_any(ids))
        .select(locations::id)
        .load(conn)?)
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

/// Writes `row` over the stored location if that is still at `previous_version`.
pub fn save(
    conn: &mut DbConnection,
    row: &LocationRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        locations::table
            .filter(locations::id.eq(&row.id))
            .filter(locations::version.eq(previous_version)),
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
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })
}

/// The id and start of every appointment at the location.
pub fn appointment_starts(
    conn: &mut DbConnection,
    location_id: &str,
) -> Result<Vec<(String, NaiveDateTime)>, Error> {
    Ok(appointments::table
        .filter(appointments::location_id.eq(location_id))
        .select((appointments::id, appointments::starts_at))
        .load(conn)?)
}

/// Sets the local date (`YYYY-MM-DD`) an appointment is filtered by.
pub fn set_local_date(
    conn: &mut DbConnection,
    appointment_id: &str,
    local_date: &str,
) -> Result<(), Error> {
    diesel::update(appointments::table.find(appointment_id))
        .set(appointments::local_date.eq(local_date))
        .execute(conn)?;
    Ok(())
}

/// Deletes the location's row. A foreign key refusing it means something made since the
/// checks refers to it: `409 location_in_use`.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
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
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
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
