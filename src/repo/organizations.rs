//! Organizations (tenants) and their settings.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{check_version, new_id, to_db};
use crate::db::DbConnection;
use crate::db::schema::organizations;
use crate::domain::{Currency, Locale, TimeZone};
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub currency: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub booking_lead_minutes: i32,
    pub booking_horizon_days: i32,
    pub slot_interval_minutes: i32,
}

/// Settings of a new organization, already validated.
pub struct NewOrganization {
    pub name: String,
    pub time_zone: TimeZone,
    pub locale: Locale,
    pub currency: Currency,
}

/// A partial change of settings; `None` leaves a field as it is.
#[derive(Clone, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub time_zone: Option<TimeZone>,
    pub locale: Option<Locale>,
    pub currency: Option<Currency>,
    pub booking: BookingSettings,
}

/// Booking rules; on a location, `None` falls back to the organization.
#[derive(Clone, Copy, Debug, Default)]
pub struct BookingSettings {
    pub lead_minutes: Option<i32>,
    pub horizon_days: Option<i32>,
    pub slot_interval_minutes: Option<i32>,
}

pub fn create(
    conn: &mut DbConnection,
    new: NewOrganization,
    now: DateTime<Utc>,
) -> Result<OrganizationRow, Error> {
    let row = OrganizationRow {
        id: new_id(),
        name: new.name,
        time_zone: new.time_zone.name().to_owned(),
        locale: new.locale.as_str().to_owned(),
        currency: new.currency.code().to_owned(),
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
        booking_lead_minutes: 60,
        booking_horizon_days: 90,
        slot_interval_minutes: 15,
    };
    diesel::insert_into(organizations::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<OrganizationRow, Error> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("organization"))
}

pub fn count(conn: &mut DbConnection) -> Result<i64, Error> {
    Ok(organizations::table.count().get_result(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: Option<i64>,
    changes: OrganizationChanges,
    now: DateTime<Utc>,
) -> Result<OrganizationRow, Error> {
    let mut row = get(conn, id)?;
    check_version(expected_version, row.version)?;
    if let Some(name) = changes.name {
        row.name = name;
    }
    if let Some(tz) = changes.time_zone {
        row.time_zone = tz.name().to_owned();
    }
    if let Some(locale) = changes.locale {
        row.locale = locale.as_str().to_owned();
    }
    if let Some(currency) = changes.currency {
        row.currency = currency.code().to_owned();
    }
    if let Some(v) = changes.booking.lead_minutes {
        row.booking_lead_minutes = v;
    }
    if let Some(v) = changes.booking.horizon_days {
        row.booking_horizon_days = v;
    }
    if let Some(v) = changes.booking.slot_interval_minutes {
        row.slot_interval_minutes = v;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(now);
    let updated = diesel::update(
        organizations::table
            .filter(organizations::id.eq(id))
            .filter(organizations::version.eq(previous)),
    )
    .set((
        organizations::name.eq(&row.name),
        organizations::time_zone.eq(&row.time_zone),
        organizations::locale.eq(&row.locale),
        organizations::currency.eq(&row.currency),
        organizations::booking_lead_minutes.eq(row.booking_lead_minutes),
        organizations::booking_horizon_days.eq(row.booking_horizon_days),
        organizations::slot_interval_minutes.eq(row.slot_interval_minutes),
        organizations::version.eq(row.version),
        organizations::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get(conn, id)?.version))?;
    Ok(row)
}
