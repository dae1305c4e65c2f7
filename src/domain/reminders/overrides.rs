//! Reminder timing for some of an organization's appointments: those at one location,
//! of one service, or both. Each field an override leaves out keeps the value of the
//! less specific level; the most specific override wins field by field.

use chrono::Duration;

use super::{QuietHours, ReminderRules};

/// One override: at least one of `location_id` and `service_id` names where it applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RulesOverride {
    pub location_id: Option<String>,
    pub service_id: Option<String>,
    pub offsets: Option<Vec<Duration>>,
    /// `Some(None)`: no quiet hours here, whatever the organization has.
    pub quiet: Option<Option<QuietHours>>,
    pub catch_up: Option<Duration>,
}

impl RulesOverride {
    /// 1 for a location, 2 for a service, 3 for both; 0 (applies nowhere) otherwise.
    fn specificity(&self, location: &str, service: &str) -> u8 {
        let l = self.location_id.as_deref();
        let s = self.service_id.as_deref();
        match (l, s) {
            (Some(l), Some(s)) if l == location && s == service => 3,
            (None, Some(s)) if s == service => 2,
            (Some(l), None) if l == location => 1,
            _ => 0,
        }
    }
}

/// The rules for an appointment at `location` of `service`: the organization's, then
/// the location's override, then the service's, then the one for both.
pub fn rules_for(
    base: &ReminderRules,
    overrides: &[RulesOverride],
    location: &str,
    service: &str,
) -> ReminderRules {
    let mut applying: Vec<(u8, &RulesOverride)> = overrides
        .iter()
        .map(|o| (o.specificity(location, service), o))
        .filter(|(n, _)| *n > 0)
        .collect();
    applying.sort_by_key(|(n, _)| *n);
    let mut rules = base.clone();
    for (_, o) in applying {
        if let Some(offsets) = &o.offsets {
            rules.offsets = offsets.clone();
        }
        if let Some(quiet) = o.quiet {
            rules.quiet = quiet;
        }
        if let Some(catch_up) = o.catch_up {
            rules.catch_up = catch_up;
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;

    fn at(location: Option<&str>, service: Option<&str>) -> RulesOverride {
        RulesOverride {
            location_id: location.map(str::to_owned),
            service_id: service.map(str::to_owned),
            ..RulesOverride::default()
        }
    }

    fn minutes(m: &[i64]) -> Option<Vec<Duration>> {
        Some(m.iter().map(|&m| Duration::minutes(m)).collect())
    }

    #[test]
    fn the_most_specific_override_wins_field_by_field() {
        let base = ReminderRules {
            quiet: Some(QuietHours {
                start: NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            }),
            ..ReminderRules::default()
        };
        let overrides = vec![
            RulesOverride {
                offsets: minutes(&[60]),
                catch_up: Some(Duration::minutes(5)),
                ..at(None, Some("oil"))
            },
            RulesOverride {
                offsets: minutes(&[2880]),
                ..at(Some("kemang"), Some("oil"))
            },
            RulesOverride {
                offsets: minutes(&[180]),
                quiet: Some(None),
                ..at(Some("kemang"), None)
            },
        ];
        let r = rules_for(&base, &overrides, "kemang", "oil");
        assert_eq!(r.offsets, minutes(&[2880]).unwrap());
        assert_eq!(r.quiet, None, "the location's override dropped them");
        assert_eq!(r.catch_up, Duration::minutes(5), "the service's");

        let r = rules_for(&base, &overrides, "kemang", "servis");
        assert_eq!(r.offsets, minutes(&[180]).unwrap());
        assert_eq!(r.catch_up, base.catch_up);

        let r = rules_for(&base, &overrides, "kemayoran", "oil");
        assert_eq!(r.offsets, minutes(&[60]).unwrap());
        assert_eq!(r.quiet, base.quiet);

        assert_eq!(rules_for(&base, &overrides, "kemayoran", "servis"), base);
    }
}
