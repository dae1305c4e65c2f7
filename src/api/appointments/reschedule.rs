//! `POST /v1/appointments/{id}/reschedule-quote` and `/reschedule`: moving an
//! appointment under its policy, quoted before it is charged.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::asks::{self, OverrideRequest, ask_of};
use crate::api::appointments::dto::{ChangedAppointment, changed_reply};
use crate::api::appointments::quotes::{RescheduleQuoteResponse, move_problems};
use crate::api::appointments::refusals::{fee_changed_problem, refused};
use crate::app::quotes::{self, QuoteMove, RescheduleQuote};
use crate::app::reschedule::{self, Reschedule, RescheduleOutcome};
use crate::domain::{Locale, Money, ReasonCategory};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Json;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;

/// A move to ask about: the new start, and optionally the resource, reason and override.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleQuoteRequest {
    /// The wanted new start, RFC 3339 with offset.
    pub start: Instant,
    /// Serve with this resource (bay or advisor); others are kept when free.
    #[schema(format = Uuid)]
    pub resource_id: Option<Uuid>,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    #[serde(rename = "override")]
    pub override_: Option<OverrideRequest>,
}

/// The move itself. `accepted_fee` is the fee the customer was shown (absent: none);
/// if the fee now differs, nothing changes and the answer is `409 fee_changed` with the
/// new quote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    pub start: Instant,
    #[schema(format = Uuid)]
    pub resource_id: Option<Uuid>,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    #[serde(rename = "override")]
    pub override_: Option<OverrideRequest>,
    pub accepted_fee: Option<Money>,
    /// Kept in the appointment's history.
    pub note: Option<String>,
}

/// The problem a refused move returns: its first refusal, every refusal in
/// `data.refusals`, the quote in `data.quote` and the best other times in
/// `data.alternatives`.
pub(crate) fn refused_move(quote: RescheduleQuote, locale: Locale) -> Error {
    let problems = move_problems(&quote);
    let body = RescheduleQuoteResponse::of(quote, locale);
    let alternatives = serde_json::to_value(&body.alternatives).unwrap_or_default();
    refused(problems, &body).with_data_field("alternatives", alternatives)
}

/// `409 fee_changed` with the new quote.
pub(crate) fn fee_changed_move(
    accepted: Option<&Money>,
    quote: RescheduleQuote,
    locale: Locale,
) -> Error {
    let problem = fee_changed_problem(
        accepted,
        quote.decision.due(),
        quote.policy.currency,
        locale,
    );
    let body = RescheduleQuoteResponse::of(quote, locale);
    problem.with_data_field("quote", serde_json::to_value(&body).unwrap_or_default())
}

/// Quote a move: whether it is allowed now (every refusing rule, not only the first),
/// the fee and the tier that set it, the moves left, until when the quote holds, and,
/// when refused, the best times that could be taken instead with their fees. Changes
/// nothing; a reschedule with the same input gives the same answer.
///
/// The new `start` must differ from the current one (`same_start`); a `reason_category`
/// is needed when the policy requires one (`reason_required`) and must be one it accepts
/// (`reason_not_accepted`).
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = RescheduleQuoteRequest,
    responses(
        (status = 200, body = RescheduleQuoteResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments/{appointment_id}/reschedule-quote")]
pub async fn quote_reschedule(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Json(b): Json<RescheduleQuoteRequest>,
) -> Result<HttpResponse, Error> {
    let (ask, _) = ask_of(
        &principal,
        b.reason_category,
        b.reason_text.as_deref(),
        b.override_,
    )?;
    let cmd = QuoteMove {
        appointment_id: path.into_inner().to_string(),
        start: b.start.0,
        resource_id: b.resource_id.map(|r| r.to_string()),
        ask,
    };
    let ctx = state.ctx(&principal);
    let locale = principal.locale;
    let quote = state
        .db
        .read(move |c| quotes::quote_reschedule(c, &ctx, cmd))
        .await?;
    Ok(HttpResponse::Ok().json(RescheduleQuoteResponse::of(quote, locale)))
}

/// Move an appointment (or rebook a missed one) under its policy, in one transaction:
/// the quote is run again, the fee must equal `accepted_fee` (else `409 fee_changed`
/// with the new quote), the slot is checked and held anew (the database still refuses
/// an overlap), the move is counted, the fee recorded and a `rescheduled` event written.
/// A refusal is the problem of the first refusing rule, with every refusal in
/// `data.refusals`, the quote in `data.quote` and the best other times in
/// `data.alternatives`.
///
/// The new `start` must differ from the current one (`same_start`) and be one the
/// appointment's availability lists; a `reason_category` is needed when the policy
/// requires one (`reason_required`) and must be one it accepts (`reason_not_accepted`);
/// `accepted_fee` is in the policy's currency (`currency_mismatch`). A stale `If-Match`
/// is `412 version_mismatch`.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body = RescheduleRequest,
    responses(
        (status = 200, body = ChangedAppointment, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments/{appointment_id}/reschedule")]
pub async fn reschedule_appointment(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(b): Json<RescheduleRequest>,
) -> Result<HttpResponse, Error> {
    let (ask, reason_text) = ask_of(
        &principal,
        b.reason_category,
        b.reason_text.as_deref(),
        b.override_,
    )?;
    let cmd = Reschedule {
        appointment_id: path.into_inner().to_string(),
        expected_version: expected,
        start: b.start.0,
        resource_id: b.resource_id.map(|r| r.to_string()),
        ask,
        accepted_fee: asks::accepted_fee(b.accepted_fee)?,
        reason_text,
        note: asks::note(b.note.as_deref())?,
    };
    let ctx = state.ctx(&principal);
    let locale = principal.locale;
    idempotency
        .respond(&state, move |c| {
            let accepted = cmd.accepted_fee.clone();
            Ok(match reschedule::reschedule(c, &ctx, cmd.clone())? {
                RescheduleOutcome::Moved(changed) => {
                    Answer::Reply(changed_reply(*changed, locale)?)
                }
                RescheduleOutcome::Refused { quote } => {
                    Answer::Refused(refused_move(*quote, locale))
                }
                RescheduleOutcome::FeeChanged { quote } => {
                    Answer::Refused(fee_changed_move(accepted.as_ref(), *quote, locale))
                }
            })
        })
        .await
}
