//! Lifecycle actions (confirm, check in, complete, no-show, cancel), each with its event.

use chrono::{DateTime, Utc};

use crate::db::DbConnection;
use crate::domain::Actor;
use crate::domain::EventKind;
use crate::domain::lifecycle::{self, Action, Refusal};
use crate::domain::{AppointmentStatus, ReasonCategory};
use crate::error::{Code, Error};
use crate::repo::appointments::{self, AppointmentRow};
use crate::repo::events::{self, EventRow, NewEvent, change};
use crate::repo::{from_db, to_db};

/// The reason given with an action (required to cancel).
pub struct Reason {
    pub category: ReasonCategory,
    pub text: Option<String>,
}

pub fn refusal(r: Refusal) -> Error {
    match r {
        Refusal::InvalidTransition { from, action } => Error::new(
            Code::InvalidTransition,
            format!(
                "cannot {} an appointment that is {}",
                action.as_str().replace('_', " "),
                from.as_str()
            ),
        )
        .with_data(serde_json::json!({ "status": from, "action": action.as_str() })),
        Refusal::TooEarlyToCheckIn { opens_at } => Error::new(
            Code::CheckInTooEarly,
            format!(
                "check-in opens 12 hours before the start, at {}",
                opens_at.to_rfc3339()
            ),
        )
        .with_data(serde_json::json!({ "opens_at": opens_at })),
        Refusal::NotStartedYet { starts_at } => Error::new(
            Code::AppointmentNotStarted,
            format!(
                "a no-show can be recorded from the start time, {}",
                starts_at.to_rfc3339()
            ),
        ),
    }
}

/// What goes into the history with an action besides the status change.
#[derive(Default)]
pub struct Record {
    pub reason: Option<Reason>,
    pub note: Option<String>,
    pub details: Option<serde_json::Value>,
}

#[allow(clippy::too_many_arguments)]
pub fn act(
    conn: &mut DbConnection,
    org: &str,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    action: Action,
    record: Record,
    now: DateTime<Utc>,
) -> Result<AppointmentRow, Error> {
    let row = appointments::get(conn, org, id)?;
    crate::repo::check_version(expected_version, row.version)?;
    Ok(apply(conn, org, actor, row, action, record, now)?.0)
}

/// Applies `action` to an appointment already read (and version-checked) in this
/// transaction: its status, its freed resources and its event.
pub fn apply(
    conn: &mut DbConnection,
    org: &str,
    actor: &Actor,
    mut row: AppointmentRow,
    action: Action,
    record: Record,
    now: DateTime<Utc>,
) -> Result<(AppointmentRow, EventRow), Error> {
    let from = AppointmentStatus::from_db(&row.status)?;
    let to = lifecycle::transition(from, action, from_db(row.starts_at), now).map_err(refusal)?;
    let previous = row.version;
    row.status = to.as_str().to_owned();
    if let (Action::Cancel, Some(r)) = (action, &record.reason) {
        row.cancel_reason_category = Some(r.category.as_str().to_owned());
        row.cancel_reason_text = r.text.clone();
    }
    if action == Action::NoShow {
        row.no_show_at = Some(to_db(now));
    }
    row.version += 1;
    row.updated_at = to_db(now);
    appointments::save_status(conn, &row, previous)?;
    let event = NewEvent {
        kind: EventKind::of(action),
        changes: change("status", from, to),
        reason_category: record
            .reason
            .as_ref()
            .map(|r| r.category.as_str().to_owned()),
        reason_text: record.reason.and_then(|r| r.text),
        note: record.note,
        details: record.details,
    };
    let event = events::record(conn, org, &row.id, actor, event, now)?;
    Ok((row, event))
}
