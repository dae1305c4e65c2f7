//! What a quote looks like on the wire, for moving and for cancelling, and the times a
//! move could take with their fees.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::appointments::refusals::{RefusalResponse, move_problem, policy_problem};
use crate::api::availability::dto::{ResourceRef, SuggestionResponse, resource_refs};
use crate::api::fees::FeeRuleResponse;
use crate::app::quotes::{CancelQuote, RescheduleQuote};
use crate::app::suggestions::PricedTime;
use crate::app::terms::{PolicyInForce, QuotedAppointment, ReasonsAccepted};
use crate::domain::policy::Decision;
use crate::domain::policy_doc::PolicyText;
use crate::domain::{AppointmentStatus, Currency, Locale, Money, ReasonCategory};
use crate::error::{Code, Error};
use crate::http::time::LocalSpan;
use crate::repo::policies::Scope;

/// The policy a quote applied and where it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyRef {
    pub source: Scope,
    #[schema(format = Uuid)]
    pub policy_id: Option<String>,
    /// Shown to customers, in Indonesian (`id`) and English (`en`).
    pub text: PolicyText,
}

impl From<&PolicyInForce> for PolicyRef {
    fn from(p: &PolicyInForce) -> Self {
        PolicyRef {
            source: p.source,
            policy_id: p.policy_id.clone(),
            text: p.text.clone(),
        }
    }
}

/// Whether a reason is needed, and which categories are accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonRule {
    pub required: bool,
    pub categories: Vec<ReasonCategory>,
}

impl From<&ReasonsAccepted> for ReasonRule {
    fn from(r: &ReasonsAccepted) -> Self {
        ReasonRule {
            required: r.required,
            categories: r.categories.clone(),
        }
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
    /// The price of a decision, its fee shown for a reader of `locale`.
    pub fn of(d: &Decision, currency: Currency, locale: Locale) -> Self {
        MovePrice {
            allowed: d.allowed(),
            fee: Money::shown(d.due(), currency, locale),
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

/// Priced times as rendered, fees in `currency` shown for a reader of `locale`.
pub fn priced(
    found: Vec<PricedTime>,
    currency: Currency,
    locale: Locale,
) -> Vec<PricedAlternative> {
    found
        .into_iter()
        .map(|p| PricedAlternative {
            price: MovePrice::of(&p.decision, currency, locale),
            slot: p.suggestion.into(),
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

fn fee_quote(d: &Decision, currency: Currency, locale: Locale) -> FeeQuote {
    FeeQuote {
        fee: Money::shown(d.due(), currency, locale),
        assessed_fee: Money::shown(d.fee, currency, locale),
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

/// The problems of a move quote's refusals, first to last.
pub fn move_problems(q: &RescheduleQuote) -> Vec<Error> {
    q.refusals.iter().map(move_problem).collect()
}

impl RescheduleQuoteResponse {
    /// The quote on the wire, its money shown for a reader of `locale`.
    pub fn of(q: RescheduleQuote, locale: Locale) -> Self {
        let refusals = move_problems(&q)
            .into_iter()
            .map(RefusalResponse::from)
            .collect();
        let (rebooking, allowed) = (q.rebooking(), q.allowed());
        let (end, local, resources) = match q.slot {
            Some(slot) => (
                Some(slot.end),
                Some(LocalSpan::new(slot.tz, slot.start, slot.end)),
                resource_refs(slot.resources),
            ),
            None => (None, None, Vec::new()),
        };
        let QuotedAppointment {
            id,
            version,
            status,
            notice,
        } = q.appointment;
        RescheduleQuoteResponse {
            appointment_id: id,
            appointment_version: version,
            status,
            allowed,
            refusals,
            start: q.start,
            end,
            local,
            resources,
            fee: fee_quote(&q.decision, q.policy.currency, locale),
            notice_minutes: notice.num_minutes(),
            rebooking,
            remaining_reschedules: RemainingResponse {
                appointment: q.decision.remaining_for_appointment,
                customer: q.decision.remaining_for_customer,
            },
            reason: (&q.reasons).into(),
            policy: (&q.policy).into(),
            alternatives: priced(q.alternatives, q.policy.currency, locale),
        }
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

/// The problems of a cancel quote's refusals, first to last.
pub fn cancel_problems(q: &CancelQuote) -> Vec<Error> {
    q.refusals().iter().map(policy_problem).collect()
}

impl CancelQuoteResponse {
    /// The quote on the wire, its money shown for a reader of `locale`.
    pub fn of(q: CancelQuote, locale: Locale) -> Self {
        let refusals = cancel_problems(&q)
            .into_iter()
            .map(RefusalResponse::from)
            .collect();
        CancelQuoteResponse {
            appointment_id: q.appointment.id,
            appointment_version: q.appointment.version,
            status: q.appointment.status,
            allowed: q.decision.allowed(),
            refusals,
            fee: fee_quote(&q.decision, q.policy.currency, locale),
            notice_minutes: q.appointment.notice.num_minutes(),
            reason: (&q.reasons).into(),
            policy: (&q.policy).into(),
        }
    }
}
