//! `/v1/appointments`: booking, looking up and listing appointments.

pub mod cancel;
pub mod history;
pub mod lifecycle;
pub mod move_availability;
pub mod quotes;
pub mod reschedule;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::availability::ResourceRef;
use crate::api::availability::suggestions::render;
use crate::api::customers::CreateCustomerRequest;
use crate::app::booking::{self, BookAppointment, CustomerRef};
use crate::app::customers::NewCustomer;
use crate::app::suggestions::Wish;
use crate::domain::Actor;
use crate::domain::{AppointmentStatus, Channel, ReasonCategory, ResourceKind, TimeZone, text};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{Cursor, DEFAULT_LIMIT, MAX_LIMIT, limit_within};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::{Date, Instant, LocalSpan};
use crate::repo::appointments::{self, AppointmentFilter, AppointmentView};
use crate::repo::from_db;

/// Why an appointment was cancelled.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelReason {
    pub category: ReasonCategory,
    pub text: Option<String>,
}

/// An appointment: a customer, a service, a time at a location, and the resources held.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentResponse {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub location_id: String,
    #[schema(format = Uuid)]
    pub service_id: String,
    #[schema(format = Uuid)]
    pub customer_id: String,
    pub status: AppointmentStatus,
    pub channel: Channel,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    pub resources: Vec<ResourceRef>,
    pub notes: Option<String>,
    pub external_ref: Option<String>,
    pub cancel_reason: Option<CancelReason>,
    /// Send back as `If-Match: "<version>"` with an action to avoid acting on stale data.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<AppointmentView> for AppointmentResponse {
    type Error = Error;

    fn try_from(v: AppointmentView) -> Result<Self, Error> {
        let r = v.row;
        let tz = TimeZone::parse("time_zone", &v.time_zone)?.tz();
        let (start, end) = (from_db(r.starts_at), from_db(r.ends_at));
        Ok(AppointmentResponse {
            status: AppointmentStatus::from_db(&r.status)?,
            channel: Channel::from_db(&r.channel)?,
            local: LocalSpan::new(tz, start, end),
            start,
            end,
            resources: v
                .resources
                .into_iter()
                .map(|h| {
                    Ok(ResourceRef {
                        kind: ResourceKind::from_db(&h.kind)?,
                        id: h.id,
                        name: h.name,
                    })
                })
                .collect::<Result<_, Error>>()?,
            cancel_reason: r
                .cancel_reason_category
                .as_deref()
                .map(|c| {
                    Ok::<_, Error>(CancelReason {
                        category: ReasonCategory::from_db(c)?,
                        text: r.cancel_reason_text.clone(),
                    })
                })
                .transpose()?,
            id: r.id,
            location_id: r.location_id,
            service_id: r.service_id,
            customer_id: r.customer_id,
            notes: r.notes,
            external_ref: r.external_ref,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
    }
}

/// Book an appointment. Name the customer by `customer_id`, by `customer_external_ref`,
/// or create one inline with `customer` (exactly one of the three).
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
}

fn in_person() -> Channel {
    Channel::InPerson
}

impl TryFrom<CreateAppointmentRequest> for BookAppointment {
    type Error = Error;

    fn try_from(r: CreateAppointmentRequest) -> Result<Self, Error> {
        let customer = match (r.customer_id, r.customer_external_ref, r.customer) {
            (Some(id), None, None) => CustomerRef::Id(id.to_string()),
            (None, Some(x), None) => CustomerRef::ExternalRef(x),
            (None, None, Some(new)) => {
                CustomerRef::New(NewCustomer::try_from(new).map_err(|e| e.within("customer"))?)
            }
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
        })
    }
}

pub fn actor_of(p: &Principal) -> Actor {
    Actor::ApiKey {
        id: p.key_id.clone(),
        role: p.role,
    }
}

/// The appointment as an answer that an `Idempotency-Key` can remember.
pub fn reply(status: StatusCode, view: AppointmentView) -> Result<Reply, Error> {
    let body = AppointmentResponse::try_from(view)?;
    Reply::versioned(
        status,
        body.version,
        format!("/v1/appointments/{}", body.id),
        &body,
    )
}

pub fn respond(status: StatusCode, view: AppointmentView) -> Result<HttpResponse, Error> {
    reply(status, view).map(Reply::into_response)
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
    let cmd = BookAppointment::try_from(body)?;
    let (org, actor, now) = (
        principal.organization_id.clone(),
        actor_of(&principal),
        state.clock.now(),
    );
    let wanted = (
        cmd.location_id.clone(),
        cmd.service_id.clone(),
        cmd.start,
        cmd.resource_id.clone(),
    );
    let booked = idempotency
        .reply(&state, move |c| {
            let booked = booking::book(c, &org, &actor, cmd.clone(), now)?;
            let view = AppointmentView {
                row: booked.appointment,
                resources: booked.resources,
                time_zone: booked.time_zone,
            };
            reply(StatusCode::CREATED, view)
        })
        .await;
    match booked {
        Ok(answer) => Ok(answer),
        Err(e) if offers_alternatives(&e) => {
            let (location_id, service_id, start, resource_id) = wanted;
            let org = principal.organization_id.clone();
            Err(with_alternatives(
                &state,
                org,
                location_id,
                service_id,
                start,
                resource_id,
                now,
                e,
            )
            .await)
        }
        Err(e) => Err(e),
    }
}

/// Refusals of a start that are answered with other times to offer.
fn offers_alternatives(e: &Error) -> bool {
    matches!(
        e.code,
        Code::SlotUnavailable
            | Code::OutsideOpeningHours
            | Code::LocationClosed
            | Code::InsideLeadTime
    )
}

/// Adds the best three bookable times near the refused start to the problem's data
/// (`data.alternatives`), so a client can offer them without another call. If they
/// cannot be computed, the original problem goes out as it is.
#[allow(clippy::too_many_arguments)]
async fn with_alternatives(
    state: &AppState,
    org: String,
    location_id: String,
    service_id: String,
    start: DateTime<Utc>,
    resource_id: Option<String>,
    now: DateTime<Utc>,
    refusal: Error,
) -> Error {
    // A customer who asked for a particular advisor or bay is offered times with it.
    let wish = Wish {
        near: start,
        from: None,
        to: None,
        resource_id,
        limit: 3,
    };
    let found = state
        .db
        .read(move |c| {
            let (loaded, found) = crate::app::suggestions::for_new_booking(
                c,
                &org,
                &location_id,
                &service_id,
                &wish,
                now,
            )?;
            Ok(render(&loaded, found))
        })
        .await;
    match found {
        Ok(alternatives) => match serde_json::to_value(alternatives) {
            Ok(v) => refusal.with_data_field("alternatives", v),
            Err(_) => refusal,
        },
        Err(_) => refusal,
    }
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
    let (org, id) = (principal.organization_id, path.into_inner().to_string());
    let view = state
        .db
        .read(move |c| {
            let row = appointments::get(c, &org, &id)?;
            Ok(appointments::views(c, vec![row])?.remove(0))
        })
        .await?;
    respond(StatusCode::OK, view)
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
            AppointmentStatus::ALL
                .iter()
                .copied()
                .find(|x| x.as_str() == s)
                .ok_or_else(|| {
                    Error::new(
                        Code::InvalidQuery,
                        format!("'{s}' is not an appointment status"),
                    )
                    .with_field("status")
                })
        })
        .collect()
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
    let items = appointments::views(c, page.items)?
        .into_iter()
        .map(AppointmentResponse::try_from)
        .collect::<Result<_, _>>()?;
    Ok(AppointmentList { items, next_cursor })
}

/// List appointments by start time, filtered by location, resource, customer, status
/// and local date range.
#[utoipa::path(
    tag = "appointments",
    security(("api_key" = [])),
    params(AppointmentQuery),
    responses(
        (status = 200, body = AppointmentList),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
    )
)]
#[get("/appointments")]
pub async fn list_appointments(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<AppointmentQuery>,
) -> Result<HttpResponse, Error> {
    let filter = AppointmentFilter {
        location_id: q.location_id.map(|v| v.to_string()),
        resource_id: q.resource_id.map(|v| v.to_string()),
        customer_id: q.customer_id.map(|v| v.to_string()),
        statuses: parse_statuses(q.status.as_deref())?,
        from_date: q.from_date.map(|d| d.0.to_string()),
        to_date: q.to_date.map(|d| d.0.to_string()),
    };
    let org = principal.organization_id;
    let body = state
        .db
        .read(move |c| list_page(c, &org, &filter, q.cursor.as_deref(), q.limit))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
