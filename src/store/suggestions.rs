//! Ranked suggestions for a new booking, and alternatives for an existing appointment.

use chrono::{DateTime, Duration, Utc};

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

/// The search window: `near` ± [`SEARCH_DAYS`], within `from`/`to`.
fn window(w: &Wish) -> Result<(DateTime<Utc>, DateTime<Utc>), Error> {
    let lo = w
        .from
        .unwrap_or(w.near - Duration::days(SEARCH_DAYS))
        .max(w.near - Duration::days(SEARCH_DAYS));
    let hi =
        w.to.unwrap_or(w.near + Duration::days(SEARCH_DAYS))
            .min(w.near + Duration::days(SEARCH_DAYS));
    if let (Some(from), Some(to)) = (w.from, w.to)
        && to <= from
    {
        return Err(Error::invalid(
            "to",
            "window_ends_before_start",
            "to must be after from",
        ));
    }
    Ok((lo, hi.max(lo)))
}

fn check_horizon(loaded: &LoadedSchedule, w: &Wish, now: DateTime<Utc>) -> Result<(), Error> {
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

/// The best starts for a new booking near the wanted time.
pub fn for_new_booking(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    wish: &Wish,
    now: DateTime<Utc>,
) -> Result<(LoadedSchedule, Vec<Suggestion>), Error> {
    let (lo, hi) = window(wish)?;
    let loaded = schedule::load(conn, org, location_id, service_id, lo, hi, None)?;
    check_horizon(&loaded, wish, now)?;
    let pinned = match &wish.resource_id {
        Some(id) => Some(
            loaded
                .index_of(id)
                .ok_or_else(|| schedule::resource_unusable(conn, org, &loaded, id))?,
        ),
        None => None,
    };
    let want = Want {
        from: Some(lo),
        to: Some(hi),
        pinned,
        ..Want::near(wish.near)
    };
    let found = suggest(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        &want,
        now,
        wish.limit,
    );
    Ok((loaded, found))
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
    let (lo, hi) = window(&wish)?;
    let loaded = schedule::load(
        conn,
        org,
        &row.location_id,
        &row.service_id,
        lo,
        hi,
        Some(&row.id),
    )?;
    check_horizon(&loaded, &wish, now)?;
    let held: Vec<String> = {
        use diesel::prelude::*;
        appointment_resources::table
            .filter(appointment_resources::appointment_id.eq(&row.id))
            .select(appointment_resources::resource_id)
            .load(conn)?
    };
    let preferred: Vec<usize> = held.iter().filter_map(|id| loaded.index_of(id)).collect();
    let pinned = match &wish.resource_id {
        Some(id) => Some(
            loaded
                .index_of(id)
                .ok_or_else(|| schedule::resource_unusable(conn, org, &loaded, id))?,
        ),
        None => None,
    };
    let want = Want {
        from: Some(lo),
        to: Some(hi),
        preferred,
        pinned,
        exclude_start: Some(current),
        ..Want::near(wish.near)
    };
    let found = suggest(
        &loaded.schedule(),
        &loaded.needs,
        &loaded.rules,
        &want,
        now,
        wish.limit,
    );
    Ok((row, loaded, found))
}
