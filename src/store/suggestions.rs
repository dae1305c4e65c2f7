//! Ranked suggestions for a new booking, and alternatives for an existing appointment.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::appointments::{self, AppointmentRow};
use super::from_db;
use super::schedule::{self, LoadedSchedule};
use crate::db::DbConnection;
use crate::db::schema::appointment_resources;
use crate::domain::AppointmentStatus;
use crate::domain::suggestions::{Suggestion, Want, suggest};
use crate::error::Error;

/// Suggestions are searched within this many days either side of the wanted time.
pub const SEARCH_DAYS: i64 = 31;
/// The first, cheap search, nearly always enough: if it finds `limit` starts they are the
/// nearest overall, since any start outside it is farther than all of them.
const FIRST_SEARCH_DAYS: i64 = 3;
pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: usize = 20;

/// What the caller asked for, before the location's rules are known.
#[derive(Clone, Debug)]
pub struct Wish {
    pub near: DateTime<Utc>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub resource_id: Option<String>,
    pub limit: usize,
}

/// The search window: `near` ± `days`, within `from`/`to`.
fn window(w: &Wish, days: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    let reach = Duration::days(days);
    let lo = w.from.unwrap_or(w.near - reach).max(w.near - reach);
    let hi = w.to.unwrap_or(w.near + reach).min(w.near + reach);
    (lo, hi.max(lo))
}

fn check_bounds(loaded: &LoadedSchedule, w: &Wish, now: DateTime<Utc>) -> Result<(), Error> {
    if let (Some(from), Some(to)) = (w.from, w.to)
        && to <= from
    {
        return Err(Error::invalid(
            "to",
            "window_ends_before_start",
            "to must be after from",
        ));
    }
    let latest = now + loaded.rules.horizon;
    if w.from.is_some_and(|f| f > latest) {
        return Err(Error::invalid(
            "from",
            "beyond_booking_horizon",
            format!("bookings are taken up to {}", latest.to_rfc3339()),
        )
        .with_data(serde_json::json!({ "latest": latest })));
    }
    Ok(())
}

fn pinned(
    conn: &mut DbConnection,
    org: &str,
    loaded: &LoadedSchedule,
    id: Option<&str>,
) -> Result<Option<usize>, Error> {
    match id {
        Some(id) => {
            Ok(Some(loaded.index_of(id).ok_or_else(|| {
                schedule::resource_unusable(conn, org, loaded, id)
            })?))
        }
        None => Ok(None),
    }
}

#[allow(clippy::too_many_arguments)]
/// Loads `near` ± 3 days and suggests; widens to ± [`SEARCH_DAYS`] only when that finds
/// fewer than asked for. `want` fills in the per-appointment wishes for a loaded schedule.
fn search(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
    exclude_appointment: Option<&str>,
    want: impl Fn(&mut DbConnection, &LoadedSchedule) -> Result<Want, Error>,
    now: DateTime<Utc>,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let mut result = None;
    for days in [FIRST_SEARCH_DAYS, SEARCH_DAYS] {
        let (lo, hi) = window(wish, days);
        let loaded = schedule::load(
            conn,
            org,
            location_id,
            service_id,
            lo,
            hi,
            exclude_appointment,
        )?;
        check_bounds(&loaded, wish, now)?;
        let w = Want {
            from: Some(lo),
            to: Some(hi),
            ..want(conn, &loaded)?
        };
        let found = suggest(
            &loaded.schedule(),
            &loaded.needs,
            &loaded.rules,
            &w,
            now,
            wish.limit,
        );
        let enough = found.len() >= wish.limit;
        result = Some((loaded, found));
        if enough {
            break;
        }
    }
    Ok(result.expect("searched at least once"))
}

/// The best starts for a new booking near the wanted time.
pub fn for_new_booking(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
    now: DateTime<Utc>,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let pin = wish.resource_id.clone();
    search(
        conn,
        org,
        location_id,
        service_id,
        wish,
        None,
        |c, loaded| {
            Ok(Want {
                pinned: pinned(c, org, loaded, pin.as_deref())?,
                ..Want::near(wish.near)
            })
        },
        now,
    )
}

/// The best times to move an upcoming appointment to, keeping its resources when free.
pub fn for_appointment(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    near: Option<DateTime<Utc>>,
    wish: &Wish,
    now: DateTime<Utc>,
) -> Result<(AppointmentRow, LoadedSchedule, Vec<Suggestion>), Error> {
    let row = appointments::get(conn, org, appointment_id)?;
    let status = AppointmentStatus::from_db(&row.status)?;
    if !matches!(
        status,
        AppointmentStatus::Booked | AppointmentStatus::Confirmed
    ) {
        return Err(Error::conflict(
            "not_reschedulable",
            format!(
                "the appointment is {}; only booked or confirmed appointments can move",
                status.as_str()
            ),
        )
        .with_data(serde_json::json!({ "status": status })));
    }
    let current = from_db(row.starts_at);
    let wish = Wish {
        near: near.unwrap_or(current),
        ..wish.clone()
    };
    let held: Vec<String> = appointment_resources::table
        .filter(appointment_resources::appointment_id.eq(&row.id))
        .select(appointment_resources::resource_id)
        .load(conn)?;
    let pin = wish.resource_id.clone();
    let (loaded, found) = search(
        conn,
        org,
        &row.location_id,
        &row.service_id,
        &wish,
        Some(&row.id),
        |c, loaded| {
            Ok(Want {
                preferred: held.iter().filter_map(|id| loaded.index_of(id)).collect(),
                pinned: pinned(c, org, loaded, pin.as_deref())?,
                exclude_start: Some(current),
                ..Want::near(wish.near)
            })
        },
        now,
    )?;
    Ok((row, loaded, found))
}
