//! The terms an appointment is changed under: the appointment as read, the policy in
//! force and the histories its rules count, gathered once per unit of work.

use chrono::{DateTime, Duration, Utc};
use strum::VariantArray;

use crate::db::DbConnection;
use crate::domain::policy::{AppointmentFacts, ChangeRules, OverrideError, Policy};
use crate::domain::policy_doc::{PolicyDoc, PolicyText};
use crate::domain::{AppointmentStatus, Currency, ReasonCategory};
use crate::error::Error;
use crate::repo::appointments::{self, AppointmentRow};
use crate::repo::policies::{self, Scope};
use crate::repo::{events, from_db, organizations};

/// Everything the policy decides on, gathered once per request.
pub(crate) struct Terms {
    pub row: AppointmentRow,
    pub status: AppointmentStatus,
    pub policy: Policy,
    /// The configured policy, or `None` for the lenient default.
    pub policy_id: Option<String>,
    pub source: Scope,
    pub doc: PolicyDoc,
    pub currency: Currency,
    pub facts: AppointmentFacts,
    /// When this customer's earlier moves happened, within the policy's window.
    pub customer_moves: Vec<DateTime<Utc>>,
    /// The resources it holds (or held, if freed), in id order: kept when free on a move.
    pub held: Vec<String>,
}

/// Reads the appointment, the policy in force and the histories it counts.
pub(crate) fn terms(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Terms, Error> {
    let (row, zone) = appointments::get_in_zone(conn, org, id)?;
    let status = row.status;
    let (source, policy_id, doc, currency) =
        match policies::resolve(conn, org, &row.location_id, &row.service_id)? {
            Some((scope, p)) => (scope, Some(p.id), p.body, p.currency),
            None => (
                Scope::Default,
                None,
                PolicyDoc::default(),
                organizations::get(conn, org)?.currency,
            ),
        };
    let policy = doc.to_policy();
    let customer_moves = match policy.reschedule.max_per_customer {
        Some((_, window)) => events::moves_of_customer(conn, org, &row.customer_id, now - window)?,
        None => Vec::new(),
    };
    let facts = AppointmentFacts {
        status,
        starts_at: from_db(row.starts_at),
        original_starts_at: from_db(row.original_starts_at),
        moves: u32::try_from(row.moves).unwrap_or(0),
        no_show_at: row.no_show_at.map(from_db),
        time_zone: zone.tz(),
    };
    let held = crate::repo::holds::held_ids(conn, &row.id)?;
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

/// The policy a quote applied, where it came from, and the currency of its fees.
#[derive(Clone, Debug)]
pub struct PolicyInForce {
    pub source: Scope,
    /// `None`: no policy is configured and the lenient default applies.
    pub policy_id: Option<String>,
    /// Shown to customers.
    pub text: PolicyText,
    pub currency: Currency,
}

/// Whether a change needs a reason, and which categories it accepts.
#[derive(Clone, Debug)]
pub struct ReasonsAccepted {
    pub required: bool,
    /// Every category when the rules name none.
    pub categories: Vec<ReasonCategory>,
}

impl ReasonsAccepted {
    pub fn of(rules: &ChangeRules) -> Self {
        ReasonsAccepted {
            required: rules.reason_required,
            categories: if rules.reason_categories.is_empty() {
                ReasonCategory::VARIANTS.to_vec()
            } else {
                rules.reason_categories.clone()
            },
        }
    }
}

/// The appointment a quote is about, as the quote shows it.
#[derive(Clone, Debug)]
pub struct QuotedAppointment {
    pub id: String,
    /// Send as `If-Match` with the change.
    pub version: i64,
    pub status: AppointmentStatus,
    /// Between now and its current start.
    pub notice: Duration,
}

impl Terms {
    pub fn policy_in_force(&self) -> PolicyInForce {
        PolicyInForce {
            source: self.source,
            policy_id: self.policy_id.clone(),
            text: self.doc.text.clone(),
            currency: self.currency,
        }
    }

    pub fn quoted(&self, now: DateTime<Utc>) -> QuotedAppointment {
        QuotedAppointment {
            id: self.row.id.clone(),
            version: self.row.version,
            status: self.status,
            notice: self.facts.starts_at - now,
        }
    }

    /// Whether its status can be moved at all (a no-show through the rebooking rule).
    pub fn movable(&self) -> bool {
        matches!(
            self.status,
            AppointmentStatus::Booked | AppointmentStatus::Confirmed | AppointmentStatus::NoShow
        )
    }
}

/// The policy met an override nobody checked: the edge checks every override it passes
/// on (`domain::policy::check_override`), so this is a caller's mistake, not bad input.
pub(crate) fn unchecked_override(e: OverrideError) -> Error {
    Error::internal(format!("an override reached the policy unchecked: {e:?}"))
}
