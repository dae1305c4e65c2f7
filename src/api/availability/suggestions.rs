//! Ranked times: `GET /v1/availability/suggestions` for a new booking and
//! `GET /v1/appointments/{id}/alternatives` for moving one.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::appointments::quotes::{PricedAlternative, ask_of, priced};
use crate::api::availability::{ResourceRef, resource_refs};
use crate::app::suggestions::{self, DEFAULT_LIMIT, MAX_LIMIT, Wish};
use crate::domain::suggestions::{Reason, Score, Suggestion};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::pagination::limit_within;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::{Instant, LocalSpan};
use crate::repo::schedule::LoadedSchedule;

/// One offered time, ranked and explained. Booking it (or moving to it) at once succeeds
/// unless someone else takes it first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionResponse {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    /// The resources a booking at this start gets (the current ones kept when free).
    pub resources: Vec<ResourceRef>,
    /// Higher ranks first; the sum of `score_parts`.
    pub score: i64,
    pub score_parts: Score,
    /// Why it ranks where it does.
    pub reasons: Vec<Reason>,
}

/// Renders suggestions with names and local times.
pub fn render(loaded: &LoadedSchedule, found: Vec<Suggestion>) -> Vec<SuggestionResponse> {
    found.into_iter().map(|s| render_one(loaded, s)).collect()
}

pub fn render_one(loaded: &LoadedSchedule, s: Suggestion) -> SuggestionResponse {
    SuggestionResponse {
        local: LocalSpan::new(loaded.tz, s.slot.start, s.slot.end),
        start: s.slot.start,
        end: s.slot.end,
        resources: resource_refs(loaded, &s.slot.resources),
        score: s.score,
        score_parts: s.parts,
        reasons: s.reasons,
    }
}

fn limit_of(limit: Option<usize>) -> Result<usize, Error> {
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
    let (org, now) = (principal.organization_id, state.clock.now());
    let (location_id, service_id) = (q.location_id.to_string(), q.service_id.to_string());
    let body = state
        .db
        .read(move |c| {
            let (loaded, found) =
                suggestions::for_new_booking(c, &org, &location_id, &service_id, &wish, now)?;
            Ok(SuggestionsResponse {
                location_id: loaded.location.id.clone(),
                service_id: loaded.service.id.clone(),
                near: wish.near,
                time_zone: loaded.tz.name().to_owned(),
                suggestions: render(&loaded, found),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

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
    let limit = limit_of(q.limit)?;
    let near = q.near.map(|i| i.0);
    let wish = Wish {
        near: near.unwrap_or_default(),
        from: q.from.map(|i| i.0),
        to: q.to.map(|i| i.0),
        resource_id: q.resource_id.map(|r| r.to_string()),
        limit,
    };
    let (ask, _) = ask_of(&principal, None, None, None)?;
    let (org, now, id) = (
        principal.organization_id,
        state.clock.now(),
        path.into_inner().to_string(),
    );
    let body = state
        .db
        .read(move |c| {
            let (terms, loaded, found) =
                suggestions::for_appointment(c, &org, &id, near, &wish, &ask, now)?;
            Ok(AlternativesResponse {
                near: near.unwrap_or(terms.facts.starts_at),
                appointment_id: terms.row.id.clone(),
                time_zone: loaded.tz.name().to_owned(),
                alternatives: priced(&loaded, found, &terms.currency),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
