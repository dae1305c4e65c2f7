//! Appointments staff should call about: one flag per appointment, raised at once or
//! planned for a later instant (and raised then by the dispatcher).
//!
//! Every write is one statement that decides by itself (an insert that yields to a flag
//! already there, a delete of exactly the flag it names), so racing writers need no lock:
//! of two staff clearing one flag, one deletes it and the other finds none.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::DbConnection;
use crate::db::schema::call_flags;
use crate::domain::CallReason;
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = call_flags)]
pub struct CallFlagRow {
    pub appointment_id: String,
    pub organization_id: String,
    pub reason: CallReason,
    /// Raised: since when; planned: when it is to be raised.
    pub since: NaiveDateTime,
    pub raised: bool,
}

/// Inserts the flag unless the appointment already has one. Returns whether it did.
fn insert_unless_flagged(conn: &mut DbConnection, row: &CallFlagRow) -> Result<bool, Error> {
    let n = match conn {
        DbConnection::Pg(c) => diesel::insert_into(call_flags::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(call_flags::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(n == 1)
}

/// Drops the appointment's planned flag, if any (a raised one stays).
pub fn drop_planned(conn: &mut DbConnection, appointment_id: &str) -> Result<(), Error> {
    diesel::delete(
        call_flags::table
            .filter(call_flags::appointment_id.eq(appointment_id))
            .filter(call_flags::raised.eq(false)),
    )
    .execute(conn)?;
    Ok(())
}

/// Drops the appointment's `unconfirmed` flag, planned or raised (it was confirmed).
pub fn drop_unconfirmed(conn: &mut DbConnection, appointment_id: &str) -> Result<(), Error> {
    diesel::delete(
        call_flags::table
            .filter(call_flags::appointment_id.eq(appointment_id))
            .filter(call_flags::reason.eq(CallReason::Unconfirmed)),
    )
    .execute(conn)?;
    Ok(())
}

/// Plans a flag for `at`, replacing a planned one; an appointment already flagged keeps
/// its flag.
pub fn plan(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    reason: CallReason,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    drop_planned(conn, appointment_id)?;
    insert_unless_flagged(
        conn,
        &CallFlagRow {
            appointment_id: appointment_id.to_owned(),
            organization_id: org.to_owned(),
            reason,
            since: to_db(at),
            raised: false,
        },
    )?;
    Ok(())
}

/// Raises a flag now (a planned one gives way to it). Returns whether the appointment
/// was not flagged before.
pub fn raise(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    reason: CallReason,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    drop_planned(conn, appointment_id)?;
    insert_unless_flagged(
        conn,
        &CallFlagRow {
            appointment_id: appointment_id.to_owned(),
            organization_id: org.to_owned(),
            reason,
            since: to_db(now),
            raised: true,
        },
    )
}

/// Planned flags whose time has come, oldest first. On PostgreSQL those another
/// dispatcher is raising at this moment are skipped.
pub fn due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<CallFlagRow>, Error> {
    let q = || {
        call_flags::table
            .filter(call_flags::raised.eq(false))
            .filter(call_flags::since.le(to_db(now)))
            .order(call_flags::since)
            .limit(limit)
            // Columns, not `as_select()`: the closure serves both backends.
            .select((
                call_flags::appointment_id,
                call_flags::organization_id,
                call_flags::reason,
                call_flags::since,
                call_flags::raised,
            ))
    };
    Ok(match conn {
        DbConnection::Pg(c) => q().for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => q().load(c)?,
    })
}

/// Raises a planned flag. Returns whether it was still planned.
pub fn raise_planned(conn: &mut DbConnection, appointment_id: &str) -> Result<bool, Error> {
    let n = diesel::update(
        call_flags::table
            .filter(call_flags::appointment_id.eq(appointment_id))
            .filter(call_flags::raised.eq(false)),
    )
    .set(call_flags::raised.eq(true))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes the appointment's raised flag and returns it; `None` when it had none (or
/// another clear deleted it first).
pub fn clear(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
) -> Result<Option<(CallReason, NaiveDateTime)>, Error> {
    Ok(diesel::delete(
        call_flags::table
            .filter(call_flags::organization_id.eq(org))
            .filter(call_flags::appointment_id.eq(appointment_id))
            .filter(call_flags::raised.eq(true)),
    )
    .returning((call_flags::reason, call_flags::since))
    .get_result(conn)
    .optional()?)
}
