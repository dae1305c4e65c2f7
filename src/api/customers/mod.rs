//! `/v1/customers`: the people appointments are for. Any role may create, read and
//! change them; only admins delete.

pub mod appointments;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::customers::{
    self, Customer, CustomerChanges, CustomerFilter, Identified, NewCustomer,
};
use crate::domain::customer::default_channel;
use crate::domain::{ContactChannel, Country, Email, Locale, PhoneNumber, text};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::pagination::{List, PageParams};
use crate::http::patch::nullable;
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// A customer: who an appointment is for and how to reach them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// E.164, e.g. `+6281234567890`, however it was typed.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Language of the messages and pages this customer gets.
    pub locale: Locale,
    /// Where reminders and links are sent.
    pub preferred_channel: ContactChannel,
    /// The customer's id in an integrator's system; unique within the organization.
    pub external_ref: Option<String>,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `true` only in the answer to a create (`200`, not `201`) that found this existing
    /// customer by the `external_ref` or phone number asked for, instead of creating one.
    pub matched: bool,
}

impl From<Customer> for CustomerResponse {
    fn from(c: Customer) -> Self {
        CustomerResponse {
            id: c.id,
            name: c.name,
            phone: c.phone,
            email: c.email,
            locale: c.locale,
            preferred_channel: c.preferred_channel,
            external_ref: c.external_ref,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            matched: false,
        }
    }
}

/// A new customer. A phone number or an e-mail address is required, and the preferred
/// channel must be one the customer has.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerRequest {
    /// Up to 200 characters.
    #[schema(example = "Budi Santoso")]
    pub name: String,
    /// A phone number as people type it: international (`+62 812-3456-7890`), with the
    /// country code but no `+` (`6281234567890`) or national in the organization's
    /// `country` (`0812-3456-7890`); digits, spaces, `-`, `.`, parentheses and one
    /// leading `+`. Stored in E.164 (`+6281234567890`). A customer who already has it
    /// is the answer (`200`, `matched`).
    #[schema(example = "0812-3456-7890")]
    pub phone: Option<String>,
    #[schema(example = "budi@example.co.id")]
    pub email: Option<String>,
    /// Defaults to the organization's locale.
    pub locale: Option<Locale>,
    /// Defaults to `whatsapp` when a phone is given, else `email`. `whatsapp` and `sms`
    /// need a phone, `email` needs an e-mail address.
    pub preferred_channel: Option<ContactChannel>,
    /// The customer's id in your system (up to 200 characters), unique within the
    /// organization; find the customer again with `?external_ref=`. A customer who
    /// already has it is the answer (`200`, `matched`).
    #[schema(example = "DMS-000123")]
    pub external_ref: Option<String>,
}

fn phone(raw: &str, country: Country) -> Result<PhoneNumber, Error> {
    PhoneNumber::parse("phone", raw, country)
}

fn email(raw: &str) -> Result<Email, Error> {
    Email::parse("email", raw)
}

/// A request and the organization's country, where its national phone numbers belong.
impl TryFrom<(CreateCustomerRequest, Country)> for NewCustomer {
    type Error = Error;

    fn try_from((r, country): (CreateCustomerRequest, Country)) -> Result<Self, Error> {
        let phone = r.phone.as_deref().map(|p| phone(p, country)).transpose()?;
        Ok(NewCustomer {
            name: text::required("name", &r.name, 200)?,
            preferred_channel: r
                .preferred_channel
                .unwrap_or_else(|| default_channel(phone.is_some())),
            phone,
            email: r.email.as_deref().map(email).transpose()?,
            locale: r.locale,
            external_ref: text::optional("external_ref", r.external_ref.as_deref(), 200)?,
        })
    }
}

/// Fields to change; absent fields stay as they are, `null` clears an optional one.
/// The contact rules are checked again on the result.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub locale: Option<Locale>,
    pub preferred_channel: Option<ContactChannel>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_ref: Option<Option<String>>,
}

impl TryFrom<(UpdateCustomerRequest, Country)> for CustomerChanges {
    type Error = Error;

    fn try_from((r, country): (UpdateCustomerRequest, Country)) -> Result<Self, Error> {
        Ok(CustomerChanges {
            name: r
                .name
                .map(|n| text::required("name", &n, 200))
                .transpose()?,
            phone: r
                .phone
                .map(|p| p.as_deref().map(|p| phone(p, country)).transpose())
                .transpose()?,
            email: r
                .email
                .map(|e| e.as_deref().map(email).transpose())
                .transpose()?,
            locale: r.locale,
            preferred_channel: r.preferred_channel,
            external_ref: r
                .external_ref
                .map(|x| text::optional("external_ref", x.as_deref(), 200))
                .transpose()?,
        })
    }
}

/// Filters and paging of the customer list; every filter given must match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustomerQuery {
    /// Exactly this external reference.
    pub external_ref: Option<String>,
    /// This phone number, typed any way a customer's may be (`081234567890`,
    /// `%2B6281234567890`); an unencoded `+` arrives as a space and is read as one.
    pub phone: Option<String>,
    /// Part of the name, case-insensitive (letters A-Z on every database).
    pub q: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl TryFrom<(CustomerQuery, Country)> for CustomerFilter {
    type Error = Error;

    fn try_from((r, country): (CustomerQuery, Country)) -> Result<Self, Error> {
        let phone = match r.phone.as_deref() {
            None | Some("") => None,
            // An unencoded `+` arrives as a space: ` 6281…` is read as a country code
            // typed without its `+`, as in a body.
            Some(p) => Some(phone(p, country)?),
        };
        Ok(CustomerFilter {
            external_ref: text::optional("external_ref", r.external_ref.as_deref(), 200)?,
            phone,
            q: text::optional("q", r.q.as_deref(), 200)?,
        })
    }
}

/// The customer as an answer that an `Idempotency-Key` can remember.
fn reply(status: StatusCode, customer: Customer) -> Result<Reply, Error> {
    let body = CustomerResponse::from(customer);
    Reply::versioned(
        status,
        body.version,
        format!("/v1/customers/{}", body.id),
        &body,
    )
}

/// The existing customer a create found: `200`, with `matched: true`.
fn matched_reply(customer: Customer) -> Result<Reply, Error> {
    let body = CustomerResponse {
        matched: true,
        ..CustomerResponse::from(customer)
    };
    let location = format!("/v1/customers/{}", body.id);
    Ok(
        Reply::versioned(StatusCode::OK, body.version, location.clone(), &body)?
            .with_location(location),
    )
}

fn respond(status: StatusCode, customer: Customer) -> Result<HttpResponse, Error> {
    reply(status, customer).map(Reply::into_response)
}

/// Create a customer (any role), or find the one who already is: one customer per phone
/// number and per `external_ref` in an organization.
///
/// A customer with the `external_ref` asked for, or else with the phone number (however
/// typed: both are compared in E.164), is the answer as it is stored: `200` with
/// `"matched": true`, nothing changed (change it with `PATCH`). Otherwise `201` with the
/// new customer. Contact problems are `contact_required`, `channel_needs_contact`,
/// `invalid_phone` or `invalid_email`.
#[utoipa::path(
    tag = "customers",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateCustomerRequest,
    responses(
        (status = 201, body = CustomerResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "An existing customer has this phone number or external_ref: that customer, with `matched: true`", body = CustomerResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[post("/customers")]
pub async fn create_customer(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Json(body): Json<CreateCustomerRequest>,
) -> Result<HttpResponse, Error> {
    let new = NewCustomer::try_from((body, principal.country))?;
    let ctx = state.ctx(&principal);
    idempotency
        .reply(&state, move |c| {
            match customers::create(c, &ctx, new.clone())? {
                Identified::Created(customer) => reply(StatusCode::CREATED, customer),
                Identified::Matched(customer) => matched_reply(customer),
            }
        })
        .await
}

/// List customers in a stable order, optionally filtered by `external_ref`, `phone` or
/// part of the name (`q`).
#[utoipa::path(
    tag = "customers",
    security(("api_key" = [])),
    params(CustomerQuery),
    responses(
        (status = 200, body = List<CustomerResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<CustomerQuery>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .parse()?;
    let filter = CustomerFilter::try_from((query, principal.country))?;
    let ctx = state.ctx(&principal);
    let page = state
        .db
        .read(move |c| customers::list(c, &ctx, filter, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |c| Ok(CustomerResponse::from(c)))?))
}

/// Get one customer, with its version as `ETag`.
#[utoipa::path(
    tag = "customers",
    security(("api_key" = [])),
    params(("customer_id" = Uuid, Path)),
    responses(
        (status = 200, body = CustomerResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/customers/{customer_id}")]
pub async fn get_customer(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let customer = state.db.read(move |c| customers::get(c, &ctx, &id)).await?;
    respond(StatusCode::OK, customer)
}

/// Change a customer (any role). Honours `If-Match`; the contact rules are checked on
/// the changed customer.
///
/// The changed customer keeps a phone number or an e-mail address (`contact_required`)
/// and a preferred channel it has (`channel_needs_contact`): clearing the only contact a
/// customer has is refused. A phone number another customer has is `409 phone_taken`.
/// A stale `If-Match` is `412 version_mismatch`; a change that changes nothing keeps the
/// version (and the `ETag`).
#[utoipa::path(
    tag = "customers",
    security(("api_key" = [])),
    params(("customer_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = UpdateCustomerRequest,
    responses(
        (status = 200, body = CustomerResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[patch("/customers/{customer_id}")]
pub async fn update_customer(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateCustomerRequest>,
) -> Result<HttpResponse, Error> {
    let changes = CustomerChanges::try_from((body, principal.country))?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let customer = state
        .db
        .write(move |c| customers::update(c, &ctx, &id, expected, changes.clone()))
        .await?;
    respond(StatusCode::OK, customer)
}

/// Delete a customer (admin). Honours `If-Match`.
#[utoipa::path(
    tag = "customers",
    security(("api_key" = [])),
    params(("customer_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/customers/{customer_id}")]
pub async fn delete_customer(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| customers::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
