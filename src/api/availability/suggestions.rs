//! `GET /v1/availability/suggestions`: ranked times for a new booking (the times for
//! moving an appointment are `GET /v1/appointments/{id}/alternatives`).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::availability::dto::{SuggestionResponse, suggestion_responses};
use crate::app::suggestions::{self, DEFAULT_LIMIT, MAX_LIMIT, SuggestTimes, Wish};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::pagination::limit_within;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::Instant;

/// How many times to offer: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when not given.
pub fn limit_of(limit: Option<usize>) -> Result<usize, Error> {
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let limit = limit_within(limit.map(as_i64), as_i64(DEFAULT_LIMIT), as_i64(MAX_LIMIT))?;
    Ok(usize::try_from(limit).expect("within 1 to MAX_LIMIT"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsQuery {
    pub location_id: Uuid,
    pub service_id: Uuid,
    /// The wanted time, RFC 3339 with offset (write `+` as `%2B`).
    #[param(value_type = String, format = DateTime)]
    pub near: Instant,
    /// How many times to offer, 1 to 20 (default 5).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<usize>,
    /// Only starts at or after this.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    /// Only starts before this.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
    /// Only times this resource can serve.
    pub resource_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionsResponse {
    #[schema(format = Uuid)]
    pub location_id: String,
    #[schema(format = Uuid)]
    pub service_id: String,
    pub near: DateTime<Utc>,
    pub time_zone: String,
    /// Best first.
    pub suggestions: Vec<SuggestionResponse>,
}

/// The best times for a new booking near a wanted time: the bookable starts nearest to
/// `near` (within 31 days either side), ranked by same day, part of day and weekday and
/// by the load of the resources that day. See the README for the ranking.
///
/// The service must be active and offered at the location (`service_not_offered`);
/// `from` (or `near`) must lie within the booking horizon (`beyond_booking_horizon`);
/// `to` after `from`; a pinned `resource_id` must be able to serve the service at the
/// location (`resource_cannot_perform`).
#[utoipa::path(
    tag = "availability",
    security(("api_key" = [])),
    params(SuggestionsQuery),
    responses(
        (status = 200, body = SuggestionsResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 422, response = Unprocessable),
    )
)]
#[get("/availability/suggestions")]
pub async fn get_suggestions(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<SuggestionsQuery>,
) -> Result<HttpResponse, Error> {
    let wish = Wish {
        near: q.near.0,
        from: q.from.map(|i| i.0),
        to: q.to.map(|i| i.0),
        resource_id: q.resource_id.map(|r| r.to_string()),
        limit: limit_of(q.limit)?,
    };
    let ctx = state.ctx(&principal);
    let cmd = SuggestTimes {
        location_id: q.location_id.to_string(),
        service_id: q.service_id.to_string(),
        wish,
    };
    let found = state
        .db
        .read(move |c| suggestions::suggest_times(c, &ctx, cmd))
        .await?;
    Ok(HttpResponse::Ok().json(SuggestionsResponse {
        location_id: found.location_id,
        service_id: found.service_id,
        near: found.near,
        time_zone: found.tz.name().to_owned(),
        suggestions: suggestion_responses(found.suggestions),
    }))
}
