//! Booking rules (lead time, horizon, slot interval): validation and resolution of a
//! location's overrides against its organization's defaults.

use chrono::Duration;

use super::availability::BookingRules;
use crate::error::{Code, Error};

fn in_range(field: &str, v: i32, min: i32, max: i32, unit: &str) -> Result<i32, Error> {
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(Error::invalid(
            field,
            Code::OutOfRange,
            format!("{field} must be between {min} and {max} {unit}"),
        )
        .with_param("min", i64::from(min))
        .with_param("max", i64::from(max)))
    }
}

/// Minimum time between now and a bookable start: 0 to 30 days, in minutes.
pub fn lead_minutes(field: &str, v: i32) -> Result<i32, Error> {
    in_range(field, v, 0, 30 * 24 * 60, "minutes")
}

/// How far ahead bookings are taken: 1 to 730 days.
pub fn horizon_days(field: &str, v: i32) -> Result<i32, Error> {
    in_range(field, v, 1, 730, "days")
}

/// Distance between slot starts: 5 to 240 minutes.
pub fn slot_interval_minutes(field: &str, v: i32) -> Result<i32, Error> {
    in_range(field, v, 5, 240, "minutes")
}

/// The rules in force at a location: its own value where set, else the organization's.
pub fn resolve(
    org: (i32, i32, i32),
    location: (Option<i32>, Option<i32>, Option<i32>),
) -> BookingRules {
    BookingRules {
        lead: Duration::minutes(i64::from(location.0.unwrap_or(org.0))),
        horizon: Duration::days(i64::from(location.1.unwrap_or(org.1))),
        step: Duration::minutes(i64::from(location.2.unwrap_or(org.2))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_fallback() {
        assert!(lead_minutes("l", 0).is_ok());
        assert_eq!(
            lead_minutes("booking_lead_minutes", -1).unwrap_err().code,
            Code::OutOfRange
        );
        assert!(horizon_days("h", 0).is_err());
        assert!(slot_interval_minutes("s", 4).is_err());
        let r = resolve((60, 90, 15), (None, Some(30), None));
        assert_eq!(
            (r.lead, r.horizon, r.step),
            (
                Duration::minutes(60),
                Duration::days(30),
                Duration::minutes(15)
            )
        );
    }
}
