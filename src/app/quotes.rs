//! Quotes for moving or cancelling an appointment: the policy in force, the facts it
//! needs, one pure evaluation, and the slot check. A commit runs the very same quote.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::app::booking::unavailable;
use crate::db::DbConnection;
use crate::db::schema::{appointment_events, appointment_resources, appointments as a};
use crate::domain::EventKind;
use crate::domain::availability::{self, Choice, Slot};
use crate::domain::policy::{
    AppointmentFacts, Ask, Decision, OverrideError, Policy, Refusal, evaluate_cancel,
    evaluate_reschedule,
};
use crate::domain::policy_doc::PolicyDoc;
use crate::domain::{AppointmentStatus, ReasonCategory};
use crate::error::{Code, Error};
use crate::repo::appointments::{self, AppointmentRow};
use crate::repo::policies::{self, Scope};
use crate::repo::schedule::{self, LoadedSchedule};
use crate::repo::{from_db, to_db};

/// Everything the policy decides on, gathered once per request.
pub struct Terms {
    pub row: AppointmentRow,
    pub status: AppointmentStatus,
    pub policy: Policy,
    /// The configured policy, or `None` for the lenient default.
    pub policy_id: Option<String>,
    pub source: Scope,
    pub doc: PolicyDoc,
    pub currency: String,
    pub facts: AppointmentFacts,
    /// When this customer's earlier moves happened, within the policy's window.
    pub customer_moves: Vec<DateTime<Utc>>,
    /// The resources it holds (or held, if freed), in id order: kept when free on a move.
    pub held: Vec<String>,
}

/// Reads the appointment, the policy in force and the histories it counts.
pub fn terms(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Terms, Error> {
    let row = appointments::get(conn, org, id)?;
    let status = AppointmentStatus::from_db(&row.status)?;
    let (source, policy_id, doc, currency) =
        match policies::resolve(conn, org, &row.location_id, &row.service_id)? {
            Some((scope, p)) => (scope, Some(p.id.clone()), p.doc()?, p.currency),
            None => (
                Scope::Default,
                None,
                PolicyDoc::default(),
                crate::repo::organizations::get(conn, org)?.currency,
            ),
        };
    let policy = doc.to_policy();
    let customer_moves = match policy.reschedule.max_per_customer {
        Some((_, window)) => moves_of_customer(conn, org, &row.customer_id, now - window)?,
        None => Vec::new(),
    };
    let facts = AppointmentFacts {
        status,
        starts_at: from_db(row.starts_at),
        original_starts_at: from_db(row.original_starts_at),
        moves: u32::try_from(row.moves).unwrap_or(0),
        no_show_at: row.no_show_at.map(from_db),
    };
    let held = held_ids(conn, &row.id)?;
    Ok(Terms {
        held,
        row,
        status,
        policy,
        policy_id,
        source,
        doc,
        currency,
        facts,
        customer_moves,
    })
}

/// When the customer's appointments were moved (rebookings included) since `since`.
fn moves_of_customer(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, Error> {
    let times: Vec<chrono::NaiveDateTime> = appointment_events::table
        .inner_join(a::table)
        .filter(a::organization_id.eq(org))
        .filter(a::customer_id.eq(customer_id))
        .filter(appointment_events::kind.eq(EventKind::Rescheduled.as_str()))
        .filter(appointment_events::occurred_at.gt(to_db(since)))
        .select(appointment_events::occurred_at)
        .load(conn)?;
    Ok(times.into_iter().map(from_db).collect())
}

/// The problem for an override that cannot be given.
pub fn override_error(e: OverrideError) -> Error {
    match e {
        OverrideError::NotAllowed => Error::new(
            Code::OverrideNotAllowed,
            "only staff and admin keys may override a policy",
        )
        .with_field("override"),
        OverrideError::NoteRequired => Error::invalid(
            "override.note",
            Code::NoteRequired,
            "an override needs a note saying why",
        ),
    }
}

fn minutes(d: Duration) -> i64 {
    d.num_minutes()
}

/// The problem for one rule that refuses a change.
pub fn refusal(r: &Refusal) -> Error {
    let code = r.code();
    match r {
        Refusal::NotReschedulable { status } | Refusal::NotCancellable { status } => {
            let verb = if matches!(r, Refusal::NotReschedulable { .. }) {
                "moved"
            } else {
                "cancelled"
            };
            Error::new(
                code,
                format!(
                    "the appointment is {}; it cannot be {verb}",
                    status.as_str()
                ),
            )
            .with_data(serde_json::json!({ "status": status }))
        }
        Refusal::NoShowWindowPassed { until } => Error::new(
            code,
            format!(
                "a missed appointment could be rebooked until {}",
                until.to_rfc3339()
            ),
        )
        .with_data(serde_json::json!({ "until": until })),
        Refusal::NoticeTooShort { required, given } => Error::new(
            code,
            format!(
                "changes need {} minutes' notice; this one gives {}",
                minutes(*required),
                minutes(*given)
            ),
        )
        .with_data(serde_json::json!({
            "required_minutes": minutes(*required),
            "given_minutes": minutes(*given),
        })),
        Refusal::RescheduleLimitReached { max, used } => Error::new(
            code,
            format!("this appointment has been moved {used} times; the limit is {max}"),
        )
        .with_data(serde_json::json!({ "max": max, "used": used })),
        Refusal::CustomerLimitReached { max, used, window } => Error::new(
            code,
            format!(
                "this customer has moved {used} appointments in the last {} days; the limit is {max}",
                window.num_days()
            ),
        )
        .with_data(serde_json::json!({ "max": max, "used": used, "window_days": window.num_days() })),
        Refusal::ReasonRequired => Error::invalid(
            "reason_category",
            code,
            "the policy asks for a reason category",
        ),
        Refusal::ReasonNotAccepted { reason } => Error::invalid(
            "reason_category",
            code,
            format!("the policy does not accept '{}' as a reason", reason.as_str()),
        ),
        Refusal::TooFar { max, distance } => Error::invalid(
            "start",
            code,
            format!(
                "the new time may be at most {} days from the originally booked one",
                max.num_days()
            ),
        )
        .with_data(serde_json::json!({
            "max_minutes": minutes(*max),
            "distance_minutes": minutes(*distance),
        })),
    }
}

/// A move someone asks about.
#[derive(Clone, Debug)]
pub struct MoveWish {
    pub start: DateTime<Utc>,
    pub resource_id: Option<String>,
    pub ask: Ask,
}

/// The answer to a reschedule quote.
pub struct RescheduleQuote {
    pub terms: Terms,
    pub start: DateTime<Utc>,
    pub decision: Decision,
    /// Every rule that refuses, the policy's and then the slot's, as problems.
    pub refusals: Vec<Error>,
    /// The slot the move would take, when it is free.
    pub slot: Option<(Slot, LoadedSchedule)>,
}

impl RescheduleQuote {
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }

    /// Whether the wanted time itself is refused (not free, or a rule about the time),
    /// so that other times could help; a missing reason is fixed by giving one.
    pub fn time_refused(&self) -> bool {
        self.slot.is_none() || !self.decision.clone().for_a_time().allowed()
    }
}

/// Whether a status can be moved at all (a no-show through the rebooking rule).
pub fn movable(status: AppointmentStatus) -> bool {
    matches!(
        status,
        AppointmentStatus::Booked | AppointmentStatus::Confirmed | AppointmentStatus::NoShow
    )
}

fn held_ids(conn: &mut DbConnection, appointment_id: &str) -> Result<Vec<String>, Error> {
    Ok(appointment_resources::table
        .filter(appointment_resources::appointment_id.eq(appointment_id))
        .select(appointment_resources::resource_id)
        .order(appointment_resources::resource_id)
        .load(conn)?)
}

pub fn quote_reschedule(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    wish: &MoveWish,
    now: DateTime<Utc>,
) -> Result<RescheduleQuote, Error> {
    let terms = terms(conn, org, id, now)?;
    let decision = evaluate_reschedule(
        &terms.policy.reschedule,
        &terms.facts,
        &terms.customer_moves,
        wish.start,
        &wish.ask,
        now,
    )
    .map_err(override_error)?;
    let mut refusals: Vec<Error> = decision.refusals.iter().map(refusal).collect();
    let mut slot = None;
    if movable(terms.status) {
        if wish.start == terms.facts.starts_at {
            refusals.push(Error::invalid(
                "start",
                Code::SameStart,
                "the appointment already starts then",
            ));
        } else {
            let loaded = schedule::load(
                conn,
                org,
                &terms.row.location_id,
                &terms.row.service_id,
                wish.start,
                wish.start + Duration::seconds(1),
                Some(&terms.row.id),
            )?;
            let pinned = schedule::pinned(conn, org, &loaded, wish.resource_id.as_deref())?;
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
                now,
                Choice {
                    pinned,
                    preferred: &preferred,
                },
            ) {
                Ok(s) => slot = Some((s, loaded)),
                Err(u) => refusals.push(unavailable(u)),
            }
        }
    }
    Ok(RescheduleQuote {
        terms,
        start: wish.start,
        decision,
        refusals,
        slot,
    })
}

/// What the policy says of moving to `start`, for listing times (see
/// [`Decision::for_a_time`]).
pub fn price_time(
    terms: &Terms,
    start: DateTime<Utc>,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<Decision, Error> {
    Ok(evaluate_reschedule(
        &terms.policy.reschedule,
        &terms.facts,
        &terms.customer_moves,
        start,
        ask,
        now,
    )
    .map_err(override_error)?
    .for_a_time())
}

/// A cancellation someone asks about.
pub struct CancelQuote {
    pub terms: Terms,
    pub decision: Decision,
    pub refusals: Vec<Error>,
}

pub fn quote_cancel(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<CancelQuote, Error> {
    let terms = terms(conn, org, id, now)?;
    let decision = evaluate_cancel(&terms.policy.cancellation, &terms.facts, ask, now)
        .map_err(override_error)?;
    let refusals = decision.refusals.iter().map(refusal).collect();
    Ok(CancelQuote {
        terms,
        decision,
        refusals,
    })
}

/// The reason categories a rule set accepts (all when it names none).
pub fn accepted_reasons(listed: &[ReasonCategory]) -> Vec<ReasonCategory> {
    if listed.is_empty() {
        ReasonCategory::ALL.to_vec()
    } else {
        listed.to_vec()
    }
}
