//! Quotes for moving or cancelling an appointment: the policy in force, the facts it
//! needs, one pure evaluation, and the slot check. A commit runs the very same quote
//! inside its own unit of work, so it never charges more than the quote showed.

use chrono::{DateTime, Duration, Utc};

use crate::app::Ctx;
use crate::app::availability::SlotView;
use crate::app::suggestions::{self, PricedTime};
use crate::app::terms::{self, PolicyInForce, QuotedAppointment, ReasonsAccepted, Terms};
use crate::db::DbConnection;
use crate::domain::AppointmentStatus;
use crate::domain::availability::{self, Choice, Slot, Unavailable};
use crate::domain::policy::{Ask, Decision, Refusal, evaluate_cancel, evaluate_reschedule};
use crate::error::Error;
use crate::repo::schedule::{self, LoadedSchedule};

/// Why a move is refused: a rule of the policy, the start it already has, or the slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveRefusal {
    Policy(Refusal),
    /// The appointment already starts then.
    SameStart,
    Slot(Unavailable),
}

/// A move someone asks about: the appointment, its new start, optionally the resource
/// to serve it, and who asks why (with any override, already checked).
#[derive(Clone, Debug)]
pub struct QuoteMove {
    pub appointment_id: String,
    pub start: DateTime<Utc>,
    pub resource_id: Option<String>,
    pub ask: Ask,
}

/// Whether moving an appointment to `start` is allowed now, what it costs and why.
#[derive(Clone, Debug)]
pub struct RescheduleQuote {
    pub appointment: QuotedAppointment,
    pub policy: PolicyInForce,
    pub reasons: ReasonsAccepted,
    pub start: DateTime<Utc>,
    pub decision: Decision,
    /// Every rule that refuses, the policy's and then the slot's.
    pub refusals: Vec<MoveRefusal>,
    /// The new time and the resources it gets, when the slot is free.
    pub slot: Option<SlotView>,
    /// When the time itself is refused: the best times that could be taken instead.
    pub alternatives: Vec<PricedTime>,
}

impl RescheduleQuote {
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }

    /// Rebooking a missed appointment (its own rule; not counted per appointment).
    pub fn rebooking(&self) -> bool {
        self.appointment.status == AppointmentStatus::NoShow
    }
}

/// The policy's decision and the slot check for one move, before it is shown.
pub(crate) struct MoveCheck {
    pub decision: Decision,
    pub refusals: Vec<MoveRefusal>,
    /// The slot the move would take, when it is free.
    pub slot: Option<(Slot, LoadedSchedule)>,
}

impl MoveCheck {
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }

    /// Whether the wanted time itself is refused (not free, or a rule about the time),
    /// so that other times could help; a missing reason is fixed by giving one.
    fn time_refused(&self) -> bool {
        self.slot.is_none() || !self.decision.clone().for_a_time().allowed()
    }
}

/// Runs the policy and the slot check for moving the appointment of `terms`.
pub(crate) fn check_move(
    conn: &mut DbConnection,
    ctx: &Ctx,
    terms: &Terms,
    wish: &QuoteMove,
) -> Result<MoveCheck, Error> {
    let decision = evaluate_reschedule(
        &terms.policy.reschedule,
        &terms.facts,
        &terms.customer_moves,
        wish.start,
        &wish.ask,
        ctx.now,
    )
    .map_err(terms::unchecked_override)?;
    let mut refusals: Vec<MoveRefusal> = decision
        .refusals
        .iter()
        .cloned()
        .map(MoveRefusal::Policy)
        .collect();
    let mut slot = None;
    if terms.movable() {
        if wish.start == terms.facts.starts_at {
            refusals.push(MoveRefusal::SameStart);
        } else {
            let loaded = schedule::load(
                conn,
                &ctx.schedule_reader(),
                &terms.row.location_id,
                &terms.row.service_id,
                wish.start,
                wish.start + Duration::seconds(1),
                Some(&terms.row.id),
            )?;
            let pinned = schedule::pinned(conn, &ctx.org, &loaded, wish.resource_id.as_deref())?;
            let preferred: Vec<usize> = terms
                .held
                .iter()
                .filter_map(|r| loaded.index_of(r))
                .collect();
            match availability::check_start(
                &loaded.schedule(),
                &loaded.needs,
                &loaded.rules,
                wish.start,
                ctx.now,
                Choice {
                    pinned,
                    preferred: &preferred,
                },
            ) {
                Ok(s) => slot = Some((s, loaded)),
                Err(u) => refusals.push(MoveRefusal::Slot(u)),
            }
        }
    }
    Ok(MoveCheck {
        decision,
        refusals,
        slot,
    })
}

/// The best times a refused move could take instead; none when it is allowed or only
/// the reason is missing (another time would not help).
pub(crate) fn alternatives_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    terms: &Terms,
    check: &MoveCheck,
    wish: &QuoteMove,
) -> Result<Vec<PricedTime>, Error> {
    if check.allowed() || !check.time_refused() {
        return Ok(Vec::new());
    }
    suggestions::instead_of_move(
        conn,
        ctx,
        terms,
        wish.start,
        wish.resource_id.as_deref(),
        &wish.ask,
    )
}

/// The quote a check shows.
pub(crate) fn reschedule_quote(
    terms: &Terms,
    check: &MoveCheck,
    start: DateTime<Utc>,
    alternatives: Vec<PricedTime>,
    now: DateTime<Utc>,
) -> RescheduleQuote {
    RescheduleQuote {
        appointment: terms.quoted(now),
        policy: terms.policy_in_force(),
        reasons: ReasonsAccepted::of(&terms.policy.reschedule.rules),
        start,
        decision: check.decision.clone(),
        refusals: check.refusals.clone(),
        slot: check
            .slot
            .as_ref()
            .map(|(slot, loaded)| SlotView::of(loaded, slot)),
        alternatives,
    }
}

/// Quotes a move: every refusing rule (not only the first), the fee, the moves left, and
/// when refused for its time the best other times. Changes nothing.
pub fn quote_reschedule(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: QuoteMove,
) -> Result<RescheduleQuote, Error> {
    let terms = terms::terms(conn, &ctx.org, &cmd.appointment_id, ctx.now)?;
    let check = check_move(conn, ctx, &terms, &cmd)?;
    let alternatives = alternatives_for(conn, ctx, &terms, &check, &cmd)?;
    Ok(reschedule_quote(
        &terms,
        &check,
        cmd.start,
        alternatives,
        ctx.now,
    ))
}

/// A cancellation someone asks about.
#[derive(Clone, Debug)]
pub struct QuoteCancel {
    pub appointment_id: String,
    pub ask: Ask,
}

/// Whether cancelling is allowed now, what it costs and why.
#[derive(Clone, Debug)]
pub struct CancelQuote {
    pub appointment: QuotedAppointment,
    pub policy: PolicyInForce,
    pub reasons: ReasonsAccepted,
    pub decision: Decision,
}

impl CancelQuote {
    pub fn allowed(&self) -> bool {
        self.decision.allowed()
    }

    /// Every rule that refuses, not only the first.
    pub fn refusals(&self) -> &[Refusal] {
        &self.decision.refusals
    }
}

/// The policy's decision on cancelling the appointment of `terms`, as a quote.
pub(crate) fn check_cancel(
    terms: &Terms,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<CancelQuote, Error> {
    let decision = evaluate_cancel(&terms.policy.cancellation, &terms.facts, ask, now)
        .map_err(terms::unchecked_override)?;
    Ok(CancelQuote {
        appointment: terms.quoted(now),
        policy: terms.policy_in_force(),
        reasons: ReasonsAccepted::of(&terms.policy.cancellation),
        decision,
    })
}

/// Quotes a cancellation: whether the policy allows it now, the fee and its tier, until
/// when the quote holds, and whether a reason is needed. Changes nothing.
pub fn quote_cancel(
    conn: &mut DbConnection,
    ctx: &Ctx,
    cmd: QuoteCancel,
) -> Result<CancelQuote, Error> {
    let terms = terms::terms(conn, &ctx.org, &cmd.appointment_id, ctx.now)?;
    check_cancel(&terms, &cmd.ask, ctx.now)
}
