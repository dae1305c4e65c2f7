//! Reschedule and cancellation policies: their CRUD per scope, and which one is in force
//! for an appointment.

use chrono::{DateTime, Utc};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::Currency;
use crate::domain::policy_doc::PolicyDoc;
use crate::error::{Code, Error};
pub use crate::repo::policies::Scope;
use crate::repo::policies::{self, PolicyRow, scope_of};
use crate::repo::{
    Page, appointments, check_version, from_db, locations, new_id, organizations, services, to_db,
};

/// A policy as a use case returns it.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    pub scope: Scope,
    pub location_id: Option<String>,
    pub service_id: Option<String>,
    pub name: String,
    pub currency: Currency,
    pub doc: PolicyDoc,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<PolicyRow> for Policy {
    type Error = Error;

    fn try_from(r: PolicyRow) -> Result<Self, Error> {
        Ok(Policy {
            doc: r.body,
            scope: scope_of(r.location_id.as_deref(), r.service_id.as_deref()).0,
            id: r.id,
            location_id: r.location_id,
            service_id: r.service_id,
            name: r.name,
            currency: r.currency,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
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

/// A new policy for the organization, a location, a service, or a service at a location.
#[derive(Clone)]
pub struct NewPolicy {
    pub location_id: Option<String>,
    pub service_id: Option<String>,
    pub rules: PolicyRules,
}

/// Creates a policy for a scope of this organization that has none yet.
pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewPolicy) -> Result<Policy, Error> {
    if let Some(l) = &new.location_id
        && !locations::exists(conn, &ctx.org, l)?
    {
        return Err(Error::invalid(
            "location_id",
            Code::LocationNotFound,
            "no such location in this organization",
        ));
    }
    if let Some(s) = &new.service_id
        && !services::exists(conn, &ctx.org, s)?
    {
        return Err(Error::invalid(
            "service_id",
            Code::ServiceNotFound,
            "no such service in this organization",
        ));
    }
    let (_, scope_key) = scope_of(new.location_id.as_deref(), new.service_id.as_deref());
    let currency = match new.rules.currency {
        Some(c) => c,
        None => organizations::get(conn, &ctx.org)?.currency,
    };
    let row = PolicyRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        location_id: new.location_id,
        service_id: new.service_id,
        scope_key,
        name: new.rules.name,
        currency,
        body: new.rules.doc,
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    };
    policies::insert(conn, &row)?;
    row.try_into()
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Policy, Error> {
    policies::get(conn, &ctx.org, id)?.try_into()
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Policy>, Error> {
    policies::list(conn, &ctx.org, after, limit)?.try_map(Policy::try_from)
}

/// Replaces a policy's rules (its scope stays).
pub fn replace(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    rules: PolicyRules,
) -> Result<Policy, Error> {
    let mut row = policies::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let before = row.clone();
    let previous = row.version;
    row.name = rules.name;
    if let Some(c) = rules.currency {
        row.currency = c;
    }
    row.body = rules.doc;
    if row == before {
        // The same rules again: the version (and so the ETag) stays.
        return row.try_into();
    }
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    policies::save(conn, &row, previous)?;
    row.try_into()
}

pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = policies::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    policies::delete(conn, id)
}

/// The policy in force for an appointment and the scope it comes from; `None` when no
/// policy is configured for it.
pub struct InForce {
    pub appointment_id: String,
    pub policy: Option<(Scope, Policy)>,
}

/// Which policy applies to an appointment: the one for its service at its location, else
/// its service, else its location, else the organization's.
pub fn in_force(
    conn: &mut DbConnection,
    ctx: &Ctx,
    appointment_id: &str,
) -> Result<InForce, Error> {
    let a = appointments::get(conn, &ctx.org, appointment_id)?;
    let policy = policies::resolve(conn, &ctx.org, &a.location_id, &a.service_id)?
        .map(|(scope, row)| Ok::<_, Error>((scope, row.try_into()?)))
        .transpose()?;
    Ok(InForce {
        appointment_id: a.id,
        policy,
    })
}
