//! `/v1/organization`: the caller's own organization and its settings.

use actix_web::{HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::organization::{self, BookingSettings, Organization, OrganizationChanges};
use crate::domain::{Country, Currency, Locale, TimeZone, booking_rules, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::Json;
use crate::http::precondition::{IfMatch, etag};
use crate::http::responses::*;
use crate::http::state::AppState;

/// A tenant: a dealer or dealer group. Every object belongs to exactly one.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// Default IANA time zone for new locations.
    pub time_zone: String,
    /// Default language of customer-facing text.
    pub locale: Locale,
    /// ISO 4217 currency of fees; amounts are integer minor units.
    pub currency: String,
    /// ISO 3166-1 alpha-2 country whose national phone numbers (`0812…`) staff type;
    /// they are stored in E.164 with its country code.
    #[schema(example = "ID")]
    pub country: String,
    /// Minimum minutes between now and a bookable start.
    pub booking_lead_minutes: i32,
    /// How many days ahead bookings are taken.
    pub booking_horizon_days: i32,
    /// Minutes between slot starts, counted from the opening of each interval.
    pub slot_interval_minutes: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Organization> for OrganizationResponse {
    fn from(o: Organization) -> Self {
        OrganizationResponse {
            id: o.id,
            name: o.name,
            time_zone: o.time_zone.name().to_owned(),
            locale: o.locale,
            currency: o.currency.code().to_owned(),
            country: o.country.code().to_owned(),
            booking_lead_minutes: o.booking_lead_minutes,
            booking_horizon_days: o.booking_horizon_days,
            slot_interval_minutes: o.slot_interval_minutes,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// Settings to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    pub name: Option<String>,
    #[schema(example = "Asia/Jakarta")]
    pub time_zone: Option<String>,
    pub locale: Option<Locale>,
    #[schema(example = "IDR")]
    pub currency: Option<String>,
    /// ISO 3166-1 alpha-2 country of national phone numbers; stored numbers keep
    /// their country code.
    #[schema(example = "ID")]
    pub country: Option<String>,
    /// 0 to 43200 minutes.
    pub booking_lead_minutes: Option<i32>,
    /// 1 to 730 days.
    pub booking_horizon_days: Option<i32>,
    /// 5 to 240 minutes.
    pub slot_interval_minutes: Option<i32>,
}

impl TryFrom<UpdateOrganizationRequest> for OrganizationChanges {
    type Error = Error;

    fn try_from(r: UpdateOrganizationRequest) -> Result<Self, Error> {
        Ok(OrganizationChanges {
            name: r
                .name
                .map(|n| text::required("name", &n, 200))
                .transpose()?,
            time_zone: r
                .time_zone
                .map(|tz| TimeZone::parse("time_zone", &tz))
                .transpose()?,
            locale: r.locale,
            currency: r
                .currency
                .map(|c| Currency::parse("currency", &c))
                .transpose()?,
            country: r
                .country
                .map(|c| Country::parse("country", &c))
                .transpose()?,
            booking: BookingSettings {
                lead_minutes: r
                    .booking_lead_minutes
                    .map(|v| booking_rules::lead_minutes("booking_lead_minutes", v))
                    .transpose()?,
                horizon_days: r
                    .booking_horizon_days
                    .map(|v| booking_rules::horizon_days("booking_horizon_days", v))
                    .transpose()?,
                slot_interval_minutes: r
                    .slot_interval_minutes
                    .map(|v| booking_rules::slot_interval_minutes("slot_interval_minutes", v))
                    .transpose()?,
            },
        })
    }
}

/// The caller's organization.
#[utoipa::path(
    tag = "organization",
    security(("api_key" = [])),
    responses((status = 200, body = OrganizationResponse, headers(("ETag" = String))), (status = 401, response = Unauthorized))
)]
#[get("/organization")]
pub async fn get_organization(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, Error> {
    let ctx = state.ctx(&principal);
    let found = state.db.read(move |c| organization::get(c, &ctx)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(found.version))
        .json(OrganizationResponse::from(found)))
}

/// Change organization settings (admin). Honours `If-Match`.
///
/// `country` (ISO 3166-1 alpha-2) is where the national phone numbers sent from now on
/// belong (`0812…` in `ID`); stored numbers keep their country code. A change that
/// changes nothing keeps the version (and the `ETag`).
#[utoipa::path(
    tag = "organization",
    security(("api_key" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body = UpdateOrganizationRequest,
    responses(
        (status = 200, body = OrganizationResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/organization")]
pub async fn update_organization(
    state: web::Data<AppState>,
    principal: Principal,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateOrganizationRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let changes = OrganizationChanges::try_from(body)?;
    let ctx = state.ctx(&principal);
    let changed = state
        .db
        .write(move |c| organization::update(c, &ctx, expected, changes.clone()))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(changed.version))
        .json(OrganizationResponse::from(changed)))
}
