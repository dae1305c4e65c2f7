//! Weekly opening hours in local wall-clock time: several intervals per weekday.

use chrono::Weekday;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::error::{Code, Error};

/// A local time of day as minutes since midnight; `24:00` is allowed as an end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "08:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub fn from_minutes(m: u16) -> Option<Self> {
        (m <= 24 * 60).then_some(TimeOfDay(m))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    fn parse(s: &str) -> Option<Self> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(TimeOfDay(h * 60 + m))
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}:{:02}", self.0 / 60, self.0 % 60))
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TimeOfDay::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a time of day in HH:MM (00:00 to 24:00)"
            ))
        })
    }
}

/// One open interval `[start, end)` in local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

/// Opening hours per weekday. A missing or empty day is closed. Intervals must have
/// `end` after `start` and must not overlap; they are kept sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mon": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "16:00"}]}))]
pub struct WeeklyHours {
    #[serde(default)]
    pub mon: Vec<TimeRange>,
    #[serde(default)]
    pub tue: Vec<TimeRange>,
    #[serde(default)]
    pub wed: Vec<TimeRange>,
    #[serde(default)]
    pub thu: Vec<TimeRange>,
    #[serde(default)]
    pub fri: Vec<TimeRange>,
    #[serde(default)]
    pub sat: Vec<TimeRange>,
    #[serde(default)]
    pub sun: Vec<TimeRange>,
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

impl WeeklyHours {
    pub fn day(&self, day: Weekday) -> &[TimeRange] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    fn day_mut(&mut self, day: Weekday) -> &mut Vec<TimeRange> {
        match day {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }

    /// Checks every day's intervals and sorts them; `field` prefixes the reported path
    /// (for example `weekly_hours.mon[1]`).
    pub fn validated(mut self, field: &str) -> Result<Self, Error> {
        for (day, name) in DAYS {
            let ranges = self.day_mut(day);
            for (i, r) in ranges.iter().enumerate() {
                if r.end <= r.start {
                    return Err(Error::invalid(
                        format!("{field}.{name}[{i}]"),
                        Code::InvalidInterval,
                        "an opening interval must end after it starts",
                    ));
                }
            }
            ranges.sort_by_key(|r| r.start);
            if let Some(i) = ranges.windows(2).position(|w| w[1].start < w[0].end) {
                return Err(Error::invalid(
                    format!("{field}.{name}[{}]", i + 1),
                    Code::OverlappingIntervals,
                    format!("opening intervals on {name} overlap"),
                ));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(json: serde_json::Value) -> Result<WeeklyHours, Error> {
        serde_json::from_value::<WeeklyHours>(json)
            .unwrap()
            .validated("weekly_hours")
    }

    #[test]
    fn accepts_split_days_and_sorts_them() {
        let h = hours(serde_json::json!({"mon": [
            {"start": "13:00", "end": "17:00"}, {"start": "08:00", "end": "12:00"}
        ], "sat": [{"start": "08:00", "end": "24:00"}]}))
        .unwrap();
        assert_eq!(h.mon[0].start.minutes(), 8 * 60);
        assert_eq!(h.day(Weekday::Sat)[0].end.minutes(), 24 * 60);
        assert!(h.sun.is_empty());
    }

    #[test]
    fn refuses_reversed_and_overlapping_intervals() {
        let e =
            hours(serde_json::json!({"tue": [{"start": "12:00", "end": "08:00"}]})).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidInterval, Some("weekly_hours.tue[0]"))
        );
        let e = hours(serde_json::json!({"wed": [
            {"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "14:00"}
        ]}))
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::OverlappingIntervals, Some("weekly_hours.wed[1]"))
        );
        // Touching intervals are fine.
        assert!(
            hours(serde_json::json!({"wed": [
                {"start": "08:00", "end": "12:00"}, {"start": "12:00", "end": "14:00"}
            ]}))
            .is_ok()
        );
    }

    #[test]
    fn time_of_day_format_is_strict() {
        for bad in ["8:00", "24:01", "12:60", "noon", "12:00:00"] {
            assert!(
                serde_json::from_value::<TimeOfDay>(serde_json::json!(bad)).is_err(),
                "{bad}"
            );
        }
    }
}
