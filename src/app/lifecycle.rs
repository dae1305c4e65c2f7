//! Lifecycle steps (confirm, check in, complete, no-show), each with its event; cancelling
//! goes through the policy ([`crate::app::cancel`]) and shares [`apply`].

use chrono_tz::Tz;

use crate::app::Ctx;
use crate::app::appointments::{self, AppointmentView};
use crate::app::notices;
use crate::db::DbConnection;
use crate::domain::lifecycle::{self, Action, Refusal};
use crate::domain::{EventKind, ReasonCategory};
use crate::error::Error;
use crate::repo::appointments::{self as rows, AppointmentRow};
use crate::repo::events::{self, EventRow, NewEvent, change};
use crate::repo::{check_version, from_db, to_db};

/// A front-desk step that needs no policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Confirm,
    CheckIn,
    Complete,
    NoShow,
}

impl Step {
    fn action(self) -> Action {
        match self {
            Step::Confirm => Action::Confirm,
            Step::CheckIn => Action::CheckIn,
            Step::Complete => Action::Complete,
            Step::NoShow => Action::NoShow,
        }
    }
}

/// Take one step on an appointment, if its version is still the one expected.
#[derive(Clone, Debug)]
pub struct TakeStep {
    pub appointment_id: String,
    pub expected_version: Option<i64>,
    pub step: Step,
    /// Kept in the appointment's history.
    pub note: Option<String>,
}

/// How a step ended.
#[derive(Debug)]
pub enum StepOutcome {
    Done(Box<AppointmentView>),
    /// The appointment's status or time does not allow the step: nothing changed.
    Refused(Refusal),
}

pub fn take_step(conn: &mut DbConnection, ctx: &Ctx, cmd: TakeStep) -> Result<StepOutcome, Error> {
    let (row, zone) = rows::get_in_zone(conn, &ctx.org, &cmd.appointment_id)?;
    check_version(cmd.expected_version, row.version)?;
    let record = Record {
        note: cmd.note,
        ..Record::default()
    };
    Ok(
        match apply(conn, ctx, row, zone.tz(), cmd.step.action(), record)? {
            Ok((row, _)) => StepOutcome::Done(Box::new(appointments::view(conn, row)?)),
            Err(refusal) => StepOutcome::Refused(refusal),
        },
    )
}

/// The reason given with an action (required to cancel).
pub struct Reason {
    pub category: ReasonCategory,
    pub text: Option<String>,
}

/// What goes into the history with an action besides the status change.
#[derive(Default)]
pub struct Record {
    pub reason: Option<Reason>,
    pub note: Option<String>,
    pub details: Option<serde_json::Value>,
}

/// Applies `action` to an appointment already read (and version-checked) in this unit of
/// work: its status, its freed resources and its event; or, with nothing written, why
/// the lifecycle refuses it. `tz` is the location's zone.
pub(crate) fn apply(
    conn: &mut DbConnection,
    ctx: &Ctx,
    mut row: AppointmentRow,
    tz: Tz,
    action: Action,
    record: Record,
) -> Result<Result<(AppointmentRow, EventRow), Refusal>, Error> {
    let from = row.status;
    let to = match lifecycle::transition(from, action, from_db(row.starts_at), tz, ctx.now) {
        Ok(to) => to,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let previous = row.version;
    row.status = to;
    if let (Action::Cancel, Some(r)) = (action, &record.reason) {
        row.cancel_reason_category = Some(r.category);
        row.cancel_reason_text = r.text.clone();
    }
    if action == Action::NoShow {
        row.no_show_at = Some(to_db(ctx.now));
    }
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    rows::save_status(conn, &row, previous)?;
    let event = NewEvent {
        kind: EventKind::of(action),
        changes: change("status", from, to),
        reason_category: record.reason.as_ref().map(|r| r.category),
        reason_text: record.reason.and_then(|r| r.text),
        note: record.note,
        details: record.details,
    };
    let event = events::record(conn, &ctx.org, &row.id, &ctx.actor, event, ctx.now)?;
    crate::app::webhooks::appointment_changed(conn, ctx, &row, &event)?;
    let change = match action {
        Action::Confirm => notices::Change::Confirmed,
        Action::Cancel => notices::Change::Cancelled,
        Action::CheckIn => notices::Change::CheckedIn,
        Action::Complete => notices::Change::Completed,
        Action::NoShow => notices::Change::NoShow,
    };
    notices::after_change(conn, ctx, &row, change)?;
    Ok(Ok((row, event)))
}
