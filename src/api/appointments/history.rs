//! `GET /v1/appointments/{id}/events`: an appointment's full history.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::history::{self, Event};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::pagination::{List, PageParams};
use crate::http::responses::*;
use crate::http::state::AppState;

/// Who made a change: an API key (with its role), a customer through their link, or
/// Janji itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorResponse {
    /// `api_key`, `customer_link` or `system`.
    pub kind: String,
    #[schema(format = Uuid)]
    pub api_key_id: Option<String>,
    pub role: Option<String>,
}

/// One change in an appointment's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    #[schema(format = Uuid)]
    pub id: String,
    /// `created`, `confirmed`, `checked_in`, `completed`, `cancelled`, `no_show`, ...
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub actor: ActorResponse,
    /// What changed: field → `{ "old": ..., "new": ... }`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub reason_category: Option<String>,
    pub reason_text: Option<String>,
    pub note: Option<String>,
    /// What the change decided besides its fields: for a reschedule or cancellation the
    /// fee (`amount`, `currency`, `status`, `fee_id`), the override and the policy.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl From<Event> for EventResponse {
    fn from(e: Event) -> Self {
        EventResponse {
            id: e.id,
            kind: e.kind.as_str().to_owned(),
            occurred_at: e.occurred_at,
            actor: ActorResponse {
                kind: e.actor_kind,
                api_key_id: e.actor_key_id,
                role: e.actor_role.map(|r| r.as_str().to_owned()),
            },
            changes: e.changes,
            reason_category: e.reason_category.map(|c| c.as_str().to_owned()),
            reason_text: e.reason_text,
            note: e.note,
            details: e.details,
        }
    }
}

/// The history of an appointment, oldest first: every creation and change, with time,
/// actor, old and new values, reason and note.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path), PageParams),
    responses(
        (status = 200, body = List<EventResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/appointments/{appointment_id}/events")]
pub async fn list_appointment_events(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Query(page): Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = page.parse()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let page = state
        .db
        .read(move |c| history::events(c, &ctx, &id, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |e| Ok(EventResponse::from(e)))?))
}
