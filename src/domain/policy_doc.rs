//! The policy as admins write it (JSON, minutes and days, integer minor units), its
//! validation, and its conversion to the rules [`super::policy`] evaluates.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enums::ReasonCategory;
use super::policy::{AfterNoShow, ChangeRules, FeeTier, LateMode, Policy, ReschedulePolicy};
use crate::error::{Code, Error};

/// Refuse a change inside the minimum notice, or charge for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LateModeDoc {
    Refuse,
    #[default]
    Charge,
}

/// The fee for changes made at least this long before the appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeTierDoc {
    /// 0 to 527040 (366 days).
    #[schema(minimum = 0, maximum = 527040)]
    pub notice_at_least_minutes: i64,
    /// Integer minor units of the policy's currency (IDR 50,000 is 5000000).
    #[schema(minimum = 0)]
    pub fee: i64,
}

/// Notice, fees and reasons for one kind of change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ChangeRulesDoc {
    /// Changes with less notice are `late` (default 0: never late); at most 527040
    /// (366 days). With `late_mode` `charge` and a notice above 0, the last fee tier must
    /// have `notice_at_least_minutes` 0 (`late_fee_missing`).
    #[schema(minimum = 0, maximum = 527040)]
    pub min_notice_minutes: i64,
    pub late_mode: LateModeDoc,
    /// Largest notice first, each notice once (`tiers_not_ordered`); the first tier the
    /// notice reaches sets the fee. No tier: free.
    pub fee_tiers: Vec<FeeTierDoc>,
    pub reason_required: bool,
    /// Accepted reason categories, each once; empty accepts all six.
    pub reason_categories: Vec<ReasonCategory>,
}

/// Rebooking a missed appointment within some days, for a fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterNoShowDoc {
    #[schema(minimum = 0, maximum = 365)]
    pub within_days: i64,
    #[schema(minimum = 0)]
    pub fee: i64,
}

/// Reschedule rules: change rules plus limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RescheduleDoc {
    /// Moves with less notice are `late` (default 0: never late); at most 527040
    /// (366 days). With `late_mode` `charge` and a notice above 0, the last fee tier must
    /// have `notice_at_least_minutes` 0 (`late_fee_missing`).
    #[schema(minimum = 0, maximum = 527040)]
    pub min_notice_minutes: i64,
    pub late_mode: LateModeDoc,
    /// Largest notice first, each notice once (`tiers_not_ordered`); the first tier the
    /// notice reaches sets the fee. No tier: free.
    pub fee_tiers: Vec<FeeTierDoc>,
    pub reason_required: bool,
    /// Accepted reason categories, each once; empty accepts all six.
    pub reason_categories: Vec<ReasonCategory>,
    /// Moves of one appointment, counted across its whole chain of moves.
    #[schema(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub max_per_appointment: Option<u32>,
    /// Moves of one customer's appointments within `customer_window_days` (rolling),
    /// which must then be given too (`window_required`).
    #[schema(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub max_per_customer: Option<u32>,
    #[schema(minimum = 1, maximum = 730)]
    pub customer_window_days: Option<i64>,
    /// `null`: a no-show cannot be rebooked through a reschedule.
    pub allow_after_no_show: Option<AfterNoShowDoc>,
    /// How far from the originally booked time a new time may be.
    #[schema(minimum = 0, maximum = 730)]
    pub max_distance_days: Option<i64>,
}

/// Policy text shown to customers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyText {
    #[schema(max_length = 4000)]
    pub id: Option<String>,
    #[schema(max_length = 4000)]
    pub en: Option<String>,
}

/// A reschedule and cancellation policy. Every field is optional; absent ones take the
/// lenient default (no notice, no fee, no limit, no reason needed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyDoc {
    pub reschedule: RescheduleDoc,
    pub cancellation: ChangeRulesDoc,
    pub text: PolicyText,
}

fn non_negative(field: &str, v: i64, code: Code) -> Result<(), Error> {
    if v < 0 {
        return Err(Error::invalid(
            field,
            code,
            format!("{field} must not be negative"),
        ));
    }
    Ok(())
}

fn at_most(field: &str, v: i64, max: i64) -> Result<(), Error> {
    if v > max {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            format!("{field} must be at most {max}"),
        )
        .with_param("max", max));
    }
    Ok(())
}

const MAX_MINUTES: i64 = 366 * 24 * 60;

impl ChangeRulesDoc {
    fn validate(&self, at: &str) -> Result<(), Error> {
        non_negative(
            &format!("{at}.min_notice_minutes"),
            self.min_notice_minutes,
            Code::OutOfRange,
        )?;
        at_most(
            &format!("{at}.min_notice_minutes"),
            self.min_notice_minutes,
            MAX_MINUTES,
        )?;
        for (i, t) in self.fee_tiers.iter().enumerate() {
            let field = format!("{at}.fee_tiers[{i}]");
            non_negative(&format!("{field}.fee"), t.fee, Code::NegativeFee)?;
            non_negative(
                &format!("{field}.notice_at_least_minutes"),
                t.notice_at_least_minutes,
                Code::OutOfRange,
            )?;
            at_most(
                &format!("{field}.notice_at_least_minutes"),
                t.notice_at_least_minutes,
                MAX_MINUTES,
            )?;
            if i > 0 && t.notice_at_least_minutes >= self.fee_tiers[i - 1].notice_at_least_minutes {
                return Err(Error::invalid(
                    field,
                    Code::TiersNotOrdered,
                    "fee tiers must go from the largest notice to the smallest, each notice once",
                ));
            }
        }
        let covers_late = self
            .fee_tiers
            .last()
            .is_some_and(|t| t.notice_at_least_minutes == 0);
        if self.late_mode == LateModeDoc::Charge && self.min_notice_minutes > 0 && !covers_late {
            return Err(Error::invalid(
                format!("{at}.fee_tiers"),
                Code::LateFeeMissing,
                "late changes are charged: add a last tier with notice_at_least_minutes 0",
            ));
        }
        let mut seen = Vec::new();
        for (i, c) in self.reason_categories.iter().enumerate() {
            if seen.contains(c) {
                return Err(Error::invalid(
                    format!("{at}.reason_categories[{i}]"),
                    Code::DuplicateReason,
                    "listed twice",
                ));
            }
            seen.push(*c);
        }
        Ok(())
    }

    fn to_rules(&self) -> ChangeRules {
        ChangeRules {
            min_notice: Duration::minutes(self.min_notice_minutes),
            late_mode: match self.late_mode {
                LateModeDoc::Refuse => LateMode::Refuse,
                LateModeDoc::Charge => LateMode::Charge,
            },
            fee_tiers: self
                .fee_tiers
                .iter()
                .map(|t| FeeTier {
                    notice_at_least: Duration::minutes(t.notice_at_least_minutes),
                    fee: t.fee,
                })
                .collect(),
            reason_required: self.reason_required,
            reason_categories: self.reason_categories.clone(),
        }
    }
}

impl RescheduleDoc {
    /// The notice, fee and reason part (spelt out above so unknown fields are refused).
    pub fn change_rules(&self) -> ChangeRulesDoc {
        ChangeRulesDoc {
            min_notice_minutes: self.min_notice_minutes,
            late_mode: self.late_mode,
            fee_tiers: self.fee_tiers.clone(),
            reason_required: self.reason_required,
            reason_categories: self.reason_categories.clone(),
        }
    }
}

impl PolicyDoc {
    /// Checks every rule; the error names the field (`reschedule.fee_tiers[1]`).
    pub fn validated(self) -> Result<Self, Error> {
        let r = &self.reschedule;
        r.change_rules().validate("reschedule")?;
        self.cancellation.validate("cancellation")?;
        match (r.max_per_customer, r.customer_window_days) {
            (Some(_), None) => {
                return Err(Error::invalid(
                    "reschedule.customer_window_days",
                    Code::WindowRequired,
                    "max_per_customer needs customer_window_days",
                ));
            }
            (_, Some(days)) if !(1..=730).contains(&days) => {
                return Err(Error::invalid(
                    "reschedule.customer_window_days",
                    Code::OutOfRange,
                    "1 to 730 days",
                ));
            }
            _ => {}
        }
        if let Some(a) = r.allow_after_no_show {
            if !(0..=365).contains(&a.within_days) {
                return Err(Error::invalid(
                    "reschedule.allow_after_no_show.within_days",
                    Code::OutOfRange,
                    "0 to 365 days",
                ));
            }
            non_negative(
                "reschedule.allow_after_no_show.fee",
                a.fee,
                Code::NegativeFee,
            )?;
        }
        if let Some(d) = r.max_distance_days
            && !(0..=730).contains(&d)
        {
            return Err(Error::invalid(
                "reschedule.max_distance_days",
                Code::OutOfRange,
                "0 to 730 days",
            ));
        }
        for (lang, t) in [("id", &self.text.id), ("en", &self.text.en)] {
            if t.as_ref().is_some_and(|t| t.chars().count() > 4000) {
                return Err(Error::invalid(
                    format!("text.{lang}"),
                    Code::TooLong,
                    "at most 4000 characters",
                ));
            }
        }
        Ok(self)
    }

    pub fn to_policy(&self) -> Policy {
        let r = &self.reschedule;
        Policy {
            reschedule: ReschedulePolicy {
                rules: r.change_rules().to_rules(),
                max_per_appointment: r.max_per_appointment,
                max_per_customer: r
                    .max_per_customer
                    .map(|m| (m, Duration::days(r.customer_window_days.unwrap_or(90)))),
                after_no_show: r.allow_after_no_show.map(|a| AfterNoShow {
                    within: Duration::days(a.within_days),
                    fee: a.fee,
                }),
                max_distance: r.max_distance_days.map(Duration::days),
            },
            cancellation: self.cancellation.to_rules(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: serde_json::Value) -> Result<PolicyDoc, Error> {
        serde_json::from_value::<PolicyDoc>(v).unwrap().validated()
    }

    #[test]
    fn the_story_policy_is_valid() {
        let doc = parse(serde_json::json!({"reschedule": {
            "min_notice_minutes": 1440, "late_mode": "charge",
            "fee_tiers": [{"notice_at_least_minutes": 4320, "fee": 0},
                          {"notice_at_least_minutes": 1440, "fee": 5000000},
                          {"notice_at_least_minutes": 0, "fee": 15000000}],
            "max_per_appointment": 2, "max_per_customer": 3, "customer_window_days": 90,
            "reason_required": true, "allow_after_no_show": {"within_days": 7, "fee": 5000000}
        }}))
        .unwrap();
        let p = doc.to_policy();
        assert_eq!(p.reschedule.rules.fee_tiers[1].fee, 5_000_000);
        assert_eq!(p.reschedule.max_per_customer, Some((3, Duration::days(90))));
        assert_eq!(
            PolicyDoc::default()
                .validated()
                .unwrap()
                .to_policy()
                .reschedule
                .rules
                .fee_tiers,
            vec![]
        );
    }

    #[test]
    fn bad_policies_name_their_field() {
        let cases = [
            (
                serde_json::json!({"reschedule": {"fee_tiers": [{"notice_at_least_minutes": 10, "fee": -1}]}}),
                Code::NegativeFee,
                "reschedule.fee_tiers[0].fee",
            ),
            (
                serde_json::json!({"reschedule": {"fee_tiers": [{"notice_at_least_minutes": 10, "fee": 1}, {"notice_at_least_minutes": 60, "fee": 2}]}}),
                Code::TiersNotOrdered,
                "reschedule.fee_tiers[1]",
            ),
            (
                serde_json::json!({"cancellation": {"fee_tiers": [{"notice_at_least_minutes": 60, "fee": 1}, {"notice_at_least_minutes": 60, "fee": 2}]}}),
                Code::TiersNotOrdered,
                "cancellation.fee_tiers[1]",
            ),
            (
                serde_json::json!({"reschedule": {"min_notice_minutes": -5}}),
                Code::OutOfRange,
                "reschedule.min_notice_minutes",
            ),
            (
                serde_json::json!({"reschedule": {"min_notice_minutes": 60, "fee_tiers": [{"notice_at_least_minutes": 60, "fee": 1}]}}),
                Code::LateFeeMissing,
                "reschedule.fee_tiers",
            ),
            (
                serde_json::json!({"reschedule": {"max_per_customer": 3}}),
                Code::WindowRequired,
                "reschedule.customer_window_days",
            ),
            (
                serde_json::json!({"reschedule": {"reason_categories": ["illness", "illness"]}}),
                Code::DuplicateReason,
                "reschedule.reason_categories[1]",
            ),
        ];
        for (v, code, field) in cases {
            let e = parse(v.clone()).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{v}");
        }
        assert!(serde_json::from_value::<PolicyDoc>(serde_json::json!({"reschedule": {"fee_tiers": [{"notice_at_least_minutes": 1, "fee": 1.5}]}})).is_err());
        assert!(
            serde_json::from_value::<PolicyDoc>(
                serde_json::json!({"reschedule": {"late_mode": "maybe"}})
            )
            .is_err()
        );
        assert!(
            serde_json::from_value::<PolicyDoc>(
                serde_json::json!({"reschedule": {"organization_id": "x"}})
            )
            .is_err()
        );
    }
}
