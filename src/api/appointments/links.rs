//! `POST /v1/appointments/{id}/links`: staff issue a customer's self-service link.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::links;
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::link_token;

/// A customer's link to one appointment. `url` and `token` are in this answer only: only
/// the token's hash is kept. A replay of this answer (same `Idempotency-Key`) leaves
/// both out; issue another link if the first answer was lost.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedLinkResponse {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub appointment_id: String,
    /// The page the customer opens: `{JANJI_PUBLIC_URL}/a/{token}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://janji.example.com/a/3q2-7wE9mZbQ0k1u4Yf8sVxN6tLpR5cJ2hDgAoKiUeM")]
    pub url: Option<String>,
    /// The token alone, for apps using `/v1/self/{token}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Until when it opens, as the appointment and its policy are now: its end plus the
    /// policy's no-show rebooking window (a day without one). A move or a no-show later
    /// moves it; a cancellation ends it at once.
    pub expires_at: DateTime<Utc>,
}

/// Issue a self-service link for an appointment (any role, as for changing it): the
/// customer opens it to see the appointment, confirm, reschedule or cancel under the
/// same policy, limits and fees as staff, without an override. Messages to customers
/// carry links of their own; this one is for handing out another way (a chat, a call).
///
/// A cancelled appointment, or one past the time its link would live, is `409
/// not_linkable`.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = IssuedLinkResponse, headers(("Cache-Control" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments/{appointment_id}/links")]
pub async fn issue_link(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let public_url = state.public_url.clone();
    idempotency
        .reply(&state, move |c| {
            let issued = links::issue(c, &ctx, &id)?;
            let mut body = IssuedLinkResponse {
                id: issued.id,
                appointment_id: issued.appointment_id,
                url: Some(link_token::url(&public_url, &issued.token)),
                token: Some(issued.token),
                expires_at: issued.expires_at,
            };
            let reply = Reply::json(StatusCode::CREATED, &body)?.no_store();
            (body.url, body.token) = (None, None);
            reply.remember_as(&body)
        })
        .await
}
