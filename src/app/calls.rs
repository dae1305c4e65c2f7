//! Appointments staff should call about: flagged when a customer stays silent after the
//! follow-up (`unconfirmed`) or a message to them fails for good (`message_failed`);
//! cleared by staff recording their call, with a note, in the history.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Ctx;
use super::appointments::{self, AppointmentView};
use crate::db::DbConnection;
use crate::domain::{Actor, AppointmentStatus, CallReason, EventKind};
use crate::error::{Code, Error};
use crate::repo::call_flags;
use crate::repo::events::{self, NewEvent};
use crate::repo::{appointments as rows, from_db};

/// How many planned flags one dispatch round raises at most.
const BATCH: i64 = 64;

/// Staff called the customer about a flagged appointment.
#[derive(Clone, Debug)]
pub struct RecordCall {
    pub appointment_id: String,
    /// What was said or agreed, kept in the history.
    pub note: String,
}

/// Clears the appointment's flag and keeps the call in its history (`call_recorded`,
/// with the note and the flag's reason and time). `409 no_call_needed` when it is not
/// flagged: of several staff recording a call at once, one does.
pub fn record_call(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: RecordCall,
) -> Result<AppointmentView, Error> {
    let row = rows::get(conn, &ctx.org, &cmd.appointment_id)?;
    let Some((reason, since)) = call_flags::clear(conn, &ctx.org, &row.id)? else {
        return Err(Error::new(
            Code::NoCallNeeded,
            "the appointment is not flagged for a call",
        ));
    };
    let event = NewEvent {
        kind: EventKind::CallRecorded,
        changes: json!({}),
        reason_category: None,
        reason_text: None,
        note: Some(cmd.note),
        details: Some(json!({ "reason": reason, "flagged_at": from_db(since) })),
    };
    events::record(conn, &ctx.org, &row.id, &ctx.actor, event, ctx.now)?;
    appointments::view(conn, row)
}

/// Flags an appointment now, with the event saying why; nothing when it is flagged
/// already (the first reason stands until staff call).
pub fn raise(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    reason: CallReason,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if call_flags::raise(conn, org, appointment_id, reason, now)? {
        flagged_event(conn, org, appointment_id, reason, details, now)?;
    }
    Ok(())
}

fn flagged_event(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    reason: CallReason,
    mut details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    details["reason"] = json!(reason);
    let event = NewEvent {
        kind: EventKind::FlaggedForCall,
        changes: json!({}),
        reason_category: None,
        reason_text: None,
        note: None,
        details: Some(details),
    };
    events::record(conn, org, appointment_id, &Actor::System, event, now)?;
    Ok(())
}

/// Raises the planned flags whose time has come (the dispatcher, each round), for
/// appointments still unconfirmed; one confirmed, moved or closed meanwhile had its
/// planned flag dropped by that change, and any left is dropped here. Returns how many
/// were raised.
pub fn raise_due(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, Error> {
    let mut raised = 0;
    for flag in call_flags::due(conn, now, BATCH)? {
        let row = rows::get(conn, &flag.organization_id, &flag.appointment_id)?;
        let still_unconfirmed =
            row.status == AppointmentStatus::Booked && from_db(row.starts_at) > now;
        if flag.reason == CallReason::Unconfirmed && !still_unconfirmed {
            call_flags::drop_planned(conn, &flag.appointment_id)?;
            continue;
        }
        if call_flags::raise_planned(conn, &flag.appointment_id)? {
            let since = from_db(flag.since);
            flagged_event(
                conn,
                &flag.organization_id,
                &flag.appointment_id,
                flag.reason,
                json!({ "planned_for": since }),
                now,
            )?;
            raised += 1;
        }
    }
    Ok(raised)
}
