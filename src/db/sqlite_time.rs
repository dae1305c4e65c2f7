//! Reading SQLite's stored timestamps quickly. diesel writes them as text
//! (`2026-11-30 02:00:00` with an optional fraction) and reads them back by trying a list
//! of chrono formats; for the thousands of busy blocks a schedule reads, a fixed-format
//! parser is several times faster. Anything else falls back to chrono.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn fixed(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&b[0..4])?).ok()?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
            digits(frac)? * 10u32.pow(9 - frac.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
        nanos,
    )?;
    Some(date.and_time(time))
}

/// A timestamp as SQLite holds it.
pub fn parse(s: &str) -> Result<NaiveDateTime, String> {
    fixed(s)
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok())
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok())
        .ok_or_else(|| format!("unreadable stored timestamp '{s}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_diesel_writes() {
        let base = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap();
        for nanos in [0, 1, 500_000_000, 123_456_789, 120_000, 999_999_999] {
            for days in [-800_000, -1, 0, 1, 30, 2_900_000] {
                let t = base + chrono::Duration::days(days) + chrono::Duration::nanoseconds(nanos);
                // diesel's own encoding for SQLite timestamps.
                let text = t.format("%F %T%.f").to_string();
                assert_eq!(parse(&text), Ok(t), "{text}");
            }
        }
        assert_eq!(
            parse("2026-11-30T02:00:00"),
            Ok(base),
            "other shapes go to chrono"
        );
        for bad in [
            "",
            "2026-11-30",
            "2026-13-01 00:00:00",
            "2026-11-30 24:00:00",
            "2026-11-30 02:00:00.",
            "x026-11-30 02:00:00",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
