//! Instants in requests and local renderings in responses.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use chrono_tz::{OffsetName, Tz};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::short_text::{self, ShortText};

/// An RFC 3339 instant that must carry an offset (`Z` or `+07:00`); a time without one
/// is ambiguous and refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-11-30T09:00:00+07:00")]
pub struct Instant(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = DateTime::<FixedOffset>::parse_from_rfc3339(s.trim()).map_err(|_| {
            serde::de::Error::custom(format!(
                "'{s}' is not an RFC 3339 time with an offset, e.g. 2026-11-30T09:00:00+07:00 \
                 (in a query string write + as %2B, or use Z)"
            ))
        })?;
        let t = t.with_timezone(&Utc);
        if !(1..=9999).contains(&t.year()) {
            return Err(serde::de::Error::custom(format!(
                "'{s}' is out of range: years 0001 to 9999 (in UTC)"
            )));
        }
        Ok(Instant(t))
    }
}

/// A calendar date, `YYYY-MM-DD` with a four-digit year (years 0001 to 9999).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, format = Date, example = "2026-12-25")]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let b = s.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        shaped
            .then(|| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
            .flatten()
            .filter(|d| d.year() >= 1)
            .map(Date)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "'{s}' is not a date as YYYY-MM-DD, e.g. 2026-12-25 (years 0001 to 9999)"
                ))
            })
    }
}

/// A span as the location's clock shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalSpan {
    /// IANA zone of the location.
    #[schema(value_type = String, example = "Asia/Jakarta")]
    pub time_zone: &'static str,
    /// The zone's abbreviation at the start, e.g. `WIB`.
    #[schema(value_type = String, example = "WIB")]
    pub zone: ShortText,
    /// Start with the local offset.
    #[schema(value_type = String, example = "2026-11-30T09:00:00+07:00")]
    pub start: ShortText,
    #[schema(value_type = String, example = "2026-11-30T10:00:00+07:00")]
    pub end: ShortText,
    /// Local calendar date of the start.
    #[schema(value_type = String, example = "2026-11-30")]
    pub date: ShortText,
    /// What a person reads, e.g. `09:00 WIB`.
    #[schema(value_type = String, example = "09:00 WIB")]
    pub label: ShortText,
}

impl LocalSpan {
    /// Written into inline buffers, not allocated strings, and without chrono's
    /// pattern formatting: a month of slots shows hundreds of these
    /// (`http::short_text`).
    pub fn new(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
        let zone = match s.offset().abbreviation() {
            Some(abbreviation) => ShortText::from(abbreviation),
            None => ShortText::from(s.format("%Z").to_string().as_str()),
        };
        LocalSpan {
            time_zone: tz.name(),
            label: short_text::clock_label(s.hour(), s.minute(), zone.as_str()),
            zone,
            start: short_text::rfc3339(&s),
            end: short_text::rfc3339(&e),
            date: short_text::date(s.date_naive()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_required_and_local_views_are_named() {
        let ok: Instant =
            serde_json::from_value(serde_json::json!("2026-11-30T09:00:00+07:00")).unwrap();
        assert_eq!(ok.0.to_rfc3339(), "2026-11-30T02:00:00+00:00");
        let err = serde_json::from_value::<Instant>(serde_json::json!("2026-11-30T09:00:00"))
            .unwrap_err();
        assert!(err.to_string().contains("offset"));
        for far in [
            "-5000-01-01T00:00:00Z",
            "+262000-01-01T00:00:00Z",
            "0000-06-01T00:00:00Z",
        ] {
            assert!(
                serde_json::from_value::<Instant>(serde_json::json!(far)).is_err(),
                "{far}"
            );
        }
        let d: Date = serde_json::from_value(serde_json::json!("2026-12-25")).unwrap();
        assert_eq!(d.0.to_string(), "2026-12-25");
        for bad in [
            "+262000-01-01",
            "-4714-12-31",
            "0000-01-01",
            "2026-2-5",
            "2026-02-30",
        ] {
            assert!(
                serde_json::from_value::<Date>(serde_json::json!(bad)).is_err(),
                "{bad}"
            );
        }
        let span = LocalSpan::new(
            chrono_tz::Asia::Jakarta,
            ok.0,
            ok.0 + chrono::Duration::hours(1),
        );
        assert_eq!(
            (span.label.as_str(), span.date.as_str(), span.end.as_str()),
            ("09:00 WIB", "2026-11-30", "2026-11-30T10:00:00+07:00")
        );
    }

    #[test]
    fn local_spans_read_as_the_zone_formats_them() {
        use chrono::TimeZone;
        let zones = [
            chrono_tz::Asia::Jakarta,
            chrono_tz::Asia::Makassar,
            chrono_tz::Europe::Berlin,
            chrono_tz::America::Sao_Paulo,
            chrono_tz::Asia::Dubai,
        ];
        for tz in zones {
            let mut t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            for _ in 0..400 {
                let span = LocalSpan::new(tz, t, t + chrono::Duration::minutes(30));
                let local = t.with_timezone(&tz);
                assert_eq!(span.zone.as_str(), local.format("%Z").to_string());
                assert_eq!(span.label.as_str(), local.format("%H:%M %Z").to_string());
                t += chrono::Duration::minutes(1337);
            }
        }
    }
}
