//! Policies per scope, and which one applies to an appointment.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::{locations, policies, services};
use crate::domain::Currency;
use crate::domain::policy_doc::PolicyDoc;
use crate::error::{Code, Error};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = policies)]
pub struct PolicyRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: Option<String>,
    pub service_id: Option<String>,
    pub scope_key: String,
    pub name: String,
    pub currency: String,
    pub body: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PolicyRow {
    pub fn doc(&self) -> Result<PolicyDoc, Error> {
        serde_json::from_str(&self.body).map_err(|e| Error::internal(format!("stored policy: {e}")))
    }
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

/// The rules of a policy, validated.
#[derive(Clone)]
pub struct PolicyRules {
    pub name: String,
    /// `None`: the organization's currency.
    pub currency: Option<Currency>,
    pub doc: PolicyDoc,
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

pub fn create(
    conn: &mut DbConnection,
    org: &str,
    location_id: Option<String>,
    service_id: Option<String>,
    rules: PolicyRules,
    now: DateTime<Utc>,
) -> Result<PolicyRow, Error> {
    if let Some(l) = &location_id {
        let n: i64 = locations::table
            .filter(locations::organization_id.eq(org))
            .filter(locations::id.eq(l))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(Error::invalid(
                "location_id",
                Code::LocationNotFound,
                "no such location in this organization",
            ));
        }
    }
    if let Some(s) = &service_id {
        let n: i64 = services::table
            .filter(services::organization_id.eq(org))
            .filter(services::id.eq(s))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(Error::invalid(
                "service_id",
                Code::ServiceNotFound,
                "no such service in this organization",
            ));
        }
    }
    let (_, scope_key) = scope_of(location_id.as_deref(), service_id.as_deref());
    let currency = match rules.currency {
        Some(c) => c.code().to_owned(),
        None => crate::repo::organizations::get(conn, org)?.currency,
    };
    let row = PolicyRow {
        id: new_id(),
        organization_id: org.to_owned(),
        location_id,
        service_id,
        scope_key,
        name: rules.name,
        currency,
        body: serde_json::to_string(&rules.doc).expect("policy serialises"),
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    diesel::insert_into(policies::table)
        .values(&row)
        .execute(conn)
        .map_err(exists_error)?;
    Ok(row)
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

/// Replaces a policy's rules (its scope stays).
pub fn replace(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
    rules: PolicyRules,
    now: DateTime<Utc>,
) -> Result<PolicyRow, Error> {
    let mut row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    let previous = row.version;
    row.name = rules.name;
    if let Some(c) = rules.currency {
        row.currency = c.code().to_owned();
    }
    row.body = serde_json::to_string(&rules.doc).expect("policy serialises");
    row.version += 1;
    row.updated_at = to_db(now);
    let updated = diesel::update(
        policies::table
            .filter(policies::id.eq(id))
            .filter(policies::version.eq(previous)),
    )
    .set((
        policies::name.eq(&row.name),
        policies::currency.eq(&row.currency),
        policies::body.eq(&row.body),
        policies::version.eq(row.version),
        policies::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || Ok(get(conn, org, id)?.version))?;
    Ok(row)
}

pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
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
