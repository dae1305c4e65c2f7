//! Services: what a customer books, how long it takes, which kinds of resource it needs,
//! which resources it may be given and where it is offered.

use chrono::{DateTime, Utc};

use crate::app::Ctx;
use crate::app::in_use::refuse_if_appointments;
use crate::db::DbConnection;
use crate::domain::ResourceKind;
use crate::error::{Code, Error};
use crate::repo::service_links::{self, Links};
pub use crate::repo::services::ServiceFilter;
use crate::repo::services::{self, ServiceRow};
use crate::repo::{
    AppointmentRef, Page, check_version, from_db, locations, new_id, policies, resources, to_db,
};

/// A service with the resources and locations it names, as a use case returns it.
#[derive(Clone, Debug)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_before_minutes: i32,
    pub buffer_after_minutes: i32,
    pub resource_kinds: Vec<ResourceKind>,
    /// Resource ids; empty: any resource of a required kind.
    pub resource_ids: Vec<String>,
    /// Location ids; empty: offered at every location.
    pub location_ids: Vec<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Service {
    fn new(r: ServiceRow, links: Links) -> Result<Self, Error> {
        Ok(Service {
            resource_kinds: r.resource_kinds()?,
            resource_ids: links.resource_ids,
            location_ids: links.location_ids,
            id: r.id,
            name: r.name,
            duration_minutes: r.duration_minutes,
            buffer_before_minutes: r.buffer_before_minutes,
            buffer_after_minutes: r.buffer_after_minutes,
            active: r.active,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
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

/// Creates a service whose resources exist, are each of a required kind, and whose
/// locations exist.
pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewService) -> Result<Service, Error> {
    check_resources(conn, &ctx.org, &new.resource_ids, &new.resource_kinds, true)?;
    check_locations(conn, &ctx.org, &new.location_ids)?;
    let row = ServiceRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        name: new.name,
        duration_minutes: new.duration_minutes,
        buffer_before_minutes: new.buffer_before_minutes,
        buffer_after_minutes: new.buffer_after_minutes,
        resource_kinds: services::to_json(&new.resource_kinds),
        active: new.active,
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    };
    services::insert(conn, &row)?;
    service_links::replace_resources(conn, &row.id, &new.resource_ids)?;
    service_links::replace_locations(conn, &row.id, &new.location_ids)?;
    let links = Links {
        resource_ids: new.resource_ids,
        location_ids: new.location_ids,
    };
    Service::new(row, links)
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Service, Error> {
    let row = services::get_row(conn, &ctx.org, id)?;
    let links = links_of(conn, &row.id)?;
    Service::new(row, links)
}

fn links_of(conn: &mut DbConnection, id: &str) -> Result<Links, Error> {
    Ok(service_links::load(conn, &[id.to_owned()])?
        .remove(id)
        .unwrap_or_default())
}

/// A page of services, each with its lists (two more reads whatever the page's size).
pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    filter: ServiceFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Service>, Error> {
    let page = services::list(conn, &ctx.org, filter, after, limit)?;
    let ids: Vec<String> = page.items.iter().map(|r| r.id.clone()).collect();
    let mut links = service_links::load(conn, &ids)?;
    page.try_map(|row| {
        let l = links.remove(&row.id).unwrap_or_default();
        Service::new(row, l)
    })
}

/// Changes a service; the result obeys the same rules as a new one.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    changes: ServiceChanges,
) -> Result<Service, Error> {
    let mut row = services::get_row(conn, &ctx.org, id)?;
    let mut links = links_of(conn, id)?;
    check_version(expected_version, row.version)?;
    let before = row.clone();
    if changes.resource_kinds.is_some() || changes.resource_ids.is_some() {
        let ids_given = changes.resource_ids.is_some();
        let kinds = match &changes.resource_kinds {
            Some(k) => k.clone(),
            None => row.resource_kinds()?,
        };
        let ids = changes.resource_ids.as_ref().unwrap_or(&links.resource_ids);
        check_resources(conn, &ctx.org, ids, &kinds, ids_given)?;
    }
    if let Some(ids) = &changes.location_ids {
        check_locations(conn, &ctx.org, ids)?;
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
        row.resource_kinds = services::to_json(&v);
    }
    if let Some(v) = changes.active {
        row.active = v;
    }
    let links_unchanged = changes
        .resource_ids
        .as_ref()
        .is_none_or(|v| *v == links.resource_ids)
        && changes
            .location_ids
            .as_ref()
            .is_none_or(|v| *v == links.location_ids);
    if row == before && links_unchanged {
        // Nothing changes: the version (and so the ETag) stays.
        return Service::new(row, links);
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    // The row first: its version guard (and, on PostgreSQL, its row lock) decides between
    // two changes of the same service before either touches the lists.
    services::save(conn, &row, previous)?;
    if let Some(v) = changes.resource_ids {
        service_links::replace_resources(conn, id, &v)?;
        links.resource_ids = v;
    }
    if let Some(v) = changes.location_ids {
        service_links::replace_locations(conn, id, &v)?;
        links.location_ids = v;
    }
    Service::new(row, links)
}

/// Deletes a service no appointment refers to, with its lists and the policies scoped
/// to it.
pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = services::get_row(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    refuse_if_appointments(
        conn,
        AppointmentRef::Service,
        id,
        Code::ServiceInUse,
        "service",
    )?;
    policies::delete_scoped_to(conn, None, Some(id))?;
    service_links::replace_resources(conn, id, &[])?;
    service_links::replace_locations(conn, id, &[])?;
    services::delete(conn, id)
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
    let found = resources::find_many(conn, org, ids)?;
    for (i, id) in ids.iter().enumerate() {
        let Some(resource) = found.iter().find(|r| &r.id == id) else {
            return Err(Error::invalid(
                format!("resource_ids[{i}]"),
                Code::ResourceNotFound,
                "no resource with this id in your organization",
            ));
        };
        let kind = resource.kind;
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
    let found = locations::existing(conn, org, ids)?;
    match ids.iter().position(|id| !found.contains(id)) {
        Some(i) => Err(Error::invalid(
            format!("location_ids[{i}]"),
            Code::LocationNotFound,
            "no location with this id in your organization",
        )),
        None => Ok(()),
    }
}
