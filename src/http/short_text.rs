//! Short texts written without allocating: the instants, dates and clock labels that a
//! month of slots repeats hundreds of times in one answer. Each is written digit by
//! digit into a small inline buffer, and is exactly what chrono's own formatting gives
//! (tested against it); anything unusual (fractions of a second, an offset with
//! seconds, a year outside 0000–9999) is left to chrono.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Offset, SecondsFormat, TimeZone, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Room for the longest RFC 3339 instant chrono writes (nanoseconds and an offset).
const CAP: usize = 40;

/// A text of at most 40 bytes kept inline.
#[derive(Clone, Copy)]
pub struct ShortText {
    len: u8,
    bytes: [u8; CAP],
}

impl ShortText {
    const fn new() -> Self {
        ShortText {
            len: 0,
            bytes: [0; CAP],
        }
    }

    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this is always UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// Appends what fits; a text is never longer than [`CAP`] (the texts written here
    /// are at most 35 bytes).
    fn push(&mut self, s: &str) {
        let at = usize::from(self.len);
        let n = s.len().min(CAP - at);
        if n < s.len() && !s.is_char_boundary(n) {
            return;
        }
        self.bytes[at..at + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n as u8;
    }

    fn digits(&mut self, value: u32, width: usize) {
        let mut buf = [b'0'; 4];
        let mut v = value;
        for i in (0..width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.push(std::str::from_utf8(&buf[..width]).unwrap_or_default());
    }

    fn date(&mut self, d: NaiveDate) {
        self.digits(d.year() as u32, 4);
        self.push("-");
        self.digits(d.month(), 2);
        self.push("-");
        self.digits(d.day(), 2);
    }
}

impl From<&str> for ShortText {
    fn from(s: &str) -> Self {
        let mut t = ShortText::new();
        t.push(s);
        t
    }
}

impl fmt::Debug for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ShortText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ShortText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Whether the digit-by-digit form writes `t` exactly as chrono would.
fn plain<Tz: TimeZone>(t: &DateTime<Tz>) -> bool {
    t.nanosecond() == 0
        && (0..=9999).contains(&t.year())
        && t.offset().fix().local_minus_utc() % 60 == 0
}

/// `t` as RFC 3339 with its own offset (`2026-11-30T09:00:00+07:00`), as
/// `DateTime::to_rfc3339` writes it.
pub fn rfc3339<Tz: TimeZone>(t: &DateTime<Tz>) -> ShortText {
    if !plain(t) {
        return ShortText::from(t.to_rfc3339().as_str());
    }
    let mut out = ShortText::new();
    write_local(&mut out, t);
    let offset = t.offset().fix().local_minus_utc();
    out.push(if offset < 0 { "-" } else { "+" });
    let minutes = offset.unsigned_abs() / 60;
    out.digits(minutes / 60, 2);
    out.push(":");
    out.digits(minutes % 60, 2);
    out
}

/// `t` as RFC 3339 in UTC with `Z` (`2026-11-30T02:00:00Z`), as chrono serializes a
/// `DateTime<Utc>`.
pub fn rfc3339_utc(t: &DateTime<Utc>) -> ShortText {
    if !plain(t) {
        return ShortText::from(t.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_str());
    }
    let mut out = ShortText::new();
    write_local(&mut out, t);
    out.push("Z");
    out
}

fn write_local<Tz: TimeZone>(out: &mut ShortText, t: &DateTime<Tz>) {
    let local = t.naive_local();
    out.date(local.date());
    out.push("T");
    out.digits(local.hour(), 2);
    out.push(":");
    out.digits(local.minute(), 2);
    out.push(":");
    out.digits(local.second(), 2);
}

/// The local calendar date as `YYYY-MM-DD`.
pub fn date(d: NaiveDate) -> ShortText {
    if !(0..=9999).contains(&d.year()) {
        return ShortText::from(d.to_string().as_str());
    }
    let mut out = ShortText::new();
    out.date(d);
    out
}

/// What a clock shows, `HH:MM` and the zone's abbreviation: `09:00 WIB`.
pub fn clock_label(hour: u32, minute: u32, zone: &str) -> ShortText {
    let mut out = ShortText::new();
    out.digits(hour, 2);
    out.push(":");
    out.digits(minute, 2);
    out.push(" ");
    out.push(zone);
    out
}

/// `serialize_with` for a `DateTime<Utc>` field: the same text as chrono's, written
/// without its formatting machinery.
pub fn serialize_utc<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    rfc3339_utc(t).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDateTime};
    use chrono_tz::{America, Asia, Australia, Europe};

    /// Every quarter hour of 2026 in zones east and west of UTC, with and without DST,
    /// one with a 30-minute change, and Jakarta's historic offsets with seconds: the
    /// same text as chrono's.
    #[test]
    fn writes_exactly_what_chrono_writes() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for q in (0..365 * 96).step_by(7) {
            let t = start + Duration::minutes(15 * q);
            assert_eq!(
                rfc3339_utc(&t).as_str(),
                serde_json::to_value(t).unwrap().as_str().unwrap()
            );
            for tz in [
                Asia::Jakarta,
                America::New_York,
                Europe::London,
                Australia::Lord_Howe,
                Asia::Kolkata,
            ] {
                let local = t.with_timezone(&tz);
                assert_eq!(rfc3339(&local).as_str(), local.to_rfc3339());
                assert_eq!(
                    date(local.date_naive()).as_str(),
                    local.date_naive().to_string()
                );
            }
        }
        for odd in [
            Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap() + Duration::milliseconds(250),
            DateTime::<Utc>::from_naive_utc_and_offset(NaiveDateTime::MIN, Utc),
        ] {
            let local = odd.with_timezone(&Asia::Jakarta);
            assert_eq!(rfc3339(&local).as_str(), local.to_rfc3339(), "{odd:?}");
            assert_eq!(
                rfc3339_utc(&odd).as_str(),
                serde_json::to_value(odd).unwrap().as_str().unwrap()
            );
        }
        assert_eq!(clock_label(9, 5, "WIB").as_str(), "09:05 WIB");
    }
}
