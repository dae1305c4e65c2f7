//! `GET /v1/appointments/{id}/availability`: every time an appointment could move to in
//! a window, each with the fee of moving there.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Principal;
use super::availability::{ResourceRef, check_window, resource_refs};
use super::extract::Query;
use super::quotes::ask_of;
use super::responses::*;
use super::state::AppState;
use super::time::{Instant, LocalSpan};
use crate::domain::Money;
use crate::error::Error;
use crate::store::move_slots;

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
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveSlotResponse {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    /// The resources it would get: the current ones when free.
    pub resources: Vec<ResourceRef>,
    /// Whether the policy allows moving here (a reason may still be needed).
    pub allowed: bool,
    /// What moving here costs now.
    pub fee: Money,
    /// Codes of the rules that refuse this time (`too_far`, limits, notice...).
    pub refusals: Vec<String>,
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
    let (ask, _) = ask_of(&principal, None, None, None)?;
    let (org, now, id) = (
        principal.organization_id,
        state.clock.now(),
        path.into_inner().to_string(),
    );
    let resource_id = q.resource_id.map(|r| r.to_string());
    let body = state
        .db
        .read(move |c| {
            let (terms, loaded, slots) = move_slots::priced_slots(
                c,
                &org,
                &id,
                from,
                to,
                resource_id.as_deref(),
                &ask,
                now,
            )?;
            Ok(MoveAvailabilityResponse {
                appointment_id: terms.row.id.clone(),
                time_zone: loaded.tz.name().to_owned(),
                slots: slots
                    .into_iter()
                    .map(|(s, d)| MoveSlotResponse {
                        local: LocalSpan::new(loaded.tz, s.start, s.end),
                        start: s.start,
                        end: s.end,
                        resources: resource_refs(&loaded, &s.resources),
                        allowed: d.allowed(),
                        fee: Money::new(d.due(), &terms.currency),
                        refusals: d.refusals.iter().map(|r| r.code().to_owned()).collect(),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
