//! `GET /v1/availability`: bookable slots for a service at a location.

pub mod dto;
pub mod suggestions;

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, get, web};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::availability::dto::SlotResponse;
use crate::app::availability::{self, ListSlots};
use crate::domain::interval::check_order;
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;

/// The widest window one availability request may ask for.
pub const MAX_WINDOW_DAYS: i64 = 31;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    pub location_id: Uuid,
    pub service_id: Uuid,
    /// Window start, RFC 3339 with offset (write `+` as `%2B`).
    #[param(value_type = String, format = DateTime)]
    pub from: Instant,
    /// Window end (exclusive), at most 31 days after `from`.
    #[param(value_type = String, format = DateTime)]
    pub to: Instant,
    /// Only slots this resource can serve (it is then the one used for its kind).
    pub resource_id: Option<Uuid>,
}

/// `[from, to)` as asked, if it is a window of at most [`MAX_WINDOW_DAYS`].
pub fn check_window(
    from: Instant,
    to: Instant,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), Error> {
    let (from, to) = (from.0, to.0);
    check_order(Some(from), Some(to))?;
    if to - from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(Error::invalid(
            "to",
            Code::WindowTooLarge,
            format!("ask for at most {MAX_WINDOW_DAYS} days at a time"),
        )
        .with_param("days", MAX_WINDOW_DAYS));
    }
    Ok((from, to))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityResponse {
    #[schema(format = Uuid)]
    pub location_id: String,
    #[schema(format = Uuid)]
    pub service_id: String,
    pub time_zone: String,
    pub slots: Vec<SlotResponse>,
}

/// Slots for a service at a location in `[from, to)`: within opening hours (location and
/// resource, in the location's time zone, DST-correct), outside closures, clear of other
/// appointments including buffers, after the lead time and within the booking horizon.
/// Every listed start is accepted by `POST /v1/appointments` at that moment.
///
/// The service must be active and offered at the location (`service_not_offered`); `to`
/// must be after `from` (`window_ends_before_start`) and at most 31 days later
/// (`window_too_large`); a pinned `resource_id` must be able to serve the service at the
/// location (`resource_cannot_perform`).
#[utoipa::path(
    tag = "availability",
    security(("api_key" = [])),
    params(AvailabilityQuery),
    responses(
        (status = 200, body = AvailabilityResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 422, response = Unprocessable),
    )
)]
#[get("/availability")]
pub async fn get_availability(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<AvailabilityQuery>,
) -> Result<HttpResponse, Error> {
    let (from, to) = check_window(q.from, q.to)?;
    let ctx = state.ctx(&principal);
    let cmd = ListSlots {
        location_id: q.location_id.to_string(),
        service_id: q.service_id.to_string(),
        from,
        to,
        resource_id: q.resource_id.map(|r| r.to_string()),
    };
    let found = state
        .db
        .read(move |c| availability::list_slots(c, &ctx, cmd))
        .await?;
    // The same answer and run of bookable slots make the same response: written once
    // and kept for a window asked for again.
    let kept = found
        .asked_before
        .then(|| state.rendered_slots.get(&found.answer, &found.bookable))
        .flatten();
    let body = match kept {
        Some(body) => body,
        None => {
            let response = AvailabilityResponse {
                slots: found.views().map(SlotResponse::from).collect(),
                location_id: found.location_id().to_owned(),
                service_id: found.service_id().to_owned(),
                time_zone: found.tz().name().to_owned(),
            };
            let mut json =
                serde_json::to_vec(&response).map_err(|e| Error::internal(e.to_string()))?;
            if !found.asked_before {
                web::Bytes::from(json)
            } else {
                // Kept without the spare capacity the writing left.
                json.shrink_to_fit();
                let body = web::Bytes::from(json);
                state
                    .rendered_slots
                    .keep(&found.answer, found.bookable, body.clone());
                body
            }
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}
