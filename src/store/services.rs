//! Services: what a customer books ("Servis berkala", 60 minutes), the kinds of resource
//! an appointment for it needs, and where it is offered.
//!
//! The three lists (`resource_kinds`, `resource_ids`, `location_ids`) are stored as JSON
//! arrays of strings in text columns, the same on both backends.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{locations, services};
use crate::domain::ResourceKind;
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
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
    /// JSON array of resource ids; empty: any resource of a required kind.
    pub resource_ids: String,
    /// JSON array of location ids; empty: offered at every location.
    pub location_ids: String,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ServiceRow {
    pub fn resource_kinds(&self) -> Result<Vec<ResourceKind>, Error> {
        from_json(&self.resource_kinds)
    }

    pub fn resource_ids(&self) -> Result<Vec<String>, Error> {
        from_json(&self.resource_ids)
    }

    pub fn location_ids(&self) -> Result<Vec<String>, Error> {
        from_json(&self.location_ids)
    }
}

/// A service whose values are already in range and whose lists hold no duplicates; the
/// ids in them are checked against the organization here.
#[derive(Clone)]
pub struct NewService {
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_before_minutes: i32,
    pub buffer_after_minutes: i32,
    pub resource_kinds: Vec<ResourceKind>,
    pub resource_ids: Vec<String>,
    pub location_ids: Vec<String>,
    pub active: bool,
}

/// A partial change; `None` leaves a field unchanged, a list replaces the whole list.
#[derive(Clone, Default)]
pub struct ServiceChanges {
    pub name: Option<String>,
    pub duration_minutes: Option<i32>,
    pub buffer_before_minutes: Option<i32>,
    pub buffer_after_minutes: Option<i32>,
    pub resource_kinds: Option<Vec<ResourceKind>>,
    pub resource_ids: Option<Vec<String>>,
    pub location_ids: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Which services a list shows; `None` does not filter.
#[derive(Default)]
pub struct ServiceFilter {
    /// Services offered at this location: those listing it and those offered everywhere.
    pub location_id: Option<String>,
    pub active: Option<bool>,
}

pub fn create(
    conn: &mut DbConnection,
    org: &str,
    new: NewService,
    now: DateTime<Utc>,
) -> Result<ServiceRow, Error> {
    check_resources(conn, org, &new.resource_ids, &new.resource_kinds, true)?;
    check_locations(conn, org, &new.location_ids)?;
    let row = ServiceRow {
        id: new_id(),
        organization_id: org.to_owned(),
        name: new.name,
        duration_minutes: new.duration_minutes,
        buffer_before_minutes: new.buffer_before_minutes,
        buffer_after_minutes: new.buffer_after_minutes,
        resource_kinds: to_json(&new.resource_kinds),
        resource_ids: to_json(&new.resource_ids),
        location_ids: to_json(&new.location_ids),
        active: new.active,
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    diesel::insert_into(services::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// A service of this organization; another organization's is simply not found.
pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<ServiceRow, Error> {
    services::table
        .filter(services::organization_id.eq(org))
        .filter(services::id.eq(id))
        .select(ServiceRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("service"))
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
        // The list is JSON text and ids are UUIDs (no LIKE wildcards), so the quoted id
        // matches exactly that element.
        q = q.filter(
            services::location_ids
                .eq(to_json::<[String]>(&[]))
                .or(services::location_ids.like(format!("%\"{location_id}\"%"))),
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

pub fn update(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
    changes: ServiceChanges,
    now: DateTime<Utc>,
) -> Result<ServiceRow, Error> {
    let mut row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    if changes.resource_kinds.is_some() || changes.resource_ids.is_some() {
        let ids_given = changes.resource_ids.is_some();
        let kinds = match &changes.resource_kinds {
            Some(k) => k.clone(),
            None => row.resource_kinds()?,
        };
        let ids = match &changes.resource_ids {
            Some(ids) => ids.clone(),
            None => row.resource_ids()?,
        };
        check_resources(conn, org, &ids, &kinds, ids_given)?;
    }
    if let Some(ids) = &changes.location_ids {
        check_locations(conn, org, ids)?;
    }
    if let Some(v) = changes.name {
        row.name = v;
    }
    if let Some(v) = changes.duration_minutes {
        row.duration_minutes = v;
    }
    if let Some(v) = changes.buffer_before_minutes {
        row.buffer_before_minutes = v;
    }
    if let Some(v) = changes.buffer_after_minutes {
        row.buffer_after_minutes = v;
    }
    if let Some(v) = changes.resource_kinds {
        row.resource_kinds = to_json(&v);
    }
    if let Some(v) = changes.resource_ids {
        row.resource_ids = to_json(&v);
    }
    if let Some(v) = changes.location_ids {
        row.location_ids = to_json(&v);
    }
    if let Some(v) = changes.active {
        row.active = v;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(now);
    let updated = diesel::update(
        services::table
            .filter(services::id.eq(id))
            .filter(services::version.eq(previous)),
    )
    .set((
        services::name.eq(&row.name),
        services::duration_minutes.eq(row.duration_minutes),
        services::buffer_before_minutes.eq(row.buffer_before_minutes),
        services::buffer_after_minutes.eq(row.buffer_after_minutes),
        services::resource_kinds.eq(&row.resource_kinds),
        services::resource_ids.eq(&row.resource_ids),
        services::location_ids.eq(&row.location_ids),
        services::active.eq(row.active),
        services::version.eq(row.version),
        services::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get(conn, org, id)?.version))?;
    Ok(row)
}

pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    super::ensure_no_appointments(
        conn,
        super::AppointmentRef::Service,
        id,
        "service_in_use",
        "service",
    )?;
    super::policies::delete_scoped_to(conn, None, Some(id))?;
    diesel::delete(services::table.filter(services::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Every listed resource exists in this organization and is of a required kind. When the
/// ids were not part of this request, a kind they no longer match is blamed on
/// `resource_kinds`, the field that changed.
fn check_resources(
    conn: &mut DbConnection,
    org: &str,
    ids: &[String],
    kinds: &[ResourceKind],
    ids_given: bool,
) -> Result<(), Error> {
    let found = super::resources::find_many(conn, org, ids)?;
    for (i, id) in ids.iter().enumerate() {
        let Some(resource) = found.iter().find(|r| &r.id == id) else {
            return Err(Error::invalid(
                format!("resource_ids[{i}]"),
                "resource_not_found",
                "no resource with this id in your organization",
            ));
        };
        let kind = ResourceKind::from_db(&resource.kind)?;
        if !kinds.contains(&kind) {
            let field = if ids_given {
                format!("resource_ids[{i}]")
            } else {
                "resource_kinds".to_owned()
            };
            return Err(Error::invalid(
                field,
                "resource_kind_not_required",
                format!(
                    "resource {id} is a {}, which resource_kinds does not include",
                    kind.as_str()
                ),
            ));
        }
    }
    Ok(())
}

/// Every listed location exists in this organization.
fn check_locations(conn: &mut DbConnection, org: &str, ids: &[String]) -> Result<(), Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<String> = locations::table
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq_any(ids))
        .select(locations::id)
        .load(conn)?;
    match ids.iter().position(|id| !found.contains(id)) {
        Some(i) => Err(Error::invalid(
            format!("location_ids[{i}]"),
            "location_not_found",
            "no location with this id in your organization",
        )),
        None => Ok(()),
    }
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("lists serialise")
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::internal(format!("stored service list: {e}")))
}
