//! Row locks that put racing units of work in line where a rule spans rows.
//!
//! A rule that counts rows and then writes (a customer's moves in a rolling window, the
//! organization's active admin keys, a customer's appointments before the customer is
//! deleted) does not hold under PostgreSQL's READ COMMITTED by itself: two transactions
//! read the same count and both commit. It holds when every unit of work that could
//! change the count first locks one parent row: the second waits until the first
//! commits, and its following statements see what the first wrote. Locks are taken in
//! one order (organization, customer, appointment) and at the start of the unit of work,
//! so two of them never wait on each other in a circle. See docs/concurrency.md.
//!
//! SQLite needs none of this: every write unit of work runs on one writer thread
//! (`db::writer`), so writers already run one at a time. There the functions only check
//! that the row exists, so both backends answer alike.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{customers, organizations, vehicles};
use crate::error::Error;

/// Locks the organization row against other lockers (not against inserts that refer to
/// it): taken before counting its active admin keys.
pub fn organization(conn: &mut DbConnection, org: &str) -> Result<(), Error> {
    let row = || {
        organizations::table
            .filter(organizations::id.eq(org))
            .select(organizations::id)
    };
    // `FOR NO KEY UPDATE`, not `FOR UPDATE`: every insert that refers to the organization
    // takes a key-share lock on it, and those must not queue behind a key revocation.
    let found: Option<String> = match conn {
        DbConnection::Pg(c) => row().for_no_key_update().get_result(c).optional()?,
        DbConnection::Sqlite(c) => row().get_result(c).optional()?,
    };
    found
        .map(drop)
        .ok_or_else(|| Error::not_found("organization"))
}

/// Locks a customer before a rule about their appointments is read: their moves in the
/// rolling window (a reschedule or rebooking), or their existence (a booking). `404` when
/// the customer does not exist, or was deleted by a unit of work this one waited for.
pub fn customer(conn: &mut DbConnection, org: &str, id: &str) -> Result<(), Error> {
    // `FOR NO KEY UPDATE` conflicts with itself and with a delete's `FOR UPDATE`, but not
    // with the key-share lock that inserting a fee or event for this customer takes, so
    // a cancellation (which locks no customer) never deadlocks with a move.
    lock_customer(conn, org, id, false)
}

/// A booking's hold on its customer, returning how the appointment shows them (name,
/// phone). `FOR KEY SHARE`: bookings of one customer do not queue behind each other (a
/// booking counts none of the customer's rows), but a delete's `FOR UPDATE` waits for
/// them and they for it, so a booking never outlives its customer. `404` as
/// [`customer`].
pub fn customer_to_book(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<(String, Option<String>), Error> {
    let row = || {
        customers::table
            .filter(customers::organization_id.eq(org))
            .filter(customers::id.eq(id))
            .select((customers::name, customers::phone))
    };
    let found: Option<(String, Option<String>)> = match conn {
        DbConnection::Pg(c) => row().for_key_share().get_result(c).optional()?,
        DbConnection::Sqlite(c) => row().get_result(c).optional()?,
    };
    found.ok_or_else(|| Error::not_found("customer"))
}

/// Locks a customer that is about to be deleted, before its appointments are counted:
/// a booking for them either committed before (and is counted) or waits and then finds
/// no customer.
pub fn customer_to_delete(conn: &mut DbConnection, org: &str, id: &str) -> Result<(), Error> {
    lock_customer(conn, org, id, true)
}

fn lock_customer(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    deleting: bool,
) -> Result<(), Error> {
    let row = || {
        customers::table
            .filter(customers::organization_id.eq(org))
            .filter(customers::id.eq(id))
            .select(customers::id)
    };
    let found: Option<String> = match conn {
        DbConnection::Pg(c) if deleting => row().for_update().get_result(c).optional()?,
        DbConnection::Pg(c) => row().for_no_key_update().get_result(c).optional()?,
        DbConnection::Sqlite(c) => row().get_result(c).optional()?,
    };
    found.map(drop).ok_or_else(|| Error::not_found("customer"))
}

/// Locks a vehicle for a booking that names it and returns its owner and plate (`None`: no such
/// vehicle in the organization). `FOR KEY SHARE`: bookings of one vehicle do not wait for
/// each other, but a delete's `FOR UPDATE` waits for them (and they for it), so the
/// delete's count of appointments cannot miss one being booked.
pub fn vehicle(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<Option<(String, String)>, Error> {
    let row = || {
        vehicles::table
            .filter(vehicles::organization_id.eq(org))
            .filter(vehicles::id.eq(id))
            .select((vehicles::customer_id, vehicles::plate))
    };
    Ok(match conn {
        DbConnection::Pg(c) => row().for_key_share().get_result(c).optional()?,
        DbConnection::Sqlite(c) => row().get_result(c).optional()?,
    })
}

/// Locks a vehicle about to be deleted, before its appointments are counted.
pub fn vehicle_to_delete(conn: &mut DbConnection, org: &str, id: &str) -> Result<(), Error> {
    let row = || {
        vehicles::table
            .filter(vehicles::organization_id.eq(org))
            .filter(vehicles::id.eq(id))
            .select(vehicles::id)
    };
    let found: Option<String> = match conn {
        DbConnection::Pg(c) => row().for_update().get_result(c).optional()?,
        DbConnection::Sqlite(c) => row().get_result(c).optional()?,
    };
    found.map(drop).ok_or_else(|| Error::not_found("vehicle"))
}
