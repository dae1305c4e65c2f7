//! What an appointment looks like on the wire, alone or with the fee of the change that
//! moved or cancelled it, and as an answer an `Idempotency-Key` can remember.

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::availability::dto::{ResourceRef, resource_refs};
use crate::api::fees::FeeResponse;
use crate::app::appointments::AppointmentView;
use crate::app::change::Changed;
use crate::domain::{AppointmentStatus, CallReason, Channel, Locale, ReasonCategory};
use crate::error::Error;
use crate::http::idempotency::Reply;
use crate::http::time::LocalSpan;

/// Why an appointment was cancelled.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelReason {
    pub category: ReasonCategory,
    pub text: Option<String>,
}

/// Why and since when staff should call the customer: the customer stayed silent after
/// the unconfirmed follow-up (`unconfirmed`), or a message failed after its last attempt
/// (`message_failed`). Cleared by `POST /v1/appointments/{id}/call`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsCall {
    pub reason: CallReason,
    pub since: DateTime<Utc>,
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
    /// The customer's name and phone and the service's name as they are now, so a front
    /// desk reads a list without looking each one up.
    #[schema(example = "Budi Santoso")]
    pub customer_name: String,
    #[schema(example = "+6281234567890")]
    pub customer_phone: Option<String>,
    #[schema(example = "Servis berkala")]
    pub service_name: String,
    /// The customer's vehicle it is for, and its plate.
    #[schema(format = Uuid)]
    pub vehicle_id: Option<String>,
    #[schema(example = "B 1234 XYZ")]
    pub plate: Option<String>,
    pub status: AppointmentStatus,
    pub channel: Channel,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    pub resources: Vec<ResourceRef>,
    pub notes: Option<String>,
    pub external_ref: Option<String>,
    pub cancel_reason: Option<CancelReason>,
    /// Set while staff should call the customer about it (list them with
    /// `needs_call=true`); not part of `version`.
    pub needs_call: Option<NeedsCall>,
    /// Send back as `If-Match: "<version>"` with an action to avoid acting on stale data.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AppointmentView> for AppointmentResponse {
    fn from(v: AppointmentView) -> Self {
        AppointmentResponse {
            local: LocalSpan::new(v.tz, v.start, v.end),
            id: v.id,
            location_id: v.location_id,
            service_id: v.service_id,
            customer_id: v.customer_id,
            customer_name: v.customer_name,
            customer_phone: v.customer_phone,
            service_name: v.service_name,
            vehicle_id: v.vehicle_id,
            plate: v.plate,
            status: v.status,
            channel: v.channel,
            start: v.start,
            end: v.end,
            resources: resource_refs(v.resources),
            notes: v.notes,
            external_ref: v.external_ref,
            cancel_reason: v.cancel_reason.map(|r| CancelReason {
                category: r.category,
                text: r.text,
            }),
            needs_call: v.needs_call.map(|n| NeedsCall {
                reason: n.reason,
                since: n.since,
            }),
            version: v.version,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// The appointment as an answer that an `Idempotency-Key` can remember, with its version
/// as `ETag` (and its `Location` when just created).
pub fn appointment_reply(status: StatusCode, view: AppointmentView) -> Result<Reply, Error> {
    let body = AppointmentResponse::from(view);
    Reply::versioned(
        status,
        body.version,
        format!("/v1/appointments/{}", body.id),
        &body,
    )
}

/// The appointment after a move or cancellation, and the fee recorded for it, if any.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedAppointment {
    pub appointment: AppointmentResponse,
    pub fee: Option<FeeResponse>,
}

/// `200` with the changed appointment (its version as `ETag`) and its fee, as an answer
/// an `Idempotency-Key` can remember.
/// The fee's amount is shown for a reader of `locale`.
pub fn changed_reply(changed: Changed, locale: Locale) -> Result<Reply, Error> {
    let body = ChangedAppointment {
        appointment: AppointmentResponse::from(changed.appointment),
        fee: changed.fee.map(|f| FeeResponse::of(f, locale)),
    };
    let version = body.appointment.version;
    Reply::versioned(StatusCode::OK, version, String::new(), &body)
}
