//! Moving an appointment: the quote is run again inside the transaction, the fee must be
//! the one the customer accepted, and the appointment moves in place with its resources
//! held anew (the database still refuses an overlap).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::app::booking::holds;
use crate::app::quotes::{self, MoveWish, RescheduleQuote};
use crate::db::DbConnection;
use crate::db::schema::{appointment_resources, appointments as a};
use crate::domain::Actor;
use crate::domain::EventKind;
use crate::domain::policy::{Decision, Override};
use crate::domain::{AppointmentStatus, FeeKind, Money};
use crate::error::{Code, Error};
use crate::repo::appointments::{self, AppointmentView};
use crate::repo::events::{self, NewEvent};
use crate::repo::fees::{self, Assessed, FeeRow};
use crate::repo::locks;
use crate::repo::{check_version, from_db, new_id, to_db};

/// What the client says it showed the customer, and why the move is made.
#[derive(Clone)]
pub struct Commit {
    pub accepted_fee: Option<Money>,
    pub reason_text: Option<String>,
    pub note: Option<String>,
}

/// How a commit ended when it did not fail outright.
pub enum Outcome<T, Q> {
    Done(T),
    /// A rule refuses: nothing was written; the quote says which.
    Refused(Box<Q>),
    /// The fee is no longer the accepted one: nothing was written; here is the new quote.
    FeeChanged(Box<Q>),
}

pub struct Moved {
    pub view: AppointmentView,
    pub fee: Option<FeeRow>,
}

/// The problem when `accepted` is not what is due now. No accepted fee means none.
pub fn fee_differs(accepted: Option<&Money>, decision: &Decision, currency: &str) -> Option<Error> {
    let due = decision.due();
    let accepted_text = match accepted {
        None => "none was accepted".to_owned(),
        Some(m) => format!("{} was accepted", m.amount),
    };
    (accepted.map_or(0, |m| m.amount) != due).then(|| {
        Error::new(
            Code::FeeChanged,
            format!(
                "the fee is now {due} {currency} (minor units) and {accepted_text}; show the customer the new quote"
            ),
        )
        .with_field("accepted_fee")
    })
}

/// Checks the accepted fee's currency before anything else: it is bad input, not a state.
pub fn check_currency(accepted: Option<Money>, currency: &str) -> Result<Option<Money>, Error> {
    accepted
        .map(|m| m.expect_currency("accepted_fee", currency))
        .transpose()
}

/// Details recorded with the change: the fee, the override and the policy.
pub fn change_details(
    terms: &quotes::Terms,
    decision: &Decision,
    fee_id: Option<&str>,
    override_: Option<&Override>,
) -> serde_json::Value {
    let fee = fees::initial_status(decision).map(|status| {
        serde_json::json!({
            "fee_id": fee_id,
            "amount": decision.fee,
            "currency": terms.currency,
            "status": status,
            "due": decision.due(),
        })
    });
    serde_json::json!({
        "fee": fee,
        "override": override_.map(|o| serde_json::json!({
            "waive_fee": o.waive_fee,
            "allow_late": o.allow_late,
            "ignore_limits": o.ignore_limits,
            "note": o.note,
        })),
        "policy_id": terms.policy_id,
        "policy_source": terms.source,
    })
}

#[allow(clippy::too_many_arguments)]
pub fn reschedule(
    conn: &mut DbConnection,
    org: &str,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    wish: &MoveWish,
    commit: Commit,
    now: DateTime<Utc>,
) -> Result<Outcome<Moved, RescheduleQuote>, Error> {
    // The customer first, before their moves are counted: moves of two of their
    // appointments (a rebooking too) must not both fit under the limit.
    let customer_id = appointments::get(conn, org, id)?.customer_id;
    locks::customer(conn, org, &customer_id)?;
    let q = quotes::quote_reschedule(conn, org, id, wish, now)?;
    check_version(expected_version, q.terms.row.version)?;
    let accepted = check_currency(commit.accepted_fee, &q.terms.currency)?;
    if !q.allowed() {
        return Ok(Outcome::Refused(Box::new(q)));
    }
    if fee_differs(accepted.as_ref(), &q.decision, &q.terms.currency).is_some() {
        return Ok(Outcome::FeeChanged(Box::new(q)));
    }
    let RescheduleQuote {
        terms,
        decision,
        slot,
        ..
    } = q;
    let (slot, loaded) = slot.ok_or_else(|| Error::internal("allowed move without a slot"))?;

    let mut row = terms.row.clone();
    let rebooking = terms.status == AppointmentStatus::NoShow;
    let old_resources = &terms.held;
    let (old_start, old_end) = (from_db(row.starts_at), from_db(row.ends_at));
    let previous = row.version;
    row.starts_at = to_db(slot.start);
    row.ends_at = to_db(slot.end);
    row.block_starts_at = to_db(slot.start - loaded.needs.buffer_before);
    row.block_ends_at = to_db(slot.end + loaded.needs.buffer_after);
    row.local_date = slot
        .start
        .with_timezone(&loaded.tz)
        .date_naive()
        .to_string();
    if rebooking {
        row.status = AppointmentStatus::Booked.as_str().to_owned();
    } else {
        row.moves += 1;
    }
    row.version += 1;
    row.updated_at = to_db(now);

    // The row first: its version condition serialises two moves of one appointment.
    let updated = diesel::update(
        a::table
            .filter(a::id.eq(&row.id))
            .filter(a::version.eq(previous)),
    )
    .set((
        a::starts_at.eq(row.starts_at),
        a::ends_at.eq(row.ends_at),
        a::block_starts_at.eq(row.block_starts_at),
        a::block_ends_at.eq(row.block_ends_at),
        a::local_date.eq(&row.local_date),
        a::status.eq(&row.status),
        a::moves.eq(row.moves),
        a::version.eq(row.version),
        a::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    crate::repo::check_updated(updated, || Ok(appointments::get(conn, org, id)?.version))?;
    diesel::delete(
        appointment_resources::table.filter(appointment_resources::appointment_id.eq(&row.id)),
    )
    .execute(conn)?;
    let (held, resources) = holds(&row, &slot, &loaded);
    appointments::insert_held(conn, &held)?;

    let fee_id = fees::initial_status(&decision).map(|_| new_id());
    let override_ = wish.ask.override_.as_ref();
    // Both lists in id order, so an unchanged pair reads as unchanged.
    let mut new_resources: Vec<&String> = resources.iter().map(|r| &r.id).collect();
    new_resources.sort();
    let mut changes = serde_json::json!({
        "starts_at": { "old": old_start, "new": slot.start },
        "ends_at": { "old": old_end, "new": slot.end },
        "resource_ids": { "old": old_resources, "new": new_resources },
    });
    if rebooking {
        changes["status"] =
            serde_json::json!({ "old": terms.status, "new": AppointmentStatus::Booked });
    }
    let mut details = change_details(&terms, &decision, fee_id.as_deref(), override_);
    details["rebooking"] = serde_json::json!(rebooking);
    details["moves"] = serde_json::json!(row.moves);
    let event = events::record(
        conn,
        org,
        &row.id,
        actor,
        NewEvent {
            kind: EventKind::Rescheduled,
            changes,
            reason_category: wish.ask.reason.map(|r| r.as_str().to_owned()),
            reason_text: commit.reason_text,
            note: commit.note,
            details: Some(details),
        },
        now,
    )?;
    let kind = if rebooking {
        FeeKind::Rebooking
    } else {
        FeeKind::Reschedule
    };
    let assessed = Assessed {
        kind,
        terms: &terms,
        decision: &decision,
        note: override_.map(|o| o.note.as_str()),
        event_id: &event.id,
    };
    let fee = fees::assess(conn, actor, fee_id, assessed, now)?;
    Ok(Outcome::Done(Moved {
        view: AppointmentView {
            row,
            resources,
            time_zone: loaded.tz.name().to_owned(),
        },
        fee,
    }))
}
