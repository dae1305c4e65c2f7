//! Appointments: writing them, changing their status or time, and reading them back.
//! The resources they hold are `repo::holds`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::holds::{self, AppointmentResourceRow};
use super::{Page, to_db};
use crate::db::DbConnection;
use crate::db::schema::{appointment_resources, appointments, locations};
use crate::domain::{AppointmentStatus, Channel, ReasonCategory, TimeZone};
use crate::error::{Code, Error};

// `None` is written as NULL (every such column's default), not as `DEFAULT`: the insert
// then has one text, which each connection prepares once and keeps.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointments, treat_none_as_default_value = false)]
pub struct AppointmentRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: String,
    pub service_id: String,
    pub customer_id: String,
    pub status: AppointmentStatus,
    pub channel: Channel,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub block_starts_at: NaiveDateTime,
    pub block_ends_at: NaiveDateTime,
    pub local_date: String,
    pub notes: Option<String>,
    pub external_ref: Option<String>,
    pub cancel_reason_category: Option<ReasonCategory>,
    pub cancel_reason_text: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Moves so far, a rebooking after a no-show not counted.
    pub moves: i32,
    /// The start it was first booked for; `max_distance` is measured from it.
    pub original_starts_at: NaiveDateTime,
    /// When it was last marked a no-show.
    pub no_show_at: Option<NaiveDateTime>,
    /// The customer's vehicle it is for, if one was named.
    pub vehicle_id: Option<String>,
}

/// Inserts an appointment and the resources it holds; the database refuses an overlap.
pub fn insert(
    conn: &mut DbConnection,
    row: &AppointmentRow,
    held: &[AppointmentResourceRow],
) -> Result<(), Error> {
    insert_row(conn, row)?;
    holds::insert_held(conn, held)
}

/// The appointment's own row, without the resources it holds.
pub fn insert_row(conn: &mut DbConnection, row: &AppointmentRow) -> Result<(), Error> {
    diesel::insert_into(appointments::table)
        .values(row)
        .execute(conn)
        .map_err(|e| match &e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::new(
                Code::ExternalRefTaken,
                "another appointment of this organization already has this external_ref",
            )
            .with_field("external_ref"),
            _ => e.into(),
        })?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<AppointmentRow, Error> {
    appointments::table
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::id.eq(id))
        .select(AppointmentRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("appointment"))
}

/// An appointment with its location's zone, in one statement (refusals tell their times
/// in the zone).
pub fn get_in_zone(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<(AppointmentRow, TimeZone), Error> {
    appointments::table
        .inner_join(locations::table)
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::id.eq(id))
        .select((AppointmentRow::as_select(), locations::time_zone))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("appointment"))
}

/// The status of each of some appointments, in one statement.
pub fn statuses(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, AppointmentStatus>, Error> {
    let rows: Vec<(String, AppointmentStatus)> = appointments::table
        .filter(appointments::id.eq_any(ids))
        .select((appointments::id, appointments::status))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Saves a new status (and cancellation reason), bumping the version if it is still
/// `previous_version`; frees the resources when the status no longer holds the slot.
pub fn save_status(
    conn: &mut DbConnection,
    row: &AppointmentRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        appointments::table
            .filter(appointments::id.eq(&row.id))
            .filter(appointments::version.eq(previous_version)),
    )
    .set((
        appointments::status.eq(row.status),
        appointments::cancel_reason_category.eq(&row.cancel_reason_category),
        appointments::cancel_reason_text.eq(&row.cancel_reason_text),
        appointments::no_show_at.eq(row.no_show_at),
        appointments::version.eq(row.version),
        appointments::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })?;
    holds::set_active(conn, &row.id, row.status.holds_slot())
}

/// Which appointments a list shows; `None` does not filter.
#[derive(Default, Clone)]
pub struct AppointmentFilter {
    pub location_id: Option<String>,
    pub resource_id: Option<String>,
    pub customer_id: Option<String>,
    pub statuses: Vec<AppointmentStatus>,
    /// Local dates at the appointment's location, inclusive (`YYYY-MM-DD`).
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    /// The appointments for the vehicle with this normalised plate.
    pub plate: Option<String>,
    /// Only those flagged for a call (`true`) or only those not (`false`).
    pub needs_call: Option<bool>,
    /// The order, not a filter: latest start first instead of earliest.
    pub latest_first: bool,
}

/// A page of appointments ordered by start time, then id (both descending with
/// `latest_first`); `after` is the last (start, id) of the previous page, and the next
/// page continues after the last row's in that order.
pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: &AppointmentFilter,
    after: Option<(DateTime<Utc>, String)>,
    limit: i64,
) -> Result<Page<AppointmentRow>, Error> {
    let mut q = appointments::table
        .filter(appointments::organization_id.eq(org))
        .select(AppointmentRow::as_select())
        .limit(limit + 1)
        .into_boxed();
    q = if filter.latest_first {
        q.order((appointments::starts_at.desc(), appointments::id.desc()))
    } else {
        q.order((appointments::starts_at.asc(), appointments::id.asc()))
    };
    if let Some(v) = &filter.location_id {
        q = q.filter(appointments::location_id.eq(v.clone()));
    }
    if let Some(v) = &filter.customer_id {
        q = q.filter(appointments::customer_id.eq(v.clone()));
    }
    if let Some(v) = &filter.resource_id {
        let holding = appointment_resources::table
            .filter(appointment_resources::resource_id.eq(v.clone()))
            .select(appointment_resources::appointment_id);
        q = q.filter(appointments::id.eq_any(holding));
    }
    if !filter.statuses.is_empty() {
        q = q.filter(appointments::status.eq_any(filter.statuses.clone()));
    }
    if let Some(flagged) = filter.needs_call {
        use crate::db::schema::call_flags;
        let raised = call_flags::table
            .filter(call_flags::organization_id.eq(org))
            .filter(call_flags::raised.eq(true))
            .select(call_flags::appointment_id);
        q = if flagged {
            q.filter(appointments::id.eq_any(raised))
        } else {
            q.filter(appointments::id.ne_all(raised))
        };
    }
    if let Some(p) = &filter.plate {
        // The plate's unique index finds the vehicle, the vehicle index its appointments:
        // one statement with the page.
        use crate::db::schema::vehicles;
        let vehicle = vehicles::table
            .filter(vehicles::organization_id.eq(org))
            .filter(vehicles::plate.eq(p.clone()))
            .select(vehicles::id.nullable());
        q = q.filter(appointments::vehicle_id.eq_any(vehicle));
    }
    if let Some(v) = &filter.from_date {
        q = q.filter(appointments::local_date.ge(v.clone()));
    }
    if let Some(v) = &filter.to_date {
        q = q.filter(appointments::local_date.le(v.clone()));
    }
    if let Some((t, id)) = after {
        let t = to_db(t);
        q = if filter.latest_first {
            q.filter(
                appointments::starts_at
                    .lt(t)
                    .or(appointments::starts_at.eq(t).and(appointments::id.lt(id))),
            )
        } else {
            q.filter(
                appointments::starts_at
                    .gt(t)
                    .or(appointments::starts_at.eq(t).and(appointments::id.gt(id))),
            )
        };
    }
    Ok(super::page_of(q.load(conn)?, limit, |r| &r.id))
}

/// How many appointments a customer has in each status.
pub fn status_counts(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
) -> Result<HashMap<AppointmentStatus, i64>, Error> {
    let rows: Vec<(AppointmentStatus, i64)> = appointments::table
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::customer_id.eq(customer_id))
        .group_by(appointments::status)
        .select((appointments::status, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// What a front desk reads beside an appointment: its location's zone, its customer's
/// name and phone and its service's name.
#[derive(Clone, Debug, Queryable)]
pub struct AppointmentLabels {
    pub time_zone: TimeZone,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub service_name: String,
    /// The plate of the vehicle it is for, if one was named.
    pub plate: Option<String>,
    /// Its raised call flag's reason and time, if any.
    pub call_reason: Option<crate::domain::CallReason>,
    pub call_since: Option<NaiveDateTime>,
}

/// The labels of each appointment named, in one query (joins, not a lookup per row).
pub fn labels(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, AppointmentLabels>, Error> {
    use crate::db::schema::{call_flags, customers, locations, services, vehicles};
    Ok(appointments::table
        .inner_join(locations::table)
        .inner_join(customers::table)
        .inner_join(services::table)
        .left_join(vehicles::table)
        .left_join(
            call_flags::table.on(call_flags::appointment_id
                .eq(appointments::id)
                .and(call_flags::raised.eq(true))),
        )
        .filter(appointments::id.eq_any(ids))
        .select((
            appointments::id,
            (
                locations::time_zone,
                customers::name,
                customers::phone,
                services::name,
                vehicles::plate.nullable(),
                call_flags::reason.nullable(),
                call_flags::since.nullable(),
            ),
        ))
        .load::<(String, AppointmentLabels)>(conn)?
        .into_iter()
        .collect())
}

/// Saves a moved appointment (its times, status and move count) if its version is still
/// `previous_version`, and lets go of the resources it held: the caller holds the new
/// ones. The version condition serialises two moves of one appointment.
pub fn save_move(
    conn: &mut DbConnection,
    row: &AppointmentRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        appointments::table
            .filter(appointments::id.eq(&row.id))
            .filter(appointments::version.eq(previous_version)),
    )
    .set((
        appointments::starts_at.eq(row.starts_at),
        appointments::ends_at.eq(row.ends_at),
        appointments::block_starts_at.eq(row.block_starts_at),
        appointments::block_ends_at.eq(row.block_ends_at),
        appointments::local_date.eq(&row.local_date),
        appointments::status.eq(row.status),
        appointments::moves.eq(row.moves),
        appointments::version.eq(row.version),
        appointments::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })?;
    holds::release(conn, &row.id)
}
