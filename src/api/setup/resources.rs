//! `/v1/resources`: service bays, service advisors and anything else a service needs,
//! each at one location.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::setup::resources::{self, NewResource, Resource, ResourceChanges, ResourceFilter};
use crate::domain::{ResourceKind, WeeklyHours, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::patch::nullable;
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// Something an appointment occupies: a service bay, a service advisor, or other.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceResponse {
    #[schema(format = Uuid)]
    pub id: String,
    /// The location this resource belongs to.
    #[schema(format = Uuid)]
    pub location_id: String,
    pub name: String,
    pub kind: ResourceKind,
    /// The resource's own hours; `null` means it follows its location's hours.
    pub weekly_hours: Option<WeeklyHours>,
    /// An inactive resource is kept (with its history) but never assigned.
    pub active: bool,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Resource> for ResourceResponse {
    fn from(r: Resource) -> Self {
        ResourceResponse {
            id: r.id,
            location_id: r.location_id,
            name: r.name,
            kind: r.kind,
            weekly_hours: r.weekly_hours,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new resource at one of your locations.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResourceRequest {
    /// A location of your organization; it cannot be changed later.
    #[schema(format = Uuid)]
    pub location_id: Uuid,
    #[schema(example = "Bay 1")]
    pub name: String,
    pub kind: ResourceKind,
    /// The resource's own hours (a day left out is closed); absent or `null`: the
    /// location's hours.
    pub weekly_hours: Option<WeeklyHours>,
    /// Defaults to `true`.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<CreateResourceRequest> for NewResource {
    type Error = Error;

    fn try_from(r: CreateResourceRequest) -> Result<Self, Error> {
        Ok(NewResource {
            location_id: r.location_id.to_string(),
            name: text::required("name", &r.name, 200)?,
            kind: r.kind,
            weekly_hours: r
                .weekly_hours
                .map(|h| h.validated("weekly_hours"))
                .transpose()?,
            active: r.active,
        })
    }
}

/// Fields to change; absent fields stay as they are. `weekly_hours: null` makes the
/// resource follow its location's hours again. The location cannot be changed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResourceRequest {
    pub name: Option<String>,
    pub kind: Option<ResourceKind>,
    /// The resource's own hours; `null`: follow the location's hours.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<WeeklyHours>)]
    pub weekly_hours: Option<Option<WeeklyHours>>,
    pub active: Option<bool>,
}

impl TryFrom<UpdateResourceRequest> for ResourceChanges {
    type Error = Error;

    fn try_from(r: UpdateResourceRequest) -> Result<Self, Error> {
        Ok(ResourceChanges {
            name: r
                .name
                .map(|n| text::required("name", &n, 200))
                .transpose()?,
            kind: r.kind,
            weekly_hours: r
                .weekly_hours
                .map(|h| h.map(|h| h.validated("weekly_hours")).transpose())
                .transpose()?,
            active: r.active,
        })
    }
}

/// Filters and paging of the resource list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourceListParams {
    /// Only resources at this location.
    pub location_id: Option<Uuid>,
    /// Only resources of this kind.
    pub kind: Option<ResourceKind>,
    /// Only active (`true`) or only inactive (`false`) resources.
    pub active: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The resource as an answer that an `Idempotency-Key` can remember.
fn reply(status: StatusCode, resource: Resource) -> Result<Reply, Error> {
    let body = ResourceResponse::from(resource);
    Reply::versioned(
        status,
        body.version,
        format!("/v1/resources/{}", body.id),
        &body,
    )
}

fn respond(status: StatusCode, resource: Resource) -> Result<HttpResponse, Error> {
    reply(status, resource).map(Reply::into_response)
}

/// Create a resource at one of your locations (admin).
///
/// Refused with 422 `location_not_found` when `location_id` is not a location of your
/// organization.
#[utoipa::path(
    tag = "resources",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateResourceRequest,
    responses(
        (status = 201, body = ResourceResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/resources")]
pub async fn create_resource(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateResourceRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let new = NewResource::try_from(body)?;
    let ctx = state.ctx(&principal);
    idempotency
        .reply(&state, move |c| {
            reply(
                StatusCode::CREATED,
                resources::create(c, &ctx, new.clone())?,
            )
        })
        .await
}

/// List resources, optionally only those at one location, of one kind, or (in)active.
#[utoipa::path(
    tag = "resources",
    security(("api_key" = [])),
    params(ResourceListParams),
    responses(
        (status = 200, body = List<ResourceResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
    )
)]
#[get("/resources")]
pub async fn list_resources(
    state: web::Data<AppState>,
    principal: Principal,
    Query(params): Query<ResourceListParams>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    }
    .parse()?;
    let filter = ResourceFilter {
        location_id: params.location_id.map(|id| id.to_string()),
        kind: params.kind,
        active: params.active,
    };
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| resources::list(c, &ctx, filter, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |r| Ok(ResourceResponse::from(r)))?))
}

/// Get one resource, with its version as `ETag`.
#[utoipa::path(
    tag = "resources",
    security(("api_key" = [])),
    params(("resource_id" = Uuid, Path)),
    responses(
        (status = 200, body = ResourceResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/resources/{resource_id}")]
pub async fn get_resource(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let resource = state.db.read(move |c| resources::get(c, &ctx, &id)).await?;
    respond(StatusCode::OK, resource)
}

/// Change a resource (admin). Honours `If-Match`.
///
/// A change that changes nothing keeps the version (and the `ETag`).
///
/// Changing `kind` is refused with 409 `resource_in_use` while a service lists this
/// resource in its `resource_ids` but does not require the new kind (`data.services`
/// lists those services, each with `id` and `name`).
#[utoipa::path(
    tag = "resources",
    security(("api_key" = [])),
    params(("resource_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = UpdateResourceRequest,
    responses(
        (status = 200, body = ResourceResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/resources/{resource_id}")]
pub async fn update_resource(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateResourceRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let changes = ResourceChanges::try_from(body)?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let resource = state
        .db
        .write(move |c| resources::update(c, &ctx, &id, expected, changes.clone()))
        .await?;
    respond(StatusCode::OK, resource)
}

/// Delete a resource (admin), together with its own closures. Honours `If-Match`.
///
/// Refused with 409 `resource_in_use` while a service lists it in `resource_ids`
/// (`data.services` lists them, each with `id` and `name`: remove it there first) or
/// while appointments hold it. To keep it out of new bookings without deleting it, set
/// `active` to `false`.
#[utoipa::path(
    tag = "resources",
    security(("api_key" = [])),
    params(("resource_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/resources/{resource_id}")]
pub async fn delete_resource(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| resources::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
