//! `POST /v1/appointments/{id}/call`: staff record that they called the customer about
//! an appointment flagged `needs_call`, which clears the flag.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::dto::{AppointmentResponse, appointment_reply};
use crate::app::calls::{self, RecordCall};
use crate::domain::text;
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Json;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::responses::*;
use crate::http::state::AppState;

/// The call staff made.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// What was said or agreed, kept in the history (`call_recorded`); 1 to 2000
    /// characters.
    #[schema(
        example = "Budi akan datang, sudah dikonfirmasi lewat telepon",
        max_length = 2000
    )]
    pub note: String,
}

/// Record a call to the customer about an appointment flagged `needs_call` (any role):
/// clears the flag, keeping the note, the flag's reason and its time in the history.
/// Not flagged (or another call was just recorded): `409 no_call_needed`. The flag is no
/// part of the appointment's version, so no `If-Match` is needed.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CallRequest,
    responses(
        (status = 200, body = AppointmentResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments/{appointment_id}/call")]
pub async fn record_call(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    Json(body): Json<CallRequest>,
) -> Result<HttpResponse, Error> {
    let cmd = RecordCall {
        appointment_id: path.into_inner().to_string(),
        note: text::required("note", &body.note, 2000)?,
    };
    let ctx = state.ctx(&principal);
    idempotency
        .respond(&state, move |c| {
            let view = calls::record_call(c, &ctx, cmd.clone())?;
            Ok(Answer::Reply(appointment_reply(StatusCode::OK, view)?))
        })
        .await
}
