//! Repositories: each public function reads or writes rows inside the caller's
//! transaction; the rules that decide what to write are the use cases' (`crate::app`).
//!
//! Reads of one row by a unique key use `get_result`, not `first`: `first` binds its
//! `LIMIT 1` as a parameter, and SQLite re-prepares a cached statement every time a
//! LIMIT parameter is bound again (it was a sixth of a booking's time).

pub mod api_keys;
pub mod appointments;
pub mod call_flags;
pub mod closures;
pub mod customer_links;
pub mod customers;
pub mod delivery_adapters;
pub mod events;
pub mod fees;
pub mod holds;
pub mod idempotency;
pub mod inbound;
pub mod locations;
pub mod locks;
pub mod notification_settings;
pub mod organizations;
pub mod outbox;
pub mod policies;
pub mod resources;
pub mod schedule;
pub mod service_links;
pub mod services;
pub mod vehicles;
pub mod webhook_endpoints;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::Error;

/// A new time-ordered id (UUIDv7), so ordering by id is ordering by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Instants are stored as UTC wall time without an offset.
pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// One page of a list plus where to continue: the id of its last row when more follow
/// (a list ordered by more than the id takes the rest of the position from that row).
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each item converted, e.g. a row into what a use case returns.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }

    /// The same page with each item converted by a conversion that can fail.
    pub fn try_map<U>(self, f: impl FnMut(T) -> Result<U, Error>) -> Result<Page<U>, Error> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_after: self.next_after,
        })
    }
}

/// Turns `limit + 1` fetched rows into a page, remembering the last id shown.
pub fn page_of<T>(mut rows: Vec<T>, limit: i64, id: impl Fn(&T) -> &str) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_after = if more {
        rows.last().map(|r| id(r).to_owned())
    } else {
        None
    };
    Page {
        items: rows,
        next_after,
    }
}

/// How many appointments refer to the customer, service, location or resource `id`.
pub fn appointments_referring(
    conn: &mut crate::db::DbConnection,
    column: AppointmentRef,
    id: &str,
) -> Result<i64, Error> {
    use crate::db::schema::{appointment_resources, appointments};
    use diesel::prelude::*;
    Ok(match column {
        AppointmentRef::Customer => appointments::table
            .filter(appointments::customer_id.eq(id))
            .count()
            .get_result(conn)?,
        AppointmentRef::Service => appointments::table
            .filter(appointments::service_id.eq(id))
            .count()
            .get_result(conn)?,
        AppointmentRef::Location => appointments::table
            .filter(appointments::location_id.eq(id))
            .count()
            .get_result(conn)?,
        AppointmentRef::Resource => appointment_resources::table
            .filter(appointment_resources::resource_id.eq(id))
            .count()
            .get_result(conn)?,
    })
}

/// What an appointment refers to.
#[derive(Clone, Copy)]
pub enum AppointmentRef {
    Customer,
    Service,
    Location,
    Resource,
}

/// An update guarded by `version = previous` that matched no row lost a race to another
/// change (PostgreSQL, READ COMMITTED). The unit of work runs again against the version
/// now stored: a caller who sent `If-Match` with the old one then gets 412 from
/// `check_version`, one who did not gets the answer for the current state. The problem
/// carries the version now stored, for when the retries run out.
pub fn check_updated(
    updated: usize,
    current: impl FnOnce() -> Result<i64, Error>,
) -> Result<(), Error> {
    if updated == 0 {
        return Err(Error::version_mismatch(current()?).run_again());
    }
    Ok(())
}

/// Checks an optimistic-concurrency expectation against the stored version.
pub fn check_version(expected: Option<i64>, current: i64) -> Result<(), Error> {
    match expected {
        Some(v) if v != current => Err(Error::version_mismatch(current)),
        _ => Ok(()),
    }
}
