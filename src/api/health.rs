//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::Problem;
use super::state::AppState;
use crate::error::Error;

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// Always `ok` when this answers.
    pub status: &'static str,
}

/// The process is up and serving HTTP.
#[utoipa::path(tag = "health", responses((status = 200, body = HealthResponse)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok" })
}

/// The database answers a query, so requests can be served.
#[utoipa::path(tag = "health", responses(
    (status = 200, body = HealthResponse),
    (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    state
        .db
        .run(|c| {
            c.batch_execute("SELECT 1")
                .map_err(|e| Error::unavailable(e.to_string()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(HealthResponse { status: "ok" }))
}
