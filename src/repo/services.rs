//! Services: what a customer books ("Servis berkala", 60 minutes), the kinds of resource
//! an appointment for it needs, and where it is offered.
//!
//! The required kinds are a JSON array of strings in a text column; the resources and
//! locations a service names are rows of their own (see [`crate::repo::service_links`]).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{locations, service_locations, services};
use crate::domain::ResourceKind;
use crate::error::{Code, Error};
use crate::repo::service_links::{self, Links};

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

/// A service with the resources and locations it names.
#[derive(Clone, Debug)]
pub struct Service {
    pub row: ServiceRow,
    /// Resource ids; empty: any resource of a required kind.
    pub resource_ids: Vec<String>,
    /// Location ids; empty: offered at every location.
    pub location_ids: Vec<String>,
}

impl Service {
    fn new(row: ServiceRow, links: Links) -> Self {
        Service {
            row,
            resource_ids: links.resource_ids,
            location_ids: links.location_ids,
        }
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
) -> Result<Service, Error> {
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
        active: new.active,
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    diesel::insert_into(services::table)
        .values(&row)
        .execute(conn)?;
    service_links::replace_resources(conn, &row.id, &new.resource_ids)?;
    service_links::replace_locations(conn, &row.id, &new.location_ids)?;
    Ok(Service {
        row,
        resource_ids: new.resource_ids,
        location_ids: new.location_ids,
    })
}

/// A service of this organization with its lists; another organization's is simply
/// not found.
pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<Service, Error> {
    let row = get_row(conn, org, id)?;
    let links = service_links::load(conn, std::slice::from_ref(&row.id))?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(Service::new(row, links))
}

/// The service's own row, without its lists.
pub fn get_row(conn: &mut DbConnection, org: &str, id: &str) -> Result<ServiceRow, Error> {
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
) -> Result<Page<Service>, Error> {
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
    let page = page_of(q.load(conn)?, limit, |r: &ServiceRow| &r.id);
    let ids: Vec<String> = page.items.iter().map(|r| r.id.clone()).collect();
    let mut links = service_links::load(conn, &ids)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|row| {
                let l = links.remove(&row.id).unwrap_or_default();
                Service::new(row, l)
            })
            .collect(),
        next_after: page.next_after,
    })
}

pub fn update(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
    changes: ServiceChanges,
    now: DateTime<Utc>,
) -> Result<Service, Error> {
    let Service {
        mut row,
        mut resource_ids,
        mut location_ids,
    } = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    if changes.resource_kinds.is_some() || changes.resource_ids.is_some() {
        let ids_given = changes.resource_ids.is_some();
        let kinds = match &changes.resource_kinds {
            Some(k) => k.clone(),
            None => row.resource_kinds()?,
        };
        let ids = changes.resource_ids.as_ref().unwrap_or(&resource_ids);
        check_resources(conn, org, ids, &kinds, ids_given)?;
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
    if let Some(v) = changes.active {
        row.active = v;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(now);
    // The row first: its version guard (and, on PostgreSQL, its row lock) decides between
    // two changes of the same service before either touches the lists.
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
        services::active.eq(row.active),
        services::version.eq(row.version),
        services::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get_row(conn, org, id)?.version))?;
    if let Some(v) = changes.resource_ids {
        service_links::replace_resources(conn, id, &v)?;
        resource_ids = v;
    }
    if let Some(v) = changes.location_ids {
        service_links::replace_locations(conn, id, &v)?;
        location_ids = v;
    }
    Ok(Service {
        row,
        resource_ids,
        location_ids,
    })
}

pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = get_row(conn, org, id)?;
    check_version(expected_version, row.version)?;
    super::ensure_no_appointments(
        conn,
        super::AppointmentRef::Service,
        id,
        Code::ServiceInUse,
        "service",
    )?;
    crate::repo::policies::delete_scoped_to(conn, None, Some(id))?;
    service_links::replace_resources(conn, id, &[])?;
    service_links::replace_locations(conn, id, &[])?;
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
    let found = crate::repo::resources::find_many(conn, org, ids)?;
    for (i, id) in ids.iter().enumerate() {
        let Some(resource) = found.iter().find(|r| &r.id == id) else {
            return Err(Error::invalid(
                format!("resource_ids[{i}]"),
                Code::ResourceNotFound,
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
                Code::ResourceKindNotRequired,
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
            Code::LocationNotFound,
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
