//! `POST /v1/appointments/{id}/cancel-quote` and `/cancel`: cancelling under the
//! cancellation policy, quoted before it is charged.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::asks::{self, OverrideRequest, ask_of};
use crate::api::appointments::dto::{ChangedAppointment, changed_reply};
use crate::api::appointments::quotes::{CancelQuoteResponse, cancel_problems};
use crate::api::appointments::refusals::{fee_changed_problem, refused};
use crate::app::cancel::{self, Cancel, CancelOutcome};
use crate::app::quotes::{self, CancelQuote, QuoteCancel};
use crate::domain::{Locale, Money, ReasonCategory};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::MaybeJson;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// A cancellation to ask about.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelQuoteRequest {
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    #[serde(rename = "override")]
    pub override_: Option<OverrideRequest>,
}

/// Why the appointment is cancelled (required when the policy says so), the fee the
/// customer accepted (absent: none), and an optional override and note.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    #[serde(rename = "override")]
    pub override_: Option<OverrideRequest>,
    pub accepted_fee: Option<Money>,
    pub note: Option<String>,
}

/// The problem a refused cancellation returns: its first refusal, every refusal in
/// `data.refusals` and the quote in `data.quote`.
pub(crate) fn refused_cancel(quote: CancelQuote, locale: Locale) -> Error {
    let problems = cancel_problems(&quote);
    refused(problems, &CancelQuoteResponse::of(quote, locale))
}

/// `409 fee_changed` with the new quote.
pub(crate) fn fee_changed_cancel(
    accepted: Option<&Money>,
    quote: CancelQuote,
    locale: Locale,
) -> Error {
    let problem = fee_changed_problem(
        accepted,
        quote.decision.due(),
        quote.policy.currency,
        locale,
    );
    let body = CancelQuoteResponse::of(quote, locale);
    problem.with_data_field("quote", serde_json::to_value(&body).unwrap_or_default())
}

/// Quote a cancellation: whether the policy allows it now, the fee and its tier, until
/// when the quote holds, and whether a reason is needed. Changes nothing.
///
/// A `reason_category` is needed when the policy requires one (`reason_required`) and
/// must be one it accepts (`reason_not_accepted`).
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Option<CancelQuoteRequest>, description = "Optional reason and override"),
    responses(
        (status = 200, body = CancelQuoteResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments/{appointment_id}/cancel-quote")]
pub async fn quote_cancel(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    MaybeJson(b): MaybeJson<CancelQuoteRequest>,
) -> Result<HttpResponse, Error> {
    let b = b.unwrap_or_default();
    let (ask, _) = ask_of(
        &principal,
        b.reason_category,
        b.reason_text.as_deref(),
        b.override_,
    )?;
    let cmd = QuoteCancel {
        appointment_id: path.into_inner().to_string(),
        ask,
    };
    let ctx = state.ctx(&principal);
    let locale = principal.locale;
    let quote = state
        .db
        .read(move |c| quotes::quote_cancel(c, &ctx, cmd))
        .await?;
    Ok(HttpResponse::Ok().json(CancelQuoteResponse::of(quote, locale)))
}

/// Cancel an upcoming appointment under the cancellation policy; the time and resources
/// are freed. The fee must equal `accepted_fee` (else `409 fee_changed` with the new
/// quote). A refusal is the problem of the first refusing rule, with every refusal in
/// `data.refusals` and the quote in `data.quote`.
///
/// A `reason_category` is needed when the policy requires one (`reason_required`) and
/// must be one it accepts (`reason_not_accepted`); `accepted_fee` is in the policy's
/// currency (`currency_mismatch`). A stale `If-Match` is `412 version_mismatch`.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Option<CancelRequest>, description = "Reason, accepted fee, override, note"),
    responses(
        (status = 200, body = ChangedAppointment, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments/{appointment_id}/cancel")]
pub async fn cancel_appointment(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    MaybeJson(b): MaybeJson<CancelRequest>,
) -> Result<HttpResponse, Error> {
    let b = b.unwrap_or_default();
    let (ask, reason_text) = ask_of(
        &principal,
        b.reason_category,
        b.reason_text.as_deref(),
        b.override_,
    )?;
    let cmd = Cancel {
        appointment_id: path.into_inner().to_string(),
        expected_version: expected,
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
            Ok(match cancel::cancel(c, &ctx, cmd.clone())? {
                CancelOutcome::Cancelled(changed) => {
                    Answer::Reply(changed_reply(*changed, locale)?)
                }
                CancelOutcome::Refused { quote } => Answer::Refused(refused_cancel(*quote, locale)),
                CancelOutcome::FeeChanged { quote } => {
                    Answer::Refused(fee_changed_cancel(accepted.as_ref(), *quote, locale))
                }
            })
        })
        .await
}
