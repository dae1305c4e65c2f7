//! `/v1/fees`: the ledger of fees assessed by reschedules, rebookings and cancellations,
//! and settling them (waive, mark paid).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::fees::{self, Fee, SettleFee, SettleOutcome, Settlement};
use crate::domain::interval::check_order;
use crate::domain::money_display::display;
use crate::domain::policy::FeeSource;
use crate::domain::{FeeKind, FeeStatus, Locale, text};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Answer, Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;
use crate::repo::fees::FeeFilter;

/// Which rule set the fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeRuleResponse {
    /// `none` (free), `tier` or `after_no_show`.
    pub kind: String,
    /// The tier's position in the policy's `fee_tiers`.
    pub tier_index: Option<usize>,
    pub notice_at_least_minutes: Option<i64>,
}

impl From<FeeSource> for FeeRuleResponse {
    fn from(s: FeeSource) -> Self {
        match s {
            FeeSource::None => FeeRuleResponse {
                kind: "none".into(),
                tier_index: None,
                notice_at_least_minutes: None,
            },
            FeeSource::Tier {
                index,
                notice_at_least,
            } => FeeRuleResponse {
                kind: "tier".into(),
                tier_index: Some(index),
                notice_at_least_minutes: Some(notice_at_least.num_minutes()),
            },
            FeeSource::AfterNoShow => FeeRuleResponse {
                kind: "after_no_show".into(),
                tier_index: None,
                notice_at_least_minutes: None,
            },
        }
    }
}

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
    #[schema(example = 5000000)]
    pub amount: i64,
    #[schema(example = "IDR")]
    pub currency: String,
    /// The amount as the organization's locale writes it (`Rp50.000`, `IDR 50,000`).
    #[schema(example = "Rp50.000")]
    pub display: String,
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

impl FeeResponse {
    /// The fee on the wire, its amount shown for a reader of `locale`.
    pub fn of(f: Fee, locale: Locale) -> Self {
        FeeResponse {
            display: display(f.amount, f.currency, locale),
            kind: f.kind,
            status: f.status,
            rule: f.rule.into(),
            id: f.id,
            appointment_id: f.appointment_id,
            customer_id: f.customer_id,
            amount: f.amount,
            currency: f.currency.code().to_owned(),
            event_id: f.event_id,
            policy_id: f.policy_id,
            note: f.note,
            payment_ref: f.payment_ref,
            resolved_by: f.resolved_by,
            resolved_at: f.resolved_at,
            version: f.version,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
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
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| fees::list(c, &ctx, &filter, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |f| {
        Ok(FeeResponse::of(f, principal.locale))
    })?))
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
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let fee = state.db.read(move |c| fees::get(c, &ctx, &id)).await?;
    fee_reply(fee, principal.locale).map(Reply::into_response)
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
fn fee_reply(fee: Fee, locale: Locale) -> Result<Reply, Error> {
    let body = FeeResponse::of(fee, locale);
    Reply::versioned(StatusCode::OK, body.version, String::new(), &body)
}

/// `409 fee_not_due`: a fee already settled is not settled again.
fn not_due_problem(status: FeeStatus) -> Error {
    Error::new(
        Code::FeeNotDue,
        format!("the fee is already {}", status.as_str()),
    )
    .with_data(serde_json::json!({ "status": status }))
}

async fn settle(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    cmd: SettleFee,
) -> Result<HttpResponse, Error> {
    let ctx = state.ctx(&principal);
    let locale = principal.locale;
    idempotency
        .respond(&state, move |c| {
            Ok(match fees::settle(c, &ctx, cmd.clone())? {
                SettleOutcome::Settled(fee) => Answer::Reply(fee_reply(*fee, locale)?),
                SettleOutcome::NotDue { status } => Answer::Refused(not_due_problem(status)),
            })
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
    let cmd = SettleFee {
        fee_id: path.into_inner().to_string(),
        expected_version: expected,
        how: Settlement::Waive { note },
    };
    settle(state, principal, idempotency, cmd).await
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
    let cmd = SettleFee {
        fee_id: path.into_inner().to_string(),
        expected_version: expected,
        how: Settlement::Paid { payment_ref, note },
    };
    settle(state, principal, idempotency, cmd).await
}
