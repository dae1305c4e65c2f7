//! Liveness and readiness probes.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::http::problem::Problem;
use crate::http::state::AppState;

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

/// The longest a readiness probe waits, so that it answers before a probe's own timeout.
pub const READY_WITHIN: Duration = Duration::from_millis(900);

/// The database answers a query, so requests can be served. Answers within a second:
/// a pool that has no connection free by then counts as not ready.
#[utoipa::path(tag = "health", responses(
    (status = 200, body = HealthResponse),
    (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let pool = state.db.pool().clone();
    let probe = web::block(move || {
        let mut conn = pool
            .get_timeout(READY_WITHIN)
            .map_err(|e| Error::unavailable(format!("pool: {e}")))?;
        conn.batch_execute("SELECT 1")
            .map_err(|e| Error::unavailable(e.to_string()))
    });
    match tokio::time::timeout(READY_WITHIN, probe).await {
        Ok(Ok(Ok(()))) => Ok(HttpResponse::Ok().json(HealthResponse { status: "ok" })),
        Ok(Ok(Err(e))) => Err(e),
        Ok(Err(e)) => Err(Error::internal(format!("blocking task failed: {e}"))),
        Err(_) => Err(Error::unavailable("readiness probe timed out")),
    }
}
