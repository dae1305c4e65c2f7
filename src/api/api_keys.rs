//! `/v1/api-keys`: keys for staff, admins and integrations (admin only).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::api_keys::{self, ApiKey, NewApiKey};
use crate::domain::{Role, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::responses::*;
use crate::http::state::AppState;

/// An API key as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The public start of the key, e.g. `jnj_5f3a9c2e7b41`, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// Last authenticated use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyResponse {
    fn from(k: ApiKey) -> Self {
        ApiKeyResponse {
            id: k.id,
            name: k.name,
            role: k.role,
            prefix: k.prefix,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new key: `secret` is shown here once and cannot be retrieved again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    /// Send as `Authorization: Bearer <secret>`. Store it now: it is not shown again. A
    /// replay of this answer (same `Idempotency-Key`) leaves it out, because secrets are
    /// never stored in clear: revoke such a key and create another if the first answer
    /// was lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[schema(example = "WhatsApp bot")]
    pub name: String,
    pub role: Role,
}

/// Create an API key (admin). The secret is in this response only.
#[utoipa::path(
    tag = "api keys",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, body = CreatedApiKeyResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let new = NewApiKey {
        name: text::required("name", &body.name, 200)?,
        role: body.role,
    };
    let ctx = state.ctx(&principal);
    idempotency
        .reply(&state, move |c| {
            let created = api_keys::create(c, &ctx, new.clone())?;
            let location = format!("/v1/api-keys/{}", created.key.id);
            let created = CreatedApiKeyResponse {
                key: created.key.into(),
                secret: Some(created.secret),
            };
            // Replays get the key as listed: the same fields without the secret.
            Reply::json(StatusCode::CREATED, &created)?
                .with_location(location)
                .no_store()
                .remember_as(&created.key)
        })
        .await
}

/// List API keys (admin): prefix, role and last use, never secrets.
#[utoipa::path(
    tag = "api keys",
    security(("api_key" = [])),
    params(PageParams),
    responses(
        (status = 200, body = List<ApiKeyResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    principal: Principal,
    Query(page): Query<PageParams>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (limit, after) = page.parse()?;
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| api_keys::list(c, &ctx, after.as_deref(), limit))
        .await?;
    let mut list = List::from_page(page, |k| Ok(ApiKeyResponse::from(k)))?;
    for key in &mut list.items {
        // Uses noted since the last write of them.
        if let Some(at) = state.last_use.pending(&key.id) {
            key.last_used_at = Some(key.last_used_at.map_or(at, |t| t.max(at)));
        }
    }
    Ok(HttpResponse::Ok().json(list))
}

/// Revoke an API key at once (admin). The organization's last active admin key cannot
/// be revoked, so that it cannot lock itself out.
#[utoipa::path(
    tag = "api keys",
    security(("api_key" = [])),
    params(("api_key_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = ApiKeyResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/api-keys/{api_key_id}/revoke")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    idempotency
        .reply(&state, move |c| {
            let key = api_keys::revoke(c, &ctx, &id)?;
            Reply::json(StatusCode::OK, &ApiKeyResponse::from(key))
        })
        .await
}
