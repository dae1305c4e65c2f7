//! `GET /v1/appointments/{id}/events`: an appointment's full history.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::pagination::{List, PageParams};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::repo::events::{self, EventRow};
use crate::repo::{appointments, from_db};

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

impl TryFrom<EventRow> for EventResponse {
    type Error = Error;

    fn try_from(r: EventRow) -> Result<Self, Error> {
        Ok(EventResponse {
            changes: serde_json::from_str(&r.changes)
                .map_err(|e| Error::internal(format!("event changes: {e}")))?,
            id: r.id,
            kind: r.kind,
            occurred_at: from_db(r.occurred_at),
            actor: ActorResponse {
                kind: r.actor_kind,
                api_key_id: r.actor_id,
                role: r.actor_role,
            },
            reason_category: r.reason_category,
            reason_text: r.reason_text,
            note: r.note,
            details: r
                .details
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| Error::internal(format!("event details: {e}")))?,
        })
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
    let (org, id) = (principal.organization_id, path.into_inner().to_string());
    let page = state
        .db
        .read(move |c| {
            appointments::get(c, &org, &id)?;
            events::list(c, &id, after.as_deref(), limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, EventResponse::try_from)?))
}
