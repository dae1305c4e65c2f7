//! `GET /v1/appointments/{id}/availability`: every time an appointment could move to in
//! a window, each with the fee of moving there.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::appointments::quotes::MovePrice;
use crate::api::appointments::refusals::policy_problem;
use crate::api::availability::check_window;
use crate::api::availability::dto::SlotResponse;
use crate::app::move_slots::{self, ListMoveSlots};
use crate::app::suggestions::MoveTimes;
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MoveAvailabilityQuery {
    /// Window start, RFC 3339 with offset (write `+` as `%2B`).
    #[param(value_type = String, format = DateTime)]
    pub from: Instant,
    /// Window end (exclusive), at most 31 days after `from`.
    #[param(value_type = String, format = DateTime)]
    pub to: Instant,
    /// Only slots this resource can serve.
    pub resource_id: Option<Uuid>,
}

/// A time the appointment could move to, and what moving there costs.
/// The resources are the ones it would get: the current ones when free.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveSlotResponse {
    #[serde(flatten)]
    pub slot: SlotResponse,
    #[serde(flatten)]
    pub price: MovePrice,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveAvailabilityResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    pub time_zone: String,
    pub slots: Vec<MoveSlotResponse>,
}

/// The slots an appointment could move to (or a missed one be rebooked at) in
/// `[from, to)`, its own time left out, each with the fee of moving there and the
/// policy rules that would refuse it. The same slots as `GET /v1/availability` for its
/// service and location, counting its own time as free.
///
/// An appointment that cannot move to any time gets the problem a move would: 409
/// `not_reschedulable` (a final status, or a no-show its policy does not rebook) or 409
/// `no_show_window_passed` (a no-show past its rebooking window).
///
/// `to` must be after `from` (`window_ends_before_start`) and at most 31 days later
/// (`window_too_large`); a pinned `resource_id` must be able to serve the appointment's
/// service (`resource_cannot_perform`).
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), MoveAvailabilityQuery),
    responses(
        (status = 200, body = MoveAvailabilityResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/appointments/{appointment_id}/availability")]
pub async fn get_move_availability(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Query(q): Query<MoveAvailabilityQuery>,
) -> Result<HttpResponse, Error> {
    let (from, to) = check_window(q.from, q.to)?;
    let cmd = ListMoveSlots {
        appointment_id: path.into_inner().to_string(),
        from,
        to,
        resource_id: q.resource_id.map(|r| r.to_string()),
    };
    let ctx = state.ctx(&principal);
    let found = state
        .db
        .read(move |c| move_slots::list_move_slots(c, &ctx, cmd))
        .await?;
    let found = match found {
        MoveTimes::Offered(found) => found,
        MoveTimes::CannotMove(refusal) => return Err(policy_problem(&refusal)),
    };
    Ok(HttpResponse::Ok().json(MoveAvailabilityResponse {
        appointment_id: found.appointment_id,
        time_zone: found.tz.name().to_owned(),
        slots: found
            .slots
            .into_iter()
            .map(|p| MoveSlotResponse {
                price: MovePrice::of(&p.decision, found.currency, principal.locale),
                slot: p.slot.into(),
            })
            .collect(),
    }))
}
