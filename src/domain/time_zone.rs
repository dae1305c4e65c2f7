//! IANA time zones, validated against the chrono-tz database.

use chrono_tz::Tz;

use crate::error::{Code, Error};

/// A time zone known to chrono-tz, e.g. `Asia/Jakarta`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(Tz);

impl TimeZone {
    /// Parses an IANA name; the error names `field`.
    pub fn parse(field: &str, name: &str) -> Result<Self, Error> {
        name.parse::<Tz>().map(TimeZone).map_err(|_| {
            Error::invalid(
                field,
                Code::UnknownTimeZone,
                format!("'{name}' is not an IANA time zone name (for example Asia/Jakarta)"),
            )
        })
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iana_names_only() {
        assert_eq!(
            TimeZone::parse("tz", "Asia/Jakarta").unwrap().name(),
            "Asia/Jakarta"
        );
        assert!(TimeZone::parse("tz", "Europe/Berlin").is_ok());
        let err = TimeZone::parse("time_zone", "Asia/Bandung").unwrap_err();
        assert_eq!(err.code, Code::UnknownTimeZone);
        assert_eq!(err.field.as_deref(), Some("time_zone"));
        assert!(TimeZone::parse("tz", "WIB").is_err());
        assert!(TimeZone::parse("tz", "").is_err());
    }
}
