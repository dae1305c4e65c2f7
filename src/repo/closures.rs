//! Closures: times a location (or one of its resources) is shut, e.g. public holidays.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{closures, resources};
use crate::domain::TimeZone;
use crate::domain::closure_span::ClosureSpan;
use crate::error::{Code, Error};

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

/// A validated closure: `[starts_at, ends_at)` in UTC, `ends_at` after `starts_at`.
#[derive(Clone)]
pub struct NewClosure {
    pub resource_id: Option<String>,
    /// Resolved in the location's time zone when stored.
    pub span: ClosureSpan,
    pub reason: String,
}

/// Adds a closure to a location of this organization.
pub fn create(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    new: NewClosure,
    now: DateTime<Utc>,
) -> Result<ClosureRow, Error> {
    let location = crate::repo::locations::get(conn, org, location_id)?;
    let tz = TimeZone::parse("time_zone", &location.time_zone)?.tz();
    let (starts_at, ends_at) = new.span.resolve(tz)?;
    if let Some(resource_id) = &new.resource_id {
        let belongs: i64 = resources::table
            .filter(resources::organization_id.eq(org))
            .filter(resources::location_id.eq(location_id))
            .filter(resources::id.eq(resource_id))
            .count()
            .get_result(conn)?;
        if belongs == 0 {
            return Err(Error::invalid(
                "resource_id",
                Code::ResourceNotAtLocation,
                "the resource does not exist at this location",
            ));
        }
    }
    let row = ClosureRow {
        id: new_id(),
        organization_id: org.to_owned(),
        location_id: location_id.to_owned(),
        resource_id: new.resource_id,
        starts_at: to_db(starts_at),
        ends_at: to_db(ends_at),
        reason: new.reason,
        created_at: to_db(now),
    };
    diesel::insert_into(closures::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// Closures of a location, optionally only those that end after `ending_after`.
pub fn list(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    ending_after: Option<DateTime<Utc>>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<ClosureRow>, Error> {
    crate::repo::locations::get(conn, org, location_id)?;
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

pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    id: &str,
) -> Result<(), Error> {
    crate::repo::locations::get(conn, org, location_id)?;
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
