//! `/v1/services`: what customers book, how long it takes, which kinds of resource it
//! needs and where it is offered.

use std::ops::RangeInclusive;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::setup::services::{self, NewService, Service, ServiceChanges, ServiceFilter};
use crate::domain::availability::{MAX_BUFFER_MINUTES, MAX_DURATION_MINUTES};
use crate::domain::{ResourceKind, text};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// Length of an appointment, in minutes.
const DURATION: RangeInclusive<i64> = 1..=MAX_DURATION_MINUTES;
/// Time kept free before or after an appointment, in minutes.
const BUFFER: RangeInclusive<i64> = 0..=MAX_BUFFER_MINUTES;

/// Something a customer books, such as a periodic service of 60 minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// Length of the appointment itself, 1 to 1440 minutes.
    pub duration_minutes: i32,
    /// Time the resources are kept free before the appointment (preparation).
    pub buffer_before_minutes: i32,
    /// Time the resources are kept free after the appointment (clean-up, paperwork).
    pub buffer_after_minutes: i32,
    /// An appointment takes one free resource of each of these kinds.
    pub resource_kinds: Vec<ResourceKind>,
    /// Allow-list: for a kind with resources listed here, only those are assigned; a
    /// kind with none listed may use any of its resources. Empty: no restriction.
    #[schema(value_type = Vec<String>, format = Uuid)]
    pub resource_ids: Vec<String>,
    /// Locations offering the service; empty: every location.
    #[schema(value_type = Vec<String>, format = Uuid)]
    pub location_ids: Vec<String>,
    /// An inactive service is kept but cannot be booked.
    pub active: bool,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Service> for ServiceResponse {
    fn from(s: Service) -> Self {
        ServiceResponse {
            id: s.id,
            name: s.name,
            duration_minutes: s.duration_minutes,
            buffer_before_minutes: s.buffer_before_minutes,
            buffer_after_minutes: s.buffer_after_minutes,
            resource_kinds: s.resource_kinds,
            resource_ids: s.resource_ids,
            location_ids: s.location_ids,
            active: s.active,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Servis berkala",
    "duration_minutes": 60,
    "buffer_after_minutes": 15,
    "resource_kinds": ["service_bay", "service_advisor"]
}))]
pub struct CreateServiceRequest {
    pub name: String,
    /// 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i64,
    /// 0 to 240, default 0.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: i64,
    /// 0 to 240, default 0.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_after_minutes: i64,
    /// At least one kind, each at most once.
    #[schema(min_items = 1)]
    pub resource_kinds: Vec<ResourceKind>,
    /// Optional allow-list of resources of your organization, each of a kind in
    /// `resource_kinds`.
    #[serde(default)]
    pub resource_ids: Vec<Uuid>,
    /// Locations of your organization offering the service; empty or absent: all.
    #[serde(default)]
    pub location_ids: Vec<Uuid>,
    /// Defaults to `true`.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<CreateServiceRequest> for NewService {
    type Error = Error;

    fn try_from(r: CreateServiceRequest) -> Result<Self, Error> {
        Ok(NewService {
            name: text::required("name", &r.name, 200)?,
            duration_minutes: minutes("duration_minutes", r.duration_minutes, DURATION)?,
            buffer_before_minutes: minutes(
                "buffer_before_minutes",
                r.buffer_before_minutes,
                BUFFER,
            )?,
            buffer_after_minutes: minutes("buffer_after_minutes", r.buffer_after_minutes, BUFFER)?,
            resource_kinds: resource_kinds(r.resource_kinds)?,
            resource_ids: ids("resource_ids", r.resource_ids, Code::DuplicateResource)?,
            location_ids: ids("location_ids", r.location_ids, Code::DuplicateLocation)?,
            active: r.active,
        })
    }
}

/// Fields to change; absent fields stay as they are, a list replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceRequest {
    pub name: Option<String>,
    /// 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i64>,
    /// 0 to 240.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: Option<i64>,
    /// 0 to 240.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_after_minutes: Option<i64>,
    /// Replaces the required kinds: at least one, each at most once.
    #[schema(min_items = 1)]
    pub resource_kinds: Option<Vec<ResourceKind>>,
    /// Replaces the allow-list; `[]` removes it.
    pub resource_ids: Option<Vec<Uuid>>,
    /// Replaces the locations; `[]` offers the service everywhere.
    pub location_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
}

impl TryFrom<UpdateServiceRequest> for ServiceChanges {
    type Error = Error;

    fn try_from(r: UpdateServiceRequest) -> Result<Self, Error> {
        Ok(ServiceChanges {
            name: r
                .name
                .map(|n| text::required("name", &n, 200))
                .transpose()?,
            duration_minutes: r
                .duration_minutes
                .map(|m| minutes("duration_minutes", m, DURATION))
                .transpose()?,
            buffer_before_minutes: r
                .buffer_before_minutes
                .map(|m| minutes("buffer_before_minutes", m, BUFFER))
                .transpose()?,
            buffer_after_minutes: r
                .buffer_after_minutes
                .map(|m| minutes("buffer_after_minutes", m, BUFFER))
                .transpose()?,
            resource_kinds: r.resource_kinds.map(resource_kinds).transpose()?,
            resource_ids: r
                .resource_ids
                .map(|v| ids("resource_ids", v, Code::DuplicateResource))
                .transpose()?,
            location_ids: r
                .location_ids
                .map(|v| ids("location_ids", v, Code::DuplicateLocation))
                .transpose()?,
            active: r.active,
        })
    }
}

/// A number of minutes within `range`.
fn minutes(field: &str, value: i64, range: RangeInclusive<i64>) -> Result<i32, Error> {
    if !range.contains(&value) {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            format!(
                "{field} must be between {} and {}",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(value as i32)
}

/// At least one kind, none twice.
fn resource_kinds(kinds: Vec<ResourceKind>) -> Result<Vec<ResourceKind>, Error> {
    if kinds.is_empty() {
        return Err(Error::invalid(
            "resource_kinds",
            Code::Required,
            "resource_kinds must name at least one kind of resource",
        ));
    }
    if let Some(i) = first_repeat(&kinds) {
        return Err(Error::invalid(
            format!("resource_kinds[{i}]"),
            Code::DuplicateResourceKind,
            format!("{} is listed more than once", kinds[i].as_str()),
        ));
    }
    Ok(kinds)
}

/// Ids as text, none twice.
fn ids(field: &str, ids: Vec<Uuid>, code: Code) -> Result<Vec<String>, Error> {
    if let Some(i) = first_repeat(&ids) {
        return Err(Error::invalid(
            format!("{field}[{i}]"),
            code,
            format!("{} is listed more than once", ids[i]),
        ));
    }
    Ok(ids.into_iter().map(|id| id.to_string()).collect())
}

/// The index of the first item that already occurred earlier in the list.
fn first_repeat<T: PartialEq>(items: &[T]) -> Option<usize> {
    (1..items.len()).find(|&i| items[..i].contains(&items[i]))
}

/// Filters and paging of the service list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceListParams {
    /// Only services offered at this location (those listing it, and those offered at
    /// every location).
    pub location_id: Option<Uuid>,
    /// Only active (`true`) or only inactive (`false`) services.
    pub active: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The service as an answer that an `Idempotency-Key` can remember.
fn reply(status: StatusCode, service: Service) -> Result<Reply, Error> {
    let body = ServiceResponse::from(service);
    Reply::versioned(
        status,
        body.version,
        format!("/v1/services/{}", body.id),
        &body,
    )
}

fn respond(status: StatusCode, service: Service) -> Result<HttpResponse, Error> {
    reply(status, service).map(Reply::into_response)
}

/// Create a service (admin).
///
/// Refused with 422 and the field named: `out_of_range` (durations), `required` or
/// `duplicate_resource_kind` (`resource_kinds`), `resource_not_found`,
/// `resource_kind_not_required` or `duplicate_resource` (`resource_ids[i]`),
/// `location_not_found` or `duplicate_location` (`location_ids[i]`).
#[utoipa::path(
    tag = "services",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateServiceRequest,
    responses(
        (status = 201, body = ServiceResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateServiceRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let new = NewService::try_from(body)?;
    let ctx = principal.ctx(state.clock.now());
    idempotency
        .reply(&state, move |c| {
            reply(StatusCode::CREATED, services::create(c, &ctx, new.clone())?)
        })
        .await
}

/// List services, optionally only those offered at one location, or (in)active.
#[utoipa::path(
    tag = "services",
    security(("api_key" = [])),
    params(ServiceListParams),
    responses(
        (status = 200, body = List<ServiceResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
    )
)]
#[get("/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    principal: Principal,
    Query(params): Query<ServiceListParams>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    }
    .parse()?;
    let filter = ServiceFilter {
        location_id: params.location_id.map(|id| id.to_string()),
        active: params.active,
    };
    let ctx = principal.ctx(state.clock.now());
    let page = state
        .db
        .read(move |c| services::list(c, &ctx, filter, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |s| Ok(ServiceResponse::from(s)))?))
}

/// Get one service, with its version as `ETag`.
#[utoipa::path(
    tag = "services",
    security(("api_key" = [])),
    params(("service_id" = Uuid, Path)),
    responses(
        (status = 200, body = ServiceResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/services/{service_id}")]
pub async fn get_service(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (
        principal.ctx(state.clock.now()),
        path.into_inner().to_string(),
    );
    let service = state.db.read(move |c| services::get(c, &ctx, &id)).await?;
    respond(StatusCode::OK, service)
}

/// Change a service (admin). Honours `If-Match`.
///
/// The same rules as on creation apply to the result: changing `resource_kinds` alone
/// is refused (`resource_kind_not_required`, field `resource_kinds`) when a listed
/// resource would no longer be of a required kind. A resource or location named here
/// that is deleted while this change runs gives 409 `reference_changed` (field
/// `resource_ids` or `location_ids`), and the service is left as it was.
#[utoipa::path(
    tag = "services",
    security(("api_key" = [])),
    params(("service_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = UpdateServiceRequest,
    responses(
        (status = 200, body = ServiceResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[patch("/services/{service_id}")]
pub async fn update_service(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateServiceRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let changes = ServiceChanges::try_from(body)?;
    let (ctx, id) = (
        principal.ctx(state.clock.now()),
        path.into_inner().to_string(),
    );
    let service = state
        .db
        .write(move |c| services::update(c, &ctx, &id, expected, changes.clone()))
        .await?;
    respond(StatusCode::OK, service)
}

/// Delete a service (admin). Honours `If-Match`.
#[utoipa::path(
    tag = "services",
    security(("api_key" = [])),
    params(("service_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/services/{service_id}")]
pub async fn delete_service(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (
        principal.ctx(state.clock.now()),
        path.into_inner().to_string(),
    );
    state
        .db
        .write(move |c| services::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_bounded() {
        assert_eq!(minutes("duration_minutes", 60, DURATION).unwrap(), 60);
        let e = minutes("duration_minutes", 0, DURATION).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::OutOfRange, Some("duration_minutes"))
        );
        assert!(minutes("duration_minutes", 1441, DURATION).is_err());
        assert!(minutes("buffer_after_minutes", i64::MAX, BUFFER).is_err());
        assert_eq!(minutes("buffer_after_minutes", 0, BUFFER).unwrap(), 0);
    }

    #[test]
    fn kinds_are_required_and_distinct() {
        use ResourceKind::*;
        assert_eq!(resource_kinds(vec![]).unwrap_err().code, Code::Required);
        let e = resource_kinds(vec![ServiceBay, ServiceAdvisor, ServiceBay]).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::DuplicateResourceKind, Some("resource_kinds[2]"))
        );
        assert!(resource_kinds(vec![ServiceBay, ServiceAdvisor]).is_ok());
    }

    #[test]
    fn ids_are_distinct() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let e = ids("location_ids", vec![a, b, b], Code::DuplicateLocation).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("location_ids[2]"));
        assert_eq!(
            ids("location_ids", vec![a, b], Code::DuplicateLocation)
                .unwrap()
                .len(),
            2
        );
    }
}
