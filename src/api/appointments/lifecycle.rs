//! `POST /v1/appointments/{id}/{confirm|check-in|complete|no-show}`; cancelling is in
//! [`crate::api::appointments::cancel`], under the policy.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::{AppointmentResponse, actor_of, reply};
use crate::app::lifecycle::{self, Record};
use crate::domain::lifecycle::Action;
use crate::domain::text;
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::MaybeJson;
use crate::http::idempotency::Idempotency;
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::repo::appointments;

/// An optional note recorded with the action in the appointment's history.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    pub note: Option<String>,
}

async fn run(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    id: Uuid,
    expected: Option<i64>,
    action: Action,
    note: Option<String>,
) -> Result<HttpResponse, Error> {
    let note = text::optional("note", note.as_deref(), 2000)?;
    let (org, actor, now, id) = (
        principal.organization_id.clone(),
        actor_of(&principal),
        state.clock.now(),
        id.to_string(),
    );
    idempotency
        .reply(&state, move |c| {
            let record = Record {
                note: note.clone(),
                ..Record::default()
            };
            let row = lifecycle::act(c, &org, &actor, &id, expected, action, record, now)?;
            reply(StatusCode::OK, appointments::views(c, vec![row])?.remove(0))
        })
        .await
}

macro_rules! simple_action {
    ($fn:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "appointments",
            security(("api_key" = [])),
            params(("appointment_id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
            request_body(content = Option<ActionRequest>, description = "Optional note"),
            responses(
                (status = 200, body = AppointmentResponse, headers(("ETag" = String))),
                (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
                (status = 404, response = NotFound), (status = 409, response = Conflict),
                (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
                (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
            )
        )]
        #[post($path)]
        pub async fn $fn(
            state: web::Data<AppState>,
            principal: Principal,
            idempotency: Idempotency,
            path: web::Path<Uuid>,
            IfMatch(expected): IfMatch,
            MaybeJson(body): MaybeJson<ActionRequest>,
        ) -> Result<HttpResponse, Error> {
            let note = body.unwrap_or_default().note;
            run(state, principal, idempotency, path.into_inner(), expected, $action, note).await
        }
    };
}

simple_action!(
    confirm_appointment,
    "/appointments/{appointment_id}/confirm",
    Action::Confirm,
    "Confirm a booked appointment (the customer said they will come)."
);
simple_action!(
    check_in_appointment,
    "/appointments/{appointment_id}/check-in",
    Action::CheckIn,
    "Check in: the customer has arrived."
);
simple_action!(
    complete_appointment,
    "/appointments/{appointment_id}/complete",
    Action::Complete,
    "Complete a checked-in appointment."
);
simple_action!(
    no_show_appointment,
    "/appointments/{appointment_id}/no-show",
    Action::NoShow,
    "Record a no-show (from the start time on); the time and resources are freed."
);
