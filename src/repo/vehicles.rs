//! Vehicles: rows in and out, found by id, by owner or by normalised plate.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{Page, page_of};
use crate::db::DbConnection;
use crate::db::schema::{appointments, customers, vehicles};
use crate::error::{Code, Error};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = vehicles)]
pub struct VehicleRow {
    pub id: String,
    pub organization_id: String,
    pub customer_id: String,
    /// Normalised (`B 1234 XYZ`).
    pub plate: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    pub odometer_km: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Who has a plate: the vehicle and its owner's id and name.
#[derive(Clone, Debug)]
pub struct PlateHolder {
    pub vehicle_id: String,
    pub customer_id: String,
    pub customer_name: String,
}

/// `409 plate_taken`, naming the vehicle and its owner so the desk can find them.
pub fn plate_taken(plate: &str, holder: Option<&PlateHolder>) -> Error {
    let e = Error::new(
        Code::PlateTaken,
        match holder {
            Some(h) => format!(
                "{plate} is already registered to {} (customer {})",
                h.customer_name, h.customer_id
            ),
            None => format!("{plate} is already registered in this organization"),
        },
    )
    .with_field("plate");
    match holder {
        Some(h) => e.with_data(serde_json::json!({
            "vehicle_id": h.vehicle_id,
            "customer_id": h.customer_id,
            "customer_name": h.customer_name,
        })),
        None => e,
    }
}

fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The answer to a write the unique index refused: another registration of the plate
/// committed since this unit of work looked. PostgreSQL has ended the transaction, so the
/// holder cannot be read here: the unit of work runs again, and its own look-up then
/// names the owner.
fn taken(row: &VehicleRow) -> Error {
    plate_taken(&row.plate, None).run_again()
}

/// The vehicle with this normalised plate with its owner's name and phone, if any: one
/// statement on the plate's unique index.
pub fn found(
    conn: &mut DbConnection,
    org: &str,
    plate: &str,
) -> Result<Option<(VehicleRow, String, Option<String>)>, Error> {
    Ok(vehicles::table
        .inner_join(customers::table)
        .filter(vehicles::organization_id.eq(org))
        .filter(vehicles::plate.eq(plate))
        .select((VehicleRow::as_select(), customers::name, customers::phone))
        .get_result(conn)
        .optional()?)
}

/// Inserts a vehicle; the unique index on (organization, plate) refuses a taken plate
/// even when two registrations race.
pub fn insert(conn: &mut DbConnection, row: &VehicleRow) -> Result<(), Error> {
    match diesel::insert_into(vehicles::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(taken(row)),
        Err(e) => Err(e.into()),
    }
}

/// A vehicle of this organization; another organization's is simply not found.
pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<VehicleRow, Error> {
    vehicles::table
        .filter(vehicles::organization_id.eq(org))
        .filter(vehicles::id.eq(id))
        .select(VehicleRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("vehicle"))
}

/// A customer's vehicles in id order (the order they were registered in).
pub fn of_customer(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<VehicleRow>, Error> {
    let mut q = vehicles::table
        .filter(vehicles::organization_id.eq(org))
        .filter(vehicles::customer_id.eq(customer_id))
        .select(VehicleRow::as_select())
        .order(vehicles::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(vehicles::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// Writes `row` over the stored vehicle if that is still at `previous_version`.
pub fn save(conn: &mut DbConnection, row: &VehicleRow, previous_version: i64) -> Result<(), Error> {
    let updated = diesel::update(
        vehicles::table
            .filter(vehicles::id.eq(&row.id))
            .filter(vehicles::version.eq(previous_version)),
    )
    .set((
        vehicles::plate.eq(&row.plate),
        vehicles::make.eq(&row.make),
        vehicles::model.eq(&row.model),
        vehicles::year.eq(row.year),
        vehicles::odometer_km.eq(row.odometer_km),
        vehicles::version.eq(row.version),
        vehicles::updated_at.eq(row.updated_at),
    ))
    .execute(conn);
    let updated = match updated {
        Ok(n) => n,
        Err(e) if is_unique_violation(&e) => return Err(taken(row)),
        Err(e) => return Err(e.into()),
    };
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })
}

/// How many appointments name the vehicle.
pub fn appointments_naming(conn: &mut DbConnection, id: &str) -> Result<i64, Error> {
    Ok(appointments::table
        .filter(appointments::vehicle_id.eq(id))
        .count()
        .get_result(conn)?)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(vehicles::table.filter(vehicles::id.eq(id))).execute(conn)?;
    Ok(())
}
