//! What a service names: the resources it may be given (`service_resources`) and the
//! locations offering it (`service_locations`). They are rows with foreign keys, so a
//! resource or a location a service names cannot be deleted from under it: the use case
//! refuses first with the services that name it, and the database refuses whatever
//! slips past (a delete racing a change that adds the name).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use crate::db::DbConnection;
use crate::db::schema::{service_locations, service_resources, services};
use crate::error::{Code, Error};

/// A service's two lists, each in the order it was given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    pub resource_ids: Vec<String>,
    pub location_ids: Vec<String>,
}

#[derive(Insertable)]
#[diesel(table_name = service_resources)]
struct ServiceResourceRow<'a> {
    service_id: &'a str,
    resource_id: &'a str,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = service_locations)]
struct ServiceLocationRow<'a> {
    service_id: &'a str,
    location_id: &'a str,
    position: i32,
}

/// The lists of each of `service_ids`, in two reads whatever their number; a service
/// naming nothing maps to empty lists.
pub fn load(
    conn: &mut DbConnection,
    service_ids: &[String],
) -> Result<HashMap<String, Links>, Error> {
    let mut links: HashMap<String, Links> = service_ids
        .iter()
        .map(|id| (id.clone(), Links::default()))
        .collect();
    if service_ids.is_empty() {
        return Ok(links);
    }
    let resources: Vec<(String, String)> = service_resources::table
        .filter(service_resources::service_id.eq_any(service_ids))
        .order((service_resources::service_id, service_resources::position))
        .select((
            service_resources::service_id,
            service_resources::resource_id,
        ))
        .load(conn)?;
    for (service, resource) in resources {
        links
            .entry(service)
            .or_default()
            .resource_ids
            .push(resource);
    }
    let locations: Vec<(String, String)> = service_locations::table
        .filter(service_locations::service_id.eq_any(service_ids))
        .order((service_locations::service_id, service_locations::position))
        .select((
            service_locations::service_id,
            service_locations::location_id,
        ))
        .load(conn)?;
    for (service, location) in locations {
        links
            .entry(service)
            .or_default()
            .location_ids
            .push(location);
    }
    Ok(links)
}

/// Replaces the resources a service may be given.
pub fn replace_resources(
    conn: &mut DbConnection,
    service_id: &str,
    ids: &[String],
) -> Result<(), Error> {
    diesel::delete(service_resources::table.filter(service_resources::service_id.eq(service_id)))
        .execute(conn)?;
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<ServiceResourceRow> = ids
        .iter()
        .zip(0..)
        .map(|(id, position)| ServiceResourceRow {
            service_id,
            resource_id: id,
            position,
        })
        .collect();
    // Batch inserts do not go through diesel's multi-backend: each backend runs its own.
    let inserted = match conn {
        DbConnection::Pg(c) => diesel::insert_into(service_resources::table)
            .values(&rows)
            .execute(c),
        DbConnection::Sqlite(c) => diesel::insert_into(service_resources::table)
            .values(&rows)
            .execute(c),
    };
    inserted.map_err(|e| gone(e, "resource_ids", "resource"))?;
    Ok(())
}

/// Replaces the locations offering a service (none: every location).
pub fn replace_locations(
    conn: &mut DbConnection,
    service_id: &str,
    ids: &[String],
) -> Result<(), Error> {
    diesel::delete(service_locations::table.filter(service_locations::service_id.eq(service_id)))
        .execute(conn)?;
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<ServiceLocationRow> = ids
        .iter()
        .zip(0..)
        .map(|(id, position)| ServiceLocationRow {
            service_id,
            location_id: id,
            position,
        })
        .collect();
    let inserted = match conn {
        DbConnection::Pg(c) => diesel::insert_into(service_locations::table)
            .values(&rows)
            .execute(c),
        DbConnection::Sqlite(c) => diesel::insert_into(service_locations::table)
            .values(&rows)
            .execute(c),
    };
    inserted.map_err(|e| gone(e, "location_ids", "location"))?;
    Ok(())
}

/// The ids were checked a moment ago: a foreign-key violation now means one of them was
/// deleted by a transaction that committed in between.
fn gone(e: DieselError, field: &str, what: &str) -> Error {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Error::new(
            Code::ReferenceChanged,
            format!(
                "a {what} in {field} was deleted at the same time; read the {what}s again \
                     and retry"
            ),
        )
        .with_field(field),
        e => e.into(),
    }
}

/// A service that names a resource or a location, as a refused delete lists it.
#[derive(Clone, Debug)]
pub struct Naming {
    pub id: String,
    pub name: String,
    /// JSON array of the service's required kinds.
    pub resource_kinds: String,
}

/// Services of this organization that name the resource, in id order.
pub fn naming_resource(
    conn: &mut DbConnection,
    org: &str,
    resource_id: &str,
) -> Result<Vec<Naming>, Error> {
    let rows: Vec<(String, String, String)> = services::table
        .inner_join(service_resources::table)
        .filter(services::organization_id.eq(org))
        .filter(service_resources::resource_id.eq(resource_id))
        .select((services::id, services::name, services::resource_kinds))
        .order(services::id.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(naming).collect())
}

/// Services of this organization offered at the location by name, in id order (not
/// those offered everywhere).
pub fn naming_location(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
) -> Result<Vec<Naming>, Error> {
    let rows: Vec<(String, String, String)> = services::table
        .inner_join(service_locations::table)
        .filter(services::organization_id.eq(org))
        .filter(service_locations::location_id.eq(location_id))
        .select((services::id, services::name, services::resource_kinds))
        .order(services::id.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(naming).collect())
}

fn naming((id, name, resource_kinds): (String, String, String)) -> Naming {
    Naming {
        id,
        name,
        resource_kinds,
    }
}

/// For the final delete of a `what` that passed its checks: a foreign key refusing it
/// means something made at the same time refers to it, and the answer is `409 <code>`.
pub fn refused_delete(
    code: Code,
    what: &'static str,
) -> impl FnOnce(diesel::result::Error) -> Error {
    move |e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        ) => Error::new(
            code,
            format!(
                "something refers to this {what} since this request began; it cannot be deleted"
            ),
        )
        .with_data(json!({ "services": [] })),
        e => e.into(),
    }
}
