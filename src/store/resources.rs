//! Resources: a service bay, a service advisor or anything else a service needs, at one
//! location, with its own weekly hours or the location's.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{closures, resources, services};
use crate::domain::{ResourceKind, WeeklyHours};
use crate::error::Error;

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
    if super::locations::get(conn, org, &new.location_id).is_err() {
        return Err(Error::invalid(
            "location_id",
            "location_not_found",
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

/// The resources of this organization among `ids` (unknown ids are left out).
pub fn find_many(
    conn: &mut DbConnection,
    org: &str,
    ids: &[String],
) -> Result<Vec<ResourceRow>, Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(resources::table
        .filter(resources::organization_id.eq(org))
        .filter(resources::id.eq_any(ids))
        .select(ResourceRow::as_select())
        .load(conn)?)
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
        let refusing = listing_services(conn, org, id)?
            .into_iter()
            .filter(|(_, kinds)| !kinds.contains(&kind))
            .map(|(name, _)| name)
            .collect::<Vec<_>>();
        if !refusing.is_empty() {
            return Err(Error::conflict(
                "resource_in_use",
                format!(
                    "service(s) {} list this resource but do not require a {}; change them first",
                    refusing.join(", "),
                    kind.as_str()
                ),
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

/// Deletes a resource that no service lists by id; its own closures go with it.
pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    let listing = listing_services(conn, org, id)?;
    if !listing.is_empty() {
        let names = listing.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        return Err(Error::conflict(
            "resource_in_use",
            format!(
                "service(s) {} list this resource in resource_ids; remove it there first",
                names.join(", ")
            ),
        ));
    }
    super::ensure_no_appointments(
        conn,
        super::AppointmentRef::Resource,
        id,
        "resource_in_use",
        "resource",
    )?;
    diesel::delete(closures::table.filter(closures::resource_id.eq(id))).execute(conn)?;
    diesel::delete(resources::table.filter(resources::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Services of this organization whose `resource_ids` name `id`, with their required kinds.
fn listing_services(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<Vec<(String, Vec<ResourceKind>)>, Error> {
    // The lists are JSON text; ids are UUIDs, so the quoted id cannot match by accident.
    let rows: Vec<(String, String, String)> = services::table
        .filter(services::organization_id.eq(org))
        .filter(services::resource_ids.like(format!("%\"{id}\"%")))
        .select((
            services::name,
            services::resource_kinds,
            services::resource_ids,
        ))
        .order(services::id.asc())
        .load(conn)?;
    let mut listing = vec![];
    for (name, kinds, ids) in rows {
        let ids: Vec<String> = super::services::from_json(&ids)?;
        if ids.iter().any(|i| i == id) {
            listing.push((name, super::services::from_json(&kinds)?));
        }
    }
    Ok(listing)
}
