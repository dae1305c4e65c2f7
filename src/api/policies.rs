//! `/v1/policies`: reschedule and cancellation policies (admin), and
//! `GET /v1/appointments/{id}/policy`: the one in force for an appointment and why.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::policies::{self, NewPolicy, Policy, PolicyRules, Scope};
use crate::domain::policy_doc::{ChangeRulesDoc, PolicyDoc, PolicyText, RescheduleDoc};
use crate::domain::{Currency, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::json_shape::object;
use crate::http::pagination::{List, PageParams};
use crate::http::precondition::{IfMatch, etag};
use crate::http::responses::*;
use crate::http::state::AppState;

/// A policy: what moving or cancelling costs and when it is refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub scope: Scope,
    #[schema(format = Uuid)]
    pub location_id: Option<String>,
    #[schema(format = Uuid)]
    pub service_id: Option<String>,
    pub name: String,
    /// ISO 4217; every fee is in integer minor units of it.
    pub currency: String,
    pub reschedule: RescheduleDoc,
    pub cancellation: ChangeRulesDoc,
    pub text: PolicyText,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Policy> for PolicyResponse {
    fn from(p: Policy) -> Self {
        PolicyResponse {
            id: p.id,
            scope: p.scope,
            location_id: p.location_id,
            service_id: p.service_id,
            name: p.name,
            currency: p.currency.code().to_owned(),
            reschedule: p.doc.reschedule,
            cancellation: p.doc.cancellation,
            text: p.doc.text,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A new policy. Give `location_id` and/or `service_id` to narrow its scope; neither
/// makes it the organization's. The most specific policy applies: a service at a
/// location, then the service, then the location, then the organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePolicyRequest {
    #[schema(format = Uuid)]
    pub location_id: Option<Uuid>,
    #[schema(format = Uuid)]
    pub service_id: Option<Uuid>,
    #[schema(example = "Kebijakan standar")]
    pub name: String,
    /// Default: the organization's currency.
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "object")]
    pub reschedule: RescheduleDoc,
    #[serde(default, deserialize_with = "object")]
    pub cancellation: ChangeRulesDoc,
    #[serde(default, deserialize_with = "object")]
    pub text: PolicyText,
}

/// The whole rule set of a policy, replacing the stored one (the scope stays).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacePolicyRequest {
    pub name: String,
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "object")]
    pub reschedule: RescheduleDoc,
    #[serde(default, deserialize_with = "object")]
    pub cancellation: ChangeRulesDoc,
    #[serde(default, deserialize_with = "object")]
    pub text: PolicyText,
}

fn rules(name: &str, currency: Option<&str>, doc: PolicyDoc) -> Result<PolicyRules, Error> {
    Ok(PolicyRules {
        name: text::required("name", name, 200)?,
        currency: currency
            .map(|c| Currency::parse("currency", c))
            .transpose()?,
        doc: doc.validated()?,
    })
}

/// Create a policy (admin).
///
/// Fee tiers go from the largest notice to the smallest, each notice once
/// (`tiers_not_ordered`); when late changes are charged and the minimum notice is above
/// 0, the last tier has notice 0 (`late_fee_missing`); `max_per_customer` needs
/// `customer_window_days` (`window_required`).
#[utoipa::path(
    tag = "policies",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = CreatePolicyRequest,
    responses(
        (status = 201, body = PolicyResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/policies")]
pub async fn create_policy(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(b): Json<CreatePolicyRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let doc = PolicyDoc {
        reschedule: b.reschedule,
        cancellation: b.cancellation,
        text: b.text,
    };
    let new = NewPolicy {
        rules: rules(&b.name, b.currency.as_deref(), doc)?,
        location_id: b.location_id.map(|v| v.to_string()),
        service_id: b.service_id.map(|v| v.to_string()),
    };
    let ctx = state.ctx(&principal);
    idempotency
        .reply(&state, move |c| {
            let body = PolicyResponse::from(policies::create(c, &ctx, new.clone())?);
            let location = format!("/v1/policies/{}", body.id);
            Reply::versioned(StatusCode::CREATED, body.version, location, &body)
        })
        .await
}

/// List policies.
#[utoipa::path(
    tag = "policies",
    security(("api_key" = [])),
    params(PageParams),
    responses((status = 200, body = List<PolicyResponse>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized))
)]
#[get("/policies")]
pub async fn list_policies(
    state: web::Data<AppState>,
    principal: Principal,
    Query(page): Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = page.parse()?;
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| policies::list(c, &ctx, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |p| Ok(PolicyResponse::from(p)))?))
}

/// Get a policy, with its version as `ETag`.
#[utoipa::path(
    tag = "policies",
    security(("api_key" = [])),
    params(("policy_id" = Uuid, Path)),
    responses((status = 200, body = PolicyResponse, headers(("ETag" = String))), (status = 401, response = Unauthorized), (status = 404, response = NotFound))
)]
#[get("/policies/{policy_id}")]
pub async fn get_policy(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let policy = state.db.read(move |c| policies::get(c, &ctx, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(policy.version))
        .json(PolicyResponse::from(policy)))
}

/// Replace a policy's rules (admin). Honours `If-Match`.
///
/// Fee tiers go from the largest notice to the smallest, each notice once
/// (`tiers_not_ordered`); when late changes are charged and the minimum notice is above
/// 0, the last tier has notice 0 (`late_fee_missing`); `max_per_customer` needs
/// `customer_window_days` (`window_required`).
/// A stale `If-Match` is `412 version_mismatch`; the same rules again keep the version
/// (and the `ETag`).
#[utoipa::path(
    tag = "policies",
    security(("api_key" = [])),
    params(("policy_id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = ReplacePolicyRequest,
    responses(
        (status = 200, body = PolicyResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[put("/policies/{policy_id}")]
pub async fn replace_policy(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(b): Json<ReplacePolicyRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let doc = PolicyDoc {
        reschedule: b.reschedule,
        cancellation: b.cancellation,
        text: b.text,
    };
    let rules = rules(&b.name, b.currency.as_deref(), doc)?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let policy = state
        .db
        .write(move |c| policies::replace(c, &ctx, &id, expected, rules.clone()))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(policy.version))
        .json(PolicyResponse::from(policy)))
}

/// Delete a policy (admin); the next less specific one applies again.
#[utoipa::path(
    tag = "policies",
    security(("api_key" = [])),
    params(("policy_id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted"), (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/policies/{policy_id}")]
pub async fn delete_policy(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| policies::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}

/// The policy in force for an appointment and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentPolicyResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    /// Which scope supplied the policy; `default` when none is configured.
    pub source: Scope,
    /// In words, for the front desk.
    pub why: String,
    /// The configured policy; absent for `default`.
    pub policy: Option<PolicyResponse>,
}

/// Which policy applies to an appointment: the one for its service at its location, else
/// its service, else its location, else the organization's, else the lenient default.
#[utoipa::path(
    tag = "policies",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path)),
    responses((status = 200, body = AppointmentPolicyResponse), (status = 401, response = Unauthorized), (status = 404, response = NotFound))
)]
#[get("/appointments/{appointment_id}/policy")]
pub async fn get_appointment_policy(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let in_force = state
        .db
        .read(move |c| policies::in_force(c, &ctx, &id))
        .await?;
    let (source, policy) = match in_force.policy {
        Some((scope, policy)) => (scope, Some(PolicyResponse::from(policy))),
        None => (Scope::Default, None),
    };
    let why = match source {
        Scope::LocationService => "the policy for this service at this location",
        Scope::Service => "the policy for this service (no policy for it at this location)",
        Scope::Location => "the policy for this location (none for this service)",
        Scope::Organization => "the organization's policy (none for this location or service)",
        Scope::Default => "no policy is configured: changes are free, unlimited and need no reason",
    }
    .to_owned();
    Ok(HttpResponse::Ok().json(AppointmentPolicyResponse {
        appointment_id: in_force.appointment_id,
        source,
        why,
        policy,
    }))
}
