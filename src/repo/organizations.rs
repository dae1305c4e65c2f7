//! Organizations (tenants) and their settings.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{new_id, to_db};
use crate::db::DbConnection;
use crate::db::schema::organizations;
use crate::domain::{Country, Currency, Locale, TimeZone};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
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
    /// Where national phone numbers belong.
    pub country: Country,
}

/// Settings of a new organization, already validated.
pub struct NewOrganization {
    pub name: String,
    pub time_zone: TimeZone,
    pub locale: Locale,
    pub currency: Currency,
    pub country: Country,
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
        country: new.country,
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

/// Every organization, the oldest first (for operators).
pub fn list_all(conn: &mut DbConnection) -> Result<Vec<OrganizationRow>, Error> {
    Ok(organizations::table
        .order((organizations::created_at.asc(), organizations::id.asc()))
        .select(OrganizationRow::as_select())
        .load(conn)?)
}

/// The organization an operator names by its id or, failing that, by its exact name;
/// a name several organizations share is refused (use the id).
pub fn find_by_id_or_name(
    conn: &mut DbConnection,
    id_or_name: &str,
) -> Result<OrganizationRow, Error> {
    if let Some(found) = organizations::table
        .find(id_or_name)
        .select(OrganizationRow::as_select())
        .get_result(conn)
        .optional()?
    {
        return Ok(found);
    }
    let mut named: Vec<OrganizationRow> = organizations::table
        .filter(organizations::name.eq(id_or_name))
        .select(OrganizationRow::as_select())
        .limit(2)
        .load(conn)?;
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(Error::not_found("organization with that id or name")),
        _ => Err(Error::new(
            crate::error::Code::AlreadyExists,
            format!(
                "several organizations are named '{id_or_name}'; name one by its id (janji org list)"
            ),
        )),
    }
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
        organizations::country.eq(&row.country),
        organizations::booking_lead_minutes.eq(row.booking_lead_minutes),
        organizations::booking_horizon_days.eq(row.booking_horizon_days),
        organizations::slot_interval_minutes.eq(row.slot_interval_minutes),
        organizations::version.eq(row.version),
        organizations::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get(conn, &row.id)?.version))
}
