//! `GET /v1/appointments/{id}/alternatives`: the best times to move an appointment to,
//! each with the fee of moving there.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::appointments::quotes::{PricedAlternative, priced};
use crate::api::appointments::refusals::policy_problem;
use crate::api::availability::suggestions::limit_of;
use crate::app::suggestions::{self, FindAlternatives, MoveTimes};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlternativesQuery {
    /// The wanted time (default: the appointment's current start).
    #[param(value_type = Option<String>, format = DateTime)]
    pub near: Option<Instant>,
    /// How many times to offer, 1 to 20 (default 5).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<usize>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
    /// Only times this resource can serve.
    pub resource_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlternativesResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    pub near: DateTime<Utc>,
    pub time_zone: String,
    /// Best first, each with the fee of moving there; the appointment's own start is
    /// never among them.
    pub alternatives: Vec<PricedAlternative>,
}

/// The best times to move an upcoming appointment to (or to rebook a missed one):
/// nearest to `near` (default its current start), keeping its current bay and advisor
/// when they are free, then the same day, part of day and weekday, then the least loaded
/// resources. Each carries the fee of moving there under the policy in force and the
/// rules that would refuse it; a policy's `max_distance` bounds the search.
///
/// An appointment that cannot move to any time gets the problem a move would: 409
/// `not_reschedulable` (a final status, or a no-show its policy does not rebook) or 409
/// `no_show_window_passed` (a no-show past its rebooking window).
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), AlternativesQuery),
    responses(
        (status = 200, body = AlternativesResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/appointments/{appointment_id}/alternatives")]
pub async fn get_alternatives(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Query(q): Query<AlternativesQuery>,
) -> Result<HttpResponse, Error> {
    let cmd = FindAlternatives {
        appointment_id: path.into_inner().to_string(),
        near: q.near.map(|i| i.0),
        from: q.from.map(|i| i.0),
        to: q.to.map(|i| i.0),
        resource_id: q.resource_id.map(|r| r.to_string()),
        limit: limit_of(q.limit)?,
    };
    let ctx = state.ctx(&principal);
    let found = state
        .db
        .read(move |c| suggestions::find_alternatives(c, &ctx, cmd))
        .await?;
    let found = match found {
        MoveTimes::Offered(found) => found,
        MoveTimes::CannotMove(refusal) => return Err(policy_problem(&refusal)),
    };
    Ok(HttpResponse::Ok().json(AlternativesResponse {
        appointment_id: found.appointment_id,
        near: found.near,
        time_zone: found.tz.name().to_owned(),
        alternatives: priced(found.alternatives, found.currency, principal.locale),
    }))
}
