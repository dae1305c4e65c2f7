//! What moving and cancelling share: the fee the customer accepted, checked against the
//! quote run again inside the unit of work, and the details recorded with the change.

use crate::app::appointments::AppointmentView;
use crate::app::fees::{self, Fee};
use crate::app::terms::Terms;
use crate::domain::policy::{Decision, Override};
use crate::domain::{Currency, Money};
use crate::error::Error;

/// A moved or cancelled appointment, and the fee recorded for it, if any.
#[derive(Clone, Debug)]
pub struct Changed {
    pub appointment: AppointmentView,
    pub fee: Option<Fee>,
}

/// Whether the fee due now is not the one the customer accepted (none accepted: none).
pub(crate) fn fee_changed(accepted: Option<&Money>, decision: &Decision) -> bool {
    accepted.map_or(0, |m| m.amount) != decision.due()
}

/// Checks the accepted fee's currency before anything else: it is bad input, not a state.
pub(crate) fn check_currency(
    accepted: Option<Money>,
    currency: Currency,
) -> Result<Option<Money>, Error> {
    accepted
        .map(|m| m.expect_currency("accepted_fee", currency.code()))
        .transpose()
}

/// Details recorded with the change: the fee, the override and the policy.
pub(crate) fn change_details(
    terms: &Terms,
    decision: &Decision,
    fee_id: Option<&str>,
    override_: Option<&Override>,
) -> serde_json::Value {
    let fee = fees::initial_status(decision).map(|status| {
        serde_json::json!({
            "fee_id": fee_id,
            "amount": decision.fee,
            "currency": terms.currency.code(),
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
