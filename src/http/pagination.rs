//! `limit` + opaque `cursor` lists, ordered by id (time-ordered UUIDv7), so a page
//! boundary never moves when rows are added.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{Code, Error};
use crate::repo::Page;

/// Every cursor: the base64url (unpadded) of the 16 bytes of the last id seen. Any string of
/// this shape is a position in the list, so the spec can say exactly what is accepted.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{21}[AQgw]$";

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

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
        .with_field("limit"));
    }
    Ok(limit)
}

impl PageParams {
    /// The validated limit and the id to continue after.
    pub fn parse(&self) -> Result<(i64, Option<String>), Error> {
        let limit = limit_within(self.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let after = match &self.cursor {
            None => None,
            Some(c) => Some(decode(c).ok_or_else(|| {
                Error::new(Code::InvalidCursor, "cursor is not one this API returned")
                    .with_field("cursor")
            })?),
        };
        Ok((limit, after))
    }
}

fn decode(cursor: &str) -> Option<String> {
    // The decoder also refuses non-canonical trailing bits, as the pattern does.
    let bytes: [u8; 16] = URL_SAFE_NO_PAD.decode(cursor).ok()?.try_into().ok()?;
    Some(uuid::Uuid::from_bytes(bytes).to_string())
}

/// The cursor continuing after `after_id` (a UUID, as every id is).
pub fn encode(after_id: &str) -> String {
    match uuid::Uuid::parse_str(after_id) {
        Ok(id) => URL_SAFE_NO_PAD.encode(id.as_bytes()),
        // Ids are generated UUIDs; a cursor that decodes to nothing is refused, never wrong.
        Err(_) => String::new(),
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
    pub fn from_page<R>(
        page: Page<R>,
        map: impl FnMut(R) -> Result<T, Error>,
    ) -> Result<Self, Error> {
        Ok(List {
            items: page.items.into_iter().map(map).collect::<Result<_, _>>()?,
            next_cursor: page.next_after.as_deref().map(encode),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CURSOR_PATTERN checked by hand: 21 base64url characters, then one of `AQgw`.
    fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool {
        assert_eq!(pattern, "^[A-Za-z0-9_-]{21}[AQgw]$");
        |s: &str| {
            s.len() == 22
                && s[..21]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && matches!(s.as_bytes()[21], b'A' | b'Q' | b'g' | b'w')
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let id = uuid::Uuid::now_v7().to_string();
        let p = PageParams {
            limit: Some(10),
            cursor: Some(encode(&id)),
        };
        assert_eq!(p.parse().unwrap(), (10, Some(id.clone())));
        let bad = PageParams {
            limit: None,
            cursor: Some("bm9wZQ".into()),
        };
        assert_eq!(bad.parse().unwrap_err().field.as_deref(), Some("cursor"));
        let big = PageParams {
            limit: Some(201),
            cursor: None,
        };
        assert_eq!(big.parse().unwrap_err().code, Code::InvalidLimit);
        assert_eq!(PageParams::default().parse().unwrap(), (50, None));
        let pattern = regex_lite(CURSOR_PATTERN);
        assert!(pattern(&encode(&id)), "{}", encode(&id));
        for bad in [
            "",
            "AAAAAAAAAAAAAAAAAAAAAB",
            "AAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAA=",
        ] {
            let p = PageParams {
                limit: None,
                cursor: Some(bad.into()),
            };
            assert!(!pattern(bad) && p.parse().is_err(), "{bad:?}");
        }
        // Any string of the pattern's shape is a position, as the spec says.
        let p = PageParams {
            limit: None,
            cursor: Some("zzzzzzzzzzzzzzzzzzzzzw".into()),
        };
        assert!(pattern("zzzzzzzzzzzzzzzzzzzzzw") && p.parse().is_ok());
    }
}
