//! Resources: a service bay, a service advisor or anything else a service needs, at one
//! location, with its own weekly hours or the location's.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{closures, resources};
use crate::domain::{ResourceKind, WeeklyHours};
use crate::error::{Code, Error};
use crate::repo::service_links;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = resources)]
pub struct ResourceRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: String,
    pub name: String,
    pub kind: String,
    /// `None`: the resource follows its location's hours.
    pub weekly_hours: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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

/// Which resources a list shows; `None` does not filter.
#[derive(Default)]
pub struct ResourceFilter {
    pub location_id: Option<String>,
    pub kind: Option<ResourceKind>,
    pub active: Option<bool>,
}

pub fn create(
    conn: &mut DbConnection,
    org: &str,
    new: NewResource,
    now: DateTime<Utc>,
) -> Result<ResourceRow, Error> {
    if crate::repo::locations::get(conn, org, &new.location_id).is_err() {
        return Err(Error::invalid(
            "location_id",
            Code::LocationNotFound,
            "no location with this id in your organization",
        ));
    }
    let row = ResourceRow {
        id: new_id(),
        organization_id: org.to_owned(),
        location_id: new.location_id,
        name: new.name,
        kind: new.kind.as_str().to_owned(),
        weekly_hours: new.weekly_hours.as_ref().map(WeeklyHours::to_json),
        active: new.active,
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    diesel::insert_into(resources::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// A resource of this organization; another organization's is simply not found.
pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<ResourceRow, Error> {
    resources::table
        .filter(resources::organization_id.eq(org))
        .filter(resources::id.eq(id))
        .select(ResourceRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("resource"))
}

/// The resources of this organization among `ids` (unknown ids are left out). On
/// PostgreSQL they stay share-locked until the transaction ends: a service about to name
/// them reads kinds that cannot change (nor the rows go) before it commits.
pub fn find_many(
    conn: &mut DbConnection,
    org: &str,
    ids: &[String],
) -> Result<Vec<ResourceRow>, Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let q = resources::table
        .filter(resources::organization_id.eq(org))
        .filter(resources::id.eq_any(ids));
    Ok(match conn {
        DbConnection::Pg(c) => q.select(ResourceRow::as_select()).for_share().load(c)?,
        // One writer at a time: nothing can change between the read and the commit.
        DbConnection::Sqlite(c) => q.select(ResourceRow::as_select()).load(c)?,
    })
}

/// Locks the resource's row until the transaction ends (PostgreSQL; SQLite runs one
/// writer at a time). A change that names the resource holds a key-share lock on it
/// from its insert to its commit, so after this lock the names read are complete, and
/// a name added later waits for this transaction and then meets the foreign key.
fn lock(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    if let DbConnection::Pg(c) = conn {
        resources::table
            .filter(resources::id.eq(id))
            .select(resources::id)
            .for_update()
            .get_result::<String>(c)
            .optional()?;
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: ResourceFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<ResourceRow>, Error> {
    let mut q = resources::table
        .filter(resources::organization_id.eq(org))
        .select(ResourceRow::as_select())
        .order(resources::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(location_id) = filter.location_id {
        q = q.filter(resources::location_id.eq(location_id));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(resources::kind.eq(kind.as_str()));
    }
    if let Some(active) = filter.active {
        q = q.filter(resources::active.eq(active));
    }
    if let Some(after) = after {
        q = q.filter(resources::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

pub fn update(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
    changes: ResourceChanges,
    now: DateTime<Utc>,
) -> Result<ResourceRow, Error> {
    let mut row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    if let Some(v) = changes.name {
        row.name = v;
    }
    if let Some(kind) = changes.kind
        && kind.as_str() != row.kind
    {
        // A service that names this resource must still require its kind.
        lock(conn, id)?;
        let mut refusing = vec![];
        for service in service_links::naming_resource(conn, org, id)? {
            let kinds: Vec<ResourceKind> =
                crate::repo::services::from_json(&service.resource_kinds)?;
            if !kinds.contains(&kind) {
                refusing.push(service);
            }
        }
        if !refusing.is_empty() {
            return Err(service_links::in_use(
                Code::ResourceInUse,
                format!(
                    "service(s) {} list this resource but do not require a {}; change them first",
                    service_links::names(&refusing),
                    kind.as_str()
                ),
                &refusing,
            ));
        }
        row.kind = kind.as_str().to_owned();
    }
    if let Some(v) = changes.weekly_hours {
        row.weekly_hours = v.as_ref().map(WeeklyHours::to_json);
    }
    if let Some(v) = changes.active {
        row.active = v;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(now);
    let updated = diesel::update(
        resources::table
            .filter(resources::id.eq(id))
            .filter(resources::version.eq(previous)),
    )
    .set((
        resources::name.eq(&row.name),
        resources::kind.eq(&row.kind),
        resources::weekly_hours.eq(&row.weekly_hours),
        resources::active.eq(row.active),
        resources::version.eq(row.version),
        resources::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get(conn, org, id)?.version))?;
    Ok(row)
}

/// Deletes a resource that no service names and no appointment holds; its own closures
/// go with it. While services name it the answer is 409 `resource_in_use` with those
/// services in `data.services`.
pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    lock(conn, id)?;
    let row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    let naming = service_links::naming_resource(conn, org, id)?;
    if !naming.is_empty() {
        return Err(service_links::in_use(
            Code::ResourceInUse,
            format!(
                "service(s) {} list this resource in resource_ids; remove it there first",
                service_links::names(&naming)
            ),
            &naming,
        ));
    }
    super::ensure_no_appointments(
        conn,
        super::AppointmentRef::Resource,
        id,
        Code::ResourceInUse,
        "resource",
    )?;
    diesel::delete(closures::table.filter(closures::resource_id.eq(id))).execute(conn)?;
    diesel::delete(resources::table.filter(resources::id.eq(id)))
        .execute(conn)
        .map_err(service_links::refused_delete(
            Code::ResourceInUse,
            "resource",
        ))?;
    Ok(())
}
