//! `/v1/services`: what customers book, how long it takes, which kinds of resource it
//! needs and where it is offered.

mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::setup::services::{self, NewService, Service, ServiceChanges, ServiceFilter};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

pub use dto::{CreateServiceRequest, ServiceResponse, UpdateServiceRequest};

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
    let ctx = state.ctx(&principal);
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
    let ctx = state.ctx(&principal);
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
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let service = state.db.read(move |c| services::get(c, &ctx, &id)).await?;
    respond(StatusCode::OK, service)
}

/// Change a service (admin). Honours `If-Match`.
///
/// A change that changes nothing keeps the version (and the `ETag`).
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
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
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
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| services::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
