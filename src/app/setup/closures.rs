//! Closures: public holidays and other times a location, or one of its resources, is
//! shut.

use chrono::{DateTime, Utc};

use crate::app::Ctx;
use crate::db::DbConnection;
use crate::domain::closure_span::ClosureSpan;
use crate::error::{Code, Error};
use crate::repo::closures::{self, ClosureRow};
use crate::repo::{Page, from_db, locations, new_id, resources, to_db};

/// A closure as a use case returns it: `[starts_at, ends_at)`.
#[derive(Clone, Debug)]
pub struct Closure {
    pub id: String,
    pub location_id: String,
    /// Only this resource is closed; `None`: the whole location.
    pub resource_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

impl From<ClosureRow> for Closure {
    fn from(r: ClosureRow) -> Self {
        Closure {
            id: r.id,
            location_id: r.location_id,
            resource_id: r.resource_id,
            starts_at: from_db(r.starts_at),
            ends_at: from_db(r.ends_at),
            reason: r.reason,
            created_at: from_db(r.created_at),
        }
    }
}

/// A validated closure of a location.
#[derive(Clone)]
pub struct NewClosure {
    pub location_id: String,
    pub resource_id: Option<String>,
    /// Resolved in the location's time zone when stored.
    pub span: ClosureSpan,
    pub reason: String,
}

/// Adds a closure to a location of this organization; a closed resource must be one of
/// that location's.
pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewClosure) -> Result<Closure, Error> {
    let location = locations::get(conn, &ctx.org, &new.location_id)?;
    let (starts_at, ends_at) = new.span.resolve(location.time_zone.tz())?;
    if let Some(resource_id) = &new.resource_id
        && !resources::is_at(conn, &ctx.org, &location.id, resource_id)?
    {
        return Err(Error::invalid(
            "resource_id",
            Code::ResourceNotAtLocation,
            "the resource does not exist at this location",
        ));
    }
    let row = ClosureRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        location_id: location.id,
        resource_id: new.resource_id,
        starts_at: to_db(starts_at),
        ends_at: to_db(ends_at),
        reason: new.reason,
        created_at: to_db(ctx.now),
    };
    closures::insert(conn, &row)?;
    Ok(row.into())
}

/// Closures of a location of this organization, optionally only those that end after
/// `ending_after`.
pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    location_id: &str,
    ending_after: Option<DateTime<Utc>>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Closure>, Error> {
    locations::get(conn, &ctx.org, location_id)?;
    closures::list(conn, location_id, ending_after, after, limit)?.try_map(|r| Ok(r.into()))
}

pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    location_id: &str,
    id: &str,
) -> Result<(), Error> {
    locations::get(conn, &ctx.org, location_id)?;
    closures::delete(conn, location_id, id)
}
