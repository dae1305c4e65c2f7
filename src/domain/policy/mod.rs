//! Reschedule and cancellation policies: one pure evaluation, used alike for a quote and
//! for the commit, so a customer is never charged more than the fee they were shown.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::enums::{AppointmentStatus, ReasonCategory, Role};
pub use super::policy_refusal::Refusal;

/// Whether a change inside the minimum notice is refused or charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LateMode {
    Refuse,
    Charge,
}

/// The fee for changes made with at least `notice_at_least` notice (integer minor units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeTier {
    pub notice_at_least: Duration,
    pub fee: i64,
}

/// Notice, fee and reason rules shared by moving and cancelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRules {
    pub min_notice: Duration,
    pub late_mode: LateMode,
    /// Strictly decreasing `notice_at_least`; with `Charge`, the last one is zero.
    pub fee_tiers: Vec<FeeTier>,
    pub reason_required: bool,
    /// Accepted reason categories; empty accepts all.
    pub reason_categories: Vec<ReasonCategory>,
}

/// Rebooking a missed appointment (the customer who forgot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterNoShow {
    pub within: Duration,
    pub fee: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReschedulePolicy {
    pub rules: ChangeRules,
    /// Moves of one appointment (its whole chain), not counting a rebooking after a no-show.
    pub max_per_appointment: Option<u32>,
    /// Moves of one customer's appointments in a rolling window, rebookings included.
    pub max_per_customer: Option<(u32, Duration)>,
    pub after_no_show: Option<AfterNoShow>,
    /// How far from the originally booked start the new one may be.
    pub max_distance: Option<Duration>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub reschedule: ReschedulePolicy,
    pub cancellation: ChangeRules,
}

/// What is known about the appointment being changed.
#[derive(Clone, Debug)]
pub struct AppointmentFacts {
    pub status: AppointmentStatus,
    pub starts_at: DateTime<Utc>,
    /// The start it was first booked for.
    pub original_starts_at: DateTime<Utc>,
    /// Moves so far, rebookings after a no-show excluded.
    pub moves: u32,
    /// When it was marked a no-show.
    pub no_show_at: Option<DateTime<Utc>>,
    /// The location's zone: refusals tell their times in it.
    pub time_zone: Tz,
}

/// A front-desk decision to set a rule aside, always with a note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Override {
    pub waive_fee: bool,
    pub allow_late: bool,
    /// Sets aside the move limits (per appointment, per customer) and `max_distance`.
    pub ignore_limits: bool,
    pub note: String,
}

/// Who asks; `None` role means the customer through their link.
#[derive(Clone, Debug)]
pub struct Asker {
    pub role: Option<Role>,
}

/// The change being asked for.
#[derive(Clone, Debug)]
pub struct Ask {
    pub reason: Option<ReasonCategory>,
    pub override_: Option<Override>,
    pub asker: Asker,
}

/// Where a fee came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeSource {
    /// Enough notice for no fee, or no tier applies.
    None,
    Tier {
        index: usize,
        notice_at_least: Duration,
    },
    AfterNoShow,
}

/// The answer to a quote, and what a commit records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Every rule that refused, not only the first.
    pub refusals: Vec<Refusal>,
    /// The fee assessed (before any waiver), in minor units.
    pub fee: i64,
    pub fee_source: FeeSource,
    /// The fee is waived by an override: nothing is due.
    pub waived: bool,
    pub remaining_for_appointment: Option<u32>,
    pub remaining_for_customer: Option<u32>,
    /// When this answer changes by itself (a fee tier or the notice limit passes).
    pub valid_until: Option<DateTime<Utc>>,
}

impl Decision {
    /// No rule refuses the change.
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }

    /// The decision for offering a time: a missing or unaccepted reason is left out, as
    /// it concerns the request and not the time.
    pub fn for_a_time(mut self) -> Self {
        self.refusals.retain(|r| {
            !matches!(
                r,
                Refusal::ReasonRequired | Refusal::ReasonNotAccepted { .. }
            )
        });
        self
    }

    /// What the customer pays: zero when waived.
    pub fn due(&self) -> i64 {
        if self.waived { 0 } else { self.fee }
    }
}

/// The override was asked for by someone who may not give one (an integration or the
/// customer), or without a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OverrideError {
    NotAllowed,
    NoteRequired,
}

/// The override asked for, if the asker may give one and gave its note. Callers check it
/// once where the request is read, before any rule runs.
pub fn check_override(ask: &Ask) -> Result<Option<&Override>, OverrideError> {
    let Some(o) = &ask.override_ else {
        return Ok(None);
    };
    if !ask.asker.role.is_some_and(Role::is_staff_or_admin) {
        return Err(OverrideError::NotAllowed);
    }
    if o.note.trim().is_empty() {
        return Err(OverrideError::NoteRequired);
    }
    Ok(Some(o))
}

/// The fee for `notice` and the tier that set it, plus when that tier stops applying.
fn fee_for(
    rules: &ChangeRules,
    starts_at: DateTime<Utc>,
    notice: Duration,
) -> (i64, FeeSource, Option<DateTime<Utc>>) {
    // After the start (a customer running late) the notice is none, not negative: the
    // last tier still applies.
    let notice = notice.max(Duration::zero());
    match rules
        .fee_tiers
        .iter()
        .enumerate()
        .find(|(_, t)| notice >= t.notice_at_least)
    {
        Some((index, t)) => {
            let until =
                (t.notice_at_least > Duration::zero()).then(|| starts_at - t.notice_at_least);
            (
                t.fee,
                FeeSource::Tier {
                    index,
                    notice_at_least: t.notice_at_least,
                },
                until,
            )
        }
        None => (0, FeeSource::None, None),
    }
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Notice, fee and reason checks common to moving and cancelling.
fn apply_rules(
    rules: &ChangeRules,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    ask: &Ask,
    allow_late: bool,
    refusals: &mut Vec<Refusal>,
) -> (i64, FeeSource, Option<DateTime<Utc>>) {
    let notice = starts_at - now;
    let (mut fee, mut source, mut until) = fee_for(rules, starts_at, notice);
    if notice < rules.min_notice {
        if rules.late_mode == LateMode::Refuse && !allow_late {
            refusals.push(Refusal::NoticeTooShort {
                required: rules.min_notice,
                given: notice.max(Duration::zero()),
            });
        } else if rules.late_mode == LateMode::Refuse {
            // A late change let through by staff costs at least what the latest allowed
            // change does (the last tier): never less than moving on time.
            if let Some((index, last)) = rules.fee_tiers.iter().enumerate().next_back()
                && last.fee > fee
            {
                fee = last.fee;
                source = FeeSource::Tier {
                    index,
                    notice_at_least: last.notice_at_least,
                };
            }
        }
    } else if rules.late_mode == LateMode::Refuse {
        // With no minimum notice, that moment is the start itself.
        until = earliest(until, Some(starts_at - rules.min_notice));
    }
    match ask.reason {
        None if rules.reason_required => refusals.push(Refusal::ReasonRequired),
        Some(r) if !rules.reason_categories.is_empty() && !rules.reason_categories.contains(&r) => {
            refusals.push(Refusal::ReasonNotAccepted { reason: r })
        }
        _ => {}
    }
    (fee, source, until)
}

/// Decides a move of `appointment` to `new_start`. `customer_moves` are the times of this
/// customer's earlier moves (rebookings included). Slot availability is checked apart.
pub fn evaluate_reschedule(
    policy: &ReschedulePolicy,
    appointment: &AppointmentFacts,
    customer_moves: &[DateTime<Utc>],
    new_start: DateTime<Utc>,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<Decision, OverrideError> {
    let o = check_override(ask)?;
    let (allow_late, ignore_limits, waive) = o.map_or((false, false, false), |o| {
        (o.allow_late, o.ignore_limits, o.waive_fee)
    });
    let mut refusals = Vec::new();
    let after_no_show = appointment.status == AppointmentStatus::NoShow;

    let (fee, fee_source, mut valid_until) = match appointment.status {
        AppointmentStatus::Booked | AppointmentStatus::Confirmed => apply_rules(
            &policy.rules,
            appointment.starts_at,
            now,
            ask,
            allow_late,
            &mut refusals,
        ),
        AppointmentStatus::NoShow => match (policy.after_no_show, appointment.no_show_at) {
            (Some(rule), Some(at)) => {
                let until = at + rule.within;
                if now > until {
                    refusals.push(Refusal::NoShowWindowPassed {
                        until,
                        tz: appointment.time_zone,
                    });
                }
                if policy.rules.reason_required && ask.reason.is_none() {
                    refusals.push(Refusal::ReasonRequired);
                }
                (rule.fee, FeeSource::AfterNoShow, Some(until))
            }
            _ => {
                refusals.push(Refusal::NotReschedulable {
                    status: appointment.status,
                });
                (0, FeeSource::None, None)
            }
        },
        status => {
            refusals.push(Refusal::NotReschedulable { status });
            (0, FeeSource::None, None)
        }
    };

    let remaining_for_appointment = policy.max_per_appointment.map(|max| {
        if !after_no_show && appointment.moves >= max && !ignore_limits {
            refusals.push(Refusal::RescheduleLimitReached {
                max,
                used: appointment.moves,
            });
        }
        max.saturating_sub(appointment.moves)
    });
    let remaining_for_customer = policy.max_per_customer.map(|(max, window)| {
        let used = customer_moves.iter().filter(|t| **t > now - window).count() as u32;
        if used >= max && !ignore_limits {
            refusals.push(Refusal::CustomerLimitReached { max, used, window });
        }
        // The oldest counted move leaves the window; the answer may change then.
        if used >= max
            && let Some(oldest) = customer_moves.iter().filter(|t| **t > now - window).min()
        {
            valid_until = earliest(valid_until, Some(*oldest + window));
        }
        max.saturating_sub(used)
    });
    if let Some(max) = policy.max_distance {
        let distance = (new_start - appointment.original_starts_at).abs();
        if distance > max && !ignore_limits {
            refusals.push(Refusal::TooFar { max, distance });
        }
    }
    // A status that cannot move never will: the answer does not change with time.
    if refusals
        .iter()
        .any(|r| matches!(r, Refusal::NotReschedulable { .. }))
    {
        valid_until = None;
    }
    Ok(Decision {
        refusals,
        fee,
        fee_source,
        waived: waive && fee > 0,
        remaining_for_appointment,
        remaining_for_customer,
        valid_until,
    })
}

/// Why no time at all can be offered to move the appointment to: a status that cannot
/// move, a missed appointment whose policy does not let it be rebooked, or whose rebooking
/// window has passed. It is the refusal [`evaluate_reschedule`] gives such a move whatever
/// the time asked for (no override lifts it), so listing times and moving agree.
pub fn refusal_for_every_time(
    policy: &ReschedulePolicy,
    appointment: &AppointmentFacts,
    now: DateTime<Utc>,
) -> Option<Refusal> {
    let plain = Ask {
        reason: None,
        override_: None,
        asker: Asker { role: None },
    };
    evaluate_reschedule(policy, appointment, &[], appointment.starts_at, &plain, now)
        .expect("no override is asked for")
        .refusals
        .into_iter()
        .find(|r| {
            matches!(
                r,
                Refusal::NotReschedulable { .. } | Refusal::NoShowWindowPassed { .. }
            )
        })
}

/// Decides a cancellation of an upcoming appointment.
pub fn evaluate_cancel(
    rules: &ChangeRules,
    appointment: &AppointmentFacts,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<Decision, OverrideError> {
    let o = check_override(ask)?;
    let (allow_late, waive) = o.map_or((false, false), |o| (o.allow_late, o.waive_fee));
    let mut refusals = Vec::new();
    let (fee, fee_source, valid_until) = match appointment.status {
        AppointmentStatus::Booked | AppointmentStatus::Confirmed => apply_rules(
            rules,
            appointment.starts_at,
            now,
            ask,
            allow_late,
            &mut refusals,
        ),
        status => {
            refusals.push(Refusal::NotCancellable { status });
            (0, FeeSource::None, None)
        }
    };
    Ok(Decision {
        refusals,
        fee,
        fee_source,
        waived: waive && fee > 0,
        remaining_for_appointment: None,
        remaining_for_customer: None,
        valid_until,
    })
}

#[cfg(test)]
mod tests;
