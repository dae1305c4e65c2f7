//! Vehicles: what a customer brings in, registered once per plate in an organization and
//! found by plate when a rider walks in.

use chrono::{DateTime, Datelike, Utc};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::vehicle::Plate;
use crate::error::{Code, Error};
use crate::repo::vehicles::{self, PlateHolder, VehicleRow, plate_taken};
use crate::repo::{Page, check_version, customers, from_db, locks, new_id, to_db};

/// A vehicle as a use case returns it.
#[derive(Clone, Debug)]
pub struct Vehicle {
    pub id: String,
    pub customer_id: String,
    /// Normalised (`B 1234 XYZ`).
    pub plate: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    pub odometer_km: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<VehicleRow> for Vehicle {
    fn from(r: VehicleRow) -> Self {
        Vehicle {
            id: r.id,
            customer_id: r.customer_id,
            plate: r.plate,
            make: r.make,
            model: r.model,
            year: r.year,
            odometer_km: r.odometer_km,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        }
    }
}

/// A vehicle found by plate, with its owner's name and phone.
#[derive(Clone, Debug)]
pub struct FoundVehicle {
    pub vehicle: Vehicle,
    pub customer_name: String,
    pub customer_phone: Option<String>,
}

/// A new vehicle with its values parsed; the year is checked against `ctx.now`.
#[derive(Clone)]
pub struct NewVehicle {
    pub plate: Plate,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    pub odometer_km: Option<i64>,
}

/// A partial change; the outer `None` leaves a field unchanged, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct VehicleChanges {
    pub plate: Option<Plate>,
    pub make: Option<Option<String>>,
    pub model: Option<Option<String>>,
    pub year: Option<Option<i32>>,
    pub odometer_km: Option<Option<i64>>,
}

fn check_year(year: Option<i32>, now: DateTime<Utc>) -> Result<Option<i32>, Error> {
    year.map(|y| crate::domain::vehicle::check_year("year", y, now.year()))
        .transpose()
}

/// `409 plate_taken` naming the owner, when another vehicle has the plate. The unique
/// index still decides when two registrations race (the loser runs again and lands here).
fn ensure_plate_free(
    conn: &mut DbConnection,
    org: &str,
    plate: &str,
    except_id: Option<&str>,
) -> Result<(), Error> {
    match vehicles::found(conn, org, plate)? {
        Some((v, name, _)) if Some(v.id.as_str()) != except_id => Err(plate_taken(
            plate,
            Some(&PlateHolder {
                vehicle_id: v.id,
                customer_id: v.customer_id,
                customer_name: name,
            }),
        )),
        _ => Ok(()),
    }
}

/// Registers a vehicle of a customer. The customer is locked first (as a booking does),
/// so a delete of the customer racing this either finds the vehicle (and takes it with
/// the customer) or is waited for and leaves a 404 here.
pub fn create(
    conn: &mut DbConnection,
    ctx: &Ctx,
    customer_id: &str,
    new: NewVehicle,
) -> Result<Vehicle, Error> {
    locks::customer(conn, &ctx.org, customer_id)?;
    let year = check_year(new.year, ctx.now)?;
    let plate = new.plate.into_string();
    ensure_plate_free(conn, &ctx.org, &plate, None)?;
    let row = VehicleRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        customer_id: customer_id.to_owned(),
        plate,
        make: new.make,
        model: new.model,
        year,
        odometer_km: new.odometer_km,
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    };
    vehicles::insert(conn, &row)?;
    Ok(row.into())
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Vehicle, Error> {
    Ok(vehicles::get(conn, &ctx.org, id)?.into())
}

/// A customer's vehicles (404 for a customer that is not there).
pub fn of_customer(
    conn: &mut DbConnection,
    ctx: &Ctx,
    customer_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Vehicle>, Error> {
    let customer = customers::get(conn, &ctx.org, customer_id)?;
    Ok(vehicles::of_customer(conn, &ctx.org, &customer.id, after, limit)?.map(Vehicle::from))
}

/// The vehicle with this plate and its owner: one statement on the plate's unique index.
pub fn find_by_plate(
    conn: &mut DbConnection,
    ctx: &Ctx,
    plate: &Plate,
) -> Result<Option<FoundVehicle>, Error> {
    Ok(
        vehicles::found(conn, &ctx.org, plate.as_str())?.map(|(row, name, phone)| FoundVehicle {
            vehicle: row.into(),
            customer_name: name,
            customer_phone: phone,
        }),
    )
}

/// Changes a vehicle; a new plate must be free.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    changes: VehicleChanges,
) -> Result<Vehicle, Error> {
    let mut row = vehicles::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    if let Some(p) = changes.plate {
        let plate = p.into_string();
        if plate != row.plate {
            ensure_plate_free(conn, &ctx.org, &plate, Some(id))?;
        }
        row.plate = plate;
    }
    if let Some(v) = changes.make {
        row.make = v;
    }
    if let Some(v) = changes.model {
        row.model = v;
    }
    if let Some(v) = changes.year {
        row.year = check_year(v, ctx.now)?;
    }
    if let Some(v) = changes.odometer_km {
        row.odometer_km = v;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    vehicles::save(conn, &row, previous)?;
    Ok(row.into())
}

/// Deletes a vehicle no appointment names (`409 vehicle_in_use`: they keep it as their
/// history). The vehicle row is locked before the count, so a booking naming it either
/// committed first (and is counted) or waits and then finds no vehicle.
pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    locks::vehicle_to_delete(conn, &ctx.org, id)?;
    let row = vehicles::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let n = vehicles::appointments_naming(conn, id)?;
    if n > 0 {
        return Err(Error::new(
            Code::VehicleInUse,
            format!("{n} appointment(s) are for this vehicle; it cannot be deleted"),
        ));
    }
    vehicles::delete(conn, id)
}

/// Checks that a booking's vehicle is the customer's, and locks it against a delete
/// (`422 vehicle_not_customers` otherwise, naming `vehicle_id`); returns its plate.
pub fn check_for_booking(
    conn: &mut DbConnection,
    ctx: &Ctx,
    customer_id: &str,
    vehicle_id: &str,
) -> Result<String, Error> {
    match locks::vehicle(conn, &ctx.org, vehicle_id)? {
        Some((owner, plate)) if owner == customer_id => Ok(plate),
        _ => Err(Error::invalid(
            "vehicle_id",
            Code::VehicleNotCustomers,
            "the vehicle is not one of this customer's vehicles",
        )),
    }
}
