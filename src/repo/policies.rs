//! Policies per scope, and which one applies to an appointment.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{Page, page_of};
use crate::db::DbConnection;
use crate::db::schema::policies;
use crate::domain::Currency;
use crate::domain::policy_doc::PolicyDoc;
use crate::error::{Code, Error};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = policies)]
pub struct PolicyRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: Option<String>,
    pub service_id: Option<String>,
    pub scope_key: String,
    pub name: String,
    pub currency: Currency,
    /// The rules, stored as JSON.
    pub body: PolicyDoc,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a policy applies to; `Organization` when neither is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Organization,
    Location,
    Service,
    LocationService,
    /// No policy is configured: every change is free, unlimited and needs no reason.
    Default,
}

pub fn scope_of(location_id: Option<&str>, service_id: Option<&str>) -> (Scope, String) {
    match (location_id, service_id) {
        (None, None) => (Scope::Organization, "organization".to_owned()),
        (Some(l), None) => (Scope::Location, format!("location:{l}")),
        (None, Some(s)) => (Scope::Service, format!("service:{s}")),
        (Some(l), Some(s)) => (Scope::LocationService, format!("location:{l}/service:{s}")),
    }
}

fn exists_error(e: DieselError) -> Error {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::new(
            Code::PolicyExists,
            "this scope already has a policy; change that one instead",
        ),
        e => e.into(),
    }
}

/// Inserts a policy; the unique scope key refuses a second policy for one scope.
pub fn insert(conn: &mut DbConnection, row: &PolicyRow) -> Result<(), Error> {
    diesel::insert_into(policies::table)
        .values(row)
        .execute(conn)
        .map_err(exists_error)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<PolicyRow, Error> {
    policies::table
        .filter(policies::organization_id.eq(org))
        .filter(policies::id.eq(id))
        .select(PolicyRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("policy"))
}

pub fn list(
    conn: &mut DbConnection,
    org: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<PolicyRow>, Error> {
    let mut q = policies::table
        .filter(policies::organization_id.eq(org))
        .select(PolicyRow::as_select())
        .order(policies::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(policies::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// Writes `row` over the stored policy if that is still at `previous_version`.
pub fn save(conn: &mut DbConnection, row: &PolicyRow, previous_version: i64) -> Result<(), Error> {
    let updated = diesel::update(
        policies::table
            .filter(policies::id.eq(&row.id))
            .filter(policies::version.eq(previous_version)),
    )
    .set((
        policies::name.eq(&row.name),
        policies::currency.eq(&row.currency),
        policies::body.eq(&row.body),
        policies::version.eq(row.version),
        policies::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(policies::table.filter(policies::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Removes the policies scoped to a location or service that is being deleted.
pub fn delete_scoped_to(
    conn: &mut DbConnection,
    location_id: Option<&str>,
    service_id: Option<&str>,
) -> Result<(), Error> {
    if let Some(l) = location_id {
        diesel::delete(policies::table.filter(policies::location_id.eq(l))).execute(conn)?;
    }
    if let Some(s) = service_id {
        diesel::delete(policies::table.filter(policies::service_id.eq(s))).execute(conn)?;
    }
    Ok(())
}

/// The policy in force for a service at a location: the service at that location, else
/// the service, else the location, else the organization's; `None` if there is none.
pub fn resolve(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
) -> Result<Option<(Scope, PolicyRow)>, Error> {
    let order = [
        scope_of(Some(location_id), Some(service_id)),
        scope_of(None, Some(service_id)),
        scope_of(Some(location_id), None),
        scope_of(None, None),
    ];
    let keys: Vec<&str> = order.iter().map(|(_, k)| k.as_str()).collect();
    let rows: Vec<PolicyRow> = policies::table
        .filter(policies::organization_id.eq(org))
        .filter(policies::scope_key.eq_any(&keys))
        .select(PolicyRow::as_select())
        .load(conn)?;
    Ok(order.into_iter().find_map(|(scope, key)| {
        rows.iter()
            .find(|r| r.scope_key == key)
            .map(|r| (scope, r.clone()))
    }))
}
