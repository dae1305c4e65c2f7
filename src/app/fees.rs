//! Fees: assessed with the change that set them (a reschedule, a rebooking, a
//! cancellation), then settled once (waived, or paid). Each settlement is also an event
//! of the appointment.

use chrono::{DateTime, Duration, Utc};

use crate::app::Ctx;
use crate::app::terms::Terms;
use crate::db::DbConnection;
use crate::domain::policy::{Decision, FeeSource};
use crate::domain::{Actor, Currency, EventKind, FeeKind, FeeStatus};
use crate::error::Error;
use crate::repo::events::{self, NewEvent, change};
use crate::repo::fees::{self, FeeFilter, FeeRow};
use crate::repo::{Page, check_version, from_db, to_db};

/// A fee: what it was charged for, how much, and where it stands.
#[derive(Clone, Debug)]
pub struct Fee {
    pub id: String,
    pub appointment_id: String,
    pub customer_id: String,
    pub kind: FeeKind,
    /// Integer minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    pub status: FeeStatus,
    /// The rule of the policy that set it.
    pub rule: FeeSource,
    pub event_id: String,
    pub policy_id: Option<String>,
    pub note: Option<String>,
    pub payment_ref: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<FeeRow> for Fee {
    type Error = Error;

    fn try_from(r: FeeRow) -> Result<Self, Error> {
        let rule = match (r.rule.as_str(), r.tier_index, r.tier_notice_minutes) {
            ("tier", Some(index), Some(minutes)) => FeeSource::Tier {
                index: usize::try_from(index)
                    .map_err(|_| Error::internal(format!("fee {}: tier index {index}", r.id)))?,
                notice_at_least: Duration::minutes(minutes),
            },
            ("after_no_show", _, _) => FeeSource::AfterNoShow,
            (other, _, _) => {
                return Err(Error::internal(format!(
                    "fee {}: rule '{other}' without its tier",
                    r.id
                )));
            }
        };
        Ok(Fee {
            kind: r.kind,
            status: r.status,
            rule,
            id: r.id,
            appointment_id: r.appointment_id,
            customer_id: r.customer_id,
            amount: r.amount,
            currency: r.currency,
            event_id: r.event_id,
            policy_id: r.policy_id,
            note: r.note,
            payment_ref: r.payment_ref,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at.map(from_db),
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
    }
}

impl Fee {
    /// The fee as an integration's webhook event shows it (`app::webhooks`).
    pub fn event_data(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "appointment_id": self.appointment_id,
            "customer_id": self.customer_id,
            "kind": self.kind,
            "amount": self.amount,
            "currency": self.currency.code(),
            "status": self.status,
            "note": self.note,
            "payment_ref": self.payment_ref,
        })
    }
}

/// The status a newly assessed fee starts in; `None` when nothing was assessed.
pub fn initial_status(decision: &Decision) -> Option<FeeStatus> {
    match (decision.fee > 0, decision.waived) {
        (false, _) => None,
        (true, true) => Some(FeeStatus::Waived),
        (true, false) => Some(FeeStatus::Due),
    }
}

/// A fee to record with the change that assessed it.
pub(crate) struct Assessed<'a> {
    /// Chosen before the change's event, so the event can name it; `None` records none.
    pub id: Option<String>,
    pub kind: FeeKind,
    /// The appointment (as it was read), its policy and currency.
    pub terms: &'a Terms,
    pub decision: &'a Decision,
    /// The override's note when it waived the fee.
    pub note: Option<&'a str>,
    pub event_id: &'a str,
}

/// Records an assessed fee (a waived one too, so reports see what was forgiven).
pub(crate) fn assess(
    conn: &mut DbConnection,
    ctx: &Ctx,
    a: Assessed,
) -> Result<Option<Fee>, Error> {
    let (Some(id), Some(status)) = (a.id, initial_status(a.decision)) else {
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
        kind: a.kind,
        amount: a.decision.fee,
        currency: a.terms.currency,
        status,
        rule: rule.to_owned(),
        tier_index,
        tier_notice_minutes,
        event_id: a.event_id.to_owned(),
        policy_id: a.terms.policy_id.clone(),
        note: a.note.filter(|_| waived).map(str::to_owned),
        payment_ref: None,
        resolved_by: waived.then(|| key_of(&ctx.actor)).flatten(),
        resolved_at: waived.then(|| to_db(ctx.now)),
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    };
    fees::insert(conn, &row)?;
    Fee::try_from(row).map(Some)
}

/// The API key that settled a fee (a customer or Janji itself names none).
fn key_of(actor: &Actor) -> Option<String> {
    match actor {
        Actor::ApiKey { id, .. } => Some(id.clone()),
        Actor::CustomerLink | Actor::System => None,
    }
}

/// A fee of the caller's organization.
pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Fee, Error> {
    Fee::try_from(fees::get(conn, &ctx.org, id)?)
}

/// A page of fees, in the order they were assessed; `after` is the last id shown.
pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    filter: &FeeFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Fee>, Error> {
    let page = fees::list(conn, &ctx.org, filter, after, limit)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(Fee::try_from)
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}

/// What settles a due fee.
#[derive(Clone, Debug)]
pub enum Settlement {
    Waive {
        note: String,
    },
    Paid {
        payment_ref: String,
        note: Option<String>,
    },
}

/// Settle one fee, if its version is still the one expected.
#[derive(Clone, Debug)]
pub struct SettleFee {
    pub fee_id: String,
    pub expected_version: Option<i64>,
    pub how: Settlement,
}

/// How settling ended.
#[derive(Debug)]
pub enum SettleOutcome {
    Settled(Box<Fee>),
    /// The fee is not due (it was settled already, by this request or another): nothing
    /// changed.
    NotDue {
        status: FeeStatus,
    },
}

/// Moves a due fee to `waived` or `paid`, once: a second settlement (or a race with
/// another) finds it not due. Records the change in the appointment's history.
pub fn settle(conn: &mut DbConnection, ctx: &Ctx, cmd: SettleFee) -> Result<SettleOutcome, Error> {
    let mut row = fees::get(conn, &ctx.org, &cmd.fee_id)?;
    check_version(cmd.expected_version, row.version)?;
    let from = row.status;
    if from != FeeStatus::Due {
        return Ok(SettleOutcome::NotDue { status: from });
    }
    let (to, kind) = match cmd.how {
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
    row.status = to;
    row.resolved_by = key_of(&ctx.actor);
    row.resolved_at = Some(to_db(ctx.now));
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    if !fees::save_settlement(conn, &row, previous)? {
        let current = fees::get(conn, &ctx.org, &cmd.fee_id)?;
        return match current.status {
            FeeStatus::Due => Err(Error::version_mismatch(current.version)),
            status => Ok(SettleOutcome::NotDue { status }),
        };
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
            "currency": row.currency.code(),
            "payment_ref": row.payment_ref,
        })),
    };
    let event = events::record(
        conn,
        &ctx.org,
        &row.appointment_id,
        &ctx.actor,
        event,
        ctx.now,
    )?;
    let fee = Fee::try_from(row)?;
    crate::app::webhooks::fee_settled(conn, ctx, fee.event_data(), &event)?;
    Ok(SettleOutcome::Settled(Box::new(fee)))
}
