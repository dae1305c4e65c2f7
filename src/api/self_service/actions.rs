//! The changes a customer makes through their link: confirm, reschedule, cancel. Each
//! needs the appointment's current `version` (a stale one is `412 version_mismatch` and
//! changes nothing, so replaying a change that succeeded does nothing more) and runs the
//! staff's own use case as the customer: the same policy, limits and fees.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::appointments::asks;
use crate::api::appointments::asks::reason_text;
use crate::api::appointments::cancel::{fee_changed_cancel, refused_cancel};
use crate::api::appointments::refusals::lifecycle_problem;
use crate::api::appointments::reschedule::{fee_changed_move, refused_move};
use crate::api::fees::FeeResponse;
use crate::app::appointments::AppointmentView;
use crate::app::cancel::CancelOutcome;
use crate::app::change::Changed;
use crate::app::lifecycle::StepOutcome;
use crate::app::reschedule::RescheduleOutcome;
use crate::app::self_service::{self, SelfMove};
use crate::domain::{AppointmentStatus, Locale, Money, ReasonCategory};
use crate::error::Error;
use crate::http::extract::Json;
use crate::http::precondition::etag;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::{Instant, LocalSpan};

/// The appointment after a customer's change, and the fee it cost, if any.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfChangedResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    pub status: AppointmentStatus,
    /// Send back with the next change.
    pub version: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    pub fee: Option<FeeResponse>,
}

fn changed(view: AppointmentView, fee: Option<FeeResponse>) -> HttpResponse {
    let body = SelfChangedResponse {
        local: LocalSpan::new(view.tz, view.start, view.end),
        appointment_id: view.id,
        status: view.status,
        version: view.version,
        start: view.start,
        end: view.end,
        fee,
    };
    HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body)
}

fn changed_with_fee(c: Changed, locale: Locale) -> HttpResponse {
    changed(c.appointment, c.fee.map(|f| FeeResponse::of(f, locale)))
}

/// Confirming: the version the customer saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfConfirmRequest {
    /// The appointment's `version` as last read.
    pub version: i64,
}

/// Confirm the appointment (the customer will come): a booked one becomes confirmed and
/// no follow-up asks again. Anything but a booked appointment is `409
/// invalid_transition`; a stale `version` is `412 version_mismatch`.
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token")),
    request_body = SelfConfirmRequest,
    responses(
        (status = 200, body = SelfChangedResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 408, response = RequestTimeout), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/{token}/confirm")]
pub async fn confirm_self(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Json(b): Json<SelfConfirmRequest>,
) -> Result<HttpResponse, Error> {
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let done = state
        .db
        .write(move |c| self_service::confirm(c, &base, &token, b.version))
        .await?;
    match done.answer {
        StepOutcome::Done(view) => Ok(changed(*view, None)),
        StepOutcome::Refused(refusal) => Err(lifecycle_problem(&refusal)),
    }
}

/// The move itself: the version, the new start, the reason and the fee the customer
/// accepted (absent: none).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfRescheduleRequest {
    pub version: i64,
    pub start: Instant,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    /// The `fee` of the quote the customer agreed to; a different fee now is `409
    /// fee_changed` with the new quote, and nothing changes.
    pub accepted_fee: Option<Money>,
}

/// Move the appointment (or rebook it after a no-show, when the policy allows) under
/// its policy, exactly as staff would for the customer without an override: the quote is
/// run again, the fee must equal `accepted_fee`, the slot is held anew, the move counted
/// and the fee recorded. A refusal is the problem of its first rule, with every refusal,
/// the quote and the best other times in `data`. A stale `version` is `412
/// version_mismatch`.
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token")),
    request_body = SelfRescheduleRequest,
    responses(
        (status = 200, body = SelfChangedResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 408, response = RequestTimeout), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/{token}/reschedule")]
pub async fn reschedule_self(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Json(b): Json<SelfRescheduleRequest>,
) -> Result<HttpResponse, Error> {
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let wish = SelfMove {
        start: b.start.0,
        reason_text: reason_text(b.reason_category, b.reason_text.as_deref())?,
        reason: b.reason_category,
    };
    let accepted = asks::accepted_fee(b.accepted_fee)?;
    let version = b.version;
    let fee = accepted.clone();
    let done = state
        .db
        .write(move |c| {
            self_service::reschedule(c, &base, &token, version, wish.clone(), fee.clone())
        })
        .await?;
    let locale = done.locale;
    match done.answer {
        RescheduleOutcome::Moved(c) => Ok(changed_with_fee(*c, locale)),
        RescheduleOutcome::Refused { quote } => Err(refused_move(*quote, locale)),
        RescheduleOutcome::FeeChanged { quote } => {
            Err(fee_changed_move(accepted.as_ref(), *quote, locale))
        }
    }
}

/// Cancelling: the version, the reason when the policy requires one, and the fee the
/// customer accepted (absent: none).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfCancelRequest {
    pub version: i64,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    pub accepted_fee: Option<Money>,
}

/// Cancel the appointment under the cancellation policy, as staff would for the
/// customer without an override; the time is freed and the link is dead from then on
/// (`404`, a replay included). The fee must equal `accepted_fee`
/// (else `409 fee_changed` with the new quote). A stale `version` is `412
/// version_mismatch`.
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token")),
    request_body = SelfCancelRequest,
    responses(
        (status = 200, body = SelfChangedResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 408, response = RequestTimeout), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/{token}/cancel")]
pub async fn cancel_self(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Json(b): Json<SelfCancelRequest>,
) -> Result<HttpResponse, Error> {
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let text = reason_text(b.reason_category, b.reason_text.as_deref())?;
    let accepted = asks::accepted_fee(b.accepted_fee)?;
    let (version, reason, fee) = (b.version, b.reason_category, accepted.clone());
    let done = state
        .db
        .write(move |c| {
            self_service::cancel(c, &base, &token, version, reason, text.clone(), fee.clone())
        })
        .await?;
    let locale = done.locale;
    match done.answer {
        CancelOutcome::Cancelled(c) => Ok(changed_with_fee(*c, locale)),
        CancelOutcome::Refused { quote } => Err(refused_cancel(*quote, locale)),
        CancelOutcome::FeeChanged { quote } => {
            Err(fee_changed_cancel(accepted.as_ref(), *quote, locale))
        }
    }
}
