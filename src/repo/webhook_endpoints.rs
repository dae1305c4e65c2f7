//! Integration webhook endpoints: where an organization's events are POSTed. Their
//! signing secrets are derived, never stored (only the generation is).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::webhook_endpoints;
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: String,
    pub organization_id: String,
    pub url: String,
    pub description: Option<String>,
    /// JSON array of event type names.
    pub event_types: String,
    pub active: bool,
    pub secret_generation: i32,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &EndpointRow) -> Result<(), Error> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<EndpointRow, Error> {
    webhook_endpoints::table
        .filter(webhook_endpoints::organization_id.eq(org))
        .filter(webhook_endpoints::id.eq(id))
        .select(EndpointRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("webhook endpoint"))
}

/// The organization's endpoints in id (creation) order, after `after`.
pub fn list(
    conn: &mut DbConnection,
    org: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<EndpointRow>, Error> {
    let mut q = webhook_endpoints::table
        .filter(webhook_endpoints::organization_id.eq(org))
        .select(EndpointRow::as_select())
        .order(webhook_endpoints::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(webhook_endpoints::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// The organization's active endpoints (what an event fans out to).
pub fn active_of(conn: &mut DbConnection, org: &str) -> Result<Vec<EndpointRow>, Error> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::organization_id.eq(org))
        .filter(webhook_endpoints::active.eq(true))
        .order(webhook_endpoints::id.asc())
        .select(EndpointRow::as_select())
        .load(conn)?)
}

/// Endpoints by id, of any organization (the dispatcher's targets).
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<EndpointRow>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::id.eq_any(ids))
        .select(EndpointRow::as_select())
        .load(conn)?)
}

/// Saves every changeable field if the row is still at `previous_version`.
pub fn save(
    conn: &mut DbConnection,
    row: &EndpointRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(&row.id))
            .filter(webhook_endpoints::version.eq(previous_version)),
    )
    .set((
        webhook_endpoints::url.eq(&row.url),
        webhook_endpoints::description.eq(&row.description),
        webhook_endpoints::event_types.eq(&row.event_types),
        webhook_endpoints::active.eq(row.active),
        webhook_endpoints::secret_generation.eq(row.secret_generation),
        webhook_endpoints::previous_secret_until.eq(row.previous_secret_until),
        webhook_endpoints::disabled_at.eq(row.disabled_at),
        webhook_endpoints::disabled_reason.eq(&row.disabled_reason),
        webhook_endpoints::version.eq(row.version),
        webhook_endpoints::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })
}

pub fn delete(conn: &mut DbConnection, org: &str, id: &str) -> Result<usize, Error> {
    Ok(diesel::delete(
        webhook_endpoints::table
            .filter(webhook_endpoints::organization_id.eq(org))
            .filter(webhook_endpoints::id.eq(id)),
    )
    .execute(conn)?)
}

/// Turns an endpoint off on Janji's own account (it answered 410 Gone), with why.
/// Returns whether it was still active.
pub fn disable(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool, Error> {
    let n = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::active.eq(true)),
    )
    .set((
        webhook_endpoints::active.eq(false),
        webhook_endpoints::disabled_at.eq(Some(to_db(now))),
        webhook_endpoints::disabled_reason.eq(Some(reason)),
        webhook_endpoints::version.eq(webhook_endpoints::version + 1),
        webhook_endpoints::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
