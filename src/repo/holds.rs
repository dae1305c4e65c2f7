//! The resources an appointment holds: one row per resource, with the appointment's block
//! (its time plus buffers), which the no-overlap guard checks and the busy versions follow.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::db::DbConnection;
use crate::db::schema::{appointment_resources, resources};
use crate::domain::ResourceKind;
use crate::error::{Code, Error};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_resources, treat_none_as_default_value = false)]
pub struct AppointmentResourceRow {
    pub appointment_id: String,
    pub resource_id: String,
    pub organization_id: String,
    pub location_id: String,
    pub block_starts_at: NaiveDateTime,
    pub block_ends_at: NaiveDateTime,
    pub active: bool,
}

/// A resource an appointment holds, as shown with it.
#[derive(Clone, Debug)]
pub struct HeldResource {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
}

/// Whether a database error is the no-overlap guard (PostgreSQL exclusion constraint or
/// the SQLite trigger) refusing a second booking of the same time.
fn is_overlap(e: &DieselError) -> bool {
    const GUARD: &str = "appointment_resources_no_overlap";
    match e {
        DieselError::DatabaseError(_, info) => {
            info.constraint_name() == Some(GUARD) || info.message().contains(GUARD)
        }
        _ => false,
    }
}

/// Another booking committed on a resource this one chose, after this one read the
/// schedule. The unit of work runs again: with the other booking visible it picks another
/// free resource for the same time, or finds the time taken and says so.
fn slot_taken() -> Error {
    Error::new(
        Code::SlotUnavailable,
        "that time was just taken; choose another",
    )
    .with_field("start")
    .run_again()
}

/// Holds resources for an appointment; an overlap with another booking is
/// `409 slot_unavailable`.
pub fn insert_held(conn: &mut DbConnection, held: &[AppointmentResourceRow]) -> Result<(), Error> {
    // One statement for all rows (one round trip on PostgreSQL). A service needs one or
    // two resources: those inserts have a text of their own, which each connection
    // prepares once and keeps; a batch of any other length is prepared every time.
    // Batch inserts do not go through diesel's multi-backend, so each backend runs its own.
    macro_rules! insert {
        ($c:expr) => {{
            let into = || diesel::insert_into(appointment_resources::table);
            match held {
                [one] => into().values(one).execute($c),
                // Owned: the statement's cache key is a type, which must be `'static`.
                [a, b] => into().values([a.clone(), b.clone()]).execute($c),
                _ => into().values(held).execute($c),
            }
        }};
    }
    let inserted = match conn {
        DbConnection::Pg(c) => insert!(c),
        DbConnection::Sqlite(c) => insert!(c),
    };
    inserted.map_err(|e| {
        if is_overlap(&e) {
            slot_taken()
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// The resources each appointment holds, with names, in one query.
pub fn held_resources(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, Vec<HeldResource>>, Error> {
    let rows: Vec<(String, String, String, ResourceKind)> = appointment_resources::table
        .inner_join(resources::table)
        .filter(appointment_resources::appointment_id.eq_any(ids))
        .select((
            appointment_resources::appointment_id,
            resources::id,
            resources::name,
            resources::kind,
        ))
        .order((appointment_resources::appointment_id, resources::kind))
        .load(conn)?;
    let mut out: HashMap<String, Vec<HeldResource>> = HashMap::new();
    for (appointment_id, id, name, kind) in rows {
        out.entry(appointment_id)
            .or_default()
            .push(HeldResource { id, name, kind });
    }
    Ok(out)
}

/// The ids of the resources an appointment holds (or held, if freed), in id order.
pub fn held_ids(conn: &mut DbConnection, appointment_id: &str) -> Result<Vec<String>, Error> {
    Ok(appointment_resources::table
        .filter(appointment_resources::appointment_id.eq(appointment_id))
        .select(appointment_resources::resource_id)
        .order(appointment_resources::resource_id)
        .load(conn)?)
}

/// Holds or frees the resources an appointment holds, as its status does or does not
/// hold the slot.
pub fn set_active(
    conn: &mut DbConnection,
    appointment_id: &str,
    active: bool,
) -> Result<(), Error> {
    diesel::update(
        appointment_resources::table
            .filter(appointment_resources::appointment_id.eq(appointment_id)),
    )
    .set(appointment_resources::active.eq(active))
    .execute(conn)?;
    Ok(())
}

/// Lets go of every resource an appointment holds (a move holds new ones).
pub fn release(conn: &mut DbConnection, appointment_id: &str) -> Result<(), Error> {
    diesel::delete(
        appointment_resources::table
            .filter(appointment_resources::appointment_id.eq(appointment_id)),
    )
    .execute(conn)?;
    Ok(())
}
