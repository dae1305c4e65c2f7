//! Services: what a customer books ("Servis berkala", 60 minutes), the kinds of resource
//! an appointment for it needs, and whether it is offered.
//!
//! The required kinds are a JSON array of strings in a text column; the resources and
//! locations a service names are rows of their own (see [`crate::repo::service_links`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Page, page_of};
use crate::db::DbConnection;
use crate::db::schema::{service_locations, services};
use crate::domain::ResourceKind;
use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_before_minutes: i32,
    pub buffer_after_minutes: i32,
    /// JSON array of [`ResourceKind`] names.
    pub resource_kinds: String,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ServiceRow {
    pub fn resource_kinds(&self) -> Result<Vec<ResourceKind>, Error> {
        from_json(&self.resource_kinds)
    }
}

/// Which services a list shows; `None` does not filter.
#[derive(Default)]
pub struct ServiceFilter {
    /// Services offered at this location: those listing it and those offered everywhere.
    pub location_id: Option<String>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut DbConnection, row: &ServiceRow) -> Result<(), Error> {
    diesel::insert_into(services::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The service's own row (its lists are in [`crate::repo::service_links`]); another
/// organization's is simply not found.
pub fn get_row(conn: &mut DbConnection, org: &str, id: &str) -> Result<ServiceRow, Error> {
    services::table
        .filter(services::organization_id.eq(org))
        .filter(services::id.eq(id))
        .select(ServiceRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("service"))
}

/// Whether the organization has this service.
pub fn exists(conn: &mut DbConnection, org: &str, id: &str) -> Result<bool, Error> {
    let n: i64 = services::table
        .filter(services::organization_id.eq(org))
        .filter(services::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: ServiceFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<ServiceRow>, Error> {
    let mut q = services::table
        .filter(services::organization_id.eq(org))
        .select(ServiceRow::as_select())
        .order(services::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(location_id) = filter.location_id {
        // Listing the location, or listing none (offered everywhere).
        let listing = service_locations::table
            .filter(service_locations::location_id.eq(location_id))
            .select(service_locations::service_id);
        let naming_any = service_locations::table.select(service_locations::service_id);
        q = q.filter(
            services::id
                .eq_any(listing)
                .or(services::id.ne_all(naming_any)),
        );
    }
    if let Some(active) = filter.active {
        q = q.filter(services::active.eq(active));
    }
    if let Some(after) = after {
        q = q.filter(services::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// Writes `row` over the stored service if that is still at `previous_version`.
pub fn save(conn: &mut DbConnection, row: &ServiceRow, previous_version: i64) -> Result<(), Error> {
    let updated = diesel::update(
        services::table
            .filter(services::id.eq(&row.id))
            .filter(services::version.eq(previous_version)),
    )
    .set((
        services::name.eq(&row.name),
        services::duration_minutes.eq(row.duration_minutes),
        services::buffer_before_minutes.eq(row.buffer_before_minutes),
        services::buffer_after_minutes.eq(row.buffer_after_minutes),
        services::resource_kinds.eq(&row.resource_kinds),
        services::active.eq(row.active),
        services::version.eq(row.version),
        services::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || {
        Ok(get_row(conn, &row.organization_id, &row.id)?.version)
    })
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(services::table.filter(services::id.eq(id))).execute(conn)?;
    Ok(())
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("lists serialise")
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::internal(format!("stored service list: {e}")))
}
