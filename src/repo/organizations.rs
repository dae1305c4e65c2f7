//! Organizations (tenants) and their settings.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{new_id, to_db};
use crate::db::DbConnection;
use crate::db::schema::organizations;
use crate::domain::{Currency, Locale, TimeZone};
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub time_zone: TimeZone,
    pub locale: Locale,
    pub currency: Currency,
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

pub fn create(
    conn: &mut DbConnection,
    new: NewOrganization,
    now: DateTime<Utc>,
) -> Result<OrganizationRow, Error> {
    let row = OrganizationRow {
        id: new_id(),
        name: new.name,
        time_zone: new.time_zone,
        locale: new.locale,
        currency: new.currency,
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

/// Writes `row` over the stored organization if that is still at `previous_version`.
pub fn save(
    conn: &mut DbConnection,
    row: &OrganizationRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        organizations::table
            .filter(organizations::id.eq(&row.id))
            .filter(organizations::version.eq(previous_version)),
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
    super::check_updated(updated, || Ok(get(conn, &row.id)?.version))
}
