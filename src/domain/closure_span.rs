//! When a closure applies: whole local days at the location, or an exact span.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use super::local_time::start_of_day;
use crate::error::{Code, Error};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosureSpan {
    /// From the start of `first` to the end of `last` (inclusive; default `first`), local time.
    LocalDays {
        first: NaiveDate,
        last: Option<NaiveDate>,
    },
    Exact {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
}

impl ClosureSpan {
    /// The instants `[start, end)` in the location's zone, DST-correct.
    pub fn resolve(self, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), Error> {
        match self {
            ClosureSpan::LocalDays { first, last } => {
                let last = last.unwrap_or(first);
                if last < first {
                    return Err(Error::invalid(
                        "end_date",
                        Code::ClosureEndsBeforeStart,
                        "end_date is before date",
                    ));
                }
                let out_of_range =
                    || Error::invalid("end_date", Code::InvalidDate, "end_date is out of range");
                let after = last
                    .checked_add_days(Days::new(1))
                    .ok_or_else(out_of_range)?;
                let (start, end) = (start_of_day(tz, first), start_of_day(tz, after));
                // Instants are RFC 3339, whose years have four digits.
                if end.year() > 9999 {
                    return Err(out_of_range());
                }
                Ok((start, end))
            }
            ClosureSpan::Exact { starts_at, ends_at } => {
                if ends_at <= starts_at {
                    return Err(Error::invalid(
                        "ends_at",
                        Code::ClosureEndsBeforeStart,
                        "ends_at must be after starts_at",
                    ));
                }
                Ok((starts_at, ends_at))
            }
        }
    }
}
