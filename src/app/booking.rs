//! Booking an appointment: only a start that availability lists is accepted, and the
//! database refuses an overlap even if two bookings race.

use chrono::{DateTime, Duration, Utc};

use crate::app::Ctx;
use crate::app::appointments::AppointmentView;
use crate::app::customers::{Identified, NewCustomer};
use crate::app::notices;
use crate::app::suggestions::{self, SuggestionView, Wish};
use crate::db::DbConnection;
use crate::domain::EventKind;
use crate::domain::availability::{self, Choice, Slot, Unavailable};
use crate::domain::interval::Interval;
use crate::domain::{AppointmentStatus, Channel};
use crate::error::Error;
use crate::repo::appointments::{self, AppointmentLabels, AppointmentRow};
use crate::repo::customers;
use crate::repo::events::{self, NewEvent};
use crate::repo::holds::{AppointmentResourceRow, HeldResource, insert_held};
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

/// Book a service at a location for a customer, at a start availability lists.
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
    /// One of the customer's vehicles, the one the appointment is for.
    pub vehicle_id: Option<String>,
}

/// How a booking ended.
#[derive(Debug)]
pub enum BookOutcome {
    Booked(Box<AppointmentView>),
    /// The start cannot be booked: nothing was written. For a start that is taken, off
    /// the grid, outside the hours, closed or inside the lead time, the best bookable
    /// times near it (with the resource asked for); `None` when other times would not
    /// help (a start in the past, beyond the horizon).
    Unavailable {
        refusal: Unavailable,
        alternatives: Option<Vec<SuggestionView>>,
    },
}

/// How many other times a refused booking offers.
pub const ALTERNATIVES: usize = 3;

/// Whether other times are offered for a start refused this way.
fn offers_alternatives(refusal: &Unavailable) -> bool {
    matches!(
        refusal,
        Unavailable::Taken
            | Unavailable::OutsideOpeningHours
            | Unavailable::Closed
            | Unavailable::InsideLeadTime { .. }
    )
}

/// The customer booked for: id, name and phone.
struct Booked {
    id: String,
    name: String,
    phone: Option<String>,
}

fn resolve_customer(
    conn: &mut DbConnection,
    ctx: &Ctx,
    customer: CustomerRef,
) -> Result<Booked, Error> {
    let org = ctx.org.as_str();
    // An existing customer is locked, so a delete racing this booking either
    // committed first (the lock finds no customer: 404) or waits for it and then counts
    // its appointment (409 `customer_has_appointments`); never an orphan.
    let locked = |conn: &mut DbConnection, id: String| {
        let (name, phone) = locks::customer_to_book(conn, org, &id)?;
        Ok::<_, Error>(Booked { id, name, phone })
    };
    match customer {
        CustomerRef::Id(id) => locked(conn, id),
        CustomerRef::ExternalRef(r) => {
            let id = customers::find_by_external_ref(conn, org, &r)?
                .ok_or_else(|| Error::not_found("customer with that external_ref"))?
                .id;
            locked(conn, id)
        }
        CustomerRef::New(new) => {
            // The customer who already has this phone number or external_ref is booked
            // for, not a copy of them: their limits follow them.
            match crate::app::customers::create(conn, ctx, new).map_err(|e| e.within("customer"))? {
                Identified::Created(c) => Ok(Booked {
                    id: c.id,
                    name: c.name,
                    phone: c.phone,
                }),
                Identified::Matched(c) => locked(conn, c.id),
            }
        }
    }
}

/// The rows by which `row` holds the slot's resources, and those resources as the
/// appointment shows them (in the order it is read back: by kind).
pub(crate) fn holds(
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
            kind: loaded.resources[i].kind,
        })
        .collect();
    shown.sort_by_key(|r| r.kind.as_str());
    (held, shown)
}

/// Books an appointment at a start availability lists; the database refuses a double
/// booking even when requests race (the unit of work then runs again and finds the start
/// taken, or another free resource for it).
pub fn book(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: BookAppointment,
) -> Result<BookOutcome, Error> {
    let (org, now) = (ctx.org.as_str(), ctx.now);
    let loaded = schedule::load(
        conn,
        &ctx.schedule_reader(),
        &cmd.location_id,
        &cmd.service_id,
        cmd.start,
        cmd.start + Duration::seconds(1),
        None,
    )?;
    let pinned = schedule::pinned(conn, org, &loaded, cmd.resource_id.as_deref())?;
    let checked = availability::check_start(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        cmd.start,
        now,
        Choice {
            pinned,
            preferred: &[],
        },
    );
    let slot = match checked {
        Ok(slot) => slot,
        Err(refusal) => {
            // A customer who asked for a particular advisor or bay is offered times
            // with it.
            let wish = Wish {
                near: cmd.start,
                from: None,
                to: None,
                resource_id: cmd.resource_id,
                limit: ALTERNATIVES,
            };
            let alternatives = offers_alternatives(&refusal)
                .then(|| {
                    suggestions::instead_of_booking(
                        conn,
                        ctx,
                        &cmd.location_id,
                        &cmd.service_id,
                        &wish,
                    )
                })
                .transpose()?;
            return Ok(BookOutcome::Unavailable {
                refusal,
                alternatives,
            });
        }
    };
    let customer = resolve_customer(conn, ctx, cmd.customer)?;
    let plate = match &cmd.vehicle_id {
        Some(v) => Some(crate::app::vehicles::check_for_booking(
            conn,
            ctx,
            &customer.id,
            v,
        )?),
        None => None,
    };
    // What the appointment shows of its customer, service and vehicle, known by now
    // without reading them again.
    let labels = AppointmentLabels {
        time_zone: loaded.location.time_zone,
        customer_name: customer.name,
        customer_phone: customer.phone,
        service_name: loaded.service.name.clone(),
        plate,
        // A new appointment has nothing to call about yet.
        call_reason: None,
        call_since: None,
    };
    let customer_id = customer.id;

    let block_start = slot.start - loaded.needs.buffer_before;
    let block_end = slot.end + loaded.needs.buffer_after;
    let row = AppointmentRow {
        id: new_id(),
        organization_id: org.to_owned(),
        location_id: loaded.location.id.clone(),
        service_id: loaded.service.id.clone(),
        customer_id,
        status: AppointmentStatus::Booked,
        channel: cmd.channel,
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
        vehicle_id: cmd.vehicle_id,
    };
    let (held, resources) = holds(&row, &slot, &loaded);
    appointments::insert_row(conn, &row)?;
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
    let event = events::record(conn, org, &row.id, &ctx.actor, event, now)?;
    if loaded.sends_messages {
        notices::after_change(conn, ctx, &row, notices::Change::Booked)?;
    }
    if loaded.sends_webhooks {
        crate::app::webhooks::appointment_changed(conn, ctx, &row, &event)?;
    }
    // Last: holding the resources bumps their busy versions, which locks their rows
    // until the commit (PostgreSQL), so bookings of the same bay wait on each other for
    // as short a time as possible.
    insert_held(conn, &held)?;
    let added: Vec<(&str, Interval)> = held
        .iter()
        .map(|h| {
            (
                h.resource_id.as_str(),
                Interval::new(block_start, block_end),
            )
        })
        .collect();
    schedule::note_held(&ctx.schedule_reader(), &loaded, &added);
    Ok(BookOutcome::Booked(Box::new(AppointmentView::of(
        row, resources, labels,
    ))))
}
