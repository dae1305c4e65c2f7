//! `limit` + opaque `cursor` lists. Every list has a stable order of (sort key, id): by
//! id alone (time-ordered UUIDv7) for most, by start time then id for appointments. A
//! page boundary never moves when rows are added, so pages never skip or repeat a row.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Code, Error};
use crate::repo::Page;

/// Every cursor of every list: the base64url (unpadded) of 24 bytes, see [`Cursor`].
/// Any string of this shape is a position in the list, so the spec says exactly what is
/// accepted.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{32}$";

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Where a page ended: the last item's sort key and id. On the wire, the base64url of
/// the key (big-endian i64) followed by the id's 16 bytes. Lists in id order carry key
/// 0 and read only the id; lists by time carry the instant in microseconds since the
/// epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    key: i64,
    id: Uuid,
}

impl Cursor {
    /// The position after the item `id` of a list in id order.
    pub fn after_id(id: &str) -> Result<Cursor, Error> {
        Cursor::new(0, id)
    }

    /// The position after the item `id` at `t` of a list by time, then id.
    pub fn after_instant(t: DateTime<Utc>, id: &str) -> Result<Cursor, Error> {
        Cursor::new(t.timestamp_micros(), id)
    }

    fn new(key: i64, id: &str) -> Result<Cursor, Error> {
        // Ids are generated UUIDs: another one would be a position no cursor can name.
        let id = Uuid::parse_str(id)
            .map_err(|_| Error::internal(format!("list item id '{id}' is not a UUID")))?;
        Ok(Cursor { key, id })
    }

    /// A cursor as a client sent it; anything but [`CURSOR_PATTERN`] is `invalid_cursor`.
    pub fn parse(text: &str) -> Result<Cursor, Error> {
        let bytes: [u8; 24] = URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                Error::new(Code::InvalidCursor, "cursor is not one this API returned")
                    .with_field("cursor")
            })?;
        let (key, id) = bytes.split_at(8);
        Ok(Cursor {
            key: i64::from_be_bytes(key.try_into().expect("8 bytes")),
            id: Uuid::from_bytes(id.try_into().expect("16 bytes")),
        })
    }

    pub fn encode(&self) -> String {
        let mut bytes = [0u8; 24];
        bytes[..8].copy_from_slice(&self.key.to_be_bytes());
        bytes[8..].copy_from_slice(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The id of the last item seen.
    pub fn id(&self) -> String {
        self.id.to_string()
    }

    /// The sort key read as an instant. Every stored instant lies in the years 1 to
    /// 9999, so a key outside them is the same position as the nearer end, and the
    /// databases can compare with it.
    pub fn instant(&self) -> DateTime<Utc> {
        let (first, last) = (
            DateTime::parse_from_rfc3339("0001-01-01T00:00:00Z")
                .expect("a date")
                .to_utc(),
            DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z")
                .expect("a date")
                .to_utc(),
        );
        DateTime::from_timestamp_micros(self.key)
            .unwrap_or(if self.key < 0 { first } else { last })
            .clamp(first, last)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `limit`, or `default` when absent; refused outside 1 to `max`.
pub fn limit_within(limit: Option<i64>, default: i64, max: i64) -> Result<i64, Error> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(Error::new(
            Code::InvalidLimit,
            format!("limit must be between 1 and {max}"),
        )
        .with_field("limit")
        .with_param("max", max));
    }
    Ok(limit)
}

impl PageParams {
    /// The validated limit and the cursor to continue after.
    pub fn page(&self) -> Result<(i64, Option<Cursor>), Error> {
        let limit = limit_within(self.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let after = self.cursor.as_deref().map(Cursor::parse).transpose()?;
        Ok((limit, after))
    }

    /// For a list in id order: the validated limit and the id to continue after.
    pub fn parse(&self) -> Result<(i64, Option<String>), Error> {
        let (limit, after) = self.page()?;
        Ok((limit, after.map(|c| c.id())))
    }
}

/// One page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A page of a list in id order, its items mapped to what the answer shows.
    pub fn from_page<R>(
        page: Page<R>,
        map: impl FnMut(R) -> Result<T, Error>,
    ) -> Result<Self, Error> {
        Ok(List {
            next_cursor: page
                .next_after
                .as_deref()
                .map(|id| Cursor::after_id(id).map(|c| c.encode()))
                .transpose()?,
            items: page.items.into_iter().map(map).collect::<Result<_, _>>()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CURSOR_PATTERN checked by hand: 32 base64url characters.
    fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool {
        assert_eq!(pattern, "^[A-Za-z0-9_-]{32}$");
        |s: &str| {
            s.len() == 32
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
    }

    fn params(limit: Option<i64>, cursor: &str) -> PageParams {
        PageParams {
            limit,
            cursor: Some(cursor.to_owned()),
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let id = uuid::Uuid::now_v7().to_string();
        let after = Cursor::after_id(&id).unwrap().encode();
        assert_eq!(
            params(Some(10), &after).parse().unwrap(),
            (10, Some(id.clone()))
        );
        let bad = params(None, "bm9wZQ");
        assert_eq!(bad.parse().unwrap_err().field.as_deref(), Some("cursor"));
        let big = PageParams {
            limit: Some(201),
            cursor: None,
        };
        assert_eq!(big.parse().unwrap_err().code, Code::InvalidLimit);
        assert_eq!(PageParams::default().parse().unwrap(), (50, None));
        let pattern = regex_lite(CURSOR_PATTERN);
        assert!(pattern(&after), "{after}");
        for bad in [
            "",
            "AAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.",
        ] {
            assert!(
                !pattern(bad) && params(None, bad).parse().is_err(),
                "{bad:?}"
            );
        }
        // Any string of the pattern's shape is a position, as the spec says.
        for any in [
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "________________________________",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(pattern(any) && params(None, any).page().is_ok(), "{any}");
        }
    }

    #[test]
    fn instants_round_trip_and_far_positions_are_clamped() {
        let t = DateTime::parse_from_rfc3339("2026-11-30T09:15:00.123456+07:00")
            .unwrap()
            .to_utc();
        let id = uuid::Uuid::now_v7().to_string();
        let c = Cursor::parse(&Cursor::after_instant(t, &id).unwrap().encode()).unwrap();
        assert_eq!((c.instant(), c.id()), (t, id));
        let far = |s: &str| Cursor::parse(s).unwrap().instant().to_rfc3339();
        assert_eq!(
            far("gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            "0001-01-01T00:00:00+00:00"
        );
        assert_eq!(
            far("f_______________________________"),
            "9999-12-31T23:59:59+00:00"
        );
        assert!(Cursor::after_id("not-a-uuid").is_err());
    }
}
