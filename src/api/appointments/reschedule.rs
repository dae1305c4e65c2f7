//! `POST /v1/appointments/{id}/reschedule-quote` and `/reschedule`: moving an
//! appointment under its policy, quoted before it is charged.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::actor_of;
use crate::api::appointments::quotes::{
    ChangedAppointment, OverrideRequest, PricedAlternative, RescheduleQuoteResponse, Unchanged,
    answer, ask_of, changed, commit_of, fee_changed, priced, refused, reschedule_quote,
};
use crate::app::quotes::{self, MoveWish, RescheduleQuote};
use crate::app::reschedule;
use crate::app::suggestions;
use crate::domain::{Money, ReasonCategory};
use crate::error::{Code, Error};
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

fn wish_of(
    principal: &Principal,
    start: Instant,
    resource_id: Option<Uuid>,
    reason: Option<ReasonCategory>,
    reason_text: Option<&str>,
    override_: Option<OverrideRequest>,
) -> Result<(MoveWish, Option<String>), Error> {
    let (ask, reason_text) = ask_of(principal, reason, reason_text, override_)?;
    Ok((
        MoveWish {
            start: start.0,
            resource_id: resource_id.map(|r| r.to_string()),
            ask,
        },
        reason_text,
    ))
}

/// How many alternatives a refused move offers.
const ALTERNATIVES: usize = 3;

/// The best times a refused move could take instead, rendered with their fees.
fn alternatives_for(
    c: &mut crate::db::DbConnection,
    org: &str,
    q: &RescheduleQuote,
    wish: &MoveWish,
    now: DateTime<Utc>,
) -> Result<Vec<PricedAlternative>, Error> {
    let found = suggestions::instead_of(
        c,
        org,
        q,
        wish.resource_id.as_deref(),
        &wish.ask,
        ALTERNATIVES,
        now,
    )?;
    Ok(found.map_or_else(Vec::new, |(loaded, found)| {
        priced(&loaded, found, &q.terms.currency)
    }))
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
    let (wish, _) = wish_of(
        &principal,
        b.start,
        b.resource_id,
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
            let q = quotes::quote_reschedule(c, &org, &id, &wish, now)?;
            let alternatives = alternatives_for(c, &org, &q, &wish, now)?;
            Ok(reschedule_quote(&q, now, alternatives))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
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
    let (wish, reason_text) = wish_of(
        &principal,
        b.start,
        b.resource_id,
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
    let moved_wish = wish.clone();
    let (org2, id2) = (org.clone(), id.clone());
    let outcome = idempotency
        .write(&state, move |c| {
            let outcome = reschedule::reschedule(
                c,
                &org2,
                &actor,
                &id2,
                expected,
                &moved_wish,
                commit.clone(),
                now,
            )?;
            answer(outcome, |moved| changed(moved.view, moved.fee))
        })
        .await;
    match outcome {
        Ok(Answer::Reply(reply)) => Ok(reply.into_response()),
        Ok(Answer::Refused(Unchanged::Refused(q))) => {
            let (q, alternatives) = state
                .db
                .read(move |c| {
                    let alternatives = alternatives_for(c, &org, &q, &wish, now)?;
                    Ok((q, alternatives))
                })
                .await?;
            let quote = reschedule_quote(&q, now, alternatives);
            Err(
                refused(&q.refusals[0], &q.refusals, &quote).with_data_field(
                    "alternatives",
                    serde_json::to_value(&quote.alternatives).unwrap_or_default(),
                ),
            )
        }
        Ok(Answer::Refused(Unchanged::FeeChanged(q))) => {
            let quote = reschedule_quote(&q, now, Vec::new());
            Err(fee_changed(
                accepted_fee.as_ref(),
                &q.decision,
                &q.terms.currency,
                &quote,
            ))
        }
        // The database refused an overlap: another move or booking took the time just now.
        Err(e) if e.code == Code::SlotUnavailable => {
            let alternatives = state
                .db
                .read(move |c| {
                    let q = quotes::quote_reschedule(c, &org, &id, &wish, now)?;
                    alternatives_for(c, &org, &q, &wish, now)
                })
                .await
                .unwrap_or_default();
            Err(e.with_data_field(
                "alternatives",
                serde_json::to_value(alternatives).unwrap_or_default(),
            ))
        }
        Err(e) => Err(e),
    }
}
