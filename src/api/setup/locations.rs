//! `/v1/locations`: branches with their time zone and weekly opening hours.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::organization::BookingSettings;
use crate::app::setup::locations::{self, Location, LocationChanges, NewLocation};
use crate::domain::{Country, PhoneNumber, TimeZone, WeeklyHours, booking_rules, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::patch::nullable;
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// A dealer branch where appointments take place.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    /// E.164, e.g. `+62215550123`, however it was typed.
    pub phone: Option<String>,
    /// IANA time zone all local rules of this location use, e.g. `Asia/Jakarta`.
    pub time_zone: String,
    pub weekly_hours: WeeklyHours,
    /// Overrides of the organization's booking rules; `null` uses the organization's.
    pub booking_lead_minutes: Option<i32>,
    pub booking_horizon_days: Option<i32>,
    pub slot_interval_minutes: Option<i32>,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Location> for LocationResponse {
    fn from(l: Location) -> Self {
        LocationResponse {
            id: l.id,
            name: l.name,
            address: l.address,
            phone: l.phone,
            time_zone: l.time_zone.name().to_owned(),
            weekly_hours: l.weekly_hours,
            booking_lead_minutes: l.booking_lead_minutes,
            booking_horizon_days: l.booking_horizon_days,
            slot_interval_minutes: l.slot_interval_minutes,
            version: l.version,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLocationRequest {
    #[schema(example = "Sinar Motor Kemayoran")]
    pub name: String,
    pub address: Option<String>,
    /// A phone number as people type it (`(021) 426-1234`, `+62 21 426 1234`); stored in
    /// E.164.
    pub phone: Option<String>,
    /// IANA time zone; defaults to the organization's.
    #[schema(example = "Asia/Jakarta")]
    pub time_zone: Option<String>,
    /// Opening hours; a day left out is closed.
    #[serde(default)]
    pub weekly_hours: WeeklyHours,
    /// Minimum minutes between now and a bookable start (0 to 43200); default: the organization's.
    pub booking_lead_minutes: Option<i32>,
    /// How many days ahead bookings are taken (1 to 730); default: the organization's.
    pub booking_horizon_days: Option<i32>,
    /// Minutes between slot starts (5 to 240); default: the organization's.
    pub slot_interval_minutes: Option<i32>,
}

/// A request and the organization's country, where its national phone numbers belong.
impl TryFrom<(CreateLocationRequest, Country)> for NewLocation {
    type Error = Error;

    fn try_from((r, country): (CreateLocationRequest, Country)) -> Result<Self, Error> {
        Ok(NewLocation {
            name: text::required("name", &r.name, 200)?,
            address: text::optional("address", r.address.as_deref(), 500)?,
            phone: r
                .phone
                .as_deref()
                .map(|p| PhoneNumber::parse("phone", p, country))
                .transpose()?,
            time_zone: r
                .time_zone
                .as_deref()
                .map(|tz| TimeZone::parse("time_zone", tz))
                .transpose()?,
            weekly_hours: r.weekly_hours.validated("weekly_hours")?,
            booking: BookingSettings {
                lead_minutes: r
                    .booking_lead_minutes
                    .map(|v| booking_rules::lead_minutes("booking_lead_minutes", v))
                    .transpose()?,
                horizon_days: r
                    .booking_horizon_days
                    .map(|v| booking_rules::horizon_days("booking_horizon_days", v))
                    .transpose()?,
                slot_interval_minutes: r
                    .slot_interval_minutes
                    .map(|v| booking_rules::slot_interval_minutes("slot_interval_minutes", v))
                    .transpose()?,
            },
        })
    }
}

/// Fields to change; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLocationRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub time_zone: Option<String>,
    pub weekly_hours: Option<WeeklyHours>,
    /// `null` removes the override.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub booking_lead_minutes: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub booking_horizon_days: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub slot_interval_minutes: Option<Option<i32>>,
}

impl TryFrom<(UpdateLocationRequest, Country)> for LocationChanges {
    type Error = Error;

    fn try_from((r, country): (UpdateLocationRequest, Country)) -> Result<Self, Error> {
        Ok(LocationChanges {
            name: r
                .name
                .map(|n| text::required("name", &n, 200))
                .transpose()?,
            address: r
                .address
                .map(|a| text::optional("address", a.as_deref(), 500))
                .transpose()?,
            phone: r
                .phone
                .map(|p| {
                    p.map(|p| PhoneNumber::parse("phone", &p, country))
                        .transpose()
                })
                .transpose()?,
            time_zone: r
                .time_zone
                .map(|tz| TimeZone::parse("time_zone", &tz))
                .transpose()?,
            weekly_hours: r
                .weekly_hours
                .map(|h| h.validated("weekly_hours"))
                .transpose()?,
            booking_lead_minutes: override_of(r.booking_lead_minutes, |v| {
                booking_rules::lead_minutes("booking_lead_minutes", v)
            })?,
            booking_horizon_days: override_of(r.booking_horizon_days, |v| {
                booking_rules::horizon_days("booking_horizon_days", v)
            })?,
            slot_interval_minutes: override_of(r.slot_interval_minutes, |v| {
                booking_rules::slot_interval_minutes("slot_interval_minutes", v)
            })?,
        })
    }
}

/// Validates a nullable override: absent stays absent, `null` clears, a value is checked.
fn override_of(
    v: Option<Option<i32>>,
    check: impl Fn(i32) -> Result<i32, Error>,
) -> Result<Option<Option<i32>>, Error> {
    v.map(|inner| inner.map(check).transpose()).transpose()
}

/// The location as an answer that an `Idempotency-Key` can remember.
fn reply(status: actix_web::http::StatusCode, location: Location) -> Result<Reply, Error> {
    let body = LocationResponse::from(location);
    Reply::versioned(
        status,
        body.version,
        format!("/v1/locations/{}", body.id),
        &body,
    )
}

fn respond(status: actix_web::http::StatusCode, location: Location) -> Result<HttpResponse, Error> {
    reply(status, location).map(Reply::into_response)
}

/// Create a location (admin).
///
/// Each opening-hours interval ends after it starts (`invalid_interval`) and the
/// intervals of a day do not overlap (`overlapping_intervals`), naming the interval.
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateLocationRequest,
    responses(
        (status = 201, body = LocationResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/locations")]
pub async fn create_location(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateLocationRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let new = NewLocation::try_from((body, principal.country))?;
    let ctx = state.ctx(&principal);
    idempotency
        .reply(&state, move |c| {
            reply(
                actix_web::http::StatusCode::CREATED,
                locations::create(c, &ctx, new.clone())?,
            )
        })
        .await
}

/// List locations.
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(PageParams),
    responses(
        (status = 200, body = List<LocationResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
    )
)]
#[get("/locations")]
pub async fn list_locations(
    state: web::Data<AppState>,
    principal: Principal,
    Query(page): Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = page.parse()?;
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| locations::list(c, &ctx, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |l| Ok(LocationResponse::from(l)))?))
}

/// Get one location, with its version as `ETag`.
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("location_id" = Uuid, Path)),
    responses(
        (status = 200, body = LocationResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/locations/{location_id}")]
pub async fn get_location(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let location = state.db.read(move |c| locations::get(c, &ctx, &id)).await?;
    respond(actix_web::http::StatusCode::OK, location)
}

/// Change a location (admin). Honours `If-Match`.
///
/// A change that changes nothing keeps the version (and the `ETag`).
///
/// Each opening-hours interval ends after it starts (`invalid_interval`) and the
/// intervals of a day do not overlap (`overlapping_intervals`), naming the interval.
/// A stale `If-Match` is `412 version_mismatch`.
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("location_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = UpdateLocationRequest,
    responses(
        (status = 200, body = LocationResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[patch("/locations/{location_id}")]
pub async fn update_location(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateLocationRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let changes = LocationChanges::try_from((body, principal.country))?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let location = state
        .db
        .write(move |c| locations::update(c, &ctx, &id, expected, changes.clone()))
        .await?;
    respond(actix_web::http::StatusCode::OK, location)
}

/// Delete a location (admin). Its closures and the policies scoped to it go with it.
/// Honours `If-Match`.
///
/// Refused with 409 `location_in_use` while a service names it in `location_ids`
/// (`data.services` lists them, each with `id` and `name`: remove the location there
/// first), while it still has resources, or while appointments refer to it. Nothing is
/// deleted then, so no service is left offered only at a location that is gone.
#[utoipa::path(
    tag = "locations",
    security(("api_key" = [])),
    params(("location_id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/locations/{location_id}")]
pub async fn delete_location(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| locations::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
