//! What a request to move or cancel asks, read once where it arrives: the reason, an
//! override (checked here: who may give one, and its note), the fee the customer accepted.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::appointments::refusals::override_problem;
use crate::domain::policy::{Ask, Asker, Override, check_override};
use crate::domain::{Money, ReasonCategory, text};
use crate::error::{Code, Error};
use crate::http::auth::Principal;

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

/// The reason text as kept (trimmed, at most 2000 characters); one goes with a reason
/// category.
pub fn reason_text(
    reason: Option<ReasonCategory>,
    raw: Option<&str>,
) -> Result<Option<String>, Error> {
    let t = text::optional("reason_text", raw, 2000)?;
    if t.is_some() && reason.is_none() {
        return Err(Error::invalid(
            "reason_category",
            Code::ReasonCategoryMissing,
            "a reason_text goes with a reason_category",
        ));
    }
    Ok(t)
}

/// Who asks, why, and with what override (one the caller may give, with its note); and
/// the reason text that goes with the reason.
pub fn ask_of(
    principal: &Principal,
    reason: Option<ReasonCategory>,
    reason_text: Option<&str>,
    override_: Option<OverrideRequest>,
) -> Result<(Ask, Option<String>), Error> {
    let reason_text = self::reason_text(reason, reason_text)?;
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
    let ask = Ask {
        reason,
        override_,
        asker: Asker {
            role: Some(principal.role),
        },
    };
    check_override(&ask).map_err(override_problem)?;
    Ok((ask, reason_text))
}

/// The fee the customer accepted, as a client sends it (not negative, a known currency).
pub fn accepted_fee(raw: Option<Money>) -> Result<Option<Money>, Error> {
    raw.map(|m| Money::parse("accepted_fee", m)).transpose()
}

/// A note kept in the appointment's history.
pub fn note(raw: Option<&str>) -> Result<Option<String>, Error> {
    text::optional("note", raw, 2000)
}
