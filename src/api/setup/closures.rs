//! `/v1/locations/{id}/closures`: public holidays and other times a location, or one of
//! its resources, is shut.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::setup::closures::{self, Closure, NewClosure};
use crate::domain::closure_span::ClosureSpan;
use crate::domain::text;
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::{Date, Instant};

/// A time the location (or only `resource_id`) takes no appointments: `[starts_at, ends_at)`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureResponse {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub location_id: String,
    /// Only this resource is closed; absent means the whole location.
    #[schema(format = Uuid)]
    pub resource_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

impl From<Closure> for ClosureResponse {
    fn from(c: Closure) -> Self {
        ClosureResponse {
            id: c.id,
            location_id: c.location_id,
            resource_id: c.resource_id,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            reason: c.reason,
            created_at: c.created_at,
        }
    }
}

/// Either whole local days (`date`, optional inclusive `end_date`) in the location's time
/// zone, or an exact span (`starts_at` and `ends_at`, RFC 3339 with offset).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-25", "reason": "Hari Raya Natal"}))]
pub struct CreateClosureRequest {
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Date>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<Instant>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<Instant>,
    #[schema(format = Uuid)]
    pub resource_id: Option<Uuid>,
    #[schema(example = "Hari Raya Natal")]
    pub reason: String,
}

impl CreateClosureRequest {
    /// The closure the request describes at `location_id`; its span is resolved in the
    /// location's zone.
    fn into_new(self, location_id: String) -> Result<NewClosure, Error> {
        let reason = text::required("reason", &self.reason, 500)?;
        let span = match (self.date, self.end_date, self.starts_at, self.ends_at) {
            (Some(Date(first)), last, None, None) => ClosureSpan::LocalDays {
                first,
                last: last.map(|d| d.0),
            },
            (None, None, Some(Instant(starts_at)), Some(Instant(ends_at))) => {
                ClosureSpan::Exact { starts_at, ends_at }
            }
            _ => {
                return Err(Error::invalid(
                    "date",
                    Code::ClosureSpanRequired,
                    "give either date (and optionally end_date) or both starts_at and ends_at",
                ));
            }
        };
        Ok(NewClosure {
            location_id,
            resource_id: self.resource_id.map(|id| id.to_string()),
            span,
            reason,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClosureFilter {
    /// Only closures that end after this instant (e.g. now, to hide past ones).
    #[param(value_type = Option<String>, format = DateTime)]
    pub ending_after: Option<Instant>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Add a closure to a location (admin).
///
/// `end_date` is not before `date`, and `ends_at` is after `starts_at`
/// (`closure_ends_before_start`).
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("location_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateClosureRequest,
    responses(
        (status = 201, body = ClosureResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[post("/locations/{location_id}/closures")]
pub async fn create_closure(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    Json(body): Json<CreateClosureRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let new = body.into_new(path.into_inner().to_string())?;
    let ctx = state.ctx(&principal);
    idempotency
        .reply(&state, move |c| {
            let closure = closures::create(c, &ctx, new.clone())?;
            let url = format!(
                "/v1/locations/{}/closures/{}",
                closure.location_id, closure.id
            );
            Ok(
                Reply::json(StatusCode::CREATED, &ClosureResponse::from(closure))?
                    .with_location(url),
            )
        })
        .await
}

/// List a location's closures.
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("location_id" = Uuid, Path), ClosureFilter),
    responses(
        (status = 200, body = List<ClosureResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/locations/{location_id}/closures")]
pub async fn list_closures(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Query(filter): Query<ClosureFilter>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = PageParams {
        limit: filter.limit,
        cursor: filter.cursor,
    }
    .parse()?;
    let ending_after = filter.ending_after.map(|t| t.0);
    let (ctx, loc) = (state.ctx(&principal), path.into_inner().to_string());
    let page = state
        .db
        .read(move |c| closures::list(c, &ctx, &loc, ending_after, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |r| Ok(ClosureResponse::from(r)))?))
}

/// Remove a closure (admin).
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("location_id" = Uuid, Path), ("closure_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/locations/{location_id}/closures/{closure_id}")]
pub async fn delete_closure(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (loc, id) = path.into_inner();
    let (ctx, loc, id) = (state.ctx(&principal), loc.to_string(), id.to_string());
    state
        .db
        .write(move |c| closures::delete(c, &ctx, &loc, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
