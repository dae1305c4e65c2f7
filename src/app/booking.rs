//! Booking an appointment: only a start that availability lists is accepted, and the
//! database refuses an overlap even if two bookings race.

use chrono::{DateTime, Duration, Utc};

use crate::app::Ctx;
use crate::app::customers::NewCustomer;
use crate::db::DbConnection;
use crate::domain::Actor;
use crate::domain::EventKind;
use crate::domain::availability::{self, Choice, Slot, Unavailable};
use crate::domain::{AppointmentStatus, Channel};
use crate::error::{Code, Error};
use crate::repo::appointments::{self, AppointmentResourceRow, AppointmentRow, HeldResource};
use crate::repo::customers;
use crate::repo::events::{self, NewEvent};
use crate::repo::locks;
use crate::repo::schedule::{self, LoadedSchedule};
use crate::repo::{new_id, to_db};

/// Who the appointment is for.
#[derive(Clone)]
pub enum CustomerRef {
    Id(String),
    /// An integrator's reference of an existing customer.
    ExternalRef(String),
    /// A customer to create with the booking.
    New(NewCustomer),
}

#[derive(Clone)]
pub struct BookAppointment {
    pub location_id: String,
    pub service_id: String,
    pub start: DateTime<Utc>,
    pub customer: CustomerRef,
    pub resource_id: Option<String>,
    pub channel: Channel,
    pub notes: Option<String>,
    pub external_ref: Option<String>,
}

/// A stored appointment with the resources it holds.
pub struct Booked {
    pub appointment: AppointmentRow,
    pub resources: Vec<HeldResource>,
    /// The location's zone, for local renderings.
    pub time_zone: String,
}

/// The problem for a start that cannot be booked, naming `start`.
pub fn unavailable(u: Unavailable) -> Error {
    match u {
        Unavailable::InPast => Error::invalid("start", Code::StartInPast, "the start is in the past"),
        Unavailable::InsideLeadTime { earliest } => Error::invalid(
            "start",
            Code::InsideLeadTime,
            format!(
                "bookings need more notice; the earliest start is {}",
                earliest.to_rfc3339()
            ),
        )
        .with_data(serde_json::json!({ "earliest": earliest })),
        Unavailable::BeyondHorizon { latest } => Error::invalid(
            "start",
            Code::BeyondBookingHorizon,
            format!("bookings are taken up to {}", latest.to_rfc3339()),
        )
        .with_data(serde_json::json!({ "latest": latest })),
        Unavailable::OutsideOpeningHours => Error::invalid(
            "start",
            Code::OutsideOpeningHours,
            "the appointment would not lie within the location's opening hours",
        ),
        Unavailable::Closed => Error::invalid(
            "start",
            Code::LocationClosed,
            "the location is closed at that time",
        ),
        Unavailable::Taken => {
            Error::new(
                Code::SlotUnavailable,
                "that start is not available (taken, or not a slot start); ask availability for free times",
            )
            .with_field("start")
        }
    }
}

fn resolve_customer(
    conn: &mut DbConnection,
    ctx: &Ctx,
    customer: CustomerRef,
) -> Result<String, Error> {
    let org = ctx.org.as_str();
    // An existing customer is locked, so a delete racing this booking either
    // committed first (the lock finds no customer: 404) or waits for it and then counts
    // its appointment (409 `customer_has_appointments`); never an orphan.
    Ok(match customer {
        CustomerRef::Id(id) => {
            locks::customer(conn, org, &id)?;
            id
        }
        CustomerRef::ExternalRef(r) => {
            let id = customers::find_by_external_ref(conn, org, &r)?
                .ok_or_else(|| Error::not_found("customer with that external_ref"))?
                .id;
            locks::customer(conn, org, &id)?;
            id
        }
        CustomerRef::New(new) => {
            crate::app::customers::create(conn, ctx, new)
                .map_err(|e| e.within("customer"))?
                .id
        }
    })
}

/// The rows by which `row` holds the slot's resources, and those resources as the
/// appointment shows them (in the order it is read back: by kind).
pub fn holds(
    row: &AppointmentRow,
    slot: &Slot,
    loaded: &LoadedSchedule,
) -> (Vec<AppointmentResourceRow>, Vec<HeldResource>) {
    let held = slot
        .resources
        .iter()
        .map(|&i| AppointmentResourceRow {
            appointment_id: row.id.clone(),
            resource_id: loaded.resources[i].id.clone(),
            organization_id: row.organization_id.clone(),
            location_id: row.location_id.clone(),
            block_starts_at: row.block_starts_at,
            block_ends_at: row.block_ends_at,
            active: true,
        })
        .collect();
    let mut shown: Vec<HeldResource> = slot
        .resources
        .iter()
        .map(|&i| HeldResource {
            id: loaded.resources[i].id.clone(),
            name: loaded.names[i].clone(),
            kind: loaded.resources[i].kind.as_str().to_owned(),
        })
        .collect();
    shown.sort_by(|a, b| a.kind.cmp(&b.kind));
    (held, shown)
}

pub fn book(
    conn: &mut DbConnection,
    org: &str,
    actor: &Actor,
    cmd: BookAppointment,
    now: DateTime<Utc>,
) -> Result<Booked, Error> {
    let loaded = schedule::load(
        conn,
        org,
        &cmd.location_id,
        &cmd.service_id,
        cmd.start,
        cmd.start + Duration::seconds(1),
        None,
    )?;
    let pinned = schedule::pinned(conn, org, &loaded, cmd.resource_id.as_deref())?;
    let slot = availability::check_start(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        cmd.start,
        now,
        Choice {
            pinned,
            preferred: &[],
        },
    )
    .map_err(unavailable)?;
    let ctx = Ctx {
        org: org.to_owned(),
        actor: actor.clone(),
        now,
    };
    let customer_id = resolve_customer(conn, &ctx, cmd.customer)?;

    let block_start = slot.start - loaded.needs.buffer_before;
    let block_end = slot.end + loaded.needs.buffer_after;
    let row = AppointmentRow {
        id: new_id(),
        organization_id: org.to_owned(),
        location_id: loaded.location.id.clone(),
        service_id: loaded.service.id.clone(),
        customer_id,
        status: AppointmentStatus::Booked.as_str().to_owned(),
        channel: cmd.channel.as_str().to_owned(),
        starts_at: to_db(slot.start),
        ends_at: to_db(slot.end),
        block_starts_at: to_db(block_start),
        block_ends_at: to_db(block_end),
        local_date: slot
            .start
            .with_timezone(&loaded.tz)
            .date_naive()
            .to_string(),
        notes: cmd.notes,
        external_ref: cmd.external_ref,
        cancel_reason_category: None,
        cancel_reason_text: None,
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
        moves: 0,
        original_starts_at: to_db(slot.start),
        no_show_at: None,
    };
    let (held, resources) = holds(&row, &slot, &loaded);
    appointments::insert(conn, &row, &held)?;
    let changes = serde_json::json!({
        "status": { "old": null, "new": row.status },
        "starts_at": { "old": null, "new": slot.start },
        "ends_at": { "old": null, "new": slot.end },
        "location_id": { "old": null, "new": row.location_id },
        "service_id": { "old": null, "new": row.service_id },
        "customer_id": { "old": null, "new": row.customer_id },
        "channel": { "old": null, "new": row.channel },
        "resource_ids": { "old": null, "new": resources.iter().map(|r| &r.id).collect::<Vec<_>>() },
    });
    let event = NewEvent {
        kind: EventKind::Created,
        changes,
        reason_category: None,
        reason_text: None,
        note: row.notes.clone(),
        details: None,
    };
    events::record(conn, org, &row.id, actor, event, now)?;
    Ok(Booked {
        appointment: row,
        resources,
        time_zone: loaded.tz.name().to_owned(),
    })
}
