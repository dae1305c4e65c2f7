//! `/v1/webhook-endpoints`: where the organization's events are POSTed for its
//! integrations, signed per Standard Webhooks (admin). The signing secret is in the
//! answer that makes it (creation, rotation) and nowhere else.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::deliveries::DeliveryResponse;
use crate::app::webhook_endpoints::{self, Endpoint, EndpointChanges, NewEndpoint, WithSecret};
use crate::delivery::{signature, targets};
use crate::domain::text;
use crate::domain::webhook_event::WebhookEvent;
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::json_shape::object;
use crate::http::pagination::{List, PageParams};
use crate::http::patch::nullable;
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// A webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointResponse {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "https://dms.dealer.example/janji-events")]
    pub url: String,
    #[schema(example = "Dealer management system")]
    pub description: Option<String>,
    /// The events it receives.
    pub event_types: Vec<WebhookEvent>,
    /// Only an active endpoint is sent events.
    pub active: bool,
    /// Which secret signs now (1 on creation, one more per rotation).
    pub secret_generation: i32,
    /// Until then the previous secret also signs, beside the current one.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    /// When Janji turned it off because it answered `410 Gone` (cleared when it is
    /// turned on again), and why.
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    /// Send back as `If-Match: "<version>"` to change or delete it.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The signing secret (`whsec_…`), only in the answer that made it: the creation or
    /// a rotation. It is not stored; keep it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl WebhookEndpointResponse {
    fn of(e: Endpoint, secret: Option<[u8; 32]>) -> Self {
        WebhookEndpointResponse {
            id: e.id,
            url: e.url,
            description: e.description,
            event_types: e.event_types,
            active: e.active,
            secret_generation: e.secret_generation,
            previous_secret_valid_until: e.previous_secret_until,
            disabled_at: e.disabled_at,
            disabled_reason: e.disabled_reason,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
            secret: secret.as_ref().map(signature::secret_text),
        }
    }
}

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpointRequest {
    /// Where events are POSTed: an absolute http(s) URL without user or password, not
    /// leading to a loopback or private address unless the server allows it.
    #[schema(example = "https://dms.dealer.example/janji-events", max_length = 2000)]
    pub url: String,
    /// The events it receives: one or more, no repeats.
    #[schema(value_type = Vec<WebhookEvent>, example = json!(["appointment.booked", "appointment.rescheduled", "fee.paid"]), min_items = 1)]
    pub event_types: Vec<String>,
    /// Default `true`.
    pub active: Option<bool>,
    /// Up to 500 characters.
    #[schema(example = "Dealer management system", max_length = 500)]
    pub description: Option<String>,
}

fn url(raw: String) -> Result<String, Error> {
    if raw.len() > 2000 {
        return Err(Error::invalid(
            "url",
            Code::TooLong,
            "a URL of at most 2000 characters",
        ));
    }
    Ok(targets::parse(&raw)
        .map_err(|r| Error::invalid("url", Code::InvalidUrl, r.to_string()))?
        .to_string())
}

fn event_types(raw: Vec<String>) -> Result<Vec<WebhookEvent>, Error> {
    if raw.is_empty() {
        return Err(Error::invalid(
            "event_types",
            Code::Required,
            "at least one event type",
        ));
    }
    let mut out: Vec<WebhookEvent> = Vec::with_capacity(raw.len());
    for (i, name) in raw.iter().enumerate() {
        let field = format!("event_types[{i}]");
        let e: WebhookEvent = name.parse().map_err(|_| {
            Error::invalid(
                field.clone(),
                Code::UnknownEventType,
                format!("'{name}' is not an event type Janji publishes"),
            )
        })?;
        if out.contains(&e) {
            return Err(Error::invalid(
                field,
                Code::UnknownEventType,
                format!("'{name}' is listed twice"),
            ));
        }
        out.push(e);
    }
    Ok(out)
}

impl TryFrom<CreateWebhookEndpointRequest> for NewEndpoint {
    type Error = Error;

    fn try_from(r: CreateWebhookEndpointRequest) -> Result<Self, Error> {
        Ok(NewEndpoint {
            url: url(r.url)?,
            event_types: event_types(r.event_types)?,
            active: r.active.unwrap_or(true),
            description: text::optional("description", r.description.as_deref(), 500)?,
        })
    }
}

/// Fields to change; absent fields stay as they are, `null` clears the description.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, from = "UpdateEndpointBody")]
pub struct UpdateWebhookEndpointRequest {
    #[schema(example = "https://dms.dealer.example/janji-events", max_length = 2000)]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<WebhookEvent>>, example = json!(["appointment.booked"]), min_items = 1)]
    pub event_types: Option<Vec<String>>,
    /// `false` stops deliveries (those not yet sent are cancelled); `true` turns it on
    /// again, also after Janji turned it off for a `410 Gone`.
    pub active: Option<bool>,
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
}

/// The fields as read, from an object only (see `http::json_shape`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateEndpointFields {
    url: Option<String>,
    event_types: Option<Vec<String>>,
    active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
}

struct UpdateEndpointBody(UpdateEndpointFields);

impl<'de> Deserialize<'de> for UpdateEndpointBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(UpdateEndpointBody)
    }
}

impl From<UpdateEndpointBody> for UpdateWebhookEndpointRequest {
    fn from(UpdateEndpointBody(f): UpdateEndpointBody) -> Self {
        UpdateWebhookEndpointRequest {
            url: f.url,
            event_types: f.event_types,
            active: f.active,
            description: f.description,
        }
    }
}

impl TryFrom<UpdateWebhookEndpointRequest> for EndpointChanges {
    type Error = Error;

    fn try_from(r: UpdateWebhookEndpointRequest) -> Result<Self, Error> {
        Ok(EndpointChanges {
            url: r.url.map(url).transpose()?,
            event_types: r.event_types.map(event_types).transpose()?,
            active: r.active,
            description: r
                .description
                .map(|d| text::optional("description", d.as_deref(), 500))
                .transpose()?,
        })
    }
}

/// Where a URL leads: `422 private_target` for an internal address.
async fn check_target(state: &AppState, url: &str) -> Result<(), Error> {
    targets::check(url, state.allow_private_targets)
        .await
        .map(|_| ())
        .map_err(|r| Error::invalid("url", Code::PrivateTarget, r.to_string()))
}

fn shown(status: StatusCode, made: WithSecret) -> Result<Reply, Error> {
    let WithSecret { endpoint, secret } = made;
    let location = format!("/v1/webhook-endpoints/{}", endpoint.id);
    let version = endpoint.version;
    let with = WebhookEndpointResponse::of(endpoint.clone(), Some(secret));
    let without = WebhookEndpointResponse::of(endpoint, None);
    Reply::versioned(status, version, location, &with)?
        .no_store()
        .remember_as(&without)
}

fn plain(endpoint: Endpoint) -> Result<Reply, Error> {
    let body = WebhookEndpointResponse::of(endpoint, None);
    Reply::versioned(
        StatusCode::OK,
        body.version,
        format!("/v1/webhook-endpoints/{}", body.id),
        &body,
    )
}

/// Add a webhook endpoint (admin). The answer carries its signing secret (`whsec_…`),
/// once (`Cache-Control: no-store`); a replay with the same `Idempotency-Key` answers
/// without it. Unknown or repeated event types are `422 unknown_event_type`; a URL
/// leading to an internal address is `422 private_target`.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateWebhookEndpointRequest,
    responses(
        (status = 201, body = WebhookEndpointResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[post("/webhook-endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateWebhookEndpointRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let new = NewEndpoint::try_from(body)?;
    check_target(&state, &new.url).await?;
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    idempotency
        .reply(&state, move |c| {
            shown(
                StatusCode::CREATED,
                webhook_endpoints::create(c, &ctx, &key, new.clone())?,
            )
        })
        .await
}

/// Pages of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookEndpointsQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The organization's webhook endpoints (admin), in the order they were added.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(WebhookEndpointsQuery),
    responses(
        (status = 200, body = List<WebhookEndpointResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("/webhook-endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<WebhookEndpointsQuery>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (limit, after) = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .parse()?;
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| webhook_endpoints::list(c, &ctx, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |e| {
        Ok(WebhookEndpointResponse::of(e, None))
    })?))
}

/// A webhook endpoint (admin), without its secret.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(("endpoint_id" = Uuid, Path)),
    responses(
        (status = 200, body = WebhookEndpointResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    )
)]
#[get("/webhook-endpoints/{endpoint_id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let e = state
        .db
        .read(move |c| webhook_endpoints::get(c, &ctx, &id))
        .await?;
    plain(e).map(Reply::into_response)
}

/// Change a webhook endpoint (admin): its URL, events, description, or whether it is
/// active. Honours `If-Match`. Turning it off cancels its deliveries not yet sent.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(("endpoint_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = UpdateWebhookEndpointRequest,
    responses(
        (status = 200, body = WebhookEndpointResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[patch("/webhook-endpoints/{endpoint_id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateWebhookEndpointRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let changes = EndpointChanges::try_from(body)?;
    if let Some(u) = &changes.url {
        check_target(&state, u).await?;
    }
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let e = state
        .db
        .write(move |c| webhook_endpoints::update(c, &ctx, &id, expected, changes.clone()))
        .await?;
    plain(e).map(Reply::into_response)
}

/// Delete a webhook endpoint (admin). Honours `If-Match`. Its deliveries not yet sent
/// are cancelled; the others stay in the delivery log.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(("endpoint_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/webhook-endpoints/{endpoint_id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| webhook_endpoints::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How long the old secret keeps signing after a rotation.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RotateEndpointSecretParams {
    /// 0 to 168 hours (default 24): deliveries carry both signatures meanwhile.
    #[param(minimum = 0, maximum = 168)]
    pub overlap_hours: Option<i64>,
}

/// Make a new signing secret for the endpoint (admin), shown once in the answer.
/// Deliveries are signed with both the new and the previous secret for `overlap_hours`.
/// A replay with the same `Idempotency-Key` answers without the secret.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(("endpoint_id" = Uuid, Path), RotateEndpointSecretParams, ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = WebhookEndpointResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/webhook-endpoints/{endpoint_id}/secret")]
pub async fn rotate_webhook_endpoint_secret(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    Query(params): Query<RotateEndpointSecretParams>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let hours = params.overlap_hours.unwrap_or(24);
    if !(0..=168).contains(&hours) {
        return Err(Error::invalid(
            "overlap_hours",
            Code::OutOfRange,
            "from 0 to 168 hours",
        ));
    }
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    let id = path.into_inner().to_string();
    idempotency
        .reply(&state, move |c| {
            let made =
                webhook_endpoints::rotate_secret(c, &ctx, &key, &id, Duration::hours(hours))?;
            shown(StatusCode::OK, made)
        })
        .await
}

/// Send the endpoint a `webhook.test` event (admin), whatever it is subscribed to and
/// whether or not it is active: queued at once and delivered, signed and retried like
/// any event. The answer is the delivery, to follow in `GET /v1/deliveries`.
#[utoipa::path(
    tag = "webhooks",
    security(("api_key" = [])),
    params(("endpoint_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 202, body = DeliveryResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/webhook-endpoints/{endpoint_id}/test")]
pub async fn test_webhook_endpoint(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    idempotency
        .reply(&state, move |c| {
            let d = webhook_endpoints::test(c, &ctx, &id)?;
            Reply::json(StatusCode::ACCEPTED, &DeliveryResponse::from(d))
        })
        .await
}
