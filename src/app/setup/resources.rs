//! Resources: service bays, service advisors and anything else a service needs, each at
//! one location.

use chrono::{DateTime, Utc};

use crate::app::Ctx;
use crate::app::in_use::{named_by_services, names, refuse_if_appointments};
use crate::db::DbConnection;
use crate::domain::{ResourceKind, WeeklyHours};
use crate::error::{Code, Error};
pub use crate::repo::resources::ResourceFilter;
use crate::repo::resources::{self, ResourceRow};
use crate::repo::{
    AppointmentRef, Page, check_version, closures, from_db, locations, new_id, service_links,
    services, to_db,
};

/// A resource as a use case returns it.
#[derive(Clone, Debug)]
pub struct Resource {
    pub id: String,
    pub location_id: String,
    pub name: String,
    pub kind: ResourceKind,
    /// `None`: it follows its location's hours.
    pub weekly_hours: Option<WeeklyHours>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ResourceRow> for Resource {
    fn from(r: ResourceRow) -> Self {
        Resource {
            kind: r.kind,
            weekly_hours: r.weekly_hours,
            id: r.id,
            location_id: r.location_id,
            name: r.name,
            active: r.active,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        }
    }
}

/// A validated new resource; `location_id` is checked against the organization here.
#[derive(Clone)]
pub struct NewResource {
    pub location_id: String,
    pub name: String,
    pub kind: ResourceKind,
    /// `None`: follows the location's hours.
    pub weekly_hours: Option<WeeklyHours>,
    pub active: bool,
}

/// A partial change; the outer `None` leaves a field unchanged, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct ResourceChanges {
    pub name: Option<String>,
    pub kind: Option<ResourceKind>,
    pub weekly_hours: Option<Option<WeeklyHours>>,
    pub active: Option<bool>,
}

pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewResource) -> Result<Resource, Error> {
    if !locations::exists(conn, &ctx.org, &new.location_id)? {
        return Err(Error::invalid(
            "location_id",
            Code::LocationNotFound,
            "no location with this id in your organization",
        ));
    }
    let row = ResourceRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        location_id: new.location_id,
        name: new.name,
        kind: new.kind,
        weekly_hours: new.weekly_hours,
        active: new.active,
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    };
    resources::insert(conn, &row)?;
    Ok(row.into())
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Resource, Error> {
    Ok(resources::get(conn, &ctx.org, id)?.into())
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    filter: ResourceFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Resource>, Error> {
    Ok(resources::list(conn, &ctx.org, filter, after, limit)?.map(Resource::from))
}

/// Changes a resource; a new kind is refused while a service names the resource but
/// does not require that kind.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    changes: ResourceChanges,
) -> Result<Resource, Error> {
    let mut row = resources::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let before = row.clone();
    if let Some(v) = changes.name {
        row.name = v;
    }
    if let Some(kind) = changes.kind
        && kind != row.kind
    {
        // A service that names this resource must still require its kind.
        resources::lock(conn, id)?;
        let mut refusing = vec![];
        for service in service_links::naming_resource(conn, &ctx.org, id)? {
            let kinds: Vec<ResourceKind> = services::from_json(&service.resource_kinds)?;
            if !kinds.contains(&kind) {
                refusing.push(service);
            }
        }
        if !refusing.is_empty() {
            return Err(named_by_services(
                Code::ResourceInUse,
                format!(
                    "service(s) {} list this resource but do not require a {}; change them first",
                    names(&refusing),
                    kind.as_str()
                ),
                &refusing,
            ));
        }
        row.kind = kind;
    }
    if let Some(v) = changes.weekly_hours {
        row.weekly_hours = v;
    }
    if let Some(v) = changes.active {
        row.active = v;
    }
    if row == before {
        // Nothing changes: the version (and so the ETag) stays.
        return Ok(row.into());
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    resources::save(conn, &row, previous)?;
    Ok(row.into())
}

/// Deletes a resource that no service names and no appointment holds; its own closures
/// go with it. While services name it the answer is 409 `resource_in_use` with those
/// services in `data.services`.
pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    resources::lock(conn, id)?;
    let row = resources::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let naming = service_links::naming_resource(conn, &ctx.org, id)?;
    if !naming.is_empty() {
        return Err(named_by_services(
            Code::ResourceInUse,
            format!(
                "service(s) {} list this resource in resource_ids; remove it there first",
                names(&naming)
            ),
            &naming,
        ));
    }
    refuse_if_appointments(
        conn,
        AppointmentRef::Resource,
        id,
        Code::ResourceInUse,
        "resource",
    )?;
    closures::delete_of_resource(conn, id)?;
    resources::delete(conn, id)
}
