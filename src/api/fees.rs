//! `/v1/fees`: the ledger of fees assessed by reschedules, rebookings and cancellations,
//! and settling them (waive, mark paid).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::appointments::actor_of;
use crate::api::appointments::quotes::FeeRuleResponse;
use crate::domain::interval::check_order;
use crate::domain::{FeeKind, FeeStatus, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;
use crate::repo::fees::{self, FeeFilter, FeeRow, Settlement};
use crate::repo::from_db;

/// A fee: what it was charged for, how much, and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeResponse {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub appointment_id: String,
    #[schema(format = Uuid)]
    pub customer_id: String,
    pub kind: FeeKind,
    /// Integer minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    pub status: FeeStatus,
    pub rule: FeeRuleResponse,
    /// The appointment event of the change that assessed it.
    #[schema(format = Uuid)]
    pub event_id: String,
    #[schema(format = Uuid)]
    pub policy_id: Option<String>,
    /// Why it was waived, or a note with the payment.
    pub note: Option<String>,
    /// The external payment reference, once paid.
    pub payment_ref: Option<String>,
    /// The API key that waived it or marked it paid.
    #[schema(format = Uuid)]
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<FeeRow> for FeeResponse {
    type Error = Error;

    fn try_from(r: FeeRow) -> Result<Self, Error> {
        let rule = match r.rule.as_str() {
            "tier" => FeeRuleResponse {
                kind: "tier".into(),
                tier_index: r.tier_index.and_then(|i| usize::try_from(i).ok()),
                notice_at_least_minutes: r.tier_notice_minutes,
            },
            other => FeeRuleResponse {
                kind: other.to_owned(),
                tier_index: None,
                notice_at_least_minutes: None,
            },
        };
        Ok(FeeResponse {
            kind: FeeKind::from_db(&r.kind)?,
            status: FeeStatus::from_db(&r.status)?,
            rule,
            id: r.id,
            appointment_id: r.appointment_id,
            customer_id: r.customer_id,
            amount: r.amount,
            currency: r.currency,
            event_id: r.event_id,
            policy_id: r.policy_id,
            note: r.note,
            payment_ref: r.payment_ref,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at.map(from_db),
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeeQuery {
    pub status: Option<FeeStatus>,
    pub customer_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    /// Assessed at or after this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    /// Assessed before this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List fees in the order they were assessed, filtered by status, customer,
/// appointment and when they were assessed.
///
/// `to` must be after `from` (`window_ends_before_start`).
#[utoipa::path(
    tag = "fees",
    security(("api_key" = [])),
    params(FeeQuery),
    responses(
        (status = 200, body = List<FeeResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/fees")]
pub async fn list_fees(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<FeeQuery>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .parse()?;
    check_order(q.from.map(|i| i.0), q.to.map(|i| i.0))?;
    let filter = FeeFilter {
        status: q.status,
        customer_id: q.customer_id.map(|v| v.to_string()),
        appointment_id: q.appointment_id.map(|v| v.to_string()),
        from: q.from.map(|i| i.0),
        to: q.to.map(|i| i.0),
    };
    let org = principal.organization_id;
    let page = state
        .db
        .read(move |c| fees::list(c, &org, &filter, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, FeeResponse::try_from)?))
}

/// Get a fee, with its version as `ETag`.
#[utoipa::path(
    tag = "fees",
    security(("api_key" = [])),
    params(("fee_id" = Uuid, Path)),
    responses(
        (status = 200, body = FeeResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/fees/{fee_id}")]
pub async fn get_fee(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (org, id) = (principal.organization_id, path.into_inner().to_string());
    let row = state.db.read(move |c| fees::get(c, &org, &id)).await?;
    fee_reply(row).map(Reply::into_response)
}

/// Why a due fee is waived.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiveFeeRequest {
    #[schema(example = "pelanggan setia")]
    pub note: String,
}

/// How a due fee was paid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkPaidRequest {
    /// The payment's reference in the cashier's or payment provider's system.
    #[schema(example = "KASIR-2026-11-0042")]
    pub payment_ref: String,
    pub note: Option<String>,
}

/// A fee with its version as `ETag`.
fn fee_reply(row: FeeRow) -> Result<Reply, Error> {
    let body = FeeResponse::try_from(row)?;
    Reply::versioned(StatusCode::OK, body.version, String::new(), &body)
}

async fn settle(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    id: Uuid,
    expected: Option<i64>,
    how: Settlement,
) -> Result<HttpResponse, Error> {
    let (org, actor, now, id) = (
        principal.organization_id.clone(),
        actor_of(&principal),
        state.clock.now(),
        id.to_string(),
    );
    idempotency
        .reply(&state, move |c| {
            fee_reply(fees::settle(
                c,
                &org,
                &actor,
                &id,
                expected,
                how.clone(),
                now,
            )?)
        })
        .await
}

/// Waive a due fee (staff or admin), with a note; recorded as a `fee_waived` event of
/// the appointment. A fee that is not due is `409 fee_not_due`.
#[utoipa::path(
    tag = "fees",
    security(("api_key" = [])),
    params(("fee_id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body = WaiveFeeRequest,
    responses(
        (status = 200, body = FeeResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/fees/{fee_id}/waive")]
pub async fn waive_fee(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(b): Json<WaiveFeeRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_staff()?;
    let note = text::required("note", &b.note, 2000)?;
    settle(
        state,
        principal,
        idempotency,
        path.into_inner(),
        expected,
        Settlement::Waive { note },
    )
    .await
}

/// Mark a due fee paid with the external payment reference (any role: a cashier system
/// may report payments); recorded as a `fee_paid` event of the appointment.
#[utoipa::path(
    tag = "fees",
    security(("api_key" = [])),
    params(("fee_id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body = MarkPaidRequest,
    responses(
        (status = 200, body = FeeResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[post("/fees/{fee_id}/mark-paid")]
pub async fn mark_fee_paid(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(b): Json<MarkPaidRequest>,
) -> Result<HttpResponse, Error> {
    let payment_ref = text::required("payment_ref", &b.payment_ref, 200)?;
    let note = text::optional("note", b.note.as_deref(), 2000)?;
    settle(
        state,
        principal,
        idempotency,
        path.into_inner(),
        expected,
        Settlement::Paid { payment_ref, note },
    )
    .await
}
