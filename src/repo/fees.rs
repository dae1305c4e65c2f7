//! The fees ledger: every fee a reschedule, rebooking or cancellation assessed, and what
//! became of it (paid, waived). Each change is also an event of the appointment.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, check_version, page_of, to_db};
use crate::app::quotes::Terms;
use crate::db::DbConnection;
use crate::db::schema::fees;
use crate::domain::Actor;
use crate::domain::EventKind;
use crate::domain::policy::{Decision, FeeSource};
use crate::domain::{FeeKind, FeeStatus};
use crate::error::{Code, Error};
use crate::repo::events::{self, NewEvent, change};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = fees)]
pub struct FeeRow {
    pub id: String,
    pub organization_id: String,
    pub appointment_id: String,
    pub customer_id: String,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub rule: String,
    pub tier_index: Option<i32>,
    pub tier_notice_minutes: Option<i64>,
    pub event_id: String,
    pub policy_id: Option<String>,
    pub note: Option<String>,
    pub payment_ref: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A fee to record with the change that assessed it.
pub struct Assessed<'a> {
    pub kind: FeeKind,
    /// The appointment (as it was read), its policy and currency.
    pub terms: &'a Terms,
    pub decision: &'a Decision,
    /// The override's note when it waived the fee.
    pub note: Option<&'a str>,
    pub event_id: &'a str,
}

/// The status a newly assessed fee starts in; `None` when nothing was assessed.
pub fn initial_status(decision: &Decision) -> Option<FeeStatus> {
    match (decision.fee > 0, decision.waived) {
        (false, _) => None,
        (true, true) => Some(FeeStatus::Waived),
        (true, false) => Some(FeeStatus::Due),
    }
}

/// Records an assessed fee (a waived one too, so reports see what was forgiven) under
/// `id`, chosen before the change's event so the event can name it; `None` records none.
pub fn assess(
    conn: &mut DbConnection,
    actor: &Actor,
    id: Option<String>,
    a: Assessed,
    now: DateTime<Utc>,
) -> Result<Option<FeeRow>, Error> {
    let (Some(id), Some(status)) = (id, initial_status(a.decision)) else {
        return Ok(None);
    };
    let (rule, tier_index, tier_notice_minutes) = match a.decision.fee_source {
        FeeSource::Tier {
            index,
            notice_at_least,
        } => (
            "tier",
            i32::try_from(index).ok(),
            Some(notice_at_least.num_minutes()),
        ),
        FeeSource::AfterNoShow => ("after_no_show", None, None),
        FeeSource::None => return Ok(None),
    };
    let waived = status == FeeStatus::Waived;
    let row = FeeRow {
        id,
        organization_id: a.terms.row.organization_id.clone(),
        appointment_id: a.terms.row.id.clone(),
        customer_id: a.terms.row.customer_id.clone(),
        kind: a.kind.as_str().to_owned(),
        amount: a.decision.fee,
        currency: a.terms.currency.clone(),
        status: status.as_str().to_owned(),
        rule: rule.to_owned(),
        tier_index,
        tier_notice_minutes,
        event_id: a.event_id.to_owned(),
        policy_id: a.terms.policy_id.clone(),
        note: a.note.filter(|_| waived).map(str::to_owned),
        payment_ref: None,
        resolved_by: waived.then(|| actor_id(actor)).flatten(),
        resolved_at: waived.then(|| to_db(now)),
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    diesel::insert_into(fees::table)
        .values(&row)
        .execute(conn)?;
    Ok(Some(row))
}

fn actor_id(actor: &Actor) -> Option<String> {
    match actor {
        Actor::ApiKey { id, .. } => Some(id.clone()),
        _ => None,
    }
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<FeeRow, Error> {
    fees::table
        .filter(fees::organization_id.eq(org))
        .filter(fees::id.eq(id))
        .select(FeeRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("fee"))
}

/// Which fees a list shows; `None` does not filter. `from`/`to` bound when the fee was
/// assessed (`to` exclusive).
#[derive(Default)]
pub struct FeeFilter {
    pub status: Option<FeeStatus>,
    pub customer_id: Option<String>,
    pub appointment_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Fees in the order they were assessed.
pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: &FeeFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<FeeRow>, Error> {
    let mut q = fees::table
        .filter(fees::organization_id.eq(org))
        .select(FeeRow::as_select())
        .order(fees::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(s) = filter.status {
        q = q.filter(fees::status.eq(s.as_str()));
    }
    if let Some(c) = &filter.customer_id {
        q = q.filter(fees::customer_id.eq(c.clone()));
    }
    if let Some(a) = &filter.appointment_id {
        q = q.filter(fees::appointment_id.eq(a.clone()));
    }
    if let Some(t) = filter.from {
        q = q.filter(fees::created_at.ge(to_db(t)));
    }
    if let Some(t) = filter.to {
        q = q.filter(fees::created_at.lt(to_db(t)));
    }
    if let Some(after) = after {
        q = q.filter(fees::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// What settles a due fee.
#[derive(Clone)]
pub enum Settlement {
    Waive {
        note: String,
    },
    Paid {
        payment_ref: String,
        note: Option<String>,
    },
}

/// Moves a due fee to `waived` or `paid`, once: a second settlement (or a race with
/// another) is `409 fee_not_due`. Records the change in the appointment's history.
pub fn settle(
    conn: &mut DbConnection,
    org: &str,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    how: Settlement,
    now: DateTime<Utc>,
) -> Result<FeeRow, Error> {
    let mut row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    let from = FeeStatus::from_db(&row.status)?;
    if from != FeeStatus::Due {
        return Err(not_due(from));
    }
    let (to, kind) = match how {
        Settlement::Waive { note } => {
            row.note = Some(note);
            (FeeStatus::Waived, EventKind::FeeWaived)
        }
        Settlement::Paid { payment_ref, note } => {
            row.payment_ref = Some(payment_ref);
            row.note = note;
            (FeeStatus::Paid, EventKind::FeePaid)
        }
    };
    let previous = row.version;
    row.status = to.as_str().to_owned();
    row.resolved_by = actor_id(actor);
    row.resolved_at = Some(to_db(now));
    row.version += 1;
    row.updated_at = to_db(now);
    // The status condition makes two settlements racing past the check above settle once.
    let updated = diesel::update(
        fees::table
            .filter(fees::id.eq(id))
            .filter(fees::version.eq(previous))
            .filter(fees::status.eq(FeeStatus::Due.as_str())),
    )
    .set((
        fees::status.eq(&row.status),
        fees::note.eq(&row.note),
        fees::payment_ref.eq(&row.payment_ref),
        fees::resolved_by.eq(&row.resolved_by),
        fees::resolved_at.eq(row.resolved_at),
        fees::version.eq(row.version),
        fees::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        let current = get(conn, org, id)?;
        return Err(match FeeStatus::from_db(&current.status)? {
            FeeStatus::Due => Error::version_mismatch(current.version),
            other => not_due(other),
        });
    }
    let event = NewEvent {
        kind,
        changes: change("fee_status", from, to),
        reason_category: None,
        reason_text: None,
        note: row.note.clone(),
        details: Some(serde_json::json!({
            "fee_id": row.id,
            "amount": row.amount,
            "currency": row.currency,
            "payment_ref": row.payment_ref,
        })),
    };
    events::record(conn, org, &row.appointment_id, actor, event, now)?;
    Ok(row)
}

fn not_due(status: FeeStatus) -> Error {
    Error::new(
        Code::FeeNotDue,
        format!("the fee is already {}", status.as_str()),
    )
    .with_data(serde_json::json!({ "status": status }))
}
