//! Closures: times a location (or one of its resources) is shut, e.g. public holidays.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::closures;
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = closures)]
pub struct ClosureRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: String,
    pub resource_id: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &ClosureRow) -> Result<(), Error> {
    diesel::insert_into(closures::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Closures of a location, optionally only those that end after `ending_after`.
pub fn list(
    conn: &mut DbConnection,
    location_id: &str,
    ending_after: Option<DateTime<Utc>>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<ClosureRow>, Error> {
    let mut q = closures::table
        .filter(closures::location_id.eq(location_id))
        .select(ClosureRow::as_select())
        .order(closures::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(t) = ending_after {
        q = q.filter(closures::ends_at.gt(to_db(t)));
    }
    if let Some(after) = after {
        q = q.filter(closures::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// Deletes one closure of a location; none there is `404`.
pub fn delete(conn: &mut DbConnection, location_id: &str, id: &str) -> Result<(), Error> {
    let deleted = diesel::delete(
        closures::table
            .filter(closures::location_id.eq(location_id))
            .filter(closures::id.eq(id)),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(Error::not_found("closure"));
    }
    Ok(())
}

/// Deletes every closure of a location, its resources' included.
pub fn delete_at_location(conn: &mut DbConnection, location_id: &str) -> Result<(), Error> {
    diesel::delete(closures::table.filter(closures::location_id.eq(location_id))).execute(conn)?;
    Ok(())
}

/// Deletes the closures of one resource.
pub fn delete_of_resource(conn: &mut DbConnection, resource_id: &str) -> Result<(), Error> {
    diesel::delete(closures::table.filter(closures::resource_id.eq(resource_id))).execute(conn)?;
    Ok(())
}
