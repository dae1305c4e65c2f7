//! Cancelling under the cancellation policy: quoted first, committed with the fee the
//! customer accepted, the fee recorded in the ledger.

use crate::app::Ctx;
use crate::app::appointments;
use crate::app::change::{Changed, change_details, check_currency, fee_changed};
use crate::app::fees::{self, Assessed};
use crate::app::lifecycle::{self, Reason, Record};
use crate::app::notices;
use crate::app::quotes::{self, CancelQuote};
use crate::app::terms;
use crate::db::DbConnection;
use crate::domain::lifecycle::Action;
use crate::domain::policy::Ask;
use crate::domain::{FeeKind, Money};
use crate::error::Error;
use crate::repo::{check_version, new_id};

/// Cancel an appointment, if its version is still the one expected, for the fee the
/// customer accepted.
#[derive(Clone, Debug)]
pub struct Cancel {
    pub appointment_id: String,
    pub expected_version: Option<i64>,
    /// Who asks, the reason category and any override (already checked).
    pub ask: Ask,
    /// The fee the customer was shown; `None`: none.
    pub accepted_fee: Option<Money>,
    pub reason_text: Option<String>,
    /// Kept in the appointment's history.
    pub note: Option<String>,
}

/// How a cancellation ended.
#[derive(Debug)]
pub enum CancelOutcome {
    Cancelled(Box<Changed>),
    /// A rule refuses: nothing was written; the quote says which.
    Refused {
        quote: Box<CancelQuote>,
    },
    /// The fee is no longer the accepted one: nothing was written; here is the new quote.
    FeeChanged {
        quote: Box<CancelQuote>,
    },
}

pub fn cancel(conn: &mut DbConnection, ctx: &Ctx, cmd: Cancel) -> Result<CancelOutcome, Error> {
    let terms = terms::terms(conn, &ctx.org, &cmd.appointment_id, ctx.now)?;
    let quote = quotes::check_cancel(&terms, &cmd.ask, ctx.now)?;
    check_version(cmd.expected_version, terms.row.version)?;
    let accepted = check_currency(cmd.accepted_fee, terms.currency)?;
    if !quote.allowed() {
        return Ok(CancelOutcome::Refused {
            quote: Box::new(quote),
        });
    }
    if fee_changed(accepted.as_ref(), &quote.decision) {
        return Ok(CancelOutcome::FeeChanged {
            quote: Box::new(quote),
        });
    }
    let decision = quote.decision;
    let fee_id = fees::initial_status(&decision).map(|_| new_id());
    let override_ = cmd.ask.override_.as_ref();
    let record = Record {
        reason: cmd.ask.reason.map(|category| Reason {
            category,
            text: cmd.reason_text,
        }),
        note: cmd.note,
        details: Some(change_details(
            &terms,
            &decision,
            fee_id.as_deref(),
            override_,
        )),
    };
    let (row, event) = lifecycle::apply(
        conn,
        ctx,
        terms.row.clone(),
        terms.facts.time_zone,
        Action::Cancel,
        record,
    )?
    // The policy refuses every status the lifecycle cannot cancel, so this is a
    // disagreement between the two rules, not an answer to give.
    .map_err(|r| {
        Error::internal(format!(
            "the policy allowed a cancel the lifecycle refuses: {r:?}"
        ))
    })?;
    let fee = fees::assess(
        conn,
        ctx,
        Assessed {
            id: fee_id,
            kind: FeeKind::Cancellation,
            terms: &terms,
            decision: &decision,
            note: override_.map(|o| o.note.as_str()),
            event_id: &event.id,
        },
    )?;
    if let Some(f) = &fee {
        crate::app::webhooks::publish(
            conn,
            &ctx.org,
            ctx.now,
            &crate::app::webhooks::fee_assessed(&f.event_data(), &event),
        )?;
    }
    notices::fee_charged(conn, ctx, &row, fee.as_ref())?;
    let appointment = appointments::view(conn, row)?;
    Ok(CancelOutcome::Cancelled(Box::new(Changed {
        appointment,
        fee,
    })))
}
