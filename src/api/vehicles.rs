//! `/v1/customers/{id}/vehicles` and `/v1/vehicles`: the motorcycles and cars customers
//! bring in, found by plate when a rider walks in. Any role may register, read and change
//! them; only admins delete.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::vehicles::{self, FoundVehicle, NewVehicle, Vehicle, VehicleChanges};
use crate::domain::text;
use crate::domain::vehicle::{Plate, check_odometer};
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::json_shape::object;
use crate::http::pagination::{List, PageParams};
use crate::http::patch::nullable;
use crate::http::precondition::IfMatch;
use crate::http::responses::*;
use crate::http::state::AppState;

/// A customer's vehicle.
#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleResponse {
    #[schema(format = Uuid)]
    pub id: String,
    /// The owner.
    #[schema(format = Uuid)]
    pub customer_id: String,
    /// Normalised: region letters, number and suffix separated by spaces.
    #[schema(example = "B 1234 XYZ")]
    pub plate: String,
    #[schema(example = "Honda")]
    pub make: Option<String>,
    #[schema(example = "Vario 125")]
    pub model: Option<String>,
    #[schema(example = 2021)]
    pub year: Option<i32>,
    /// Kilometres on the odometer at the last visit.
    #[schema(example = 12450)]
    pub odometer_km: Option<i64>,
    /// Send back as `If-Match: "<version>"` to change or delete it.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Vehicle> for VehicleResponse {
    fn from(v: Vehicle) -> Self {
        VehicleResponse {
            id: v.id,
            customer_id: v.customer_id,
            plate: v.plate,
            make: v.make,
            model: v.model,
            year: v.year,
            odometer_km: v.odometer_km,
            version: v.version,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A new vehicle of the customer. The plate may be typed any way (`b1234xyz`,
/// `B-1234-XYZ`): it is stored as `B 1234 XYZ`, once per organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVehicleRequest {
    /// An Indonesian plate: 1-2 region letters, 1-4 digits, up to 3 letters.
    #[schema(example = "B 1234 XYZ")]
    pub plate: String,
    /// Up to 100 characters.
    #[schema(example = "Honda")]
    pub make: Option<String>,
    /// Up to 100 characters.
    #[schema(example = "Vario 125")]
    pub model: Option<String>,
    /// 1900 to next year.
    #[schema(example = 2021, minimum = 1900)]
    pub year: Option<i32>,
    /// 0 to 10000000.
    #[schema(example = 12450, minimum = 0, maximum = 10000000)]
    pub odometer_km: Option<i64>,
}

fn odometer(km: Option<i64>) -> Result<Option<i64>, Error> {
    km.map(|k| check_odometer("odometer_km", k)).transpose()
}

impl TryFrom<CreateVehicleRequest> for NewVehicle {
    type Error = Error;

    fn try_from(r: CreateVehicleRequest) -> Result<Self, Error> {
        Ok(NewVehicle {
            plate: Plate::parse("plate", &r.plate)?,
            make: text::optional("make", r.make.as_deref(), 100)?,
            model: text::optional("model", r.model.as_deref(), 100)?,
            year: r.year,
            odometer_km: odometer(r.odometer_km)?,
        })
    }
}

/// Fields to change; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, from = "UpdateVehicleBody")]
pub struct UpdateVehicleRequest {
    #[schema(example = "B 1234 XYZ")]
    pub plate: Option<String>,
    #[schema(value_type = Option<String>)]
    pub make: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    #[schema(value_type = Option<i32>, minimum = 1900)]
    pub year: Option<Option<i32>>,
    /// The odometer read at this visit.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10000000)]
    pub odometer_km: Option<Option<i64>>,
}

/// The fields as read. Every field may be absent, so serde's derived reading would also
/// take a JSON array (`[null, null]`) field by field: the body is read as an object only
/// (see `http::json_shape`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateVehicleFields {
    plate: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    make: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    model: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    odometer_km: Option<Option<i64>>,
}

/// [`UpdateVehicleFields`] read from an object only.
struct UpdateVehicleBody(UpdateVehicleFields);

impl<'de> Deserialize<'de> for UpdateVehicleBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(UpdateVehicleBody)
    }
}

impl From<UpdateVehicleBody> for UpdateVehicleRequest {
    fn from(UpdateVehicleBody(f): UpdateVehicleBody) -> Self {
        UpdateVehicleRequest {
            plate: f.plate,
            make: f.make,
            model: f.model,
            year: f.year,
            odometer_km: f.odometer_km,
        }
    }
}

impl TryFrom<UpdateVehicleRequest> for VehicleChanges {
    type Error = Error;

    fn try_from(r: UpdateVehicleRequest) -> Result<Self, Error> {
        Ok(VehicleChanges {
            plate: r.plate.map(|p| Plate::parse("plate", &p)).transpose()?,
            make: r
                .make
                .map(|x| text::optional("make", x.as_deref(), 100))
                .transpose()?,
            model: r
                .model
                .map(|x| text::optional("model", x.as_deref(), 100))
                .transpose()?,
            year: r.year,
            odometer_km: r.odometer_km.map(odometer).transpose()?,
        })
    }
}

/// The owner of a vehicle found by plate.
#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleOwner {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "Budi Santoso")]
    pub name: String,
    #[schema(example = "+6281234567890")]
    pub phone: Option<String>,
}

/// A vehicle found by plate, with its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct FoundVehicleResponse {
    #[serde(flatten)]
    pub vehicle: VehicleResponse,
    pub owner: VehicleOwner,
}

/// What a plate search found: one vehicle, or none (a plate is unique).
#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleSearchResponse {
    pub items: Vec<FoundVehicleResponse>,
}

impl From<FoundVehicle> for FoundVehicleResponse {
    fn from(f: FoundVehicle) -> Self {
        FoundVehicleResponse {
            owner: VehicleOwner {
                id: f.vehicle.customer_id.clone(),
                name: f.customer_name,
                phone: f.customer_phone,
            },
            vehicle: f.vehicle.into(),
        }
    }
}

/// The plate to find, typed any way.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VehicleSearchQuery {
    /// As typed at the desk: `B1234XYZ`, `b 1234 xyz` and `B-1234-XYZ` are one plate.
    #[param(example = "B1234XYZ")]
    pub plate: String,
}

/// Paging of a customer's vehicles.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustomerVehiclesQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn reply(status: StatusCode, vehicle: Vehicle) -> Result<Reply, Error> {
    let body = VehicleResponse::from(vehicle);
    Reply::versioned(
        status,
        body.version,
        format!("/v1/vehicles/{}", body.id),
        &body,
    )
}

/// Register a vehicle of a customer (any role). The plate is normalised
/// (`invalid_plate` when it is not an Indonesian plate); a plate another vehicle of the
/// organization has is `409 plate_taken`, naming the owner in `data`; `year` is 1900 to
/// next year and `odometer_km` 0 to 10000000 (`out_of_range`).
#[utoipa::path(
    tag = "vehicles",
    security(("api_key" = [])),
    params(("customer_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = CreateVehicleRequest,
    responses(
        (status = 201, body = VehicleResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/customers/{customer_id}/vehicles")]
pub async fn create_vehicle(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    path: web::Path<Uuid>,
    Json(body): Json<CreateVehicleRequest>,
) -> Result<HttpResponse, Error> {
    let new = NewVehicle::try_from(body)?;
    let (ctx, customer_id) = (state.ctx(&principal), path.into_inner().to_string());
    idempotency
        .reply(&state, move |c| {
            reply(
                StatusCode::CREATED,
                vehicles::create(c, &ctx, &customer_id, new.clone())?,
            )
        })
        .await
}

/// A customer's vehicles, in the order they were registered.
#[utoipa::path(
    tag = "vehicles",
    security(("api_key" = [])),
    params(("customer_id" = Uuid, Path), CustomerVehiclesQuery),
    responses(
        (status = 200, body = List<VehicleResponse>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/customers/{customer_id}/vehicles")]
pub async fn list_customer_vehicles(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    Query(q): Query<CustomerVehiclesQuery>,
) -> Result<HttpResponse, Error> {
    let (limit, after) = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .parse()?;
    let (ctx, customer_id) = (state.ctx(&principal), path.into_inner().to_string());
    let page = state
        .db
        .read(move |c| vehicles::of_customer(c, &ctx, &customer_id, after.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(List::from_page(page, |v| Ok(VehicleResponse::from(v)))?))
}

/// Find a vehicle and its owner by plate, typed any way: the front desk's first question
/// when a rider walks in. One indexed look-up; `items` is empty when no vehicle has it.
/// A plate that is not an Indonesian plate is `422 invalid_plate`.
#[utoipa::path(
    tag = "vehicles",
    security(("api_key" = [])),
    params(VehicleSearchQuery),
    responses(
        (status = 200, body = VehicleSearchResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/vehicles")]
pub async fn find_vehicles(
    state: web::Data<AppState>,
    principal: Principal,
    Query(q): Query<VehicleSearchQuery>,
) -> Result<HttpResponse, Error> {
    let plate = Plate::parse("plate", &q.plate)?;
    let ctx = state.ctx(&principal);
    let found = state
        .db
        .read(move |c| vehicles::find_by_plate(c, &ctx, &plate))
        .await?;
    Ok(HttpResponse::Ok().json(VehicleSearchResponse {
        items: found.into_iter().map(FoundVehicleResponse::from).collect(),
    }))
}

/// Get one vehicle, with its version as `ETag`.
#[utoipa::path(
    tag = "vehicles",
    security(("api_key" = [])),
    params(("vehicle_id" = Uuid, Path)),
    responses(
        (status = 200, body = VehicleResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
    )
)]
#[get("/vehicles/{vehicle_id}")]
pub async fn get_vehicle(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Error> {
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let vehicle = state.db.read(move |c| vehicles::get(c, &ctx, &id)).await?;
    reply(StatusCode::OK, vehicle).map(Reply::into_response)
}

/// Change a vehicle (any role), such as the odometer at this visit. Honours `If-Match`;
/// a new plate is normalised and must be free (`409 plate_taken`).
#[utoipa::path(
    tag = "vehicles",
    security(("api_key" = [])),
    params(("vehicle_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = UpdateVehicleRequest,
    responses(
        (status = 200, body = VehicleResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[patch("/vehicles/{vehicle_id}")]
pub async fn update_vehicle(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
    Json(body): Json<UpdateVehicleRequest>,
) -> Result<HttpResponse, Error> {
    let changes = VehicleChanges::try_from(body)?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    let vehicle = state
        .db
        .write(move |c| vehicles::update(c, &ctx, &id, expected, changes.clone()))
        .await?;
    reply(StatusCode::OK, vehicle).map(Reply::into_response)
}

/// Delete a vehicle (admin). Honours `If-Match`. A vehicle appointments are for is
/// `409 vehicle_in_use`: they keep it as their history.
#[utoipa::path(
    tag = "vehicles",
    security(("api_key" = [])),
    params(("vehicle_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/vehicles/{vehicle_id}")]
pub async fn delete_vehicle(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    IfMatch(expected): IfMatch,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, id) = (state.ctx(&principal), path.into_inner().to_string());
    state
        .db
        .write(move |c| vehicles::delete(c, &ctx, &id, expected))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The plate filter of an appointment list, normalised like a registration's.
pub fn plate_filter(raw: Option<&str>) -> Result<Option<String>, Error> {
    raw.map(|p| Plate::parse("plate", p).map(Plate::into_string))
        .transpose()
}
