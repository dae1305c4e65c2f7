//! `POST /v1/appointments/{id}/cancel-quote` and `/cancel`: cancelling under the
//! cancellation policy, quoted before it is charged.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::actor_of;
use crate::api::appointments::quotes::{
    CancelQuoteResponse, ChangedAppointment, OverrideRequest, Unchanged, answer, ask_of,
    cancel_quote, changed, commit_of, fee_changed, refused,
};
use crate::app::cancel;
use crate::app::quotes;
use crate::domain::{Money, ReasonCategory};
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
    let (org, now, id) = (
        principal.organization_id,
        state.clock.now(),
        path.into_inner().to_string(),
    );
    let body = state
        .db
        .read(move |c| {
            Ok(cancel_quote(
                &quotes::quote_cancel(c, &org, &id, &ask, now)?,
                now,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
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
    let (commit, accepted_fee) = commit_of(b.accepted_fee, reason_text, b.note.as_deref())?;
    let (org, actor, now, id) = (
        principal.organization_id.clone(),
        actor_of(&principal),
        state.clock.now(),
        path.into_inner().to_string(),
    );
    let outcome = idempotency
        .write(&state, move |c| {
            let outcome =
                cancel::cancel(c, &org, &actor, &id, expected, &ask, commit.clone(), now)?;
            answer(outcome, |done| changed(done.view, done.fee))
        })
        .await?;
    match outcome {
        Answer::Reply(reply) => Ok(reply.into_response()),
        Answer::Refused(Unchanged::Refused(q)) => {
            Err(refused(&q.refusals[0], &q.refusals, &cancel_quote(&q, now)))
        }
        Answer::Refused(Unchanged::FeeChanged(q)) => Err(fee_changed(
            accepted_fee.as_ref(),
            &q.decision,
            &q.terms.currency,
            &cancel_quote(&q, now),
        )),
    }
}
