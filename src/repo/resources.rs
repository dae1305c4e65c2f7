//! Resources: a service bay, a service advisor or anything else a service needs, at one
//! location, with its own weekly hours or the location's.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, page_of};
use crate::db::DbConnection;
use crate::db::schema::resources;
use crate::domain::{ResourceKind, WeeklyHours};
use crate::error::{Code, Error};
use crate::repo::service_links;

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = resources)]
pub struct ResourceRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: String,
    pub name: String,
    pub kind: ResourceKind,
    /// `None`: the resource follows its location's hours.
    pub weekly_hours: Option<WeeklyHours>,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which resources a list shows; `None` does not filter.
#[derive(Default)]
pub struct ResourceFilter {
    pub location_id: Option<String>,
    pub kind: Option<ResourceKind>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut DbConnection, row: &ResourceRow) -> Result<(), Error> {
    diesel::insert_into(resources::table)
        .values(row)
        .execute(conn)?;
    Ok(())
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

/// How many resources a location has.
pub fn count_at(conn: &mut DbConnection, location_id: &str) -> Result<i64, Error> {
    Ok(resources::table
        .filter(resources::location_id.eq(location_id))
        .count()
        .get_result(conn)?)
}

/// Whether `id` is a resource of this organization at this location.
pub fn is_at(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    id: &str,
) -> Result<bool, Error> {
    let n: i64 = resources::table
        .filter(resources::organization_id.eq(org))
        .filter(resources::location_id.eq(location_id))
        .filter(resources::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Locks the resource's row until the transaction ends (PostgreSQL; SQLite runs one
/// writer at a time). A change that names the resource holds a key-share lock on it
/// from its insert to its commit, so after this lock the names read are complete, and
/// a name added later waits for this transaction and then meets the foreign key.
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
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
        q = q.filter(resources::kind.eq(kind));
    }
    if let Some(active) = filter.active {
        q = q.filter(resources::active.eq(active));
    }
    if let Some(after) = after {
        q = q.filter(resources::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// Writes `row` over the stored resource if that is still at `previous_version`.
pub fn save(
    conn: &mut DbConnection,
    row: &ResourceRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        resources::table
            .filter(resources::id.eq(&row.id))
            .filter(resources::version.eq(previous_version)),
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
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })
}

/// Deletes the resource's row. A foreign key refusing it means something made since the
/// checks refers to it: `409 resource_in_use`.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(resources::table.filter(resources::id.eq(id)))
        .execute(conn)
        .map_err(service_links::refused_delete(
            Code::ResourceInUse,
            "resource",
        ))?;
    Ok(())
}
