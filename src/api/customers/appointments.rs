//! `GET /v1/customers/{id}/appointments`: a customer's appointments and counts, for the
//! front desk.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::appointments::dto::AppointmentResponse;
use crate::api::appointments::{list_page, parse_sort, parse_statuses};
use crate::app::appointments::{self, CustomerCounts as Counts};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Query;
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::repo::appointments::AppointmentFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustomerAppointmentsQuery {
    /// Comma-separated statuses, e.g. `booked,confirmed` (no spaces).
    #[param(
        pattern = "^(booked|confirmed|checked_in|completed|cancelled|no_show)(,(booked|confirmed|checked_in|completed|cancelled|no_show))*$"
    )]
    pub status: Option<String>,
    /// `starts_at` (earliest first, the default) or `-starts_at` (latest first: the last
    /// visit on top).
    #[param(pattern = "^-?starts_at$")]
    pub sort: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// How often this customer booked, moved, cancelled and missed appointments.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct CustomerCounts {
    /// Every appointment ever booked, whatever became of it.
    pub total: i64,
    /// Still to come: booked or confirmed.
    pub upcoming: i64,
    pub checked_in: i64,
    pub completed: i64,
    /// Moves of this customer's appointments (the reschedule events).
    pub rescheduled: i64,
    pub cancelled: i64,
    pub no_show: i64,
}

impl From<Counts> for CustomerCounts {
    fn from(c: Counts) -> Self {
        CustomerCounts {
            total: c.total,
            upcoming: c.upcoming,
            checked_in: c.checked_in,
            completed: c.completed,
            rescheduled: c.rescheduled,
            cancelled: c.cancelled,
            no_show: c.no_show,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerAppointmentsResponse {
    #[schema(format = Uuid)]
    pub customer_id: String,
    pub counts: CustomerCounts,
    pub items: Vec<AppointmentResponse>,
    pub next_cursor: Option<String>,
}

/// A customer's appointments by start time, with counts per outcome.
#[utoipa::path(
    tag = "customers",
    security(("api_key" = [])),
    params(("customer_id" = Uuid, Path), CustomerAppointmentsQuery),
    responses(
        (status = 200, body = CustomerAppointmentsResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/customers/{customer_id}/appointments")]
pub async fn list_customer_appointments(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Query(q): Query<CustomerAppointmentsQuery>,
) -> Result<HttpResponse, Error> {
    let statuses = parse_statuses(q.status.as_deref())?;
    let latest_first = parse_sort(q.sort.as_deref())?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let body = state
        .db
        .read(move |c| {
            let (customer_id, counts) = appointments::customer_counts(c, &ctx, &id)?;
            let filter = AppointmentFilter {
                customer_id: Some(customer_id.clone()),
                statuses,
                latest_first,
                ..Default::default()
            };
            let page = list_page(c, &ctx.org, &filter, q.cursor.as_deref(), q.limit)?;
            Ok(CustomerAppointmentsResponse {
                customer_id,
                counts: counts.into(),
                items: page.items,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
