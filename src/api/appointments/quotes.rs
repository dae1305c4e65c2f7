//! What a quote looks like on the wire, for moving and for cancelling, and the pieces
//! requests share: overrides, reasons, the accepted fee.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use actix_web::http::StatusCode;

use crate::api::appointments::AppointmentResponse;
use crate::api::availability::suggestions::{SuggestionResponse, render_one};
use crate::api::availability::{ResourceRef, resource_refs};
use crate::api::fees::FeeResponse;
use crate::app::quotes::{CancelQuote, RescheduleQuote, Terms, accepted_reasons};
use crate::app::reschedule::{Commit, Outcome, fee_differs};
use crate::app::suggestions::Priced;
use crate::domain::policy::{Ask, Asker, ChangeRules, Decision, FeeSource, Override};
use crate::domain::policy_doc::PolicyText;
use crate::domain::{AppointmentStatus, Money, ReasonCategory, text};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::idempotency::{Answer, Reply};
use crate::http::time::LocalSpan;
use crate::repo::appointments::AppointmentView;
use crate::repo::fees::FeeRow;
use crate::repo::policies::Scope;
use crate::repo::schedule::LoadedSchedule;

/// Set a policy rule aside (staff and admin keys only; `403 override_not_allowed` for
/// integrations). The note is mandatory and is kept in the appointment's history.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// Assess the fee but charge nothing (recorded as a waived fee).
    #[serde(default)]
    pub waive_fee: bool,
    /// Allow a change the notice rule would refuse.
    #[serde(default)]
    pub allow_late: bool,
    /// Ignore the limits per appointment and per customer and the maximum distance.
    #[serde(default)]
    pub ignore_limits: bool,
    #[schema(example = "pelanggan setia, biaya dihapus")]
    pub note: Option<String>,
}

/// Who asks, why, and with what override.
pub fn ask_of(
    principal: &Principal,
    reason: Option<ReasonCategory>,
    reason_text: Option<&str>,
    override_: Option<OverrideRequest>,
) -> Result<(Ask, Option<String>), Error> {
    let reason_text = text::optional("reason_text", reason_text, 2000)?;
    if reason_text.is_some() && reason.is_none() {
        return Err(Error::invalid(
            "reason_category",
            Code::ReasonCategoryMissing,
            "a reason_text goes with a reason_category",
        ));
    }
    let override_ = override_
        .map(|o| {
            Ok::<_, Error>(Override {
                waive_fee: o.waive_fee,
                allow_late: o.allow_late,
                ignore_limits: o.ignore_limits,
                note: text::optional("override.note", o.note.as_deref(), 2000)?.unwrap_or_default(),
            })
        })
        .transpose()?;
    Ok((
        Ask {
            reason,
            override_,
            asker: Asker {
                role: Some(principal.role),
            },
        },
        reason_text,
    ))
}

/// One rule that refuses the change, as the problem a commit would return for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalResponse {
    /// `notice_too_short`, `reschedule_limit_reached`, `customer_limit_reached`,
    /// `reason_required`, `reason_not_accepted`, `too_far`, `not_reschedulable`,
    /// `not_cancellable`, `no_show_window_passed`, `same_start`, or a slot refusal
    /// (`slot_unavailable`, `outside_opening_hours`, `location_closed`, `inside_lead_time`,
    /// `beyond_booking_horizon`, `start_in_past`).
    pub code: Code,
    pub detail: String,
    pub field: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

pub fn refusals(errors: &[Error]) -> Vec<RefusalResponse> {
    errors
        .iter()
        .map(|e| RefusalResponse {
            code: e.code,
            detail: e.detail.clone(),
            field: e.field.clone(),
            data: e.data.clone(),
        })
        .collect()
}

/// Which rule set the fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeRuleResponse {
    /// `none` (free), `tier` or `after_no_show`.
    pub kind: String,
    /// The tier's position in the policy's `fee_tiers`.
    pub tier_index: Option<usize>,
    pub notice_at_least_minutes: Option<i64>,
}

impl From<FeeSource> for FeeRuleResponse {
    fn from(s: FeeSource) -> Self {
        match s {
            FeeSource::None => FeeRuleResponse {
                kind: "none".into(),
                tier_index: None,
                notice_at_least_minutes: None,
            },
            FeeSource::Tier {
                index,
                notice_at_least,
            } => FeeRuleResponse {
                kind: "tier".into(),
                tier_index: Some(index),
                notice_at_least_minutes: Some(notice_at_least.num_minutes()),
            },
            FeeSource::AfterNoShow => FeeRuleResponse {
                kind: "after_no_show".into(),
                tier_index: None,
                notice_at_least_minutes: None,
            },
        }
    }
}

/// The policy a quote applied and where it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyRef {
    pub source: Scope,
    #[schema(format = Uuid)]
    pub policy_id: Option<String>,
    /// Shown to customers, in Indonesian (`id`) and English (`en`).
    pub text: PolicyText,
}

/// Whether a reason is needed, and which categories are accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonRule {
    pub required: bool,
    pub categories: Vec<ReasonCategory>,
}

fn reason_rule(rules: &ChangeRules) -> ReasonRule {
    ReasonRule {
        required: rules.reason_required,
        categories: accepted_reasons(&rules.reason_categories),
    }
}

fn policy_ref(t: &Terms) -> PolicyRef {
    PolicyRef {
        source: t.source,
        policy_id: t.policy_id.clone(),
        text: t.doc.text.clone(),
    }
}

/// Moves still allowed before this one (`null`: no limit).
#[derive(Debug, Serialize, ToSchema)]
pub struct RemainingResponse {
    pub appointment: Option<u32>,
    pub customer: Option<u32>,
}

/// What the policy says of moving to a time.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovePrice {
    /// Whether the policy allows moving here (besides the reason, which the request gives).
    pub allowed: bool,
    /// What moving here costs now (zero when an override waives it).
    pub fee: Money,
    /// Codes of the rules that refuse this time (`too_far`, limits, notice…); staff may
    /// lift some with an override.
    pub refusals: Vec<Code>,
}

impl MovePrice {
    pub fn of(d: &Decision, currency: &str) -> Self {
        MovePrice {
            allowed: d.allowed(),
            fee: Money::new(d.due(), currency),
            refusals: d.refusals.iter().map(|r| r.code()).collect(),
        }
    }
}

/// A time the appointment could move to, ranked, with the fee of moving there.
#[derive(Debug, Serialize, ToSchema)]
pub struct PricedAlternative {
    #[serde(flatten)]
    pub slot: SuggestionResponse,
    #[serde(flatten)]
    pub price: MovePrice,
}

pub fn priced(
    loaded: &LoadedSchedule,
    found: Vec<Priced>,
    currency: &str,
) -> Vec<PricedAlternative> {
    found
        .into_iter()
        .map(|p| PricedAlternative {
            price: MovePrice::of(&p.decision, currency),
            slot: render_one(loaded, p.suggestion),
        })
        .collect()
}

/// The fee part shared by both quotes.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeQuote {
    /// What the customer pays if the change is made now: send it back as `accepted_fee`.
    pub fee: Money,
    /// The fee the policy sets before any waiver.
    pub assessed_fee: Money,
    /// An override waives the assessed fee.
    pub waived: bool,
    pub fee_rule: FeeRuleResponse,
    /// When this quote changes by itself (a fee tier or the notice limit passes, or a
    /// counted move leaves the customer's window); `null` if it does not.
    pub valid_until: Option<DateTime<Utc>>,
}

fn fee_quote(d: &Decision, currency: &str) -> FeeQuote {
    FeeQuote {
        fee: Money::new(d.due(), currency),
        assessed_fee: Money::new(d.fee, currency),
        waived: d.waived,
        fee_rule: d.fee_source.into(),
        valid_until: d.valid_until,
    }
}

/// Whether moving an appointment to `start` is allowed now, what it costs and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RescheduleQuoteResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    /// Send as `If-Match` with the reschedule.
    pub appointment_version: i64,
    pub status: AppointmentStatus,
    pub allowed: bool,
    /// Every rule that refuses, not only the first.
    pub refusals: Vec<RefusalResponse>,
    pub start: DateTime<Utc>,
    /// The new time and the resources it gets, when the slot is free.
    pub end: Option<DateTime<Utc>>,
    pub local: Option<LocalSpan>,
    pub resources: Vec<ResourceRef>,
    #[serde(flatten)]
    pub fee: FeeQuote,
    /// Minutes between now and the appointment's current start.
    pub notice_minutes: i64,
    /// Rebooking a missed appointment (its own rule; not counted per appointment).
    pub rebooking: bool,
    pub remaining_reschedules: RemainingResponse,
    pub reason: ReasonRule,
    pub policy: PolicyRef,
    /// When refused: the best times that could be taken instead, each with its fee.
    pub alternatives: Vec<PricedAlternative>,
}

pub fn reschedule_quote(
    q: &RescheduleQuote,
    now: DateTime<Utc>,
    alternatives: Vec<PricedAlternative>,
) -> RescheduleQuoteResponse {
    let t = &q.terms;
    let (end, local, resources) = match &q.slot {
        Some((slot, loaded)) => (
            Some(slot.end),
            Some(LocalSpan::new(loaded.tz, slot.start, slot.end)),
            resource_refs(loaded, &slot.resources),
        ),
        None => (None, None, Vec::new()),
    };
    RescheduleQuoteResponse {
        appointment_id: t.row.id.clone(),
        appointment_version: t.row.version,
        status: t.status,
        allowed: q.allowed(),
        refusals: refusals(&q.refusals),
        start: q.start,
        end,
        local,
        resources,
        fee: fee_quote(&q.decision, &t.currency),
        notice_minutes: (t.facts.starts_at - now).num_minutes(),
        rebooking: t.status == AppointmentStatus::NoShow,
        remaining_reschedules: RemainingResponse {
            appointment: q.decision.remaining_for_appointment,
            customer: q.decision.remaining_for_customer,
        },
        reason: reason_rule(&t.policy.reschedule.rules),
        policy: policy_ref(t),
        alternatives,
    }
}

/// Whether cancelling is allowed now, what it costs and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelQuoteResponse {
    #[schema(format = Uuid)]
    pub appointment_id: String,
    pub appointment_version: i64,
    pub status: AppointmentStatus,
    pub allowed: bool,
    pub refusals: Vec<RefusalResponse>,
    #[serde(flatten)]
    pub fee: FeeQuote,
    pub notice_minutes: i64,
    pub reason: ReasonRule,
    pub policy: PolicyRef,
}

pub fn cancel_quote(q: &CancelQuote, now: DateTime<Utc>) -> CancelQuoteResponse {
    let t = &q.terms;
    CancelQuoteResponse {
        appointment_id: t.row.id.clone(),
        appointment_version: t.row.version,
        status: t.status,
        allowed: q.refusals.is_empty(),
        refusals: refusals(&q.refusals),
        fee: fee_quote(&q.decision, &t.currency),
        notice_minutes: (t.facts.starts_at - now).num_minutes(),
        reason: reason_rule(&t.policy.cancellation),
        policy: policy_ref(t),
    }
}

/// The problem a refused commit returns: the first refusal, with all of them in
/// `data.refusals` and the quote in `data.quote`.
pub fn refused<T: Serialize>(first: &Error, all: &[Error], quote: &T) -> Error {
    let mut e = Error::new(first.code, first.detail.clone());
    if let Some(f) = &first.field {
        e = e.with_field(f.clone());
    }
    if let Some(d) = &first.data {
        e = e.with_data(d.clone());
    }
    e.with_data_field(
        "refusals",
        serde_json::to_value(refusals(all)).unwrap_or_default(),
    )
    .with_data_field("quote", serde_json::to_value(quote).unwrap_or_default())
}

/// `409 fee_changed` for the accepted fee, carrying the new quote.
pub fn fee_changed<T: Serialize>(
    accepted: Option<&Money>,
    decision: &Decision,
    currency: &str,
    quote: &T,
) -> Error {
    fee_differs(accepted, decision, currency)
        .unwrap_or_else(|| Error::internal("fee changed without a difference"))
        .with_data_field("quote", serde_json::to_value(quote).unwrap_or_default())
}

/// What a commit carries besides its rule inputs: the accepted fee (checked), the reason
/// text and the note. The accepted fee is returned too, to explain a `fee_changed`.
pub fn commit_of(
    accepted_fee: Option<Money>,
    reason_text: Option<String>,
    note: Option<&str>,
) -> Result<(Commit, Option<Money>), Error> {
    let accepted_fee = accepted_fee
        .map(|m| Money::parse("accepted_fee", m))
        .transpose()?;
    let commit = Commit {
        accepted_fee: accepted_fee.clone(),
        reason_text,
        note: text::optional("note", note, 2000)?,
    };
    Ok((commit, accepted_fee))
}

/// The appointment after a move or cancellation, and the fee recorded for it, if any.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedAppointment {
    pub appointment: AppointmentResponse,
    pub fee: Option<FeeResponse>,
}

/// `200` with the changed appointment (its version as `ETag`) and its fee.
/// A move or cancellation that did not happen, to be answered as a problem.
pub enum Unchanged<Q> {
    Refused(Box<Q>),
    FeeChanged(Box<Q>),
}

/// A commit's outcome inside its unit of work: a change becomes its answer (remembered
/// under an `Idempotency-Key`); anything else is handed back to be told as a problem.
pub fn answer<T, Q>(
    outcome: Outcome<T, Q>,
    done: impl FnOnce(T) -> Result<Reply, Error>,
) -> Result<Answer<Unchanged<Q>>, Error> {
    Ok(match outcome {
        Outcome::Done(t) => Answer::Reply(done(t)?),
        Outcome::Refused(q) => Answer::Refused(Unchanged::Refused(q)),
        Outcome::FeeChanged(q) => Answer::Refused(Unchanged::FeeChanged(q)),
    })
}

/// A moved or cancelled appointment with its fee, as an answer that an
/// `Idempotency-Key` can remember.
pub fn changed(view: AppointmentView, fee: Option<FeeRow>) -> Result<Reply, Error> {
    let body = ChangedAppointment {
        appointment: AppointmentResponse::try_from(view)?,
        fee: fee.map(FeeResponse::try_from).transpose()?,
    };
    let version = body.appointment.version;
    Reply::versioned(StatusCode::OK, version, String::new(), &body)
}
