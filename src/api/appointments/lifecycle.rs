//! `POST /v1/appointments/{id}/{confirm|check-in|complete|no-show}`; cancelling is in
//! [`crate::api::appointments::cancel`], under the policy.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::appointments::asks;
use crate::api::appointments::dto::{AppointmentResponse, appointment_reply};
use crate::api::appointments::refusals::lifecycle_problem;
use crate::app::lifecycle::{self, Step, StepOutcome, TakeStep};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::MaybeJson;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

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
    cmd: TakeStep,
) -> Result<HttpResponse, Error> {
    let ctx = state.ctx(&principal);
    idempotency
        .respond(&state, move |c| {
            Ok(match lifecycle::take_step(c, &ctx, cmd.clone())? {
                StepOutcome::Done(view) => Answer::Reply(appointment_reply(StatusCode::OK, *view)?),
                StepOutcome::Refused(refusal) => Answer::Refused(lifecycle_problem(&refusal)),
            })
        })
        .await
}

macro_rules! simple_action {
    ($fn:ident, $path:literal, $step:expr, $doc:literal) => {
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
            let cmd = TakeStep {
                appointment_id: path.into_inner().to_string(),
                expected_version: expected,
                step: $step,
                note: asks::note(body.unwrap_or_default().note.as_deref())?,
            };
            run(state, principal, idempotency, cmd).await
        }
    };
}

simple_action!(
    confirm_appointment,
    "/appointments/{appointment_id}/confirm",
    Step::Confirm,
    "Confirm a booked appointment (the customer said they will come)."
);
simple_action!(
    check_in_appointment,
    "/appointments/{appointment_id}/check-in",
    Step::CheckIn,
    "Check in: the customer has arrived."
);
simple_action!(
    complete_appointment,
    "/appointments/{appointment_id}/complete",
    Step::Complete,
    "Complete a checked-in appointment."
);
simple_action!(
    no_show_appointment,
    "/appointments/{appointment_id}/no-show",
    Step::NoShow,
    "Record a no-show (from the start time on); the time and resources are freed."
);
