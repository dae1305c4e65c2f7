//! `/v1/self/{token}`: the JSON self-service API a customer's link opens (no API key: the
//! token is the credential). Each handler calls one use case of `app::self_service`, the
//! same the pages behind the link call, so both share every rule. Reads here; changes in
//! [`actions`]. Every answer carries `Cache-Control: no-store`, `Referrer-Policy:
//! no-referrer` and `X-Robots-Tag: noindex` (`http::rate_limit::limit_links`, which also
//! limits the rate).

pub mod actions;

pub use actions::*;

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::appointments::alternatives::AlternativesResponse;
use crate::api::appointments::asks::reason_text;
use crate::api::appointments::quotes::{
    CancelQuoteResponse, PolicyRef, RescheduleQuoteResponse, priced,
};
use crate::api::appointments::refusals::policy_problem;
use crate::api::availability::suggestions::limit_of;
use crate::app::self_service::{self, SelfMove, SelfView};
use crate::app::suggestions::MoveTimes;
use crate::domain::message_text::local_when;
use crate::domain::{AppointmentStatus, Money, ReasonCategory};
use crate::error::Error;
use crate::http::extract::{Json, MaybeJson, Query};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::http::time::{Instant, LocalSpan};

/// The location, as a customer reaches it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfLocation {
    #[schema(example = "Sinar Motor Kemayoran")]
    pub name: String,
    pub address: Option<String>,
    /// Call it when nothing fits.
    #[schema(example = "+62215550123")]
    pub phone: Option<String>,
}

/// The service booked.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfService {
    #[schema(example = "Servis berkala")]
    pub name: String,
}

/// The appointment behind a link, as its customer sees it: no staff notes, no resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfAppointmentResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    pub status: AppointmentStatus,
    /// Send back as `version` with every change.
    pub version: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    /// The start as the customer reads it, in their language.
    #[schema(example = "Senin, 30 November 2026, 09.00 WIB")]
    pub when: String,
    #[schema(example = "Budi Santoso")]
    pub customer_name: String,
    pub service: SelfService,
    pub location: SelfLocation,
    /// The policy that applies, its text in Indonesian and English.
    pub policy: PolicyRef,
    /// What cancelling now would cost (a reason may still be required).
    pub cancel_fee: Money,
    /// Whether confirming applies now (a booked appointment).
    pub can_confirm: bool,
    /// Whether a move (or, after a no-show, a rebooking) can be asked for; the policy
    /// may still refuse it, with its reasons and other times.
    pub can_reschedule: bool,
    pub can_cancel: bool,
    /// Until when this link opens, as the appointment is now.
    pub link_expires_at: DateTime<Utc>,
}

impl From<SelfView> for SelfAppointmentResponse {
    fn from(v: SelfView) -> Self {
        let (tz, locale) = (v.context.time_zone.tz(), v.context.locale);
        SelfAppointmentResponse {
            can_confirm: v.can_confirm(),
            can_reschedule: v.can_reschedule(),
            can_cancel: v.can_cancel(),
            local: LocalSpan::new(tz, v.start, v.end),
            when: local_when(v.start, tz, locale),
            appointment_id: v.appointment_id,
            status: v.status,
            version: v.version,
            start: v.start,
            end: v.end,
            customer_name: v.context.customer_name,
            service: SelfService {
                name: v.context.service_name,
            },
            location: SelfLocation {
                name: v.context.location_name,
                address: v.context.location_address,
                phone: v.context.location_phone,
            },
            cancel_fee: Money::shown(v.cancel_fee, v.policy.currency, locale),
            policy: (&v.policy).into(),
            link_expires_at: v.link_expires_at,
        }
    }
}

/// See the appointment behind a link: service, location with address and phone, the
/// local time with its zone, status and `version`, the policy's text and what cancelling
/// now would cost. Changes nothing (link scanners open links).
///
/// An unknown, malformed or expired token, or a cancelled appointment's, is `404
/// not_found`, told apart from nothing.
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 200, body = SelfAppointmentResponse),
        (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests),
    )
)]
#[get("/{token}")]
pub async fn get_self(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let view = state
        .db
        .read(move |c| self_service::view(c, &base, &token))
        .await?;
    Ok(HttpResponse::Ok().json(SelfAppointmentResponse::from(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SelfAlternativesQuery {
    /// The wanted time (default: the appointment's current start).
    #[param(value_type = Option<String>, format = DateTime)]
    pub near: Option<Instant>,
    /// How many times to offer, 1 to 20 (default 5).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<usize>,
}

/// The best times to move the appointment to (or to rebook it after a no-show), each
/// with the fee moving there would cost the customer, as staff would see them for the
/// customer. An appointment that cannot move is `409` (`not_reschedulable`,
/// `no_show_window_passed`).
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token"), SelfAlternativesQuery),
    responses(
        (status = 200, body = AlternativesResponse),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable), (status = 429, response = TooManyRequests),
    )
)]
#[get("/{token}/alternatives")]
pub async fn get_self_alternatives(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(q): Query<SelfAlternativesQuery>,
) -> Result<HttpResponse, Error> {
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let (near, limit) = (q.near.map(|i| i.0), limit_of(q.limit)?);
    let found = state
        .db
        .read(move |c| self_service::alternatives(c, &base, &token, near, limit))
        .await?;
    let found_for = found.locale;
    let found = match found.answer {
        MoveTimes::Offered(found) => found,
        MoveTimes::CannotMove(refusal) => return Err(policy_problem(&refusal)),
    };
    Ok(HttpResponse::Ok().json(AlternativesResponse {
        appointment_id: found.appointment_id,
        near: found.near,
        time_zone: found.tz.name().to_owned(),
        alternatives: priced(found.alternatives, found.currency, found_for),
    }))
}

/// A move the customer asks about.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfRescheduleQuoteRequest {
    /// The wanted new start, RFC 3339 with offset (one of the alternatives).
    pub start: Instant,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
}

/// Quote a move: whether the policy allows it now, the fee, the moves left, and when
/// refused for its time the best other times with their fees. Changes nothing; the same
/// answer staff get for the customer (never an override).
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token")),
    request_body = SelfRescheduleQuoteRequest,
    responses(
        (status = 200, body = RescheduleQuoteResponse),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/{token}/reschedule-quote")]
pub async fn quote_self_reschedule(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Json(b): Json<SelfRescheduleQuoteRequest>,
) -> Result<HttpResponse, Error> {
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let wish = SelfMove {
        start: b.start.0,
        reason_text: reason_text(b.reason_category, b.reason_text.as_deref())?,
        reason: b.reason_category,
    };
    let quote = state
        .db
        .read(move |c| self_service::quote_reschedule(c, &base, &token, wish))
        .await?;
    Ok(HttpResponse::Ok().json(RescheduleQuoteResponse::of(quote.answer, quote.locale)))
}

/// A cancellation the customer asks about.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfCancelQuoteRequest {
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
}

/// Quote a cancellation: whether the policy allows it now, the fee, and whether a
/// reason is needed. Changes nothing.
#[utoipa::path(
    tag = "self-service",
    params(("token" = String, Path, description = "The link's token")),
    request_body(content = Option<SelfCancelQuoteRequest>, description = "Optional reason"),
    responses(
        (status = 200, body = CancelQuoteResponse),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/{token}/cancel-quote")]
pub async fn quote_self_cancel(
    state: web::Data<AppState>,
    path: web::Path<String>,
    MaybeJson(b): MaybeJson<SelfCancelQuoteRequest>,
) -> Result<HttpResponse, Error> {
    let b = b.unwrap_or_default();
    reason_text(b.reason_category, b.reason_text.as_deref())?;
    let (base, token) = (state.customer_ctx(), path.into_inner());
    let reason = b.reason_category;
    let quote = state
        .db
        .read(move |c| self_service::quote_cancel(c, &base, &token, reason))
        .await?;
    Ok(HttpResponse::Ok().json(CancelQuoteResponse::of(quote.answer, quote.locale)))
}
