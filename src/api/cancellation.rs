//! `POST /v1/appointments/{id}/cancel-quote` and `/cancel`: cancelling under the
//! cancellation policy, quoted before it is charged.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::appointments::{AppointmentResponse, actor_of};
use super::auth::Principal;
use super::extract::MaybeJson;
use super::fees::FeeResponse;
use super::precondition::{IfMatch, versioned};
use super::quotes::{
    CancelQuoteResponse, OverrideRequest, ask_of, cancel_quote, fee_changed, refused,
};
use super::responses::*;
use super::state::AppState;
use crate::domain::{Money, ReasonCategory, text};
use crate::error::Error;
use crate::store::cancellation;
use crate::store::quotes;
use crate::store::reschedule::{Commit, Outcome, fee_differs};

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

/// The cancelled appointment and the fee recorded for it, if any.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelResponse {
    pub appointment: AppointmentResponse,
    pub fee: Option<FeeResponse>,
}

/// Cancel an upcoming appointment under the cancellation policy; the time and resources
/// are freed. The fee must equal `accepted_fee` (else `409 fee_changed` with the new
/// quote). A refusal is the problem of the first refusing rule, with every refusal in
/// `data.refusals` and the quote in `data.quote`.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Option<CancelRequest>, description = "Reason, accepted fee, override, note"),
    responses(
        (status = 200, body = CancelResponse, headers(("ETag" = String))),
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
    let accepted_fee = b
        .accepted_fee
        .map(|m| Money::parse("accepted_fee", m))
        .transpose()?;
    let commit = Commit {
        accepted_fee: accepted_fee.clone(),
        reason_text,
        note: text::optional("note", b.note.as_deref(), 2000)?,
    };
    let (org, actor, now, id) = (
        principal.organization_id.clone(),
        actor_of(&principal),
        state.clock.now(),
        path.into_inner().to_string(),
    );
    let outcome = state
        .db
        .write(move |c| {
            Ok(
                match cancellation::cancel(c, &org, &actor, &id, expected, &ask, commit, now)? {
                    Outcome::Done(done) => {
                        let view = crate::store::appointments::views(c, vec![done.row])?.remove(0);
                        Ok((view, done.fee))
                    }
                    Outcome::Refused(q) => Err((true, q)),
                    Outcome::FeeChanged(q) => Err((false, q)),
                },
            )
        })
        .await?;
    match outcome {
        Ok((view, fee)) => {
            let body = CancelResponse {
                appointment: AppointmentResponse::try_from(view)?,
                fee: fee.map(FeeResponse::try_from).transpose()?,
            };
            Ok(versioned(
                StatusCode::OK,
                body.appointment.version,
                String::new(),
                &body,
            ))
        }
        Err((true, q)) => {
            let quote = cancel_quote(&q, now);
            Err(refused(&q.refusals[0], &q.refusals, &quote))
        }
        Err((false, q)) => {
            let quote = cancel_quote(&q, now);
            let e = fee_differs(accepted_fee.as_ref(), &q.decision, &q.terms.currency)
                .unwrap_or_else(|| Error::internal("fee changed without a difference"));
            Err(fee_changed(e, &quote))
        }
    }
}
