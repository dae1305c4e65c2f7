//! `/v1/deliveries`: the delivery log of messages to customers, each with its attempts,
//! and sending a failed one again (staff and admins).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::deliveries::{self, Delivery};
use crate::domain::{DeliveryChannel, MessageKind, MessageStatus};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::repo::from_db;
use crate::repo::outbox::{self, MessageFilter};

/// One attempt to deliver a message to the gateway.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    pub attempted_at: DateTime<Utc>,
    /// The gateway's HTTP status; absent when it could not be reached.
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// Why the attempt failed (a status the gateway answered, a timeout, no connection).
    pub error: Option<String>,
}

/// A message to a customer and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    #[schema(format = Uuid)]
    pub id: String,
    /// The `webhook-id` the gateway saw (the same on every attempt).
    #[schema(example = "msg_01a22e0959187a3b8c4d5e6f70819203")]
    pub webhook_id: String,
    pub kind: MessageKind,
    pub status: MessageStatus,
    /// The customer's channel, or `webhook`.
    pub channel: DeliveryChannel,
    /// The customer's address, or the webhook endpoint's URL.
    pub recipient: String,
    /// A webhook delivery's event type.
    #[schema(example = "appointment.booked")]
    pub event_type: Option<String>,
    /// A webhook delivery's endpoint (absent once it is deleted).
    #[schema(format = Uuid)]
    pub endpoint_id: Option<String>,
    #[schema(format = Uuid)]
    pub appointment_id: Option<String>,
    /// When it was planned to go out (a reminder's time after quiet hours and catch-up).
    pub due_at: DateTime<Utc>,
    /// The next attempt, while `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptResponse>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        let m = d.message;
        DeliveryResponse {
            webhook_id: outbox::webhook_id(&m.id),
            next_attempt_at: (m.status == MessageStatus::Pending)
                .then(|| from_db(m.next_attempt_at)),
            id: m.id,
            kind: m.kind,
            status: m.status,
            channel: m.channel,
            recipient: m.recipient,
            event_type: m.event_type,
            endpoint_id: m.endpoint_id,
            appointment_id: m.appointment_id,
            due_at: from_db(m.due_at),
            sent_at: m.sent_at.map(from_db),
            last_error: m.last_error,
            created_at: from_db(m.created_at),
            attempts: d
                .attempts
                .into_iter()
                .map(|a| AttemptResponse {
                    attempted_at: from_db(a.attempted_at),
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    error: a.error,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only the messages about this appointment.
    pub appointment_id: Option<Uuid>,
    /// Only the deliveries to this webhook endpoint.
    pub endpoint_id: Option<Uuid>,
    /// Only messages in this state.
    pub status: Option<MessageStatus>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The delivery log (staff and admins): messages in the order they were written, each
/// with its attempts.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    params(DeliveryFilter),
    responses(
        (status = 200, body = List<DeliveryResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    Query(filter): Query<DeliveryFilter>,
) -> Result<HttpResponse, Error> {
    principal.require_staff()?;
    let (limit, after) = PageParams {
        limit: filter.limit,
        cursor: filter.cursor,
    }
    .parse()?;
    let filter = MessageFilter {
        appointment_id: filter.appointment_id.map(|u| u.to_string()),
        endpoint_id: filter.endpoint_id.map(|u| u.to_string()),
        status: filter.status,
    };
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| deliveries::list(c, &ctx, filter.clone(), after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |d| Ok(DeliveryResponse::from(d)))?))
}

/// Send a failed message again (staff and admins): it is due at once, with a fresh round
/// of attempts. `409 not_retryable` unless it is `failed` and its appointment has not
/// begun.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    params(("delivery_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = DeliveryResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    principal.require_staff()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    idempotency
        .reply(&state, move |c| {
            let d = deliveries::retry(c, &ctx, &id)?;
            Reply::json(StatusCode::OK, &DeliveryResponse::from(d))
        })
        .await
}
