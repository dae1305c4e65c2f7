//! Moving an appointment: the quote is run again inside the unit of work, the fee must be
//! the one the customer accepted, and the appointment moves in place with its resources
//! held anew (the database still refuses an overlap: the unit of work then runs again and
//! finds the time taken, an ordinary refusal with alternatives).

use chrono::{DateTime, Utc};

use crate::app::Ctx;
use crate::app::appointments::AppointmentView;
use crate::app::booking::holds;
use crate::app::change::{Changed, change_details, check_currency, fee_changed};
use crate::app::fees::{self, Assessed, Fee};
use crate::app::notices;
use crate::app::quotes::{self, QuoteMove, RescheduleQuote};
use crate::app::terms;
use crate::app::webhooks;
use crate::db::DbConnection;
use crate::domain::policy::Ask;
use crate::domain::{AppointmentStatus, EventKind, FeeKind, Money};
use crate::error::Error;
use crate::repo::appointments;
use crate::repo::events::{self, NewEvent};
use crate::repo::holds::insert_held;
use crate::repo::locks;
use crate::repo::{check_version, from_db, new_id, to_db};

/// Move an appointment (or rebook a missed one), if its version is still the one
/// expected, for the fee the customer accepted.
#[derive(Clone, Debug)]
pub struct Reschedule {
    pub appointment_id: String,
    pub expected_version: Option<i64>,
    pub start: DateTime<Utc>,
    /// Serve with this resource; the others are kept when free.
    pub resource_id: Option<String>,
    /// Who asks, the reason category and any override (already checked).
    pub ask: Ask,
    /// The fee the customer was shown; `None`: none.
    pub accepted_fee: Option<Money>,
    pub reason_text: Option<String>,
    /// Kept in the appointment's history.
    pub note: Option<String>,
}

/// How a move ended.
#[derive(Debug)]
pub enum RescheduleOutcome {
    Moved(Box<Changed>),
    /// A rule or the slot refuses: nothing was written. The quote says which, with the
    /// best other times when the time itself is refused.
    Refused {
        quote: Box<RescheduleQuote>,
    },
    /// The fee is no longer the accepted one: nothing was written; here is the new quote.
    FeeChanged {
        quote: Box<RescheduleQuote>,
    },
}

pub fn reschedule(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: Reschedule,
) -> Result<RescheduleOutcome, Error> {
    // The customer first, before their moves are counted: moves of two of their
    // appointments (a rebooking too) must not both fit under the limit.
    let customer_id = appointments::get(conn, &ctx.org, &cmd.appointment_id)?.customer_id;
    locks::customer(conn, &ctx.org, &customer_id)?;
    let wish = QuoteMove {
        appointment_id: cmd.appointment_id,
        start: cmd.start,
        resource_id: cmd.resource_id,
        ask: cmd.ask,
    };
    let terms = terms::terms(conn, &ctx.org, &wish.appointment_id, ctx.now)?;
    let check = quotes::check_move(conn, ctx, &terms, &wish)?;
    check_version(cmd.expected_version, terms.row.version)?;
    let accepted = check_currency(cmd.accepted_fee, terms.currency)?;
    if !check.allowed() {
        let alternatives = quotes::alternatives_for(conn, ctx, &terms, &check, &wish)?;
        let quote = quotes::reschedule_quote(&terms, &check, wish.start, alternatives, ctx.now);
        return Ok(RescheduleOutcome::Refused {
            quote: Box::new(quote),
        });
    }
    if fee_changed(accepted.as_ref(), &check.decision) {
        let quote = quotes::reschedule_quote(&terms, &check, wish.start, Vec::new(), ctx.now);
        return Ok(RescheduleOutcome::FeeChanged {
            quote: Box::new(quote),
        });
    }
    let decision = check.decision;
    let (slot, loaded) = check
        .slot
        .ok_or_else(|| Error::internal("allowed move without a slot"))?;

    let mut row = terms.row.clone();
    let rebooking = terms.status == AppointmentStatus::NoShow;
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
        row.status = AppointmentStatus::Booked;
    } else {
        row.moves += 1;
    }
    row.version += 1;
    row.updated_at = to_db(ctx.now);

    // The row first: its version condition serialises two moves of one appointment.
    appointments::save_move(conn, &row, previous)?;
    let (held, resources) = holds(&row, &slot, &loaded);
    insert_held(conn, &held)?;

    let fee_id = fees::initial_status(&decision).map(|_| new_id());
    let override_ = wish.ask.override_.as_ref();
    // Both lists in id order, so an unchanged pair reads as unchanged.
    let mut new_resources: Vec<&String> = resources.iter().map(|r| &r.id).collect();
    new_resources.sort();
    let mut changes = serde_json::json!({
        "starts_at": { "old": old_start, "new": slot.start },
        "ends_at": { "old": old_end, "new": slot.end },
        "resource_ids": { "old": terms.held, "new": new_resources },
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
        &ctx.org,
        &row.id,
        &ctx.actor,
        NewEvent {
            kind: EventKind::Rescheduled,
            changes,
            reason_category: wish.ask.reason,
            reason_text: cmd.reason_text,
            note: cmd.note,
            details: Some(details),
        },
        ctx.now,
    )?;
    notices::after_change(conn, ctx, &row, notices::Change::Moved)?;
    let kind = if rebooking {
        FeeKind::Rebooking
    } else {
        FeeKind::Reschedule
    };
    let fee = fees::assess(
        conn,
        ctx,
        Assessed {
            id: fee_id,
            kind,
            terms: &terms,
            decision: &decision,
            note: override_.map(|o| o.note.as_str()),
            event_id: &event.id,
        },
    )?;
    if loaded.sends_webhooks {
        webhooks::publish(
            conn,
            &ctx.org,
            ctx.now,
            &webhooks::moved(
                &row,
                &event,
                (old_start, old_end),
                fee.as_ref().map(Fee::event_data).as_ref(),
                rebooking,
            ),
        )?;
    }
    notices::fee_charged(conn, ctx, &row, fee.as_ref())?;
    let id = row.id.clone();
    let appointment = AppointmentView::of(
        row,
        resources,
        crate::app::appointments::labels_of(conn, &id)?,
    );
    Ok(RescheduleOutcome::Moved(Box::new(Changed {
        appointment,
        fee,
    })))
}
