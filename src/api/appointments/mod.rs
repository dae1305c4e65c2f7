//! `/v1/appointments`: booking, looking up and listing appointments.

pub mod alternatives;
pub mod asks;
pub mod calls;
pub mod cancel;
pub mod dto;
pub mod history;
pub mod lifecycle;
pub mod links;
pub mod move_availability;
pub mod quotes;
pub mod refusals;
pub mod reschedule;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::appointments::dto::{AppointmentResponse, appointment_reply};
use crate::api::appointments::refusals::slot_problem;
use crate::api::availability::dto::suggestion_responses;
use crate::api::customers::CreateCustomerRequest;
use crate::app::appointments::views;
use crate::app::booking::{self, BookAppointment, BookOutcome, CustomerRef};
use crate::app::customers::NewCustomer;
use crate::app::suggestions::SuggestionView;
use crate::domain::availability::Unavailable;
use crate::domain::{AppointmentStatus, Channel, Country, text};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Answer, Idempotency, Reply};
use crate::http::pagination::{Cursor, DEFAULT_LIMIT, MAX_LIMIT, limit_within};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::{Date, Instant};
use crate::repo::appointments::{self, AppointmentFilter};
use crate::repo::from_db;

/// Book an appointment. Name the customer by `customer_id`, by `customer_external_ref`,
/// or create one inline with `customer` (exactly one of the three). An inline customer
/// whose phone number or `external_ref` an existing customer has is that customer: the
/// appointment is theirs, nothing about them changes, and their limits apply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAppointmentRequest {
    #[schema(format = Uuid)]
    pub location_id: Uuid,
    #[schema(format = Uuid)]
    pub service_id: Uuid,
    /// A start `GET /v1/availability` lists, RFC 3339 with offset.
    pub start: Instant,
    #[schema(format = Uuid)]
    pub customer_id: Option<Uuid>,
    pub customer_external_ref: Option<String>,
    pub customer: Option<CreateCustomerRequest>,
    /// Serve with this resource (bay or advisor); other needed kinds are assigned,
    /// preferring the least loaded that day.
    #[schema(format = Uuid)]
    pub resource_id: Option<Uuid>,
    #[serde(default = "in_person")]
    pub channel: Channel,
    pub notes: Option<String>,
    /// The integrator's own id for this appointment, unique in the organization.
    pub external_ref: Option<String>,
    /// The vehicle it is for: one of the customer's (`vehicle_not_customers` otherwise).
    #[schema(format = Uuid)]
    pub vehicle_id: Option<Uuid>,
}

fn in_person() -> Channel {
    Channel::InPerson
}

/// A request and the organization's country, where its national phone numbers belong.
impl TryFrom<(CreateAppointmentRequest, Country)> for BookAppointment {
    type Error = Error;

    fn try_from((r, country): (CreateAppointmentRequest, Country)) -> Result<Self, Error> {
        let customer = match (r.customer_id, r.customer_external_ref, r.customer) {
            (Some(id), None, None) => CustomerRef::Id(id.to_string()),
            (None, Some(x), None) => CustomerRef::ExternalRef(x),
            (None, None, Some(new)) => CustomerRef::New(
                NewCustomer::try_from((new, country)).map_err(|e| e.within("customer"))?,
            ),
            _ => {
                return Err(Error::invalid(
                    "customer_id",
                    Code::CustomerRequired,
                    "give exactly one of customer_id, customer_external_ref or customer",
                ));
            }
        };
        Ok(BookAppointment {
            location_id: r.location_id.to_string(),
            service_id: r.service_id.to_string(),
            start: r.start.0,
            customer,
            resource_id: r.resource_id.map(|id| id.to_string()),
            channel: r.channel,
            notes: text::optional("notes", r.notes.as_deref(), 2000)?,
            external_ref: text::optional("external_ref", r.external_ref.as_deref(), 200)?,
            vehicle_id: r.vehicle_id.map(|id| id.to_string()),
        })
    }
}

/// The problem for a start that cannot be booked, with the best bookable times near it
/// in `data.alternatives` when other times would help, so a client can offer them without
/// another call.
fn unavailable_problem(refusal: &Unavailable, alternatives: Option<Vec<SuggestionView>>) -> Error {
    let problem = slot_problem(refusal);
    match alternatives.map(|found| serde_json::to_value(suggestion_responses(found))) {
        Some(Ok(v)) => problem.with_data_field("alternatives", v),
        _ => problem,
    }
}

/// Book an appointment (any role). Only a start that availability lists is accepted;
/// a taken or off-grid start is `409 slot_unavailable`, and the database refuses a
/// double booking even when requests race.
///
/// A start outside what availability lists is refused with 422 naming `start`:
/// `start_in_past`, `inside_lead_time`, `beyond_booking_horizon`, `outside_opening_hours`
/// or `location_closed` (these with `data.alternatives`); a pinned `resource_id` must be
/// able to serve the service there (`resource_cannot_perform`). Ids in the body must name
/// your own objects (`location_not_found`, `service_not_found`, `customer_not_found`).
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateAppointmentRequest,
    responses(
        (status = 201, body = AppointmentResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/appointments")]
pub async fn create_appointment(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateAppointmentRequest>,
) -> Result<HttpResponse, Error> {
    let cmd = BookAppointment::try_from((body, principal.country))?;
    let ctx = state.ctx(&principal);
    idempotency
        .respond(&state, move |c| {
            Ok(match booking::book(c, &ctx, cmd.clone())? {
                BookOutcome::Booked(view) => {
                    Answer::Reply(appointment_reply(StatusCode::CREATED, *view)?)
                }
                BookOutcome::Unavailable {
                    refusal,
                    alternatives,
                } => Answer::Refused(unavailable_problem(&refusal, alternatives)),
            })
        })
        .await
}

/// Get an appointment, with its version as `ETag`.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(("appointment_id" = Uuid, Path)),
    responses(
        (status = 200, body = AppointmentResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/appointments/{appointment_id}")]
pub async fn get_appointment(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let view = state
        .db
        .read(move |c| crate::app::appointments::get(c, &ctx, &id))
        .await?;
    appointment_reply(StatusCode::OK, view).map(Reply::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AppointmentQuery {
    pub location_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    /// Comma-separated statuses, e.g. `booked,confirmed` (no spaces).
    #[param(
        pattern = "^(booked|confirmed|checked_in|completed|cancelled|no_show)(,(booked|confirmed|checked_in|completed|cancelled|no_show))*$"
    )]
    pub status: Option<String>,
    /// First local date (at each appointment's location), inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub from_date: Option<Date>,
    /// Last local date, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub to_date: Option<Date>,
    /// One local date (the day at each appointment's location), e.g. `2026-12-03`: the
    /// front desk's day. With `from_date` or `to_date` too, every bound must hold.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<Date>,
    /// `starts_at` (earliest first, the default) or `-starts_at` (latest first).
    #[param(pattern = "^-?starts_at$")]
    pub sort: Option<String>,
    /// The appointments of the vehicle with this plate, typed any way (`B1234XYZ`,
    /// `b 1234 xyz`); not an Indonesian plate: `422 invalid_plate`.
    #[param(example = "B1234XYZ")]
    pub plate: Option<String>,
    /// `true`: only the appointments flagged for a call (the front desk's worklist);
    /// `false`: only those not.
    pub needs_call: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of appointments, by start time.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentList {
    pub items: Vec<AppointmentResponse>,
    pub next_cursor: Option<String>,
}

/// What a `status` filter looks like: statuses joined by commas, nothing else.
pub const STATUS_FILTER_PATTERN: &str = "^(booked|confirmed|checked_in|completed|cancelled|no_show)(,(booked|confirmed|checked_in|completed|cancelled|no_show))*$";

/// Reads a `status` filter; anything [`STATUS_FILTER_PATTERN`] does not match (an empty
/// value, a space, an unknown status) is refused, not trimmed into something else.
pub fn parse_statuses(raw: Option<&str>) -> Result<Vec<AppointmentStatus>, Error> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|s| {
            s.parse::<AppointmentStatus>().map_err(|_| {
                Error::new(
                    Code::InvalidQuery,
                    format!("'{s}' is not an appointment status"),
                )
                .with_field("status")
            })
        })
        .collect()
}

/// Reads a `sort`: `starts_at` (the default) or `-starts_at`, whether latest comes first.
pub fn parse_sort(raw: Option<&str>) -> Result<bool, Error> {
    match raw {
        None | Some("starts_at") => Ok(false),
        Some("-starts_at") => Ok(true),
        Some(other) => Err(Error::new(
            Code::InvalidQuery,
            format!("'{other}' is not a sort: use starts_at or -starts_at"),
        )
        .with_field("sort")),
    }
}

/// The local dates a list covers: every bound given must hold, so `date` with
/// `from_date` or `to_date` is that day if it lies within them (else nothing).
fn date_range(q: &AppointmentQuery) -> (Option<String>, Option<String>) {
    let day = q.date.as_ref().map(|d| d.0);
    let from = [q.from_date.as_ref().map(|d| d.0), day]
        .into_iter()
        .flatten()
        .max();
    let to = [q.to_date.as_ref().map(|d| d.0), day]
        .into_iter()
        .flatten()
        .min();
    (from.map(|d| d.to_string()), to.map(|d| d.to_string()))
}

/// The appointments of a query page, rendered; shared with the customer's list.
pub fn list_page(
    c: &mut crate::db::DbConnection,
    org: &str,
    filter: &AppointmentFilter,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<AppointmentList, Error> {
    let limit = limit_within(limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = cursor
        .map(Cursor::parse)
        .transpose()?
        .map(|c| (c.instant(), c.id()));
    let page = appointments::list(c, org, filter, after, limit)?;
    let next_cursor = match (&page.next_after, page.items.last()) {
        (Some(_), Some(last)) => {
            Some(Cursor::after_instant(from_db(last.starts_at), &last.id)?.encode())
        }
        _ => None,
    };
    let items = views(c, page.items)?
        .into_iter()
        .map(AppointmentResponse::from)
        .collect();
    Ok(AppointmentList { items, next_cursor })
}

/// List appointments by start time (`sort=-starts_at`: latest first), filtered by
/// location, resource, customer, status, `needs_call`, one local `date` or a local date range. Each
/// carries its customer's name and phone and its service's name (read with joins, the
/// same few statements whatever the page size).
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(AppointmentQuery),
    responses(
        (status = 200, body = AppointmentList),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/appointments")]
pub async fn list_appointments(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<AppointmentQuery>,
) -> Result<HttpResponse, Error> {
    let (from_date, to_date) = date_range(&q);
    let filter = AppointmentFilter {
        location_id: q.location_id.map(|v| v.to_string()),
        resource_id: q.resource_id.map(|v| v.to_string()),
        customer_id: q.customer_id.map(|v| v.to_string()),
        statuses: parse_statuses(q.status.as_deref())?,
        from_date,
        to_date,
        plate: crate::api::vehicles::plate_filter(q.plate.as_deref())?,
        needs_call: q.needs_call,
        latest_first: parse_sort(q.sort.as_deref())?,
    };
    let org = principal.organization_id;
    let body = state
        .db
        .read(move |c| list_page(c, &org, &filter, q.cursor.as_deref(), q.limit))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
