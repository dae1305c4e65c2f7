//! What a customer does through their link (docs/self-service.md), each the staff's own
//! use case run as `Actor::CustomerLink` on the appointment the link is bound to: the same
//! policy, limits and fees, never an override, and always the current `version`. The JSON
//! API (`/v1/self/{token}`) and the pages behind the link call these, so both share every
//! rule. Each opens the link first ([`links::open`]): a token for one appointment never
//! reaches another, whatever the request says.

use chrono::{DateTime, Utc};

use super::Ctx;
use super::cancel::{self, Cancel, CancelOutcome};
use super::lifecycle::{self, Step, StepOutcome, TakeStep};
use super::links::{self, Opened};
use super::quotes::{self, CancelQuote, QuoteCancel, QuoteMove, RescheduleQuote};
use super::reschedule::{self, Reschedule, RescheduleOutcome};
use super::suggestions::{self, Alternatives, FindAlternatives, MoveTimes};
use super::terms::{self, PolicyInForce};
use crate::db::DbConnection;
use crate::domain::policy::Ask;
use crate::domain::{AppointmentStatus, Locale, Money, ReasonCategory};
use crate::error::Error;
use crate::repo::from_db;
use crate::repo::outbox::MessageContext;

/// What the customer sees of their appointment.
pub struct SelfView {
    pub appointment_id: String,
    pub status: AppointmentStatus,
    /// Send back with every change.
    pub version: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The customer, location and service, and the customer's language.
    pub context: MessageContext,
    pub policy: PolicyInForce,
    /// What cancelling now would cost (before any reason is given).
    pub cancel_fee: i64,
    /// Until when the link opens, as the appointment is now.
    pub link_expires_at: DateTime<Utc>,
}

impl SelfView {
    /// What the customer can ask for now (the policy may still refuse, with its reasons).
    pub fn can_confirm(&self) -> bool {
        self.status == AppointmentStatus::Booked
    }

    pub fn can_reschedule(&self) -> bool {
        matches!(
            self.status,
            AppointmentStatus::Booked | AppointmentStatus::Confirmed | AppointmentStatus::NoShow
        )
    }

    pub fn can_cancel(&self) -> bool {
        matches!(
            self.status,
            AppointmentStatus::Booked | AppointmentStatus::Confirmed
        )
    }
}

/// A customer's answer in their language (money shown as they read it).
pub struct ForCustomer<T> {
    pub locale: Locale,
    pub answer: T,
}

/// The customer's ask: their reason, never an override.
fn ask(ctx: &Ctx, reason: Option<ReasonCategory>) -> Ask {
    Ask {
        reason,
        override_: None,
        asker: ctx.asker(),
    }
}

fn answer<T>(o: &Opened, answer: T) -> ForCustomer<T> {
    ForCustomer {
        locale: o.context.locale,
        answer,
    }
}

/// The appointment behind the link, with its policy and what cancelling would cost now.
pub fn view(conn: &mut DbConnection, base: &Ctx, token: &str) -> Result<SelfView, Error> {
    let o = links::open(conn, base, token)?;
    let t = terms::terms(conn, &o.ctx.org, &o.appointment.id, o.ctx.now)?;
    let cancel_fee =
        if t.status == AppointmentStatus::Booked || t.status == AppointmentStatus::Confirmed {
            quotes::check_cancel(&t, &ask(&o.ctx, None), o.ctx.now)?
                .decision
                .due()
        } else {
            0
        };
    Ok(SelfView {
        appointment_id: t.row.id.clone(),
        status: t.status,
        version: t.row.version,
        start: from_db(t.row.starts_at),
        end: from_db(t.row.ends_at),
        policy: t.policy_in_force(),
        cancel_fee,
        link_expires_at: o.expires_at,
        context: o.context,
    })
}

/// Confirms the appointment (the customer will come), at `version`.
pub fn confirm(
    conn: &mut DbConnection,
    base: &Ctx,
    token: &str,
    version: i64,
) -> Result<ForCustomer<StepOutcome>, Error> {
    let o = links::open(conn, base, token)?;
    let done = lifecycle::take_step(
        conn,
        &o.ctx,
        TakeStep {
            appointment_id: o.appointment.id.clone(),
            expected_version: Some(version),
            step: Step::Confirm,
            note: None,
        },
    )?;
    Ok(answer(&o, done))
}

/// The best times to move to (or to rebook a missed appointment at), each with its fee.
pub fn alternatives(
    conn: &mut DbConnection,
    base: &Ctx,
    token: &str,
    near: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<ForCustomer<MoveTimes<Alternatives>>, Error> {
    let o = links::open(conn, base, token)?;
    let found = suggestions::find_alternatives(
        conn,
        &o.ctx,
        FindAlternatives {
            appointment_id: o.appointment.id.clone(),
            near,
            from: None,
            to: None,
            resource_id: None,
            limit,
        },
    )?;
    Ok(answer(&o, found))
}

/// A move the customer asks about: the new start and their reason.
#[derive(Clone, Debug)]
pub struct SelfMove {
    pub start: DateTime<Utc>,
    pub reason: Option<ReasonCategory>,
    pub reason_text: Option<String>,
}

/// Quotes a move as staff would quote it for the customer. Changes nothing.
pub fn quote_reschedule(
    conn: &mut DbConnection,
    base: &Ctx,
    token: &str,
    wish: SelfMove,
) -> Result<ForCustomer<RescheduleQuote>, Error> {
    let o = links::open(conn, base, token)?;
    let quote = quotes::quote_reschedule(
        conn,
        &o.ctx,
        QuoteMove {
            appointment_id: o.appointment.id.clone(),
            start: wish.start,
            resource_id: None,
            ask: ask(&o.ctx, wish.reason),
        },
    )?;
    Ok(answer(&o, quote))
}

/// Moves (or rebooks) the appointment at `version` for the fee the customer accepted.
pub fn reschedule(
    conn: &mut DbConnection,
    base: &Ctx,
    token: &str,
    version: i64,
    wish: SelfMove,
    accepted_fee: Option<Money>,
) -> Result<ForCustomer<RescheduleOutcome>, Error> {
    let o = links::open(conn, base, token)?;
    let moved = reschedule::reschedule(
        conn,
        &o.ctx,
        Reschedule {
            appointment_id: o.appointment.id.clone(),
            expected_version: Some(version),
            start: wish.start,
            resource_id: None,
            ask: ask(&o.ctx, wish.reason),
            accepted_fee,
            reason_text: wish.reason_text,
            note: None,
        },
    )?;
    Ok(answer(&o, moved))
}

/// Quotes cancelling as staff would quote it for the customer. Changes nothing.
pub fn quote_cancel(
    conn: &mut DbConnection,
    base: &Ctx,
    token: &str,
    reason: Option<ReasonCategory>,
) -> Result<ForCustomer<CancelQuote>, Error> {
    let o = links::open(conn, base, token)?;
    let quote = quotes::quote_cancel(
        conn,
        &o.ctx,
        QuoteCancel {
            appointment_id: o.appointment.id.clone(),
            ask: ask(&o.ctx, reason),
        },
    )?;
    Ok(answer(&o, quote))
}

/// Cancels the appointment at `version` for the fee the customer accepted; its link is
/// dead from then on.
pub fn cancel(
    conn: &mut DbConnection,
    base: &Ctx,
    token: &str,
    version: i64,
    reason: Option<ReasonCategory>,
    reason_text: Option<String>,
    accepted_fee: Option<Money>,
) -> Result<ForCustomer<CancelOutcome>, Error> {
    let o = links::open(conn, base, token)?;
    let done = cancel::cancel(
        conn,
        &o.ctx,
        Cancel {
            appointment_id: o.appointment.id.clone(),
            expected_version: Some(version),
            ask: ask(&o.ctx, reason),
            accepted_fee,
            reason_text,
            note: None,
        },
    )?;
    Ok(answer(&o, done))
}
