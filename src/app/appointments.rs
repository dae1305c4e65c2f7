//! An appointment as callers see it: its fields typed, the resources it holds and its
//! location's zone, read back in a fixed number of queries whatever the number of rows.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::app::Ctx;
use crate::db::DbConnection;
use crate::domain::{
    AppointmentStatus, CallReason, Channel, EventKind, ReasonCategory, ResourceKind,
};
use crate::error::Error;
use crate::repo::appointments::{self, AppointmentLabels, AppointmentRow};
use crate::repo::holds::{self, HeldResource};
use crate::repo::{customers, events, from_db};

/// A resource that serves (or would serve) an appointment.
#[derive(Clone, Debug)]
pub struct ResourceView {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
}

/// Why an appointment was cancelled.
#[derive(Clone, Debug)]
pub struct CancelReason {
    pub category: ReasonCategory,
    pub text: Option<String>,
}

/// Why and since when staff should call the customer about an appointment.
#[derive(Clone, Copy, Debug)]
pub struct NeedsCall {
    pub reason: CallReason,
    pub since: DateTime<Utc>,
}

/// An appointment with the resources it holds, in its location's zone.
#[derive(Clone, Debug)]
pub struct AppointmentView {
    pub id: String,
    pub location_id: String,
    pub service_id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub service_name: String,
    pub vehicle_id: Option<String>,
    /// The plate of the vehicle, if one was named.
    pub plate: Option<String>,
    pub status: AppointmentStatus,
    pub channel: Channel,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The location's zone, for local renderings.
    pub tz: Tz,
    /// By kind.
    pub resources: Vec<ResourceView>,
    pub notes: Option<String>,
    pub external_ref: Option<String>,
    pub cancel_reason: Option<CancelReason>,
    /// Set while staff should call the customer about it.
    pub needs_call: Option<NeedsCall>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AppointmentView {
    /// The view of a row with the resources it holds, its location's zone and the names
    /// a front desk reads.
    pub(crate) fn of(
        row: AppointmentRow,
        held: Vec<HeldResource>,
        labels: AppointmentLabels,
    ) -> Self {
        let resources = held
            .into_iter()
            .map(|h| ResourceView {
                kind: h.kind,
                id: h.id,
                name: h.name,
            })
            .collect();
        let cancel_reason = row.cancel_reason_category.map(|category| CancelReason {
            category,
            text: row.cancel_reason_text.clone(),
        });
        AppointmentView {
            status: row.status,
            channel: row.channel,
            start: from_db(row.starts_at),
            end: from_db(row.ends_at),
            tz: labels.time_zone.tz(),
            customer_name: labels.customer_name,
            customer_phone: labels.customer_phone,
            service_name: labels.service_name,
            plate: labels.plate,
            vehicle_id: row.vehicle_id,
            resources,
            cancel_reason,
            needs_call: labels
                .call_reason
                .zip(labels.call_since)
                .map(|(reason, since)| NeedsCall {
                    reason,
                    since: from_db(since),
                }),
            id: row.id,
            location_id: row.location_id,
            service_id: row.service_id,
            customer_id: row.customer_id,
            notes: row.notes,
            external_ref: row.external_ref,
            version: row.version,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

/// Completes rows with their resources, their locations' zones, their customers' and
/// services' names and their call flags: two queries whatever the number of rows.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<AppointmentRow>,
) -> Result<Vec<AppointmentView>, Error> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut held = holds::held_resources(conn, &ids)?;
    let mut labels = appointments::labels(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let labels = labels.remove(&row.id).ok_or_else(|| {
                Error::internal(format!(
                    "location, customer or service of {} missing",
                    row.id
                ))
            })?;
            let resources = held.remove(&row.id).unwrap_or_default();
            Ok(AppointmentView::of(row, resources, labels))
        })
        .collect()
}

/// The labels of one appointment written in this unit of work (one statement: a booking
/// or move knows its resources and zone but not its customer's name).
pub(crate) fn labels_of(conn: &mut DbConnection, id: &str) -> Result<AppointmentLabels, Error> {
    appointments::labels(conn, &[id.to_owned()])?
        .remove(id)
        .ok_or_else(|| Error::internal(format!("location, customer or service of {id} missing")))
}

/// The view of one row read in this unit of work.
pub(crate) fn view(conn: &mut DbConnection, row: AppointmentRow) -> Result<AppointmentView, Error> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("an appointment without its view"))
}

/// An appointment of the caller's organization.
pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<AppointmentView, Error> {
    let row = appointments::get(conn, &ctx.org, id)?;
    view(conn, row)
}

/// How often a customer booked, moved, cancelled and missed appointments.
#[derive(Clone, Debug, Default)]
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

/// A customer of the caller's organization (its id as stored) and their counts.
pub fn customer_counts(
    conn: &mut DbConnection,
    ctx: &Ctx,
    customer_id: &str,
) -> Result<(String, CustomerCounts), Error> {
    let customer = customers::get(conn, &ctx.org, customer_id)?;
    let by_status = appointments::status_counts(conn, &ctx.org, &customer.id)?;
    let n = |s: AppointmentStatus| by_status.get(&s).copied().unwrap_or(0);
    let counts = CustomerCounts {
        total: by_status.values().sum(),
        upcoming: n(AppointmentStatus::Booked) + n(AppointmentStatus::Confirmed),
        checked_in: n(AppointmentStatus::CheckedIn),
        completed: n(AppointmentStatus::Completed),
        rescheduled: events::count_kind_for_customer(
            conn,
            &ctx.org,
            &customer.id,
            EventKind::Rescheduled,
        )?,
        cancelled: n(AppointmentStatus::Cancelled),
        no_show: n(AppointmentStatus::NoShow),
    };
    Ok((customer.id, counts))
}
